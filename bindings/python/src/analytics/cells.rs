//! Arrow cells → the core's values, one column chunk at a time: instants (UTC
//! seconds), money (minor units), counts and text codes. A cell that does not
//! convert is reported at its row (`$.orders.amount[3]`) and read as 0, so that
//! every bad cell of a table is found in one pass; the caller refuses the table.

// Floats are read as money only when they convert exactly (see `float_money`).
#![allow(clippy::float_arithmetic)]

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Decimal256Type, Float32Type, Float64Type, Int8Type,
    Int16Type, Int32Type, Int64Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, ArrowPrimitiveType};
use arrow_schema::{DataType, TimeUnit};
use chrono_tz::Tz;
use ichigen::analytics::{Coded, Interner, MAX_AMOUNT, NULL, instant_of_local};
use ichigen::{Error, Issue};

use super::intern::Strings;
use crate::columns::Text;

/// At most this many bad cells are listed (as the core's JSON face does); a
/// last issue counts the rest.
const MAX_ISSUES: usize = 100;

/// The bad cells found so far.
#[derive(Debug, Default)]
pub struct Problems {
    issues: Vec<Issue>,
    more: usize,
}

impl Problems {
    /// Records a problem; `path` is only built while the list has room.
    pub fn add(&mut self, code: &str, path: impl FnOnce() -> String, message: &str) {
        if self.issues.len() < MAX_ISSUES {
            self.issues.push(Issue::new(code, path(), message));
        } else {
            self.more += 1;
        }
    }

    /// `Err` with every problem when there is one.
    pub fn finish(mut self) -> Result<(), Error> {
        if self.issues.is_empty() {
            return Ok(());
        }
        if self.more > 0 {
            self.issues.push(Issue::new(
                "ANALYTICS_MORE_ISSUES",
                "$",
                format!("{} more problems are not listed", self.more),
            ));
        }
        Err(Error::InvalidAnalytics(self.issues))
    }
}

/// Where a column's cells are reported: `{table}.{column}[row]`.
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    /// `$.orders`, `$.lines` or `$.summary`.
    pub table: &'a str,
    /// The column.
    pub column: &'a str,
}

impl At<'_> {
    /// The path of a row.
    pub fn row(&self, row: usize) -> String {
        format!("{}.{}[{row}]", self.table, self.column)
    }
}

/// Calls `f(i, value)` for every row of an integer array of any width (`None`
/// for a null); does nothing for another type.
pub fn each_int(a: &dyn Array, mut f: impl FnMut(usize, Option<i128>)) {
    fn go<P: ArrowPrimitiveType>(a: &dyn Array, f: &mut impl FnMut(usize, Option<i128>))
    where
        P::Native: Into<i128>,
    {
        let a = a.as_primitive::<P>();
        if a.null_count() == 0 {
            for (i, &v) in a.values().iter().enumerate() {
                f(i, Some(v.into()));
            }
        } else {
            for (i, v) in a.iter().enumerate() {
                f(i, v.map(Into::into));
            }
        }
    }
    match a.data_type() {
        DataType::Int8 => go::<Int8Type>(a, &mut f),
        DataType::Int16 => go::<Int16Type>(a, &mut f),
        DataType::Int32 => go::<Int32Type>(a, &mut f),
        DataType::Int64 => go::<Int64Type>(a, &mut f),
        DataType::UInt8 => go::<UInt8Type>(a, &mut f),
        DataType::UInt16 => go::<UInt16Type>(a, &mut f),
        DataType::UInt32 => go::<UInt32Type>(a, &mut f),
        DataType::UInt64 => go::<UInt64Type>(a, &mut f),
        _ => {}
    }
}

/// Calls `f(i, value)` for every row of a float array (`None` for a null).
pub fn each_float(a: &dyn Array, mut f: impl FnMut(usize, Option<f64>)) {
    match a.data_type() {
        DataType::Float64 => {
            for (i, v) in a.as_primitive::<Float64Type>().iter().enumerate() {
                f(i, v);
            }
        }
        DataType::Float32 => {
            for (i, v) in a.as_primitive::<Float32Type>().iter().enumerate() {
                f(i, v.map(f64::from));
            }
        }
        _ => each_int(a, |i, v| f(i, v.map(|v| v as f64))),
    }
}

/// Whether a column of this type holds text (string, large, view, dictionary;
/// the null type reads as all missing).
pub fn is_text(t: &DataType) -> bool {
    crate::columns::is_text(t)
}

