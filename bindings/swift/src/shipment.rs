//! Shipment planning (伝票分割・同梱・メール便判定): the `ShipmentPlanner`
//! (splitting an order into shipments, a batch of orders, the mail-packet
//! judgement, merge candidates, the merge check, merging and unmerging), and the
//! stateless functions (`largestRemainder`, `builtinProfilesJson`).
//!
//! Options, orders, facts, reservations and plans are documents whose shape grows
//! with the core: they cross as JSON text, in the shapes of the core's
//! `ichigen::shipment::json`. What an app branches on crosses as Swift types: the
//! mail-packet judgement (`MailJudgement`, with its triage facts) and the merge
//! check (`MergeCheck`). Plans and candidate lists stay JSON text, with the JSON's
//! snake_case keys.
//!
//! Issue paths are relative to the argument they concern: an option's problem at
//! `$.items[1].sku`, an order's at `$.order.lines[0].quantity` (or
//! `$.orders[2]…` in a batch), a reservation's at `$.stock[0].line`, a fact's at
//! `$.facts.<order id>`; text that is not JSON is `INPUT_PARSE` at the argument
//! (`$.orders`). A shipment problem is thrown as `IchigenError.InvalidShipment`
//! (`SHIPMENT_INVALID`), an order that does not validate as
//! `IchigenError.InvalidOrder` (`ORDER_INVALID`).
//!
//! Doc comments on exported items become the Swift documentation, so the Rust
//! examples live here:
//!
//! ```
//! use ichigen_ffi::{MailOutcome, ShipmentPlanner, largest_remainder, sample_order_json};
//!
//! let planner = ShipmentPlanner::new(Some(
//!     r#"{"items": [{"sku": "TEA-A", "mail_fraction": "1/3"},
//!                   {"sku": "SWT-01", "mail_fraction": "1/2"},
//!                   {"sku": "CUP-01", "mail_fraction": "1/2"}]}"#
//!         .to_owned(),
//! ))?;
//! let plan: serde_json::Value =
//!     serde_json::from_str(&planner.split(sample_order_json(), None)?)?;
//! assert_eq!(plan["total"]["total"], "5390");
//! // 2 × 1/3 + 1/2 + 1/2 of a packet: two packets, so a box.
//! let mail = planner.mail(sample_order_json())?;
//! assert_eq!((mail.load.as_str(), mail.packets), ("5/3", 2));
//! assert_eq!(mail.outcome, MailOutcome::Box);
//! assert!(!mail.fits_one_packet);
//! assert_eq!(largest_remainder(100, vec![1, 1, 1]), [34, 33, 33]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::Arc;

use ichigen::shipment::json as ship;
use ichigen::shipment::{self as core, Planner};
use serde::Deserialize;
use serde_json::Value;

use crate::{IchigenError, json_arg, json_text, optional_json_arg, read_output};

/// What to do with an order's mail packet (メール便).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum MailOutcome {
    /// One packet.
    MailPacket,
    /// Several packets (allowed by the options' `max_packets`).
    Packets,
    /// A box instead.
    Box,
}

impl From<core::MailOutcome> for MailOutcome {
    fn from(o: core::MailOutcome) -> MailOutcome {
        match o {
            core::MailOutcome::MailPacket => MailOutcome::MailPacket,
            core::MailOutcome::Packets => MailOutcome::Packets,
            core::MailOutcome::Box => MailOutcome::Box,
        }
    }
}

/// Why an order cannot go by mail packet, or not in one packet.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MailReason {
    /// `cod`, `not_mailable`, `temperature`, `too_large`, `too_heavy`,
    /// `time_slot` or `over_capacity`.
    pub code: String,
    /// The line (0-based) the reason concerns; `nil` for the order as a whole.
    pub line: Option<u32>,
}

/// The mail-packet judgement of one order.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MailJudgement {
    /// The carrier profile that judged (`nekopos`).
    pub profile: String,
    /// The order may go by mail packet at all, in however many packets.
    pub eligible: bool,
    /// The sum of the lines' mail fractions × quantities, exact (`5/3`).
    pub load: String,
    /// Packets needed for the mailable lines (0 when none is).
    pub packets: u32,
    /// One packet, several, or a box.
    pub outcome: MailOutcome,
    /// Every reason found, in line order.
    pub reasons: Vec<MailReason>,
    /// Eligible and one packet is enough: the triage fact `mail_packet_fits`.
    pub fits_one_packet: bool,
    /// Packets needed, 0 when not eligible: the triage fact `mail_packets_needed`.
    pub packets_needed: u32,
    /// The triage facts (`mail_packet_fits`, `mail_packets_needed`) as a JSON
    /// object, to merge into a triage context.
    pub context_json: String,
}

