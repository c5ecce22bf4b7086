//! Shipments (伝票分割・同梱・メール便判定): `ShipmentPlanner`, a checked shipment
//! policy over the core's JSON face (`ichigen::shipment::json`) with one method per
//! operation; `largest_remainder` and `builtin_profiles`.
//!
//! Values cross as JSON: each argument is a dict or list (or JSON text) named as
//! the core names it, so that the core reports problems at the same paths as its
//! own JSON face (`$.order.lines[1].quantity`, `$.orders[2]…`, `$.stock[0].line`,
//! `$.facts.<id>`; the options' below `$`). A planner is immutable: one can be
//! shared between threads, and every call runs with the GIL released.

use ichigen::Error;
use ichigen::shipment::json as core_json;
use ichigen::shipment::{Planner, builtin_profiles as core_profiles, largest_remainder as share};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyInt, PyList, PyTuple};
use serde_json::Value;

use crate::convert::{json_arg, opt_json_arg, to_py};
use crate::errors::{CoreResultExt, input_error};

/// A shipment planner: the shop's split keys, package capacity, where fees and
/// discounts go, item specs and carrier profiles, checked once. Build it once and
/// reuse it for a batch; it is immutable, so one planner may be shared between
/// threads. Every method runs with the GIL released.
#[pyclass(name = "ShipmentPlanner", module = "ichigen", frozen)]
#[derive(Debug)]
pub struct PyShipmentPlanner {
    inner: Planner,
}

impl PyShipmentPlanner {
    /// Runs an operation with the GIL released and converts its JSON result.
    fn call<'py>(
        &self,
        py: Python<'py>,
        f: impl FnOnce(&Planner) -> Result<Value, Error> + Send,
    ) -> PyResult<Bound<'py, PyAny>> {
        let planner = &self.inner;
        let out = py.detach(move || f(planner)).or_raise(py)?;
        to_py(py, out)
    }
}

#[pymethods]
impl PyShipmentPlanner {
    /// A planner from options (a dict or JSON text; None: the defaults):
    /// `{"split_by", "capacity", "fees", "items", "profiles", "mail_profile",
    /// "max_packets", "auto_merge"}`. Raises `ShipmentError` with every problem,
    /// by path within the options (`$.capacity.max_units`, `$.mail_profile`).
    #[new]
    #[pyo3(signature = (options=None))]
    fn new(py: Python<'_>, options: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let options = opt_json_arg(options, "options")?;
        let inner = py
            .detach(move || core_json::planner(options))
            .or_raise(py)?;
        Ok(PyShipmentPlanner { inner })
    }

