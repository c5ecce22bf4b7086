//! Arrow order and line tables → the core's `OrderColumns` and `LineColumns`.
//!
//! Columns are read by name (others are ignored) with the JSON face's names and
//! meanings (`ichigen::analytics::json`): `customer`, `ordered_at`, `amount`
//! required; `status` or `cancelled`, `units`, the attributes, and `id` (which
//! lines may name their order by). Lines: `order` (the order's row) or
//! `order_id` (its `id`), `sku`, `product`, `quantity`, `amount`. A column of the
//! wrong type is reported at `$.orders.<column>`, every bad cell at its row
//! (`$.orders.amount[3]`), all together; the core then checks what it checks
//! (lengths, ranges, lines pointing at no order).

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, SchemaRef};
use chrono_tz::Tz;
use ichigen::Error;
use ichigen::analytics::{Coded, LineColumns, NULL, OrderColumns, OrderHistory};
use ichigen::money::Currency;

use super::cells::{
    At, LocalTime, Problems, coded, coded_ints, counts, each_int, instants, is_instant, is_money,
    is_text, money,
};
use super::intern::MixMap;
use crate::columns::Text;

/// The attribute columns, in `OrderColumns`' order.
const ATTRIBUTES: [&str; 7] = [
    "channel",
    "store",
    "payment_method",
    "shipping_method",
    "cancel_reason",
    "age_band",
    "gender",
];

/// A table's batches and their schema.
#[derive(Debug)]
pub struct Rows {
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
}

impl Rows {
    /// Rows from a schema and its batches.
    pub fn new(schema: SchemaRef, batches: Vec<RecordBatch>) -> Rows {
        Rows { schema, batches }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// A column's type and chunks (one per batch), if present.
    pub fn column(&self, name: &str) -> Option<(&DataType, Vec<ArrayRef>)> {
        let i = self.schema.index_of(name).ok()?;
        let chunks = self.batches.iter().map(|b| b.column(i).clone()).collect();
        Some((self.schema.field(i).data_type(), chunks))
    }

    /// The batches.
    pub fn batches(&self) -> &[RecordBatch] {
        &self.batches
    }

    /// The schema.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }
}

/// What a column may hold.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Text,
    TextOrInt,
    Instant,
    Money,
    Count,
    Bool,
}

impl Kind {
    fn accepts(self, t: &DataType) -> bool {
        match self {
            Kind::Text => is_text(t),
            Kind::TextOrInt => is_text(t) || t.is_integer(),
            Kind::Instant => is_instant(t),
            Kind::Money => is_money(t),
            Kind::Count => t.is_integer() || *t == DataType::Null,
            Kind::Bool => matches!(t, DataType::Boolean | DataType::Null),
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Kind::Text => "expected strings (string, large_string, string_view or dictionary)",
            Kind::TextOrInt => "expected strings or integers",
            Kind::Instant => {
                "expected timestamps (with a zone: instants; without: the shop's local time), \
                 dates (local midnight) or integer UTC seconds"
            }
            Kind::Money => {
                "expected integers (currency units), decimals, or floats holding whole minor units"
            }
            Kind::Count => "expected integers",
            Kind::Bool => "expected booleans",
        }
    }
}

/// A table being read: its columns and the problems found.
struct Reader<'a> {
    rows: &'a Rows,
    table: &'a str,
    problems: &'a mut Problems,
}

impl<'a> Reader<'a> {
    /// A column's chunks if present and of an accepted type (a wrong type is
    /// reported); a required column that is absent is reported too.
    fn column(
        &mut self,
        name: &str,
        kind: Kind,
        required: bool,
    ) -> Option<(DataType, Vec<ArrayRef>)> {
        let Some((t, chunks)) = self.rows.column(name) else {
            if required {
                let path = format!("{}.{name}", self.table);
                self.problems.add(
                    "ANALYTICS_MISSING_COLUMN",
                    || path,
                    "the column is required",
                );
            }
            return None;
        };
        if !kind.accepts(t) {
            let path = format!("{}.{name}", self.table);
            let message = format!("wrong type {t}; {}", kind.expected());
            self.problems.add("ANALYTICS_WRONG_TYPE", || path, &message);
            return None;
        }
        Some((t.clone(), chunks))
    }

    fn at<'n>(&self, column: &'n str) -> At<'n>
    where
        'a: 'n,
    {
        At {
            table: self.table,
            column,
        }
    }

    /// An optional text column as codes.
    fn text(&mut self, name: &str) -> Option<Coded> {
        self.column(name, Kind::Text, false)
            .map(|(_, chunks)| coded(&chunks))
    }
}

