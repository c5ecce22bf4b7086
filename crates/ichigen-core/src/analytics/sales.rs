//! Sales summaries: orders, units, revenue, average order value and distinct
//! customers, grouped by any combination of time axes (in the shop's zone) and
//! attributes.
//!
//! Grouping by `sku` or `product` counts lines: revenue and units are the lines'
//! own, orders are the distinct orders holding such a line. Any other grouping
//! counts orders. Cancelled orders are left out unless the query includes them.
//!
//! ```
//! use ichigen_core::analytics::{Axis, Coded, OrderColumns, OrderHistory, SalesQuery};
//! use ichigen_core::money::Currency;
//! let orders = OrderColumns {
//!     customer: Coded::from_strs(["c1", "c2", "c1"]),
//!     ordered_at: vec![1_767_277_800, 1_767_281_400, 1_767_367_800],
//!     amount: vec![1200, 800, 3000],
//!     channel: Some(Coded::from_strs(["rakuten", "amazon", "rakuten"])),
//!     ..OrderColumns::default()
//! };
//! let history = OrderHistory::new(chrono_tz::Asia::Tokyo, Currency::JPY, orders, None)?;
//! let query = SalesQuery { group_by: vec![Axis::Channel], ..SalesQuery::default() };
//! let t = history.sales(&query)?;
//! let rows = t.rows_json(None);
//! assert_eq!(rows[0]["channel"], "amazon");
//! assert_eq!(rows[1]["revenue"], "4200");
//! assert_eq!(rows[1]["customers"], 1);
//! # Ok::<(), ichigen_core::Error>(())
//! ```

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::history::{Attribute, NULL, OrderHistory, date_of, day_number};
use super::table::{Column, Table};
use crate::error::{Error, Issue};

/// A grouping axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Axis {
    /// The local date (`2026-11-23`).
    Date,
    /// The local year and month (`2026-11`).
    YearMonth,
    /// The year (2026).
    Year,
    /// The month of the year (1–12).
    Month,
    /// The day of the month (1–31).
    Day,
    /// The ISO weekday (1 Monday … 7 Sunday).
    Weekday,
    /// The local hour (0–23).
    Hour,
    /// The sales channel.
    Channel,
    /// The store.
    Store,
    /// The product (line level).
    Product,
    /// The SKU (line level).
    Sku,
    /// The payment method.
    PaymentMethod,
    /// The cancel reason.
    CancelReason,
    /// The shipping method.
    ShippingMethod,
    /// The customer's age band.
    AgeBand,
    /// The customer's gender.
    Gender,
}

impl Axis {
    /// The output column name.
    pub fn name(self) -> &'static str {
        match self {
            Axis::Date => "date",
            Axis::YearMonth => "year_month",
            Axis::Year => "year",
            Axis::Month => "month",
            Axis::Day => "day",
            Axis::Weekday => "weekday",
            Axis::Hour => "hour",
            Axis::Channel => "channel",
            Axis::Store => "store",
            Axis::Product => "product",
            Axis::Sku => "sku",
            Axis::PaymentMethod => "payment_method",
            Axis::CancelReason => "cancel_reason",
            Axis::ShippingMethod => "shipping_method",
            Axis::AgeBand => "age_band",
            Axis::Gender => "gender",
        }
    }

    fn attribute(self) -> Option<Attribute> {
        Some(match self {
            Axis::Channel => Attribute::Channel,
            Axis::Store => Attribute::Store,
            Axis::PaymentMethod => Attribute::PaymentMethod,
            Axis::CancelReason => Attribute::CancelReason,
            Axis::ShippingMethod => Attribute::ShippingMethod,
            Axis::AgeBand => Attribute::AgeBand,
            Axis::Gender => Attribute::Gender,
            _ => return None,
        })
    }

    fn is_line_level(self) -> bool {
        matches!(self, Axis::Product | Axis::Sku)
    }
}

