//! How customers are matched: criteria, per-channel trust, relay domains, the
//! giant-key guard and fuzzy suggestions.
//!
//! ```
//! use ichigen_core::identity::IdentityConfig;
//! let config = IdentityConfig::from_json(serde_json::json!({
//!     "criteria": [["member_id"], ["name", "phone"], ["name", "email"]],
//!     "max_key_records": 20
//! })).unwrap();
//! assert_eq!(config.rules().len(), 3);
//! assert_eq!(config.rules()[1].name, "name+phone");
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::normalize::{RelayDomain, default_relays};
use crate::error::{Error, Issue, issue_from_serde};
use crate::order::Channel;

/// A field customers can be matched on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The name, normalized.
    Name,
    /// The reading (フリガナ), normalized.
    Kana,
    /// The phone number in E.164.
    Phone,
    /// The e-mail address; relay addresses only within their channel and store.
    Email,
    /// The seven-digit postal code.
    PostalCode,
    /// Prefecture, street and building, normalized.
    Address,
    /// The marketplace member id, within its channel.
    MemberId,
}

impl Field {
    /// Every field, in the order keys are stored.
    pub const ALL: [Field; 7] = [
        Field::Name,
        Field::Kana,
        Field::Phone,
        Field::Email,
        Field::PostalCode,
        Field::Address,
        Field::MemberId,
    ];

    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Kana => "kana",
            Field::Phone => "phone",
            Field::Email => "email",
            Field::PostalCode => "postal_code",
            Field::Address => "address",
            Field::MemberId => "member_id",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// One matching rule: records are the same customer when every field of the rule
/// is present in both and equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The fields joined with `+` (`name+phone`), or the name the shop gave.
    pub name: String,
    /// The fields, in the order given.
    pub fields: Vec<Field>,
}

/// Per-channel trust: fields of a channel that are never used for matching.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelTrust {
    /// Fields ignored for records of this channel.
    #[serde(default)]
    pub ignore: Vec<Field>,
}

/// Fuzzy suggestions (never merged unless `auto_merge_at` is set).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FuzzyConfig {
    /// Names at least this Jaro–Winkler similar are suggested (0 < x ≤ 1).
    #[serde(default = "default_similarity")]
    pub name_similarity: f64,
    /// Names at most this many edits apart are suggested whatever their similarity.
    #[serde(default = "default_edits")]
    pub max_edits: u32,
    /// Suggestions scoring at least this are merged automatically (the shop opts in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_merge_at: Option<f64>,
}

fn default_similarity() -> f64 {
    0.85
}

fn default_edits() -> u32 {
    1
}

impl Default for FuzzyConfig {
    fn default() -> Self {
        FuzzyConfig {
            name_similarity: default_similarity(),
            max_edits: default_edits(),
            auto_merge_at: None,
        }
    }
}

/// "At least `min` of these fields match" (the ec-force style). Expanded into one
/// rule per combination of `min` fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    /// The fields counted.
    pub fields: Vec<Field>,
    /// How many must match (at least 2).
    pub min: usize,
}

/// The definition as written (JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityConfigDef {
    /// The rules, each a list of fields (`["name", "phone"]`) or
    /// `{"name": ..., "fields": [...]}`, checked in order.
    #[serde(default = "default_criteria")]
    pub criteria: Vec<Value>,
    /// Optional count mode, added after the criteria.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<Threshold>,
    /// Per-channel trust; when absent, Amazon's phone is ignored.
    #[serde(default = "default_channels")]
    pub channels: BTreeMap<Channel, ChannelTrust>,
    /// Relay e-mail domains; when absent, [`default_relays`].
    #[serde(default = "default_relays")]
    pub relay_domains: Vec<RelayDomain>,
    /// A key shared by more records than this links nothing and is reported.
    #[serde(default = "default_max_key_records")]
    pub max_key_records: u32,
    /// Fuzzy suggestions.
    #[serde(default)]
    pub fuzzy: FuzzyConfig,
}

