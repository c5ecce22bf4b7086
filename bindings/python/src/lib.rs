//! The Python binding of ichigen: the private module `ichigen._native`, re-exported
//! by the pure-Python package `ichigen` (`python/ichigen/__init__.py`).
//!
//! Thin by design: values are converted to JSON (`convert`), handed to the core's
//! JSON face (`ichigen::interop`), and the results or errors (`errors`) converted
//! back. No decision about orders, rules, calendars or
//! ship dates is taken here. Bulk rows cross as Arrow (`arrow`).

mod arrow;
mod calendar;
mod convert;
mod errors;
mod orders;
mod rules;
mod shipdate;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    m.add_function(wrap_pyfunction!(orders::validate_order, m)?)?;
    m.add_function(wrap_pyfunction!(orders::parse_order, m)?)?;
    m.add_function(wrap_pyfunction!(orders::apply_event, m)?)?;
    m.add_class::<rules::PyRuleSet>()?;
    m.add_function(wrap_pyfunction!(rules::triage, m)?)?;
    m.add_function(wrap_pyfunction!(rules::dry_run, m)?)?;
    m.add_function(wrap_pyfunction!(calendar::holidays, m)?)?;
    m.add_class::<calendar::PyCalendar>()?;
    m.add_class::<shipdate::PyShippingPolicy>()?;
    m.add_class::<shipdate::PyBatchPlanner>()?;
    m.add_function(wrap_pyfunction!(shipdate::column_addresses, m)?)?;
    m.add(
        "EXAMPLE_RULE_SET_JSON",
        ichigen::rules::EXAMPLE_RULE_SET_JSON,
    )?;
    m.add("SAMPLE_ORDER_JSON", ichigen::sample::ORDER_JSON)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
