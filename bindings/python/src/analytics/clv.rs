//! CLV from a per-customer summary: `fit_clv` (BG/NBD, and Gamma-Gamma when
//! the summary has `monetary_value`) and `predict_clv`.
//!
//! A summary in the JSON face's forms goes to the JSON face as it is (its
//! columns read by `json::summary_columns` when the result is Arrow). An Arrow
//! summary's number columns are read straight into `f64` columns: the fit calls
//! the core's models on them and lays the result out as the JSON face's
//! `clv_fit` does; predictions come from the core's `clv::Predictor` (which owns
//! the options' defaults and checks) as Arrow columns beside the summary's own
//! `customer`. With `output="rows"` the JSON face answers, as it is.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use ichigen::analytics::clv::{Predictions, Predictor};
use ichigen::analytics::{json, round_to};
use ichigen::{Error, Issue};
use pyo3::prelude::*;
use pyo3_arrow::PyTable;
use serde_json::{Map, Value, json};

use super::cells::{At, Problems, each_float};
use super::orders::Rows;
use super::{Output, arrow_rows, decode, is_json_form, output_arg};
use crate::convert::{json_arg, to_py};
use crate::errors::CoreResultExt;

/// The number columns a summary is read from, required first.
const NUMBERS: [&str; 5] = ["frequency", "recency", "T", "monetary_value", "weights"];

/// An Arrow summary's number columns.
#[derive(Debug)]
struct Numbers {
    /// `frequency`, `recency`, `T`, then `monetary_value` and `weights` if given.
    columns: [Option<Vec<f64>>; 5],
}

impl Numbers {
    fn get(&self, k: usize) -> &[f64] {
        self.columns[k].as_deref().unwrap_or_default()
    }
}

/// Reads the number columns (integers or floats); a null is `CLV_BAD_VALUE`
/// at its row, as the JSON face reports a cell that is not a number.
fn numbers(rows: &Rows) -> Result<Numbers, Error> {
    let mut problems = Problems::default();
    let mut columns: [Option<Vec<f64>>; 5] = Default::default();
    for (k, name) in NUMBERS.iter().enumerate() {
        let Some((t, chunks)) = rows.column(name) else {
            if k < 3 {
                problems.add(
                    "ANALYTICS_MISSING_COLUMN",
                    || format!("$.summary.{name}"),
                    "the column is required",
                );
            }
            continue;
        };
        if !(t.is_integer() || matches!(t, DataType::Float32 | DataType::Float64)) {
            let message = format!("wrong type {t}; expected numbers (floats or integers)");
            problems.add(
                "ANALYTICS_WRONG_TYPE",
                || format!("$.summary.{name}"),
                &message,
            );
            continue;
        }
        let at = At {
            table: "$.summary",
            column: name,
        };
        let mut out = Vec::with_capacity(rows.len());
        for c in &chunks {
            let start = out.len();
            each_float(c.as_ref(), |i, v| {
                out.push(v.unwrap_or_else(|| {
                    problems.add("CLV_BAD_VALUE", || at.row(start + i), "expected a number");
                    0.0
                }));
            });
        }
        columns[k] = Some(out);
    }
    problems.finish()?;
    Ok(Numbers { columns })
}

/// The fit, laid out by the core's JSON face (`json::clv_fit_columns`).
fn fit_value(n: &Numbers, options: Value) -> Result<Value, Error> {
    let summary = json::SummaryColumns {
        customer: None,
        frequency: n.get(0).to_vec(),
        recency: n.get(1).to_vec(),
        t: n.get(2).to_vec(),
        monetary: n.columns[3].clone(),
        weights: n.columns[4].clone(),
    };
    json::clv_fit_columns(&summary, options)
}

