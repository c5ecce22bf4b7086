//! Customer identity (名寄せ): the normalizers, batch resolution, the incremental
//! `CustomerResolver`, and the per-customer facts (summary, triage facts, masking).
//!
//! Records, configurations, decisions and the resolver's snapshot are documents
//! whose shape grows with the core: they cross as JSON text. What an app branches
//! on crosses as Swift types: a normalized value with its kind (`PhoneKind`,
//! `EmailKind`), where an inserted record went (`CustomerPlacement`), a customer's
//! summary flags and tier, the triage facts of an order, which records are masked.
//! Issue paths are relative to the JSON argument they concern (`$.phone` in a
//! record, `$.orders[0].amount` in a summary's input), as for orders; text that is
//! not JSON is `INPUT_PARSE` at the argument (`$.record`).
//!
//! Doc comments on exported items become the Swift documentation, so the Rust
//! examples live here:
//!
//! ```
//! use ichigen_ffi::{CustomerResolver, PhoneKind, customer_triage_facts, normalize_phone};
//!
//! let phone = normalize_phone("090-1234-5678".to_owned())?;
//! assert_eq!((phone.value.as_str(), phone.kind), ("+819012345678", PhoneKind::Mobile));
//!
//! let resolver = CustomerResolver::new(None)?;
//! let first = resolver.insert(
//!     r#"{"id": "r1", "channel": "rakuten", "name": "山田 太郎", "phone": "090-1234-5678"}"#.to_owned(),
//! )?;
//! let again = resolver.insert(
//!     r#"{"id": "y1", "channel": "yahoo", "name": "山田太郎", "phone": "09012345678"}"#.to_owned(),
//! )?;
//! assert!(first.new_customer && !again.new_customer);
//! assert_eq!(again.customer_id, first.customer_id);
//! assert_eq!(resolver.customer_of("y1".to_owned()), Some(first.customer_id));
//!
//! let facts = customer_triage_facts(
//!     r#"{"orders": [{"record": "r1", "channel": "rakuten", "ordered_at": "2026-01-10T01:00:00Z", "amount": "3980"},
//!                    {"record": "y1", "channel": "yahoo", "ordered_at": "2026-03-02T01:00:00Z", "amount": "1200"}],
//!         "record": "y1"}"#
//!         .to_owned(),
//! )?;
//! assert_eq!(facts.purchase_count, 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use ichigen::identity::normalize;
use ichigen::identity::{Resolver, candidates};
use ichigen::interop;
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::{Value, json};

use crate::{IchigenError, Issue, json_arg, json_text, optional_json_arg, read_output};

/// What kind of number a phone number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PhoneKind {
    /// 070, 080, 090.
    Mobile,
    /// A fixed line (市外局番 0X–0XXXX).
    Landline,
    /// 0120, 0800 (フリーダイヤル).
    TollFree,
    /// 050 (IP phone).
    Ip,
    /// 0570 (ナビダイヤル) and other shared-cost numbers.
    SharedCost,
    /// 020 (M2M, pagers).
    M2m,
    /// A number outside Japan, given with its `+` country code.
    International,
}

impl From<normalize::PhoneKind> for PhoneKind {
    fn from(kind: normalize::PhoneKind) -> PhoneKind {
        // Exhaustive on purpose: a new core kind must be added here too.
        match kind {
            normalize::PhoneKind::Mobile => PhoneKind::Mobile,
            normalize::PhoneKind::Landline => PhoneKind::Landline,
            normalize::PhoneKind::TollFree => PhoneKind::TollFree,
            normalize::PhoneKind::Ip => PhoneKind::Ip,
            normalize::PhoneKind::SharedCost => PhoneKind::SharedCost,
            normalize::PhoneKind::M2m => PhoneKind::M2m,
            normalize::PhoneKind::International => PhoneKind::International,
        }
    }
}

