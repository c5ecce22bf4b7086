//! The exception hierarchy: one Python class per variant of the core's `Error`.
//!
//! Every exception carries `.code` (the core's stable code), `.issues` (a list of
//! `{"code", "path", "message"}` dicts) and `.message`. The text comes from the core,
//! which never quotes input values; conversion problems found here say what was
//! expected, never what was given.

use ichigen::{Error, Issue};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyType};

create_exception!(
    ichigen,
    IchigenError,
    PyException,
    "Base class of every ichigen error; has .code, .issues and .message."
);
create_exception!(
    ichigen,
    OrderError,
    IchigenError,
    "An order failed validation (code ORDER_INVALID); .issues lists every problem."
);
create_exception!(
    ichigen,
    RuleSetError,
    IchigenError,
    "A rule set failed validation (code RULESET_INVALID); .issues lists every problem."
);
create_exception!(
    ichigen,
    LifecycleError,
    IchigenError,
    "A lifecycle event was refused (code LIFECYCLE_*); the order is unchanged."
);
create_exception!(
    ichigen,
    CalendarError,
    IchigenError,
    "A calendar definition is invalid (CALENDAR_INVALID, .issues lists every problem) \
     or a calendar cannot answer (CALENDAR_OUT_OF_RANGE)."
);
create_exception!(
    ichigen,
    ShippingError,
    IchigenError,
    "Ship-date data (a policy, a transit table, a remote-island list) failed \
     validation (code SHIPDATE_INVALID); .issues lists every problem."
);
create_exception!(
    ichigen,
    IdentityError,
    IchigenError,
    "Identity data (a matching configuration, a customer record, a decision, a \
     value to normalize, customer facts) failed validation, or a resolver refused an \
     operation (code IDENTITY_INVALID); .issues lists every problem."
);
create_exception!(
    ichigen,
    StockError,
    IchigenError,
    "Stock data (a catalog, stock levels, a reservation or allocation policy, an \
     operation's argument) failed validation, or a stock operation was refused (an \
     unknown listing code, an order reserved twice) (code STOCK_INVALID); .issues \
     lists every problem."
);
create_exception!(
    ichigen,
    ShipmentError,
    IchigenError,
    "Shipment data (planner options, reservations, merge facts, a merged plan) \
     failed validation, or a shipment operation was refused (orders that may not \
     ship together) (code SHIPMENT_INVALID); .issues lists every problem."
);
create_exception!(
    ichigen,
    AnalyticsError,
    IchigenError,
    "Analytics input (order columns, a query, a configuration, a CLV summary or \
     its options) failed validation (code ANALYTICS_INVALID); .issues lists every \
     problem, each bad cell at its row (`$.orders.amount[3]`)."
);
create_exception!(
    ichigen,
    InputError,
    IchigenError,
    "An argument is unusable or cannot be converted (code INPUT_*)."
);

/// Registers the exception classes in the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("IchigenError", py.get_type::<IchigenError>())?;
    m.add("OrderError", py.get_type::<OrderError>())?;
    m.add("RuleSetError", py.get_type::<RuleSetError>())?;
    m.add("LifecycleError", py.get_type::<LifecycleError>())?;
    m.add("CalendarError", py.get_type::<CalendarError>())?;
    m.add("ShippingError", py.get_type::<ShippingError>())?;
    m.add("IdentityError", py.get_type::<IdentityError>())?;
    m.add("StockError", py.get_type::<StockError>())?;
    m.add("ShipmentError", py.get_type::<ShipmentError>())?;
    m.add("AnalyticsError", py.get_type::<AnalyticsError>())?;
    m.add("InputError", py.get_type::<InputError>())?;
    Ok(())
}

/// The issue list as Python dicts.
fn issues_to_py<'py>(py: Python<'py>, issues: &[Issue]) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for issue in issues {
        let d = PyDict::new(py);
        d.set_item("code", &issue.code)?;
        d.set_item("path", &issue.path)?;
        d.set_item("message", &issue.message)?;
        list.append(d)?;
    }
    Ok(list)
}

fn raise(ty: Bound<'_, PyType>, code: &str, message: String, issues: &[Issue]) -> PyErr {
    let py = ty.py();
    let build = || -> PyResult<PyErr> {
        let exc = ty.call1((message.as_str(),))?;
        exc.setattr("code", code)?;
        exc.setattr("message", message.as_str())?;
        exc.setattr("issues", issues_to_py(py, issues)?)?;
        Ok(PyErr::from_value(exc))
    };
    build().unwrap_or_else(|e| e)
}

/// Maps a core error to its exception.
pub fn core_error(py: Python<'_>, err: Error) -> PyErr {
    let ty = match &err {
        Error::InvalidOrder(_) => py.get_type::<OrderError>(),
        Error::InvalidRuleSet(_) => py.get_type::<RuleSetError>(),
        Error::Lifecycle(_) => py.get_type::<LifecycleError>(),
        Error::InvalidCalendar(_) | Error::Calendar(_) => py.get_type::<CalendarError>(),
        Error::InvalidShipping(_) => py.get_type::<ShippingError>(),
        Error::InvalidIdentity(_) => py.get_type::<IdentityError>(),
        Error::InvalidStock(_) => py.get_type::<StockError>(),
        Error::InvalidShipment(_) => py.get_type::<ShipmentError>(),
        Error::InvalidAnalytics(_) => py.get_type::<AnalyticsError>(),
        Error::InvalidInput(_) => py.get_type::<InputError>(),
        // The enum is non-exhaustive: a new variant still raises the base class.
        _ => py.get_type::<IchigenError>(),
    };
    raise(ty, err.code(), err.to_string(), err.issues())
}

/// A conversion problem in an argument, raised as `InputError` through the core's
/// own error type so that it looks like every other input error.
pub fn input_error(py: Python<'_>, code: &str, path: &str, message: &str) -> PyErr {
    core_error(py, Error::InvalidInput(Issue::new(code, path, message)))
}

/// Extension for `Result<T, ichigen::Error>`.
pub trait CoreResultExt<T> {
    /// Maps the core's error to its exception.
    fn or_raise(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> CoreResultExt<T> for Result<T, Error> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| core_error(py, e))
    }
}
