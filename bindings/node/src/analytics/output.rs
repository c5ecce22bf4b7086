//! Result tables as JS values: a column object (the default), the JSON face's rows,
//! or an Arrow IPC stream.
//!
//! - Columns, `{columns: {name: values}, rows}`: whole and real numbers as a
//!   `Float64Array` (a column with a missing value, or a real number that is not
//!   finite, as an array of numbers and nulls instead: never NaN); money as decimal
//!   text; text, customer ids and dates (`YYYY-MM-DD`) as strings; yes/no as
//!   booleans; missing values as null.
//! - Rows, `{rows: [...]}`: exactly the rows of the core's JSON face
//!   (`Table::rows_json`).
//! - Arrow, a `Buffer` holding one IPC stream: Int64, Float64, Decimal128(38, the
//!   currency's digits), Utf8, Dictionary(UInt32, Utf8) for customer ids, Date32,
//!   Boolean; every field nullable.
//!
//! `decimals` rounds real numbers (half away from zero) in every form, as the JSON
//! face does.

use std::sync::Arc;

use arrow_array::types::UInt32Type;
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Decimal128Array, DictionaryArray, Float64Array,
    Int64Array, RecordBatch, RecordBatchOptions, StringArray, UInt32Array,
};
use arrow_ipc::writer::StreamWriter;
use arrow_schema::{ArrowError, DataType, Field, Schema};
use ichigen::analytics::{Column, NULL, Table, day_number, money_text, round_to};
use ichigen::{Error, Issue};
use napi::bindgen_prelude::{
    Buffer, Float64Array as JsFloat64Array, JsValue, Null, Object, ToNapiValue, Unknown,
};
use napi::{Env, ValueType};

use crate::convert::{keys_of, object_arg, property, to_js, unreadable};
use crate::errors::{MAX_SAFE_INTEGER, input};

/// The form a result takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Output {
    Columns,
    Rows,
    Arrow,
}

/// Reads the last argument of a method, `{output: "columns" | "rows" | "arrow"}`;
/// absent, `undefined` or `null` is columns.
pub(super) fn output_arg(options: Option<Unknown<'_>>) -> Result<Output, Error> {
    let path = "$.options";
    let Some(options) = options else {
        return Ok(Output::Columns);
    };
    match options.get_type().map_err(|_| unreadable(path))? {
        ValueType::Undefined | ValueType::Null => return Ok(Output::Columns),
        _ => {}
    }
    let object = object_arg(&options, path)?;
    for key in keys_of(&object, path)? {
        if key != "output" {
            let clipped: String = key.chars().take(40).collect();
            return Err(input(
                "INPUT_UNKNOWN_FIELD",
                &format!("$.options[{clipped:?}]"),
                "unknown option; the only one is output",
            ));
        }
    }
    let path = "$.options.output";
    let Some(value) = property(&object, "output", path)? else {
        return Ok(Output::Columns);
    };
    let text = match value.get_type().map_err(|_| unreadable(path))? {
        ValueType::String => value
            .coerce_to_string()
            .and_then(|s| s.into_utf8())
            .and_then(|s| s.into_owned())
            .map_err(|_| unreadable(path))?,
        _ => String::new(),
    };
    match text.as_str() {
        "columns" => Ok(Output::Columns),
        "rows" => Ok(Output::Rows),
        "arrow" => Ok(Output::Arrow),
        _ => Err(input(
            "INPUT_BAD_VALUE",
            path,
            "expected \"columns\", \"rows\" or \"arrow\"",
        )),
    }
}

/// A table in the form asked for.
pub(super) fn table<'env>(
    env: &'env Env,
    table: &Table,
    decimals: Option<u32>,
    output: Output,
) -> napi::Result<Unknown<'env>> {
    match output {
        Output::Rows => {
            let rows = serde_json::Value::Array(table.rows_json(decimals));
            to_js(env, &serde_json::json!({ "rows": rows }))
        }
        Output::Arrow => {
            let bytes = ipc(table, decimals).map_err(|e| crate::errors::to_js(env, &e))?;
            Buffer::from(bytes).into_unknown(env)
        }
        Output::Columns => {
            let mut columns = Object::new(env)?;
            for (name, column) in &table.columns {
                columns.set(name, column_value(env, name, column, decimals)?)?;
            }
            let mut out = Object::new(env)?;
            out.set("columns", columns)?;
            out.set("rows", table.rows() as f64)?;
            Ok(out.to_unknown())
        }
    }
}

/// A real number as the output shows it: rounded when asked, missing when not
/// finite.
fn real(x: Option<f64>, decimals: Option<u32>) -> Option<f64> {
    x.filter(|x| x.is_finite())
        .map(|x| decimals.map_or(x, |d| round_to(x, d)))
}

/// A JS array of `n` values, `f(i)` the value of item `i`.
fn array<'env, T: ToNapiValue>(
    env: &'env Env,
    n: usize,
    mut f: impl FnMut(usize) -> T,
) -> napi::Result<Unknown<'env>> {
    let len = u32::try_from(n).map_err(|_| napi::Error::from_reason("a column too long for JS"))?;
    let mut out = env.create_array(len)?;
    for i in 0..len {
        out.set(i, f(i as usize))?;
    }
    Ok(out.to_unknown())
}

