//! Arrow columns ⇄ the core's batch columns (`ichigen::shipdate::batch`).
//!
//! In: the columns of a table (planned batch by batch, so each output batch lines up
//! with an input batch) or a dict of arrays (planned at once). A column whose Arrow
//! type is already the core's type, in one chunk and without nulls, is passed as a
//! slice of the Arrow buffer (no copy); any other column takes one conversion pass.
//!
//! A null where a row needs a value (a destination, a policy or carrier index, a
//! service, handling days) becomes a value the core rejects for that row only, so the
//! row is `bad_input`; a null designated date means none. An unknown prefecture or
//! service name likewise. A null instant is refused for the whole call: no row status
//! says "no instant".

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{
    Array, ArrayRef, Date32Array, DictionaryArray, RecordBatch, StringArray, UInt8Array,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use ichigen::order::TemperatureZone;
use ichigen::shipdate::batch::{BatchPlanner, Columns, NO_DATE, Output, STATUS_NAMES};
use ichigen::shipdate::prefecture;
use ichigen::{Error, Issue};

/// The columns the planner reads, required first.
pub const COLUMNS: [&str; 7] = [
    "ordered_at",
    "destination",
    "policy",
    "carrier",
    "service",
    "handling_days",
    "designated",
];
const REQUIRED: [&str; 2] = ["ordered_at", "destination"];

/// Invalid values the core rejects per row (its `bad_input`).
const BAD_DEST: u8 = 0;
const BAD_SERVICE: u8 = u8::MAX;
const BAD_INDEX: u32 = u32::MAX;

fn bad(column: &str, message: &str) -> Error {
    Error::InvalidInput(Issue::new(
        "SHIPDATE_BAD_COLUMNS",
        format!("$.{column}"),
        message,
    ))
}

/// Input rows: a table's batches, or named columns in chunks of any length.
#[derive(Debug)]
pub enum Input {
    /// Record batches sharing `schema`; each is planned on its own.
    Batches {
        /// The schema of every batch.
        schema: SchemaRef,
        /// The batches.
        batches: Vec<RecordBatch>,
    },
    /// Columns by name, each with its type and chunks; planned at once.
    Columns(Vec<(String, DataType, Vec<ArrayRef>)>),
}

/// Which Arrow types a column accepts; the error names the column.
fn check_type(name: &str, t: &DataType) -> Result<(), Error> {
    let ok = match name {
        "ordered_at" => matches!(t, DataType::Timestamp(_, _)) || t.is_integer(),
        "destination" | "service" => t.is_integer() || is_stringish(t),
        "policy" | "carrier" | "handling_days" => t.is_integer(),
        "designated" => matches!(t, DataType::Date32 | DataType::Date64),
        _ => {
            return Err(bad(
                name,
                "unknown column; expected one of the planner's columns",
            ));
        }
    };
    if ok {
        return Ok(());
    }
    let expected = match name {
        "ordered_at" => "expected a timestamp (any unit) or integer epoch seconds",
        "destination" => "expected integer prefecture codes or prefecture names (strings)",
        "service" => "expected integers 0/1/2 or ambient/chilled/frozen (strings)",
        "designated" => "expected date32 (or date64) dates",
        _ => "expected integers",
    };
    Err(bad(name, &format!("wrong type {t}; {expected}")))
}

fn is_stringish(t: &DataType) -> bool {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(k, v) => k.is_integer() && is_stringish(v),
        _ => false,
    }
}

/// Checks the column set: required columns present, every planner column of an
/// accepted type; with `strict`, no other column (a dict is built for the call).
fn check_columns<'a>(
    cols: impl Iterator<Item = (&'a str, &'a DataType)>,
    strict: bool,
) -> Result<(), Error> {
    let mut seen = Vec::new();
    for (name, t) in cols {
        if COLUMNS.contains(&name) || strict {
            check_type(name, t)?;
        }
        seen.push(name);
    }
    for r in REQUIRED {
        if !seen.contains(&r) {
            return Err(bad(r, "missing required column"));
        }
    }
    Ok(())
}

