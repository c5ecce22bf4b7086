//! The JSON-value face of the core, shared by every binding and vector runner.
//!
//! The Python, Node and Swift bindings turn their native values (dicts, objects,
//! strings) into [`serde_json::Value`] and call these functions, so that parsing,
//! validation and error codes are the same in every language. Each function decodes
//! its arguments with the same checks as the typed API and reports a problem in an
//! argument with the argument's name in the path (`$.event.type`, `$.context.customer`).
//!
//! ```
//! use ichigen_core::clock::FixedClock;
//! use ichigen_core::interop;
//! use serde_json::json;
//!
//! let order: serde_json::Value = serde_json::from_str(ichigen_core::sample::ORDER_JSON)?;
//! let report = interop::validate_order(order.clone());
//! assert_eq!(report["valid"], json!(true));
//!
//! let clock = FixedClock::parse("2026-11-23T03:00:00Z")?;
//! let out = interop::apply_event(order, json!({"type": "add_tag", "tag": "VIP"}), json!({"kind": "system"}), &clock)?;
//! assert_eq!(out["order"]["state"]["tags"], json!(["VIP"]));
//! assert_eq!(out["applied"], json!("changed"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::clock::Clock;
use crate::error::{Error, Issue, issue_from_serde, json_path};
use crate::lifecycle::{Actor, Applied, OrderEvent};
use crate::order::Order;
use crate::rules::{self, RuleSet, TriageContext};
use crate::validate::{compute_totals, decode_order, validate_order as check};

fn to_value<T: Serialize>(v: &T) -> Value {
    // Our types serialize to JSON without failure: string keys, no non-finite floats.
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn decode_arg<T: DeserializeOwned>(value: Value, name: &str) -> Result<T, Error> {
    let base = format!("$.{name}");
    serde_path_to_error::deserialize::<_, T>(value.clone()).map_err(|e| {
        let mut path = json_path(&base, e.path());
        if path == base {
            // Internally tagged enums (events, actors) buffer their fields, and serde
            // loses the path inside them; find the field by leaving one out at a time.
            if let Some(field) = offending_field::<T>(&value) {
                crate::error::push_key(&mut path, &field);
            }
        }
        let mut issue = issue_from_serde("INPUT", &path, &e.inner().to_string());
        issue.code = format!("INPUT_{}", issue.code.trim_start_matches("INPUT_"));
        Error::InvalidInput(issue)
    })
}

/// The field of a `{"type": ..., ...}` object whose removal cures the error (or turns
/// it into "missing field" for that very field): the one that is wrong.
fn offending_field<T: DeserializeOwned>(value: &Value) -> Option<String> {
    let Value::Object(map) = value else {
        return None;
    };
    if !map.contains_key("type") && !map.contains_key("kind") {
        return None;
    }
    map.keys()
        .filter(|k| *k != "type" && *k != "kind")
        .find_map(|k| {
            let mut without = map.clone();
            without.remove(k);
            match serde_json::from_value::<T>(Value::Object(without)) {
                Ok(_) => Some(k.clone()),
                Err(e) if e.to_string().starts_with(&format!("missing field `{k}`")) => {
                    Some(k.clone())
                }
                Err(_) => None,
            }
        })
}

/// Validates an order given as JSON and reports, without failing:
/// `{"valid": bool, "issues": [{code, path, message}], "totals": {...} | null}`.
/// Totals are present whenever the order could be decoded.
pub fn validate_order(order: Value) -> Value {
    match decode_order(order) {
        Err(issue) => json!({ "valid": false, "issues": [issue], "totals": null }),
        Ok(order) => {
            let issues = check(&order);
            json!({ "valid": issues.is_empty(), "issues": issues, "totals": to_value(&compute_totals(&order)) })
        }
    }
}

/// Decodes and validates an order; `ORDER_INVALID` with every issue otherwise.
pub fn parse_order(order: Value) -> Result<Order, Error> {
    crate::validate::parse_order_value(order)
}

/// Applies one lifecycle event and returns
/// `{"order": ..., "status": "...", "applied": "changed" | "unchanged"}`.
///
/// The order must be valid. A refused event is an error with its `LIFECYCLE_*` code.
pub fn apply_event(
    order: Value,
    event: Value,
    actor: Value,
    clock: &dyn Clock,
) -> Result<Value, Error> {
    let mut order = parse_order(order)?;
    let event: OrderEvent = decode_arg(event, "event")?;
    let actor: Actor = decode_arg(actor, "actor")?;
    let applied = crate::lifecycle::apply(&mut order, &event, &actor, clock)?;
    Ok(json!({
        "status": order.state.status(),
        "applied": match applied { Applied::Changed => "changed", Applied::Unchanged => "unchanged" },
        "order": to_value(&order),
    }))
}

/// Loads a rule set from a JSON value.
pub fn load_rule_set(rule_set: Value) -> Result<RuleSet, Error> {
    RuleSet::from_value(rule_set)
}

/// A summary of a loaded rule set: `{"name", "mode", "rules": [ids]}`.
pub fn describe_rule_set(rules: &RuleSet) -> Value {
    let ids: Vec<&str> = rules
        .definition()
        .rules
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    json!({ "name": rules.name(), "mode": rules.mode(), "rules": ids })
}

/// The full definition of a loaded rule set, as JSON.
pub fn rule_set_definition(rules: &RuleSet) -> Value {
    to_value(rules.definition())
}

/// Triage of one order: `{"order": ..., "outcome": ...}`. `context` may be null.
pub fn triage(
    rules: &RuleSet,
    order: Value,
    context: Value,
    clock: &dyn Clock,
) -> Result<Value, Error> {
    let order = parse_order(order)?;
    let ctx: TriageContext = if context.is_null() {
        TriageContext::default()
    } else {
        decode_arg(context, "context")?
    };
    let (order, outcome) = rules::triage(rules, &order, &ctx, clock)?;
    Ok(json!({ "order": to_value(&order), "outcome": to_value(&outcome) }))
}

/// Decodes a batch of orders. An order that fails to decode is an error naming its
/// index: a dry-run must not silently skip an order.
pub fn parse_orders(orders: Value) -> Result<Vec<Order>, Error> {
    let Value::Array(items) = orders else {
        return Err(Error::InvalidInput(Issue::new(
            "INPUT_WRONG_TYPE",
            "$.orders",
            "orders must be an array",
        )));
    };
    let mut out = Vec::with_capacity(items.len());
    let mut issues = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        match parse_order(item) {
            Ok(o) => out.push(o),
            Err(e) => issues.extend(e.issues().iter().map(|issue| Issue {
                path: issue.path.replacen('$', &format!("$.orders[{i}]"), 1),
                ..issue.clone()
            })),
        }
    }
    if issues.is_empty() {
        Ok(out)
    } else {
        Err(Error::InvalidOrder(issues))
    }
}

