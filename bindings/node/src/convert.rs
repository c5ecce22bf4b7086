//! JS values → `serde_json::Value`, and the `now` argument.
//!
//! In: objects (own and inherited enumerable string keys; properties that are
//! `undefined` are left out, as `JSON.stringify` does), arrays (`undefined` items
//! become null), strings, booleans, null, finite numbers (integers stay integers),
//! BigInt (when it fits 64 bits) and `Date` (an RFC 3339 string in UTC). Money crosses
//! as strings; a fractional JS number in an amount is refused by the core. A record
//! argument may also be the same record as JSON text. Out, the core's JSON goes back
//! through napi's `serde-json` conversion, or through [`to_js`] for results that
//! may exceed napi's budget of a million values per conversion.
//!
//! A problem is an `INPUT_*` error whose issue path names the argument and the place
//! inside it (`$.order.lines[0].unit_price`); messages never quote the value.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use ichigen::Error;
use ichigen::clock::{Clock, FixedClock};
use napi::bindgen_prelude::{JsObjectValue, JsValue, Null, Object, ToNapiValue, Unknown};
use napi::{Env, ValueType};
use serde_json::{Map, Number, Value};

use crate::errors::input;

/// Deeper nesting than this is refused rather than risking the stack (and cycles).
const MAX_DEPTH: usize = 128;

/// The largest integer a JS number holds exactly (2^53 - 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A napi call that failed while reading a value (a throwing getter, a proxy).
/// If JS raised an exception, napi rethrows that one instead of this error.
pub fn unreadable(path: &str) -> Error {
    input("INPUT_WRONG_TYPE", path, "the value cannot be read")
}

/// Converts a record argument: a string is JSON text, anything else a JS value.
pub fn json_arg(value: Unknown<'_>, name: &str) -> Result<Value, Error> {
    let mut path = format!("$.{name}");
    let kind = value.get_type().map_err(|_| unreadable(&path))?;
    if kind == ValueType::String {
        let text = string_of(&value, &path)?;
        return parse_json_text(&text, &path);
    }
    to_value(&value, &mut path, 0)
}

/// Like [`json_arg`], with an absent argument, `undefined` or `null` as JSON null.
pub fn opt_json_arg(value: Option<Unknown<'_>>, name: &str) -> Result<Value, Error> {
    match value {
        None => Ok(Value::Null),
        Some(v) => match v.get_type() {
            Ok(ValueType::Undefined | ValueType::Null) => Ok(Value::Null),
            _ => json_arg(v, name),
        },
    }
}

/// A text argument (JSON or TOML source).
pub fn text_arg(value: Unknown<'_>, name: &str) -> Result<String, Error> {
    let path = format!("$.{name}");
    match value.get_type() {
        Ok(ValueType::String) => string_of(&value, &path),
        _ => Err(input("INPUT_WRONG_TYPE", &path, "expected a string")),
    }
}

/// Parses JSON text; the error names the line and column, never the text.
fn parse_json_text(text: &str, path: &str) -> Result<Value, Error> {
    serde_json::from_str(text).map_err(|e| {
        let message = format!(
            "not well-formed JSON (line {}, column {})",
            e.line(),
            e.column()
        );
        input("INPUT_PARSE", path, &message)
    })
}

fn string_of(value: &Unknown<'_>, path: &str) -> Result<String, Error> {
    value
        .coerce_to_string()
        .and_then(|s| s.into_utf8())
        .and_then(|s| s.into_owned())
        .map_err(|_| unreadable(path))
}

fn number_of(value: &Unknown<'_>, path: &str) -> Result<f64, Error> {
    value
        .coerce_to_number()
        .and_then(|n| n.get_double())
        .map_err(|_| unreadable(path))
}

/// A JS number as JSON: integers (within the exact range) as integers.
fn number_value(n: f64, path: &str) -> Result<Value, Error> {
    if !n.is_finite() {
        return Err(input(
            "INPUT_WRONG_TYPE",
            path,
            "numbers must be finite (not NaN or Infinity)",
        ));
    }
    if n.trunc() == n && n.abs() <= MAX_SAFE_INTEGER {
        // Exact: an integer-valued double within ±2^53 converts without loss.
        return Ok(Value::from(n as i64));
    }
    Number::from_f64(n)
        .map(Value::Number)
        .ok_or_else(|| input("INPUT_WRONG_TYPE", path, "numbers must be finite"))
}

