//! Per-customer (frequency, recency, T, monetary) from an order history, as
//! `lifetimes.utils.summary_data_from_transaction_data` computes them with
//! `freq="D"` and `freq_multiplier = period_days`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::analytics::history::{OrderHistory, day_number};
use crate::analytics::table::{Column, Table};
use crate::error::{Error, Issue};

/// The observation window of a summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryConfig {
    /// The last day observed (local, inclusive); later orders are ignored.
    pub observation_end: NaiveDate,
    /// Days in one period of recency and T (1: days; 7: weeks). Default 1.
    #[serde(default = "one")]
    pub period_days: f64,
}

fn one() -> f64 {
    1.0
}

/// One row per customer with a purchase on or before the end.
#[derive(Debug, Clone, PartialEq)]
pub struct ClvSummary {
    /// Customer codes.
    pub customer: Vec<u32>,
    /// Repeat purchases: purchase days less one.
    pub frequency: Vec<f64>,
    /// Periods from the first purchase day to the last.
    pub recency: Vec<f64>,
    /// Periods from the first purchase day to the end of observation.
    pub t: Vec<f64>,
    /// Mean spend of the repeat purchase days, in currency units (0 without
    /// repeat purchases).
    pub monetary: Vec<f64>,
}

impl OrderHistory {
    /// The CLV summary of every customer with a purchase (not cancelled) on or
    /// before `config.observation_end`.
    ///
    /// Errors: `ANALYTICS_BAD_CONFIG` at `$.config.period_days` unless it is a
    /// positive number.
    pub fn clv_summary(&self, config: &SummaryConfig) -> Result<ClvSummary, Error> {
        if !(config.period_days.is_finite() && config.period_days > 0.0) {
            return Err(Error::InvalidAnalytics(vec![Issue::new(
                "ANALYTICS_BAD_CONFIG",
                "$.config.period_days",
                "must be a positive number",
            )]));
        }
        let end = day_number(config.observation_end);
        // (customer, day, amount) of the orders kept, sorted by customer and day.
        let mut rows: Vec<(u32, i32, i64)> = (0..self.len())
            .filter(|&i| !self.cancelled[i] && self.day[i] <= end)
            .map(|i| (self.customer.codes[i], self.day[i], self.amount[i]))
            .collect();
        rows.sort_unstable_by_key(|&(c, d, _)| (c, d));
        let unit = 10f64.powi(self.currency().minor_units() as i32);
        let p = config.period_days;
        let mut out = ClvSummary {
            customer: Vec::new(),
            frequency: Vec::new(),
            recency: Vec::new(),
            t: Vec::new(),
            monetary: Vec::new(),
        };
        let mut i = 0;
        while i < rows.len() {
            let c = rows[i].0;
            let first = rows[i].1;
            let mut last = first;
            let mut days = 0u32;
            let mut repeat_spend: i128 = 0;
            while i < rows.len() && rows[i].0 == c {
                let d = rows[i].1;
                let mut day_spend: i128 = 0;
                while i < rows.len() && rows[i].0 == c && rows[i].1 == d {
                    day_spend += i128::from(rows[i].2);
                    i += 1;
                }
                if days > 0 {
                    repeat_spend += day_spend;
                }
                days += 1;
                last = d;
            }
            let x = f64::from(days - 1);
            out.customer.push(c);
            out.frequency.push(x);
            out.recency.push(f64::from(last - first) / p);
            out.t.push(f64::from(end - first) / p);
            out.monetary.push(if days > 1 {
                repeat_spend as f64 / unit / x
            } else {
                0.0
            });
        }
        Ok(out)
    }
}

impl ClvSummary {
    /// Number of customers.
    pub fn len(&self) -> usize {
        self.customer.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.customer.is_empty()
    }

    /// `customer`, `frequency`, `recency`, `T`, `monetary_value` (the
    /// `lifetimes` names).
    pub fn table(&self, h: &OrderHistory) -> Table {
        let f = |v: &[f64]| Column::Float(v.iter().map(|&x| Some(x)).collect());
        let mut t = Table::default();
        t.push(
            "customer",
            Column::Codes {
                codes: self.customer.clone(),
                values: h.customer_ids_shared(),
            },
        );
        t.push("frequency", f(&self.frequency));
        t.push("recency", f(&self.recency));
        t.push("T", f(&self.t));
        t.push("monetary_value", f(&self.monetary));
        t
    }
}
