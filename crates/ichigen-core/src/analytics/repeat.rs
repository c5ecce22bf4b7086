//! Repeat buying and cohorts: F2 conversion, repeat rates by channel and across
//! channels, the monthly cohort retention matrix, and lifetime value by the
//! channel that brought the customer.
//!
//! Customer ids are taken as given: pass the resolved id (名寄せ) so that one
//! person buying on Rakuten and on the own site is one customer. Cancelled
//! orders never count; ties in time between a customer's orders are broken by
//! row order.
//!
//! ```
//! use ichigen_core::analytics::{Coded, OrderColumns, OrderHistory, RepeatConfig};
//! use ichigen_core::money::Currency;
//! let day = 86_400;
//! let t0 = 1_767_193_200; // 2026-01-01T00:00+09:00
//! let orders = OrderColumns {
//!     customer: Coded::from_strs(["a", "a", "b", "c", "c"]),
//!     ordered_at: vec![t0, t0 + 20 * day, t0, t0, t0 + 100 * day],
//!     amount: vec![1000, 2000, 1500, 500, 800],
//!     channel: Some(Coded::from_strs(["rakuten", "own", "rakuten", "amazon", "amazon"])),
//!     ..OrderColumns::default()
//! };
//! let h = OrderHistory::new(chrono_tz::Asia::Tokyo, Currency::JPY, orders, None)?;
//! let as_of = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
//! let mut config = RepeatConfig::new(as_of);
//! config.within_days = Some(90);
//! let f2 = h.f2(&config)?.rows_json(None);
//! assert_eq!(f2[0]["channel"], serde_json::Value::Null); // every channel
//! assert_eq!(f2[0]["new_customers"], 3);
//! assert_eq!(f2[0]["converted"], 1); // c came back after 100 days
//! # Ok::<(), ichigen_core::Error>(())
//! ```

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::history::{Attribute, NULL, OrderHistory, date_of, day_number};
use super::table::{Column, Table};
use crate::error::{Error, Issue};

/// The window of a repeat analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepeatConfig {
    /// The as-of date (local); later orders are ignored.
    pub as_of: NaiveDate,
    /// Only customers whose first purchase is on or after this date (F2,
    /// cohorts, lifetime value).
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// Only customers whose first purchase is on or before this date.
    #[serde(default)]
    pub to: Option<NaiveDate>,
    /// F2: the second purchase must come within this many days of the first
    /// (none: any time up to the as-of date).
    #[serde(default)]
    pub within_days: Option<i32>,
}

impl RepeatConfig {
    /// Everything up to a date.
    pub fn new(as_of: NaiveDate) -> RepeatConfig {
        RepeatConfig {
            as_of,
            from: None,
            to: None,
            within_days: None,
        }
    }

    fn check(&self) -> Result<(), Error> {
        let bad = |path: &str, m: &str| {
            Error::InvalidAnalytics(vec![Issue::new(
                "ANALYTICS_BAD_CONFIG",
                format!("$.config.{path}"),
                m,
            )])
        };
        if let (Some(f), Some(t)) = (self.from, self.to) {
            if f > t {
                return Err(bad("from", "the period starts after it ends"));
            }
        }
        if self.within_days.is_some_and(|d| d < 0) {
            return Err(bad("within_days", "must not be negative"));
        }
        Ok(())
    }
}

/// Each customer's orders in time order (cancelled and later ones left out).
struct Timeline {
    /// Order rows grouped by customer code, each group in time then row order.
    rows: Vec<u32>,
    /// `start[c]..start[c + 1]` are customer `c`'s rows.
    start: Vec<u32>,
}

impl Timeline {
    /// Each customer's rows, in time order, for customers whose first purchase
    /// falls on days `from..=to`.
    fn acquired<'a>(
        &'a self,
        h: &'a OrderHistory,
        from: i32,
        to: i32,
    ) -> impl Iterator<Item = &'a [u32]> + 'a {
        self.start.windows(2).filter_map(move |w| {
            let rows = &self.rows[w[0] as usize..w[1] as usize];
            let d0 = h.day[*rows.first()? as usize];
            (d0 >= from && d0 <= to).then_some(rows)
        })
    }
}

