//! # ichigen-core
//!
//! The pure domain of ichigen (一元): the back office of a shop that sells on several
//! marketplaces at once. This crate holds the order model, the lifecycle and the
//! triage rules; later capabilities (calendars, shipments, identity, stock,
//! analytics) join it as modules.
//!
//! It does no I/O, reads no clock and no random source: time comes in through a
//! [`clock::Clock`], everything else through arguments. Results are deterministic.
//!
//! ```
//! use ichigen_core::clock::FixedClock;
//! use ichigen_core::rules::{triage, RuleSet, TriageContext, EXAMPLE_RULE_SET_JSON};
//! use ichigen_core::validate::parse_order_json;
//!
//! let order = parse_order_json(ichigen_core::sample::ORDER_JSON)?;
//! let rules = RuleSet::from_json(EXAMPLE_RULE_SET_JSON)?;
//! let clock = FixedClock::parse("2026-11-23T03:00:00Z")?;
//! let (triaged, outcome) = triage(&rules, &order, &TriageContext::default(), &clock)?;
//! assert_eq!(outcome.status.as_str(), "ready");
//! assert_eq!(triaged.state.history.len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod analytics;
pub mod calendar;
pub mod clock;
mod csv_text;
pub mod error;
pub mod identity;
pub mod ids;
pub mod interop;
pub mod lifecycle;
pub mod money;
pub mod order;
pub mod rules;
pub mod sample;
pub mod shipdate;
pub mod shipment;
pub mod stock;
pub mod text;
pub mod validate;

pub use error::{Error, Issue};