/// Converts the tables and builds the history; every problem at once.
pub fn history(
    zone: Tz,
    currency: Currency,
    orders: &Rows,
    lines: Option<&Rows>,
) -> Result<OrderHistory, Error> {
    let mut problems = Problems::default();
    let scale = currency.minor_units();
    let mut r = Reader {
        rows: orders,
        table: "$.orders",
        problems: &mut problems,
    };
    let n = orders.len();
    let customer = match r.column("customer", Kind::TextOrInt, true) {
        Some((t, chunks)) if t.is_integer() => {
            let at = r.at("customer");
            let mut nulls = Vec::new();
            let c = coded_ints(&chunks, |row| nulls.push(row));
            for row in nulls {
                missing_customer(r.problems, at, row);
            }
            c
        }
        Some((_, chunks)) => {
            let c = coded(&chunks);
            let at = r.at("customer");
            for (row, _) in c.codes.iter().enumerate().filter(|(_, k)| **k == NULL) {
                missing_customer(r.problems, at, row);
            }
            c
        }
        None => Coded {
            codes: vec![0; n],
            values: vec![String::new()],
        },
    };
    let mut local = LocalTime::new(zone);
    let ordered_at = match r.column("ordered_at", Kind::Instant, true) {
        Some((_, chunks)) => instants(&chunks, &mut local, r.at("ordered_at"), r.problems),
        None => vec![0; n],
    };
    let amount = match r.column("amount", Kind::Money, true) {
        Some((_, chunks)) => money(&chunks, scale, r.at("amount"), r.problems),
        None => vec![0; n],
    };
    let cancelled = cancelled(&mut r, n);
    let units = match r.column("units", Kind::Count, false) {
        Some((t, chunks)) if t != DataType::Null => counts(&chunks, r.at("units"), r.problems),
        _ => Vec::new(),
    };
    let mut attributes: Vec<Option<Coded>> = ATTRIBUTES.iter().map(|a| r.text(a)).collect();
    let mut next = || attributes.remove(0);
    let columns = OrderColumns {
        customer,
        ordered_at,
        amount,
        cancelled,
        units,
        channel: next(),
        store: next(),
        payment_method: next(),
        shipping_method: next(),
        cancel_reason: next(),
        age_band: next(),
        gender: next(),
    };
    let line_columns = lines.map(|l| read_lines(l, orders, scale, &mut problems));
    problems.finish()?;
    OrderHistory::new(zone, currency, columns, line_columns)
}

fn missing_customer(problems: &mut Problems, at: At<'_>, row: usize) {
    problems.add(
        "ANALYTICS_MISSING_CUSTOMER",
        || at.row(row),
        "every order needs a customer id",
    );
}

/// Whether each order was cancelled: `cancelled` where it is not null, else
/// `status` (`cancelled` or `canceled`, as in the JSON face); empty when neither
/// column is given.
fn cancelled(r: &mut Reader<'_>, n: usize) -> Vec<bool> {
    let flag = r
        .column("cancelled", Kind::Bool, false)
        .filter(|(t, _)| *t != DataType::Null);
    let status = r
        .column("status", Kind::Text, false)
        .filter(|(t, _)| *t != DataType::Null);
    if flag.is_none() && status.is_none() {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(n);
    for (b, batch) in r.rows.batches().iter().enumerate() {
        let flag = flag.as_ref().map(|(_, c)| c[b].as_boolean());
        let status = status.as_ref().map(|(_, c)| Text::of(&c[b]));
        for i in 0..batch.num_rows() {
            let by_flag = flag.and_then(|f| f.is_valid(i).then(|| f.value(i)));
            out.push(by_flag.unwrap_or_else(|| {
                status
                    .as_ref()
                    .and_then(|s| s.get(i))
                    .is_some_and(ichigen::analytics::status_is_cancelled)
            }));
        }
    }
    out
}

/// An order id: text or integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Id<'a> {
    Text(&'a str),
    Int(i128),
}

/// Order ids → rows (`None`: an id given to more than one order).
fn id_index<'a>(chunks: &'a [ArrayRef], text: bool) -> MixMap<Id<'a>, Option<u32>> {
    let mut index = MixMap::default();
    let mut row = 0u32;
    let mut put = |id: Option<Id<'a>>, row: u32| {
        if let Some(id) = id {
            index
                .entry(id)
                .and_modify(|r: &mut Option<u32>| *r = None)
                .or_insert(Some(row));
        }
    };
    for c in chunks {
        if text {
            let t = Text::of(c);
            for i in 0..c.len() {
                put(t.get(i).map(Id::Text), row);
                row += 1;
            }
        } else {
            each_int(c.as_ref(), |_, v| {
                put(v.map(Id::Int), row);
                row += 1;
            });
        }
    }
    index
}