/// A BigInt as a JSON integer, when it fits 64 bits.
fn bigint_value(value: &Unknown<'_>, path: &str) -> Result<Value, Error> {
    let text = string_of(value, path)?;
    if let Ok(i) = text.parse::<i64>() {
        return Ok(Value::from(i));
    }
    text.parse::<u64>()
        .map(Value::from)
        .map_err(|_| input("INPUT_OUT_OF_RANGE", path, "a BigInt must fit in 64 bits"))
}

/// A `Date` as an instant, refusing an invalid date.
fn date_of(value: &Unknown<'_>, path: &str) -> Result<DateTime<Utc>, Error> {
    let ms = number_of(value, path)?;
    let bad = || input("INPUT_BAD_DATE", path, "an invalid Date");
    if !ms.is_finite() {
        return Err(bad());
    }
    // A valid Date holds an integral number of milliseconds within ±8.64e15.
    DateTime::from_timestamp_millis(ms as i64).ok_or_else(bad)
}

/// Appends `.key`, or `["key"]` (cut to 40 characters) when the key is not a plain
/// identifier, the way the core writes its paths.
fn push_key(path: &mut String, key: &str) {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        path.push('.');
        path.push_str(key);
    } else {
        let clipped: String = key.chars().take(40).collect();
        path.push_str(&format!("[{clipped:?}]"));
    }
}

/// Converts a JS value to JSON, `path` being where it sits (for errors).
fn to_value(value: &Unknown<'_>, path: &mut String, depth: usize) -> Result<Value, Error> {
    let kind = value.get_type().map_err(|_| unreadable(path))?;
    match kind {
        ValueType::Undefined | ValueType::Null => Ok(Value::Null),
        ValueType::Boolean => value
            .coerce_to_bool()
            .map(Value::Bool)
            .map_err(|_| unreadable(path)),
        ValueType::Number => number_value(number_of(value, path)?, path),
        ValueType::String => string_of(value, path).map(Value::String),
        ValueType::BigInt => bigint_value(value, path),
        ValueType::Object => {
            if depth >= MAX_DEPTH {
                return Err(input(
                    "INPUT_TOO_DEEP",
                    path,
                    "nested too deeply (or contains itself)",
                ));
            }
            let object = value.coerce_to_object().map_err(|_| unreadable(path))?;
            if value.is_date().map_err(|_| unreadable(path))? {
                let at = date_of(value, path)?;
                Ok(Value::String(
                    at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
                ))
            } else if object.is_array().map_err(|_| unreadable(path))? {
                array_value(&object, path, depth)
            } else {
                object_value(&object, path, depth)
            }
        }
        ValueType::Function | ValueType::Symbol | ValueType::External | ValueType::Unknown => {
            Err(input(
                "INPUT_WRONG_TYPE",
                path,
                "functions, symbols and native objects cannot be converted to JSON",
            ))
        }
    }
}

fn array_value(array: &Object<'_>, path: &mut String, depth: usize) -> Result<Value, Error> {
    let len = array.get_array_length().map_err(|_| unreadable(path))?;
    let mut items = Vec::with_capacity(len as usize);
    let base = path.len();
    for i in 0..len {
        path.push_str(&format!("[{i}]"));
        let item: Unknown<'_> = array.get_element(i).map_err(|_| unreadable(path))?;
        items.push(to_value(&item, path, depth + 1)?);
        path.truncate(base);
    }
    Ok(Value::Array(items))
}

fn object_value(object: &Object<'_>, path: &mut String, depth: usize) -> Result<Value, Error> {
    let keys = Object::keys(object).map_err(|_| unreadable(path))?;
    let mut map = Map::new();
    let base = path.len();
    for key in keys {
        push_key(path, &key);
        let item: Option<Unknown<'_>> = object.get(&key).map_err(|_| unreadable(path))?;
        if let Some(item) = item {
            map.insert(key, to_value(&item, path, depth + 1)?);
        }
        path.truncate(base);
    }
    Ok(Value::Object(map))
}

