//! Triage rules (受注ステータス自動振り分け, DOMAIN.md §2).
//!
//! A [`RuleSet`] is an ordered list of rules, each with conditions (`when`) and
//! actions (`then`), loaded from JSON or TOML and validated with every problem
//! reported by path. Within one condition field the listed values are OR-ed; the
//! fields of one `when` object are AND-ed; `all`, `any` and `not` group conditions.
//! A set runs `first_match` (stop at the first rule that matches) or `all_matching`.
//!
//! Conditions that need facts beyond the order (the customer's flags, whether a
//! merge candidate exists, transit days) read them from a [`TriageContext`] the
//! caller passes. When the context lacks a fact a condition needs, the condition
//! is *unknown*: logic is three-valued, a rule fires only when its conditions are
//! true, and the outcome lists what was missing instead of guessing.
//!
//! ```
//! use ichigen_core::clock::FixedClock;
//! use ichigen_core::lifecycle::Status;
//! use ichigen_core::rules::{triage, RuleSet, TriageContext};
//!
//! let rules = RuleSet::from_json(r#"{
//!   "name": "basic", "mode": "first_match",
//!   "rules": [
//!     { "id": "remarks", "when": { "remarks_present": true }, "then": [ { "set_status": "needs_check" } ] },
//!     { "id": "rest", "when": {}, "then": [ { "set_status": "ready" } ] }
//!   ]
//! }"#)?;
//! let clock = FixedClock::parse("2026-11-23T03:00:00Z")?;
//! let (order, outcome) = triage(&rules, &ichigen_core::sample::order(), &TriageContext::default(), &clock)?;
//! assert_eq!(outcome.status, Status::Ready);
//! assert_eq!(outcome.matched, vec!["rest".into()]);
//! assert_eq!(order.state.status(), Status::Ready);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod eval;
mod load;
mod triage;

pub use eval::Truth;
pub use triage::{
    AppliedAction, DryRunItem, DryRunReport, DryRunTotals, RuleCount, Snapshot, TriageOutcome,
    UnknownFact, dry_run, triage,
};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::*;
use crate::lifecycle::{HoldReason, Status};
use crate::money::{Amount, amount_serde};
use crate::order::{
    Channel, PaymentMethod, PaymentStatus, ShippingClass, SplitKey, TemperatureZone,
};

/// Whether a set stops at the first matching rule or applies every matching rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchMode {
    /// Stop at the first rule that matches (the common default).
    #[default]
    FirstMatch,
    /// Apply every rule that matches, in order.
    AllMatching,
}

/// An inclusive range of amounts; either end may be open.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmountRange {
    /// At least this much.
    #[serde(
        default,
        with = "amount_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub min: Option<Amount>,
    /// At most this much.
    #[serde(
        default,
        with = "amount_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub max: Option<Amount>,
}

/// An inclusive range of counts; either end may be open.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountRange {
    /// At least this many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<u32>,
    /// At most this many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
}

/// A field compared between the buyer and a recipient for gift detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyField {
    /// The name (folded: width, spaces, case).
    Name,
    /// Postal code, prefecture and address lines (folded).
    Address,
    /// The phone digits.
    Phone,
}

/// A day relative to today in the shop's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelativeDay {
    /// Today (本日).
    Today,
    /// Tomorrow (翌日).
    Tomorrow,
    /// The day after tomorrow (翌々日).
    DayAfterTomorrow,
}

