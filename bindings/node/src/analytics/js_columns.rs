//! Order and line columns given as a JS object whose columns are typed arrays or
//! JS arrays, read straight into the core's `OrderColumns` and `LineColumns`.
//!
//! A typed array is read from its memory: whole numbers from the integer arrays
//! (`Int32Array`, `Uint32Array`, `BigInt64Array`…), real numbers from
//! `Float64Array` and `Float32Array`. A JS array is read cell by cell (numbers,
//! strings, booleans, BigInts, `Date`s, null), with no object per row. Every cell
//! goes through the rules of [`super::cells`].

use chrono::DateTime;
use ichigen::Error;
use ichigen::analytics::{LineColumns, NULL, OrderColumns};
use napi::bindgen_prelude::TypedArrayType;
use napi::bindgen_prelude::{FromNapiValue, JsObjectValue, JsValue, Object, TypedArray, Unknown};
use napi::{JsString, ValueType};

use super::cells::{At, Cell, Cells, Customers, Texts};
use super::{ATTRIBUTES, clip};
use crate::convert::{keys_of, property, unreadable};

/// One column as given.
pub(super) enum Source<'env> {
    Typed(TypedArray<'env>),
    Array(Object<'env>, usize),
}

impl Source<'_> {
    pub(super) fn len(&self) -> usize {
        match self {
            Source::Typed(t) => element_count(t),
            Source::Array(_, n) => *n,
        }
    }

    /// Calls `f` with each cell, in row order. A typed array of a kind no column
    /// holds (a Float16Array) yields nothing and answers false.
    pub(super) fn each(&self, mut f: impl FnMut(usize, Cell<'_>)) -> Result<bool, Error> {
        match self {
            Source::Typed(t) => Ok(typed_cells(t, &mut f)),
            Source::Array(array, n) => {
                for i in 0..*n {
                    let path = || format!("[{i}]");
                    let cell: Unknown<'_> = array
                        .get_element(i as u32)
                        .map_err(|_| unreadable(&path()))?;
                    with_cell(&cell, |c| f(i, c)).map_err(|_| unreadable(&path()))?;
                }
                Ok(true)
            }
        }
    }
}

fn element_size(kind: TypedArrayType) -> Option<usize> {
    Some(match kind {
        TypedArrayType::Int8 | TypedArrayType::Uint8 | TypedArrayType::Uint8Clamped => 1,
        TypedArrayType::Int16 | TypedArrayType::Uint16 => 2,
        TypedArrayType::Int32 | TypedArrayType::Uint32 | TypedArrayType::Float32 => 4,
        TypedArrayType::Float64 | TypedArrayType::BigInt64 | TypedArrayType::BigUint64 => 8,
        _ => return None,
    })
}

fn element_count(t: &TypedArray<'_>) -> usize {
    element_size(t.typed_array_type).map_or(0, |size| t.arraybuffer.len() / size)
}

/// The cells of a typed array, read from its bytes (native byte order).
fn typed_cells(t: &TypedArray<'_>, f: &mut impl FnMut(usize, Cell<'_>)) -> bool {
    let bytes: &[u8] = &t.arraybuffer;
    macro_rules! each {
        ($ty:ty, $cell:expr) => {{
            const N: usize = std::mem::size_of::<$ty>();
            for (i, chunk) in bytes.chunks_exact(N).enumerate() {
                let mut raw = [0u8; N];
                raw.copy_from_slice(chunk);
                f(i, $cell(<$ty>::from_ne_bytes(raw)));
            }
        }};
    }
    match t.typed_array_type {
        TypedArrayType::Int8 => each!(i8, |v| Cell::Int(i128::from(v))),
        TypedArrayType::Uint8 | TypedArrayType::Uint8Clamped => {
            each!(u8, |v| Cell::Int(i128::from(v)))
        }
        TypedArrayType::Int16 => each!(i16, |v| Cell::Int(i128::from(v))),
        TypedArrayType::Uint16 => each!(u16, |v| Cell::Int(i128::from(v))),
        TypedArrayType::Int32 => each!(i32, |v| Cell::Int(i128::from(v))),
        TypedArrayType::Uint32 => each!(u32, |v| Cell::Int(i128::from(v))),
        TypedArrayType::BigInt64 => each!(i64, |v| Cell::Int(i128::from(v))),
        TypedArrayType::BigUint64 => each!(u64, |v| Cell::Int(i128::from(v))),
        TypedArrayType::Float32 => each!(f32, |v| Cell::Float(super::cells::widen(v))),
        TypedArrayType::Float64 => each!(f64, Cell::Float),
        _ => return false,
    }
    true
}

