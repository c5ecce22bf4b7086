//! The Rust runner for the language-neutral vectors in `tests/vectors/`
//! (format: `tests/vectors/README.md`).

use std::path::{Path, PathBuf};

use ichigen_core::clock::FixedClock;
use ichigen_core::interop;
use serde_json::{Map, Value, json};

/// The instant vectors run at unless they say otherwise.
pub const DEFAULT_NOW: &str = "2026-11-23T03:00:00Z";

/// The folder holding the vectors, found from this crate's manifest.
pub fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors")
}

/// Every vector file below `dir`, sorted.
pub fn vector_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json")
                && p.file_name().is_some_and(|n| n != "sample_order.json")
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Expands `{"$sample": {...}}` into the sample order with overrides, anywhere in `v`.
pub fn expand_samples(v: Value, sample: &Value) -> Value {
    match v {
        Value::Object(mut m) => {
            if m.len() == 1 {
                if let Some(overrides) = m.remove("$sample") {
                    let mut base = sample.clone();
                    if let (Value::Object(b), Value::Object(o)) = (&mut base, overrides) {
                        for (k, val) in o {
                            if val.is_null() {
                                b.remove(&k);
                            } else {
                                b.insert(k, val);
                            }
                        }
                    }
                    return base;
                }
            }
            Value::Object(
                m.into_iter()
                    .map(|(k, val)| (k, expand_samples(val, sample)))
                    .collect(),
            )
        }
        Value::Array(a) => Value::Array(a.into_iter().map(|x| expand_samples(x, sample)).collect()),
        other => other,
    }
}

/// Whether `actual` matches `expected` as a subset (see the README). On mismatch,
/// returns the path and a description.
pub fn subset_match(expected: &Value, actual: &Value, path: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let Some(av) = a.get(k) else {
                    return Err(format!("{path}.{k}: missing in output"));
                };
                subset_match(ev, av, &format!("{path}.{k}"))?;
            }
            Ok(())
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                return Err(format!(
                    "{path}: expected {} elements, got {}: {}",
                    e.len(),
                    a.len(),
                    actual
                ));
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                subset_match(ev, av, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        (Value::Number(e), Value::Number(a)) if e.as_f64() == a.as_f64() => Ok(()),
        (e, a) if e == a => Ok(()),
        (e, a) => Err(format!("{path}: expected {e}, got {a}")),
    }
}

fn field(input: &Map<String, Value>, key: &str) -> Value {
    input.get(key).cloned().unwrap_or(Value::Null)
}

