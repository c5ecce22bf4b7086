//! Order histories and CLV summaries given as Arrow IPC bytes (the stream or the
//! file format), read column by column into the core's columns.
//!
//! The conversion rules (the same as the Python binding's):
//!
//! - `customer`: text (Utf8, LargeUtf8, Utf8View, or a dictionary of text) or
//!   whole numbers (any integer type; ids become their decimal text).
//! - `ordered_at`: a timestamp with a zone is that instant; without one, the
//!   shop's wall clock (read in the history's zone); Int64 is seconds since
//!   1970-01-01T00:00:00Z; Date32 (and Date64) is the day's local midnight; text
//!   as in the JSON face.
//! - `amount` (and a line's): integers are currency units (× 10^digits, checked);
//!   a decimal must be exact in the currency's digits (`1200.00` is ¥1,200,
//!   `12.345` is refused for dollars); Float64 only when the shortest decimal that
//!   reads back as the double has no more digits than the currency; text as in
//!   the JSON face.
//! - `units`, `quantity`: whole numbers, zero or more. `cancelled`: Boolean.
//!   `status` and the attributes: text or a dictionary of text.
//!
//! Every bad cell is reported at `$.orders.<column>[row]` (`$.lines.…` for lines),
//! rows counted across record batches.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal32Type, Decimal64Type, Decimal128Type, Decimal256Type,
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef};
use arrow_schema::{DataType, TimeUnit};
use ichigen::analytics::{Coded, LineColumns, NULL, OrderColumns};
use ichigen::{Error, Issue};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Map, Value};

use super::cells::{At, Cell, Cells, Customers, Texts};
use super::ipc::read_ipc;
use super::{ATTRIBUTES, clip};

/// Seconds of a timestamp in `unit`, rounded down.
fn seconds(v: i64, unit: TimeUnit) -> i64 {
    let per = match unit {
        TimeUnit::Second => 1,
        TimeUnit::Millisecond => 1_000,
        TimeUnit::Microsecond => 1_000_000,
        TimeUnit::Nanosecond => 1_000_000_000,
    };
    v.div_euclid(per)
}