/// The chunks of one column in one part.
type Chunks<'a> = &'a [ArrayRef];

/// The values of a primitive column in one chunk without nulls, if it has type `T`.
fn exact<T: arrow_array::ArrowPrimitiveType>(chunks: Chunks<'_>) -> Option<&[T::Native]> {
    match chunks {
        [one] if one.null_count() == 0 => one.as_primitive_opt::<T>().map(|a| a.values().as_ref()),
        _ => None,
    }
}

/// Maps every value of integer chunks (as `i128`, `None` for null) through `f`.
fn ints<T>(chunks: Chunks<'_>, f: impl Fn(Option<i128>) -> T) -> Vec<T> {
    fn each<P: arrow_array::ArrowPrimitiveType, T>(
        a: &dyn Array,
        out: &mut Vec<T>,
        f: &impl Fn(Option<i128>) -> T,
    ) where
        P::Native: Into<i128>,
    {
        let a = a.as_primitive::<P>();
        if a.null_count() == 0 {
            out.extend(a.values().iter().map(|&v| f(Some(v.into()))));
        } else {
            out.extend(a.iter().map(|v| f(v.map(Into::into))));
        }
    }
    let mut out = Vec::with_capacity(chunks.iter().map(|c| c.len()).sum());
    for c in chunks {
        let a = c.as_ref();
        match c.data_type() {
            DataType::Int8 => each::<Int8Type, T>(a, &mut out, &f),
            DataType::Int16 => each::<Int16Type, T>(a, &mut out, &f),
            DataType::Int32 => each::<Int32Type, T>(a, &mut out, &f),
            DataType::Int64 => each::<Int64Type, T>(a, &mut out, &f),
            DataType::UInt8 => each::<UInt8Type, T>(a, &mut out, &f),
            DataType::UInt16 => each::<UInt16Type, T>(a, &mut out, &f),
            DataType::UInt32 => each::<UInt32Type, T>(a, &mut out, &f),
            DataType::UInt64 => each::<UInt64Type, T>(a, &mut out, &f),
            _ => out.extend((0..c.len()).map(|_| f(None))),
        }
    }
    out
}

/// Maps every value of string chunks (plain, large, view or dictionary-encoded)
/// through `f`, once per distinct string; `null` for a null.
fn strings<'a, T: Copy>(chunks: Chunks<'a>, null: T, f: &impl Fn(&str) -> T) -> Vec<T> {
    fn lookup<'a, T: Copy>(
        v: Option<&'a str>,
        cache: &mut HashMap<&'a str, T>,
        null: T,
        f: &impl Fn(&str) -> T,
    ) -> T {
        match v {
            None => null,
            Some(s) => *cache.entry(s).or_insert_with(|| f(s)),
        }
    }
    let mut out = Vec::with_capacity(chunks.iter().map(|c| c.len()).sum());
    let mut cache: HashMap<&'a str, T> = HashMap::new();
    for c in chunks {
        match c.data_type() {
            DataType::Utf8 => out.extend(
                c.as_string::<i32>()
                    .iter()
                    .map(|v| lookup(v, &mut cache, null, f)),
            ),
            DataType::LargeUtf8 => out.extend(
                c.as_string::<i64>()
                    .iter()
                    .map(|v| lookup(v, &mut cache, null, f)),
            ),
            DataType::Utf8View => out.extend(
                c.as_string_view()
                    .iter()
                    .map(|v| lookup(v, &mut cache, null, f)),
            ),
            DataType::Dictionary(_, _) => {
                let d = c.as_any_dictionary();
                // Each dictionary value once, then the keys.
                let values = strings(std::slice::from_ref(d.values()), null, f);
                if values.is_empty() {
                    out.extend((0..c.len()).map(|_| null));
                } else {
                    let keys = d.normalized_keys();
                    out.extend(
                        keys.iter()
                            .enumerate()
                            .map(|(i, &k)| if c.is_null(i) { null } else { values[k] }),
                    );
                }
            }
            _ => out.extend((0..c.len()).map(|_| null)),
        }
    }
    out
}