impl OrderHistory {
    fn timeline(&self, as_of: i32) -> Timeline {
        let n = self.customer_ids.len();
        let mut count = vec![0u32; n + 1];
        let keep = |i: usize| !self.cancelled[i] && self.day[i] <= as_of;
        for i in 0..self.len() {
            if keep(i) {
                count[self.customer.codes[i] as usize + 1] += 1;
            }
        }
        for c in 1..=n {
            count[c] += count[c - 1];
        }
        let start = count.clone();
        let mut rows = vec![0u32; count[n] as usize];
        let mut at = count;
        for i in 0..self.len() {
            if keep(i) {
                let c = self.customer.codes[i] as usize;
                rows[at[c] as usize] = i as u32;
                at[c] += 1;
            }
        }
        for c in 0..n {
            let s = &mut rows[start[c] as usize..start[c + 1] as usize];
            s.sort_by_key(|&i| (self.ordered_at[i as usize], i));
        }
        Timeline { rows, start }
    }

    fn channel_code(&self, row: u32) -> u32 {
        self.attribute(Attribute::Channel)
            .map_or(NULL, |c| c.codes[row as usize])
    }

    fn channel_names(&self) -> Vec<String> {
        self.attribute(Attribute::Channel)
            .map_or_else(Vec::new, |c| c.values.clone())
    }

    /// F2 conversion: of the customers whose first purchase falls in the window,
    /// how many made a second (`within_days` of the first, if set). One row for
    /// every channel together (`channel` missing), then one per channel of the
    /// first purchase, sorted by name: `channel`, `new_customers`, `converted`,
    /// `rate`.
    pub fn f2(&self, config: &RepeatConfig) -> Result<Table, Error> {
        config.check()?;
        let as_of = day_number(config.as_of);
        let from = config.from.map_or(i32::MIN, day_number);
        let to = config.to.map_or(i32::MAX, day_number);
        let tl = self.timeline(as_of);
        let names = self.channel_names();
        let k = names.len();
        // index k: all channels; k + 1: first purchase without a channel
        let mut new = vec![0i64; k + 2];
        let mut conv = vec![0i64; k + 2];
        for rows in tl.acquired(self, from, to) {
            let first = rows[0];
            let d0 = self.day[first as usize];
            let ch = self.channel_code(first);
            let slot = if ch == NULL { k + 1 } else { ch as usize };
            let converted = rows.get(1).is_some_and(|&second| {
                config
                    .within_days
                    .is_none_or(|w| self.day[second as usize] - d0 <= w)
            });
            for s in [k, slot] {
                new[s] += 1;
                conv[s] += i64::from(converted);
            }
        }
        Ok(by_channel(
            &names,
            &[("new_customers", &new), ("converted", &conv)],
            "rate",
        ))
    }

    /// Repeat rates: per channel, the customers who bought there and those who
    /// bought there at least twice; the first row (`channel` missing) counts
    /// purchases in any channel, so a customer who bought once on each of two
    /// channels is a repeater there only. Columns: `channel`, `customers`,
    /// `repeaters`, `rate`, and `cross_channel` (customers who bought in two or
    /// more channels; on a channel's row, those of its customers).
    pub fn repeat_rates(&self, config: &RepeatConfig) -> Result<Table, Error> {
        config.check()?;
        let as_of = day_number(config.as_of);
        let tl = self.timeline(as_of);
        let names = self.channel_names();
        let k = names.len();
        let mut buyers = vec![0i64; k + 2];
        let mut repeaters = vec![0i64; k + 2];
        let mut cross = vec![0i64; k + 2];
        let mut per = vec![0u32; k + 1];
        let mut touched: Vec<usize> = Vec::new();
        for rows in tl.acquired(self, i32::MIN, i32::MAX) {
            for &r in rows {
                let ch = self.channel_code(r);
                let slot = if ch == NULL { k } else { ch as usize };
                if per[slot] == 0 {
                    touched.push(slot);
                }
                per[slot] += 1;
            }
            let multi = touched.len() >= 2;
            buyers[k] += 1;
            repeaters[k] += i64::from(rows.len() >= 2);
            cross[k] += i64::from(multi);
            for &slot in &touched {
                let out = if slot == k { k + 1 } else { slot };
                buyers[out] += 1;
                repeaters[out] += i64::from(per[slot] >= 2);
                cross[out] += i64::from(multi);
                per[slot] = 0;
            }
            touched.clear();
        }
        let (mut t, keep) = by_channel_rows(
            &names,
            &[("customers", &buyers), ("repeaters", &repeaters)],
            "rate",
        );
        t.push(
            "cross_channel",
            Column::Int(keep.iter().map(|&i| Some(cross[i])).collect()),
        );
        Ok(t)
    }

