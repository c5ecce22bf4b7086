//! Analytics (売上分析, RFM, CPM, 顧客BS, repeat, CLV): the `OrderHistory` class
//! and the CLV functions.
//!
//! A history is built from Arrow tables (`orders`: the conversion reads the
//! columns straight from the buffers, no Python object per row) or from the
//! JSON face's forms (a list of row dicts, a dict of column lists), which the
//! core's `analytics::json::history` reads. Every analysis runs on the core's
//! history with the GIL released and returns the core's table as a pyarrow
//! Table (`tables`), or, with `output="rows"`, as the JSON face renders it: a
//! list of row dicts, money as decimal text, dates as ISO text.
//!
//! Configurations are dicts (or JSON text) of the JSON face's form. They are
//! decoded into the core's types; when one does not decode, the JSON face is
//! asked about it on an empty history, so that the error (code, path, words)
//! is the core's own.

mod cells;
mod clv;
mod intern;
mod orders;
mod tables;

use std::sync::Arc;

use chrono_tz::Tz;
use ichigen::analytics::clv::{FitOptions, Predictor, SummaryConfig};
use ichigen::analytics::{
    BalanceConfig, CpmConfig, OrderColumns, OrderHistory, RepeatConfig, RfmConfig, SalesQuery,
    Table, json,
};
use ichigen::money::Currency;
use ichigen::{Error, Issue};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use pyo3_arrow::PyTable;
use serde_json::{Value, json};

use crate::convert::{date_arg, json_arg, to_py};
use crate::errors::{CoreResultExt, input_error};
use orders::Rows;
use tables::CustomerIds;

pub use clv::{fit_clv, predict_clv};

/// How a result is returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Output {
    /// A pyarrow Table.
    Table,
    /// The JSON face's rows as Python objects.
    Rows,
}

fn output_arg(py: Python<'_>, output: &str) -> PyResult<Output> {
    match output {
        "table" => Ok(Output::Table),
        "rows" => Ok(Output::Rows),
        _ => Err(input_error(
            py,
            "INPUT_BAD_OPTION",
            "$.output",
            "expected \"table\" (a pyarrow.Table) or \"rows\" (a list of dicts)",
        )),
    }
}

/// Whether an argument is in one of the JSON face's forms (rows or columns, or
/// the same as JSON text) rather than an Arrow producer.
fn is_json_form(obj: &Bound<'_, PyAny>) -> bool {
    obj.cast::<PyList>().is_ok()
        || obj.cast::<PyTuple>().is_ok()
        || obj.cast::<PyDict>().is_ok()
        || obj.cast::<PyString>().is_ok()
}

/// The rows of an Arrow producer; anything else is `INPUT_WRONG_TYPE` at `path`.
fn arrow_rows(obj: &Bound<'_, PyAny>, path: &str, json_too: bool) -> PyResult<Rows> {
    let rows: pyo3_arrow::input::AnyRecordBatch = obj.extract().map_err(|_| {
        let also = if json_too {
            ", a list of row dicts or a dict of column lists"
        } else {
            ""
        };
        input_error(
            obj.py(),
            "INPUT_WRONG_TYPE",
            path,
            &format!(
                "expected an Arrow table, record batch or stream (pyarrow, polars, or \
                 anything with __arrow_c_stream__ or __arrow_c_array__){also}"
            ),
        )
    })?;
    let reader = rows.into_reader()?;
    let schema = reader.schema();
    let batches = reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
    Ok(Rows::new(schema, batches))
}

/// An empty history in a zone and currency: the JSON face checks
/// configurations on it, without computing anything.
fn empty_history(zone: Tz, currency: Currency) -> Result<OrderHistory, Error> {
    OrderHistory::new(zone, currency, OrderColumns::default(), None)
}

/// Splits `decimals` off a configuration object. Which values it may take is
/// the core's rule: a given value is first shown to the JSON face.
fn split_decimals(value: Value) -> Result<(Value, Option<u32>), Error> {
    let Value::Object(mut m) = value else {
        return Ok((value, None));
    };
    let decimals = match m.remove("decimals") {
        None | Some(Value::Null) => None,
        Some(d) => {
            let empty = empty_history(Tz::UTC, Currency::JPY)?;
            json::sales(&empty, json!({ "decimals": d.clone() }))?;
            d.as_u64().and_then(|d| u32::try_from(d).ok())
        }
    };
    Ok((Value::Object(m), decimals))
}

/// A configuration type of the core, decoded from JSON by its serde form.
trait Config: Sized {
    fn from_json(value: Value) -> serde_json::Result<Self>;
}