/// Runs one operation; the error side is the error's JSON (`interop::error_value`).
pub fn run_op(op: &str, input: &Map<String, Value>, clock: &FixedClock) -> Result<Value, Value> {
    let err = |e: ichigen_core::Error| interop::error_value(&e);
    let rule_set = || -> Result<ichigen_core::rules::RuleSet, Value> {
        match input.get("toml").and_then(Value::as_str) {
            Some(text) => ichigen_core::rules::RuleSet::from_toml(text).map_err(err),
            None => interop::load_rule_set(field(input, "rule_set")).map_err(err),
        }
    };
    match op {
        "validate_order" => Ok(interop::validate_order(field(input, "order"))),
        "apply_event" => {
            let actor = input
                .get("actor")
                .cloned()
                .unwrap_or_else(|| json!({"kind": "user", "id": "vector"}));
            interop::apply_event(field(input, "order"), field(input, "event"), actor, clock)
                .map_err(err)
        }
        "load_rule_set" => rule_set().map(|r| interop::describe_rule_set(&r)),
        "triage" => interop::triage(
            &rule_set()?,
            field(input, "order"),
            field(input, "context"),
            clock,
        )
        .map_err(err),
        "dry_run" => interop::dry_run(
            &rule_set()?,
            field(input, "orders"),
            field(input, "contexts"),
            clock,
        )
        .map_err(err),
        "holidays" => {
            interop::holidays(field(input, "source"), input["year"].as_i64().unwrap_or(0))
                .map_err(err)
        }
        "calendar" => interop::load_calendar(field(input, "calendar"))
            .and_then(|cal| interop::calendar_answers(&cal, field(input, "questions")))
            .map_err(err),
        "ship_date" => {
            let policy = interop::load_shipping_policy(field(input, "policy")).map_err(err)?;
            match input.get("order") {
                Some(order) => interop::plan_order_ship_date(&policy, order.clone(), clock),
                None => interop::plan_ship_date(&policy, field(input, "request"), clock),
            }
            .map_err(err)
        }
        "ship_date_batch" => interop::batch_planner(
            field(input, "policies"),
            field(input, "carriers"),
            field(input, "zone"),
        )
        .and_then(|planner| interop::plan_batch(&planner, field(input, "columns"), clock))
        .map_err(err),
        "ship_date_triage" => {
            // The plan's facts join the given context, then triage reads them.
            let policy = interop::load_shipping_policy(field(input, "policy")).map_err(err)?;
            let plan = interop::plan_order_ship_date(&policy, field(input, "order"), clock)
                .map_err(err)?;
            let mut context = match field(input, "context") {
                Value::Object(m) => m,
                _ => Map::new(),
            };
            if let Value::Object(facts) = &plan["context"] {
                for (k, v) in facts {
                    context.insert(k.clone(), v.clone());
                }
            }
            let out = interop::triage(
                &rule_set()?,
                field(input, "order"),
                Value::Object(context),
                clock,
            )
            .map_err(err)?;
            Ok(json!({"plan": plan, "outcome": out["outcome"], "order": out["order"]}))
        }
        "identity_normalize" => interop::normalize_identity(
            input.get("field").and_then(Value::as_str).unwrap_or(""),
            field(input, "value"),
            field(input, "relays"),
        )
        .map_err(err),
        "identity_config" => interop::load_identity_config(field(input, "config"))
            .map(|c| interop::describe_identity_config(&c))
            .map_err(err),
        "identity_resolve" => interop::resolve_identities(
            field(input, "config"),
            field(input, "records"),
            field(input, "decisions"),
        )
        .map_err(err),
        "identity_session" => {
            interop::identity_session(field(input, "config"), field(input, "steps")).map_err(err)
        }
        "customer_summary" => interop::customer_summary(Value::Object(input.clone())).map_err(err),
        "identity_mask" => interop::mask_customer(Value::Object(input.clone())).map_err(err),
        "customer_triage" => {
            // The customer's facts become the triage context's `customer`.
            let facts =
                interop::customer_triage_facts(Value::Object(input.clone())).map_err(err)?;
            let out = interop::triage(
                &rule_set()?,
                field(input, "order"),
                json!({"customer": facts}),
                clock,
            )
            .map_err(err)?;
            Ok(json!({"customer": facts, "outcome": out["outcome"]}))
        }
        "stock_session" => {
            ichigen_core::stock::json::stock_session(Value::Object(input.clone())).map_err(err)
        }
        "stock_drop_ship" => {
            ichigen_core::stock::json::drop_ship(Value::Object(input.clone())).map_err(err)
        }
        "stock_allocate" => {
            ichigen_core::stock::json::allocate(Value::Object(input.clone())).map_err(err)
        }
        "stock_reorder_formula" => {
            ichigen_core::stock::json::reorder_formula(Value::Object(input.clone())).map_err(err)
        }
        "stock_triage" => {
            // The order is reserved after the steps; its stock facts become the
            // triage context.
            let mut session = ichigen_core::stock::json::StockSession::new(
                field(input, "catalog"),
                field(input, "levels"),
                field(input, "policy"),
                Value::Null,
            )
            .map_err(err)?;
            if let Value::Array(steps) = field(input, "steps") {
                for step in steps {
                    session.step(step).map_err(err)?;
                }
            }
            let reservation = session.reserve_order(field(input, "order")).map_err(err)?;
            let out = interop::triage(
                &rule_set()?,
                field(input, "order"),
                reservation["facts"].clone(),
                clock,
            )
            .map_err(err)?;
            Ok(json!({"reservation": reservation, "outcome": out["outcome"]}))
        }
        op if op.starts_with("shipment_") => shipment_op(op, input, clock, rule_set),
        op if op.starts_with("analytics_") => analytics_op(op, input),
        other => Err(json!({"code": "VECTOR_UNKNOWN_OP", "message": other})),
    }
}

/// The analytics ops: each builds the history from `history` (if the op takes
/// one), then calls the JSON face with `query`, `config`, `summary` or `options`.
fn analytics_op(op: &str, input: &Map<String, Value>) -> Result<Value, Value> {
    use ichigen_core::analytics::json as an;
    let err = |e: ichigen_core::Error| interop::error_value(&e);
    let f = |k: &str| field(input, k);
    let history = || an::history(f("history"), "$.history").map_err(err);
    match op {
        "analytics_history" => history().map(|h| an::describe(&h)),
        "analytics_sales" => an::sales(&history()?, f("query")).map_err(err),
        "analytics_rfm" => an::rfm(&history()?, f("config")).map_err(err),
        "analytics_cpm" => an::cpm(&history()?, f("config")).map_err(err),
        "analytics_balance_sheet" => an::balance_sheet(&history()?, f("config")).map_err(err),
        "analytics_repeat" => an::repeat(&history()?, f("config")).map_err(err),
        "analytics_clv_summary" => an::clv_summary(&history()?, f("config")).map_err(err),
        "analytics_clv_fit" => an::clv_fit(f("summary"), f("options")).map_err(err),
        "analytics_clv_predict" => an::clv_predict(f("summary"), f("options")).map_err(err),
        other => Err(json!({"code": "VECTOR_UNKNOWN_OP", "message": other})),
    }
}