fn default_criteria() -> Vec<Value> {
    vec![
        serde_json::json!(["member_id"]),
        serde_json::json!(["name", "phone"]),
        serde_json::json!(["name", "email"]),
        serde_json::json!(["name", "postal_code", "address"]),
    ]
}

fn default_channels() -> BTreeMap<Channel, ChannelTrust> {
    BTreeMap::from([(
        Channel::Amazon,
        ChannelTrust {
            ignore: vec![Field::Phone],
        },
    )])
}

fn default_max_key_records() -> u32 {
    50
}

impl Default for IdentityConfigDef {
    fn default() -> Self {
        IdentityConfigDef {
            criteria: default_criteria(),
            threshold: None,
            channels: default_channels(),
            relay_domains: default_relays(),
            max_key_records: default_max_key_records(),
            fuzzy: FuzzyConfig::default(),
        }
    }
}

/// A validated matching configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentityConfig {
    def: IdentityConfigDef,
    rules: Vec<Rule>,
    /// Per channel, a bit per [`Field`] that is ignored.
    ignored: BTreeMap<Channel, u8>,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        IdentityConfig::new(IdentityConfigDef::default()).unwrap_or_else(|_| unreachable!())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NamedRule {
    #[serde(default)]
    name: Option<String>,
    fields: Vec<Field>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RuleDef {
    Fields(Vec<Field>),
    Named(NamedRule),
}

impl IdentityConfig {
    /// Loads and validates a configuration from JSON; `IDENTITY_CONFIG_INVALID` with
    /// every problem and its path otherwise.
    pub fn from_json(value: Value) -> Result<IdentityConfig, Error> {
        let def: IdentityConfigDef = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = format!("$.{}", e.path())
                .replace("$..", "$.")
                .replace(".?", "");
            let path = if path == "$." { "$".into() } else { path };
            config_error(vec![issue_from_serde(
                "IDENTITY",
                &path,
                &e.inner().to_string(),
            )])
        })?;
        IdentityConfig::new(def)
    }

    /// Validates a definition.
    pub fn new(def: IdentityConfigDef) -> Result<IdentityConfig, Error> {
        let mut issues = Vec::new();
        let mut rules = Vec::new();
        for (i, raw) in def.criteria.iter().enumerate() {
            let path = format!("$.criteria[{i}]");
            let parsed: RuleDef = match serde_json::from_value(raw.clone()) {
                Ok(r) => r,
                Err(_) => {
                    issues.push(Issue::new(
                        "IDENTITY_RULE_INVALID",
                        &path,
                        "expected a list of fields (name, kana, phone, email, postal_code, address, member_id) or {\"name\", \"fields\"}",
                    ));
                    continue;
                }
            };
            let (name, fields) = match parsed {
                RuleDef::Fields(f) => (None, f),
                RuleDef::Named(n) => (n.name, n.fields),
            };
            if let Some(issue) = check_fields(&fields, &path) {
                issues.push(issue);
                continue;
            }
            rules.push(Rule {
                name: name.unwrap_or_else(|| join(&fields)),
                fields,
            });
        }
        if let Some(t) = &def.threshold {
            if let Some(issue) = check_fields(&t.fields, "$.threshold.fields") {
                issues.push(issue);
            } else if t.min < 2 || t.min > t.fields.len() {
                issues.push(Issue::new(
                    "IDENTITY_THRESHOLD_INVALID",
                    "$.threshold.min",
                    "expected at least 2 and at most the number of fields",
                ));
            } else {
                for combo in combinations(&t.fields, t.min) {
                    rules.push(Rule {
                        name: join(&combo),
                        fields: combo,
                    });
                }
            }
        }
        if rules.is_empty() && issues.is_empty() {
            issues.push(Issue::new(
                "IDENTITY_NO_RULES",
                "$.criteria",
                "expected at least one rule (criteria or threshold)",
            ));
        }
        if def.max_key_records < 2 {
            issues.push(Issue::new(
                "IDENTITY_MAX_KEY_RECORDS",
                "$.max_key_records",
                "expected at least 2",
            ));
        }
        let in_unit = |x: f64| x > 0.0 && x <= 1.0;
        if !in_unit(def.fuzzy.name_similarity) {
            issues.push(Issue::new(
                "IDENTITY_FUZZY_INVALID",
                "$.fuzzy.name_similarity",
                "expected a number above 0 and at most 1",
            ));
        }
        if let Some(x) = def.fuzzy.auto_merge_at {
            if !in_unit(x) {
                issues.push(Issue::new(
                    "IDENTITY_FUZZY_INVALID",
                    "$.fuzzy.auto_merge_at",
                    "expected a number above 0 and at most 1",
                ));
            }
        }
        for (i, r) in def.relay_domains.iter().enumerate() {
            let d = &r.domain;
            if r.kind == super::normalize::EmailKind::Ordinary {
                issues.push(Issue::new(
                    "IDENTITY_RELAY_INVALID",
                    format!("$.relay_domains[{i}].kind"),
                    "a relay domain's kind is rakuten_relay, amazon_anonymized or relay",
                ));
            }
            if d.is_empty()
                || !d.contains('.')
                || d.split('.').any(str::is_empty)
                || d.bytes().any(|b| {
                    !(b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
                })
            {
                issues.push(Issue::new(
                    "IDENTITY_RELAY_INVALID",
                    format!("$.relay_domains[{i}].domain"),
                    "expected a lower-case domain such as fw.rakuten.ne.jp",
                ));
            }
        }
        if !issues.is_empty() {
            return Err(config_error(issues));
        }
        let ignored = def
            .channels
            .iter()
            .map(|(ch, t)| (*ch, t.ignore.iter().fold(0u8, |m, f| m | (1 << f.index()))))
            .collect();
        Ok(IdentityConfig {
            def,
            rules,
            ignored,
        })
    }

    /// The rules in the order they are checked (criteria, then the threshold's
    /// combinations).
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The definition this configuration was built from.
    pub fn definition(&self) -> &IdentityConfigDef {
        &self.def
    }

    /// The relay domains.
    pub fn relays(&self) -> &[RelayDomain] {
        &self.def.relay_domains
    }

    /// A key shared by more records than this links nothing.
    pub fn max_key_records(&self) -> u32 {
        self.def.max_key_records
    }

    /// Fuzzy settings.
    pub fn fuzzy(&self) -> &FuzzyConfig {
        &self.def.fuzzy
    }

    /// Whether records of `channel` ignore `field`.
    pub fn ignores(&self, channel: Channel, field: Field) -> bool {
        self.ignored
            .get(&channel)
            .is_some_and(|m| m & (1 << field.index()) != 0)
    }
}