macro_rules! configs {
    ($($t:ty),*) => {$(
        impl Config for $t {
            fn from_json(value: Value) -> serde_json::Result<Self> {
                serde_json::from_value(value)
            }
        }
    )*};
}

configs!(
    SalesQuery,
    RfmConfig,
    CpmConfig,
    BalanceConfig,
    RepeatConfig,
    SummaryConfig,
    FitOptions,
    Predictor
);

/// Decodes a configuration into the core's type; when it does not decode,
/// `face` (the JSON face on an empty history) gives the core's error.
fn decode<T: Config>(
    value: Value,
    face: impl FnOnce(Value) -> Result<Value, Error>,
) -> Result<(T, Option<u32>), Error> {
    let (rest, decimals) = split_decimals(value.clone())?;
    match T::from_json(rest) {
        Ok(t) => Ok((t, decimals)),
        Err(_) => Err(face(value).err().unwrap_or_else(|| {
            Error::InvalidAnalytics(vec![Issue::new(
                "ANALYTICS_BAD_CONFIG",
                "$.config",
                "the configuration does not decode (a field this method does not take?)",
            )])
        })),
    }
}

/// What an analysis returns: one table or named ones.
enum Tables {
    One(Table),
    Named(Vec<(&'static str, Table)>),
}

/// A result converted (without the GIL) but not yet in Python.
enum Rendered {
    Rows(Value),
    One(arrow_array::RecordBatch),
    Named(Vec<(&'static str, arrow_array::RecordBatch)>),
}

fn render(
    tables: Tables,
    output: Output,
    decimals: Option<u32>,
    customers: &CustomerIds,
) -> Result<Rendered, Error> {
    Ok(match (output, tables) {
        (Output::Rows, Tables::One(t)) => Rendered::Rows(Value::Array(t.rows_json(decimals))),
        (Output::Rows, Tables::Named(ts)) => Rendered::Rows(Value::Object(
            ts.into_iter()
                .map(|(n, t)| (n.to_owned(), Value::Array(t.rows_json(decimals))))
                .collect(),
        )),
        (Output::Table, Tables::One(t)) => Rendered::One(tables::batch(t, decimals, customers)?),
        (Output::Table, Tables::Named(ts)) => Rendered::Named(
            ts.into_iter()
                .map(|(n, t)| Ok((n, tables::batch(t, decimals, customers)?)))
                .collect::<Result<_, Error>>()?,
        ),
    })
}

fn pyarrow_table(py: Python<'_>, batch: arrow_array::RecordBatch) -> PyResult<Bound<'_, PyAny>> {
    let schema = batch.schema();
    PyTable::try_new(vec![batch], schema)?.into_pyarrow(py)
}

fn to_python(py: Python<'_>, r: Rendered) -> PyResult<Bound<'_, PyAny>> {
    match r {
        Rendered::Rows(v) => to_py(py, v),
        Rendered::One(b) => pyarrow_table(py, b),
        Rendered::Named(bs) => {
            let d = PyDict::new(py);
            for (n, b) in bs {
                d.set_item(n, pyarrow_table(py, b)?)?;
            }
            Ok(d.into_any())
        }
    }
}

/// An order history in columns (one row per order, SKU lines optional), with
/// each order's day in the shop's zone. Immutable and thread-safe; every
/// analysis runs with the GIL released.
#[pyclass(name = "OrderHistory", module = "ichigen", frozen)]
pub struct PyOrderHistory {
    inner: Arc<OrderHistory>,
    customers: Arc<CustomerIds>,
}

impl std::fmt::Debug for PyOrderHistory {
    // The history holds customer ids: only sizes are shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OrderHistory({} orders)", self.inner.len())
    }
}

/// A configuration argument as JSON (`None`: null).
fn config_value(obj: Option<&Bound<'_, PyAny>>, name: &str) -> PyResult<Value> {
    match obj {
        Some(o) if !o.is_none() => json_arg(o, name),
        _ => Ok(Value::Null),
    }
}

impl PyOrderHistory {
    /// Decodes the configuration, runs the analysis and renders the result, the
    /// GIL released.
    fn analyse<'py, T: Config>(
        &self,
        py: Python<'py>,
        value: Value,
        face: fn(&OrderHistory, Value) -> Result<Value, Error>,
        run: impl FnOnce(&OrderHistory, &T) -> Result<Tables, Error> + Send,
        output: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let output = output_arg(py, output)?;
        let h = Arc::clone(&self.inner);
        let customers = Arc::clone(&self.customers);
        let rendered = py
            .detach(move || {
                let (config, decimals) =
                    decode::<T>(value, |v| face(&empty_history(h.zone(), h.currency())?, v))?;
                render(run(&h, &config)?, output, decimals, &customers)
            })
            .or_raise(py)?;
        to_python(py, rendered)
    }

    fn wrap(h: OrderHistory) -> PyOrderHistory {
        let customers = CustomerIds::new(h.customer_ids_shared());
        PyOrderHistory {
            inner: Arc::new(h),
            customers: Arc::new(customers),
        }
    }
}

#[pymethods]
impl PyOrderHistory {
    /// Builds a history from `orders` (an Arrow table, record batch or stream,
    /// a polars DataFrame; or the JSON face's forms: a list of row dicts, a dict
    /// of column lists, or either as JSON text) and optional `lines` (Arrow, or
    /// the JSON face's column dict beside column-form orders). `zone` (IANA) and `currency` (ISO 4217)
    /// are the shop's. Raises `AnalyticsError` with every bad cell.
    #[new]
    #[pyo3(signature = (orders, lines=None, *, zone="Asia/Tokyo", currency="JPY"))]
    fn new(
        orders: &Bound<'_, PyAny>,
        lines: Option<&Bound<'_, PyAny>>,
        zone: &str,
        currency: &str,
    ) -> PyResult<Self> {
        let py = orders.py();
        let lines = lines.filter(|l| !l.is_none());
        if is_json_form(orders) {
            let mut value = json!({ "zone": zone, "currency": currency });
            value["orders"] = json_arg(orders, "orders")?;
            if let Some(l) = lines {
                value["lines"] = json_arg(l, "lines")?;
            }
            let h = py.detach(move || json::history(value, "$")).or_raise(py)?;
            return Ok(PyOrderHistory::wrap(h));
        }
        let rows = arrow_rows(orders, "$.orders", true)?;
        let line_rows = match lines {
            Some(l) => Some(arrow_rows(l, "$.lines", false)?),
            None => None,
        };
        // The zone and currency as the JSON face reads them (its errors, at $.zone).
        let shop = json!({ "zone": zone, "currency": currency, "orders": [] });
        let h = py
            .detach(move || {
                let shop = json::history(shop, "$")?;
                orders::history(shop.zone(), shop.currency(), &rows, line_rows.as_ref())
            })
            .or_raise(py)?;
        Ok(PyOrderHistory::wrap(h))
    }

    /// Sales grouped by `query["group_by"]` (year, month, day, weekday, hour,
    /// date, year_month, channel, store, product, sku, payment_method,
    /// cancel_reason, shipping_method, age_band, gender), with `from`, `to`,
    /// `include_cancelled` and `decimals`.
    #[pyo3(signature = (query=None, *, output="table"))]
    fn sales<'py>(
        &self,
        py: Python<'py>,
        query: Option<&Bound<'py, PyAny>>,
        output: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let value = match config_value(query, "query")? {
            Value::Null => json!({}),
            v => v,
        };
        self.analyse::<SalesQuery>(
            py,
            value,
            json::sales,
            |h, q| Ok(Tables::One(h.sales(q)?)),
            output,
        )
    }

    /// RFM per customer (`customer`, `recency`, `frequency`, `monetary`,
    /// `first_purchase`, `last_purchase`, `r`, `f`, `m`, `score`, `rank`).
    #[pyo3(signature = (config, *, output="table"))]
    fn rfm<'py>(
        &self,
        py: Python<'py>,
        config: &Bound<'py, PyAny>,
        output: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let value = json_arg(config, "config")?;
        self.analyse::<RfmConfig>(
            py,
            value,
            json::rfm,
            |h, c| Ok(Tables::One(h.rfm(c)?.table(h))),
            output,
        )
    }

    /// The 5×5 grid of recency by frequency scores.
    #[pyo3(signature = (config, *, output="table"))]
    fn rfm_grid<'py>(
        &self,
        py: Python<'py>,
        config: &Bound<'py, PyAny>,
        output: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let value = json_arg(config, "config")?;
        self.analyse::<RfmConfig>(
            py,
            value,
            json::rfm,
            |h, c| Ok(Tables::One(h.rfm(c)?.grid(h))),
            output,
        )
    }

    /// CPM segment per customer.
    #[pyo3(signature = (config, *, output="table"))]
    fn cpm<'py>(
        &self,
        py: Python<'py>,
        config: &Bound<'py, PyAny>,
        output: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let value = json_arg(config, "config")?;
        self.analyse::<CpmConfig>(
            py,
            value,
            json::cpm,
            |h, c| Ok(Tables::One(h.cpm(c)?.table(h))),
            output,
        )
    }

