//! The resolver: records in, customers out, batch or one record at a time.
//!
//! Keys are normalized once and kept in one byte arena; each rule has a hash index
//! from its key to a group of records; records are clustered with union–find. A
//! record links to the first record of each of its rule groups, so a batch over
//! N records costs O(N × rules) lookups and an insert costs O(rules).
//!
//! ```
//! use ichigen_core::identity::{IdentityConfig, IdentityRecord, Resolver};
//! use ichigen_core::order::Channel;
//! let rec = |id: &str, channel, phone: &str| IdentityRecord {
//!     id: id.into(),
//!     channel: Some(channel),
//!     name: Some("山田 太郎".into()),
//!     phone: Some(phone.into()),
//!     ..Default::default()
//! };
//! let mut resolver = Resolver::new(IdentityConfig::default());
//! let a = resolver.insert(&rec("r1", Channel::Rakuten, "090-1234-5678")).unwrap();
//! let b = resolver.insert(&rec("y1", Channel::Yahoo, "09012345678")).unwrap();
//! assert_eq!(a.customer_id, b.customer_id);
//! assert_eq!(b.links[0].rule, "name+phone");
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::hash::BuildHasher;

use hashbrown::HashTable;

use super::config::{Field, IdentityConfig};
use super::record::{IdentityRecord, RecordRef, keys_of};
use crate::error::{Error, Issue};

const NONE: u32 = u32::MAX;

fn hash_bytes(b: &[u8]) -> u64 {
    foldhash::fast::FixedState::with_seed(0x6963_6869_6765_6e31).hash_one(b)
}

fn mix(h: u64, x: u64) -> u64 {
    (h ^ x).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29)
}

/// Where a field's key sits in the arena (`len == 0`: absent).
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    start: u32,
    len: u32,
}

#[derive(Debug, Clone)]
struct Stored {
    id: Box<str>,
    masked: bool,
    prior: Option<u64>,
    spans: [Span; 7],
    hashes: [u64; 7],
}

#[derive(Debug, Clone, Copy)]
struct Group {
    hash: u64,
    first: u32,
    last: u32,
    count: u32,
}

/// A hash index from the key of some fields to the group of records sharing it.
#[derive(Clone, Default)]
pub(crate) struct KeyIndex {
    fields: Vec<usize>,
    table: HashTable<u32>,
    groups: Vec<Group>,
    /// Per record: its group, or NONE when a field is absent.
    group_of: Vec<u32>,
    /// Per record: the next record of its group, or NONE.
    next: Vec<u32>,
}

impl std::fmt::Debug for KeyIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyIndex")
            .field("groups", &self.groups.len())
            .finish_non_exhaustive()
    }
}

impl KeyIndex {
    fn new(fields: &[Field]) -> KeyIndex {
        KeyIndex {
            fields: fields.iter().map(|f| f.index()).collect(),
            ..KeyIndex::default()
        }
    }

    fn clear(&mut self) {
        self.table.clear();
        self.groups.clear();
        self.group_of.clear();
        self.next.clear();
    }

    /// Adds record `r` (records are added in index order); returns its group.
    fn add(&mut self, r: u32, records: &[Stored], arena: &[u8]) -> u32 {
        debug_assert_eq!(self.group_of.len(), r as usize);
        self.next.push(NONE);
        let rec = &records[r as usize];
        let mut h = 0x51_7cc1_b727_220a_u64;
        for &f in &self.fields {
            if rec.spans[f].len == 0 {
                self.group_of.push(NONE);
                return NONE;
            }
            h = mix(h, rec.hashes[f]);
        }
        let fields = &self.fields;
        let groups = &mut self.groups;
        let same = |g: &u32| {
            let other = &records[groups[*g as usize].first as usize];
            fields.iter().all(|&f| {
                let (a, b) = (rec.spans[f], other.spans[f]);
                a.len == b.len
                    && arena[a.start as usize..(a.start + a.len) as usize]
                        == arena[b.start as usize..(b.start + b.len) as usize]
            })
        };
        let g = match self.table.find(h, same) {
            Some(&g) => {
                let grp = &mut groups[g as usize];
                self.next[grp.last as usize] = r;
                grp.last = r;
                grp.count += 1;
                g
            }
            None => {
                let g = groups.len() as u32;
                groups.push(Group {
                    hash: h,
                    first: r,
                    last: r,
                    count: 1,
                });
                let gs = &*groups;
                self.table.insert_unique(h, g, |x| gs[*x as usize].hash);
                g
            }
        };
        self.group_of.push(g);
        g
    }