/// Codes of a text column in order of first appearance, as the core's own
/// interning gives them (a dictionary's codes are remapped per chunk, each
/// dictionary value looked up once); a null is [`NULL`].
pub fn coded(chunks: &[ArrayRef]) -> Coded {
    const UNSEEN: u32 = u32::MAX - 1;
    let mut interner = Strings::default();
    let mut codes = Vec::with_capacity(chunks.iter().map(|c| c.len()).sum());
    for c in chunks {
        if let DataType::Dictionary(_, _) = c.data_type() {
            let d = c.as_any_dictionary();
            if d.values().is_empty() {
                // No values: every row is null (and `normalized_keys` needs values).
                codes.extend(std::iter::repeat_n(NULL, c.len()));
                continue;
            }
            let keys = d.normalized_keys();
            let values = Text::of(d.values());
            let mut remap = vec![UNSEEN; d.values().len()];
            for (i, &k) in keys.iter().enumerate() {
                if c.is_null(i) {
                    codes.push(NULL);
                    continue;
                }
                let slot = &mut remap[k];
                if *slot == UNSEEN {
                    *slot = values.get(k).map_or(NULL, |s| interner.code(s));
                }
                codes.push(*slot);
            }
        } else {
            let text = Text::of(c);
            interner.extend((0..c.len()).map(|i| text.get(i)), &mut codes);
        }
    }
    Coded {
        codes,
        values: interner.values,
    }
}

/// Codes of an integer id column (`Coded::from_ints`, or their decimal text when
/// an id passes 64 signed bits); a null is reported by `on_null` and read as 0.
pub fn coded_ints(chunks: &[ArrayRef], mut on_null: impl FnMut(usize)) -> Coded {
    // One chunk of int64 without nulls: the ids are the Arrow buffer itself.
    if let [one] = chunks {
        if one.null_count() == 0 {
            if let Some(a) = one.as_primitive_opt::<Int64Type>() {
                return Coded::from_ints(a.values());
            }
        }
    }
    let mut ids = Vec::with_capacity(chunks.iter().map(|c| c.len()).sum());
    let mut wide = false;
    let mut row = 0;
    for c in chunks {
        each_int(c.as_ref(), |_, v| {
            match v {
                None => {
                    on_null(row);
                    ids.push(0);
                }
                Some(v) => match i64::try_from(v) {
                    Ok(v) => ids.push(v),
                    Err(_) => {
                        wide = true;
                        ids.push(0);
                    }
                },
            }
            row += 1;
        });
    }
    if !wide {
        return Coded::from_ints(&ids);
    }
    // Ids past i64 (unsigned hashes): interned as their decimal text.
    let mut interner = Interner::default();
    let mut codes = Vec::with_capacity(ids.len());
    for c in chunks {
        each_int(c.as_ref(), |_, v| {
            codes.push(v.map_or(0, |v| interner.code(&v.to_string())));
        });
    }
    Coded {
        codes,
        values: interner.values,
    }
}

/// Local wall-clock seconds → UTC seconds in the shop's zone, with the zone's
/// offset looked up once per local day: a day whose first and last second have
/// the same offset has no transition, and every time in it takes that offset (the
/// earlier instant of a repeated hour, as `instant_of_local` chooses); a day with
/// a transition is looked up per row.
#[derive(Debug)]
pub struct LocalTime {
    zone: Tz,
    day: i64,
    offset: Option<i64>,
    days: std::collections::HashMap<i64, Option<i64>>,
}

impl LocalTime {
    /// For a zone.
    pub fn new(zone: Tz) -> LocalTime {
        LocalTime {
            zone,
            day: i64::MIN,
            offset: None,
            days: std::collections::HashMap::new(),
        }
    }

    fn day_offset(zone: Tz, day: i64) -> Option<i64> {
        let start = day.checked_mul(86_400)?;
        let end = start + 86_399;
        let a = start - instant_of_local(zone, start)?;
        let b = end - instant_of_local(zone, end)?;
        (a == b).then_some(a)
    }

    /// The instant, `None` in a daylight-saving gap (or out of range).
    pub fn instant(&mut self, local: i64) -> Option<i64> {
        let day = local.div_euclid(86_400);
        if day != self.day {
            let zone = self.zone;
            self.offset = *self
                .days
                .entry(day)
                .or_insert_with(|| LocalTime::day_offset(zone, day));
            self.day = day;
        }
        match self.offset {
            Some(off) => local.checked_sub(off),
            None => instant_of_local(self.zone, local),
        }
    }
}

/// Whether a column of this type can be read as instants.
pub fn is_instant(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Timestamp(_, _) | DataType::Date32 | DataType::Date64
    ) || t.is_integer()
}

