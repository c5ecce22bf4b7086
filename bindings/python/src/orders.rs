//! Orders and their lifecycle: `validate_order`, `parse_order`, `apply_event`.

use ichigen::interop;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use serde_json::json;

use crate::convert::{clock_arg, json_arg, opt_json_arg, to_py};
use crate::errors::CoreResultExt;

/// Validates an order (dict or JSON text) and reports `{valid, issues, totals}`.
/// A bad order is reported, not raised; only an argument that cannot be converted
/// at all raises `InputError`.
#[pyfunction]
pub fn validate_order<'py>(order: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = order.py();
    let order = json_arg(order, "order")?;
    let report = py.detach(move || interop::validate_order(order));
    to_py(py, report)
}

/// Decodes and validates an order; returns it normalized, or raises `OrderError`.
#[pyfunction]
pub fn parse_order<'py>(order: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = order.py();
    let order = json_arg(order, "order")?;
    let parsed = py
        .detach(move || interop::parse_order(order).map(|o| serde_json::to_value(&o)))
        .or_raise(py)?
        .map_err(|_| PyRuntimeError::new_err("the parsed order could not be represented"))?;
    to_py(py, parsed)
}

/// Applies one lifecycle event; returns `{order, status, applied}`.
#[pyfunction]
#[pyo3(signature = (order, event, actor=None, now=None))]
pub fn apply_event<'py>(
    order: &Bound<'py, PyAny>,
    event: &Bound<'py, PyAny>,
    actor: Option<&Bound<'py, PyAny>>,
    now: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = order.py();
    let order = json_arg(order, "order")?;
    let event = json_arg(event, "event")?;
    let actor = match opt_json_arg(actor, "actor")? {
        serde_json::Value::Null => json!({"kind": "system"}),
        given => given,
    };
    let clock = clock_arg(now)?;
    let out = py
        .detach(move || interop::apply_event(order, event, actor, &clock))
        .or_raise(py)?;
    to_py(py, out)
}