/// The conditions of a rule. Every field present must hold (AND); a list means
/// any of its values (OR). An empty object matches every order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The remarks hold text (true) or are blank (false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks_present: Option<bool>,
    /// The remarks contain any of these keywords (compared after folding width and case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks_contains: Option<Vec<String>>,
    /// The remarks match any of these regular expressions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks_matches: Option<Vec<String>>,
    /// Payment method is one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<Vec<PaymentMethod>>,
    /// Payment status is one of these (オーソリOK/NG …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_status: Option<Vec<PaymentStatus>>,
    /// The computed order total is within the range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<AmountRange>,
    /// Some line's amount (quantity × unit price) is within the range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_amount: Option<AmountRange>,
    /// Cash on delivery with a mail-packet shipping class (an impossible pair).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cod_with_mail_packet: Option<bool>,
    /// The marketplace's gift flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gift: Option<bool>,
    /// Some recipient differs from the buyer in any of these fields (folded comparison).
    /// Choose `["name"]` to avoid the false positive of a buyer shipping to their office.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_differs: Option<Vec<PartyField>>,
    /// Contains a line whose release date is after today (予約商品).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains_pre_order: Option<bool>,
    /// Contains a made-to-order line (名入れ).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains_made_to_order: Option<bool>,
    /// Contains a line that needs confirmation (要確認商品).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains_needs_confirmation: Option<bool>,
    /// Contains any of these master SKUs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<Vec<Sku>>,
    /// Contains any of these listing codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listing_code: Option<Vec<ListingCode>>,
    /// Contains a line of any of these product groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_group: Option<Vec<ProductGroup>>,
    /// Contains a line in any of these temperature zones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature_zone: Option<Vec<TemperatureZone>>,
    /// Lines span more than one temperature zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiple_temperature_zones: Option<bool>,
    /// The customer is flagged caution / blacklist (要注意顧客). Context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_caution: Option<bool>,
    /// The customer is flagged VIP. Context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_vip: Option<bool>,
    /// This is the customer's first purchase. Context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_purchase: Option<bool>,
    /// This is the customer's n-th purchase, n within the range (2回以上: min 2). Context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_count: Option<CountRange>,
    /// Some recipient's prefecture is one of these (`東京都`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefecture: Option<Vec<String>>,
    /// Some recipient's postal code starts with one of these digit prefixes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code_prefix: Option<Vec<String>>,
    /// A recipient is on a remote island (離島). Context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_island: Option<bool>,
    /// A recipient's address fails validation (postal code vs prefecture). Context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_invalid: Option<bool>,
    /// Transit days are within the range (2 days or more: min 2). Context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_days: Option<CountRange>,
    /// A delivery date is designated (お届け希望日あり).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub designated_date: Option<bool>,
    /// The designated date is earlier than possible. Context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub designated_date_infeasible: Option<bool>,
    /// The ship-date plan holds the order for a designated date (印刷日待ち). Context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub awaiting_ship_date: Option<bool>,
    /// The designated date is today, tomorrow or the day after (shop's zone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub designated_date_in: Option<Vec<RelativeDay>>,
    /// The channel is one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Vec<Channel>>,
    /// The store is one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<Vec<StoreId>>,
    /// The marketplace sent any of these tags (fraud suspicion …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marketplace_tag: Option<Vec<Tag>>,
    /// The order carries any of these tags (set by earlier rules or people).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<Vec<Tag>>,
    /// A merge candidate exists (同梱候補). Context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge_candidate: Option<bool>,
    /// Every line can be (or is) reserved in full. Context, from the stock book.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_lines_reservable: Option<bool>,
    /// Some line waits for stock (引当待ち). Context, from the stock book.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub awaiting_stock: Option<bool>,
    /// The order fits one mail packet (メール便). Context, from the mail-packet
    /// judgement ([`MailVerdict::facts`](crate::shipment::MailVerdict::facts)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_packet_fits: Option<bool>,
    /// Mail packets the order needs, in a range (`{min = 2}`: more than one; 0
    /// when it cannot go by mail packet at all). Context, from the judgement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_packets_needed: Option<CountRange>,
    /// Shipping method is one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_method: Option<Vec<ShippingMethodCode>>,
    /// Shipping class is one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_class: Option<Vec<ShippingClass>>,
    /// Carrier is one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier: Option<Vec<CarrierCode>>,
    /// Every one of these holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<Vec<Condition>>,
    /// At least one of these holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any: Option<Vec<Condition>>,
    /// This does not hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not: Option<Box<Condition>>,
}

/// How a rule sets the ship date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ShipDateSpec {
    /// A fixed date.
    Date(NaiveDate),
    /// N calendar days after today in the shop's zone.
    DaysFromToday {
        /// The number of days.
        days_from_today: u32,
    },
}

/// A line a rule adds (a wrapping fee, a free gift).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewLine {
    /// Listing code.
    pub listing_code: ListingCode,
    /// Master SKU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<Sku>,
    /// Name.
    pub name: String,
    /// Quantity (default 1).
    #[serde(default = "one")]
    pub quantity: u32,
    /// Unit price.
    #[serde(with = "amount_serde")]
    pub unit_price: Amount,
    /// Tax rate (default 0.10).
    #[serde(with = "amount_serde", default = "ten_percent")]
    pub tax_rate: Amount,
}

fn one() -> u32 {
    1
}

fn ten_percent() -> Amount {
    Amount::new(10, 2)
}