/// What an e-mail address is, for matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum EmailKind {
    /// The buyer's own address: matches across channels.
    Ordinary,
    /// A Rakuten relay address (`…@pc.fw.rakuten.ne.jp`): matches only within one
    /// channel and store.
    RakutenRelay,
    /// An Amazon anonymized address (`…@marketplace.amazon.co.jp`): matches only
    /// within one channel and store.
    AmazonAnonymized,
    /// Another relay (Sign in with Apple's private relay, a shop's own list):
    /// matches only within one channel and store.
    Relay,
}

impl From<normalize::EmailKind> for EmailKind {
    fn from(kind: normalize::EmailKind) -> EmailKind {
        // Exhaustive on purpose: a new core kind must be added here too.
        match kind {
            normalize::EmailKind::Ordinary => EmailKind::Ordinary,
            normalize::EmailKind::RakutenRelay => EmailKind::RakutenRelay,
            normalize::EmailKind::AmazonAnonymized => EmailKind::AmazonAnonymized,
            normalize::EmailKind::Relay => EmailKind::Relay,
        }
    }
}

/// A phone number in E.164 form with its kind.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct NormalizedPhone {
    /// `+819012345678`.
    pub value: String,
    /// Mobile, landline, toll-free…
    pub kind: PhoneKind,
}

/// A normalized e-mail address with its kind.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct NormalizedEmail {
    /// Lower case, trimmed, full-width characters and `。` fixed.
    pub value: String,
    /// Ordinary or a relay.
    pub kind: EmailKind,
}

/// An address as the resolver compares it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, uniffi::Record)]
pub struct NormalizedAddress {
    /// Seven digits, when a postal code was given.
    #[serde(default)]
    pub postal_code: Option<String>,
    /// The prefecture, given or found at the start of the street.
    #[serde(default)]
    pub prefecture: Option<String>,
    /// The prefecture's JIS code (1 北海道 … 47 沖縄県).
    #[serde(default)]
    pub prefecture_code: Option<u8>,
    /// City, town and street number without the prefecture, numbers in `1-2-3` form.
    pub street: String,
    /// Building and room, folded.
    pub building: String,
}

/// The `{"value": …, "kind"?: …}` a normalizer returns.
#[derive(Deserialize)]
struct ValueOut<K> {
    value: String,
    kind: Option<K>,
}

/// Runs one of the core's normalizers on a string.
fn normalized<K: serde::de::DeserializeOwned>(
    field: &str,
    value: String,
    relays: Value,
) -> Result<ValueOut<K>, IchigenError> {
    let out = interop::normalize_identity(field, Value::String(value), relays)?;
    read_output(out, "normalized value")
}

/// A name as compared: NFKC, spaces removed, variant kanji unified (髙 → 高, 﨑 →
/// 崎), honorifics (様, さん) dropped. Never fails.
#[uniffi::export]
pub fn normalize_name(value: String) -> String {
    normalize::name(&value)
}

/// A reading (フリガナ) as compared: katakana, full-width, spaces removed, small
/// kana and long vowels unified. Never fails.
#[uniffi::export]
pub fn normalize_kana(value: String) -> String {
    normalize::kana(&value)
}

/// A phone number in E.164 with its kind. Throws `InvalidIdentity` with
/// `IDENTITY_PHONE_INVALID`, `IDENTITY_PHONE_LENGTH` or `IDENTITY_PHONE_PLACEHOLDER`
/// at `$.value`.
#[uniffi::export]
pub fn normalize_phone(value: String) -> Result<NormalizedPhone, IchigenError> {
    let out: ValueOut<normalize::PhoneKind> = normalized("phone", value, Value::Null)?;
    let kind = out.kind.ok_or_else(|| crate::output_shape_error("phone"))?;
    Ok(NormalizedPhone {
        value: out.value,
        kind: kind.into(),
    })
}