/// Calls `f` with the cell of one JS value (a string is borrowed from a copy).
fn with_cell<R>(value: &Unknown<'_>, f: impl FnOnce(Cell<'_>) -> R) -> napi::Result<R> {
    Ok(match value.get_type()? {
        ValueType::Undefined | ValueType::Null => f(Cell::Null),
        ValueType::Boolean => f(Cell::Bool(value.coerce_to_bool()?)),
        ValueType::Number => f(Cell::Float(value.coerce_to_number()?.get_double()?)),
        ValueType::String => {
            let s = JsString::from_unknown(*value)?.into_utf8()?;
            f(Cell::Text(s.as_str()?))
        }
        ValueType::BigInt => {
            let text = value.coerce_to_string()?.into_utf8()?.into_owned()?;
            f(text.parse::<i128>().map_or(Cell::Other, Cell::Int))
        }
        ValueType::Object if value.is_date()? => {
            let ms = value.coerce_to_number()?.get_double()?;
            // A valid Date holds whole milliseconds within ±8.64e15.
            let seconds = (ms.is_finite() && ms.abs() <= 8.64e15)
                .then(|| (ms.floor() as i64).div_euclid(1000))
                .filter(|&s| DateTime::from_timestamp(s, 0).is_some());
            f(seconds.map_or(Cell::Other, Cell::Instant))
        }
        _ => f(Cell::Other),
    })
}

/// The columns of a JS object, checked against the names it may hold: unknown
/// names, values that are not columns and columns of the wrong length are issues;
/// what remains is each column by name.
pub(super) struct JsTable<'env> {
    columns: Vec<(String, Source<'env>)>,
    /// The names given as columns, whatever their length.
    given: Vec<String>,
    pub(super) rows: usize,
}

impl<'env> JsTable<'env> {
    /// Reads `object` (at `base`: `$.orders`), whose row count is the length of
    /// column `first`.
    pub(super) fn read(
        object: &Object<'env>,
        base: &str,
        known: &[&str],
        first: &str,
        cells: &mut Cells,
    ) -> Result<JsTable<'env>, Error> {
        let mut columns = Vec::new();
        for key in keys_of(object, base)? {
            let path = format!("{base}.{}", clip(&key));
            if !known.contains(&key.as_str()) {
                cells.issue(
                    "ANALYTICS_UNKNOWN_FIELD",
                    path,
                    "not a column analytics reads",
                );
                continue;
            }
            let Some(value) = property(object, &key, &path)? else {
                continue;
            };
            if value.is_typedarray().map_err(|_| unreadable(&path))? {
                let t = TypedArray::from_unknown(value).map_err(|_| unreadable(&path))?;
                if element_size(t.typed_array_type).is_none() {
                    cells.issue(
                        "ANALYTICS_WRONG_TYPE",
                        path,
                        "a typed array of an unsupported kind",
                    );
                    continue;
                }
                columns.push((key, Source::Typed(t)));
            } else if value.is_array().map_err(|_| unreadable(&path))? {
                let array = value.coerce_to_object().map_err(|_| unreadable(&path))?;
                let n = array.get_array_length().map_err(|_| unreadable(&path))? as usize;
                columns.push((key, Source::Array(array, n)));
            } else {
                cells.issue(
                    "ANALYTICS_WRONG_TYPE",
                    path,
                    "expected a list or a typed array",
                );
            }
        }
        let given = columns.iter().map(|(k, _)| k.clone()).collect();
        let rows = columns
            .iter()
            .find(|(k, _)| k == first)
            .map_or(0, |(_, c)| c.len());
        columns.retain(|(key, column)| {
            let ok = column.len() == rows;
            if !ok {
                cells.issue(
                    "ANALYTICS_COLUMN_LENGTH",
                    format!("{base}.{key}"),
                    "the column has a different number of rows than the first one",
                );
            }
            ok
        });
        Ok(JsTable {
            columns,
            given,
            rows,
        })
    }

    pub(super) fn take(&mut self, key: &str) -> Option<Source<'env>> {
        let i = self.columns.iter().position(|(k, _)| k == key)?;
        Some(self.columns.swap_remove(i).1)
    }
}

/// The order columns of the keys an order table may hold.
const ORDER_KEYS: [&str; 14] = [
    "id",
    "customer",
    "ordered_at",
    "amount",
    "status",
    "cancelled",
    "units",
    "channel",
    "store",
    "payment_method",
    "shipping_method",
    "cancel_reason",
    "age_band",
    "gender",
];

/// Calls `each` over a column, naming the column for an unreadable cell, or
/// records that the column's kind cannot hold it.
fn over(
    cells: &mut Cells,
    source: &Source<'_>,
    column: &str,
    mut each: impl FnMut(&mut Cells, Cell<'_>, At<'_>),
) -> Result<(), Error> {
    let read = source
        .each(|row, cell| each(cells, cell, At { column, row }))
        .map_err(|_| unreadable(column))?;
    if !read {
        cells.issue(
            "ANALYTICS_WRONG_TYPE",
            column.to_owned(),
            "a typed array of an unsupported kind",
        );
    }
    Ok(())
}