/// A hold a rule opens, with a note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoldSpec {
    /// The reason.
    pub reason: HoldReason,
    /// The note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<crate::order::FreeText>,
}

/// A shipping method a rule sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodSpec {
    /// The method code.
    pub method: ShippingMethodCode,
    /// Its class, if it changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<ShippingClass>,
}

/// What a rule does when it matches. Written as a one-key object:
/// `{"set_status": "needs_check"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Action {
    /// Set the status: a holding status opens that hold; `ready` marks the order
    /// triaged (holds opened by other rules still show first).
    SetStatus(Status),
    /// Open a hold with a note.
    AddHold(HoldSpec),
    /// Close a hold if it is open.
    RemoveHold(HoldReason),
    /// Add tags.
    AddTags(Vec<Tag>),
    /// Remove tags.
    RemoveTags(Vec<Tag>),
    /// Set the shop-defined sub-status.
    SetSubStatus(SubStatus),
    /// Set the shipping method.
    SetShippingMethod(MethodSpec),
    /// Set the carrier.
    SetCarrier(CarrierCode),
    /// Hide (true) or show prices on the delivery note.
    HidePrices(bool),
    /// Add a line.
    AddLine(NewLine),
    /// Set the ship date.
    SetShipDate(ShipDateSpec),
    /// Choose the mail template.
    SetMailTemplate(MailTemplateId),
    /// Request a split by these keys.
    RequestSplit(Vec<SplitKey>),
}

impl Action {
    /// The snake_case name of the action.
    pub fn kind(&self) -> &'static str {
        match self {
            Action::SetStatus(_) => "set_status",
            Action::AddHold(_) => "add_hold",
            Action::RemoveHold(_) => "remove_hold",
            Action::AddTags(_) => "add_tags",
            Action::RemoveTags(_) => "remove_tags",
            Action::SetSubStatus(_) => "set_sub_status",
            Action::SetShippingMethod(_) => "set_shipping_method",
            Action::SetCarrier(_) => "set_carrier",
            Action::HidePrices(_) => "hide_prices",
            Action::AddLine(_) => "add_line",
            Action::SetShipDate(_) => "set_ship_date",
            Action::SetMailTemplate(_) => "set_mail_template",
            Action::RequestSplit(_) => "request_split",
        }
    }
}

/// One rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Unique id within the set.
    pub id: RuleId,
    /// A name for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Disabled rules are kept but never match.
    #[serde(default = "enabled", skip_serializing_if = "Clone::clone")]
    pub enabled: bool,
    /// The conditions.
    #[serde(default)]
    pub when: Condition,
    /// The actions, applied in order.
    pub then: Vec<Action>,
}

fn enabled() -> bool {
    true
}

/// The data of a rule set, as written in JSON or TOML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSetDef {
    /// The set's name (appears in history entries).
    pub name: String,
    /// First match or all matching.
    #[serde(default)]
    pub mode: MatchMode,
    /// A description for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The rules, in order.
    pub rules: Vec<Rule>,
}

/// A validated, compiled rule set, ready to run.
#[derive(Debug, Clone)]
pub struct RuleSet {
    def: RuleSetDef,
    compiled: Vec<eval::CompiledRule>,
}

impl RuleSet {
    /// Loads and validates a rule set from JSON text.
    pub fn from_json(text: &str) -> Result<RuleSet, crate::Error> {
        load::from_json(text)
    }