/// The clock a call runs at: the wall clock, or a fixed instant given as `now`.
#[derive(Debug, Clone, Copy)]
pub enum NowClock {
    /// `now` absent, `undefined` or `null`: the system clock.
    System,
    /// `now` a `Date` or an RFC 3339 string.
    Fixed(FixedClock),
}

impl Clock for NowClock {
    fn now(&self) -> DateTime<Utc> {
        match self {
            NowClock::System => ichigen::SystemClock.now(),
            NowClock::Fixed(c) => c.now(),
        }
    }
}

/// Reads the `now` argument.
pub fn clock_arg(now: Option<Unknown<'_>>) -> Result<NowClock, Error> {
    let Some(now) = now else {
        return Ok(NowClock::System);
    };
    let path = "$.now";
    match now.get_type().map_err(|_| unreadable(path))? {
        ValueType::Undefined | ValueType::Null => Ok(NowClock::System),
        ValueType::String => {
            let text = string_of(&now, path)?;
            FixedClock::parse(&text).map(NowClock::Fixed).map_err(|_| {
                input(
                    "INPUT_BAD_DATE",
                    path,
                    "not an RFC 3339 date-time such as 2026-11-23T09:00:00+09:00",
                )
            })
        }
        ValueType::Object if now.is_date().map_err(|_| unreadable(path))? => {
            Ok(NowClock::Fixed(FixedClock(date_of(&now, path)?)))
        }
        _ => Err(input(
            "INPUT_WRONG_TYPE",
            path,
            "expected a Date or an RFC 3339 string",
        )),
    }
}

/// Converts a JS value to JSON without reading a string as JSON text (a name such
/// as `"japan"`, a zone such as `"Asia/Tokyo"`); absent, `undefined` and `null` are
/// JSON null.
pub fn value_arg(value: Option<Unknown<'_>>, name: &str) -> Result<Value, Error> {
    let Some(value) = value else {
        return Ok(Value::Null);
    };
    let mut path = format!("$.{name}");
    to_value(&value, &mut path, 0)
}

/// A whole number argument (a JS number without a fraction, or a BigInt), at `path`.
pub fn integer_arg(value: Unknown<'_>, path: &str) -> Result<i64, Error> {
    match value.get_type().map_err(|_| unreadable(path))? {
        ValueType::Number => {
            let n = number_of(&value, path)?;
            if n.is_finite() && n.trunc() == n && n.abs() <= MAX_SAFE_INTEGER {
                // Exact: an integer-valued double within ±2^53 converts without loss.
                Ok(n as i64)
            } else {
                Err(input(
                    "INPUT_BAD_VALUE",
                    path,
                    "expected a whole number within ±2^53",
                ))
            }
        }
        ValueType::BigInt => match bigint_value(&value, path)? {
            Value::Number(n) => n
                .as_i64()
                .ok_or_else(|| input("INPUT_OUT_OF_RANGE", path, "a BigInt must fit in 64 bits")),
            _ => Err(unreadable(path)),
        },
        _ => Err(input("INPUT_WRONG_TYPE", path, "expected a number")),
    }
}

/// A calendar date argument: a string `YYYY-MM-DD`, at `path`.
pub fn date_arg(value: Unknown<'_>, path: &str) -> Result<NaiveDate, Error> {
    let bad = || input("INPUT_BAD_DATE", path, "expected a date as YYYY-MM-DD");
    match value.get_type().map_err(|_| unreadable(path))? {
        ValueType::String => string_of(&value, path)?
            .parse::<NaiveDate>()
            .map_err(|_| bad()),
        _ => Err(bad()),
    }
}

/// The `today` of a batch: a `YYYY-MM-DD` string, or a `Date` (an instant, whose
/// date `today_of` takes in the planner's zone); absent, `undefined` or `null` is the
/// system clock's date there.
pub fn today_arg(
    value: Option<Unknown<'_>>,
    today_of: impl Fn(&dyn Clock) -> NaiveDate,
) -> Result<NaiveDate, Error> {
    let path = "$.today";
    let Some(value) = value else {
        return Ok(today_of(&ichigen::SystemClock));
    };
    match value.get_type().map_err(|_| unreadable(path))? {
        ValueType::Undefined | ValueType::Null => Ok(today_of(&ichigen::SystemClock)),
        ValueType::String => date_arg(value, path),
        ValueType::Object if value.is_date().map_err(|_| unreadable(path))? => {
            Ok(today_of(&FixedClock(date_of(&value, path)?)))
        }
        _ => Err(input(
            "INPUT_WRONG_TYPE",
            path,
            "expected a date as YYYY-MM-DD or a Date",
        )),
    }
}

