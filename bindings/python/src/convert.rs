//! Python values ⇄ `serde_json::Value`, and the clock argument.
//!
//! In: dict (string keys), list, tuple, str, int, bool, None, float, `decimal.Decimal`
//! (a JSON string: money crosses as strings), aware `datetime` (an RFC 3339 string)
//! and `date` (an ISO string). A naive datetime is refused: an instant without an
//! offset is ambiguous. Out: objects → dict, arrays → list, strings stay str.
//!
//! A problem is an `InputError` whose issue path names the argument and the place
//! inside it (`$.order.lines[0].unit_price`); messages never quote the value.

use chrono::{
    DateTime, FixedOffset, NaiveDate, NaiveDateTime, Offset, SecondsFormat, TimeDelta, Utc,
};
use ichigen::clock::{Clock, FixedClock};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyDate, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType,
};
use serde_json::{Map, Number, Value};

use crate::errors::input_error;

/// Deeper nesting than this is refused rather than risking the stack (and cycles).
const MAX_DEPTH: usize = 200;

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// Converts an argument: a `str` is JSON text, anything else a Python value.
pub fn json_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Value> {
    let path = format!("$.{name}");
    if let Ok(text) = obj.cast::<PyString>() {
        return parse_json_text(obj.py(), &text.to_cow()?, &path);
    }
    let mut path = path;
    to_value(obj, &mut path, 0)
}

/// Like [`json_arg`], with `None` (or an absent argument) as JSON null.
pub fn opt_json_arg(obj: Option<&Bound<'_, PyAny>>, name: &str) -> PyResult<Value> {
    match obj {
        Some(o) if !o.is_none() => json_arg(o, name),
        _ => Ok(Value::Null),
    }
}

/// An input object whose paths start at `$` (as the core's do): a dict or JSON text.
pub fn input_arg(input: &Bound<'_, PyAny>) -> PyResult<Value> {
    if let Ok(text) = input.cast::<PyString>() {
        return parse_json_text(input.py(), &text.to_cow()?, "$");
    }
    let mut path = String::from("$");
    to_value(input, &mut path, 0)
}

/// Parses JSON text; the error names the line and column, never the text.
pub fn parse_json_text(py: Python<'_>, text: &str, path: &str) -> PyResult<Value> {
    serde_json::from_str(text).map_err(|e| {
        let message = format!(
            "not well-formed JSON (line {}, column {})",
            e.line(),
            e.column()
        );
        input_error(py, "INPUT_PARSE", path, &message)
    })
}

/// Converts a Python value to JSON, `path` being where it sits (for errors).
pub fn to_value(obj: &Bound<'_, PyAny>, path: &mut String, depth: usize) -> PyResult<Value> {
    let py = obj.py();
    if depth > MAX_DEPTH {
        return Err(input_error(
            py,
            "INPUT_TOO_DEEP",
            path,
            "nested too deeply (or contains itself)",
        ));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    // bool before int: bool is a subclass of int in Python.
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if obj.cast::<PyInt>().is_ok() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::from(u));
        }
        return Err(input_error(
            py,
            "INPUT_OUT_OF_RANGE",
            path,
            "integer out of range (64 bits); write large amounts as strings",
        ));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        // Floats pass through as JSON numbers; the core refuses them where it expects
        // an amount, with a coded error.
        return Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| {
                input_error(
                    py,
                    "INPUT_BAD_NUMBER",
                    path,
                    "not a finite number (NaN and infinity have no JSON form)",
                )
            });
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        let mut map = Map::with_capacity(dict.len());
        for (k, v) in dict.iter() {
            let Ok(key) = k.cast::<PyString>() else {
                return Err(input_error(
                    py,
                    "INPUT_WRONG_TYPE",
                    path,
                    "dict keys must be strings",
                ));
            };
            let key = key.to_cow()?.into_owned();
            let len = path.len();
            push_key(path, &key);
            let value = to_value(&v, path, depth + 1)?;
            path.truncate(len);
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(list) = obj.cast::<PyList>() {
        return sequence(list.iter(), list.len(), path, depth);
    }
    if let Ok(tuple) = obj.cast::<PyTuple>() {
        return sequence(tuple.iter(), tuple.len(), path, depth);
    }
    // datetime before date: datetime is a subclass of date.
    if obj.cast::<PyDateTime>().is_ok() {
        let dt = aware_datetime(obj, path)?;
        return Ok(Value::String(rfc3339(&dt)));
    }
    if obj.cast::<PyDate>().is_ok() {
        let date: chrono::NaiveDate = obj.extract()?;
        return Ok(Value::String(date.format("%Y-%m-%d").to_string()));
    }
    let decimal = DECIMAL.import(py, "decimal", "Decimal")?;
    if obj.is_instance(decimal)? {
        let finite = obj.call_method0("is_finite")?.is_truthy()?;
        if !finite {
            return Err(input_error(
                py,
                "INPUT_BAD_AMOUNT",
                path,
                "not a finite decimal (NaN and infinity are not amounts)",
            ));
        }
        // Fixed-point notation: Decimal("1E+3") crosses as "1000", not "1E+3".
        let text = py
            .import("builtins")?
            .call_method1("format", (obj, "f"))?
            .extract::<String>()?;
        return Ok(Value::String(text));
    }
    Err(input_error(
        py,
        "INPUT_WRONG_TYPE",
        path,
        "unsupported type; expected dict, list, tuple, str, int, float, bool, None, \
         Decimal, date or timezone-aware datetime",
    ))
}

