//! Fuzzy candidates: probable duplicates the exact rules did not link, as
//! suggestions with scores. A wrong merge is worse than a duplicate, so they are
//! merged only when the shop sets `fuzzy.auto_merge_at`.
//!
//! Two rules, both on keys a typo in the name does not break:
//!
//! - `phone_name`: the same phone number and names at least
//!   `fuzzy.name_similarity` Jaro–Winkler similar or at most `fuzzy.max_edits`
//!   edits apart (山田太郎 / 山田太朗);
//! - `address_name`: the same postal code and address and such names; this also
//!   catches the same name at the same address with another phone.
//!
//! The score is the names' Jaro–Winkler similarity. Groups larger than
//! `max_key_records` are skipped, as for the exact rules.

use serde::Serialize;

use super::config::Field;
use super::resolver::{KeyIndex, Resolver, group_count, group_members, members_of};

/// Which fuzzy rule found a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FuzzyRule {
    /// Same phone, similar names.
    PhoneName,
    /// Same postal code and address, similar names.
    AddressName,
}

impl FuzzyRule {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            FuzzyRule::PhoneName => "phone_name",
            FuzzyRule::AddressName => "address_name",
        }
    }

    /// The fields that matched exactly.
    pub fn fields(self) -> &'static [Field] {
        match self {
            FuzzyRule::PhoneName => &[Field::Phone],
            FuzzyRule::AddressName => &[Field::PostalCode, Field::Address],
        }
    }
}

/// A probable duplicate: two records of different customers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// The two records (the older first).
    pub records: [String; 2],
    /// Their customers.
    pub customers: [u64; 2],
    /// The rule that found them.
    pub rule: FuzzyRule,
    /// Jaro–Winkler similarity of the names, 0 to 1.
    pub score: f64,
}

/// The similarity of two normalized names, when it is enough for a suggestion.
fn similar(resolver: &Resolver, a: u32, b: u32) -> Option<f64> {
    let (x, y) = (resolver.name_key(a), resolver.name_key(b));
    if x.is_empty() || y.is_empty() {
        return None;
    }
    let (x, y) = (std::str::from_utf8(x).ok()?, std::str::from_utf8(y).ok()?);
    let score = strsim::jaro_winkler(x, y);
    let fuzzy = resolver.config().fuzzy();
    let close =
        score >= fuzzy.name_similarity || strsim::levenshtein(x, y) <= fuzzy.max_edits as usize;
    close.then_some(score)
}

const RULES: [FuzzyRule; 2] = [FuzzyRule::PhoneName, FuzzyRule::AddressName];

/// Every record sharing a fuzzy key with `r` whose name is close enough, with the
/// rule and score; one entry per other record (the best score).
pub(crate) fn pairs_of(
    resolver: &Resolver,
    fuzzy: &[KeyIndex; 2],
    r: u32,
) -> Vec<(u32, FuzzyRule, f64)> {
    let limit = resolver.max_key_records();
    let mut out: Vec<(u32, FuzzyRule, f64)> = Vec::new();
    for (idx, rule) in fuzzy.iter().zip(RULES) {
        let (count, members) = members_of(idx, r);
        if count > limit {
            continue;
        }
        for m in members {
            if m == r {
                continue;
            }
            if let Some(score) = similar(resolver, r, m) {
                match out.iter_mut().find(|(o, _, _)| *o == m) {
                    Some(e) if e.2 < score => *e = (m, rule, score),
                    Some(_) => {}
                    None => out.push((m, rule, score)),
                }
            }
        }
    }
    out
}

/// Every probable duplicate between different customers, best first (one per pair
/// of customers, the best-scoring pair of their records). Customers an unmerge
/// decision keeps apart are never suggested.
pub fn candidates(resolver: &mut Resolver) -> Vec<Candidate> {
    let fuzzy = resolver.build_fuzzy();
    let limit = resolver.max_key_records();
    // (root a, root b) -> (score, record a, record b, rule); roots ordered.
    let mut best: std::collections::BTreeMap<(u32, u32), (f64, u32, u32, FuzzyRule)> =
        std::collections::BTreeMap::new();
    for (idx, rule) in fuzzy.iter().zip(RULES) {
        for g in 0..group_count(idx) as u32 {
            let (count, members) = group_members(idx, g);
            if count < 2 || count > limit {
                continue;
            }
            for (i, &a) in members.iter().enumerate() {
                for &b in &members[i + 1..] {
                    let (ra, rb) = (resolver.root_of(a), resolver.root_of(b));
                    if ra == rb {
                        continue;
                    }
                    let Some(score) = similar(resolver, a, b) else {
                        continue;
                    };
                    let key = (ra.min(rb), ra.max(rb));
                    let better = best
                        .get(&key)
                        .is_none_or(|e| score > e.0 || (score == e.0 && (a, b) < (e.1, e.2)));
                    if better {
                        best.insert(key, (score, a, b, rule));
                    }
                }
            }
        }
    }
    let mut out = Vec::with_capacity(best.len());
    for ((ra, rb), (score, a, b, rule)) in best {
        if resolver.kept_apart(ra, rb) {
            continue;
        }
        let (root_a, root_b) = (resolver.root_of(a), resolver.root_of(b));
        let (ca, cb) = (
            resolver.customer_at_root(root_a),
            resolver.customer_at_root(root_b),
        );
        out.push((
            a,
            Candidate {
                records: [
                    resolver.record_id(a).to_owned(),
                    resolver.record_id(b).to_owned(),
                ],
                customers: [ca, cb],
                rule,
                score,
            },
        ));
    }
    out.sort_by(|x, y| y.1.score.total_cmp(&x.1.score).then(x.0.cmp(&y.0)));
    out.into_iter().map(|(_, c)| c).collect()
}
