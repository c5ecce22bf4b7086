//! Order histories in columns: the input of every analysis.
//!
//! An [`OrderHistory`] holds one row per order in struct-of-arrays form: the
//! customer (the resolved id, after 名寄せ, if the shop has one), the instant,
//! the amount in the currency's minor unit, whether it was cancelled, and text
//! attributes (channel, store, payment method, shipping method, cancel reason,
//! age band, gender) as dictionary codes. SKU lines, if given, are a second set
//! of columns pointing at their order's row.
//!
//! Building the history computes each order's day in the shop's zone once: an
//! order placed at 23:30 in Tokyo belongs to that Tokyo day, not to UTC's.
//!
//! ```
//! use ichigen_core::analytics::{Coded, OrderColumns, OrderHistory};
//! use ichigen_core::money::Currency;
//! let orders = OrderColumns {
//!     customer: Coded::from_strs(["c1", "c2", "c1"]),
//!     // 2026-01-01T14:30:00Z is 23:30 in Tokyo; the next is 00:30 on the 2nd.
//!     ordered_at: vec![1_767_277_800, 1_767_281_400, 1_767_367_800],
//!     amount: vec![1200, 800, 3000],
//!     ..OrderColumns::default()
//! };
//! let history = OrderHistory::new(chrono_tz::Asia::Tokyo, Currency::JPY, orders, None)?;
//! assert_eq!(history.len(), 3);
//! assert_eq!(history.date(0).to_string(), "2026-01-01");
//! assert_eq!(history.date(1).to_string(), "2026-01-02");
//! # Ok::<(), ichigen_core::Error>(())
//! ```

use chrono::{DateTime, NaiveDate, Offset, TimeZone};
use chrono_tz::Tz;

use crate::error::{Error, Issue};
use crate::money::Currency;

/// Code of a missing value in a [`Coded`] column.
pub const NULL: u32 = u32::MAX;

/// A text column as dictionary codes: row `i` is `values[codes[i]]`, or missing
/// when `codes[i]` is [`NULL`].
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Coded {
    /// One code per row.
    pub codes: Vec<u32>,
    /// The distinct values.
    pub values: Vec<String>,
}

impl std::fmt::Debug for Coded {
    // Values may be customer ids or other personal data: only sizes are shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Coded({} rows, {} values)",
            self.codes.len(),
            self.values.len()
        )
    }
}

impl Coded {
    /// Interns strings into codes, in order of first appearance.
    ///
    /// ```
    /// use ichigen_core::analytics::Coded;
    /// let c = Coded::from_strs(["rakuten", "amazon", "rakuten"]);
    /// assert_eq!(c.codes, vec![0, 1, 0]);
    /// assert_eq!(c.values, vec!["rakuten", "amazon"]);
    /// ```
    pub fn from_strs<'a, I: IntoIterator<Item = &'a str>>(items: I) -> Coded {
        Coded::from_options(items.into_iter().map(Some))
    }

    /// Interns optional strings; `None` becomes [`NULL`].
    pub fn from_options<'a, I: IntoIterator<Item = Option<&'a str>>>(items: I) -> Coded {
        let mut interner = Interner::default();
        let codes = items
            .into_iter()
            .map(|s| s.map_or(NULL, |s| interner.code(s)))
            .collect();
        Coded {
            codes,
            values: interner.values,
        }
    }