/// Reads the line table; `orders` holds the `id` column `order_id` refers to.
fn read_lines(lines: &Rows, orders: &Rows, scale: u32, problems: &mut Problems) -> LineColumns {
    let n = lines.len();
    let mut r = Reader {
        rows: lines,
        table: "$.lines",
        problems,
    };
    let by_row = r.column("order", Kind::Count, false);
    let by_id = r.column("order_id", Kind::TextOrInt, false);
    let order = match (by_row, by_id) {
        (Some(_), Some(_)) => {
            r.problems.add(
                "ANALYTICS_UNKNOWN_FIELD",
                || "$.lines.order_id".to_owned(),
                "give order (the order's row) or order_id (the order's id), not both",
            );
            vec![0; n]
        }
        (Some((_, chunks)), None) => line_rows(&chunks, r.at("order"), r.problems),
        (None, Some((t, chunks))) => line_ids(&t, &chunks, orders, r.problems),
        (None, None) => {
            r.problems.add(
                "ANALYTICS_MISSING_COLUMN",
                || "$.lines.order".to_owned(),
                "lines need order (the order's row) or order_id (the order's id)",
            );
            vec![0; n]
        }
    };
    let sku = r.text("sku").unwrap_or_else(|| Coded {
        codes: vec![NULL; n],
        values: Vec::new(),
    });
    let product = r.text("product");
    let quantity = match r.column("quantity", Kind::Count, false) {
        Some((_, chunks)) => counts(&chunks, r.at("quantity"), r.problems),
        None => vec![0; n],
    };
    let amount = match r.column("amount", Kind::Money, false) {
        Some((_, chunks)) => money(&chunks, scale, r.at("amount"), r.problems),
        None => vec![0; n],
    };
    LineColumns {
        order,
        sku,
        product,
        quantity,
        amount,
    }
}

/// Order row indexes; a null or negative one is reported (the core reports one
/// past the last order).
fn line_rows(chunks: &[ArrayRef], at: At<'_>, problems: &mut Problems) -> Vec<u32> {
    let mut out = Vec::with_capacity(chunks.iter().map(|c| c.len()).sum());
    for c in chunks {
        let start = out.len();
        each_int(c.as_ref(), |i, v| {
            let row = v
                .and_then(|v| u32::try_from(v).ok())
                .filter(|&o| o < u32::MAX);
            out.push(row.unwrap_or_else(|| {
                problems.add(
                    "ANALYTICS_UNKNOWN_ORDER",
                    || at.row(start + i),
                    "expected an order row index",
                );
                0
            }));
        });
    }
    out
}

/// Order rows of the lines' `order_id`, looked up in the orders' `id`.
fn line_ids(t: &DataType, chunks: &[ArrayRef], orders: &Rows, problems: &mut Problems) -> Vec<u32> {
    let n: usize = chunks.iter().map(|c| c.len()).sum();
    let ids = orders.column("id");
    let text = is_text(t);
    let Some((id_type, id_chunks)) = ids.filter(|(it, _)| is_text(it) || it.is_integer()) else {
        problems.add(
            "ANALYTICS_MISSING_COLUMN",
            || "$.orders.id".to_owned(),
            "lines name their order by order_id: the orders need an id column (strings or integers)",
        );
        return vec![0; n];
    };
    if is_text(id_type) != text {
        problems.add(
            "ANALYTICS_WRONG_TYPE",
            || "$.lines.order_id".to_owned(),
            "order_id must be of the same kind (strings or integers) as the orders' id",
        );
        return vec![0; n];
    }
    let index = id_index(&id_chunks, text);
    let mut out = Vec::with_capacity(n);
    let mut push = |row: usize, id: Option<Id<'_>>| {
        let found = id.and_then(|id| index.get(&id).copied());
        out.push(match found {
            Some(Some(o)) => o,
            Some(None) => {
                problems.add(
                    "ANALYTICS_DUPLICATE_ORDER",
                    || format!("$.lines.order_id[{row}]"),
                    "more than one order has this id",
                );
                0
            }
            None => {
                problems.add(
                    "ANALYTICS_UNKNOWN_ORDER",
                    || format!("$.lines.order_id[{row}]"),
                    "no order has this id",
                );
                0
            }
        });
    };
    let mut row = 0;
    for c in chunks {
        if text {
            let s = Text::of(c);
            for i in 0..c.len() {
                push(row, s.get(i).map(Id::Text));
                row += 1;
            }
        } else {
            each_int(c.as_ref(), |_, v| {
                push(row, v.map(Id::Int));
                row += 1;
            });
        }
    }
    out
}
