//! The customer balance sheet (顧客BS, the "new CPM"): customers by cumulative
//! purchase count, who is active (bought in the year up to the as-of date), how
//! many of last year's actives bought again, what an active customer of each
//! class spends in a year, how customers moved between classes, and five years
//! projected with no new customers.
//!
//! The year is the twelve months ending on the as-of date: with as-of
//! 2026-11-23 it runs from 2025-11-24 to 2026-11-23, and last year from
//! 2024-11-24 to 2025-11-23.
//!
//! The projection moves each class's actives by last year's observed flows
//! (active in class c last year → active in class c′ this year, or gone) and
//! values them at this year's spend per active customer of their class.
//! Customers who are not active never return in the projection, and nobody new
//! arrives, so it is a floor: what the present base is worth on its own.
//!
//! ```
//! use ichigen_core::analytics::{BalanceConfig, Coded, OrderColumns, OrderHistory};
//! use ichigen_core::money::Currency;
//! let day = 86_400;
//! let t0 = 1_735_657_200; // 2025-01-01T00:00+09:00
//! let orders = OrderColumns {
//!     customer: Coded::from_strs(["a", "a", "b"]),
//!     ordered_at: vec![t0, t0 + 400 * day, t0],
//!     amount: vec![3000, 5000, 2000],
//!     ..OrderColumns::default()
//! };
//! let h = OrderHistory::new(chrono_tz::Asia::Tokyo, Currency::JPY, orders, None)?;
//! let as_of = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
//! let bs = h.balance_sheet(&BalanceConfig::new(as_of))?;
//! let classes = bs.classes.rows_json(None);
//! assert_eq!(classes[1]["class"], "2");
//! assert_eq!(classes[1]["active"], 1);
//! assert_eq!(classes[0]["retention"], 0.5);
//! # Ok::<(), ichigen_core::Error>(())
//! ```

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::history::{OrderHistory, day_number};
use super::table::{Column, Table};
use crate::error::{Error, Issue};

/// The balance sheet's classes and date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BalanceConfig {
    /// The as-of date (local).
    pub as_of: NaiveDate,
    /// Lower bounds of the classes by cumulative purchases, ascending from 1
    /// (default `[1, 2, 3, 4, 7]`: 1, 2, 3, 4–6, 7+).
    #[serde(default = "default_bounds")]
    pub classes: Vec<u32>,
    /// Names of the classes (default: `1`, `2`, `3`, `4-6`, `7+`).
    #[serde(default)]
    pub names: Option<Vec<String>>,
    /// Years projected (default 5).
    #[serde(default = "five")]
    pub years: u32,
}

fn default_bounds() -> Vec<u32> {
    vec![1, 2, 3, 4, 7]
}
fn five() -> u32 {
    5
}

impl BalanceConfig {
    /// The defaults as of a date.
    pub fn new(as_of: NaiveDate) -> BalanceConfig {
        BalanceConfig {
            as_of,
            classes: default_bounds(),
            names: None,
            years: 5,
        }
    }

    fn names(&self) -> Result<Vec<String>, Error> {
        let bad = |path: &str, m: &str| {
            Error::InvalidAnalytics(vec![Issue::new(
                "ANALYTICS_BAD_CONFIG",
                format!("$.config.{path}"),
                m,
            )])
        };
        if self.classes.first() != Some(&1) || self.classes.windows(2).any(|w| w[0] >= w[1]) {
            return Err(bad("classes", "class bounds ascend from 1"));
        }
        if self.years > 50 {
            return Err(bad("years", "at most 50 years are projected"));
        }
        if let Some(n) = &self.names {
            if n.len() != self.classes.len() {
                return Err(bad("names", "one name per class"));
            }
            return Ok(n.clone());
        }
        let b = &self.classes;
        Ok((0..b.len())
            .map(|i| match b.get(i + 1) {
                Some(&next) if next == b[i] + 1 => b[i].to_string(),
                Some(&next) => format!("{}-{}", b[i], next - 1),
                None => format!("{}+", b[i]),
            })
            .collect())
    }
}

/// The three tables of the balance sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct BalanceSheet {
    /// One row per class: `class`, `customers` (cumulative count in the class),
    /// `active`, `new` (first purchase this year), `revenue` (this year, of the
    /// actives), `annual_value` (revenue per active, two digits past the
    /// currency's), `last_year_active`, `retained`, `retention`.
    pub classes: Table,
    /// Movements: `from` (last year's class of last year's actives, `new`, or
    /// `returning` for customers inactive last year who bought this year), `to`
    /// (this year's class, or `lapsed`), `customers`.
    pub flows: Table,
    /// `year` (1–5), `class`, `active` (expected customers), `revenue`
    /// (expected, rounded to the currency's unit).
    pub projection: Table,
}

fn class_of(bounds: &[u32], n: u32) -> usize {
    bounds.iter().rposition(|&b| n >= b).unwrap_or(0)
}