    /// Codes for integer ids (their values are the decimal text), in order of
    /// first appearance. Ids within a span of a few times the row count are
    /// mapped through a table, others through a hash map.
    ///
    /// ```
    /// use ichigen_core::analytics::Coded;
    /// let c = Coded::from_ints(&[1001, 7, 1001]);
    /// assert_eq!(c.codes, vec![0, 1, 0]);
    /// assert_eq!(c.values, vec!["1001", "7"]);
    /// ```
    pub fn from_ints(ids: &[i64]) -> Coded {
        let (Some(&lo), Some(&hi)) = (ids.iter().min(), ids.iter().max()) else {
            return Coded::default();
        };
        let mut values = Vec::new();
        let span = (i128::from(hi) - i128::from(lo)) as u128;
        let codes = if span < 4 * ids.len() as u128 + 1024 {
            let mut table = vec![NULL; span as usize + 1];
            ids.iter()
                .map(|&id| {
                    let slot = &mut table[(i128::from(id) - i128::from(lo)) as usize];
                    if *slot == NULL {
                        *slot = values.len() as u32;
                        values.push(id);
                    }
                    *slot
                })
                .collect()
        } else {
            let mut map: hashbrown::HashMap<i64, u32, foldhash::fast::FixedState> =
                hashbrown::HashMap::default();
            ids.iter()
                .map(|&id| {
                    *map.entry(id).or_insert_with(|| {
                        values.push(id);
                        values.len() as u32 - 1
                    })
                })
                .collect()
        };
        Coded {
            codes,
            values: values.iter().map(i64::to_string).collect(),
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// The value of row `i`, `None` when missing.
    pub fn get(&self, i: usize) -> Option<&str> {
        let c = self.codes[i];
        (c != NULL).then(|| self.values[c as usize].as_str())
    }
}

/// Interns strings into dense codes (a builder for [`Coded`]).
#[derive(Default)]
pub struct Interner {
    map: hashbrown::HashMap<String, u32, foldhash::fast::FixedState>,
    /// The values, by code.
    pub values: Vec<String>,
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Interner({} values)", self.values.len())
    }
}

impl Interner {
    /// The code of `s`, new codes in order of first appearance.
    pub fn code(&mut self, s: &str) -> u32 {
        if let Some(&c) = self.map.get(s) {
            return c;
        }
        let c = self.values.len() as u32;
        self.map.insert(s.to_owned(), c);
        self.values.push(s.to_owned());
        c
    }
}

/// The text attributes an order can be grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Attribute {
    /// The sales channel (rakuten, amazon, …).
    Channel,
    /// The store (shop) within a channel.
    Store,
    /// The payment method.
    PaymentMethod,
    /// The shipping method.
    ShippingMethod,
    /// The cancel reason (cancelled orders only).
    CancelReason,
    /// The customer's age band (`30s`, …).
    AgeBand,
    /// The customer's gender.
    Gender,
}

impl Attribute {
    /// Every attribute, in column order.
    pub const ALL: [Attribute; 7] = [
        Attribute::Channel,
        Attribute::Store,
        Attribute::PaymentMethod,
        Attribute::ShippingMethod,
        Attribute::CancelReason,
        Attribute::AgeBand,
        Attribute::Gender,
    ];

    /// The column name (`channel`, `payment_method`, …).
    pub fn name(self) -> &'static str {
        match self {
            Attribute::Channel => "channel",
            Attribute::Store => "store",
            Attribute::PaymentMethod => "payment_method",
            Attribute::ShippingMethod => "shipping_method",
            Attribute::CancelReason => "cancel_reason",
            Attribute::AgeBand => "age_band",
            Attribute::Gender => "gender",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The order columns a history is built from. Only `customer`, `ordered_at` and
/// `amount` are required; an empty `cancelled` means none was, and an attribute
/// left `None` is missing on every row.
#[derive(Debug, Clone, Default)]
pub struct OrderColumns {
    /// The customer of each order (the resolved id when the shop has one).
    pub customer: Coded,
    /// The instant the order was placed, in seconds since 1970-01-01T00:00:00Z.
    pub ordered_at: Vec<i64>,
    /// The order's amount in the currency's minor unit (yen for JPY).
    pub amount: Vec<i64>,
    /// Whether each order was cancelled (empty: none).
    pub cancelled: Vec<bool>,
    /// Units in each order when no lines are given (empty: unknown).
    pub units: Vec<i64>,
    /// The sales channel.
    pub channel: Option<Coded>,
    /// The store.
    pub store: Option<Coded>,
    /// The payment method.
    pub payment_method: Option<Coded>,
    /// The shipping method.
    pub shipping_method: Option<Coded>,
    /// The cancel reason.
    pub cancel_reason: Option<Coded>,
    /// The customer's age band.
    pub age_band: Option<Coded>,
    /// The customer's gender.
    pub gender: Option<Coded>,
}

/// SKU lines: each row belongs to the order at row `order` of the history.
#[derive(Debug, Clone, Default)]
pub struct LineColumns {
    /// The order row each line belongs to.
    pub order: Vec<u32>,
    /// The SKU.
    pub sku: Coded,
    /// The product the SKU belongs to (`None`: missing on every line).
    pub product: Option<Coded>,
    /// Units.
    pub quantity: Vec<i64>,
    /// The line's amount in the currency's minor unit.
    pub amount: Vec<i64>,
}

/// An order history, validated, with each order's local day computed. Its
/// `Debug` shows sizes only: customer ids may be e-mail addresses or names.
#[derive(Clone)]
pub struct OrderHistory {
    zone: Tz,
    currency: Currency,
    pub(crate) customer: Coded,
    pub(crate) customer_ids: std::sync::Arc<[String]>,
    pub(crate) ordered_at: Vec<i64>,
    pub(crate) day: Vec<i32>,
    pub(crate) amount: Vec<i64>,
    pub(crate) cancelled: Vec<bool>,
    pub(crate) units: Option<Vec<i64>>,
    attributes: [Option<Coded>; 7],
    pub(crate) lines: Option<LineColumns>,
    pub(crate) facts_cache: super::customers::FactsCache,
}

impl std::fmt::Debug for OrderHistory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrderHistory")
            .field("zone", &self.zone.name())
            .field("currency", &self.currency.code())
            .field("orders", &self.len())
            .field("customers", &self.customer_ids.len())
            .field("lines", &self.lines.as_ref().map_or(0, |l| l.order.len()))
            .finish()
    }
}