/// Decodes the contexts of a batch: null or an array of contexts (null items allowed).
pub fn parse_contexts(contexts: Value) -> Result<Vec<TriageContext>, Error> {
    match contexts {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                if c.is_null() {
                    Ok(TriageContext::default())
                } else {
                    decode_arg(c, &format!("contexts[{i}]"))
                }
            })
            .collect(),
        _ => Err(Error::InvalidInput(Issue::new(
            "INPUT_WRONG_TYPE",
            "$.contexts",
            "contexts must be an array or null",
        ))),
    }
}

/// Dry-run over a batch (see [`rules::dry_run`]); returns the report as JSON.
pub fn dry_run(
    rules: &RuleSet,
    orders: Value,
    contexts: Value,
    clock: &dyn Clock,
) -> Result<Value, Error> {
    let orders = parse_orders(orders)?;
    let contexts = parse_contexts(contexts)?;
    let report = rules::dry_run(rules, &orders, &contexts, clock)?;
    Ok(to_value(&report))
}

/// An error as JSON: `{"code", "message", "issues": [...]}`, plus for a refused
/// lifecycle event `"event"` (its type) and `"status"` (the order's unchanged
/// status); what bindings raise.
pub fn error_value(error: &Error) -> Value {
    let mut v =
        json!({ "code": error.code(), "message": error.to_string(), "issues": error.issues() });
    if let Error::Lifecycle(e) = error {
        v["event"] = json!(e.event());
        v["status"] = json!(e.status());
    }
    v
}
