//! One cell of an order column, whatever it came from (a typed array, a JS array,
//! an Arrow array), and the rules that turn it into the core's columns: the same
//! rules as the core's JSON face (`ichigen::analytics::json`), so that a history
//! reads the same from rows, from columns of JS values, from typed arrays or from
//! Arrow.
//!
//! Every bad cell is collected with its path (`$.orders.amount[3]`) rather than
//! stopping at the first; at most [`MAX_ISSUES`] are listed, and a last issue
//! counts the rest, as the JSON face does.

use chrono::{DateTime, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use ichigen::analytics::{Coded, Interner, MAX_AMOUNT, NULL, instant_of_local};
use ichigen::{Error, Issue};
use rust_decimal::Decimal;

/// At most this many bad cells are listed.
const MAX_ISSUES: usize = 100;

/// 2^63, the first double beyond `i64`.
const TWO_TO_63: f64 = 9_223_372_036_854_775_808.0;

/// Seconds in a day.
const DAY: i64 = 86_400;

/// One cell, borrowed from its column.
#[derive(Clone, Copy)]
pub(super) enum Cell<'a> {
    /// Null, `undefined`, or a JS array's hole.
    Null,
    Bool(bool),
    /// A whole number (an integer array, a BigInt).
    Int(i128),
    /// A JS number, a float array.
    Float(f64),
    Text(&'a str),
    /// A decimal: `value × 10^-scale`.
    Decimal(i128, i8),
    /// A decimal too wide for 128 bits.
    Wide,
    /// An instant, in seconds since 1970-01-01T00:00:00Z.
    Instant(i64),
    /// A wall-clock time in the shop's zone, in seconds since 1970-01-01T00:00:00
    /// local (an Arrow timestamp without a zone).
    Local(i64),
    /// A date, in days since 1970-01-01 (the shop's day).
    Date(i32),
    /// Anything else (an object, a function).
    Other,
}

impl std::fmt::Debug for Cell<'_> {
    // A cell may hold a customer id or other personal data: only its kind is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self {
            Cell::Null => "Null",
            Cell::Bool(_) => "Bool",
            Cell::Int(_) => "Int",
            Cell::Float(_) => "Float",
            Cell::Text(_) => "Text",
            Cell::Decimal(..) => "Decimal",
            Cell::Wide => "Wide",
            Cell::Instant(_) => "Instant",
            Cell::Local(_) => "Local",
            Cell::Date(_) => "Date",
            Cell::Other => "Other",
        };
        write!(f, "Cell::{kind}")
    }
}

/// Where a cell sits: its column's path and its row.
#[derive(Debug, Clone, Copy)]
pub(super) struct At<'a> {
    pub column: &'a str,
    pub row: usize,
}

impl At<'_> {
    fn path(self) -> String {
        format!("{}[{}]", self.column, self.row)
    }
}

/// The conversion of a history's cells: the shop's zone and the currency's digits,
/// and the problems found so far.
#[derive(Debug)]
pub(super) struct Cells {
    zone: Tz,
    scale: u32,
    issues: Vec<Issue>,
    dropped: usize,
}

impl Cells {
    pub(super) fn new(zone: Tz, scale: u32) -> Cells {
        Cells {
            zone,
            scale,
            issues: Vec::new(),
            dropped: 0,
        }
    }

    /// Records a problem at `path`.
    pub(super) fn issue(&mut self, code: &str, path: String, message: &str) {
        if self.issues.len() < MAX_ISSUES {
            self.issues.push(Issue::new(code, path, message));
        } else {
            self.dropped += 1;
        }
    }

    fn bad(&mut self, code: &str, at: At<'_>, message: &str) {
        self.issue(code, at.path(), message);
    }

    /// `Ok` when no problem was found; otherwise every problem (`ANALYTICS_INVALID`).
    pub(super) fn finish(mut self) -> Result<(), Error> {
        if self.issues.is_empty() {
            return Ok(());
        }
        if self.dropped > 0 {
            let message = format!("{} more problems are not listed", self.dropped);
            self.issues
                .push(Issue::new("ANALYTICS_MORE_ISSUES", "$", message));
        }
        Err(Error::InvalidAnalytics(self.issues))
    }