    fn members(&self, g: u32) -> impl Iterator<Item = u32> + '_ {
        let mut at = self.groups[g as usize].first;
        std::iter::from_fn(move || {
            if at == NONE {
                return None;
            }
            let r = at;
            at = self.next[r as usize];
            Some(r)
        })
    }
}

/// Why two records were linked.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Why {
    Rule(usize),
    Manual,
    Retained,
    Fuzzy(super::candidates::FuzzyRule, f64),
}

#[derive(Debug, Clone, Copy)]
struct LinkRec {
    a: u32,
    b: u32,
    why: Why,
}

/// A link between two records and its evidence.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Link {
    /// The two records (the older first).
    pub records: [String; 2],
    /// The rule's name (`name+phone`), `manual` (名寄せ顧客追加), `retained` (a
    /// masked record kept with its customer), or `fuzzy:<rule>` (auto-merged).
    pub rule: String,
    /// The fields that matched (empty for manual and retained links).
    pub fields: Vec<Field>,
    /// The similarity of a fuzzy link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
}

/// A key shared by more records than `max_key_records`: it links nothing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GiantKey {
    /// The rule whose key it is.
    pub rule: String,
    /// The rule's fields.
    pub fields: Vec<Field>,
    /// How many records share it.
    pub records: u32,
    /// The first few of them (ids only: the key itself is personal data).
    pub sample: Vec<String>,
}

/// A manual decision, recorded and applied on every recomputation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Decision {
    /// 名寄せ顧客追加: these two records are the same customer.
    Merge([String; 2]),
    /// These two records are different customers; no link may join them.
    Unmerge([String; 2]),
}

/// A link a decision refused.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Blocked {
    /// The records the refused link would have joined.
    pub records: [String; 2],
    /// The refused link's rule.
    pub rule: String,
}

/// Where an inserted record went.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Placement {
    /// The record's customer.
    pub customer_id: u64,
    /// Whether the customer is new (this is its first record).
    pub new_customer: bool,
    /// Customer ids merged into `customer_id` by this record (now aliases).
    pub absorbed: Vec<u64>,
    /// The links this record made.
    pub links: Vec<Link>,
    /// Fields of the record that could not be used, with their codes.
    pub issues: Vec<Issue>,
    /// Whether the insert had to recompute everything (a key became giant).
    pub recomputed: bool,
}

/// One customer and its records.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Cluster {
    /// The customer id.
    pub customer_id: u64,
    /// Record ids, in insertion order.
    pub records: Vec<String>,
}

/// Clusters records into customers; keeps customer ids stable (on a merge the
/// oldest id survives and the others become aliases) and manual decisions across
/// recomputation.
///
/// `Debug` shows counts only: the keys are personal data.
#[derive(Clone)]
pub struct Resolver {
    config: IdentityConfig,
    used: u8,
    records: Vec<Stored>,
    arena: Vec<u8>,
    by_id: HashTable<u32>,
    rules: Vec<KeyIndex>,
    /// How many records the rule indexes hold (records are only appended, so the
    /// indexes stay valid until a record's keys change).
    indexed: usize,
    /// A record's keys changed (masking): the indexes must be rebuilt.
    dirty: bool,
    /// Phone, and postal code + address: where fuzzy candidates are looked for.
    fuzzy: Option<[KeyIndex; 2]>,
    parent: Vec<u32>,
    size: Vec<u32>,
    constrained: Vec<bool>,
    /// Customer id at each root.
    root_id: Vec<u64>,
    next_id: u64,
    aliases: BTreeMap<u64, u64>,
    /// Every id given out (live or alias): never given to another customer.
    taken: HashTable<u64>,
    decisions: Vec<Decision>,
    /// Effective cannot-links (record indexes).
    cannot: Vec<(u32, u32)>,
    links: Vec<LinkRec>,
    blocked: Vec<(u32, u32, Why)>,
    giant: Vec<(usize, u32)>,
    scratch: [String; 7],
}

impl std::fmt::Debug for Resolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolver")
            .field("records", &self.records.len())
            .field("rules", &self.rules.len())
            .field("decisions", &self.decisions.len())
            .field("next_customer_id", &self.next_id)
            .finish_non_exhaustive()
    }
}

enum Joined {
    Yes { absorbed: u64 },
    Same,
    Blocked,
}

