//! Shipment planning (伝票分割・同梱・メール便判定), DOMAIN.md §4.
//!
//! - [`Planner::split`] and [`Planner::plan`]: one order, or several merged ones,
//!   become shipments by a composite key the shop chooses ([`SplitKey`]):
//!   temperature zone, shipping method, reserved vs backordered lines, release date,
//!   location, package capacity; lines to different recipients never share a box.
//!   A line may be split by quantity. Every shipment says which keys caused it.
//! - Money: lines carry their amounts; shipping fee, COD fee, coupon and points go
//!   by a [`FeePolicy`] (default: all on the first shipment, as Next Engine does).
//!   Tax is rounded once per rate per order (as the order's totals are) and then
//!   shared out by largest remainder, so the shipments' totals and per-rate taxes
//!   add up exactly to the order's.
//! - [`Planner::mail`]: the mail-packet (メール便) judgement: the sum of the lines'
//!   [`MailFraction`]s, the packets needed or the switch to a box, the physical
//!   limits of a [`CarrierProfile`], and the COD conflict; [`MailVerdict::facts`]
//!   feeds the triage conditions `mail_packet_fits` and `mail_packets_needed`.
//! - [`Planner::merge_candidates`], [`Planner::merge_check`], [`Planner::merge`],
//!   [`Planner::unmerge`]: 同梱. Orders go together only when their [`MergeKey`]s
//!   are equal (store, location, buyer, recipient name and address after the
//!   identity normalizers, method, ship date, delivery date and slot, temperature
//!   zones, gift options, payment method); masked orders never match.
//!
//! ```
//! use ichigen_core::shipment::{Planner, ShipmentPolicy};
//! use ichigen_core::order::TemperatureZone;
//! let mut order = ichigen_core::sample::order();
//! order.lines[1].temperature = TemperatureZone::Frozen;
//! let planner = Planner::new(ShipmentPolicy::default())?;
//! let plan = planner.split(&order, &[])?;
//! assert_eq!(plan.shipments.len(), 2);
//! // The shipping fee stays on the first shipment; the totals add up to the order's.
//! assert_eq!(plan.shipments[0].money.shipping_fee.to_string(), "550");
//! let sum: rust_decimal::Decimal = plan.shipments.iter().map(|s| s.money.total).sum();
//! assert_eq!(sum, ichigen_core::validate::compute_totals(&order).total);
//! # Ok::<(), ichigen_core::Error>(())
//! ```

mod allocate;
pub mod json;
mod mail;
mod merge;
mod policy;
mod split;

pub use allocate::largest_remainder;
pub use mail::{MailFacts, MailLoad, MailOutcome, MailReason, MailVerdict};
pub use merge::{MergeCandidates, MergeExclusion, MergeGroup, MergeKey};
pub use policy::{
    Capacity, CarrierProfile, FeePolicy, FeeRule, ItemSpec, OrderFacts, Planner, Reservation,
    ShipmentPolicy, builtin_profiles,
};
pub use split::{
    Package, Shipment, ShipmentLine, ShipmentMoney, ShipmentPart, ShipmentPlan, StockState,
};

pub use crate::order::SplitKey;
pub use crate::stock::MailFraction;

use serde_json::Value;

use crate::error::{Error, Issue, decode_at};

/// Decodes a value, reporting a serde problem as a `SHIPMENT_*` issue at its path
/// below `path`.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(value: Value, path: &str) -> Result<T, Error> {
    decode_at(value, path, "SHIPMENT").map_err(|i| Error::InvalidShipment(vec![i]))
}

pub(crate) fn invalid(code: &str, path: impl Into<String>, message: &str) -> Error {
    Error::InvalidShipment(vec![Issue::new(code, path, message)])
}