    /// The monthly cohort retention matrix: customers grouped by the month of
    /// their first purchase (within the window); for each month since (0 = the
    /// first month) up to the as-of date's month, how many bought. Columns:
    /// `cohort` (`2026-01`), `month` (0, 1, …), `size`, `customers`, `rate`.
    pub fn cohorts(&self, config: &RepeatConfig) -> Result<Table, Error> {
        config.check()?;
        let as_of = day_number(config.as_of);
        let from = config.from.map_or(i32::MIN, day_number);
        let to = config.to.map_or(i32::MAX, day_number);
        let tl = self.timeline(as_of);
        let month = |d: i32| {
            let x = date_of(d);
            x.year() * 12 + x.month0() as i32
        };
        let last = month(as_of);
        // (cohort month, offset) → customers; cohort → size
        let mut cells: std::collections::BTreeMap<(i32, i32), i64> = Default::default();
        let mut sizes: std::collections::BTreeMap<i32, i64> = Default::default();
        let mut seen: Vec<i32> = Vec::new();
        for rows in tl.acquired(self, from, to) {
            let first = rows[0];
            let d0 = self.day[first as usize];
            let m0 = month(d0);
            *sizes.entry(m0).or_default() += 1;
            seen.clear();
            for &r in rows {
                let off = month(self.day[r as usize]) - m0;
                if seen.last() != Some(&off) {
                    seen.push(off);
                    *cells.entry((m0, off)).or_default() += 1;
                }
            }
        }
        let (mut co, mut mo, mut si, mut cu, mut ra) = (vec![], vec![], vec![], vec![], vec![]);
        for (&m0, &size) in &sizes {
            for off in 0..=(last - m0) {
                let n = cells.get(&(m0, off)).copied().unwrap_or(0);
                co.push(Some(format!(
                    "{:04}-{:02}",
                    m0.div_euclid(12),
                    m0.rem_euclid(12) + 1
                )));
                mo.push(Some(i64::from(off)));
                si.push(Some(size));
                cu.push(Some(n));
                ra.push(Some(n as f64 / size as f64));
            }
        }
        let mut t = Table::default();
        t.push("cohort", Column::Text(co));
        t.push("month", Column::Int(mo));
        t.push("size", Column::Int(si));
        t.push("customers", Column::Int(cu));
        t.push("rate", Column::Float(ra));
        Ok(t)
    }