/// Fits BG/NBD (and Gamma-Gamma when the summary has `monetary_value`) by
/// maximum likelihood. `summary`: an Arrow table (a pyarrow Table, a polars
/// DataFrame, `OrderHistory.clv_summary`'s result) with `frequency`, `recency`,
/// `T`, optional `monetary_value` and `weights`; or the JSON face's rows or
/// columns. `options`: `penalizer`, `tolerance`, `max_iterations`, `decimals`.
/// Returns `{"bgnbd": {r, alpha, a, b, diagnostics}, "gamma_gamma": {p, q, v,
/// diagnostics} | None}`.
#[pyfunction]
#[pyo3(signature = (summary, options=None))]
pub fn fit_clv<'py>(
    summary: &Bound<'py, PyAny>,
    options: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = summary.py();
    let options = match options {
        Some(o) if !o.is_none() => json_arg(o, "options")?,
        _ => Value::Null,
    };
    let out = if is_json_form(summary) {
        let value = json_arg(summary, "summary")?;
        py.detach(move || json::clv_fit(value, options))
            .or_raise(py)?
    } else {
        let rows = arrow_rows(summary, "$.summary", true)?;
        py.detach(move || fit_value(&numbers(&rows)?, options))
            .or_raise(py)?
    };
    to_py(py, out)
}

/// An Arrow summary's number columns as the JSON face's column form.
fn columns_value(n: &Numbers) -> Value {
    let mut m = Map::new();
    for (k, name) in NUMBERS.iter().enumerate() {
        if let Some(c) = &n.columns[k] {
            m.insert(
                (*name).to_owned(),
                c.iter().map(|&x| Value::from(x)).collect(),
            );
        }
    }
    Value::Object(m)
}

/// The summary's `customer` values of the JSON face's form: integers, or text
/// (strings as they are, other values as their JSON text).
fn customer_column(values: &[Value]) -> ArrayRef {
    if values.iter().all(|v| v.is_i64() || v.is_null()) {
        return Arc::new(Int64Array::from_iter(values.iter().map(Value::as_i64)));
    }
    Arc::new(StringArray::from_iter(values.iter().map(|v| match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    })))
}

fn internal(_: arrow_schema::ArrowError) -> Error {
    Error::InvalidAnalytics(vec![Issue::new(
        "ANALYTICS_OUTPUT",
        "$",
        "the result columns could not be assembled",
    )])
}

/// The core's predictions as float64 columns, rounded to `decimals` places and
/// null where the model has no answer, as the JSON face writes them.
fn predicted_columns(
    p: &Predictor,
    out: Predictions,
    monetary: bool,
    decimals: Option<u32>,
) -> Vec<(&'static str, ArrayRef)> {
    let column = |v: Vec<Option<f64>>| -> ArrayRef {
        Arc::new(Float64Array::from_iter(v.into_iter().map(|x| {
            x.map(|x| decimals.map_or(x, |d| round_to(x, d)))
                .filter(|x| x.is_finite())
        })))
    };
    let mut columns = vec![
        ("expected_purchases", column(out.expected_purchases)),
        (
            "probability_alive",
            column(out.probability_alive.into_iter().map(Some).collect()),
        ),
    ];
    if p.gamma_gamma.is_some() && monetary {
        columns.push(("expected_average_value", column(out.expected_average_value)));
        columns.push(("clv", column(out.clv)));
    }
    columns
}

/// Decodes the options into the core's `Predictor` (its error, through the JSON
/// face, when they do not decode).
fn predictor(options: Value) -> Result<(Predictor, Option<u32>), Error> {
    let (p, decimals) = decode::<Predictor>(options, |v| json::clv_predict(json!([]), v))?;
    // The options first, then the summary, as the JSON face checks them.
    p.check()?;
    Ok((p, decimals))
}