/// What to summarize.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SalesQuery {
    /// The axes, in output column order (none: one row for everything).
    pub group_by: Vec<Axis>,
    /// Count cancelled orders too.
    pub include_cancelled: bool,
    /// First local date included.
    pub from: Option<NaiveDate>,
    /// Last local date included.
    pub to: Option<NaiveDate>,
}

/// Renders the codes of one axis as an output column.
type Render = Box<dyn Fn(&[u32]) -> Column>;

/// Per-row key part of one axis: a code below `cardinality`, in output order.
struct KeyPart {
    codes: Vec<u32>,
    cardinality: u64,
    column: Render,
}

fn sort_order(values: &[String]) -> (Vec<u32>, Vec<usize>) {
    // rank[code] = position of the value in sorted order; missing sorts last.
    let mut idx: Vec<usize> = (0..values.len()).collect();
    idx.sort_by(|&a, &b| values[a].cmp(&values[b]));
    let mut rank = vec![0u32; values.len()];
    for (r, &i) in idx.iter().enumerate() {
        rank[i] = r as u32;
    }
    (rank, idx)
}

impl OrderHistory {
    fn axis_part(&self, axis: Axis, rows: &[u32], lines: bool) -> Result<KeyPart, Error> {
        let order_of = |r: u32| -> usize {
            if lines {
                self.lines
                    .as_ref()
                    .map_or(0, |l| l.order[r as usize] as usize)
            } else {
                r as usize
            }
        };
        let days = || -> (i32, Vec<i32>) {
            let d: Vec<i32> = rows.iter().map(|&r| self.day[order_of(r)]).collect();
            (d.iter().copied().min().unwrap_or(0), d)
        };
        Ok(match axis {
            Axis::Date => {
                let (lo, d) = days();
                let card = d.iter().map(|&x| (x - lo) as u64 + 1).max().unwrap_or(1);
                KeyPart {
                    codes: d.iter().map(|&x| (x - lo) as u32).collect(),
                    cardinality: card,
                    column: Box::new(move |c| {
                        Column::Date(c.iter().map(|&k| Some(date_of(lo + k as i32))).collect())
                    }),
                }
            }
            Axis::YearMonth | Axis::Year | Axis::Month | Axis::Day | Axis::Weekday => {
                let (_, d) = days();
                let f: fn(NaiveDate) -> u32 = match axis {
                    Axis::YearMonth => |x| (x.year() as u32) * 12 + x.month0(),
                    Axis::Year => |x| x.year() as u32,
                    Axis::Month => |x| x.month(),
                    Axis::Day => |x| x.day(),
                    _ => |x| x.weekday().number_from_monday(),
                };
                let vals: Vec<u32> = d.iter().map(|&x| f(date_of(x))).collect();
                let lo = vals.iter().copied().min().unwrap_or(0);
                let card = vals
                    .iter()
                    .map(|&v| u64::from(v - lo) + 1)
                    .max()
                    .unwrap_or(1);
                KeyPart {
                    codes: vals.iter().map(|&v| v - lo).collect(),
                    cardinality: card,
                    column: Box::new(move |c| {
                        if axis == Axis::YearMonth {
                            Column::Text(
                                c.iter()
                                    .map(|&k| {
                                        let v = lo + k;
                                        Some(format!("{:04}-{:02}", v / 12, v % 12 + 1))
                                    })
                                    .collect(),
                            )
                        } else {
                            Column::Int(c.iter().map(|&k| Some(i64::from(lo + k))).collect())
                        }
                    }),
                }
            }
            Axis::Hour => KeyPart {
                codes: rows.iter().map(|&r| self.hour(order_of(r))).collect(),
                cardinality: 24,
                column: Box::new(|c| Column::Int(c.iter().map(|&k| Some(i64::from(k))).collect())),
            },
            Axis::Product | Axis::Sku => {
                let l = self.lines.as_ref().ok_or_else(|| no_lines(axis))?;
                let coded = if axis == Axis::Sku {
                    &l.sku
                } else {
                    l.product.as_ref().ok_or_else(|| no_lines(axis))?
                };
                text_part(coded, rows.iter().map(|&r| coded.codes[r as usize]))
            }
            _ => {
                let a = axis.attribute().expect("attribute axis");
                match self.attribute(a) {
                    Some(coded) => text_part(coded, rows.iter().map(|&r| coded.codes[order_of(r)])),
                    None => KeyPart {
                        codes: vec![0; rows.len()],
                        cardinality: 1,
                        column: Box::new(|c| Column::Text(vec![None; c.len()])),
                    },
                }
            }
        })
    }