/// A column of numbers: a `Float64Array` when every value is present, else an
/// array of numbers and nulls.
fn numbers<'env>(env: &'env Env, values: Vec<Option<f64>>) -> napi::Result<Unknown<'env>> {
    if values.iter().all(Option::is_some) {
        let dense: Vec<f64> = values.into_iter().flatten().collect();
        return JsFloat64Array::new(dense).into_unknown(env);
    }
    array(env, values.len(), |i| values[i])
}

fn column_value<'env>(
    env: &'env Env,
    name: &str,
    column: &Column,
    decimals: Option<u32>,
) -> napi::Result<Unknown<'env>> {
    match column {
        Column::Int(v) => {
            if let Some(i) = v
                .iter()
                .position(|x| x.is_some_and(|x| x.unsigned_abs() > MAX_SAFE_INTEGER))
            {
                let e = input(
                    "INPUT_OUT_OF_RANGE",
                    &format!("$.columns.{name}[{i}]"),
                    "a whole number in the result is beyond Number.MAX_SAFE_INTEGER (2^53 - 1)",
                );
                return Err(crate::errors::to_js(env, &e));
            }
            // Exact: every value is within ±(2^53 - 1), checked above.
            numbers(env, v.iter().map(|x| x.map(|x| x as f64)).collect())
        }
        Column::Float(v) => numbers(env, v.iter().map(|&x| real(x, decimals)).collect()),
        Column::Money { minor, scale } => array(env, minor.len(), |i| {
            minor[i].map(|m| money_text(m, *scale))
        }),
        Column::Text(v) => array(env, v.len(), |i| v[i].as_deref()),
        Column::Codes { codes, values } => {
            // One JS string per distinct value, shared by the rows that hold it.
            let mut strings: Vec<Option<Unknown<'env>>> = vec![None; values.len()];
            let len = u32::try_from(codes.len())
                .map_err(|_| napi::Error::from_reason("a column too long for JS"))?;
            let mut out = env.create_array(len)?;
            for (i, &c) in (0..len).zip(codes) {
                match strings.get_mut(c as usize) {
                    Some(slot) => {
                        let s = match slot {
                            Some(s) => *s,
                            None => {
                                let s = values[c as usize].as_str().into_unknown(env)?;
                                *slot = Some(s);
                                s
                            }
                        };
                        out.set(i, s)?;
                    }
                    None => out.set(i, Null)?,
                }
            }
            Ok(out.to_unknown())
        }
        Column::Date(v) => array(env, v.len(), |i| v[i].map(|d| d.to_string())),
        Column::Bool(v) => array(env, v.len(), |i| v[i]),
    }
}

/// The Arrow type of a column.
fn arrow_type(column: &Column) -> DataType {
    match column {
        Column::Int(_) => DataType::Int64,
        Column::Float(_) => DataType::Float64,
        // Scale: a currency's digits (0–4).
        Column::Money { scale, .. } => DataType::Decimal128(38, *scale as i8),
        Column::Text(_) => DataType::Utf8,
        Column::Codes { .. } => {
            DataType::Dictionary(Box::new(DataType::UInt32), Box::new(DataType::Utf8))
        }
        Column::Date(_) => DataType::Date32,
        Column::Bool(_) => DataType::Boolean,
    }
}

fn arrow_array(column: &Column, decimals: Option<u32>) -> Result<ArrayRef, ArrowError> {
    Ok(match column {
        Column::Int(v) => Arc::new(Int64Array::from(v.clone())),
        Column::Float(v) => Arc::new(Float64Array::from(
            v.iter().map(|&x| real(x, decimals)).collect::<Vec<_>>(),
        )),
        Column::Money { minor, scale } => Arc::new(
            Decimal128Array::from(minor.clone()).with_precision_and_scale(38, *scale as i8)?,
        ),
        Column::Text(v) => Arc::new(StringArray::from(v.clone())),
        Column::Codes { codes, values } => {
            let keys: UInt32Array = codes.iter().map(|&c| (c != NULL).then_some(c)).collect();
            let values = StringArray::from_iter_values(values.iter());
            Arc::new(DictionaryArray::<UInt32Type>::try_new(
                keys,
                Arc::new(values),
            )?)
        }
        Column::Date(v) => Arc::new(Date32Array::from(
            v.iter().map(|d| d.map(day_number)).collect::<Vec<_>>(),
        )),
        Column::Bool(v) => Arc::new(BooleanArray::from(v.clone())),
    })
}

/// A table as one Arrow IPC stream (schema and one batch).
fn ipc(table: &Table, decimals: Option<u32>) -> Result<Vec<u8>, Error> {
    let write = || -> Result<Vec<u8>, ArrowError> {
        let fields: Vec<Field> = table
            .columns
            .iter()
            .map(|(name, c)| Field::new(name, arrow_type(c), true))
            .collect();
        let schema = Arc::new(Schema::new(fields));
        let arrays = table
            .columns
            .iter()
            .map(|(_, c)| arrow_array(c, decimals))
            .collect::<Result<Vec<_>, _>>()?;
        let options = RecordBatchOptions::new().with_row_count(Some(table.rows()));
        let batch = RecordBatch::try_new_with_options(Arc::clone(&schema), arrays, &options)?;
        let mut writer = StreamWriter::try_new(Vec::new(), &schema)?;
        writer.write(&batch)?;
        writer.finish()?;
        writer.into_inner()
    };
    write().map_err(|_| {
        Error::InvalidAnalytics(vec![Issue::new(
            "ANALYTICS_ARROW",
            "$",
            "the result could not be written as Arrow IPC",
        )])
    })
}