/// A JS value as an object whose properties are read one by one (a columns
/// argument); `path` names it for errors.
pub fn object_arg<'env>(value: &Unknown<'env>, path: &str) -> Result<Object<'env>, Error> {
    let kind = value.get_type().map_err(|_| unreadable(path))?;
    let is_array = kind == ValueType::Object
        && value
            .coerce_to_object()
            .and_then(|o| o.is_array())
            .map_err(|_| unreadable(path))?;
    if kind != ValueType::Object || is_array {
        return Err(input("INPUT_WRONG_TYPE", path, "expected an object"));
    }
    value.coerce_to_object().map_err(|_| unreadable(path))
}

/// The own enumerable keys of an object.
pub fn keys_of(object: &Object<'_>, path: &str) -> Result<Vec<String>, Error> {
    Object::keys(object).map_err(|_| unreadable(path))
}

/// A property of an object, `None` when absent, `undefined` or `null`.
pub fn property<'env>(
    object: &Object<'env>,
    key: &str,
    path: &str,
) -> Result<Option<Unknown<'env>>, Error> {
    let item: Option<Unknown<'env>> = object.get(key).map_err(|_| unreadable(path))?;
    match item {
        None => Ok(None),
        Some(v) => match v.get_type().map_err(|_| unreadable(path))? {
            ValueType::Undefined | ValueType::Null => Ok(None),
            _ => Ok(Some(v)),
        },
    }
}

/// A JSON result as a JS value. napi's own conversion refuses more than 1,000,000
/// values at once (a guard against JS object graphs that expand exponentially),
/// which a resolution of some 70,000 records already holds; a result is a tree the
/// core built from the input, so it is converted whole. Integers beyond ±(2^53 - 1)
/// become the nearest double: callers that may meet one check first.
pub fn to_js<'env>(env: &'env Env, value: &Value) -> napi::Result<Unknown<'env>> {
    match value {
        Value::Null => Null.into_unknown(env),
        Value::Bool(b) => b.into_unknown(env),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.into_unknown(env),
            None => n.as_f64().unwrap_or(f64::NAN).into_unknown(env),
        },
        Value::String(s) => s.as_str().into_unknown(env),
        Value::Array(items) => {
            let len = u32::try_from(items.len())
                .map_err(|_| napi::Error::from_reason("an array too long for JS"))?;
            let mut array = env.create_array(len)?;
            for (i, item) in (0..len).zip(items) {
                array.set(i, to_js(env, item)?)?;
            }
            Ok(array.to_unknown())
        }
        Value::Object(map) => {
            let mut object = Object::new(env)?;
            for (k, item) in map {
                object.set(k, to_js(env, item)?)?;
            }
            Ok(object.to_unknown())
        }
    }
}

/// The path (`$.lines[0].quantity`) of the first integer in `value` that a JS number
/// cannot carry exactly (beyond ±(2^53 - 1)), if any: [`to_js`] would round it, so a
/// caller whose results may hold one refuses them instead.
pub fn unsafe_integer_path(value: &Value) -> Option<String> {
    fn walk(v: &Value, path: &mut String) -> bool {
        match v {
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => u > crate::errors::MAX_SAFE_INTEGER,
                (None, Some(i)) => i.unsigned_abs() > crate::errors::MAX_SAFE_INTEGER,
                _ => false,
            },
            Value::Array(items) => {
                let base = path.len();
                for (i, item) in items.iter().enumerate() {
                    path.push_str(&format!("[{i}]"));
                    if walk(item, path) {
                        return true;
                    }
                    path.truncate(base);
                }
                false
            }
            Value::Object(map) => {
                let base = path.len();
                for (k, item) in map {
                    path.push('.');
                    path.push_str(k);
                    if walk(item, path) {
                        return true;
                    }
                    path.truncate(base);
                }
                false
            }
            _ => false,
        }
    }
    let mut path = "$".to_owned();
    walk(value, &mut path).then_some(path)
}