    /// Sales grouped by the query's axes, one row per group present, sorted by
    /// the axes (missing values last). Columns: the axes, then `orders`, `units`
    /// (missing when the history has neither lines nor units), `revenue`,
    /// `average_order_value` (revenue ÷ orders, rounded half away from zero to
    /// two places beyond the currency's minor unit, as money text with that many
    /// digits) and `customers`.
    ///
    /// Errors: `ANALYTICS_NO_LINES` when grouping by `sku` or `product` without
    /// lines, `ANALYTICS_BAD_PERIOD` when `from` is after `to`.
    pub fn sales(&self, q: &SalesQuery) -> Result<Table, Error> {
        if let (Some(f), Some(t)) = (q.from, q.to) {
            if f > t {
                return Err(Error::InvalidAnalytics(vec![Issue::new(
                    "ANALYTICS_BAD_PERIOD",
                    "$.query.from",
                    "the period starts after it ends",
                )]));
            }
        }
        let line_level = q.group_by.iter().any(|a| a.is_line_level());
        let from = q.from.map_or(i32::MIN, day_number);
        let to = q.to.map_or(i32::MAX, day_number);
        let keep = |o: usize| {
            (q.include_cancelled || !self.cancelled[o]) && self.day[o] >= from && self.day[o] <= to
        };
        // Rows: order rows, or line rows when grouping by SKU or product.
        let rows: Vec<u32> = if line_level {
            let l = self.lines.as_ref().ok_or_else(|| {
                no_lines(
                    *q.group_by
                        .iter()
                        .find(|a| a.is_line_level())
                        .expect("line axis"),
                )
            })?;
            (0..l.order.len() as u32)
                .filter(|&r| keep(l.order[r as usize] as usize))
                .collect()
        } else {
            (0..self.len() as u32)
                .filter(|&r| keep(r as usize))
                .collect()
        };
        let parts = q
            .group_by
            .iter()
            .map(|&a| self.axis_part(a, &rows, line_level))
            .collect::<Result<Vec<_>, _>>()?;
        // Composite keys in mixed radix: the key order is the output order.
        let mut radix_ok = true;
        let mut total: u128 = 1;
        for p in &parts {
            total = total.saturating_mul(u128::from(p.cardinality));
            if total > u128::from(u64::MAX) {
                radix_ok = false;
            }
        }
        let keys: Vec<u64> = if radix_ok {
            let mut k = vec![0u64; rows.len()];
            for p in &parts {
                for (k, &c) in k.iter_mut().zip(&p.codes) {
                    *k = *k * p.cardinality + u64::from(c);
                }
            }
            k
        } else {
            // Too many combinations for one integer: rank the distinct tuples.
            let mut tuples: Vec<(Vec<u32>, usize)> = (0..rows.len())
                .map(|i| (parts.iter().map(|p| p.codes[i]).collect(), i))
                .collect();
            tuples.sort();
            let mut k = vec![0u64; rows.len()];
            let mut rank = 0u64;
            for w in 0..tuples.len() {
                if w > 0 && tuples[w].0 != tuples[w - 1].0 {
                    rank += 1;
                }
                k[tuples[w].1] = rank;
            }
            k
        };
        // Group ids in key order.
        let mut order: Vec<u32> = (0..rows.len() as u32).collect();
        order.sort_unstable_by_key(|&i| keys[i as usize]);
        let mut group = vec![0u32; rows.len()];
        let mut firsts: Vec<u32> = Vec::new();
        for (n, &i) in order.iter().enumerate() {
            if n == 0 || keys[i as usize] != keys[order[n - 1] as usize] {
                firsts.push(i);
            }
            group[i as usize] = firsts.len() as u32 - 1;
        }
        let g = firsts.len();
        let mut orders = vec![0i64; g];
        let mut units = vec![0i64; g];
        let mut revenue = vec![0i128; g];
        let order_of = |r: u32| -> usize {
            if line_level {
                self.lines
                    .as_ref()
                    .map_or(0, |l| l.order[r as usize] as usize)
            } else {
                r as usize
            }
        };
        if line_level {
            let l = self.lines.as_ref().expect("lines");
            for (i, &r) in rows.iter().enumerate() {
                let gi = group[i] as usize;
                units[gi] += l.quantity[r as usize];
                revenue[gi] += i128::from(l.amount[r as usize]);
            }
            orders = distinct_per_group(&group, rows.iter().map(|&r| order_of(r) as u32), g);
        } else {
            for (i, &r) in rows.iter().enumerate() {
                let gi = group[i] as usize;
                orders[gi] += 1;
                if let Some(u) = &self.units {
                    units[gi] += u[r as usize];
                }
                revenue[gi] += i128::from(self.amount[r as usize]);
            }
        }
        let customers = distinct_per_group(
            &group,
            rows.iter().map(|&r| self.customer.codes[order_of(r)]),
            g,
        );
        let scale = self.currency().minor_units();
        let mut t = Table::default();
        for (a, p) in q.group_by.iter().zip(&parts) {
            let codes: Vec<u32> = firsts.iter().map(|&i| p.codes[i as usize]).collect();
            t.push(a.name(), (p.column)(&codes));
        }
        t.push(
            "orders",
            Column::Int(orders.iter().map(|&x| Some(x)).collect()),
        );
        let has_units = line_level || self.units.is_some();
        t.push(
            "units",
            Column::Int(units.iter().map(|&x| has_units.then_some(x)).collect()),
        );
        t.push(
            "revenue",
            Column::Money {
                minor: revenue.iter().map(|&x| Some(x)).collect(),
                scale,
            },
        );
        t.push(
            "average_order_value",
            Column::Money {
                minor: revenue
                    .iter()
                    .zip(&orders)
                    .map(|(&r, &o)| (o > 0).then(|| div_round(r * 100, i128::from(o))))
                    .collect(),
                scale: scale + 2,
            },
        );
        t.push(
            "customers",
            Column::Int(customers.iter().map(|&x| Some(x)).collect()),
        );
        Ok(t)
    }
}