/// An e-mail address normalized and classified. `relaysJson` is a JSON array of
/// `{"domain", "kind", "channel"?}` replacing the relay domains ichigen knows
/// (absent: Rakuten's, Amazon's and Apple's). Throws `InvalidIdentity` with
/// `IDENTITY_EMAIL_INVALID` at `$.value`, or with the problem at `$.relays…`.
#[uniffi::export(default(relays_json = None))]
pub fn normalize_email(
    value: String,
    relays_json: Option<String>,
) -> Result<NormalizedEmail, IchigenError> {
    let relays = optional_json_arg(relays_json, "relays")?;
    let out: ValueOut<normalize::EmailKind> = normalized("email", value, relays)?;
    let kind = out
        .kind
        .ok_or_else(|| crate::output_shape_error("e-mail"))?;
    Ok(NormalizedEmail {
        value: out.value,
        kind: kind.into(),
    })
}

/// A postal code as seven digits (`〒106-0032` → `1060032`). Throws
/// `InvalidIdentity` with `IDENTITY_POSTAL_INVALID` at `$.value`.
#[uniffi::export]
pub fn normalize_postal_code(value: String) -> Result<String, IchigenError> {
    let out: ValueOut<IgnoredAny> = normalized("postal_code", value, Value::Null)?;
    Ok(out.value)
}

/// An address as compared: `address1` the city, town and street, `address2` the
/// building and room. The postal code to seven digits, the prefecture from its
/// field or from the start of `address1`, block numbers unified
/// (`一丁目２番地３号` → `1-2-3`), the building folded. Throws `InvalidIdentity` with
/// `IDENTITY_POSTAL_INVALID`, `IDENTITY_PREFECTURE_UNKNOWN` or
/// `IDENTITY_PREFECTURE_MISMATCH` at `$.value`.
#[uniffi::export(default(address2 = None, postal_code = None, prefecture = None))]
pub fn normalize_address(
    address1: String,
    address2: Option<String>,
    postal_code: Option<String>,
    prefecture: Option<String>,
) -> Result<NormalizedAddress, IchigenError> {
    let parts = json!({
        "postal_code": postal_code,
        "prefecture": prefecture,
        "address1": address1,
        "address2": address2,
    });
    let out = interop::normalize_identity("address", parts, Value::Null)?;
    read_output(out, "normalized address")
}

/// A matching configuration (JSON text; absent: the defaults) as the rules it
/// checks, in order: `{"rules": [{"name", "fields"}], "max_key_records"}` as JSON
/// text. Throws `InvalidIdentity` with every problem.
#[uniffi::export(default(config_json = None))]
pub fn describe_identity_config(config_json: Option<String>) -> Result<String, IchigenError> {
    let config = interop::load_identity_config(optional_json_arg(config_json, "config")?)?;
    Ok(json_text(&interop::describe_identity_config(&config)))
}

/// Resolves a batch of records (a JSON array) into customers, with the matching
/// configuration and manual decisions (`[{"merge": [a, b]} | {"unmerge": [a, b]}]`)
/// as JSON text (absent: the defaults, none). Returns the resolution as JSON text:
/// `customers` (one per input record, in order: `record`, `customer_id`, `via`),
/// `clusters`, `links`, `blocked`, `giant_keys`, `candidates`, `aliases`,
/// `decisions`, `issues`, `next_customer_id`. A record that cannot be used gets a
/// `null` customer and an issue at its index (`$[3].id`); a bad configuration or
/// decision list throws `InvalidIdentity`.
#[uniffi::export(default(config_json = None, decisions_json = None))]
pub fn resolve_customers(
    records_json: String,
    config_json: Option<String>,
    decisions_json: Option<String>,
) -> Result<String, IchigenError> {
    let records = json_arg(&records_json, "records")?;
    let config = optional_json_arg(config_json, "config")?;
    let decisions = optional_json_arg(decisions_json, "decisions")?;
    let out = interop::resolve_identities(config, records, decisions)?;
    Ok(json_text(&out))
}

