//! Facts per resolved customer (orders across channels, first and last order,
//! count, spend, new or repeat, tier, flags, notes, contact history) and the
//! Amazon masking rule.
//!
//! ```
//! use ichigen_core::identity::customer::*;
//! use ichigen_core::order::Channel;
//! let order = |record: &str, channel, at: &str, amount: i64| CustomerOrder {
//!     record: record.into(),
//!     channel,
//!     ordered_at: at.parse().unwrap(),
//!     amount: amount.into(),
//!     cancelled: false,
//!     shipped_on: None,
//! };
//! let orders = [
//!     order("r1", Channel::Rakuten, "2026-01-10T01:00:00Z", 12_000),
//!     order("y1", Channel::Yahoo, "2026-03-02T01:00:00Z", 25_000),
//! ];
//! let tiers = TierPolicy::from_json(serde_json::json!({
//!     "tiers": [{"name": "silver", "min_spend": 30000}, {"name": "gold", "min_orders": 5}]
//! })).unwrap();
//! let s = summarize(7, &orders, &Profile::default(), &tiers, "2026-11-23T00:00:00Z".parse().unwrap(), false);
//! assert_eq!(s.order_count, 2);
//! assert_eq!(s.tier, "silver");
//! assert!(s.repeat && s.cross_channel);
//! ```

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Issue};
use crate::money::amount_serde;
use crate::order::{Channel, Party};
use crate::rules::CustomerFacts;

/// One order of a customer, as the facts need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerOrder {
    /// The record (order) id the resolver knows it by.
    pub record: String,
    /// The channel.
    pub channel: Channel,
    /// When it was ordered.
    pub ordered_at: DateTime<Utc>,
    /// What it came to (税込), in yen.
    #[serde(with = "amount_serde")]
    pub amount: Decimal,
    /// Cancelled orders are listed but neither counted nor summed.
    #[serde(default)]
    pub cancelled: bool,
    /// The day it shipped, in the shop's zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipped_on: Option<NaiveDate>,
}

/// A note or a contact-history entry (応対履歴).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// When.
    pub at: DateTime<Utc>,
    /// By what means (`phone`, `mail`, `chat`…) or who wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The text.
    pub text: String,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Notes quote customers: Debug shows only when and what kind.
        f.debug_struct("Entry")
            .field("at", &self.at)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// What the shop keeps about a customer besides orders.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// VIP.
    #[serde(default)]
    pub vip: bool,
    /// Caution / blacklist (要注意顧客) and why; holds the next order in needs-check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caution: Option<String>,
    /// Free notes.
    #[serde(default)]
    pub notes: Vec<Entry>,
    /// Contact history (応対履歴).
    #[serde(default)]
    pub contacts: Vec<Entry>,
    /// Birthday.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthday: Option<NaiveDate>,
    /// Points balance.
    #[serde(default)]
    pub points: i64,
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profile")
            .field("vip", &self.vip)
            .field("caution", &self.caution.is_some())
            .field("notes", &self.notes.len())
            .field("contacts", &self.contacts.len())
            .finish_non_exhaustive()
    }
}

/// One tier: reached by spend or by order count, whichever is set (either is
/// enough when both are).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// Its name (`silver`, `gold`, `diamond`).
    pub name: String,
    /// Spend that reaches it.
    #[serde(
        default,
        with = "amount_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub min_spend: Option<Decimal>,
    /// Order count that reaches it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_orders: Option<u32>,
}

/// Tiers from lowest to highest, and the window they are counted over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierPolicy {
    /// The name of customers below every tier.
    #[serde(default = "default_base")]
    pub base: String,
    /// Tiers, lowest first; the highest one reached wins.
    #[serde(default)]
    pub tiers: Vec<Tier>,
    /// Count only orders of the last this many days before the date asked about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_days: Option<u32>,
}

fn default_base() -> String {
    "normal".into()
}

impl Default for TierPolicy {
    fn default() -> Self {
        TierPolicy {
            base: default_base(),
            tiers: Vec::new(),
            window_days: None,
        }
    }
}