fn instants<'a>(chunks: Chunks<'a>, t: &DataType) -> Result<Cow<'a, [i64]>, Error> {
    use arrow_array::types::{
        TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
        TimestampSecondType,
    };
    if chunks.iter().any(|c| c.null_count() > 0) {
        return Err(bad("ordered_at", "null instants; every row needs one"));
    }
    fn raw<T: arrow_array::ArrowPrimitiveType<Native = i64>>(c: &dyn Array) -> &[i64] {
        c.as_primitive::<T>().values()
    }
    type Raw = fn(&dyn Array) -> &[i64];
    let (values, per_second): (Raw, i64) = match t {
        DataType::Timestamp(TimeUnit::Second, _) => (raw::<TimestampSecondType>, 1),
        DataType::Timestamp(TimeUnit::Millisecond, _) => (raw::<TimestampMillisecondType>, 1_000),
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            (raw::<TimestampMicrosecondType>, 1_000_000)
        }
        DataType::Timestamp(TimeUnit::Nanosecond, _) => {
            (raw::<TimestampNanosecondType>, 1_000_000_000)
        }
        _ => {
            if let Some(v) = exact::<Int64Type>(chunks) {
                return Ok(Cow::Borrowed(v));
            }
            let sat = |v: i128| v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
            return Ok(Cow::Owned(ints(chunks, |v| sat(v.unwrap_or(0)))));
        }
    };
    if let ([one], 1) = (chunks, per_second) {
        return Ok(Cow::Borrowed(values(one.as_ref())));
    }
    // Any unit to seconds, floored (an instant before 1970 too).
    let mut out = Vec::with_capacity(chunks.iter().map(|c| c.len()).sum());
    for c in chunks {
        out.extend(values(c.as_ref()).iter().map(|v| v.div_euclid(per_second)));
    }
    Ok(Cow::Owned(out))
}

fn destinations<'a>(chunks: Chunks<'a>, t: &DataType) -> Cow<'a, [u8]> {
    if is_stringish(t) {
        return Cow::Owned(strings(chunks, BAD_DEST, &|s| {
            prefecture::find(s).map_or(BAD_DEST, |p| p.code)
        }));
    }
    if let Some(v) = exact::<UInt8Type>(chunks) {
        return Cow::Borrowed(v);
    }
    Cow::Owned(ints(chunks, |v| {
        v.and_then(|v| u8::try_from(v).ok()).unwrap_or(BAD_DEST)
    }))
}

fn services<'a>(chunks: Chunks<'a>, t: &DataType) -> Cow<'a, [u8]> {
    if is_stringish(t) {
        // The core's own names (its serde form), not a copy of them here.
        return Cow::Owned(strings(chunks, BAD_SERVICE, &|s| {
            serde_json::from_value::<TemperatureZone>(serde_json::Value::String(s.to_owned()))
                .map_or(BAD_SERVICE, ichigen::shipdate::batch::service_code)
        }));
    }
    if let Some(v) = exact::<UInt8Type>(chunks) {
        return Cow::Borrowed(v);
    }
    Cow::Owned(ints(chunks, |v| {
        v.and_then(|v| u8::try_from(v).ok()).unwrap_or(BAD_SERVICE)
    }))
}