/// Predictions for an Arrow summary: one output batch per input batch, the
/// input's `customer` column (if any) first, as it was given.
fn predict_arrow(rows: &Rows, options: Value, output: Output) -> Result<Predicted, Error> {
    if output == Output::Rows {
        let out = json::clv_predict(columns_value(&numbers(rows)?), options)?;
        return Ok(Predicted::Rows(
            out.get("rows").cloned().unwrap_or_default(),
        ));
    }
    let (p, decimals) = predictor(options)?;
    let n = numbers(rows)?;
    let monetary = n.columns[3].as_deref();
    let out = p.predict(n.get(0), n.get(1), n.get(2), monetary)?;
    let columns = predicted_columns(&p, out, monetary.is_some(), decimals);
    let customer = rows.schema().index_of("customer").ok();
    let mut fields = Vec::new();
    if let Some(i) = customer {
        let f = rows.schema().field(i);
        fields.push(Field::new("customer", f.data_type().clone(), true));
    }
    fields.extend(
        columns
            .iter()
            .map(|(n, _)| Field::new(*n, DataType::Float64, true)),
    );
    let schema = Arc::new(Schema::new(fields));
    let mut batches = Vec::with_capacity(rows.batches().len());
    let mut offset = 0;
    for b in rows.batches() {
        let len = b.num_rows();
        let mut cols = Vec::with_capacity(schema.fields().len());
        if let Some(i) = customer {
            cols.push(b.column(i).clone());
        }
        cols.extend(columns.iter().map(|(_, c)| c.slice(offset, len)));
        offset += len;
        batches.push(RecordBatch::try_new(schema.clone(), cols).map_err(internal)?);
    }
    Ok(Predicted::Arrow(batches, schema))
}

/// Predictions for a summary in the JSON face's forms: the face's rows, or its
/// columns (read by the face) predicted by the core into Arrow.
fn predict_json(summary: Value, options: Value, output: Output) -> Result<Predicted, Error> {
    if output == Output::Rows {
        let out = json::clv_predict(summary, options)?;
        return Ok(Predicted::Rows(
            out.get("rows").cloned().unwrap_or_default(),
        ));
    }
    let (p, decimals) = predictor(options)?;
    let s = json::summary_columns(summary)?;
    let out = p.predict(&s.frequency, &s.recency, &s.t, s.monetary.as_deref())?;
    let mut fields = Vec::new();
    let mut cols = Vec::new();
    if let Some(c) = &s.customer {
        let c = customer_column(c);
        fields.push(Field::new("customer", c.data_type().clone(), true));
        cols.push(c);
    }
    for (name, c) in predicted_columns(&p, out, s.monetary.is_some(), decimals) {
        fields.push(Field::new(name, DataType::Float64, true));
        cols.push(c);
    }
    let schema = Arc::new(Schema::new(fields));
    let batch = if cols.is_empty() {
        RecordBatch::new_empty(schema.clone())
    } else {
        RecordBatch::try_new(schema.clone(), cols).map_err(internal)?
    };
    Ok(Predicted::Arrow(vec![batch], schema))
}

enum Predicted {
    Rows(Value),
    Arrow(Vec<RecordBatch>, arrow_schema::SchemaRef),
}

/// Predictions per summary row: `expected_purchases` (over `periods`),
/// `probability_alive`, and with a Gamma-Gamma model and `monetary_value`,
/// `expected_average_value` and `clv` (over `months`, `discount_rate` per month,
/// `period_days` per period). `options`: `bgnbd` ({r, alpha, a, b}),
/// `gamma_gamma` ({p, q, v}), `periods`, `months`, `discount_rate`,
/// `period_days`, `decimals`. Returns a pyarrow Table (the summary's `customer`
/// column first when it has one), or with `output="rows"` the JSON face's rows.
#[pyfunction]
#[pyo3(signature = (summary, options, *, output="table"))]
pub fn predict_clv<'py>(
    summary: &Bound<'py, PyAny>,
    options: &Bound<'py, PyAny>,
    output: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let py = summary.py();
    let output = output_arg(py, output)?;
    let options = json_arg(options, "options")?;
    let out = if is_json_form(summary) {
        let value = json_arg(summary, "summary")?;
        py.detach(move || predict_json(value, options, output))
            .or_raise(py)?
    } else {
        let rows = arrow_rows(summary, "$.summary", true)?;
        py.detach(move || predict_arrow(&rows, options, output))
            .or_raise(py)?
    };
    match out {
        Predicted::Rows(v) => to_py(py, v),
        Predicted::Arrow(batches, schema) => PyTable::try_new(batches, schema)?.into_pyarrow(py),
    }
}