/// Largest amount accepted on one row, in minor units (10^15: a thousand trillion
/// yen), so that sums over any history stay exact in 128 bits.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000_000;

fn issue(code: &str, path: String, message: &str) -> Issue {
    Issue::new(code, path, message)
}

fn check_coded(c: &Coded, rows: usize, path: &str, issues: &mut Vec<Issue>) {
    if c.codes.len() != rows {
        issues.push(issue(
            "ANALYTICS_COLUMN_LENGTH",
            path.to_owned(),
            "the column has a different number of rows than ordered_at",
        ));
        return;
    }
    let n = c.values.len() as u32;
    if let Some(i) = c.codes.iter().position(|&k| k != NULL && k >= n) {
        issues.push(issue(
            "ANALYTICS_BAD_CODE",
            format!("{path}[{i}]"),
            "the code points past the column's values",
        ));
    }
}

impl OrderHistory {
    /// Validates the columns and computes each order's day in `zone`.
    ///
    /// Errors (`ANALYTICS_INVALID`, each issue at `$.orders.<column>[row]` or
    /// `$.lines.<column>[row]`): columns of different lengths, a missing
    /// customer, an amount or quantity out of range, a line pointing at no order.
    pub fn new(
        zone: Tz,
        currency: Currency,
        orders: OrderColumns,
        lines: Option<LineColumns>,
    ) -> Result<OrderHistory, Error> {
        let rows = orders.ordered_at.len();
        let mut issues = Vec::new();
        check_coded(&orders.customer, rows, "$.orders.customer", &mut issues);
        if orders.customer.codes.len() == rows {
            if let Some(i) = orders.customer.codes.iter().position(|&k| k == NULL) {
                issues.push(issue(
                    "ANALYTICS_MISSING_CUSTOMER",
                    format!("$.orders.customer[{i}]"),
                    "every order needs a customer id",
                ));
            }
        }
        let lengths: [(&str, usize, bool); 3] = [
            ("amount", orders.amount.len(), true),
            ("cancelled", orders.cancelled.len(), false),
            ("units", orders.units.len(), false),
        ];
        for (name, len, required) in lengths {
            if len != rows && (required || len != 0) {
                issues.push(issue(
                    "ANALYTICS_COLUMN_LENGTH",
                    format!("$.orders.{name}"),
                    "the column has a different number of rows than ordered_at",
                ));
            }
        }
        if let Some(i) = orders.amount.iter().position(|a| a.abs() > MAX_AMOUNT) {
            issues.push(issue(
                "ANALYTICS_AMOUNT_RANGE",
                format!("$.orders.amount[{i}]"),
                "amounts must stay within ±10^15 minor units",
            ));
        }
        if let Some(i) = orders.units.iter().position(|&u| u < 0) {
            issues.push(issue(
                "ANALYTICS_NEGATIVE_QUANTITY",
                format!("$.orders.units[{i}]"),
                "units cannot be negative",
            ));
        }
        let attributes = [
            orders.channel,
            orders.store,
            orders.payment_method,
            orders.shipping_method,
            orders.cancel_reason,
            orders.age_band,
            orders.gender,
        ];
        for (a, c) in Attribute::ALL.iter().zip(&attributes) {
            if let Some(c) = c {
                check_coded(c, rows, &format!("$.orders.{}", a.name()), &mut issues);
            }
        }
        if let Some(l) = &lines {
            let n = l.order.len();
            for (name, len) in [
                ("sku", l.sku.codes.len()),
                ("quantity", l.quantity.len()),
                ("amount", l.amount.len()),
            ] {
                if len != n {
                    issues.push(issue(
                        "ANALYTICS_COLUMN_LENGTH",
                        format!("$.lines.{name}"),
                        "the column has a different number of rows than order",
                    ));
                }
            }
            check_coded(&l.sku, n, "$.lines.sku", &mut issues);
            if let Some(p) = &l.product {
                check_coded(p, n, "$.lines.product", &mut issues);
            }
            if let Some(i) = l.order.iter().position(|&o| o as usize >= rows) {
                issues.push(issue(
                    "ANALYTICS_UNKNOWN_ORDER",
                    format!("$.lines.order[{i}]"),
                    "the line points at no order row",
                ));
            }
            if let Some(i) = l.quantity.iter().position(|&q| q < 0) {
                issues.push(issue(
                    "ANALYTICS_NEGATIVE_QUANTITY",
                    format!("$.lines.quantity[{i}]"),
                    "quantities cannot be negative",
                ));
            }
            if let Some(i) = l.amount.iter().position(|a| a.abs() > MAX_AMOUNT) {
                issues.push(issue(
                    "ANALYTICS_AMOUNT_RANGE",
                    format!("$.lines.amount[{i}]"),
                    "amounts must stay within ±10^15 minor units",
                ));
            }
        }
        if let Some(i) = orders
            .ordered_at
            .iter()
            .position(|&t| DateTime::from_timestamp(t, 0).is_none())
        {
            issues.push(issue(
                "ANALYTICS_BAD_INSTANT",
                format!("$.orders.ordered_at[{i}]"),
                "the instant is outside the supported range",
            ));
        }
        if !issues.is_empty() {
            return Err(Error::InvalidAnalytics(issues));
        }
        let day = local_days(zone, &orders.ordered_at);
        let units = if let Some(l) = &lines {
            let mut u = vec![0i64; rows];
            for (&o, &q) in l.order.iter().zip(&l.quantity) {
                u[o as usize] = u[o as usize].saturating_add(q);
            }
            Some(u)
        } else if orders.units.is_empty() {
            None
        } else {
            Some(orders.units)
        };
        let cancelled = if orders.cancelled.is_empty() {
            vec![false; rows]
        } else {
            orders.cancelled
        };
        let mut customer = orders.customer;
        let customer_ids = std::mem::take(&mut customer.values).into();
        Ok(OrderHistory {
            zone,
            currency,
            customer,
            customer_ids,
            ordered_at: orders.ordered_at,
            day,
            amount: orders.amount,
            cancelled,
            units,
            attributes,
            lines,
            facts_cache: Default::default(),
        })
    }