/// Reads the core's mail verdict (with its `facts`) into the record.
fn mail_judgement(verdict: Value) -> Result<MailJudgement, IchigenError> {
    #[derive(Deserialize)]
    struct Reason {
        code: String,
        line: Option<u32>,
    }
    #[derive(Deserialize)]
    struct Facts {
        mail_packet_fits: bool,
        mail_packets_needed: u32,
    }
    #[derive(Deserialize)]
    struct Verdict {
        profile: String,
        eligible: bool,
        load: String,
        packets: u32,
        outcome: core::MailOutcome,
        reasons: Vec<Reason>,
        facts: Value,
    }
    let v: Verdict = read_output(verdict, "mail verdict")?;
    let facts: Facts = read_output(v.facts.clone(), "mail facts")?;
    Ok(MailJudgement {
        profile: v.profile,
        eligible: v.eligible,
        load: v.load,
        packets: v.packets,
        outcome: v.outcome.into(),
        reasons: v
            .reasons
            .into_iter()
            .map(|r| MailReason {
                code: r.code,
                line: r.line,
            })
            .collect(),
        fits_one_packet: facts.mail_packet_fits,
        packets_needed: facts.mail_packets_needed,
        context_json: json_text(&v.facts),
    })
}

/// Whether two orders may ship together (同梱).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MergeCheck {
    /// They may.
    pub mergeable: bool,
    /// Why not: the merge-key parts that differ (`recipient_address`,
    /// `time_slot`, `payment_method` …) and each order's exclusion (`masked`,
    /// `closed` …); empty when mergeable.
    pub differs: Vec<String>,
}

/// A shop's shipment options, checked, with their lookups built: the object every
/// shipment operation runs on. Build it once and reuse it for a batch; it may be
/// shared between threads.
#[derive(Debug, uniffi::Object)]
pub struct ShipmentPlanner {
    planner: Planner,
}

#[uniffi::export]
impl ShipmentPlanner {
    /// A planner from options (JSON text; `nil` for the defaults): `{split_by?,
    /// capacity?, fees?, items?, profiles?, mail_profile?, max_packets?,
    /// auto_merge?}`. Throws `InvalidShipment` with every problem
    /// (`SHIPMENT_DUPLICATE_ITEM` at `$.items[1].sku`, `SHIPMENT_UNKNOWN_PROFILE`
    /// at `$.mail_profile` …).
    #[uniffi::constructor(default(options_json = None))]
    pub fn new(options_json: Option<String>) -> Result<Arc<ShipmentPlanner>, IchigenError> {
        let options = optional_json_arg(options_json, "options")?;
        Ok(Arc::new(ShipmentPlanner {
            planner: ship::planner(options)?,
        }))
    }

    /// Splits an order into shipments, with its reservations (JSON text:
    /// `[{order?, line, location?, quantity}]`; `nil`: nothing is split by stock).
    /// Returns the plan as JSON text: `{orders, currency, shipments, total}`.
    /// Throws `InvalidOrder` (`$.order…`) or `InvalidShipment` (`$.stock[0].line`).
    #[uniffi::method(default(stock_json = None))]
    pub fn split(
        &self,
        order_json: String,
        stock_json: Option<String>,
    ) -> Result<String, IchigenError> {
        let order = json_arg(&order_json, "order")?;
        let stock = optional_json_arg(stock_json, "stock")?;
        Ok(json_text(&ship::split(&self.planner, order, stock)?))
    }

    /// Splits each order of a batch (JSON text: an array of orders) without
    /// reservations. Returns the plans as a JSON array, in order. Stops at the
    /// first order that does not validate: `InvalidOrder` at `$.orders[i]…`.
    pub fn split_all(&self, orders_json: String) -> Result<String, IchigenError> {
        let plans = ship::split_all(&self.planner, json_arg(&orders_json, "orders")?)?;
        Ok(json_text(&plans))
    }

    /// Judges whether an order goes by mail packet (メール便): with the profile of
    /// its shipping method when that is a mail-packet profile, else with the
    /// options' `mail_profile` (`nekopos` by default). Throws `InvalidOrder`.
    pub fn mail(&self, order_json: String) -> Result<MailJudgement, IchigenError> {
        let order = json_arg(&order_json, "order")?;
        mail_judgement(ship::mail(&self.planner, order)?)
    }

