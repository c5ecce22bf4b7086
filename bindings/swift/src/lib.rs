//! The Swift binding of ichigen, through uniffi.
//!
//! uniffi turns the items exported here into a Swift module (`Ichigen`, see
//! `uniffi.toml`) over a C ABI; `generate.sh` writes it to `Sources/`. The same FFI
//! is what the uniffi-generated Python module calls, which is how it is tested on
//! machines without a Swift compiler.
//!
//! Orders, events, contexts, reports and definitions (rule sets, calendars, shipping
//! policies, identity records and configurations, a resolution, stock catalogs,
//! policies and requests, shipment options, facts and plans, order histories and
//! analytics configurations) are documents whose shape grows with the core: they
//! cross as JSON text, which Swift code decodes with `Codable`; so do analytics
//! summaries (sales, the RFM grid, CPM segments, the balance sheet, cohorts). What
//! is small, stable and useful to branch on in Swift (issues, the validation
//! verdict, triage status, holds and tags, a plan's status and dates, holiday
//! lists, a normalized phone's or e-mail's kind, where a record was placed, a
//! customer's flags and tier, what a reservation reserved, the quantities to push
//! to channels, a SKU's stock, the mail-packet judgement, the merge check, a
//! customer's RFM, CPM segment and CLV summary, fitted CLV models and predictions)
//! crosses as uniffi records and enums; calendar dates as `YYYY-MM-DD` strings; a
//! ship-date batch as a record of arrays. Every call goes through
//! [`ichigen::interop`], [`ichigen::stock::json`], [`ichigen::shipment::json`] or
//! [`ichigen::analytics::json`], the JSON faces all bindings share (a stock
//! snapshot's rows go to the core's `free_cells` and `Allocator` directly; a batch
//! of orders to split, to the shipment face's `order_at`, `Planner::split` and
//! `plan_value`): this crate
//! converts arguments and maps errors, and holds no business rule.
//!
//! ```
//! let report = ichigen_ffi::validate_order(ichigen_ffi::sample_order_json())?;
//! assert!(report.valid);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

use std::time::SystemTime;

use ichigen::clock::{Clock, FixedClock};
use ichigen::{Error, Issue as CoreIssue, SystemClock};
use serde::de::DeserializeOwned;
use serde_json::Value;

mod analytics;
mod calendar;
mod clv;
mod errors;
mod identity;
mod orders;
mod rules;
mod shipdate;
mod shipment;
mod stock;

pub use analytics::{
    ClvCustomer, CpmClass, CpmCustomer, CpmSegment, HistoryDescription, OrderHistory, RfmCustomer,
};
pub use calendar::{
    BusinessCalendar, DayExplanation, Holiday, HolidayList, HolidaySource, holidays,
};
pub use clv::{
    BgNbdFit, ClvFit, ClvPrediction, FitDiagnostics, GammaGammaFit, fit_clv, predict_clv,
};
pub use errors::{IchigenError, Issue};
pub use identity::{
    CustomerFacts, CustomerPlacement, CustomerResolver, CustomerSummary, EmailKind, MaskedRecord,
    NormalizedAddress, NormalizedEmail, NormalizedPhone, PhoneKind, customer_summary,
    customer_triage_facts, describe_identity_config, mask_customer, normalize_address,
    normalize_email, normalize_kana, normalize_name, normalize_phone, normalize_postal_code,
    resolve_customers,
};
pub use orders::{
    Applied, EventResult, ValidationReport, apply_event, parse_order, sample_order_json,
    validate_order,
};
pub use rules::{MatchMode, RuleSet, TriageSummary, dry_run, example_rule_set_json, triage};
pub use shipdate::{
    BatchColumns, BatchPlan, BatchPlanner, PlanStatus, ShipDatePlan, ShippingPolicy,
    prefecture_code,
};
pub use shipment::{
    MailJudgement, MailOutcome, MailReason, MergeCheck, ShipmentPlanner, builtin_profiles_json,
    largest_remainder,
};
pub use stock::{
    DropShipLine, DropShipTotal, DropShipTotals, ListingQuantity, OrderReservation, OrderStock,
    OrderStockFacts, Reconciliation, ReservationOutcome, ShipmentOutcome, StockAllocation,
    StockBackorder, StockBook, StockCell, StockMismatch, StockMovement, StockMovementKind,
    StockReservation, StockSnapshotRow, StockView, SyncDelta, allocate_stock, drop_ship_totals,
    reorder_quantity, stock_session,
};

uniffi::setup_scaffolding!();

/// Parses a JSON text argument. Text that is not JSON is `INPUT_PARSE` at the
/// argument's path (`$.order`), with the position but never the text.
fn json_arg(text: &str, name: &str) -> Result<Value, IchigenError> {
    serde_json::from_str(text).map_err(|e| {
        IchigenError::from(Error::InvalidInput(CoreIssue::new(
            "INPUT_PARSE",
            format!("$.{name}"),
            format!(
                "not well-formed JSON (line {}, column {})",
                e.line(),
                e.column()
            ),
        )))
    })
}

/// A calendar date argument, `YYYY-MM-DD`; anything else is `INPUT_BAD_DATE` at
/// the argument's path. The date type is the one the core function it is passed to
/// takes (the core's serde reading of a date).
fn date_arg<D: DeserializeOwned>(text: &str, name: &str) -> Result<D, IchigenError> {
    serde_json::from_value(Value::String(text.to_owned())).map_err(|_| {
        IchigenError::from(Error::InvalidInput(CoreIssue::new(
            "INPUT_BAD_DATE",
            format!("$.{name}"),
            "expected a date as YYYY-MM-DD",
        )))
    })
}

/// An optional JSON text argument: absent is JSON `null`.
fn optional_json_arg(text: Option<String>, name: &str) -> Result<Value, IchigenError> {
    text.map_or(Ok(Value::Null), |t| json_arg(&t, name))
}

/// A JSON value as compact text.
fn json_text(value: &Value) -> String {
    value.to_string()
}

/// Reads a part of a core output into a binding record. The shapes are the core's
/// documented outputs, so a failure here is a binding bug, reported as such.
fn read_output<T: DeserializeOwned>(value: Value, what: &str) -> Result<T, IchigenError> {
    serde_json::from_value(value).map_err(|_| output_shape_error(what))
}

/// The error for a core output the binding cannot read (see [`read_output`]).
fn output_shape_error(what: &str) -> IchigenError {
    IchigenError::Unexpected {
        code: "BINDING_OUTPUT_SHAPE".to_owned(),
        message: format!("the core's {what} did not have the shape this binding reads"),
        issues: Vec::new(),
    }
}

/// The clock a call runs at: the given instant, or the system clock when absent.
fn clock_at(now: Option<SystemTime>) -> Box<dyn Clock> {
    match now {
        Some(t) => Box::new(FixedClock(t.into())),
        None => Box::new(SystemClock),
    }
}