/// Where an inserted record went.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CustomerPlacement {
    /// The record's customer.
    pub customer_id: u64,
    /// Whether the customer is new (this is its first record).
    pub new_customer: bool,
    /// Customer ids this record merged into `customerId` (now aliases of it).
    pub absorbed: Vec<u64>,
    /// Fields of the record that could not be used (`IDENTITY_PHONE_INVALID` at
    /// `$.phone`); the record was resolved on the others.
    pub issues: Vec<Issue>,
    /// Whether the insert recomputed everything (a key became too common, or a
    /// manual unmerge refused a link).
    pub recomputed: bool,
    /// The whole placement as JSON text, with the `links` the record made and their
    /// evidence (`rule`, `fields`, `score`).
    pub placement_json: String,
}

/// Reads the core's placement JSON into the record.
fn customer_placement(placement: Value) -> Result<CustomerPlacement, IchigenError> {
    #[derive(Deserialize)]
    struct Placement {
        customer_id: u64,
        new_customer: bool,
        absorbed: Vec<u64>,
        issues: Vec<ichigen::Issue>,
        recomputed: bool,
    }
    let placement_json = json_text(&placement);
    let p: Placement = read_output(placement, "placement")?;
    Ok(CustomerPlacement {
        customer_id: p.customer_id,
        new_customer: p.new_customer,
        absorbed: p.absorbed,
        issues: p.issues.iter().map(Issue::from).collect(),
        recomputed: p.recomputed,
        placement_json,
    })
}

/// Resolves records into customers one at a time, as orders arrive: each insert
/// costs a few hash lookups, and the result is always what a batch over the same
/// records would give. Customer ids are stable (on a merge the oldest survives and
/// the others become aliases, see `canonical`); manual merges and unmerges survive
/// every recomputation. Safe to share between threads: calls take turns.
///
/// To carry ids over from an earlier resolution, insert each record with its
/// `customer_id`.
#[derive(Debug, uniffi::Object)]
pub struct CustomerResolver {
    inner: Mutex<Resolver>,
}

impl CustomerResolver {
    /// The resolver, for one call. A panic cannot happen while it is held (the core
    /// returns errors), so a poisoned lock still holds a consistent resolver.
    fn resolver(&self) -> MutexGuard<'_, Resolver> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[uniffi::export]
impl CustomerResolver {
    /// An empty resolver with a matching configuration (JSON text; absent: the
    /// defaults). Throws `InvalidIdentity` with every problem of the configuration.
    #[uniffi::constructor(default(config_json = None))]
    pub fn new(config_json: Option<String>) -> Result<Arc<CustomerResolver>, IchigenError> {
        let config = interop::load_identity_config(optional_json_arg(config_json, "config")?)?;
        Ok(Arc::new(CustomerResolver {
            inner: Mutex::new(Resolver::new(config)),
        }))
    }

    /// Inserts one record (JSON text: `id`, `channel`, `store`, `name`, `kana`,
    /// `phone`, `email`, `postal_code`, `prefecture`, `address1`, `address2`,
    /// `member_id`, `customer_id`, `masked`) and links it. Throws `InvalidIdentity`
    /// for a record that does not decode (`$.phone`) or whose id is empty or taken
    /// (`IDENTITY_RECORD_NO_ID`, `IDENTITY_RECORD_DUPLICATE` at `$.id`); a field
    /// that cannot be normalized is only listed in the placement's `issues`.
    pub fn insert(&self, record_json: String) -> Result<CustomerPlacement, IchigenError> {
        let record = interop::parse_identity_record(json_arg(&record_json, "record")?)?;
        let placement = self.resolver().insert(&record)?;
        customer_placement(interop::placement_value(&placement))
    }

    /// Records that two records are the same customer (名寄せ顧客追加) and returns
    /// the merged customer's id. Throws `InvalidIdentity`:
    /// `IDENTITY_DECISION_UNKNOWN_RECORD` (`$[0]` or `$[1]`: which record),
    /// `IDENTITY_DECISION_SAME_RECORD`, or `IDENTITY_MERGE_REFUSED` when an unmerge
    /// keeps them apart.
    pub fn merge(&self, record_a: String, record_b: String) -> Result<u64, IchigenError> {
        Ok(self.resolver().merge(&record_a, &record_b)?)
    }