    /// The shop's zone.
    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// The currency of the amounts.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Number of orders.
    pub fn len(&self) -> usize {
        self.ordered_at.len()
    }

    /// Whether there are no orders.
    pub fn is_empty(&self) -> bool {
        self.ordered_at.is_empty()
    }

    /// The local date of order `i`.
    pub fn date(&self, i: usize) -> NaiveDate {
        date_of(self.day[i])
    }

    /// The customers' ids, by code.
    pub fn customer_ids(&self) -> &[String] {
        &self.customer_ids
    }

    /// The customers' ids, shared (for result columns that point into them).
    pub fn customer_ids_shared(&self) -> std::sync::Arc<[String]> {
        self.customer_ids.clone()
    }

    /// The column of an attribute, if given.
    pub fn attribute(&self, a: Attribute) -> Option<&Coded> {
        self.attributes[a.index()].as_ref()
    }

    /// The local hour (0–23) of order `i`.
    pub fn hour(&self, i: usize) -> u32 {
        let t = self.ordered_at[i];
        let off = offset_seconds(self.zone, t);
        ((t + off).rem_euclid(86_400) / 3600) as u32
    }
}

/// The instant of a local wall-clock time in `zone`, given as seconds since
/// 1970-01-01T00:00:00 local (a naive timestamp); the earlier instant when the
/// time is ambiguous, `None` when it falls in a daylight-saving gap.
///
/// ```
/// use ichigen_core::analytics::instant_of_local;
/// // 2026-01-01T23:30:00 in Tokyo is 14:30 UTC.
/// assert_eq!(instant_of_local(chrono_tz::Asia::Tokyo, 1_767_310_200), Some(1_767_277_800));
/// ```
pub fn instant_of_local(zone: Tz, local_seconds: i64) -> Option<i64> {
    let naive = DateTime::from_timestamp(local_seconds, 0)?.naive_utc();
    zone.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.timestamp())
}

