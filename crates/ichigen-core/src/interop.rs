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

pub use crate::identity::json::{
    customer_summary, customer_triage_facts, describe_identity_config, identity_session,
    load_identity_config, mask_customer, normalize_identity, parse_decisions,
    parse_identity_record, parse_identity_records, placement_value, resolution_value,
    resolve_identities,
};
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

/// The holidays (and, for China, adjusted working days) of a source for a year:
/// `{"holidays": [{date, name}], "workdays": [{date, name}]}`. `source` is `"japan"`,
/// `"china"` or any [`HolidaySource`](crate::calendar::HolidaySource) as JSON.
pub fn holidays(source: Value, year: i64) -> Result<Value, Error> {
    let source: crate::calendar::HolidaySource = decode_arg(source, "source")?;
    let year = i32::try_from(year).map_err(|_| {
        Error::InvalidInput(Issue::new(
            "INPUT_BAD_VALUE",
            "$.year",
            "expected a year that fits 32 bits",
        ))
    })?;
    let (holidays, workdays) = crate::calendar::holidays_of_year(&source, year)?;
    Ok(json!({ "holidays": to_value(&holidays), "workdays": to_value(&workdays) }))
}

/// Builds a calendar from a definition, or from an array of definitions composed
/// (a day is a business day only when every one is open).
pub fn load_calendar(calendar: Value) -> Result<crate::calendar::BusinessCalendar, Error> {
    use crate::calendar::{BusinessCalendar, CalendarDef};
    let nest = |e: Error, i: usize| match e {
        Error::InvalidCalendar(issues) => Error::InvalidCalendar(
            issues
                .into_iter()
                .map(|mut issue| {
                    issue.path = format!("$[{i}]{}", issue.path.trim_start_matches('$'));
                    issue
                })
                .collect(),
        ),
        other => other,
    };
    match calendar {
        Value::Array(items) => {
            let mut built = Vec::new();
            for (i, item) in items.into_iter().enumerate() {
                let def = CalendarDef::from_value(item).map_err(|e| nest(e, i))?;
                built.push(BusinessCalendar::build(&def).map_err(|e| nest(e, i))?);
            }
            let refs: Vec<&BusinessCalendar> = built.iter().collect();
            BusinessCalendar::intersect(&refs)
        }
        other => BusinessCalendar::build(&CalendarDef::from_value(other)?),
    }
}

/// Answers questions about a calendar, in order: `{"answers": [...]}`. Each question
/// is one of `{"is_business_day": date}`, `{"next_business_day": date}`,
/// `{"previous_business_day": date}`, `{"on_or_after": date}`, `{"on_or_before": date}`,
/// `{"add_business_days": {"date", "days"}}`, `{"count_business_days": {"from", "to"}}`,
/// `{"explain": date}`. The first question the calendar cannot answer is the error.
pub fn calendar_answers(
    calendar: &crate::calendar::BusinessCalendar,
    questions: Value,
) -> Result<Value, Error> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "snake_case", deny_unknown_fields)]
    enum Question {
        IsBusinessDay(chrono::NaiveDate),
        NextBusinessDay(chrono::NaiveDate),
        PreviousBusinessDay(chrono::NaiveDate),
        OnOrAfter(chrono::NaiveDate),
        OnOrBefore(chrono::NaiveDate),
        AddBusinessDays {
            date: chrono::NaiveDate,
            days: i64,
        },
        CountBusinessDays {
            from: chrono::NaiveDate,
            to: chrono::NaiveDate,
        },
        Explain(chrono::NaiveDate),
    }
    let questions: Vec<Question> = decode_arg(questions, "questions")?;
    let mut answers = Vec::with_capacity(questions.len());
    for q in questions {
        let a = match q {
            Question::IsBusinessDay(d) => json!(calendar.is_business_day(d)?),
            Question::NextBusinessDay(d) => json!(calendar.next_business_day(d)?),
            Question::PreviousBusinessDay(d) => json!(calendar.previous_business_day(d)?),
            Question::OnOrAfter(d) => json!(calendar.on_or_after(d)?),
            Question::OnOrBefore(d) => json!(calendar.on_or_before(d)?),
            Question::AddBusinessDays { date, days } => {
                json!(calendar.add_business_days(date, days)?)
            }
            Question::CountBusinessDays { from, to } => {
                json!(calendar.count_business_days(from, to)?)
            }
            Question::Explain(d) => {
                let e = calendar.explain(d)?;
                let text: Vec<String> = e.reasons.iter().map(|r| r.describe()).collect();
                let mut v = to_value(&e);
                v["text"] = json!(text);
                v
            }
        };
        answers.push(a);
    }
    Ok(json!({ "answers": answers }))
}

/// Loads a shipping policy from its JSON definition.
pub fn load_shipping_policy(policy: Value) -> Result<crate::shipdate::ShippingPolicy, Error> {
    crate::shipdate::ShippingPolicy::from_value(policy)
}

fn plan_value(plan: &crate::shipdate::ShipPlan) -> Value {
    let mut v = to_value(plan);
    let mut ctx = TriageContext::default();
    plan.triage_facts(&mut ctx);
    v["explanation"] = json!(plan.explanation());
    v["context"] = to_value(&ctx);
    v
}

/// Plans one request (a [`PlanRequest`](crate::shipdate::PlanRequest) as JSON).
/// Today is the clock's date in the request's zone. The plan as JSON, plus
/// `"explanation"` (sentences) and `"context"` (the triage facts it establishes).
pub fn plan_ship_date(
    policy: &crate::shipdate::ShippingPolicy,
    request: Value,
    clock: &dyn Clock,
) -> Result<Value, Error> {
    let req: crate::shipdate::PlanRequest = decode_arg(request, "request")?;
    let today = clock.today_in(req.zone.unwrap_or(policy.zone()));
    Ok(plan_value(&policy.plan(&req, today)?))
}