    /// Records that two records are different customers and returns their two
    /// customer ids. Throws `InvalidIdentity` as `merge` does.
    pub fn unmerge(&self, record_a: String, record_b: String) -> Result<Vec<u64>, IchigenError> {
        Ok(self.resolver().unmerge(&record_a, &record_b)?.to_vec())
    }

    /// Forgets the personal data of a record (Amazon's 30 days); the record stays
    /// with its customer. Returns the customer's id; throws `InvalidIdentity`
    /// (`IDENTITY_RECORD_UNKNOWN`) for an unknown record.
    pub fn mask(&self, record_id: String) -> Result<u64, IchigenError> {
        Ok(self.resolver().mask(&record_id)?)
    }

    /// The customer of a record; `nil` for an unknown record.
    pub fn customer_of(&self, record_id: String) -> Option<u64> {
        self.resolver().customer_of(&record_id)
    }

    /// The current id of a customer id, following merges (an absorbed id gives the
    /// survivor); `nil` for an id never given out.
    pub fn canonical(&self, customer_id: u64) -> Option<u64> {
        self.resolver().canonical(customer_id)
    }

    /// Recomputes every link from the stored records and decisions.
    pub fn recompute(&self) {
        self.resolver().recompute();
    }

    /// Probable duplicates the exact rules did not link, best first, as a JSON
    /// array of `{"records", "customers", "rule", "score"}`: suggestions for a
    /// person to `merge`.
    pub fn candidates_json(&self) -> String {
        let found = candidates(&mut self.resolver());
        json_text(&json!(found))
    }

    /// The whole state as JSON text, the shape `resolveCustomers` returns
    /// (`customers` in insertion order, `clusters`, `links`, `aliases`,
    /// `decisions`, `candidates` …; `issues` empty).
    pub fn snapshot_json(&self) -> String {
        json_text(&interop::resolution_value(&mut self.resolver(), &[]))
    }

    /// How many records are stored.
    pub fn count(&self) -> u64 {
        self.resolver().len() as u64
    }

    /// The id the next new customer will get.
    pub fn next_customer_id(&self) -> u64 {
        self.resolver().next_customer_id()
    }
}

/// One customer's facts: the parts an app branches on as fields, everything as
/// JSON text.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CustomerSummary {
    /// The customer.
    pub customer_id: u64,
    /// Orders not cancelled.
    pub order_count: u32,
    /// Their sum, a decimal string (`"37000"`).
    pub spend: String,
    /// The tier reached (`normal` below every tier).
    pub tier: String,
    /// Two or more orders (リピーター); `repeat` in the JSON (a Swift keyword).
    pub repeat_customer: bool,
    /// Orders on more than one channel.
    pub cross_channel: bool,
    /// A new customer with a fuzzy candidate: probably a repeat buyer not yet
    /// linked (リピート候補).
    pub repeat_candidate: bool,
    /// VIP flag.
    pub vip: bool,
    /// Caution flag (要注意顧客).
    pub caution: bool,
    /// The whole summary as JSON text: also `cancelled_count`, `first_order_at`,
    /// `last_order_at`, `channels`, `caution_reason`, `birthday`, `points`, `notes`,
    /// `contacts`.
    pub summary_json: String,
}

