//! The Python binding of ichigen: the private module `ichigen._native`, re-exported
//! by the pure-Python package `ichigen` (`python/ichigen/__init__.py`).
//!
//! Thin by design: values are converted to JSON (`convert`), handed to the core's
//! JSON face (`ichigen::interop`, `ichigen::stock::json`,
//! `ichigen::shipment::json`, `ichigen::analytics::json`), and the results or
//! errors (`errors`) converted back. No decision about orders, rules, calendars,
//! ship dates, customers, stock, shipments or analytics is taken here. Bulk rows
//! cross as Arrow (`arrow` for ship dates, `identity` for customer records, `stock`
//! for stock levels, `analytics` for order histories and their results; `columns`
//! reads strings and integers for the last three).

mod analytics;
mod arrow;
mod calendar;
mod columns;
mod convert;
mod errors;
mod identity;
mod orders;
mod rules;
mod shipdate;
mod shipment;
mod stock;

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
    m.add_function(wrap_pyfunction!(identity::normalize_name, m)?)?;
    m.add_function(wrap_pyfunction!(identity::normalize_kana, m)?)?;
    m.add_function(wrap_pyfunction!(identity::normalize_phone, m)?)?;
    m.add_function(wrap_pyfunction!(identity::normalize_email, m)?)?;
    m.add_function(wrap_pyfunction!(identity::normalize_postal_code, m)?)?;
    m.add_function(wrap_pyfunction!(identity::normalize_address, m)?)?;
    m.add_function(wrap_pyfunction!(identity::normalize_identity, m)?)?;
    m.add_function(wrap_pyfunction!(identity::describe_identity_config, m)?)?;
    m.add_function(wrap_pyfunction!(identity::resolve_customers_json, m)?)?;
    m.add_function(wrap_pyfunction!(identity::resolver::resolve_customers, m)?)?;
    m.add_class::<identity::resolver::PyCustomerResolution>()?;
    m.add_class::<identity::resolver::PyCustomerResolver>()?;
    m.add_function(wrap_pyfunction!(identity::customer_summary, m)?)?;
    m.add_function(wrap_pyfunction!(identity::customer_triage_facts, m)?)?;
    m.add_function(wrap_pyfunction!(identity::mask_customer, m)?)?;
    m.add_class::<stock::PyStockBook>()?;
    m.add_function(wrap_pyfunction!(stock::stock_session, m)?)?;
    m.add_function(wrap_pyfunction!(stock::drop_ship_totals, m)?)?;
    m.add_function(wrap_pyfunction!(stock::reorder_quantity, m)?)?;
    m.add_function(wrap_pyfunction!(stock::allocate_stock, m)?)?;
    m.add_function(wrap_pyfunction!(stock::stock_json, m)?)?;
    m.add_class::<shipment::PyShipmentPlanner>()?;
    m.add_function(wrap_pyfunction!(shipment::largest_remainder, m)?)?;
    m.add_function(wrap_pyfunction!(shipment::builtin_profiles, m)?)?;
    m.add_class::<analytics::PyOrderHistory>()?;
    m.add_function(wrap_pyfunction!(analytics::fit_clv, m)?)?;
    m.add_function(wrap_pyfunction!(analytics::predict_clv, m)?)?;
    m.add(
        "EXAMPLE_RULE_SET_JSON",
        ichigen::rules::EXAMPLE_RULE_SET_JSON,
    )?;
    m.add("SAMPLE_ORDER_JSON", ichigen::sample::ORDER_JSON)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