    /// Splits an order into shipments: `{"orders", "currency", "shipments",
    /// "total"}`. `stock` is the order's reservations (`[{"line", "location"?,
    /// "quantity"}]`, as a StockBook reserves them; None: no stock split). An order
    /// that does not decode raises `OrderError` (paths `$.order…`); bad stock
    /// `ShipmentError` (paths `$.stock[i]…`).
    #[pyo3(signature = (order, stock=None))]
    fn split<'py>(
        &self,
        order: &Bound<'py, PyAny>,
        stock: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = order.py();
        let order = json_arg(order, "order")?;
        let stock = opt_json_arg(stock, "stock")?;
        self.call(py, move |p| core_json::split(p, order, stock))
    }

    /// `split` over each order of a list (or JSON text), without stock: a list of
    /// plans. The first order that does not decode or cannot be planned raises its
    /// error (paths `$.orders[i]…`). The orders are converted first, then planned
    /// with the GIL released.
    fn split_all<'py>(&self, orders: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = orders.py();
        let orders = json_arg(orders, "orders")?;
        self.call(py, move |p| core_json::split_all(p, orders))
    }

    /// The mail-packet (メール便) judgement of an order: `{"profile", "eligible",
    /// "load", "packets", "outcome", "reasons", "facts"}`; `facts`
    /// (`{"mail_packet_fits", "mail_packets_needed"}`) joins a triage context.
    fn mail<'py>(&self, order: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = order.py();
        let order = json_arg(order, "order")?;
        self.call(py, move |p| core_json::mail(p, order))
    }

    /// Orders that may ship together (同梱候補): `{"groups": [{"parent",
    /// "orders"}], "excluded": [{"order", "reason", "issues"?}], "context": {id:
    /// {"merge_candidate"}}, "merged": [plan]}`. An order that does not decode is
    /// excluded (reason `invalid`, with its issues), not raised. `facts` maps an
    /// order id to `{"ship_date"?, "location"?, "customer"?, "masked"?}`.
    #[pyo3(signature = (orders, facts=None))]
    fn merge_candidates<'py>(
        &self,
        orders: &Bound<'py, PyAny>,
        facts: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = orders.py();
        let orders = json_arg(orders, "orders")?;
        let facts = opt_json_arg(facts, "facts")?;
        self.call(py, move |p| core_json::merge_candidates(p, orders, facts))
    }

    /// Whether two orders may ship together: `{"mergeable", "differs"}`, `differs`
    /// naming the parts of the merge key that differ (`recipient_address`,
    /// `payment_method`, …) or the reason an order is left out.
    #[pyo3(signature = (orders, facts=None))]
    fn merge_check<'py>(
        &self,
        orders: &Bound<'py, PyAny>,
        facts: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = orders.py();
        let orders = json_arg(orders, "orders")?;
        let facts = opt_json_arg(facts, "facts")?;
        self.call(py, move |p| core_json::merge_check(p, orders, facts))
    }

    /// Merges orders into one consignment (the parent first) and plans it; the
    /// plan's `orders` lists them. Orders that may not ship together raise
    /// `ShipmentError`.
    #[pyo3(signature = (orders, facts=None, stock=None))]
    fn merge<'py>(
        &self,
        orders: &Bound<'py, PyAny>,
        facts: Option<&Bound<'py, PyAny>>,
        stock: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = orders.py();
        let orders = json_arg(orders, "orders")?;
        let facts = opt_json_arg(facts, "facts")?;
        let stock = opt_json_arg(stock, "stock")?;
        self.call(py, move |p| core_json::merge(p, orders, facts, stock))
    }

    /// Undoes a merge: `merged` is the plan `merge` returned; the answer is
    /// `{"plans": [one plan per order]}`, whose money adds up exactly to the
    /// merged plan's.
    #[pyo3(signature = (merged, orders, stock=None))]
    fn unmerge<'py>(
        &self,
        merged: &Bound<'py, PyAny>,
        orders: &Bound<'py, PyAny>,
        stock: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = merged.py();
        let merged = json_arg(merged, "merged")?;
        let orders = json_arg(orders, "orders")?;
        let stock = opt_json_arg(stock, "stock")?;
        self.call(py, move |p| core_json::unmerge(p, merged, orders, stock))
    }

    fn __repr__(&self) -> String {
        let policy = self.inner.policy();
        let keys: Vec<String> = policy
            .split_by
            .iter()
            .map(|k| match serde_json::to_value(k) {
                Ok(Value::String(s)) => format!("'{s}'"),
                _ => "?".to_owned(),
            })
            .collect();
        format!(
            "ShipmentPlanner(split_by=[{}], items={}, profiles={})",
            keys.join(", "),
            policy.items.len(),
            self.inner.profiles().len()
        )
    }
}

/// Reads a Python int as i128; a bool, a float or anything else is refused.
fn int_arg(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<i128> {
    let py = obj.py();
    if obj.cast::<PyBool>().is_ok() || obj.cast::<PyInt>().is_err() {
        return Err(input_error(py, "INPUT_WRONG_TYPE", path, "expected an int"));
    }
    obj.extract::<i128>().map_err(|_| {
        input_error(
            py,
            "INPUT_OUT_OF_RANGE",
            path,
            "integer out of range (128 bits)",
        )
    })
}

/// Shares `total` (in minor units, such as yen) out in proportion to `weights`
/// by the largest-remainder method: each share rounded down, the units left over
/// one each to the largest remainders (the earlier on a tie). The shares add up to
/// `total` exactly. Negative weights count as zero; when every weight is zero the
/// whole amount goes to the first share; a negative total is shared as its
/// absolute value and negated; no weights, no shares. Arguments that are not ints
/// (a list or tuple of ints for `weights`) raise `InputError`, as do ints beyond
/// 128 bits. Weights whose sum passes 2^63 are halved together before sharing.
#[pyfunction]
pub fn largest_remainder<'py>(
    total: &Bound<'py, PyAny>,
    weights: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyList>> {
    let py = total.py();
    let t = int_arg(total, "$.total")?;
    let items: Vec<Bound<'py, PyAny>> = if let Ok(list) = weights.cast::<PyList>() {
        list.iter().collect()
    } else if let Ok(tuple) = weights.cast::<PyTuple>() {
        tuple.iter().collect()
    } else {
        return Err(input_error(
            py,
            "INPUT_WRONG_TYPE",
            "$.weights",
            "expected a list of ints",
        ));
    };
    let ws = items
        .iter()
        .enumerate()
        .map(|(i, w)| int_arg(w, &format!("$.weights[{i}]")))
        .collect::<PyResult<Vec<i128>>>()?;
    let shares = py.detach(move || share(t, &ws));
    PyList::new(py, shares)
}

/// The mail-packet services ichigen knows without configuration (`nekopos`,
/// `yu_packet`, `click_post`, `dm_bin`), as dicts: `{"code", "carrier", "class",
/// "max_length_mm", …}`. A profile given in the options with the same code
/// replaces one.
#[pyfunction]
pub fn builtin_profiles(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let profiles = serde_json::to_value(core_profiles())
        .map_err(|_| PyRuntimeError::new_err("the profiles could not be represented"))?;
    to_py(py, profiles)
}