/// A customer's facts from their orders: input (JSON text) `{"customer_id",
/// "orders": [{"record", "channel", "ordered_at", "amount", "cancelled"?,
/// "shipped_on"?}], "profile"?, "tiers"?, "as_of", "has_candidate"?}`. Throws
/// `InvalidIdentity` with the problem's path in the input (`$.orders[0].amount`).
#[uniffi::export]
pub fn customer_summary(input_json: String) -> Result<CustomerSummary, IchigenError> {
    #[derive(Deserialize)]
    struct Summary {
        customer_id: u64,
        order_count: u32,
        spend: String,
        tier: String,
        repeat: bool,
        cross_channel: bool,
        repeat_candidate: bool,
        vip: bool,
        caution: bool,
    }
    let out = interop::customer_summary(json_arg(&input_json, "input")?)?;
    let summary_json = json_text(&out);
    let s: Summary = read_output(out, "customer summary")?;
    Ok(CustomerSummary {
        customer_id: s.customer_id,
        order_count: s.order_count,
        spend: s.spend,
        tier: s.tier,
        repeat_customer: s.repeat,
        cross_channel: s.cross_channel,
        repeat_candidate: s.repeat_candidate,
        vip: s.vip,
        caution: s.caution,
        summary_json,
    })
}

/// The customer facts triage reads for one order.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CustomerFacts {
    /// The customer is flagged caution.
    pub caution: bool,
    /// The customer is flagged VIP.
    pub vip: bool,
    /// Which purchase the order is for the customer, counting it (1 = first).
    pub purchase_count: u32,
    /// `{"customer": {…}}` as JSON text: a triage context to pass to `triage`
    /// (merge it with other facts, such as a ship-date plan's).
    pub context_json: String,
}

/// The triage facts of one order of a customer: input (JSON text) `{"orders",
/// "profile"?, "record"}`, `record` naming the order among `orders`. Throws
/// `InvalidIdentity` (`IDENTITY_ORDER_UNKNOWN` at `$.record` when it is not there).
#[uniffi::export]
pub fn customer_triage_facts(input_json: String) -> Result<CustomerFacts, IchigenError> {
    #[derive(Deserialize)]
    struct Facts {
        caution: bool,
        vip: bool,
        purchase_count: u32,
    }
    let out = interop::customer_triage_facts(json_arg(&input_json, "input")?)?;
    let f: Facts = read_output(out.clone(), "customer facts")?;
    let context_json = json_text(&json!({ "customer": out }));
    Ok(CustomerFacts {
        caution: f.caution,
        vip: f.vip,
        purchase_count: f.purchase_count,
        context_json,
    })
}

/// What the masking rule does to one record of a customer.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MaskedRecord {
    /// The record id.
    pub record: String,
    /// Whether its personal data is masked on the date asked about.
    pub masked: bool,
    /// The day it is (or was) due, `YYYY-MM-DD`: shipped + the rule's days; `nil`
    /// for a record of another channel or not shipped.
    pub due_on: Option<String>,
    /// The buyer or recipient as JSON text, with name, reading, company, phone,
    /// e-mail, postal code, address lines and member id removed when masked.
    pub party_json: String,
    /// The fields that held data and were removed (`name`, `phone` …), for the
    /// shop's audit log; empty when not masked.
    pub removed: Vec<String>,
}

/// Applies the masking rule (Amazon: 30 days after shipping, by default) to a
/// customer's records on a date: input (JSON text) `{"records": [{"record",
/// "channel", "shipped_on"?, "party"}], "on", "rule"?: {"channel", "days"}}`.
/// Returns one entry per record, in order. Throws `InvalidIdentity` with the
/// problem's path in the input.
#[uniffi::export]
pub fn mask_customer(input_json: String) -> Result<Vec<MaskedRecord>, IchigenError> {
    #[derive(Deserialize)]
    struct Output {
        records: Vec<Masked>,
    }
    #[derive(Deserialize)]
    struct Masked {
        record: String,
        masked: bool,
        #[serde(default)]
        due_on: Option<String>,
        party: Value,
        removed: Vec<String>,
    }
    let out = interop::mask_customer(json_arg(&input_json, "input")?)?;
    let out: Output = read_output(out, "masking result")?;
    Ok(out
        .records
        .into_iter()
        .map(|m| MaskedRecord {
            record: m.record,
            masked: m.masked,
            due_on: m.due_on,
            party_json: json_text(&m.party),
            removed: m.removed,
        })
        .collect())
}