fn indexes(chunks: Chunks<'_>) -> Cow<'_, [u32]> {
    if let Some(v) = exact::<UInt32Type>(chunks) {
        return Cow::Borrowed(v);
    }
    Cow::Owned(ints(chunks, |v| {
        v.and_then(|v| u32::try_from(v).ok()).unwrap_or(BAD_INDEX)
    }))
}

fn dates<'a>(chunks: Chunks<'a>, t: &DataType) -> Cow<'a, [i32]> {
    if let Some(v) = exact::<Date32Type>(chunks) {
        return Cow::Borrowed(v);
    }
    let mut out = Vec::with_capacity(chunks.iter().map(|c| c.len()).sum());
    for c in chunks {
        match t {
            DataType::Date64 => out.extend(c.as_primitive::<Date64Type>().iter().map(|v| {
                v.map_or(NO_DATE, |ms| {
                    i32::try_from(ms.div_euclid(86_400_000)).unwrap_or(i32::MAX)
                })
            })),
            _ => out.extend(
                c.as_primitive::<Date32Type>()
                    .iter()
                    .map(|v| v.unwrap_or(NO_DATE)),
            ),
        }
    }
    Cow::Owned(out)
}

/// One part's columns converted to the core's types.
#[derive(Debug, Default)]
pub struct Converted<'a> {
    /// `ordered_at` in seconds.
    pub ordered_at: Cow<'a, [i64]>,
    /// Prefecture codes.
    pub destination: Cow<'a, [u8]>,
    /// Policy indexes.
    pub policy: Option<Cow<'a, [u32]>>,
    /// Carrier indexes.
    pub carrier: Option<Cow<'a, [u32]>>,
    /// Service codes.
    pub service: Option<Cow<'a, [u8]>>,
    /// Handling days.
    pub handling_days: Option<Cow<'a, [u32]>>,
    /// Designated dates (days since the epoch, or `NO_DATE`).
    pub designated: Option<Cow<'a, [i32]>>,
}

impl Converted<'_> {
    /// The core's view of the columns.
    pub fn columns(&self) -> Columns<'_> {
        Columns {
            ordered_at: &self.ordered_at,
            policy: self.policy.as_deref(),
            destination: &self.destination,
            carrier: self.carrier.as_deref(),
            service: self.service.as_deref(),
            handling_days: self.handling_days.as_deref(),
            designated: self.designated.as_deref(),
        }
    }

    /// Where each column's values live, and whether they are borrowed from Arrow:
    /// `(name, address, borrowed)`; for the tests that check zero-copy.
    pub fn addresses(&self) -> Vec<(&'static str, usize, bool)> {
        #[allow(clippy::ptr_arg)] // whether it is borrowed is the point
        fn one<T: Clone>(name: &'static str, c: &Cow<'_, [T]>) -> (&'static str, usize, bool) {
            (name, c.as_ptr() as usize, matches!(c, Cow::Borrowed(_)))
        }
        let mut out = vec![
            one("ordered_at", &self.ordered_at),
            one("destination", &self.destination),
        ];
        if let Some(c) = &self.policy {
            out.push(one("policy", c));
        }
        if let Some(c) = &self.carrier {
            out.push(one("carrier", c));
        }
        if let Some(c) = &self.service {
            out.push(one("service", c));
        }
        if let Some(c) = &self.handling_days {
            out.push(one("handling_days", c));
        }
        if let Some(c) = &self.designated {
            out.push(one("designated", c));
        }
        out
    }
}

/// Converts one part, given each planner column's type and chunks.
fn convert<'a>(
    mut get: impl FnMut(&str) -> Option<(&'a DataType, Chunks<'a>)>,
) -> Result<Converted<'a>, Error> {
    let (t, c) = get("ordered_at").ok_or_else(|| bad("ordered_at", "missing required column"))?;
    let ordered_at = instants(c, t)?;
    let (t, c) = get("destination").ok_or_else(|| bad("destination", "missing required column"))?;
    let destination = destinations(c, t);
    Ok(Converted {
        ordered_at,
        destination,
        policy: get("policy").map(|(_, c)| indexes(c)),
        carrier: get("carrier").map(|(_, c)| indexes(c)),
        service: get("service").map(|(t, c)| services(c, t)),
        handling_days: get("handling_days").map(|(_, c)| indexes(c)),
        designated: get("designated").map(|(t, c)| dates(c, t)),
    })
}