/// Reads instants: a timestamp with a zone is an instant, one without a zone
/// the shop's wall-clock time, a date its local midnight, an integer UTC seconds;
/// sub-second units are floored.
pub fn instants(
    chunks: &[ArrayRef],
    local: &mut LocalTime,
    at: At<'_>,
    problems: &mut Problems,
) -> Vec<i64> {
    let mut out = Vec::with_capacity(chunks.iter().map(|c| c.len()).sum());
    let missing = "missing (null); every order needs an instant";
    let gap = "the local time does not exist in the shop's zone (a daylight-saving gap)";
    let range = "the instant is outside the supported range";
    for c in chunks {
        let start = out.len();
        let mut push = |i: usize, v: Option<Result<i64, &'static str>>| {
            let t = match v {
                None => Err(missing),
                Some(r) => r,
            };
            out.push(t.unwrap_or_else(|message| {
                problems.add("ANALYTICS_BAD_INSTANT", || at.row(start + i), message);
                0
            }));
        };
        let mut wall = |v: Option<i64>| v.map(|s| local.instant(s).ok_or(gap));
        match c.data_type() {
            DataType::Timestamp(unit, zone) => {
                let (values, per_second): (&[i64], i64) = match unit {
                    TimeUnit::Second => (c.as_primitive::<TimestampSecondType>().values(), 1),
                    TimeUnit::Millisecond => {
                        (c.as_primitive::<TimestampMillisecondType>().values(), 1_000)
                    }
                    TimeUnit::Microsecond => (
                        c.as_primitive::<TimestampMicrosecondType>().values(),
                        1_000_000,
                    ),
                    TimeUnit::Nanosecond => (
                        c.as_primitive::<TimestampNanosecondType>().values(),
                        1_000_000_000,
                    ),
                };
                let aware = zone.is_some();
                if aware && c.null_count() == 0 {
                    out.extend(values.iter().map(|v| v.div_euclid(per_second)));
                    continue;
                }
                for (i, &v) in values.iter().enumerate() {
                    let secs = c.is_valid(i).then(|| v.div_euclid(per_second));
                    let t = if aware { secs.map(Ok) } else { wall(secs) };
                    push(i, t);
                }
            }
            DataType::Date32 => {
                for (i, v) in c.as_primitive::<Date32Type>().iter().enumerate() {
                    push(i, wall(v.map(|d| i64::from(d) * 86_400)));
                }
            }
            DataType::Date64 => {
                for (i, v) in c.as_primitive::<Date64Type>().iter().enumerate() {
                    push(i, wall(v.map(|ms| ms.div_euclid(86_400_000) * 86_400)));
                }
            }
            _ => each_int(c.as_ref(), |i, v| {
                push(i, v.map(|v| i64::try_from(v).map_err(|_| range)));
            }),
        }
    }
    out
}

/// Whether a column of this type can be read as money.
pub fn is_money(t: &DataType) -> bool {
    t.is_integer()
        || matches!(
            t,
            DataType::Decimal128(_, _)
                | DataType::Decimal256(_, _)
                | DataType::Float32
                | DataType::Float64
        )
}

/// Money in currency units → minor units (`scale` digits): integers are whole
/// units, decimals exact (digits past the currency's must be zeros), floats
/// only when their shortest decimal form has no more digits than the currency
/// (as the JSON face reads a number). Within ±`MAX_AMOUNT` minor units.
pub fn money(chunks: &[ArrayRef], scale: u32, at: At<'_>, problems: &mut Problems) -> Vec<i64> {
    let mut out = Vec::with_capacity(chunks.iter().map(|c| c.len()).sum());
    let unit = 10i128.pow(scale);
    let bad = "the amount has more digits than the currency or is out of range";
    let missing = "missing (null); every row needs an amount";
    for c in chunks {
        let start = out.len();
        let mut push = |i: usize, v: Option<Option<i128>>| {
            let m = match v {
                None => Err(missing),
                Some(m) => m
                    .and_then(|m| i64::try_from(m).ok())
                    .filter(|m| m.abs() <= MAX_AMOUNT)
                    .ok_or(bad),
            };
            out.push(m.unwrap_or_else(|message| {
                problems.add("ANALYTICS_BAD_MONEY", || at.row(start + i), message);
                0
            }));
        };
        match c.data_type() {
            DataType::Decimal128(_, s) => {
                let s = i32::from(*s);
                for (i, v) in c.as_primitive::<Decimal128Type>().iter().enumerate() {
                    push(i, v.map(|v| rescale(v, s, scale)));
                }
            }
            DataType::Decimal256(_, s) => {
                let s = i32::from(*s);
                for (i, v) in c.as_primitive::<Decimal256Type>().iter().enumerate() {
                    push(i, v.map(|v| v.to_i128().and_then(|v| rescale(v, s, scale))));
                }
            }
            DataType::Float64 => {
                for (i, v) in c.as_primitive::<Float64Type>().iter().enumerate() {
                    push(i, v.map(|x| float_money(x, scale)));
                }
            }
            DataType::Float32 => {
                for (i, v) in c.as_primitive::<Float32Type>().iter().enumerate() {
                    push(i, v.map(|x| float32_money(x, scale)));
                }
            }
            DataType::Int64 if c.null_count() == 0 => {
                // Whole units in range (the usual case) in one pass; any other
                // chunk row by row, for its problems.
                let values = c.as_primitive::<Int64Type>().values();
                let limit = u64::try_from(i128::from(MAX_AMOUNT) / unit).unwrap_or(0);
                if values.iter().all(|v| v.unsigned_abs() <= limit) {
                    let unit = i64::try_from(unit).unwrap_or(1);
                    out.extend(values.iter().map(|v| v * unit));
                } else {
                    for (i, &v) in values.iter().enumerate() {
                        push(i, Some(i128::from(v).checked_mul(unit)));
                    }
                }
            }
            _ => each_int(c.as_ref(), |i, v| push(i, v.map(|v| v.checked_mul(unit)))),
        }
    }
    out
}