/// Whether an order status text marks a cancelled order: `cancelled` (the
/// lifecycle's name) or `canceled`. Any other status is a purchase.
pub fn status_is_cancelled(status: &str) -> bool {
    matches!(status, "cancelled" | "canceled")
}

/// The day number (days since 1970-01-01) of a date.
pub fn day_number(d: NaiveDate) -> i32 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days() as i32
}

/// The date of a day number.
pub fn date_of(day: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch") + chrono::TimeDelta::days(i64::from(day))
}

fn offset_seconds(zone: Tz, t: i64) -> i64 {
    let utc = DateTime::from_timestamp(t, 0).unwrap_or_default();
    i64::from(
        zone.offset_from_utc_datetime(&utc.naive_utc())
            .fix()
            .local_minus_utc(),
    )
}

/// Local day numbers of instants. The zone's offset is looked up once per UTC
/// day of the range and reused when it is the same at both ends of that day;
/// only a day with a transition (daylight saving) is looked up per instant.
fn local_days(zone: Tz, instants: &[i64]) -> Vec<i32> {
    let (Some(&lo), Some(&hi)) = (instants.iter().min(), instants.iter().max()) else {
        return Vec::new();
    };
    let first = lo.div_euclid(86_400);
    let span = (hi.div_euclid(86_400) - first + 1) as usize;
    // Offset of each UTC day, or i64::MIN where it changes within the day.
    let mut table = Vec::with_capacity(span.min(1 << 20));
    if span <= 1 << 20 {
        for d in 0..span as i64 {
            let start = (first + d) * 86_400;
            let a = offset_seconds(zone, start);
            let b = offset_seconds(zone, start + 86_399);
            table.push(if a == b { a } else { i64::MIN });
        }
    }
    instants
        .iter()
        .map(|&t| {
            let d = (t.div_euclid(86_400) - first) as usize;
            let off = match table.get(d) {
                Some(&o) if o != i64::MIN => o,
                _ => offset_seconds(zone, t),
            };
            (t + off).div_euclid(86_400) as i32
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_follow_the_zone_across_daylight_saving() {
        // New York: 2026-03-08 02:00 local jumps to 03:00 (UTC-5 → UTC-4).
        let zone = chrono_tz::America::New_York;
        let before = 1_772_953_200; // 2026-03-08T07:00:00Z = 02:00 EST? no: 03:00 EDT
        let instants = [before - 3 * 3600, before, before + 20 * 3600 + 1800];
        let days = local_days(zone, &instants);
        for (t, d) in instants.iter().zip(&days) {
            let local = DateTime::from_timestamp(*t, 0)
                .unwrap()
                .with_timezone(&zone)
                .date_naive();
            assert_eq!(date_of(*d), local);
        }
    }

    #[test]
    fn tokyo_day_boundary() {
        let zone = chrono_tz::Asia::Tokyo;
        // 2026-01-01T14:59:59Z is 23:59:59 JST; one second later is the 2nd.
        let days = local_days(zone, &[1_767_279_599, 1_767_279_600]);
        assert_eq!(date_of(days[0]).to_string(), "2026-01-01");
        assert_eq!(date_of(days[1]).to_string(), "2026-01-02");
    }
}