impl Resolver {
    /// An empty resolver.
    pub fn new(config: IdentityConfig) -> Resolver {
        let mut used = 0u8;
        for r in config.rules() {
            for f in &r.fields {
                used |= 1 << f.index();
            }
        }
        // Fuzzy candidates read names, phones, postal codes and addresses.
        for f in [Field::Name, Field::Phone, Field::PostalCode, Field::Address] {
            used |= 1 << f.index();
        }
        let rules = config
            .rules()
            .iter()
            .map(|r| KeyIndex::new(&r.fields))
            .collect();
        let fuzzy = config.fuzzy().auto_merge_at.map(|_| fuzzy_indexes());
        Resolver {
            config,
            used,
            records: Vec::new(),
            arena: Vec::new(),
            by_id: HashTable::new(),
            rules,
            indexed: 0,
            dirty: false,
            fuzzy,
            parent: Vec::new(),
            size: Vec::new(),
            constrained: Vec::new(),
            root_id: Vec::new(),
            next_id: 1,
            aliases: BTreeMap::new(),
            taken: HashTable::new(),
            decisions: Vec::new(),
            cannot: Vec::new(),
            links: Vec::new(),
            blocked: Vec::new(),
            giant: Vec::new(),
            scratch: Default::default(),
        }
    }

