//! Core errors as JS `Error` objects with `.code` and `.issues`.
//!
//! The thrown (or rejected) value is a plain `Error` whose `message` is the core's
//! text, `code` the core's stable code (`ORDER_INVALID`, `RULESET_INVALID`,
//! `LIFECYCLE_*`, `CALENDAR_*`, `SHIPDATE_*`, `IDENTITY_INVALID`, `STOCK_INVALID`,
//! `SHIPMENT_INVALID`, `ANALYTICS_INVALID`, `INPUT_*`) and `issues` an array of
//! `{code, path, message}`.
//! Every kind of core error crosses the same way, told apart by `code`: a new kind
//! (`IDENTITY_INVALID` for customer identity, `STOCK_INVALID` for stock: a catalog,
//! a level, a policy, a refused operation; `SHIPMENT_INVALID` for shipments:
//! options, reservations, facts, a refused merge or unmerge) needs no code here. The
//! core never quotes input values in its messages, and the conversion problems found
//! here (`convert`) say what was expected, never what was given.

use ichigen::{Error, Issue};
use napi::bindgen_prelude::{JsValue, Object};
use napi::{Env, Status};

/// Builds the JS error for a core error; returned as `Err`, napi throws it (or
/// rejects a promise with it) as it is.
pub fn to_js(env: &Env, err: &Error) -> napi::Error {
    let message = err.to_string();
    let build = || -> napi::Result<napi::Error> {
        let mut obj: Object<'_> =
            env.create_error(napi::Error::new(Status::GenericFailure, &message))?;
        obj.set("code", err.code())?;
        obj.set("issues", issues_value(err.issues()))?;
        Ok(napi::Error::from(obj.to_unknown()))
    };
    // Building an object only fails while the environment is shutting down; the
    // plain error still carries the message.
    build().unwrap_or_else(|_| napi::Error::new(Status::GenericFailure, message))
}

fn issues_value(issues: &[Issue]) -> serde_json::Value {
    serde_json::Value::Array(
        issues
            .iter()
            .map(|i| serde_json::json!({ "code": i.code, "path": i.path, "message": i.message }))
            .collect(),
    )
}

/// A problem with an argument, as the core's own input error.
pub fn input(code: &str, path: &str, message: &str) -> Error {
    Error::InvalidInput(Issue::new(code, path, message))
}

/// The largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// A whole number in a result (a customer id) that a JS number cannot carry, at
/// `path` in the result; refused rather than rounded or turned into a BigInt.
pub fn id_out_of_range(path: &str) -> Error {
    input(
        "INPUT_OUT_OF_RANGE",
        path,
        "a whole number in the result (a customer id) is beyond Number.MAX_SAFE_INTEGER (2^53 - 1)",
    )
}

/// Extension for `Result<T, ichigen::Error>`.
pub trait CoreResultExt<T> {
    /// Maps the core's error to a JS error.
    fn or_throw(self, env: &Env) -> napi::Result<T>;
}

impl<T> CoreResultExt<T> for Result<T, Error> {
    fn or_throw(self, env: &Env) -> napi::Result<T> {
        self.map_err(|e| to_js(env, &e))
    }
}