impl OrderHistory {
    /// The customer balance sheet as of `config.as_of`.
    pub fn balance_sheet(&self, config: &BalanceConfig) -> Result<BalanceSheet, Error> {
        let names = config.names()?;
        let b = &config.classes;
        let k = b.len();
        let year_ago = |d: NaiveDate| d.checked_sub_months(Months::new(12)).unwrap_or(d);
        let a0 = day_number(config.as_of);
        let a1 = day_number(year_ago(config.as_of));
        let a2 = day_number(year_ago(year_ago(config.as_of)));
        let upto0 = self.facts_until(a0);
        let upto1 = self.facts_until(a1);
        let this_year = self.facts_between(a1 + 1, a0);
        let last_year = self.facts_between(a2 + 1, a1);
        let mut customers = vec![0i64; k];
        let mut active = vec![0i64; k];
        let mut new = vec![0i64; k];
        let mut revenue = vec![0i128; k];
        let mut last_active = vec![0i64; k];
        let mut retained = vec![0i64; k];
        // flows[from][to]: from = class | k (new) | k + 1 (returning); to = class | k (lapsed)
        let mut flows = vec![vec![0i64; k + 1]; k + 2];
        for c in 0..upto0.len() {
            let n0 = upto0[c].count;
            if n0 == 0 {
                continue;
            }
            let c0 = class_of(b, n0);
            customers[c0] += 1;
            let bought0 = this_year[c].count > 0;
            if bought0 {
                active[c0] += 1;
                revenue[c0] += this_year[c].spend;
            }
            let n1 = upto1[c].count;
            if last_year[c].count > 0 {
                let c1 = class_of(b, n1);
                last_active[c1] += 1;
                if bought0 {
                    retained[c1] += 1;
                }
                flows[c1][if bought0 { c0 } else { k }] += 1;
            } else if bought0 {
                if n1 == 0 {
                    new[c0] += 1;
                    flows[k][c0] += 1;
                } else {
                    flows[k + 1][c0] += 1;
                }
            }
        }
        let scale = self.currency().minor_units();
        let mut classes = Table::default();
        classes.push(
            "class",
            Column::Text(names.iter().map(|n| Some(n.clone())).collect()),
        );
        let int = |v: &[i64]| Column::Int(v.iter().map(|&x| Some(x)).collect());
        classes.push("customers", int(&customers));
        classes.push("active", int(&active));
        classes.push("new", int(&new));
        classes.push(
            "revenue",
            Column::Money {
                minor: revenue.iter().map(|&r| Some(r)).collect(),
                scale,
            },
        );
        classes.push(
            "annual_value",
            Column::Money {
                minor: revenue
                    .iter()
                    .zip(&active)
                    .map(|(&r, &a)| {
                        (a > 0).then(|| super::sales::div_round(r * 100, i128::from(a)))
                    })
                    .collect(),
                scale: scale + 2,
            },
        );
        classes.push("last_year_active", int(&last_active));
        classes.push("retained", int(&retained));
        classes.push(
            "retention",
            Column::Float(
                retained
                    .iter()
                    .zip(&last_active)
                    .map(|(&r, &l)| (l > 0).then(|| r as f64 / l as f64))
                    .collect(),
            ),
        );
        let label = |i: usize| -> String {
            match i {
                i if i < k => names[i].clone(),
                i if i == k => "new".to_owned(),
                _ => "returning".to_owned(),
            }
        };
        let (mut fs, mut ts, mut ns) = (vec![], vec![], vec![]);
        for (from, row) in flows.iter().enumerate() {
            for (to, &n) in row.iter().enumerate() {
                if n > 0 {
                    fs.push(Some(label(from)));
                    ts.push(Some(if to == k {
                        "lapsed".to_owned()
                    } else {
                        names[to].clone()
                    }));
                    ns.push(Some(n));
                }
            }
        }
        let mut flow_table = Table::default();
        flow_table.push("from", Column::Text(fs));
        flow_table.push("to", Column::Text(ts));
        flow_table.push("customers", Column::Int(ns));
        // Projection: the actives of each class move by last year's flows.
        let value: Vec<f64> = revenue
            .iter()
            .zip(&active)
            .map(|(&r, &a)| if a > 0 { r as f64 / a as f64 } else { 0.0 })
            .collect();
        let mut now: Vec<f64> = active.iter().map(|&a| a as f64).collect();
        let (mut ys, mut cs, mut acts, mut revs) = (vec![], vec![], vec![], vec![]);
        for year in 1..=config.years {
            let mut next = vec![0.0; k];
            for from in 0..k {
                if last_active[from] == 0 {
                    continue;
                }
                for (to, slot) in next.iter_mut().enumerate() {
                    *slot += now[from] * flows[from][to] as f64 / last_active[from] as f64;
                }
            }
            now = next;
            for c in 0..k {
                ys.push(Some(i64::from(year)));
                cs.push(Some(names[c].clone()));
                acts.push(Some(now[c]));
                revs.push(Some((now[c] * value[c]).round() as i128));
            }
        }
        let mut projection = Table::default();
        projection.push("year", Column::Int(ys));
        projection.push("class", Column::Text(cs));
        projection.push("active", Column::Float(acts));
        projection.push("revenue", Column::Money { minor: revs, scale });
        Ok(BalanceSheet {
            classes,
            flows: flow_table,
            projection,
        })
    }
}