    /// Loads and validates a rule set from TOML text.
    ///
    /// ```
    /// let set = ichigen_core::rules::RuleSet::from_toml(r#"
    /// name = "toml example"
    /// [[rules]]
    /// id = "bank"
    /// when = { payment_method = ["bank_transfer", "convenience_store"] }
    /// then = [ { set_status = "awaiting_payment" } ]
    /// "#)?;
    /// assert_eq!(set.definition().rules.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_toml(text: &str) -> Result<RuleSet, crate::Error> {
        load::from_toml(text)
    }

    /// Validates and compiles a rule set from a JSON value.
    pub fn from_value(value: serde_json::Value) -> Result<RuleSet, crate::Error> {
        load::from_value(value)
    }

    /// Validates and compiles a definition built in code.
    pub fn from_def(def: RuleSetDef) -> Result<RuleSet, crate::Error> {
        let value = serde_json::to_value(&def).map_err(|_| {
            crate::Error::InvalidRuleSet(vec![crate::Issue::new(
                "RULESET_WRONG_TYPE",
                "$",
                "the definition cannot be represented as JSON",
            )])
        })?;
        load::from_value(value)
    }

    /// The definition, as loaded.
    pub fn definition(&self) -> &RuleSetDef {
        &self.def
    }

    /// The set's name.
    pub fn name(&self) -> &str {
        &self.def.name
    }

    /// The set's mode.
    pub fn mode(&self) -> MatchMode {
        self.def.mode
    }

    /// The rules whose conditions hold for `order` as it is (indices into the
    /// definition's rules), in order, honouring the set's mode; no action is applied.
    ///
    /// This is the question "which rules would fire on this order?" answered without
    /// any side effect, and the fastest way to ask it over a large batch. It shares the
    /// compiled conditions with [`triage`], but note one difference in
    /// `all_matching` mode: triage evaluates each rule on the order *as the earlier
    /// matching rules' actions left it* (a tag or a carrier set by rule 3 is seen by
    /// rule 7), while this function evaluates every rule on the untouched order. The
    /// first matching rule is always the same in both.
    pub fn matching_rules(
        &self,
        order: &crate::order::Order,
        ctx: &TriageContext,
        today: NaiveDate,
    ) -> Vec<usize> {
        let mut out = Vec::new();
        self.matching_rules_into(order, ctx, today, &mut out);
        out
    }

    /// [`matching_rules`](Self::matching_rules) into a buffer the caller reuses across
    /// a batch, so that evaluating a million orders allocates nothing per order.
    /// The buffer is cleared first.
    ///
    /// ```
    /// use ichigen_core::rules::{RuleSet, TriageContext, EXAMPLE_RULE_SET_JSON};
    /// let rules = RuleSet::from_json(EXAMPLE_RULE_SET_JSON)?;
    /// let order = ichigen_core::sample::order();
    /// let today = order.local_order_date();
    /// let mut hits = Vec::new();
    /// rules.matching_rules_into(&order, &TriageContext::default(), today, &mut hits);
    /// assert_eq!(hits, rules.matching_rules(&order, &TriageContext::default(), today));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn matching_rules_into(
        &self,
        order: &crate::order::Order,
        ctx: &TriageContext,
        today: NaiveDate,
        out: &mut Vec<usize>,
    ) {
        out.clear();
        let view = eval::OrderView::new(order, ctx, today);
        for (i, rule) in self.compiled.iter().enumerate() {
            if rule.evaluate(&view, &mut eval::NoUnknowns) == Truth::True {
                out.push(i);
                if self.def.mode == MatchMode::FirstMatch {
                    break;
                }
            }
        }
    }
}

/// Facts about a customer that triage conditions read.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerFacts {
    /// Flagged caution / blacklist.
    #[serde(default)]
    pub caution: bool,
    /// Flagged VIP.
    #[serde(default)]
    pub vip: bool,
    /// Which purchase this order is for the customer, counting this one (1 = first).
    pub purchase_count: u32,
}

/// Facts beyond the order that conditions may need. Each is optional: a condition
/// whose fact is absent is unknown, never guessed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriageContext {
    /// The resolved customer's facts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<CustomerFacts>,
    /// Whether a merge candidate exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge_candidate: Option<bool>,
    /// Whether every line can be reserved in full
    /// ([`OrderStockFacts`](crate::stock::OrderStockFacts)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_lines_reservable: Option<bool>,
    /// Whether some line waits for stock (引当待ち).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub awaiting_stock: Option<bool>,
    /// Whether the order fits one mail packet
    /// ([`MailFacts`](crate::shipment::MailFacts)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_packet_fits: Option<bool>,
    /// Mail packets the order needs (0 when it cannot go by mail packet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_packets_needed: Option<u32>,
    /// Whether the designated delivery date is earlier than possible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub designated_date_infeasible: Option<bool>,
    /// Transit days to the (farthest) recipient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_days: Option<u32>,
    /// Whether the ship-date plan holds the order until a later ship date for its
    /// designated delivery date (印刷日待ち).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub awaiting_ship_date: Option<bool>,
    /// Whether a recipient is on a remote island.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_island: Option<bool>,
    /// Whether a recipient's address failed validation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_invalid: Option<bool>,
}

/// The example rule set shipped with ichigen, in JSON: remarks → needs check; bank
/// transfer and convenience store → awaiting payment; caution customer → needs
/// check; gift → hide prices; COD with mail packet → needs check; pre-order →
/// awaiting release; everything else → ready.
pub const EXAMPLE_RULE_SET_JSON: &str = include_str!("example_rule_set.json");
