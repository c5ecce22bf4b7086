//! Triage rules: the `RuleSet` class, `triage` and `dry_run`.

use std::sync::Arc;

use ichigen::interop;
use ichigen::rules::RuleSet;
use pyo3::prelude::*;
use pyo3::types::PyString;
use serde_json::Value;

use crate::convert::{clock_arg, json_arg, opt_json_arg, to_py};
use crate::errors::CoreResultExt;

/// A validated, compiled rule set. Build it with `from_json`, `from_toml` or
/// `from_dict`; it is immutable and safe to share between threads.
#[pyclass(name = "RuleSet", module = "ichigen", frozen)]
#[derive(Debug)]
pub struct PyRuleSet {
    inner: Arc<RuleSet>,
}

impl PyRuleSet {
    fn describe(&self) -> Value {
        interop::describe_rule_set(&self.inner)
    }
}

#[pymethods]
impl PyRuleSet {
    /// Loads a rule set from JSON text; raises `RuleSetError`.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        let inner = RuleSet::from_json(text).or_raise(py)?;
        Ok(PyRuleSet {
            inner: Arc::new(inner),
        })
    }

    /// Loads a rule set from TOML text; raises `RuleSetError`.
    #[staticmethod]
    fn from_toml(py: Python<'_>, text: &str) -> PyResult<Self> {
        let inner = RuleSet::from_toml(text).or_raise(py)?;
        Ok(PyRuleSet {
            inner: Arc::new(inner),
        })
    }

    /// Loads a rule set from a dict; raises `RuleSetError`.
    #[staticmethod]
    fn from_dict(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        let py = obj.py();
        let mut path = String::from("$.rule_set");
        let value = crate::convert::to_value(obj, &mut path, 0)?;
        let inner = interop::load_rule_set(value).or_raise(py)?;
        Ok(PyRuleSet {
            inner: Arc::new(inner),
        })
    }

    /// The set's name.
    #[getter]
    fn name(&self) -> &str {
        self.inner.name()
    }

    /// `"first_match"` or `"all_matching"`.
    #[getter]
    fn mode(&self) -> String {
        self.describe()["mode"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The ids of the rules, in order.
    #[getter]
    fn rule_ids(&self) -> Vec<String> {
        self.inner
            .definition()
            .rules
            .iter()
            .map(|r| r.id.to_string())
            .collect()
    }

    /// The full definition, as a dict (loadable again with `from_dict`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, interop::rule_set_definition(&self.inner))
    }

    fn __repr__(&self) -> String {
        format!(
            "RuleSet(name={:?}, mode={:?}, rules={})",
            self.inner.name(),
            self.mode(),
            self.inner.definition().rules.len()
        )
    }
}

/// A rule-set argument: a `RuleSet`, JSON text, or a value (dict) to load.
fn rule_set_arg(obj: &Bound<'_, PyAny>) -> PyResult<Arc<RuleSet>> {
    let py = obj.py();
    if let Ok(rs) = obj.cast::<PyRuleSet>() {
        return Ok(Arc::clone(&rs.get().inner));
    }
    if let Ok(text) = obj.cast::<PyString>() {
        return Ok(Arc::new(RuleSet::from_json(&text.to_cow()?).or_raise(py)?));
    }
    let value = json_arg(obj, "rule_set")?;
    Ok(Arc::new(interop::load_rule_set(value).or_raise(py)?))
}

/// Triage of one order: `{order, outcome}`.
#[pyfunction]
#[pyo3(signature = (rule_set, order, context=None, now=None))]
pub fn triage<'py>(
    rule_set: &Bound<'py, PyAny>,
    order: &Bound<'py, PyAny>,
    context: Option<&Bound<'py, PyAny>>,
    now: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = order.py();
    let rules = rule_set_arg(rule_set)?;
    let order = json_arg(order, "order")?;
    let context = opt_json_arg(context, "context")?;
    let clock = clock_arg(now)?;
    let out = py
        .detach(move || interop::triage(&rules, order, context, &clock))
        .or_raise(py)?;
    to_py(py, out)
}

/// Dry-run of a rule set over a batch of orders: the report, nothing changed.
/// The inputs are converted first, then the core runs without the GIL.
#[pyfunction]
#[pyo3(signature = (rule_set, orders, contexts=None, now=None))]
pub fn dry_run<'py>(
    rule_set: &Bound<'py, PyAny>,
    orders: &Bound<'py, PyAny>,
    contexts: Option<&Bound<'py, PyAny>>,
    now: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = orders.py();
    let rules = rule_set_arg(rule_set)?;
    let orders = json_arg(orders, "orders")?;
    let contexts = opt_json_arg(contexts, "contexts")?;
    let clock = clock_arg(now)?;
    let report = py
        .detach(move || interop::dry_run(&rules, orders, contexts, &clock))
        .or_raise(py)?;
    to_py(py, report)
}