/// The shipment ops: each builds a planner from `options`, then calls the JSON face.
fn shipment_op(
    op: &str,
    input: &Map<String, Value>,
    clock: &FixedClock,
    rule_set: impl Fn() -> Result<ichigen_core::rules::RuleSet, Value>,
) -> Result<Value, Value> {
    use ichigen_core::shipment::json as ship;
    let err = |e: ichigen_core::Error| interop::error_value(&e);
    let planner = ship::planner(field(input, "options")).map_err(err)?;
    let f = |k: &str| field(input, k);
    match op {
        "shipment_split" => ship::split(&planner, f("order"), f("stock")).map_err(err),
        "shipment_mail" => ship::mail(&planner, f("order")).map_err(err),
        "shipment_merge_candidates" => {
            ship::merge_candidates(&planner, f("orders"), f("facts")).map_err(err)
        }
        "shipment_merge_check" => ship::merge_check(&planner, f("orders"), f("facts")).map_err(err),
        "shipment_merge" => ship::merge(&planner, f("orders"), f("facts"), f("stock")).map_err(err),
        "shipment_unmerge" => {
            // Without a `merged` plan the orders are merged first.
            let merged = match input.get("merged") {
                Some(m) => m.clone(),
                None => ship::merge(&planner, f("orders"), f("facts"), f("stock")).map_err(err)?,
            };
            let out =
                ship::unmerge(&planner, merged.clone(), f("orders"), f("stock")).map_err(err)?;
            Ok(json!({"merged": merged, "plans": out["plans"]}))
        }
        "shipment_triage" => {
            // The mail judgement's facts (and, with `orders`, the merge-candidate
            // flag of the order) join the given context, then triage reads them.
            let mail = ship::mail(&planner, f("order")).map_err(err)?;
            let mut context = match f("context") {
                Value::Object(m) => m,
                _ => Map::new(),
            };
            if let Value::Object(facts) = &mail["facts"] {
                for (k, v) in facts {
                    context.insert(k.clone(), v.clone());
                }
            }
            if input.contains_key("orders") {
                let found =
                    ship::merge_candidates(&planner, f("orders"), f("facts")).map_err(err)?;
                let id = f("order")["id"].clone();
                let flag = id
                    .as_str()
                    .and_then(|id| found["context"][id].get("merge_candidate").cloned())
                    .unwrap_or(Value::Bool(false));
                context.insert("merge_candidate".into(), flag);
            }
            let out = interop::triage(&rule_set()?, f("order"), Value::Object(context), clock)
                .map_err(err)?;
            Ok(json!({"mail": mail, "outcome": out["outcome"]}))
        }
        other => Err(json!({"code": "VECTOR_UNKNOWN_OP", "message": other})),
    }
}

/// Runs one vector file; `Err` explains the failure.
pub fn run_file(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    let vector: Value = serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))?;
    let sample: Value =
        serde_json::from_str(ichigen_core::sample::ORDER_JSON).map_err(|e| e.to_string())?;
    let vector = expand_samples(vector, &sample);
    let op = vector["op"].as_str().ok_or("missing op")?;
    let now = vector
        .get("now")
        .and_then(Value::as_str)
        .unwrap_or(DEFAULT_NOW);
    let clock = FixedClock::parse(now).map_err(|e| format!("bad now: {e}"))?;
    let input = vector["input"].as_object().ok_or("missing input object")?;
    let result = run_op(op, input, &clock);
    match (vector.get("expect"), vector.get("expect_error"), result) {
        (Some(expect), None, Ok(out)) => subset_match(expect, &out, "$"),
        (Some(_), None, Err(e)) => Err(format!("expected success, got error {e}")),
        (None, Some(expect), Err(e)) => subset_match(expect, &e, "$error"),
        (None, Some(_), Ok(out)) => Err(format!("expected an error, got {out}")),
        _ => Err("a vector has exactly one of expect and expect_error".into()),
    }
}