/// Calls `f` with every cell of `array`, in order; false when the type is not
/// one analytics reads.
fn each_cell<'a>(array: &'a dyn Array, f: &mut dyn FnMut(usize, Cell<'a>)) -> bool {
    macro_rules! primitive {
        ($ty:ty, $cell:expr) => {{
            let a = array.as_primitive::<$ty>();
            for i in 0..a.len() {
                if a.is_null(i) {
                    f(i, Cell::Null);
                } else {
                    f(i, $cell(a.value(i)));
                }
            }
        }};
    }
    macro_rules! strings {
        ($a:expr) => {{
            let a = $a;
            for i in 0..a.len() {
                if a.is_null(i) {
                    f(i, Cell::Null);
                } else {
                    f(i, Cell::Text(a.value(i)));
                }
            }
        }};
    }
    match array.data_type() {
        DataType::Null => (0..array.len()).for_each(|i| f(i, Cell::Null)),
        DataType::Boolean => {
            let a = array.as_boolean();
            for i in 0..a.len() {
                f(
                    i,
                    if a.is_null(i) {
                        Cell::Null
                    } else {
                        Cell::Bool(a.value(i))
                    },
                );
            }
        }
        DataType::Int8 => primitive!(Int8Type, |v| Cell::Int(i128::from(v))),
        DataType::Int16 => primitive!(Int16Type, |v| Cell::Int(i128::from(v))),
        DataType::Int32 => primitive!(Int32Type, |v| Cell::Int(i128::from(v))),
        DataType::Int64 => primitive!(Int64Type, |v| Cell::Int(i128::from(v))),
        DataType::UInt8 => primitive!(UInt8Type, |v| Cell::Int(i128::from(v))),
        DataType::UInt16 => primitive!(UInt16Type, |v| Cell::Int(i128::from(v))),
        DataType::UInt32 => primitive!(UInt32Type, |v| Cell::Int(i128::from(v))),
        DataType::UInt64 => primitive!(UInt64Type, |v| Cell::Int(i128::from(v))),
        DataType::Float32 => primitive!(Float32Type, |v| Cell::Float(super::cells::widen(v))),
        DataType::Float64 => primitive!(Float64Type, Cell::Float),
        DataType::Utf8 => strings!(array.as_string::<i32>()),
        DataType::LargeUtf8 => strings!(array.as_string::<i64>()),
        DataType::Utf8View => strings!(array.as_string_view()),
        &DataType::Decimal32(_, s) => {
            primitive!(Decimal32Type, |v| Cell::Decimal(i128::from(v), s))
        }
        &DataType::Decimal64(_, s) => {
            primitive!(Decimal64Type, |v| Cell::Decimal(i128::from(v), s))
        }
        &DataType::Decimal128(_, s) => primitive!(Decimal128Type, |v| Cell::Decimal(v, s)),
        &DataType::Decimal256(_, s) => primitive!(Decimal256Type, |v: arrow_buffer::i256| {
            v.to_i128().map_or(Cell::Wide, |v| Cell::Decimal(v, s))
        }),
        DataType::Timestamp(unit, zone) => {
            let (unit, zoned) = (*unit, zone.is_some());
            let cell = move |v: i64| {
                let t = seconds(v, unit);
                if zoned {
                    Cell::Instant(t)
                } else {
                    Cell::Local(t)
                }
            };
            match unit {
                TimeUnit::Second => primitive!(TimestampSecondType, cell),
                TimeUnit::Millisecond => primitive!(TimestampMillisecondType, cell),
                TimeUnit::Microsecond => primitive!(TimestampMicrosecondType, cell),
                TimeUnit::Nanosecond => primitive!(TimestampNanosecondType, cell),
            }
        }
        DataType::Date32 => primitive!(Date32Type, Cell::Date),
        DataType::Date64 => primitive!(Date64Type, |v: i64| {
            i32::try_from(v.div_euclid(86_400_000)).map_or(Cell::Other, Cell::Date)
        }),
        DataType::Dictionary(_, _) => {
            let d = array.as_any_dictionary();
            let values = d.values();
            if values.is_empty() {
                // Every key must be null: there is nothing to point at.
                (0..array.len()).for_each(|i| f(i, Cell::Null));
                return true;
            }
            let mut value_cells: Vec<Cell<'a>> = Vec::with_capacity(values.len());
            if !each_cell(values.as_ref(), &mut |_, c| value_cells.push(c)) {
                return false;
            }
            let keys = d.normalized_keys();
            for (i, &k) in keys.iter().enumerate() {
                f(
                    i,
                    if array.is_null(i) {
                        Cell::Null
                    } else {
                        value_cells[k]
                    },
                );
            }
        }
        _ => return false,
    }
    true
}

fn is_integer(t: &DataType) -> bool {
    match t {
        DataType::Dictionary(_, v) => is_integer(v),
        t => t.is_integer(),
    }
}

/// Text codes of a column into `texts`; a dictionary of text is interned once per
/// dictionary value (in order of first appearance), not once per row.
fn text_codes(
    array: &dyn Array,
    texts: &mut Texts,
    cells: &mut Cells,
    column: &str,
    offset: usize,
    customer: bool,
) -> bool {
    if let DataType::Dictionary(_, v) = array.data_type() {
        if v.is_string() {
            let d = array.as_any_dictionary();
            let values = d.values();
            let mut value_texts: Vec<Option<&str>> = Vec::with_capacity(values.len());
            each_cell(values.as_ref(), &mut |_, c| {
                value_texts.push(match c {
                    Cell::Text(s) => Some(s),
                    _ => None,
                });
            });
            let keys = if values.is_empty() {
                vec![0; array.len()]
            } else {
                d.normalized_keys()
            };
            let mut code_of = vec![None::<u32>; values.len()];
            for (i, &k) in keys.iter().enumerate() {
                let text = if array.is_null(i) {
                    None
                } else {
                    value_texts.get(k).copied().flatten()
                };
                match text {
                    Some(s) => {
                        let code = *code_of[k].get_or_insert_with(|| texts.code(s));
                        texts.push_code(code);
                    }
                    None => {
                        if customer {
                            cells.issue(
                                "ANALYTICS_MISSING_CUSTOMER",
                                format!("{column}[{}]", offset + i),
                                "every order needs a customer id",
                            );
                        }
                        texts.push_code(NULL);
                    }
                }
            }
            return true;
        }
    }
    each_cell(array, &mut |i, cell| {
        let at = At {
            column,
            row: offset + i,
        };
        if customer && matches!(cell, Cell::Null) {
            cells.issue(
                "ANALYTICS_MISSING_CUSTOMER",
                format!("{column}[{}]", offset + i),
                "every order needs a customer id",
            );
        }
        texts.push(cells, cell, at);
    })
}