    /// An order's instant: RFC 3339 text, local date-time text (read in the shop's
    /// zone), whole seconds since 1970, a `Date`, an Arrow timestamp (with a zone:
    /// the instant; without: the shop's wall clock) or a date (its local midnight).
    pub(super) fn instant(&mut self, cell: Cell<'_>, at: At<'_>) -> i64 {
        let bad_kind = "expected RFC 3339 text, local date-time text or whole seconds since 1970";
        let t = match cell {
            Cell::Instant(t) => Some(t),
            Cell::Int(t) => i64::try_from(t).ok(),
            Cell::Float(f) => whole(f),
            Cell::Text(s) => return self.instant_text(s, at),
            Cell::Local(local) => return self.local(local, at),
            Cell::Date(day) => return self.midnight(day, at),
            _ => None,
        };
        match t {
            Some(t) if DateTime::from_timestamp(t, 0).is_some() => t,
            Some(_) => {
                self.bad(
                    "ANALYTICS_BAD_INSTANT",
                    at,
                    "the instant is outside the supported range",
                );
                0
            }
            None => {
                self.bad("ANALYTICS_BAD_INSTANT", at, bad_kind);
                0
            }
        }
    }

    fn instant_text(&mut self, s: &str, at: At<'_>) -> i64 {
        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            return t.timestamp();
        }
        let local = [
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M",
        ]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok());
        match local {
            Some(local) => match self.zone.from_local_datetime(&local).earliest() {
                Some(t) => t.timestamp(),
                None => {
                    self.gap(at);
                    0
                }
            },
            None => {
                self.bad(
                    "ANALYTICS_BAD_INSTANT",
                    at,
                    "expected RFC 3339 text, local date-time text or whole seconds since 1970",
                );
                0
            }
        }
    }

    fn gap(&mut self, at: At<'_>) {
        self.bad(
            "ANALYTICS_BAD_INSTANT",
            at,
            "the local time does not exist in the shop's zone (a daylight-saving gap)",
        );
    }

    fn local(&mut self, local: i64, at: At<'_>) -> i64 {
        match instant_of_local(self.zone, local) {
            Some(t) => t,
            None if DateTime::from_timestamp(local, 0).is_some() => {
                self.gap(at);
                0
            }
            None => {
                self.bad(
                    "ANALYTICS_BAD_INSTANT",
                    at,
                    "the instant is outside the supported range",
                );
                0
            }
        }
    }

    /// The first instant of a local day: its midnight, or the first whole hour
    /// after it when midnight falls in a daylight-saving gap.
    fn midnight(&mut self, day: i32, at: At<'_>) -> i64 {
        let start = i64::from(day) * DAY;
        (0..24)
            .find_map(|h| instant_of_local(self.zone, start + h * 3600))
            .unwrap_or_else(|| {
                self.bad(
                    "ANALYTICS_BAD_INSTANT",
                    at,
                    "the instant is outside the supported range",
                );
                0
            })
    }

    /// An amount in currency units (`"1200"`, `12.34`, an integer, a decimal), in
    /// minor units: no more digits than the currency has, within ±10^15 minor units.
    pub(super) fn money(&mut self, cell: Cell<'_>, at: At<'_>) -> i64 {
        let minor = match cell {
            Cell::Text(s) => match s.trim().parse::<Decimal>() {
                Ok(d) => self.minor_of(d),
                Err(_) => return self.not_money(at),
            },
            Cell::Float(f) if f.is_finite() => {
                // The shortest text that reads back as this double: what was written.
                match Decimal::from_scientific(&format!("{f:e}")) {
                    Ok(d) => self.minor_of(d),
                    Err(_) => None,
                }
            }
            Cell::Int(v) => scaled(v, 0, self.scale),
            Cell::Decimal(v, s) => scaled(v, i32::from(s), self.scale),
            Cell::Wide => None,
            _ => return self.not_money(at),
        };
        match minor.and_then(|m| i64::try_from(m).ok()) {
            Some(m) if m.abs() <= MAX_AMOUNT => m,
            _ => {
                self.bad(
                    "ANALYTICS_BAD_MONEY",
                    at,
                    "the amount has more digits than the currency or is out of range",
                );
                0
            }
        }
    }

    fn not_money(&mut self, at: At<'_>) -> i64 {
        self.bad(
            "ANALYTICS_BAD_MONEY",
            at,
            "expected an amount as decimal text or a number",
        );
        0
    }

    fn minor_of(&self, d: Decimal) -> Option<i128> {
        let m = d.checked_mul(Decimal::from(10i64.pow(self.scale)))?;
        if !m.fract().is_zero() {
            return None;
        }
        i128::try_from(m.trunc()).ok()
    }

    /// A count (units, a line's quantity): a whole number, zero or more.
    pub(super) fn count(&mut self, cell: Cell<'_>, at: At<'_>) -> i64 {
        let n = match cell {
            Cell::Int(v) => i64::try_from(v).ok(),
            Cell::Float(f) => whole(f),
            _ => None,
        };
        match n {
            Some(q) if q >= 0 => q,
            _ => {
                self.bad(
                    "ANALYTICS_BAD_QUANTITY",
                    at,
                    "expected a whole number, zero or more",
                );
                0
            }
        }
    }

    /// A line's order: the row index of its order.
    pub(super) fn order_row(&mut self, cell: Cell<'_>, at: At<'_>) -> u32 {
        let n = match cell {
            Cell::Int(v) => u32::try_from(v).ok(),
            Cell::Float(f) => whole(f).and_then(|v| u32::try_from(v).ok()),
            _ => None,
        };
        match n {
            Some(o) if o < u32::MAX => o,
            _ => {
                self.bad("ANALYTICS_UNKNOWN_ORDER", at, "expected an order row index");
                0
            }
        }
    }

    /// `cancelled`: true, false or null (then `status` decides).
    pub(super) fn flag(&mut self, cell: Cell<'_>, at: At<'_>) -> Option<bool> {
        match cell {
            Cell::Null => None,
            Cell::Bool(b) => Some(b),
            Cell::Int(0) => Some(false),
            Cell::Int(1) => Some(true),
            _ => {
                self.bad("ANALYTICS_WRONG_TYPE", at, "expected true or false");
                None
            }
        }
    }

    /// `status`: `cancelled` (or `canceled`) marks a cancelled order.
    pub(super) fn status(&mut self, cell: Cell<'_>, at: At<'_>) -> bool {
        match cell {
            Cell::Null => false,
            Cell::Text(s) => ichigen::analytics::status_is_cancelled(s),
            _ => {
                self.bad("ANALYTICS_WRONG_TYPE", at, "expected text or null");
                false
            }
        }
    }
}