fn sequence<'py>(
    items: impl Iterator<Item = Bound<'py, PyAny>>,
    len: usize,
    path: &mut String,
    depth: usize,
) -> PyResult<Value> {
    let mut out = Vec::with_capacity(len);
    for (i, item) in items.enumerate() {
        let mark = path.len();
        path.push_str(&format!("[{i}]"));
        out.push(to_value(&item, path, depth + 1)?);
        path.truncate(mark);
    }
    Ok(Value::Array(out))
}

/// Appends `.key`, or `["key"]` when the key is not a plain identifier (as the core does).
fn push_key(path: &mut String, key: &str) {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        path.push('.');
        path.push_str(key);
    } else {
        let clipped: String = key.chars().take(40).collect();
        path.push_str(&format!("[{clipped:?}]"));
    }
}

/// Reads an aware `datetime`; a naive one is `INPUT_NAIVE_DATETIME`.
fn aware_datetime(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<DateTime<FixedOffset>> {
    let py = obj.py();
    let offset = obj.call_method0("utcoffset")?;
    if offset.is_none() {
        return Err(input_error(
            py,
            "INPUT_NAIVE_DATETIME",
            path,
            "datetime has no time zone; pass an aware datetime (tzinfo set)",
        ));
    }
    let offset: TimeDelta = offset.extract()?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("tzinfo", py.None())?;
    let local: NaiveDateTime = obj.call_method("replace", (), Some(&kwargs))?.extract()?;
    let utc = local - offset;
    // RFC 3339 offsets are whole minutes; keep the caller's offset when it is one.
    let whole_minutes = offset.subsec_nanos() == 0 && offset.num_seconds() % 60 == 0;
    let zone = i32::try_from(offset.num_seconds())
        .ok()
        .filter(|_| whole_minutes)
        .and_then(FixedOffset::east_opt)
        .unwrap_or_else(|| Utc.fix());
    Ok(DateTime::<Utc>::from_naive_utc_and_offset(utc, Utc).with_timezone(&zone))
}

fn rfc3339(dt: &DateTime<FixedOffset>) -> String {
    dt.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// The clock a call runs at: the wall clock, or a fixed instant given as `now`.
#[derive(Debug, Clone, Copy)]
pub enum ClockArg {
    /// `now=None`: the system clock.
    System,
    /// `now=` an aware datetime or an RFC 3339 string.
    Fixed(FixedClock),
}

impl Clock for ClockArg {
    fn now(&self) -> DateTime<Utc> {
        match self {
            ClockArg::System => ichigen::SystemClock.now(),
            ClockArg::Fixed(c) => c.now(),
        }
    }
}

/// Reads the `now` argument.
pub fn clock_arg(now: Option<&Bound<'_, PyAny>>) -> PyResult<ClockArg> {
    let Some(now) = now.filter(|n| !n.is_none()) else {
        return Ok(ClockArg::System);
    };
    let py = now.py();
    if let Ok(text) = now.cast::<PyString>() {
        return FixedClock::parse(&text.to_cow()?)
            .map(ClockArg::Fixed)
            .map_err(|_| {
                input_error(
                    py,
                    "INPUT_BAD_DATE",
                    "$.now",
                    "not an RFC 3339 date-time such as 2026-11-23T03:00:00Z",
                )
            });
    }
    if now.cast::<PyDateTime>().is_ok() {
        let dt = aware_datetime(now, "$.now")?;
        return Ok(ClockArg::Fixed(FixedClock(dt.with_timezone(&Utc))));
    }
    Err(input_error(
        py,
        "INPUT_WRONG_TYPE",
        "$.now",
        "expected a timezone-aware datetime, an RFC 3339 string or None",
    ))
}

/// Converts JSON to Python: objects → dict, arrays → list, numbers → int or float.
pub fn to_py<'py>(py: Python<'py>, value: Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, b).to_owned().into_any(),
        Value::String(s) => PyString::new(py, &s).into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any()
            }
        }
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, to_py(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

/// Reads a date argument: a `datetime.date` (not a `datetime`: which zone's day
/// would it be?) or an ISO string `YYYY-MM-DD`.
pub fn date_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<NaiveDate> {
    let py = obj.py();
    let path = format!("$.{name}");
    if obj.cast::<PyDateTime>().is_ok() {
        return Err(input_error(
            py,
            "INPUT_WRONG_TYPE",
            &path,
            "expected a date, not a datetime; pass .date() in the zone you mean",
        ));
    }
    if obj.cast::<PyDate>().is_ok() {
        return obj.extract();
    }
    if let Ok(text) = obj.cast::<PyString>() {
        return NaiveDate::parse_from_str(&text.to_cow()?, "%Y-%m-%d").map_err(|_| {
            input_error(
                py,
                "INPUT_BAD_DATE",
                &path,
                "not an ISO date such as 2026-11-23",
            )
        });
    }
    Err(input_error(
        py,
        "INPUT_WRONG_TYPE",
        &path,
        "expected a datetime.date or an ISO date string",
    ))
}

/// Like [`to_py`], but inside every object the string values of the keys in
/// `date_keys` that are ISO dates become `datetime.date`. The keys are the date
/// fields of the core's record (a plan, a holiday, an explanation), named by the caller.
pub fn to_py_dates<'py>(
    py: Python<'py>,
    value: Value,
    date_keys: &[&str],
) -> PyResult<Bound<'py, PyAny>> {
    match value {
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py_dates(py, item, date_keys)?)?;
            }
            Ok(list.into_any())
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                let date = match &v {
                    Value::String(s) if date_keys.contains(&k.as_str()) => {
                        NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
                    }
                    _ => None,
                };
                match date {
                    Some(d) => dict.set_item(k, d)?,
                    None => dict.set_item(k, to_py_dates(py, v, date_keys)?)?,
                }
            }
            Ok(dict.into_any())
        }
        other => to_py(py, other),
    }
}