/// A decimal of scale `from` as minor units of scale `to`, if exact.
fn rescale(v: i128, from: i32, to: u32) -> Option<i128> {
    let to = i32::try_from(to).ok()?;
    if from <= to {
        let k = u32::try_from(to - from).ok()?;
        v.checked_mul(10i128.checked_pow(k)?)
    } else {
        let k = u32::try_from(from - to).ok()?;
        match 10i128.checked_pow(k) {
            Some(p) => (v % p == 0).then(|| v / p),
            // More than 38 extra digits: only zero has none that are not zero.
            None => (v == 0).then_some(0),
        }
    }
}

/// A float as minor units when the decimal it stands for (its shortest form)
/// has at most `scale` digits after the point. `k = round(x·10^scale)` is that
/// number of minor units exactly when `k / 10^scale` rounds back to `x`: the
/// division is correctly rounded, and within ±`MAX_AMOUNT` no other decimal
/// of `scale` digits rounds to the same float.
fn float_money(x: f64, scale: u32) -> Option<i128> {
    let p = 10f64.powi(i32::try_from(scale).ok()?);
    let k = (x * p).round();
    let max = MAX_AMOUNT as f64;
    (k.abs() <= max && k / p == x).then_some(k as i128)
}

/// [`float_money`] in single precision (a float32 column's shortest forms).
fn float32_money(x: f32, scale: u32) -> Option<i128> {
    let p = 10f32.powi(i32::try_from(scale).ok()?);
    let k = (x * p).round();
    // Beyond 2^24 a float32 no longer holds every whole number.
    (k.abs() <= 16_777_216.0 && k / p == x).then_some(k as i128)
}

/// Whole counts, zero or more (`units`, `quantity`); a null or negative count
/// is reported and read as 0.
pub fn counts(chunks: &[ArrayRef], at: At<'_>, problems: &mut Problems) -> Vec<i64> {
    let mut out = Vec::with_capacity(chunks.iter().map(|c| c.len()).sum());
    for c in chunks {
        let start = out.len();
        each_int(c.as_ref(), |i, v| {
            let q = v.and_then(|v| i64::try_from(v).ok()).filter(|&q| q >= 0);
            out.push(q.unwrap_or_else(|| {
                problems.add(
                    "ANALYTICS_BAD_QUANTITY",
                    || at.row(start + i),
                    "expected a whole number, zero or more",
                );
                0
            }));
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_are_money_when_their_decimal_fits() {
        assert_eq!(float_money(12.34, 2), Some(1234));
        assert_eq!(float_money(-0.1, 2), Some(-10));
        assert_eq!(float_money(1200.0, 0), Some(1200));
        assert_eq!(float_money(0.1 + 0.2, 2), None);
        assert_eq!(float_money(12.345, 2), None);
        assert_eq!(float_money(12.5, 0), None);
        assert_eq!(float_money(f64::NAN, 0), None);
        assert_eq!(float_money(1e16, 0), None);
        assert_eq!(float32_money(12.34, 2), Some(1234));
    }

    #[test]
    fn decimals_rescale_exactly() {
        assert_eq!(rescale(120_000, 2, 0), Some(1200));
        assert_eq!(rescale(120_050, 2, 0), None);
        assert_eq!(rescale(1234, 2, 2), Some(1234));
        assert_eq!(rescale(12, -1, 0), Some(120));
        assert_eq!(rescale(5, 0, 2), Some(500));
    }
}