fn config_error(issues: Vec<Issue>) -> Error {
    Error::InvalidIdentity(issues)
}

fn join(fields: &[Field]) -> String {
    fields
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join("+")
}

/// A rule needs two or more distinct fields, or the member id alone.
fn check_fields(fields: &[Field], path: &str) -> Option<Issue> {
    let mut sorted = fields.to_vec();
    sorted.sort();
    sorted.dedup();
    if sorted.len() != fields.len() {
        return Some(Issue::new(
            "IDENTITY_RULE_DUPLICATE_FIELD",
            path,
            "a field appears twice in one rule",
        ));
    }
    if fields == [Field::MemberId] {
        return None;
    }
    if fields.len() < 2 {
        return Some(Issue::new(
            "IDENTITY_RULE_TOO_WEAK",
            path,
            "a rule needs at least two fields (the member id may stand alone)",
        ));
    }
    None
}

fn combinations(fields: &[Field], k: usize) -> Vec<Vec<Field>> {
    let n = fields.len();
    let mut out = Vec::new();
    for mask in 0u32..(1 << n) {
        if mask.count_ones() as usize == k {
            out.push(
                (0..n)
                    .filter(|i| mask & (1 << i) != 0)
                    .map(|i| fields[i])
                    .collect(),
            );
        }
    }
    out
}