impl TierPolicy {
    /// Loads and validates a policy: every tier names a spend or a count,
    /// `IDENTITY_INVALID` with the paths otherwise.
    pub fn from_json(value: serde_json::Value) -> Result<TierPolicy, Error> {
        let policy: TierPolicy = serde_path_to_error::deserialize(value).map_err(|e| {
            let inner = e.path().to_string();
            let path = match inner.as_str() {
                "." | "" => "$".to_owned(),
                p if p.starts_with('[') => format!("${p}"),
                p => format!("$.{p}"),
            };
            Error::InvalidIdentity(vec![crate::error::issue_from_serde(
                "IDENTITY",
                &path,
                &e.inner().to_string(),
            )])
        })?;
        let mut issues = Vec::new();
        for (i, t) in policy.tiers.iter().enumerate() {
            if t.min_spend.is_none() && t.min_orders.is_none() {
                issues.push(Issue::new(
                    "IDENTITY_TIER_EMPTY",
                    format!("$.tiers[{i}]"),
                    "a tier needs min_spend or min_orders",
                ));
            }
            if t.min_spend.is_some_and(|s| s.is_sign_negative()) {
                issues.push(Issue::new(
                    "IDENTITY_TIER_NEGATIVE",
                    format!("$.tiers[{i}].min_spend"),
                    "expected an amount of 0 or more",
                ));
            }
        }
        if issues.is_empty() {
            Ok(policy)
        } else {
            Err(Error::InvalidIdentity(issues))
        }
    }
}

/// The facts of one customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerSummary {
    /// The customer.
    pub customer_id: u64,
    /// Orders not cancelled.
    pub order_count: u32,
    /// Cancelled orders.
    pub cancelled_count: u32,
    /// Sum of the orders not cancelled.
    #[serde(with = "amount_serde")]
    pub spend: Decimal,
    /// The first order not cancelled.
    pub first_order_at: Option<DateTime<Utc>>,
    /// The last order not cancelled.
    pub last_order_at: Option<DateTime<Utc>>,
    /// Channels ordered on (cancelled orders included), in a fixed order.
    pub channels: Vec<Channel>,
    /// Two or more orders (リピーター); a customer with one is new.
    pub repeat: bool,
    /// Orders on more than one channel.
    pub cross_channel: bool,
    /// A new customer with a fuzzy candidate: probably a repeat buyer not yet
    /// linked (リピート候補).
    pub repeat_candidate: bool,
    /// The tier reached.
    pub tier: String,
    /// VIP flag.
    pub vip: bool,
    /// Caution flag.
    pub caution: bool,
    /// Why the customer is flagged caution.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caution_reason: Option<String>,
    /// Birthday.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birthday: Option<NaiveDate>,
    /// Points.
    pub points: i64,
    /// Notes and contact entries.
    pub notes: u32,
    /// Contact-history entries.
    pub contacts: u32,
}

/// Summarizes one customer's orders as of `as_of` (tiers with a window count only
/// the orders of the window before it). `has_candidate` says whether the customer
/// has a fuzzy candidate.
pub fn summarize(
    customer_id: u64,
    orders: &[CustomerOrder],
    profile: &Profile,
    tiers: &TierPolicy,
    as_of: DateTime<Utc>,
    has_candidate: bool,
) -> CustomerSummary {
    let live = || orders.iter().filter(|o| !o.cancelled);
    let order_count = live().count() as u32;
    let spend: Decimal = live().map(|o| o.amount).sum();
    let mut channels: Vec<Channel> = orders.iter().map(|o| o.channel).collect();
    channels.sort();
    channels.dedup();
    let window_start = tiers
        .window_days
        .map(|d| as_of - Duration::days(i64::from(d)));
    let in_window = || {
        live()
            .filter(move |o| o.ordered_at <= as_of && window_start.is_none_or(|s| o.ordered_at > s))
    };
    let (w_count, w_spend) = (
        in_window().count() as u32,
        in_window().map(|o| o.amount).sum::<Decimal>(),
    );
    let tier = tiers
        .tiers
        .iter()
        .rev()
        .find(|t| {
            t.min_spend.is_some_and(|s| w_spend >= s) || t.min_orders.is_some_and(|c| w_count >= c)
        })
        .map_or_else(|| tiers.base.clone(), |t| t.name.clone());
    CustomerSummary {
        customer_id,
        order_count,
        cancelled_count: orders.len() as u32 - order_count,
        spend,
        first_order_at: live().map(|o| o.ordered_at).min(),
        last_order_at: live().map(|o| o.ordered_at).max(),
        cross_channel: channels.len() > 1,
        channels,
        repeat: order_count >= 2,
        repeat_candidate: order_count <= 1 && has_candidate,
        tier,
        vip: profile.vip,
        caution: profile.caution.is_some(),
        caution_reason: profile.caution.clone(),
        birthday: profile.birthday,
        points: profile.points,
        notes: profile.notes.len() as u32,
        contacts: profile.contacts.len() as u32,
    }
}

