//! Orders: validation, parsing and lifecycle events.
//!
//! Doc comments on exported items become the Swift documentation, so the Rust
//! examples live here:
//!
//! ```
//! use ichigen_ffi::{Applied, apply_event, parse_order, sample_order_json, validate_order};
//!
//! let report = validate_order(r#"{"id": 5}"#.to_owned())?;
//! assert!(!report.valid);
//! assert_eq!(report.issues[0].code, "ORDER_WRONG_TYPE");
//!
//! let order = parse_order(sample_order_json())?;
//! let event = r#"{"type": "add_tag", "tag": "VIP"}"#.to_owned();
//! let out = apply_event(order, event, None, None)?;
//! assert_eq!(out.applied, Applied::Changed);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::time::SystemTime;

use ichigen::interop;
use serde::Deserialize;
use serde_json::json;

use crate::{
    IchigenError, Issue, clock_at, json_arg, json_text, optional_json_arg, output_shape_error,
    read_output,
};

/// The verdict on an order, with every problem found.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ValidationReport {
    /// Whether the order has no issue.
    pub valid: bool,
    /// Every problem found, in document order.
    pub issues: Vec<Issue>,
    /// The computed totals as JSON (`{"goods": …, "grand_total": …}`, amounts as
    /// strings); absent when the order could not be decoded at all.
    pub totals_json: Option<String>,
}

/// Validates an order given as JSON text. An invalid order is a report with
/// `valid == false`, not an error; only text that is not JSON throws (`INPUT_PARSE`).
#[uniffi::export]
pub fn validate_order(order_json: String) -> Result<ValidationReport, IchigenError> {
    #[derive(Deserialize)]
    struct Report {
        valid: bool,
        issues: Vec<ichigen::Issue>,
        totals: serde_json::Value,
    }
    let report: Report = read_output(
        interop::validate_order(json_arg(&order_json, "order")?),
        "validation report",
    )?;
    Ok(ValidationReport {
        valid: report.valid,
        issues: report.issues.iter().map(Issue::from).collect(),
        totals_json: (!report.totals.is_null()).then(|| json_text(&report.totals)),
    })
}

/// Decodes and validates an order; returns it as normalized JSON text (every
/// default filled in). Throws `InvalidOrder` with every issue otherwise.
#[uniffi::export]
pub fn parse_order(order_json: String) -> Result<String, IchigenError> {
    let order = interop::parse_order(json_arg(&order_json, "order")?)?;
    // An order always serializes: its fields are strings, numbers and string-keyed maps.
    let value = serde_json::to_value(&order).map_err(|_| output_shape_error("order"))?;
    Ok(json_text(&value))
}

/// Whether an accepted event changed the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Applied {
    /// The order changed (and its history has a new entry).
    Changed,
    /// The event was accepted but had nothing to do (adding a tag already present).
    Unchanged,
}

/// The result of an accepted lifecycle event.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EventResult {
    /// The order's status afterwards (`ready`, `needs_check` …).
    pub status: String,
    /// Whether the event changed anything.
    pub applied: Applied,
    /// The order afterwards, as JSON text.
    pub order_json: String,
}

/// Applies one lifecycle event (JSON text, such as `{"type": "add_tag", "tag": "VIP"}`)
/// to a valid order (JSON text). The actor (JSON text) says who acts, such as
/// `{"kind": "user", "id": "u1"}`; absent, the actor is ichigen itself
/// (`{"kind": "system"}`). `now` is the instant recorded in the history; absent,
/// the system clock. A refused event throws `Lifecycle` with its `LIFECYCLE_*` code.
#[uniffi::export(default(actor_json = None, now = None))]
pub fn apply_event(
    order_json: String,
    event_json: String,
    actor_json: Option<String>,
    now: Option<SystemTime>,
) -> Result<EventResult, IchigenError> {
    #[derive(Deserialize)]
    struct Output {
        status: String,
        applied: String,
        order: serde_json::Value,
    }
    let order = json_arg(&order_json, "order")?;
    let event = json_arg(&event_json, "event")?;
    let actor = match optional_json_arg(actor_json, "actor")? {
        serde_json::Value::Null => json!({ "kind": "system" }),
        actor => actor,
    };
    let out = interop::apply_event(order, event, actor, &*clock_at(now))?;
    let out: Output = read_output(out, "event result")?;
    let applied = match out.applied.as_str() {
        "changed" => Applied::Changed,
        "unchanged" => Applied::Unchanged,
        _ => return Err(output_shape_error("event result")),
    };
    Ok(EventResult {
        status: out.status,
        applied,
        order_json: json_text(&out.order),
    })
}

/// The bundled sample order as JSON text: a valid order to start from.
#[uniffi::export]
pub fn sample_order_json() -> String {
    ichigen::sample::ORDER_JSON.to_owned()
}