    /// Lifetime value by acquisition channel (the channel of the first
    /// purchase): customers acquired in the window, their revenue in every
    /// channel up to the as-of date, revenue per customer, and how many went on
    /// to buy in another channel. First row: every channel (`channel` missing);
    /// then channels that acquired someone, by name.
    /// Columns: `channel`, `customers`, `revenue`, `value` (revenue per
    /// customer, two digits past the currency's), `cross_channel`.
    pub fn channel_ltv(&self, config: &RepeatConfig) -> Result<Table, Error> {
        config.check()?;
        let as_of = day_number(config.as_of);
        let from = config.from.map_or(i32::MIN, day_number);
        let to = config.to.map_or(i32::MAX, day_number);
        let tl = self.timeline(as_of);
        let names = self.channel_names();
        let k = names.len();
        let mut customers = vec![0i64; k + 2];
        let mut revenue = vec![0i128; k + 2];
        let mut cross = vec![0i64; k + 2];
        for rows in tl.acquired(self, from, to) {
            let first = rows[0];
            let ch0 = self.channel_code(first);
            let slot = if ch0 == NULL { k + 1 } else { ch0 as usize };
            let spend: i128 = rows
                .iter()
                .map(|&r| i128::from(self.amount[r as usize]))
                .sum();
            let multi = rows.iter().any(|&r| self.channel_code(r) != ch0);
            for s in [k, slot] {
                customers[s] += 1;
                revenue[s] += spend;
                cross[s] += i64::from(multi);
            }
        }
        // Channels that acquired nobody are left out, as in the other tables.
        let order: Vec<usize> = channel_order(&names)
            .into_iter()
            .enumerate()
            .filter(|&(pos, i)| pos == 0 || customers[i] > 0)
            .map(|(_, i)| i)
            .collect();
        let scale = self.currency().minor_units();
        let mut t = Table::default();
        t.push("channel", channel_column(&names, &order));
        t.push(
            "customers",
            Column::Int(order.iter().map(|&i| Some(customers[i])).collect()),
        );
        t.push(
            "revenue",
            Column::Money {
                minor: order.iter().map(|&i| Some(revenue[i])).collect(),
                scale,
            },
        );
        t.push(
            "value",
            Column::Money {
                minor: order
                    .iter()
                    .map(|&i| {
                        (customers[i] > 0).then(|| {
                            super::sales::div_round(revenue[i] * 100, i128::from(customers[i]))
                        })
                    })
                    .collect(),
                scale: scale + 2,
            },
        );
        t.push(
            "cross_channel",
            Column::Int(order.iter().map(|&i| Some(cross[i])).collect()),
        );
        Ok(t)
    }
}

/// Row order: every channel (index k), channels by name, then no channel (k + 1).
fn channel_order(names: &[String]) -> Vec<usize> {
    let k = names.len();
    let mut idx: Vec<usize> = (0..k).collect();
    idx.sort_by(|&a, &b| names[a].cmp(&names[b]));
    let mut out = vec![k];
    out.extend(idx);
    out.push(k + 1);
    out
}

fn channel_column(names: &[String], order: &[usize]) -> Column {
    let k = names.len();
    Column::Text(
        order
            .iter()
            .map(|&i| match i {
                i if i < k => Some(names[i].clone()),
                i if i == k => None,
                _ => Some(String::new()),
            })
            .collect(),
    )
}

/// A per-channel table with two counts and their ratio; rows of channels with
/// no customer are left out, except the first (every channel).
fn by_channel(names: &[String], counts: &[(&str, &Vec<i64>); 2], rate: &str) -> Table {
    by_channel_rows(names, counts, rate).0
}

/// [`by_channel`] and the slots of its rows.
fn by_channel_rows(
    names: &[String],
    counts: &[(&str, &Vec<i64>); 2],
    rate: &str,
) -> (Table, Vec<usize>) {
    let order = channel_order(names);
    let keep: Vec<usize> = order
        .iter()
        .copied()
        .enumerate()
        .filter(|&(pos, i)| pos == 0 || counts[0].1[i] > 0)
        .map(|(_, i)| i)
        .collect();
    let mut t = Table::default();
    t.push("channel", channel_column(names, &keep));
    for (name, v) in counts {
        t.push(
            name,
            Column::Int(keep.iter().map(|&i| Some(v[i])).collect()),
        );
    }
    t.push(
        rate,
        Column::Float(
            keep.iter()
                .map(|&i| {
                    (counts[0].1[i] > 0).then(|| counts[1].1[i] as f64 / counts[0].1[i] as f64)
                })
                .collect(),
        ),
    );
    (t, keep)
}