/// The columns of IPC bytes: each name with its chunks (one per record batch).
struct ArrowTable {
    columns: Vec<(String, DataType, Vec<ArrayRef>)>,
}

impl ArrowTable {
    fn read(
        bytes: &[u8],
        base: &str,
        known: &[&str],
        cells: &mut Cells,
    ) -> Result<ArrowTable, Error> {
        let (schema, batches) = read_ipc(bytes, base)?;
        let mut columns = Vec::new();
        for (k, field) in schema.fields().iter().enumerate() {
            let name = field.name();
            if !known.contains(&name.as_str()) {
                cells.issue(
                    "ANALYTICS_UNKNOWN_FIELD",
                    format!("{base}.{}", clip(name)),
                    "not a column analytics reads",
                );
                continue;
            }
            let chunks = batches.iter().map(|b| b.column(k).clone()).collect();
            columns.push((name.clone(), field.data_type().clone(), chunks));
        }
        Ok(ArrowTable { columns })
    }

    fn has(&self, key: &str) -> bool {
        self.columns.iter().any(|(k, _, _)| k == key)
    }

    fn column(&self, key: &str) -> Option<(&DataType, &[ArrayRef])> {
        self.columns
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, t, chunks)| (t, chunks.as_slice()))
    }

    /// Calls `each` with every cell of column `key` (at `base.key`), rows counted
    /// across batches; an unreadable type is one issue at the column.
    fn each(
        &self,
        key: &str,
        base: &str,
        cells: &mut Cells,
        mut each: impl FnMut(&mut Cells, Cell<'_>, At<'_>),
    ) {
        let Some((_, chunks)) = self.column(key) else {
            return;
        };
        let column = format!("{base}.{key}");
        let mut offset = 0;
        for chunk in chunks {
            let read = each_cell(chunk.as_ref(), &mut |i, cell| {
                let at = At {
                    column: &column,
                    row: offset + i,
                };
                each(cells, cell, at);
            });
            if !read {
                cells.issue(
                    "ANALYTICS_WRONG_TYPE",
                    column.clone(),
                    "an Arrow type this column cannot hold",
                );
                return;
            }
            offset += chunk.len();
        }
    }

    /// A text column as codes (`None` when absent).
    fn texts(&self, key: &str, base: &str, cells: &mut Cells, rows: usize) -> Option<Coded> {
        let (_, chunks) = self.column(key)?;
        let column = format!("{base}.{key}");
        let mut texts = Texts::with_capacity(rows);
        let mut offset = 0;
        for chunk in chunks {
            if !text_codes(chunk.as_ref(), &mut texts, cells, &column, offset, false) {
                cells.issue("ANALYTICS_WRONG_TYPE", column, "expected text");
                return None;
            }
            offset += chunk.len();
        }
        Some(texts.finish())
    }
}

fn rows_of(table: &ArrowTable) -> usize {
    table
        .columns
        .first()
        .map_or(0, |(_, _, chunks)| chunks.iter().map(|c| c.len()).sum())
}

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