/// Plans an order (its farthest recipient); today is the clock's date in the
/// order's zone. Same output as [`plan_ship_date`].
pub fn plan_order_ship_date(
    policy: &crate::shipdate::ShippingPolicy,
    order: Value,
    clock: &dyn Clock,
) -> Result<Value, Error> {
    let order = parse_order(order)?;
    let today = clock.today_in(order.shop_zone);
    Ok(plan_value(&policy.plan_order(&order, today)?))
}

/// Prepares a batch planner: `policies` an array of policy definitions, `carriers`
/// an array of carrier codes (or null: the policies' default carrier), `zone` the
/// shops' zone (or null: Asia/Tokyo).
pub fn batch_planner(
    policies: Value,
    carriers: Value,
    zone: Value,
) -> Result<crate::shipdate::batch::BatchPlanner, Error> {
    let defs: Vec<Value> = decode_arg(policies, "policies")?;
    let mut built = Vec::with_capacity(defs.len());
    for (i, d) in defs.into_iter().enumerate() {
        built.push(load_shipping_policy(d).map_err(|e| {
            match e {
                Error::InvalidShipping(issues) => Error::InvalidShipping(
                    issues
                        .into_iter()
                        .map(|mut issue| {
                            issue.path =
                                format!("$.policies[{i}]{}", issue.path.trim_start_matches('$'));
                            issue
                        })
                        .collect(),
                ),
                other => other,
            }
        })?);
    }
    let carriers: Vec<String> = if carriers.is_null() {
        Vec::new()
    } else {
        decode_arg(carriers, "carriers")?
    };
    let zone: chrono_tz::Tz = if zone.is_null() {
        chrono_tz::Asia::Tokyo
    } else {
        decode_arg(zone, "zone")?
    };
    let refs: Vec<&crate::shipdate::ShippingPolicy> = built.iter().collect();
    let names: Vec<&str> = carriers.iter().map(String::as_str).collect();
    crate::shipdate::batch::BatchPlanner::new(&refs, &names, zone)
}

/// Plans rows given as JSON columns (for vectors and small batches; bindings pass
/// typed columns to [`BatchPlanner::plan`](crate::shipdate::batch::BatchPlanner::plan)):
/// `ordered_at` (RFC 3339), `destination` (prefecture codes or names), and optional
/// `policy`, `carrier` (indexes), `service` (`ambient`/`chilled`/`frozen`),
/// `handling_days`, `designated` (dates or null). Returns columns `status` (names),
/// `ship_date`, `delivery_date`, `latest_ship_date` (dates or null) and
/// `transit_days` (numbers or null). Today is the clock's date in the planner's zone.
pub fn plan_batch(
    planner: &crate::shipdate::batch::BatchPlanner,
    columns: Value,
    clock: &dyn Clock,
) -> Result<Value, Error> {
    use crate::shipdate::batch::{self, Columns, NO_DATE, STATUS_NAMES};
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct JsonColumns {
        ordered_at: Vec<chrono::DateTime<chrono::Utc>>,
        destination: Vec<String>,
        #[serde(default)]
        policy: Option<Vec<u32>>,
        #[serde(default)]
        carrier: Option<Vec<u32>>,
        #[serde(default)]
        service: Option<Vec<crate::order::TemperatureZone>>,
        #[serde(default)]
        handling_days: Option<Vec<u32>>,
        #[serde(default)]
        designated: Option<Vec<Option<chrono::NaiveDate>>>,
    }
    let c: JsonColumns = decode_arg(columns, "columns")?;
    let at: Vec<i64> = c.ordered_at.iter().map(|t| t.timestamp()).collect();
    // An unknown prefecture becomes code 0, which the planner reports per row.
    let dest: Vec<u8> = c
        .destination
        .iter()
        .map(|d| crate::shipdate::prefecture::find(d).map_or(0, |p| p.code))
        .collect();
    let service: Option<Vec<u8>> = c
        .service
        .map(|v| v.into_iter().map(batch::service_code).collect());
    let designated: Option<Vec<i32>> = c.designated.map(|v| {
        v.into_iter()
            .map(|d| d.map_or(NO_DATE, batch::epoch_days))
            .collect()
    });
    let cols = Columns {
        ordered_at: &at,
        policy: c.policy.as_deref(),
        destination: &dest,
        carrier: c.carrier.as_deref(),
        service: service.as_deref(),
        handling_days: c.handling_days.as_deref(),
        designated: designated.as_deref(),
    };
    let today = batch::epoch_days(clock.today_in(planner.zone()));
    let out = planner.plan(&cols, today)?;
    let dates = |v: &[i32]| -> Value {
        Value::Array(
            v.iter()
                .map(|&d| {
                    if d == NO_DATE {
                        Value::Null
                    } else {
                        to_value(&batch::from_epoch_days(d))
                    }
                })
                .collect(),
        )
    };
    Ok(json!({
        "status": out.status.iter().map(|&s| STATUS_NAMES[usize::from(s)]).collect::<Vec<_>>(),
        "ship_date": dates(&out.ship_date),
        "delivery_date": dates(&out.delivery_date),
        "latest_ship_date": dates(&out.latest_ship_date),
        "transit_days": out.transit_days.iter().map(|&t| if t == u8::MAX { Value::Null } else { json!(t) }).collect::<Vec<_>>(),
    }))
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