impl Input {
    /// Checks the columns, then calls `each` with every part converted.
    pub fn for_each_part(
        &self,
        mut each: impl FnMut(&Converted<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        match self {
            Input::Batches { schema, batches } => {
                check_columns(
                    schema
                        .fields()
                        .iter()
                        .map(|f| (f.name().as_str(), f.data_type())),
                    false,
                )?;
                for batch in batches {
                    let part = convert(|name| {
                        let i = schema.index_of(name).ok()?;
                        Some((
                            schema.field(i).data_type(),
                            std::slice::from_ref(batch.column(i)),
                        ))
                    })?;
                    each(&part)?;
                }
                Ok(())
            }
            Input::Columns(cols) => {
                check_columns(cols.iter().map(|(n, t, _)| (n.as_str(), t)), true)?;
                let part = convert(|name| {
                    cols.iter()
                        .find(|(n, _, _)| n == name)
                        .map(|(_, t, c)| (t, c.as_slice()))
                })?;
                each(&part)
            }
        }
    }

    /// Plans every part on up to `threads` threads; the output batches, one per part.
    pub fn plan(
        &self,
        planner: &BatchPlanner,
        today: i32,
        threads: usize,
    ) -> Result<Vec<RecordBatch>, Error> {
        let schema = output_schema();
        let mut out = Vec::new();
        self.for_each_part(|part| {
            let planned = planner.plan_on_threads(&part.columns(), today, threads)?;
            out.push(output_batch(&schema, planned)?);
            Ok(())
        })?;
        Ok(out)
    }
}

/// The output schema: `status` dictionary<int8, utf8>, three date32 columns and
/// `transit_days` uint8.
pub fn output_schema() -> SchemaRef {
    let date = |name: &str| Field::new(name, DataType::Date32, true);
    Arc::new(Schema::new(vec![
        Field::new(
            "status",
            DataType::Dictionary(Box::new(DataType::Int8), Box::new(DataType::Utf8)),
            false,
        ),
        date("ship_date"),
        date("delivery_date"),
        date("latest_ship_date"),
        Field::new("transit_days", DataType::UInt8, true),
    ]))
}

fn output_batch(schema: &SchemaRef, out: Output) -> Result<RecordBatch, Error> {
    use arrow_array::PrimitiveArray;
    use arrow_array::types::Int8Type as Keys;
    use arrow_buffer::{BooleanBuffer, Buffer, NullBuffer, ScalarBuffer};
    let internal = |_| {
        Error::InvalidInput(Issue::new(
            "SHIPDATE_BAD_COLUMNS",
            "$",
            "the planned columns could not be assembled",
        ))
    };
    // The planner's buffers become the Arrow arrays as they are; only the validity
    // bitmaps are computed (absent when nothing is null).
    let n = out.status.len();
    let keys_buffer = Buffer::from_vec(out.status);
    let keys = PrimitiveArray::<Keys>::new(ScalarBuffer::new(keys_buffer, 0, n), None);
    let names = Arc::new(StringArray::from(STATUS_NAMES.to_vec()));
    let status = DictionaryArray::<Int8Type>::try_new(keys, names).map_err(internal)?;
    let nulls = |valid: BooleanBuffer| {
        let nulls = NullBuffer::new(valid);
        (nulls.null_count() > 0).then_some(nulls)
    };
    let date = |v: Vec<i32>| -> ArrayRef {
        let valid = nulls(BooleanBuffer::collect_bool(v.len(), |i| v[i] != NO_DATE));
        Arc::new(Date32Array::new(ScalarBuffer::from(v), valid))
    };
    let t = out.transit_days;
    let valid = nulls(BooleanBuffer::collect_bool(t.len(), |i| t[i] != u8::MAX));
    let transit = UInt8Array::new(ScalarBuffer::from(t), valid);
    RecordBatch::try_new(
        Arc::clone(schema),
        vec![
            Arc::new(status),
            date(out.ship_date),
            date(out.delivery_date),
            date(out.latest_ship_date),
            Arc::new(transit),
        ],
    )
    .map_err(internal)
}