/// A single-precision float as the double of the decimal it stands for (its
/// shortest form: `0.1f32` is 0.1), so that it reads as money the way it was
/// written.
pub(super) fn widen(v: f32) -> f64 {
    format!("{v:e}").parse().unwrap_or(f64::NAN)
}

/// A double as a whole number, when it is one (and fits 64 bits).
fn whole(f: f64) -> Option<i64> {
    // Exact: an integer-valued double below 2^63 in magnitude converts without loss.
    (f.is_finite() && f.trunc() == f && f.abs() < TWO_TO_63).then_some(f as i64)
}

/// `value × 10^-scale` in units of `10^-digits` (minor units), when exact.
fn scaled(value: i128, scale: i32, digits: u32) -> Option<i128> {
    let shift = i64::from(digits) - i64::from(scale);
    if shift >= 0 {
        let p = 10i128.checked_pow(u32::try_from(shift).ok()?)?;
        value.checked_mul(p)
    } else {
        match 10i128.checked_pow(u32::try_from(-shift).ok()?) {
            Some(p) if value % p == 0 => Some(value / p),
            Some(_) => None,
            // More than 38 extra digits: exact only for zero.
            None => (value == 0).then_some(0),
        }
    }
}

/// A text column (an attribute, a SKU) as dictionary codes, in order of first
/// appearance; a missing cell is [`NULL`].
#[derive(Debug, Default)]
pub(super) struct Texts {
    interner: Interner,
    codes: Vec<u32>,
}