    /// Orders that may ship together (同梱候補), with facts from other steps (JSON
    /// text: `{"<order id>": {ship_date?, location?, customer?, masked?}}`).
    /// Returns JSON text `{groups: [{parent, orders}], excluded: [{order, reason,
    /// issues?}], context: {"<order id>": {merge_candidate}}, merged: [plan]}`; an
    /// order that does not validate is excluded (reason `invalid`, with its
    /// issues), not thrown. Throws `InvalidShipment` for bad facts
    /// (`SHIPMENT_UNKNOWN_ORDER` at `$.facts.<id>`).
    #[uniffi::method(default(facts_json = None))]
    pub fn merge_candidates(
        &self,
        orders_json: String,
        facts_json: Option<String>,
    ) -> Result<String, IchigenError> {
        let orders = json_arg(&orders_json, "orders")?;
        let facts = optional_json_arg(facts_json, "facts")?;
        Ok(json_text(&ship::merge_candidates(
            &self.planner,
            orders,
            facts,
        )?))
    }

    /// Whether exactly two orders (JSON text: an array) may ship together, and if
    /// not, why. Throws `InvalidOrder` (`$.orders[1]…`) or `InvalidShipment`
    /// (`SHIPMENT_WRONG_TYPE` at `$.orders` for other than two orders).
    #[uniffi::method(default(facts_json = None))]
    pub fn merge_check(
        &self,
        orders_json: String,
        facts_json: Option<String>,
    ) -> Result<MergeCheck, IchigenError> {
        #[derive(Deserialize)]
        struct Check {
            mergeable: bool,
            differs: Vec<String>,
        }
        let orders = json_arg(&orders_json, "orders")?;
        let facts = optional_json_arg(facts_json, "facts")?;
        let out = ship::merge_check(&self.planner, orders, facts)?;
        let c: Check = read_output(out, "merge check")?;
        Ok(MergeCheck {
            mergeable: c.mergeable,
            differs: c.differs,
        })
    }

    /// Merges orders (JSON text: an array, the parent first) into one consignment
    /// and plans its shipments. Returns the plan as JSON text. Throws
    /// `InvalidShipment` for orders that may not ship together (every difference
    /// from the parent at its path: `SHIPMENT_MERGE_TIME_SLOT` at
    /// `$.orders[1].shipping.time_slot`).
    #[uniffi::method(default(facts_json = None, stock_json = None))]
    pub fn merge(
        &self,
        orders_json: String,
        facts_json: Option<String>,
        stock_json: Option<String>,
    ) -> Result<String, IchigenError> {
        let orders = json_arg(&orders_json, "orders")?;
        let facts = optional_json_arg(facts_json, "facts")?;
        let stock = optional_json_arg(stock_json, "stock")?;
        Ok(json_text(&ship::merge(
            &self.planner,
            orders,
            facts,
            stock,
        )?))
    }

    /// Undoes a merge: `mergedJson` is the plan `merge` returned; the orders are
    /// planned again one by one, and their totals add up to the merged plan's.
    /// Returns JSON text `{plans: [plan per order]}`. Throws `InvalidShipment`
    /// (`$.merged.shipments` …).
    #[uniffi::method(default(stock_json = None))]
    pub fn unmerge(
        &self,
        merged_json: String,
        orders_json: String,
        stock_json: Option<String>,
    ) -> Result<String, IchigenError> {
        let merged = json_arg(&merged_json, "merged")?;
        let orders = json_arg(&orders_json, "orders")?;
        let stock = optional_json_arg(stock_json, "stock")?;
        Ok(json_text(&ship::unmerge(
            &self.planner,
            merged,
            orders,
            stock,
        )?))
    }
}

/// Shares `total` (in minor units, such as yen) out in proportion to `weights` by
/// the largest-remainder method: the shares add up to `total` exactly. Negative
/// weights count as zero; when every weight is zero the first share takes it all;
/// a negative total is shared as its absolute value and negated; no weights, no
/// shares. Never fails.
#[uniffi::export]
pub fn largest_remainder(total: i64, weights: Vec<i64>) -> Vec<i64> {
    let weights: Vec<i128> = weights.into_iter().map(i128::from).collect();
    core::largest_remainder(i128::from(total), &weights)
        .into_iter()
        // Each share lies between 0 and `total`, so it fits in an i64.
        .map(|s| i64::try_from(s).unwrap_or(if s < 0 { i64::MIN } else { i64::MAX }))
        .collect()
}

/// The mail-packet services known without configuration (`nekopos`,
/// `yu_packet`, `click_post`, `dm_bin`) with their limits, as a JSON array of
/// carrier profiles; options' `profiles` with the same code replace them.
#[uniffi::export]
pub fn builtin_profiles_json() -> String {
    let profiles: Vec<Value> = core::builtin_profiles()
        .iter()
        .map(|p| serde_json::to_value(p).unwrap_or(Value::Null))
        .collect();
    json_text(&Value::Array(profiles))
}