    /// The ten CPM segments with their customers and spend.
    #[pyo3(signature = (config, *, output="table"))]
    fn cpm_segments<'py>(
        &self,
        py: Python<'py>,
        config: &Bound<'py, PyAny>,
        output: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let value = json_arg(config, "config")?;
        self.analyse::<CpmConfig>(
            py,
            value,
            json::cpm,
            |h, c| Ok(Tables::One(h.cpm(c)?.summary(h))),
            output,
        )
    }

    /// Customers moving between segments from `config["as_of"]` to `to` (a date
    /// or ISO text).
    #[pyo3(signature = (config, to, *, output="table"))]
    fn cpm_flows<'py>(
        &self,
        py: Python<'py>,
        config: &Bound<'py, PyAny>,
        to: &Bound<'py, PyAny>,
        output: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let value = json_arg(config, "config")?;
        let to = date_arg(to, "to")?;
        self.analyse::<CpmConfig>(
            py,
            value,
            json::cpm,
            move |h, c| Ok(Tables::One(h.cpm_flows(c, to)?)),
            output,
        )
    }

    /// The customer balance sheet (顧客BS): `{"classes", "flows", "projection"}`.
    #[pyo3(signature = (config, *, output="table"))]
    fn balance_sheet<'py>(
        &self,
        py: Python<'py>,
        config: &Bound<'py, PyAny>,
        output: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let value = json_arg(config, "config")?;
        self.analyse::<BalanceConfig>(
            py,
            value,
            json::balance_sheet,
            |h, c| {
                let b = h.balance_sheet(c)?;
                Ok(Tables::Named(vec![
                    ("classes", b.classes),
                    ("flows", b.flows),
                    ("projection", b.projection),
                ]))
            },
            output,
        )
    }

    /// F2 conversion: first-time buyers and how many bought again.
    #[pyo3(signature = (config, *, output="table"))]
    fn f2<'py>(
        &self,
        py: Python<'py>,
        config: &Bound<'py, PyAny>,
        output: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let value = json_arg(config, "config")?;
        self.analyse::<RepeatConfig>(
            py,
            value,
            json::repeat,
            |h, c| Ok(Tables::One(h.f2(c)?)),
            output,
        )
    }

    /// Repeat rates by channel and across channels.
    #[pyo3(signature = (config, *, output="table"))]
    fn repeat_rates<'py>(
        &self,
        py: Python<'py>,
        config: &Bound<'py, PyAny>,
        output: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let value = json_arg(config, "config")?;
        self.analyse::<RepeatConfig>(
            py,
            value,
            json::repeat,
            |h, c| Ok(Tables::One(h.repeat_rates(c)?)),
            output,
        )
    }

    /// The monthly cohort retention matrix.
    #[pyo3(signature = (config, *, output="table"))]
    fn cohorts<'py>(
        &self,
        py: Python<'py>,
        config: &Bound<'py, PyAny>,
        output: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let value = json_arg(config, "config")?;
        self.analyse::<RepeatConfig>(
            py,
            value,
            json::repeat,
            |h, c| Ok(Tables::One(h.cohorts(c)?)),
            output,
        )
    }

    /// Lifetime value by first channel, across channels.
    #[pyo3(signature = (config, *, output="table"))]
    fn channel_ltv<'py>(
        &self,
        py: Python<'py>,
        config: &Bound<'py, PyAny>,
        output: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let value = json_arg(config, "config")?;
        self.analyse::<RepeatConfig>(
            py,
            value,
            json::repeat,
            |h, c| Ok(Tables::One(h.channel_ltv(c)?)),
            output,
        )
    }

    /// Per customer `frequency`, `recency`, `T`, `monetary_value` as the
    /// `lifetimes` package defines them (`observation_end`, `period_days`).
    #[pyo3(signature = (config, *, output="table"))]
    fn clv_summary<'py>(
        &self,
        py: Python<'py>,
        config: &Bound<'py, PyAny>,
        output: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let value = json_arg(config, "config")?;
        self.analyse::<SummaryConfig>(
            py,
            value,
            json::clv_summary,
            |h, c| Ok(Tables::One(h.clv_summary(c)?.table(h))),
            output,
        )
    }

    /// What the history holds: `{orders, customers, lines, cancelled,
    /// first_date, last_date, zone, currency}`.
    fn describe<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, json::describe(&self.inner))
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "OrderHistory({} orders, zone={:?}, currency={:?})",
            self.inner.len(),
            self.inner.zone().name(),
            self.inner.currency().code()
        )
    }
}