impl Texts {
    pub(super) fn with_capacity(rows: usize) -> Texts {
        Texts {
            interner: Interner::default(),
            codes: Vec::with_capacity(rows),
        }
    }

    /// Adds a cell; anything but text or null is `ANALYTICS_WRONG_TYPE`.
    pub(super) fn push(&mut self, cells: &mut Cells, cell: Cell<'_>, at: At<'_>) {
        let code = match cell {
            Cell::Text(s) => self.interner.code(s),
            Cell::Null => NULL,
            _ => {
                cells.bad("ANALYTICS_WRONG_TYPE", at, "expected text or null");
                NULL
            }
        };
        self.codes.push(code);
    }

    /// Adds a row whose value is already interned elsewhere (a dictionary's value).
    pub(super) fn push_code(&mut self, code: u32) {
        self.codes.push(code);
    }

    /// The code of a value, interning it.
    pub(super) fn code(&mut self, s: &str) -> u32 {
        self.interner.code(s)
    }

    pub(super) fn finish(self) -> Coded {
        Coded {
            codes: self.codes,
            values: self.interner.values,
        }
    }
}

/// The customer column: text ids, or whole-number ids (typed arrays, Arrow
/// integers) coded by `Coded::from_ints`. Every missing id is reported.
pub(super) enum Customers {
    Text(Texts),
    Ints {
        ids: Vec<i64>,
        /// Rows without an id.
        missing: Vec<usize>,
    },
}

impl std::fmt::Debug for Customers {
    // Customer ids stay out of logs: only the size is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rows = match self {
            Customers::Text(t) => t.codes.len(),
            Customers::Ints { ids, missing } => ids.len() + missing.len(),
        };
        write!(f, "Customers({rows} rows)")
    }
}

impl Customers {
    pub(super) fn text(rows: usize) -> Customers {
        Customers::Text(Texts::with_capacity(rows))
    }

    pub(super) fn ints(rows: usize) -> Customers {
        Customers::Ints {
            ids: Vec::with_capacity(rows),
            missing: Vec::new(),
        }
    }

    pub(super) fn push(&mut self, cells: &mut Cells, cell: Cell<'_>, at: At<'_>) {
        if matches!(cell, Cell::Null) {
            cells.bad(
                "ANALYTICS_MISSING_CUSTOMER",
                at,
                "every order needs a customer id",
            );
        }
        match self {
            Customers::Text(t) => t.push(cells, cell, at),
            Customers::Ints { ids, missing } => {
                let row = ids.len() + missing.len();
                let id = match cell {
                    Cell::Null => {
                        missing.push(row);
                        return;
                    }
                    Cell::Int(v) => i64::try_from(v).ok(),
                    Cell::Float(f) => whole(f),
                    _ => None,
                };
                match id {
                    Some(id) => ids.push(id),
                    None => {
                        cells.bad("ANALYTICS_WRONG_TYPE", at, "expected a whole-number id");
                        missing.push(row);
                    }
                }
            }
        }
    }

    pub(super) fn finish(self) -> Coded {
        match self {
            Customers::Text(t) => t.finish(),
            Customers::Ints { ids, missing } => {
                let present = Coded::from_ints(&ids);
                if missing.is_empty() {
                    return present;
                }
                // Rows without an id only reach here when the history is refused.
                let mut codes = Vec::with_capacity(ids.len() + missing.len());
                let mut next = present.codes.into_iter();
                let mut gaps = missing.into_iter().peekable();
                for row in 0..ids.len() + gaps.len() {
                    if gaps.peek() == Some(&row) {
                        gaps.next();
                        codes.push(NULL);
                    } else {
                        codes.push(next.next().unwrap_or(NULL));
                    }
                }
                Coded {
                    codes,
                    values: present.values,
                }
            }
        }
    }
}