/// Reads the orders from a JS object of columns.
pub(super) fn orders(object: &Object<'_>, cells: &mut Cells) -> Result<OrderColumns, Error> {
    let base = "$.orders";
    let mut table = JsTable::read(object, base, &ORDER_KEYS, "ordered_at", cells)?;
    let rows = table.rows;
    let mut out = OrderColumns::default();
    for required in ["customer", "ordered_at", "amount"] {
        if !table.given.iter().any(|k| k == required) {
            cells.issue(
                "ANALYTICS_MISSING_COLUMN",
                format!("{base}.{required}"),
                "the column is required",
            );
        }
    }
    if let Some(source) = table.take("customer") {
        let mut customers = match source {
            Source::Typed(_) => Customers::ints(rows),
            Source::Array(..) => Customers::text(rows),
        };
        over(cells, &source, "$.orders.customer", |c, cell, at| {
            customers.push(c, cell, at);
        })?;
        out.customer = customers.finish();
    }
    if let Some(source) = table.take("ordered_at") {
        out.ordered_at.reserve(rows);
        over(cells, &source, "$.orders.ordered_at", |c, cell, at| {
            out.ordered_at.push(c.instant(cell, at));
        })?;
    }
    if let Some(source) = table.take("amount") {
        out.amount.reserve(rows);
        over(cells, &source, "$.orders.amount", |c, cell, at| {
            out.amount.push(c.money(cell, at));
        })?;
    }
    let mut status = vec![false; rows];
    if let Some(source) = table.take("status") {
        over(cells, &source, "$.orders.status", |c, cell, at| {
            status[at.row] = c.status(cell, at);
        })?;
    }
    let mut flags: Vec<Option<bool>> = vec![None; rows];
    if let Some(source) = table.take("cancelled") {
        over(cells, &source, "$.orders.cancelled", |c, cell, at| {
            flags[at.row] = c.flag(cell, at);
        })?;
    }
    out.cancelled = flags
        .into_iter()
        .zip(status)
        .map(|(flag, status)| flag.unwrap_or(status))
        .collect();
    if let Some(source) = table.take("units") {
        out.units.reserve(rows);
        over(cells, &source, "$.orders.units", |c, cell, at| {
            out.units.push(c.count(cell, at));
        })?;
    }
    let mut attributes = Vec::with_capacity(ATTRIBUTES.len());
    for name in ATTRIBUTES {
        let coded = match table.take(name) {
            Some(source) => {
                let mut texts = Texts::with_capacity(rows);
                let column = format!("{base}.{name}");
                over(cells, &source, &column, |c, cell, at| {
                    texts.push(c, cell, at)
                })?;
                Some(texts.finish())
            }
            None => None,
        };
        attributes.push(coded);
    }
    super::set_attributes(&mut out, attributes);
    Ok(out)
}

const LINE_KEYS: [&str; 5] = ["order", "sku", "product", "quantity", "amount"];

/// Reads SKU lines from a JS object of columns (`order` the row of each line's
/// order).
pub(super) fn lines(object: &Object<'_>, cells: &mut Cells) -> Result<LineColumns, Error> {
    let base = "$.lines";
    let mut table = JsTable::read(object, base, &LINE_KEYS, "order", cells)?;
    let rows = table.rows;
    let mut out = LineColumns::default();
    if let Some(source) = table.take("order") {
        out.order.reserve(rows);
        over(cells, &source, "$.lines.order", |c, cell, at| {
            out.order.push(c.order_row(cell, at));
        })?;
    }
    out.sku = match table.take("sku") {
        Some(source) => {
            let mut texts = Texts::with_capacity(rows);
            over(cells, &source, "$.lines.sku", |c, cell, at| {
                texts.push(c, cell, at)
            })?;
            texts.finish()
        }
        None => ichigen::analytics::Coded {
            codes: vec![NULL; rows],
            values: Vec::new(),
        },
    };
    if let Some(source) = table.take("product") {
        let mut texts = Texts::with_capacity(rows);
        over(cells, &source, "$.lines.product", |c, cell, at| {
            texts.push(c, cell, at);
        })?;
        out.product = Some(texts.finish());
    }
    out.quantity = vec![0; rows];
    if let Some(source) = table.take("quantity") {
        over(cells, &source, "$.lines.quantity", |c, cell, at| {
            out.quantity[at.row] = c.count(cell, at);
        })?;
    }
    out.amount = vec![0; rows];
    if let Some(source) = table.take("amount") {
        over(cells, &source, "$.lines.amount", |c, cell, at| {
            out.amount[at.row] = c.money(cell, at);
        })?;
    }
    Ok(out)
}
