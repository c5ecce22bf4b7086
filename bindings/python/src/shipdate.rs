//! Ship dates: the `ShippingPolicy` class (one plan, with its explanation) and the
//! `BatchPlanner` class (Arrow in, Arrow out, the GIL released while planning).

use std::sync::Arc;

use arrow_array::RecordBatchReader;
use ichigen::clock::Clock;
use ichigen::interop;
use ichigen::shipdate::ShippingPolicy;
use ichigen::shipdate::batch::{self, BatchPlanner};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use pyo3_arrow::PyTable;
use pyo3_arrow::input::{AnyArray, AnyRecordBatch};
use serde_json::Value;

use crate::arrow::{Input, output_schema};
use crate::convert::{clock_arg, date_arg, json_arg, parse_json_text, to_py_dates, to_value};
use crate::errors::{CoreResultExt, core_error, input_error};

/// The date fields of a plan (and of its steps): they cross as `datetime.date`.
const PLAN_DATES: &[&str] = &[
    "start_date",
    "earliest_ship_date",
    "ship_date",
    "delivery_date",
    "designated_date",
    "latest_ship_date",
    "earliest_delivery_date",
    "date",
    "release_date",
    "until",
];

/// A shop's shipping rules (cut-off, handling days, calendars, carriers, transit
/// table, remote islands), checked and built once. Immutable and thread-safe.
#[pyclass(name = "ShippingPolicy", module = "ichigen", frozen)]
#[derive(Debug)]
pub struct PyShippingPolicy {
    inner: Arc<ShippingPolicy>,
    /// The definition it was built from, for `BatchPlanner`.
    definition: Value,
}

#[pymethods]
impl PyShippingPolicy {
    /// Builds a policy from its definition (dict or JSON text); raises
    /// `ShippingError` (or `CalendarError` for a calendar in it) with every problem.
    #[new]
    fn new(definition: &Bound<'_, PyAny>) -> PyResult<Self> {
        let py = definition.py();
        let value = json_arg(definition, "policy")?;
        let kept = value.clone();
        let inner = py
            .detach(move || interop::load_shipping_policy(value))
            .or_raise(py)?;
        Ok(PyShippingPolicy {
            inner: Arc::new(inner),
            definition: kept,
        })
    }

    /// Plans one request (`ordered_at`, `destination`, and optionally `zone`,
    /// `postal_code`, `carrier`, `service`, `skus`, `handling_days`, `release_date`,
    /// `designated_date`). Today is `now`'s date in the shop's zone (`now`: an aware
    /// datetime or RFC 3339 string; None: the system clock). Returns the plan with
    /// its dates as `datetime.date`, `explanation` (sentences) and `context` (the
    /// triage facts it establishes).
    #[pyo3(signature = (request, now=None))]
    fn plan<'py>(
        &self,
        request: &Bound<'py, PyAny>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = request.py();
        let request = json_arg(request, "request")?;
        let clock = clock_arg(now)?;
        let policy = Arc::clone(&self.inner);
        let out = py
            .detach(move || interop::plan_ship_date(&policy, request, &clock))
            .or_raise(py)?;
        to_py_dates(py, out, PLAN_DATES)
    }

    /// Plans an order (dict or JSON text; its farthest recipient). Same output as
    /// `plan`; today is `now`'s date in the order's shop zone.
    #[pyo3(signature = (order, now=None))]
    fn plan_order<'py>(
        &self,
        order: &Bound<'py, PyAny>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = order.py();
        let order = json_arg(order, "order")?;
        let clock = clock_arg(now)?;
        let policy = Arc::clone(&self.inner);
        let out = py
            .detach(move || interop::plan_order_ship_date(&policy, order, &clock))
            .or_raise(py)?;
        to_py_dates(py, out, PLAN_DATES)
    }

    fn __repr__(&self) -> String {
        format!(
            "ShippingPolicy(origin={}, zone={:?}, cutoff={})",
            self.inner.origin(),
            self.inner.zone().name(),
            self.inner.cutoff().format("%H:%M")
        )
    }
}

/// Plans ship dates for many rows at once, from Arrow columns.
#[pyclass(name = "BatchPlanner", module = "ichigen", frozen)]
#[derive(Debug)]
pub struct PyBatchPlanner {
    inner: Arc<BatchPlanner>,
}

/// One policy in the `policies` list: a `ShippingPolicy`, JSON text or a dict.
fn policy_value(obj: &Bound<'_, PyAny>, i: usize) -> PyResult<Value> {
    if let Ok(p) = obj.cast::<PyShippingPolicy>() {
        return Ok(p.get().definition.clone());
    }
    let path = format!("$.policies[{i}]");
    if let Ok(text) = obj.cast::<PyString>() {
        return parse_json_text(obj.py(), &text.to_cow()?, &path);
    }
    let mut path = path;
    to_value(obj, &mut path, 0)
}

