//! The core's result tables → Arrow: `Int` → int64, `Float` → float64 (rounded
//! to `decimals` places when asked, as the JSON face rounds), `Money` →
//! decimal128(38, the column's scale), `Text` → utf8, `Codes` →
//! dictionary<int32, utf8>, `Date` → date32, `Bool` → bool. Every field is
//! nullable. Customer ids are one string array per history, shared by every
//! result's dictionary.

use std::sync::{Arc, OnceLock};

use arrow_array::types::{Date32Type, Decimal128Type, Float64Type, Int32Type, Int64Type};
use arrow_array::{ArrayRef, BooleanArray, DictionaryArray, Int32Array, RecordBatch, StringArray};
use arrow_array::{ArrowPrimitiveType, PrimitiveArray};
use arrow_buffer::{NullBuffer, ScalarBuffer};
use arrow_schema::{Field, Schema};
use ichigen::analytics::{Column, Table, day_number, round_to};
use ichigen::{Error, Issue};

/// A history's customer ids and, once built, their Arrow array.
#[derive(Default)]
pub struct CustomerIds {
    ids: Option<Arc<[String]>>,
    array: OnceLock<ArrayRef>,
}

impl std::fmt::Debug for CustomerIds {
    // Customer ids are personal data: only the count is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CustomerIds({})",
            self.ids.as_ref().map_or(0, |i| i.len())
        )
    }
}

impl CustomerIds {
    /// For a history's ids.
    pub fn new(ids: Arc<[String]>) -> CustomerIds {
        CustomerIds {
            ids: Some(ids),
            array: OnceLock::new(),
        }
    }

    /// The values of a dictionary column: the shared array when they are the
    /// history's ids, a new one otherwise.
    fn values(&self, values: &Arc<[String]>) -> ArrayRef {
        match &self.ids {
            Some(ids) if Arc::ptr_eq(ids, values) => {
                self.array.get_or_init(|| strings(values)).clone()
            }
            _ => strings(values),
        }
    }
}

fn strings(values: &[String]) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(values.iter()))
}

fn internal(_: arrow_schema::ArrowError) -> Error {
    Error::InvalidAnalytics(vec![Issue::new(
        "ANALYTICS_OUTPUT",
        "$",
        "the result columns could not be assembled",
    )])
}

/// Values and validity of a column of options: the values (a default where
/// missing) in one pass, the validity only when something is missing.
fn parts<T: Default, U>(v: Vec<Option<T>>, f: impl Fn(T) -> U) -> (Vec<U>, Option<NullBuffer>) {
    let nulls = v
        .iter()
        .any(Option::is_none)
        .then(|| NullBuffer::from_iter(v.iter().map(Option::is_some)));
    (
        v.into_iter().map(|x| f(x.unwrap_or_default())).collect(),
        nulls,
    )
}

fn primitive<P: ArrowPrimitiveType>(
    (values, nulls): (Vec<P::Native>, Option<NullBuffer>),
) -> PrimitiveArray<P> {
    PrimitiveArray::new(ScalarBuffer::from(values), nulls)
}

/// One column as an Arrow array.
fn array(c: Column, decimals: Option<u32>, customers: &CustomerIds) -> Result<ArrayRef, Error> {
    Ok(match c {
        Column::Int(v) => Arc::new(primitive::<Int64Type>(parts(v, |x| x))),
        Column::Float(v) => Arc::new(primitive::<Float64Type>(parts(v, |x| {
            decimals.map_or(x, |d| round_to(x, d))
        }))),
        Column::Money { minor, scale } => {
            let scale = i8::try_from(scale).map_err(|_| {
                Error::InvalidAnalytics(vec![Issue::new(
                    "ANALYTICS_OUTPUT",
                    "$",
                    "a money column has more digits than a decimal holds",
                )])
            })?;
            Arc::new(
                primitive::<Decimal128Type>(parts(minor, |x| x))
                    .with_precision_and_scale(38, scale)
                    .map_err(internal)?,
            )
        }
        Column::Text(v) => Arc::new(StringArray::from_iter(v)),
        Column::Codes { codes, values } => {
            let n = values.len();
            let keys = Int32Array::from_iter(
                codes
                    .iter()
                    .map(|&k| i32::try_from(k).ok().filter(|&k| (k as usize) < n)),
            );
            let values = customers.values(&values);
            Arc::new(DictionaryArray::<Int32Type>::try_new(keys, values).map_err(internal)?)
        }
        Column::Date(v) => Arc::new(primitive::<Date32Type>(parts(
            v.into_iter().map(|d| d.map(day_number)).collect(),
            |x| x,
        ))),
        Column::Bool(v) => Arc::new(BooleanArray::from(v)),
    })
}

/// A result table as one record batch.
pub fn batch(
    t: Table,
    decimals: Option<u32>,
    customers: &CustomerIds,
) -> Result<RecordBatch, Error> {
    let mut fields = Vec::with_capacity(t.columns.len());
    let mut arrays = Vec::with_capacity(t.columns.len());
    for (name, c) in t.columns {
        let a = array(c, decimals, customers)?;
        fields.push(Field::new(name, a.data_type().clone(), true));
        arrays.push(a);
    }
    let schema = Arc::new(Schema::new(fields));
    if arrays.is_empty() {
        return RecordBatch::try_new_with_options(
            schema,
            arrays,
            &arrow_array::RecordBatchOptions::new().with_row_count(Some(0)),
        )
        .map_err(internal);
    }
    RecordBatch::try_new(schema, arrays).map_err(internal)
}