/// The customer facts triage reads for the order `record` of this customer: the
/// flags, and which purchase it is (1 = first), counting the customer's orders not
/// cancelled that came before it (by time, then record id), and itself.
/// `IDENTITY_ORDER_UNKNOWN` when `record` is not among `orders`.
pub fn triage_facts(
    orders: &[CustomerOrder],
    profile: &Profile,
    record: &str,
) -> Result<CustomerFacts, Error> {
    let this = orders.iter().find(|o| o.record == record).ok_or_else(|| {
        Error::InvalidIdentity(vec![Issue::new(
            "IDENTITY_ORDER_UNKNOWN",
            "$.record",
            "the order is not among the customer's orders",
        )])
    })?;
    let key = |o: &CustomerOrder| (o.ordered_at, o.record.clone());
    let before = orders
        .iter()
        .filter(|o| !o.cancelled && o.record != record && key(o) < key(this))
        .count() as u32;
    Ok(CustomerFacts {
        caution: profile.caution.is_some(),
        vip: profile.vip,
        purchase_count: before + 1,
    })
}

/// When a record's personal data must be masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaskRule {
    /// The channel whose records are masked.
    pub channel: Channel,
    /// Days after shipping.
    pub days: u32,
}

impl Default for MaskRule {
    /// Amazon: personal data is kept at most 30 days after shipping.
    fn default() -> Self {
        MaskRule {
            channel: Channel::Amazon,
            days: 30,
        }
    }
}

/// A record of a customer with its personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaskableRecord {
    /// The record id.
    pub record: String,
    /// Its channel.
    pub channel: Channel,
    /// The day it shipped (none: not shipped, never masked yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipped_on: Option<NaiveDate>,
    /// The buyer or recipient.
    #[serde(default)]
    pub party: Party,
}

/// What masking did to one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Masked {
    /// The record id.
    pub record: String,
    /// Whether its personal data is masked on the date asked about.
    pub masked: bool,
    /// The day it is (or was) due: shipped + days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_on: Option<NaiveDate>,
    /// The party, masked when due: name, reading, company, phone, e-mail, postal
    /// code, address lines and member id removed; prefecture and country kept.
    pub party: Party,
    /// The fields that held data and were removed (for the shop's audit log).
    pub removed: Vec<&'static str>,
}

/// Applies the masking rule to a customer's records on `on`: records of the rule's
/// channel shipped at least `days` days before are masked; the customer's other
/// records are kept as they are.
pub fn mask_customer(records: &[MaskableRecord], on: NaiveDate, rule: MaskRule) -> Vec<Masked> {
    records
        .iter()
        .map(|r| {
            let due_on = (r.channel == rule.channel)
                .then_some(r.shipped_on)
                .flatten()
                .and_then(|d| d.checked_add_days(chrono::Days::new(u64::from(rule.days))));
            let masked = due_on.is_some_and(|d| d <= on);
            let mut party = r.party.clone();
            let removed = if masked {
                mask_party(&mut party)
            } else {
                Vec::new()
            };
            Masked {
                record: r.record.clone(),
                masked,
                due_on,
                party,
                removed,
            }
        })
        .collect()
}

/// Removes a party's personal data (prefecture and country stay, for statistics);
/// returns the names of the fields that held something.
pub fn mask_party(p: &mut Party) -> Vec<&'static str> {
    let mut removed = Vec::new();
    if !p.name.is_empty() {
        removed.push("name");
    }
    p.name.clear();
    for (field, slot) in [
        ("kana", &mut p.kana),
        ("company", &mut p.company),
        ("phone", &mut p.phone),
        ("email", &mut p.email),
        ("postal_code", &mut p.postal_code),
        ("address1", &mut p.address1),
        ("address2", &mut p.address2),
    ] {
        if slot.take().is_some() {
            removed.push(field);
        }
    }
    if p.member_id.take().is_some() {
        removed.push("member_id");
    }
    removed
}