    /// Resolves a batch at once: stores every record, applies `decisions`, and
    /// clusters. Records that cannot be stored (no id, a duplicate id) are
    /// reported in the returned issues with their index, and so are fields that
    /// could not be used; every other record is resolved.
    pub fn resolve<'a>(
        config: IdentityConfig,
        records: impl IntoIterator<Item = RecordRef<'a>>,
        decisions: &[Decision],
    ) -> (Resolver, Vec<Issue>) {
        let mut resolver = Resolver::new(config);
        let mut issues = Vec::new();
        for (i, r) in records.into_iter().enumerate() {
            if let Err(issue) = resolver.store(&r, &mut issues, &|| format!("$[{i}]")) {
                issues.push(issue);
            }
        }
        let mut decision_issues = Vec::new();
        for (i, d) in decisions.iter().enumerate() {
            match resolver.check_decision(d, &format!("$.decisions[{i}]")) {
                Ok(()) => resolver.decisions.push(d.clone()),
                Err(issue) => decision_issues.push(issue),
            }
        }
        issues.extend(decision_issues);
        resolver.recompute();
        (resolver, issues)
    }

    /// The configuration.
    pub fn config(&self) -> &IdentityConfig {
        &self.config
    }

    /// How many records are stored.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether no record is stored.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    fn index_of(&self, id: &str) -> Option<u32> {
        let h = hash_bytes(id.as_bytes());
        self.by_id
            .find(h, |&i| &*self.records[i as usize].id == id)
            .copied()
    }

    /// Normalizes and stores a record without linking it.
    fn store(
        &mut self,
        r: &RecordRef<'_>,
        issues: &mut Vec<Issue>,
        path: &dyn Fn() -> String,
    ) -> Result<u32, Issue> {
        if r.id.is_empty() {
            return Err(Issue::new(
                "IDENTITY_RECORD_NO_ID",
                format!("{}.id", path()),
                "every record needs a non-empty id",
            ));
        }
        if self.index_of(r.id).is_some() {
            return Err(Issue::new(
                "IDENTITY_RECORD_DUPLICATE",
                format!("{}.id", path()),
                "another record already has this id",
            ));
        }
        if self.arena.len() > (u32::MAX as usize) - 4096 {
            return Err(Issue::new(
                "IDENTITY_TOO_MANY_RECORDS",
                path(),
                "the resolver holds at most 4 GiB of keys",
            ));
        }
        let mut keys = std::mem::take(&mut self.scratch);
        keys_of(r, &self.config, self.used, &mut keys, issues, path);
        let mut spans = [Span::default(); 7];
        let mut hashes = [0u64; 7];
        for (f, k) in keys.iter().enumerate() {
            if !k.is_empty() {
                spans[f] = Span {
                    start: self.arena.len() as u32,
                    len: k.len() as u32,
                };
                hashes[f] = hash_bytes(k.as_bytes());
                self.arena.extend_from_slice(k.as_bytes());
            }
        }
        self.scratch = keys;
        let i = self.records.len() as u32;
        self.records.push(Stored {
            id: r.id.into(),
            masked: r.masked,
            prior: r.customer_id,
            spans,
            hashes,
        });
        if let Some(p) = r.customer_id {
            self.next_id = self.next_id.max(p.saturating_add(1));
        }
        let records = &self.records;
        self.by_id
            .insert_unique(hash_bytes(r.id.as_bytes()), i, |&x| {
                hash_bytes(records[x as usize].id.as_bytes())
            });
        Ok(i)
    }

    /// Adds the records not yet in the rule indexes, up to `n`.
    fn index_up_to(&mut self, n: usize) {
        for r in self.indexed..n {
            for idx in self.rules.iter_mut() {
                idx.add(r as u32, &self.records, &self.arena);
            }
        }
        self.indexed = self.indexed.max(n);
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            let gp = self.parent[p as usize];
            self.parent[x as usize] = gp;
            x = gp;
        }
        x
    }

    fn push_singleton(&mut self, id: u64) {
        let i = self.parent.len() as u32;
        self.parent.push(i);
        self.size.push(1);
        self.constrained.push(false);
        self.root_id.push(id);
    }

    fn join(&mut self, a: u32, b: u32, why: Why) -> Joined {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return Joined::Same;
        }
        if self.constrained[ra as usize] && self.constrained[rb as usize] {
            for k in 0..self.cannot.len() {
                let (x, y) = self.cannot[k];
                let (rx, ry) = (self.find(x), self.find(y));
                if (rx == ra && ry == rb) || (rx == rb && ry == ra) {
                    self.blocked.push((a.min(b), a.max(b), why));
                    return Joined::Blocked;
                }
            }
        }
        let (big, small) = if self.size[ra as usize] >= self.size[rb as usize] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small as usize] = big;
        self.size[big as usize] += self.size[small as usize];
        self.constrained[big as usize] |= self.constrained[small as usize];
        let (ia, ib) = (self.root_id[ra as usize], self.root_id[rb as usize]);
        let (survivor, absorbed) = (ia.min(ib), ia.max(ib));
        self.root_id[big as usize] = survivor;
        self.links.push(LinkRec {
            a: a.min(b),
            b: a.max(b),
            why,
        });
        Joined::Yes { absorbed }
    }

    /// Inserts one record and links it: O(rules) hash lookups. A record whose
    /// insertion makes a key giant (shared by more than `max_key_records`) or whose
    /// links a manual unmerge refuses triggers a recomputation, so that the result
    /// is always the one a batch over the same records would give.
    pub fn insert(&mut self, record: &IdentityRecord) -> Result<Placement, Error> {
        self.insert_ref(&record.view())
    }

    /// [`insert`](Self::insert) for a borrowed record.
    pub fn insert_ref(&mut self, record: &RecordRef<'_>) -> Result<Placement, Error> {
        let mut issues = Vec::new();
        let i = self
            .store(record, &mut issues, &|| "$".to_owned())
            .map_err(|issue| Error::InvalidIdentity(vec![issue]))?;
        let links_before = self.links.len();
        let blocked_before = self.blocked.len();
        // Until linked, the record is a customer of its own; its id is taken only
        // if it stays one, so that a record joining a customer uses up no id.
        self.push_singleton(u64::MAX);
        let limit = self.config.max_key_records();
        let mut absorbed = Vec::new();
        let mut recompute = false;
        self.index_up_to(i as usize);
        self.indexed = i as usize + 1;
        for k in 0..self.rules.len() {
            let g = self.rules[k].add(i, &self.records, &self.arena);
            if g == NONE {
                continue;
            }
            let grp = self.rules[k].groups[g as usize];
            if grp.count == limit + 1 {
                recompute = true;
            }
            if grp.count <= limit && grp.first != i {
                if let Joined::Yes { absorbed: a, .. } = self.join(i, grp.first, Why::Rule(k)) {
                    if a != u64::MAX {
                        absorbed.push(a);
                    }
                }
            }
        }
        if let Some(mut fuzzy) = self.fuzzy.take() {
            for idx in fuzzy.iter_mut() {
                let g = idx.add(i, &self.records, &self.arena);
                if g != NONE && idx.groups[g as usize].count == limit + 1 {
                    recompute = true;
                }
            }
            if !recompute {
                let threshold = self.config.fuzzy().auto_merge_at.unwrap_or(2.0);
                let pairs = super::candidates::pairs_of(self, &fuzzy, i);
                for (other, rule, score) in pairs {
                    if score >= threshold {
                        if let Joined::Yes { absorbed: a, .. } =
                            self.join(i, other, Why::Fuzzy(rule, score))
                        {
                            if a != u64::MAX {
                                absorbed.push(a);
                            }
                        }
                    }
                }
            }
            self.fuzzy = Some(fuzzy);
        }
        if recompute || self.blocked.len() > blocked_before {
            self.recompute();
            let root = self.find(i);
            let customer_id = self.root_id[root as usize];
            let links = self.link_views(self.links.iter().filter(|l| l.b == i || l.a == i));
            return Ok(Placement {
                customer_id,
                new_customer: self.size[root as usize] == 1,
                absorbed: Vec::new(),
                links,
                issues,
                recomputed: true,
            });
        }
        let root = self.find(i);
        let new_customer = self.root_id[root as usize] == u64::MAX;
        if new_customer {
            let id = match record.customer_id {
                Some(p) if !self.is_taken(p) => p,
                _ => {
                    let id = self.next_id;
                    self.next_id += 1;
                    id
                }
            };
            self.take(id);
            self.root_id[root as usize] = id;
        }
        let customer_id = self.root_id[root as usize];
        // A record that brings a known id into an existing customer: the id stays
        // findable, as an alias of that customer.
        if let Some(p) = record.customer_id {
            if p != customer_id && !self.is_taken(p) {
                self.take(p);
                absorbed.push(p);
            }
        }
        absorbed.sort_unstable();
        absorbed.dedup();
        for a in &absorbed {
            self.aliases.insert(*a, customer_id);
        }
        let links = self.link_views(self.links[links_before..].iter());
        Ok(Placement {
            customer_id,
            new_customer,
            absorbed,
            links,
            issues,
            recomputed: false,
        })
    }

    fn is_taken(&self, id: u64) -> bool {
        self.taken.find(mix(0, id), |x| *x == id).is_some()
    }

    fn take(&mut self, id: u64) {
        if !self.is_taken(id) {
            self.taken.insert_unique(mix(0, id), id, |x| mix(0, *x));
        }
    }

    fn check_decision(&self, d: &Decision, path: &str) -> Result<(), Issue> {
        let (Decision::Merge(pair) | Decision::Unmerge(pair)) = d;
        for (k, id) in pair.iter().enumerate() {
            if self.index_of(id).is_none() {
                return Err(Issue::new(
                    "IDENTITY_DECISION_UNKNOWN_RECORD",
                    format!("{path}[{k}]"),
                    "no record has this id",
                ));
            }
        }
        if pair[0] == pair[1] {
            return Err(Issue::new(
                "IDENTITY_DECISION_SAME_RECORD",
                path,
                "a decision needs two different records",
            ));
        }
        Ok(())
    }

    /// Records a manual merge (名寄せ顧客追加) of the customers of two records and
    /// recomputes; the decision survives every later recomputation. Returns the
    /// merged customer's id (an unmerge between the two refuses it:
    /// `IDENTITY_MERGE_REFUSED`).
    pub fn merge(&mut self, a: &str, b: &str) -> Result<u64, Error> {
        let d = Decision::Merge([a.to_owned(), b.to_owned()]);
        self.check_decision(&d, "$")
            .map_err(|i| Error::InvalidIdentity(vec![i]))?;
        self.decisions.push(d);
        self.recompute();
        let (ia, ib) = (self.index_of(a), self.index_of(b));
        let (ra, rb) = match (ia, ib) {
            (Some(x), Some(y)) => (self.find(x), self.find(y)),
            _ => unreachable!("checked above"),
        };
        if ra != rb {
            // A refused merge is not kept: it would be applied again on every
            // recomputation.
            self.decisions.pop();
            self.recompute();
            return Err(Error::InvalidIdentity(vec![Issue::new(
                "IDENTITY_MERGE_REFUSED",
                "$",
                "an unmerge decision keeps these customers apart",
            )]));
        }
        Ok(self.root_id[ra as usize])
    }

    /// Records that two records are different customers and recomputes: the link
    /// that would join them is refused (the record joins the side reached first).
    /// Returns the two customers' ids.
    pub fn unmerge(&mut self, a: &str, b: &str) -> Result<[u64; 2], Error> {
        let d = Decision::Unmerge([a.to_owned(), b.to_owned()]);
        self.check_decision(&d, "$")
            .map_err(|i| Error::InvalidIdentity(vec![i]))?;
        self.decisions.push(d);
        self.recompute();
        let ids = [a, b].map(|r| self.customer_of(r).unwrap_or(0));
        Ok(ids)
    }

    /// The decisions recorded, in order.
    pub fn decisions(&self) -> &[Decision] {
        &self.decisions
    }

    /// Removes the personal data kept for a record (its keys) and recomputes; the
    /// record stays with its customer, and so do the customer's other records.
    pub fn mask(&mut self, id: &str) -> Result<u64, Error> {
        let i = self.index_of(id).ok_or_else(|| {
            Error::InvalidIdentity(vec![Issue::new(
                "IDENTITY_RECORD_UNKNOWN",
                "$",
                "no record has this id",
            )])
        })?;
        let rec = &mut self.records[i as usize];
        for s in rec.spans {
            self.arena[s.start as usize..(s.start + s.len) as usize].fill(0);
        }
        rec.spans = [Span::default(); 7];
        rec.hashes = [0; 7];
        rec.masked = true;
        self.dirty = true;
        self.recompute();
        Ok(self.customer_of_index(i))
    }

    fn customer_of_index(&mut self, i: u32) -> u64 {
        let r = self.find(i);
        self.root_id[r as usize]
    }

    /// The customer of a record.
    pub fn customer_of(&mut self, id: &str) -> Option<u64> {
        let i = self.index_of(id)?;
        Some(self.customer_of_index(i))
    }

    /// The current id of a customer id, following aliases (an id merged into
    /// another resolves to the survivor). `None` for an id never given out.
    pub fn canonical(&self, id: u64) -> Option<u64> {
        let mut at = id;
        for _ in 0..64 {
            match self.aliases.get(&at) {
                Some(&next) if next != at => at = next,
                _ => break,
            }
        }
        if at == id && !self.aliases.contains_key(&id) {
            return self.is_taken(id).then_some(id);
        }
        Some(at)
    }

    /// Every alias and the id it resolves to now.
    pub fn aliases(&self) -> Vec<(u64, u64)> {
        self.aliases
            .keys()
            .filter_map(|&a| self.canonical(a).map(|c| (a, c)))
            .collect()
    }

    /// The next customer id to be given out.
    pub fn next_customer_id(&self) -> u64 {
        self.next_id
    }

    /// Every customer with its records, by customer id.
    pub fn clusters(&mut self) -> Vec<Cluster> {
        let mut by_root: BTreeMap<u64, Vec<String>> = BTreeMap::new();
        for i in 0..self.records.len() as u32 {
            let id = self.customer_of_index(i);
            by_root
                .entry(id)
                .or_default()
                .push(self.records[i as usize].id.to_string());
        }
        by_root
            .into_iter()
            .map(|(customer_id, records)| Cluster {
                customer_id,
                records,
            })
            .collect()
    }

    /// Per record in insertion order: its id, customer, and the first link that
    /// joined it to an older record (none for the customer's first record, and for
    /// a record that only a newer record linked to the customer: that link is the
    /// newer record's).
    pub fn assignments(&mut self) -> Vec<(String, u64, Option<Link>)> {
        let mut via: Vec<Option<usize>> = vec![None; self.records.len()];
        for (k, l) in self.links.iter().enumerate() {
            if via[l.b as usize].is_none() {
                via[l.b as usize] = Some(k);
            }
        }
        (0..self.records.len())
            .map(|i| {
                let id = self.customer_of_index(i as u32);
                let link = via[i].map(|k| self.link_view(&self.links[k]));
                (self.records[i].id.to_string(), id, link)
            })
            .collect()
    }

    /// Customer ids per record, in insertion order (the fast path for columns).
    pub fn customer_ids(&mut self) -> Vec<u64> {
        (0..self.records.len() as u32)
            .map(|i| self.customer_of_index(i))
            .collect()
    }

    /// Every link that joined two customers, in the order applied.
    pub fn links(&self) -> Vec<Link> {
        self.link_views(self.links.iter())
    }

    /// Links refused by an unmerge decision.
    pub fn blocked(&self) -> Vec<Blocked> {
        self.blocked
            .iter()
            .map(|&(a, b, why)| Blocked {
                records: [a, b].map(|x| self.records[x as usize].id.to_string()),
                rule: self.why_name(why),
            })
            .collect()
    }

    /// Keys that linked nothing because too many records share them.
    pub fn giant_keys(&self) -> Vec<GiantKey> {
        self.giant
            .iter()
            .map(|&(k, g)| {
                let idx = &self.rules[k];
                let rule = &self.config.rules()[k];
                GiantKey {
                    rule: rule.name.clone(),
                    fields: rule.fields.clone(),
                    records: idx.groups[g as usize].count,
                    sample: idx
                        .members(g)
                        .take(5)
                        .map(|r| self.records[r as usize].id.to_string())
                        .collect(),
                }
            })
            .collect()
    }

    fn why_name(&self, why: Why) -> String {
        match why {
            Why::Rule(k) => self.config.rules()[k].name.clone(),
            Why::Manual => "manual".into(),
            Why::Retained => "retained".into(),
            Why::Fuzzy(rule, _) => format!("fuzzy:{}", rule.as_str()),
        }
    }

    fn link_view(&self, l: &LinkRec) -> Link {
        let (fields, score) = match l.why {
            Why::Rule(k) => (self.config.rules()[k].fields.clone(), None),
            Why::Fuzzy(rule, s) => (rule.fields().to_vec(), Some(s)),
            Why::Manual | Why::Retained => (Vec::new(), None),
        };
        Link {
            records: [l.a, l.b].map(|x| self.records[x as usize].id.to_string()),
            rule: self.why_name(l.why),
            fields,
            score,
        }
    }

    fn link_views<'a>(&self, links: impl Iterator<Item = &'a LinkRec>) -> Vec<Link> {
        links.map(|l| self.link_view(l)).collect()
    }

    pub(crate) fn name_key(&self, r: u32) -> &[u8] {
        self.key(r, Field::Name)
    }

    pub(crate) fn key(&self, r: u32, f: Field) -> &[u8] {
        let s = self.records[r as usize].spans[f.index()];
        &self.arena[s.start as usize..(s.start + s.len) as usize]
    }

    pub(crate) fn record_id(&self, r: u32) -> &str {
        &self.records[r as usize].id
    }

    pub(crate) fn root_of(&mut self, r: u32) -> u32 {
        self.find(r)
    }

    pub(crate) fn customer_at_root(&self, root: u32) -> u64 {
        self.root_id[root as usize]
    }

    pub(crate) fn max_key_records(&self) -> u32 {
        self.config.max_key_records()
    }

    /// Whether an unmerge decision separates the customers at two roots.
    pub(crate) fn kept_apart(&mut self, ra: u32, rb: u32) -> bool {
        if !(self.constrained[ra as usize] && self.constrained[rb as usize]) {
            return false;
        }
        for k in 0..self.cannot.len() {
            let (x, y) = self.cannot[k];
            let (rx, ry) = (self.find(x), self.find(y));
            if (rx == ra && ry == rb) || (rx == rb && ry == ra) {
                return true;
            }
        }
        false
    }

    /// Builds the fuzzy indexes over every record (phone; postal code + address).
    pub(crate) fn build_fuzzy(&self) -> [KeyIndex; 2] {
        let mut f = fuzzy_indexes();
        for idx in f.iter_mut() {
            for r in 0..self.records.len() as u32 {
                idx.add(r, &self.records, &self.arena);
            }
        }
        f
    }

    /// Recomputes every customer from the stored keys and the decisions; ids are
    /// kept (each customer takes the oldest id its records had) and ids no longer
    /// in use become aliases.
    pub fn recompute(&mut self) {
        let n = self.records.len();
        let prev: Vec<Option<u64>> = if self.parent.len() == n {
            (0..n as u32)
                .map(|i| {
                    let r = self.find(i);
                    Some(self.root_id[r as usize]).filter(|&x| x != u64::MAX)
                })
                .collect()
        } else {
            self.records.iter().map(|r| r.prior).collect()
        };
        self.parent = (0..n as u32).collect();
        self.size = vec![1; n];
        self.constrained = vec![false; n];
        self.root_id = vec![u64::MAX; n];
        self.links.clear();
        self.blocked.clear();
        self.giant.clear();
        if self.dirty {
            for idx in self.rules.iter_mut() {
                idx.clear();
            }
            self.indexed = 0;
            self.dirty = false;
        }
        self.index_up_to(n);
        // Decisions: the last one about a pair wins.
        let mut last: BTreeMap<(u32, u32), (usize, bool)> = BTreeMap::new();
        for (k, d) in self.decisions.iter().enumerate() {
            let (Decision::Merge(p) | Decision::Unmerge(p)) = d;
            if let (Some(a), Some(b)) = (self.index_of(&p[0]), self.index_of(&p[1])) {
                last.insert((a.min(b), a.max(b)), (k, matches!(d, Decision::Merge(_))));
            }
        }
        self.cannot = last
            .iter()
            .filter(|(_, (_, merge))| !merge)
            .map(|(&pair, _)| pair)
            .collect();
        for &(a, b) in &self.cannot {
            self.constrained[a as usize] = true;
            self.constrained[b as usize] = true;
        }
        let mut merges: Vec<(usize, u32, u32)> = last
            .iter()
            .filter(|(_, (_, merge))| *merge)
            .map(|(&(a, b), &(k, _))| (k, a, b))
            .collect();
        merges.sort_unstable();
        for (_, a, b) in merges {
            self.join(a, b, Why::Manual);
        }
        // Customers holding a masked record keep their records together: the keys
        // that linked them are gone.
        let any_masked = self.records.iter().any(|r| r.masked);
        let mut by_prev: BTreeMap<u64, (u32, Option<u32>, bool)> = BTreeMap::new();
        for (i, p) in prev.iter().enumerate().filter(|_| any_masked) {
            if let Some(p) = p {
                let masked = self.records[i].masked;
                let e = by_prev.entry(*p).or_insert((i as u32, None, false));
                if !masked && e.1.is_none() {
                    e.1 = Some(i as u32);
                }
                e.2 |= masked;
            }
        }
        for (i, p) in prev.iter().enumerate() {
            if let Some((first, unmasked, true)) = p.and_then(|p| by_prev.get(&p).copied()) {
                let anchor = unmasked.unwrap_or(first);
                if anchor != i as u32 {
                    self.join(i as u32, anchor, Why::Retained);
                }
            }
        }
        let limit = self.config.max_key_records();
        for r in 0..n as u32 {
            for k in 0..self.rules.len() {
                let g = self.rules[k].group_of[r as usize];
                if g == NONE {
                    continue;
                }
                let grp = self.rules[k].groups[g as usize];
                if grp.count > limit {
                    if grp.first == r {
                        self.giant.push((k, g));
                    }
                    continue;
                }
                if grp.first != r {
                    self.join(r, grp.first, Why::Rule(k));
                }
            }
        }
        if let Some(threshold) = self.config.fuzzy().auto_merge_at {
            let fuzzy = self.build_fuzzy();
            for r in 0..n as u32 {
                for (other, rule, score) in super::candidates::pairs_of(self, &fuzzy, r) {
                    if other < r && score >= threshold {
                        self.join(r, other, Why::Fuzzy(rule, score));
                    }
                }
            }
            self.fuzzy = Some(fuzzy);
        }
        self.assign_ids(&prev);
    }

    fn assign_ids(&mut self, prev: &[Option<u64>]) {
        let n = self.records.len();
        // Each customer takes the smallest id its records had that an older
        // customer (by first record) has not taken.
        let mut min_prev = vec![u64::MAX; n];
        let mut distinct = vec![false; n];
        for (i, p) in prev.iter().enumerate() {
            if let Some(p) = *p {
                let r = self.find(i as u32) as usize;
                if min_prev[r] != u64::MAX && min_prev[r] != p {
                    distinct[r] = true;
                }
                min_prev[r] = min_prev[r].min(p);
            }
        }
        let mut claimed: HashTable<u64> = HashTable::with_capacity(n);
        let hash_id = |x: &u64| mix(0, *x);
        let mut seen = vec![false; n];
        let mut all_prev: Option<BTreeMap<u32, BTreeSet<u64>>> = None;
        for i in 0..n {
            let r = self.find(i as u32) as usize;
            if seen[r] {
                continue;
            }
            seen[r] = true;
            let mut chosen = None;
            if min_prev[r] != u64::MAX {
                let p = min_prev[r];
                if claimed.find(hash_id(&p), |x| *x == p).is_none() {
                    chosen = Some(p);
                } else if distinct[r] {
                    let lists = all_prev.get_or_insert_with(|| {
                        let mut m: BTreeMap<u32, BTreeSet<u64>> = BTreeMap::new();
                        for (j, p) in prev.iter().enumerate() {
                            if let Some(p) = p {
                                let mut x = j as u32;
                                while self.parent[x as usize] != x {
                                    x = self.parent[x as usize];
                                }
                                m.entry(x).or_default().insert(*p);
                            }
                        }
                        m
                    });
                    chosen = lists.get(&(r as u32)).and_then(|set| {
                        set.iter()
                            .copied()
                            .find(|p| claimed.find(hash_id(p), |x| x == p).is_none())
                    });
                }
            }
            let id = chosen.unwrap_or_else(|| {
                let id = self.next_id;
                self.next_id += 1;
                id
            });
            claimed.insert_unique(hash_id(&id), id, hash_id);
            self.root_id[r] = id;
        }
        // Ids no customer took become aliases of the customer now holding their
        // oldest record.
        for (i, p) in prev.iter().enumerate() {
            if let Some(p) = *p {
                if claimed.find(hash_id(&p), |x| *x == p).is_none() {
                    let target = self.customer_of_index(i as u32);
                    self.aliases.entry(p).or_insert(target);
                    claimed.insert_unique(hash_id(&p), p, hash_id);
                }
            }
        }
        // A live id is never an alias.
        let live: Vec<u64> = (0..n)
            .filter(|&r| self.parent[r] == r as u32)
            .map(|r| self.root_id[r])
            .collect();
        for id in live {
            self.aliases.remove(&id);
        }
        for &a in self.aliases.keys() {
            if claimed.find(hash_id(&a), |x| *x == a).is_none() {
                claimed.insert_unique(hash_id(&a), a, hash_id);
            }
        }
        self.taken = claimed;
    }
}

pub(crate) fn fuzzy_indexes() -> [KeyIndex; 2] {
    [
        KeyIndex::new(&[Field::Phone]),
        KeyIndex::new(&[Field::PostalCode, Field::Address]),
    ]
}

pub(crate) fn members_of(idx: &KeyIndex, r: u32) -> (u32, Vec<u32>) {
    let g = idx.group_of.get(r as usize).copied().unwrap_or(NONE);
    if g == NONE {
        return (0, Vec::new());
    }
    (idx.groups[g as usize].count, idx.members(g).collect())
}

pub(crate) fn group_count(idx: &KeyIndex) -> usize {
    idx.groups.len()
}

pub(crate) fn group_members(idx: &KeyIndex, g: u32) -> (u32, Vec<u32>) {
    (idx.groups[g as usize].count, idx.members(g).collect())
}