/// `a ÷ b` rounded half away from zero (`b > 0`).
pub(crate) fn div_round(a: i128, b: i128) -> i128 {
    let q = a / b;
    let r = a % b;
    if 2 * r.abs() >= b { q + a.signum() } else { q }
}

/// Distinct values per group (`group[i]` the group of item `i`).
fn distinct_per_group(group: &[u32], values: impl Iterator<Item = u32>, g: usize) -> Vec<i64> {
    let mut pairs: Vec<u64> = group
        .iter()
        .zip(values)
        .map(|(&gi, v)| (u64::from(gi) << 32) | u64::from(v))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut out = vec![0i64; g];
    for p in pairs {
        out[(p >> 32) as usize] += 1;
    }
    out
}

fn text_part(coded: &super::history::Coded, codes: impl Iterator<Item = u32>) -> KeyPart {
    let (rank, by_rank) = sort_order(&coded.values);
    let n = coded.values.len() as u32;
    let values = coded.values.clone();
    KeyPart {
        codes: codes
            .map(|c| if c == NULL { n } else { rank[c as usize] })
            .collect(),
        cardinality: u64::from(n) + 1,
        column: Box::new(move |c| {
            Column::Text(
                c.iter()
                    .map(|&k| (k < n).then(|| values[by_rank[k as usize]].clone()))
                    .collect(),
            )
        }),
    }
}

fn no_lines(axis: Axis) -> Error {
    Error::InvalidAnalytics(vec![Issue::new(
        "ANALYTICS_NO_LINES",
        "$.query.group_by",
        format!("grouping by {} needs the order lines", axis.name()),
    )])
}
