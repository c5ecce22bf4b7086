//! Orders and their lifecycle: `validateOrder`, `parseOrder`, `applyEvent`.

use ichigen::interop;
use napi::Env;
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;
use serde_json::{Value, json};

use crate::convert::{clock_arg, json_arg, opt_json_arg};
use crate::errors::{CoreResultExt, input};

/// Validates an order (an object or JSON text) and reports `{valid, issues, totals}`.
/// A bad order is reported, not thrown; only an argument that cannot be converted at
/// all throws (`INPUT_*`).
#[napi(
    ts_args_type = "order: OrderInput",
    ts_return_type = "ValidationReport"
)]
pub fn validate_order(env: Env, order: Unknown<'_>) -> napi::Result<Value> {
    let order = json_arg(order, "order").or_throw(&env)?;
    Ok(interop::validate_order(order))
}

/// Decodes and validates an order; returns it normalized, or throws `ORDER_INVALID`
/// with every issue.
#[napi(ts_args_type = "order: OrderInput", ts_return_type = "Order")]
pub fn parse_order(env: Env, order: Unknown<'_>) -> napi::Result<Value> {
    let order = json_arg(order, "order").or_throw(&env)?;
    let parsed = interop::parse_order(order).or_throw(&env)?;
    serde_json::to_value(&parsed)
        .map_err(|_| {
            input(
                "INPUT_WRONG_TYPE",
                "$.order",
                "the parsed order cannot be represented as JSON",
            )
        })
        .or_throw(&env)
}

/// Applies one lifecycle event; returns `{order, status, applied}`. `actor` defaults
/// to `{kind: "system"}`, `now` to the system clock.
#[napi(
    ts_args_type = "order: OrderInput, event: EventInput, actor?: ActorInput | null, now?: Now",
    ts_return_type = "EventResult"
)]
pub fn apply_event(
    env: Env,
    order: Unknown<'_>,
    event: Unknown<'_>,
    actor: Option<Unknown<'_>>,
    now: Option<Unknown<'_>>,
) -> napi::Result<Value> {
    let convert = || {
        let order = json_arg(order, "order")?;
        let event = json_arg(event, "event")?;
        let actor = match opt_json_arg(actor, "actor")? {
            Value::Null => json!({"kind": "system"}),
            given => given,
        };
        let clock = clock_arg(now)?;
        interop::apply_event(order, event, actor, &clock)
    };
    convert().or_throw(&env)
}