/// The rows of `data`: a dict of Arrow arrays, or any Arrow table, batch or stream.
fn input_arg(data: &Bound<'_, PyAny>) -> PyResult<Input> {
    let py = data.py();
    let not_arrow = |what: &str, path: &str| {
        input_error(
            py,
            "INPUT_WRONG_TYPE",
            path,
            &format!(
                "expected {what} (pyarrow, polars, or anything with __arrow_c_stream__ \
                 or __arrow_c_array__)"
            ),
        )
    };
    if let Ok(dict) = data.cast::<PyDict>() {
        let mut cols = Vec::with_capacity(dict.len());
        for (k, v) in dict.iter() {
            let name: String = k.extract().map_err(|_| {
                input_error(
                    py,
                    "INPUT_WRONG_TYPE",
                    "$.data",
                    "column names must be strings",
                )
            })?;
            let path = format!("$.{name}");
            let array: AnyArray = v
                .extract()
                .map_err(|_| not_arrow("an Arrow array", &path))?;
            let reader = array.into_reader()?;
            let field = reader.field();
            let chunks = reader
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
            cols.push((name, field.data_type().clone(), chunks));
        }
        return Ok(Input::Columns(cols));
    }
    let rows: AnyRecordBatch = data.extract().map_err(|_| {
        not_arrow(
            "an Arrow table, record batch or stream, or a dict of arrays",
            "$.data",
        )
    })?;
    let reader = rows.into_reader()?;
    let schema = reader.schema();
    let batches = reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
    Ok(Input::Batches { schema, batches })
}

#[pymethods]
impl PyBatchPlanner {
    /// Prepares the policies (a row's `policy` column indexes them; each a dict,
    /// JSON text or `ShippingPolicy`), the carrier codes (a row's `carrier` indexes
    /// them; None: each policy's default carrier) and the shops' zone (None:
    /// Asia/Tokyo). Raises `ShippingError` with the policy's index in each path.
    #[new]
    #[pyo3(signature = (policies, carriers=None, zone=None))]
    fn new(
        policies: &Bound<'_, PyAny>,
        carriers: Option<&Bound<'_, PyAny>>,
        zone: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let py = policies.py();
        let list = if let Ok(list) = policies.cast::<PyList>() {
            list.iter().collect::<Vec<_>>()
        } else if let Ok(tuple) = policies.cast::<PyTuple>() {
            tuple.iter().collect()
        } else {
            return Err(input_error(
                py,
                "INPUT_WRONG_TYPE",
                "$.policies",
                "expected a list of policies (dicts, JSON texts or ShippingPolicy)",
            ));
        };
        let defs = list
            .iter()
            .enumerate()
            .map(|(i, p)| policy_value(p, i))
            .collect::<PyResult<Vec<_>>>()?;
        let opt = |obj: Option<&Bound<'_, PyAny>>, name: &str| -> PyResult<Value> {
            match obj {
                Some(o) if !o.is_none() => {
                    let mut path = format!("$.{name}");
                    to_value(o, &mut path, 0)
                }
                _ => Ok(Value::Null),
            }
        };
        let carriers = opt(carriers, "carriers")?;
        let zone = opt(zone, "zone")?;
        let inner = py
            .detach(move || interop::batch_planner(Value::Array(defs), carriers, zone))
            .or_raise(py)?;
        Ok(PyBatchPlanner {
            inner: Arc::new(inner),
        })
    }

    /// The zone the row instants are read in (an IANA name).
    #[getter]
    fn zone(&self) -> &'static str {
        self.inner.zone().name()
    }

    /// Plans every row of `data` (a pyarrow Table or RecordBatch, a polars
    /// DataFrame, any Arrow stream or array producer, or a dict of Arrow arrays).
    /// Columns: `ordered_at` (timestamp of any unit, or int epoch seconds),
    /// `destination` (prefecture codes or names), optional `policy`, `carrier`,
    /// `service`, `handling_days`, `designated` (date32). `today` (a date; None: the
    /// system clock's date in the planner's zone) decides whether a designated date
    /// makes a row wait. `threads` (default: the machine's cores) splits the rows
    /// across threads; the result does not depend on it. Returns a pyarrow Table of
    /// `status`, `ship_date`, `delivery_date`, `latest_ship_date`, `transit_days`, one
    /// row per input row.
    #[pyo3(signature = (data, today=None, threads=None))]
    fn plan<'py>(
        &self,
        data: &Bound<'py, PyAny>,
        today: Option<&Bound<'py, PyAny>>,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = data.py();
        let threads = threads.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        });
        let today = match today.filter(|t| !t.is_none()) {
            Some(t) => date_arg(t, "today")?,
            None => ichigen::SystemClock.today_in(self.inner.zone()),
        };
        let input = input_arg(data)?;
        let planner = Arc::clone(&self.inner);
        let batches = py
            .detach(move || input.plan(&planner, batch::epoch_days(today), threads))
            .or_raise(py)?;
        PyTable::try_new(batches, output_schema())?.into_pyarrow(py)
    }

    fn __repr__(&self) -> String {
        format!("BatchPlanner(zone={:?})", self.inner.zone().name())
    }
}

/// For the tests: where the planner's input columns live after conversion, per
/// column `(address, borrowed)` for the first part; `borrowed` means the core reads
/// the Arrow buffer itself.
#[pyfunction(name = "_column_addresses")]
pub fn column_addresses<'py>(data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    let py = data.py();
    let input = input_arg(data)?;
    let mut found = Vec::new();
    let mut first = true;
    input
        .for_each_part(|part| {
            if first {
                found = part.addresses();
                first = false;
            }
            Ok(())
        })
        .map_err(|e| core_error(py, e))?;
    let out = PyDict::new(py);
    for (name, address, borrowed) in found {
        out.set_item(name, (address, borrowed))?;
    }
    Ok(out)
}
