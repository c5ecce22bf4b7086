//! Reading Arrow columns, shared by the batch readers (customer records, stock
//! levels): strings of every Arrow string type borrowed from the buffers, and
//! integers of any width.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, LargeStringArray, StringArray, StringViewArray};
use arrow_schema::DataType;

/// Whether a column of type `t` can be read as strings (the null type reads as
/// all nulls).
pub fn is_text(t: &DataType) -> bool {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null => true,
        DataType::Dictionary(k, v) => k.is_integer() && is_text(v),
        _ => false,
    }
}

/// One string column of one batch.
pub enum Text<'a> {
    /// Absent, or of the null type.
    Nulls,
    Utf8(&'a StringArray),
    Large(&'a LargeStringArray),
    View(&'a StringViewArray),
    Dict {
        array: &'a dyn Array,
        keys: Vec<usize>,
        values: Box<Text<'a>>,
    },
}

impl<'a> Text<'a> {
    /// Reads a column (a type [`is_text`] refuses reads as all nulls).
    pub fn of(a: &'a ArrayRef) -> Text<'a> {
        match a.data_type() {
            DataType::Utf8 => Text::Utf8(a.as_string::<i32>()),
            DataType::LargeUtf8 => Text::Large(a.as_string::<i64>()),
            DataType::Utf8View => Text::View(a.as_string_view()),
            DataType::Dictionary(_, _) => {
                let d = a.as_any_dictionary();
                // No values: every row is null (and `normalized_keys` needs values).
                if d.values().is_empty() {
                    return Text::Nulls;
                }
                Text::Dict {
                    array: a.as_ref(),
                    keys: d.normalized_keys(),
                    values: Box::new(Text::of(d.values())),
                }
            }
            _ => Text::Nulls,
        }
    }

    /// Row `i`, `None` for null.
    pub fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            Text::Nulls => None,
            Text::Utf8(a) => {
                let a: &'a StringArray = a;
                a.is_valid(i).then(|| a.value(i))
            }
            Text::Large(a) => {
                let a: &'a LargeStringArray = a;
                a.is_valid(i).then(|| a.value(i))
            }
            Text::View(a) => {
                let a: &'a StringViewArray = a;
                a.is_valid(i).then(|| a.value(i))
            }
            Text::Dict {
                array,
                keys,
                values,
            } => {
                if array.is_valid(i) {
                    values.get(keys[i])
                } else {
                    None
                }
            }
        }
    }
}

/// Integers of any width as `i128` (`None` for null).
pub fn integers(a: &dyn Array) -> Vec<Option<i128>> {
    fn each<P: arrow_array::ArrowPrimitiveType>(a: &dyn Array) -> Vec<Option<i128>>
    where
        P::Native: Into<i128>,
    {
        a.as_primitive::<P>()
            .iter()
            .map(|v| v.map(Into::into))
            .collect()
    }
    match a.data_type() {
        DataType::Int8 => each::<Int8Type>(a),
        DataType::Int16 => each::<Int16Type>(a),
        DataType::Int32 => each::<Int32Type>(a),
        DataType::Int64 => each::<Int64Type>(a),
        DataType::UInt8 => each::<UInt8Type>(a),
        DataType::UInt16 => each::<UInt16Type>(a),
        DataType::UInt32 => each::<UInt32Type>(a),
        DataType::UInt64 => each::<UInt64Type>(a),
        _ => vec![None; a.len()],
    }
}

/// Reads any Arrow producer (a pyarrow or polars table, a record batch, a stream,
/// anything with `__arrow_c_stream__` or `__arrow_c_array__`) into its schema and
/// batches; anything else is `INPUT_WRONG_TYPE` at `path`.
pub fn record_batches(
    obj: &pyo3::Bound<'_, pyo3::PyAny>,
    path: &str,
) -> pyo3::PyResult<(arrow_schema::SchemaRef, Vec<arrow_array::RecordBatch>)> {
    use arrow_array::RecordBatchReader;
    use pyo3::types::PyAnyMethods;
    let rows: pyo3_arrow::input::AnyRecordBatch = obj.extract().map_err(|_| {
        crate::errors::input_error(
            obj.py(),
            "INPUT_WRONG_TYPE",
            path,
            "expected an Arrow table, record batch or stream (pyarrow, polars, or \
             anything with __arrow_c_stream__ or __arrow_c_array__)",
        )
    })?;
    let reader = rows.into_reader()?;
    let schema = reader.schema();
    let batches = reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
    Ok((schema, batches))
}