/// Reads the orders from IPC bytes.
pub(super) fn orders(bytes: &[u8], cells: &mut Cells) -> Result<OrderColumns, Error> {
    let base = "$.orders";
    let table = ArrowTable::read(bytes, base, &ORDER_KEYS, cells)?;
    let rows = rows_of(&table);
    for required in ["customer", "ordered_at", "amount"] {
        if !table.has(required) {
            cells.issue(
                "ANALYTICS_MISSING_COLUMN",
                format!("{base}.{required}"),
                "the column is required",
            );
        }
    }
    let mut out = OrderColumns::default();
    if let Some((data_type, chunks)) = table.column("customer") {
        let column = "$.orders.customer";
        if is_integer(data_type) {
            let mut customers = Customers::ints(rows);
            table.each("customer", base, cells, |c, cell, at| {
                customers.push(c, cell, at)
            });
            out.customer = customers.finish();
        } else {
            let mut texts = Texts::with_capacity(rows);
            let mut offset = 0;
            for chunk in chunks {
                if !text_codes(chunk.as_ref(), &mut texts, cells, column, offset, true) {
                    cells.issue(
                        "ANALYTICS_WRONG_TYPE",
                        column.to_owned(),
                        "expected text or whole numbers",
                    );
                    break;
                }
                offset += chunk.len();
            }
            out.customer = texts.finish();
        }
    }
    out.ordered_at.reserve(rows);
    table.each("ordered_at", base, cells, |c, cell, at| {
        out.ordered_at.push(c.instant(cell, at));
    });
    out.amount.reserve(rows);
    table.each("amount", base, cells, |c, cell, at| {
        out.amount.push(c.money(cell, at));
    });
    let mut status = vec![false; rows];
    table.each("status", base, cells, |c, cell, at| {
        status[at.row] = c.status(cell, at);
    });
    let mut flags: Vec<Option<bool>> = vec![None; rows];
    table.each("cancelled", base, cells, |c, cell, at| {
        flags[at.row] = c.flag(cell, at);
    });
    out.cancelled = flags
        .into_iter()
        .zip(status)
        .map(|(flag, status)| flag.unwrap_or(status))
        .collect();
    if table.has("units") {
        out.units.reserve(rows);
        table.each("units", base, cells, |c, cell, at| {
            out.units.push(c.count(cell, at));
        });
    }
    let attributes = ATTRIBUTES
        .iter()
        .map(|name| table.texts(name, base, cells, rows))
        .collect();
    super::set_attributes(&mut out, attributes);
    Ok(out)
}

const LINE_KEYS: [&str; 5] = ["order", "sku", "product", "quantity", "amount"];

/// Reads SKU lines from IPC bytes.
pub(super) fn lines(bytes: &[u8], cells: &mut Cells) -> Result<LineColumns, Error> {
    let base = "$.lines";
    let table = ArrowTable::read(bytes, base, &LINE_KEYS, cells)?;
    let rows = rows_of(&table);
    let mut out = LineColumns::default();
    out.order.reserve(rows);
    table.each("order", base, cells, |c, cell, at| {
        out.order.push(c.order_row(cell, at));
    });
    out.sku = table
        .texts("sku", base, cells, rows)
        .unwrap_or_else(|| Coded {
            codes: vec![NULL; rows],
            values: Vec::new(),
        });
    out.product = table.texts("product", base, cells, rows);
    out.quantity = vec![0; rows];
    table.each("quantity", base, cells, |c, cell, at| {
        out.quantity[at.row] = c.count(cell, at);
    });
    out.amount = vec![0; rows];
    table.each("amount", base, cells, |c, cell, at| {
        out.amount[at.row] = c.money(cell, at);
    });
    Ok(out)
}

/// A cell as the JSON the core's CLV face reads (numbers, text, null).
pub(super) fn cell_json(cell: Cell<'_>) -> Value {
    match cell {
        Cell::Bool(b) => Value::Bool(b),
        Cell::Int(v) => i64::try_from(v)
            .map(Value::from)
            .or_else(|_| u64::try_from(v).map(Value::from))
            .unwrap_or_else(|_| number(v.to_f64())),
        Cell::Float(f) => number(Some(f)),
        Cell::Text(s) => Value::String(s.to_owned()),
        Cell::Decimal(v, s) => {
            let d = if s >= 0 {
                Decimal::try_from_i128_with_scale(v, s.unsigned_abs().into()).ok()
            } else {
                None
            };
            number(d.and_then(|d| d.to_f64()))
        }
        _ => Value::Null,
    }
}

fn number(f: Option<f64>) -> Value {
    f.and_then(serde_json::Number::from_f64)
        .map_or(Value::Null, Value::Number)
}

/// A CLV summary from IPC bytes, as the JSON columns the core's face reads.
pub(super) fn summary_json(bytes: &[u8]) -> Result<Value, Error> {
    let (schema, batches) = read_ipc(bytes, "$.summary")?;
    let mut out = Map::new();
    for (k, field) in schema.fields().iter().enumerate() {
        let mut values = Vec::new();
        for batch in &batches {
            let read = each_cell(batch.column(k).as_ref(), &mut |_, c| {
                values.push(cell_json(c))
            });
            if !read {
                return Err(Error::InvalidAnalytics(vec![Issue::new(
                    "ANALYTICS_WRONG_TYPE",
                    format!("$.summary.{}", clip(field.name())),
                    "an Arrow type a summary column cannot hold",
                )]));
            }
        }
        out.insert(field.name().clone(), Value::Array(values));
    }
    Ok(Value::Object(out))
}
