//! RFM: recency (days since the last purchase), frequency (purchases) and
//! monetary value (cumulative spend) of each customer as of a date, scored 1–5.
//!
//! **Quantile scores.** A customer's score is `1 + ⌊5 × w ÷ n⌋`, where `n` is the
//! number of customers scored and `w` the number of customers strictly worse
//! (for recency: more days since the last purchase; for frequency and monetary:
//! less). Equal values always get the same score, whatever the order of the
//! input: a tie is never split across two scores. This is
//! `1 + floor(5 × (rank_min − 1) ÷ n)` in SQL or polars.
//!
//! **Threshold scores.** Four ascending limits per measure. Frequency and
//! monetary score one more than the number of limits reached (value ≥ limit);
//! recency scores five less the number of limits exceeded (days > limit): with
//! `[30, 90, 180, 365]`, 30 days scores 5 and 31 days 4.
//!
//! ```
//! use ichigen_core::analytics::{Coded, OrderColumns, OrderHistory, RfmConfig};
//! use ichigen_core::money::Currency;
//! let orders = OrderColumns {
//!     customer: Coded::from_strs(["a", "b", "a"]),
//!     ordered_at: vec![1_767_225_600, 1_767_312_000, 1_767_398_400],
//!     amount: vec![1000, 5000, 2000],
//!     ..OrderColumns::default()
//! };
//! let h = OrderHistory::new(chrono_tz::Asia::Tokyo, Currency::JPY, orders, None)?;
//! let config: RfmConfig = serde_json::from_str(r#"{"as_of": "2026-01-10"}"#).unwrap();
//! let rfm = h.rfm(&config)?;
//! let rows = rfm.table(&h).rows_json(None);
//! assert_eq!(rows[0]["customer"], "a");
//! assert_eq!(rows[0]["recency"], 7);
//! assert_eq!(rows[0]["frequency"], 2);
//! assert_eq!(rows[0]["f"], 3);
//! assert_eq!(rows[1]["f"], 1);
//! # Ok::<(), ichigen_core::Error>(())
//! ```

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[cfg(test)]
use super::customers::count_smaller;
use super::customers::{count_smaller_money, count_smaller_small};
use super::history::{OrderHistory, date_of, day_number};
use super::table::{Column, Table};
use crate::error::{Error, Issue};

/// A money amount in a configuration: decimal text (`"70000"`) or a whole number.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MoneyValue {
    /// A whole number.
    Whole(i64),
    /// Decimal text.
    Text(#[serde(with = "rust_decimal::serde::str")] Decimal),
}

impl MoneyValue {
    /// In minor units of a currency with `scale` digits; `None` when it has more
    /// digits than the currency or is out of range.
    pub fn minor(self, scale: u32) -> Option<i128> {
        let d = match self {
            MoneyValue::Whole(w) => Decimal::from(w),
            MoneyValue::Text(d) => d,
        };
        let m = d.checked_mul(Decimal::from(10i64.pow(scale)))?;
        if !m.fract().is_zero() {
            return None;
        }
        i128::try_from(m.trunc()).ok()
    }
}

/// How scores are given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RfmScoring {
    /// By quantiles of the customers scored (the default).
    #[default]
    Quantiles,
    /// By the shop's limits, four ascending values per measure.
    Thresholds {
        /// Days: 5 at or below the first, 1 above the last.
        recency: [i64; 4],
        /// Purchases: 1 below the first, 5 at or above the last.
        frequency: [i64; 4],
        /// Spend: 1 below the first, 5 at or above the last.
        monetary: [MoneyValue; 4],
    },
}

/// A named rank: customers whose scores fall in every given range (inclusive)
/// get the name; the first rank that matches wins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RfmRank {
    /// The name shown (`VIP`, `休眠`).
    pub name: String,
    /// Recency score range.
    #[serde(default)]
    pub r: Option<[u8; 2]>,
    /// Frequency score range.
    #[serde(default)]
    pub f: Option<[u8; 2]>,
    /// Monetary score range.
    #[serde(default)]
    pub m: Option<[u8; 2]>,
    /// Range of the sum of the three scores (3–15).
    #[serde(default)]
    pub total: Option<[u8; 2]>,
}

/// What RFM computes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RfmConfig {
    /// The date the analysis is as of (local); later orders are ignored.
    pub as_of: NaiveDate,
    /// Quantiles (default) or thresholds.
    #[serde(default)]
    pub scoring: RfmScoring,
    /// Named ranks, first match wins.
    #[serde(default)]
    pub ranks: Vec<RfmRank>,
    /// The rank of customers no rank matches (none: missing).
    #[serde(default)]
    pub default_rank: Option<String>,
}

/// RFM of every customer with a purchase on or before the date, in the order
/// of the customers' codes.
#[derive(Debug, Clone, PartialEq)]
pub struct Rfm {
    /// Customer codes.
    pub customer: Vec<u32>,
    /// Days from the last purchase to the as-of date.
    pub recency: Vec<i32>,
    /// Purchases.
    pub frequency: Vec<u32>,
    /// Spend in minor units.
    pub monetary: Vec<i128>,
    /// First purchase day (day number).
    pub first: Vec<i32>,
    /// Last purchase day (day number).
    pub last: Vec<i32>,
    /// Scores 1–5.
    pub r: Vec<u8>,
    /// Scores 1–5.
    pub f: Vec<u8>,
    /// Scores 1–5.
    pub m: Vec<u8>,
    /// Index into the config's ranks, or `None` (the default rank).
    pub rank: Vec<Option<u16>>,
    ranks: Vec<String>,
    default_rank: Option<String>,
}

fn bad(code: &str, path: &str, message: &str) -> Error {
    Error::InvalidAnalytics(vec![Issue::new(code, path, message)])
}

fn quantile_scores(worse: &[u32]) -> Vec<u8> {
    let n = worse.len() as u64;
    worse
        .iter()
        .map(|&w| 1 + (5 * u64::from(w) / n.max(1)) as u8)
        .collect()
}

fn ascending<T: PartialOrd>(v: &[T]) -> bool {
    v.windows(2).all(|w| w[0] < w[1])
}

impl RfmConfig {
    fn check(&self, scale: u32) -> Result<Option<[i128; 4]>, Error> {
        for (i, r) in self.ranks.iter().enumerate() {
            for (k, range) in [("r", r.r), ("f", r.f), ("m", r.m)] {
                if let Some([lo, hi]) = range {
                    if lo < 1 || hi > 5 || lo > hi {
                        return Err(bad(
                            "ANALYTICS_BAD_CONFIG",
                            &format!("$.config.ranks[{i}].{k}"),
                            "a score range is two scores from 1 to 5, low first",
                        ));
                    }
                }
            }
            if let Some([lo, hi]) = r.total {
                if lo < 3 || hi > 15 || lo > hi {
                    return Err(bad(
                        "ANALYTICS_BAD_CONFIG",
                        &format!("$.config.ranks[{i}].total"),
                        "a total range is two sums from 3 to 15, low first",
                    ));
                }
            }
        }
        let RfmScoring::Thresholds {
            recency,
            frequency,
            monetary,
        } = &self.scoring
        else {
            return Ok(None);
        };
        if !ascending(recency) {
            return Err(bad(
                "ANALYTICS_BAD_CONFIG",
                "$.config.scoring.thresholds.recency",
                "limits must ascend",
            ));
        }
        if !ascending(frequency) {
            return Err(bad(
                "ANALYTICS_BAD_CONFIG",
                "$.config.scoring.thresholds.frequency",
                "limits must ascend",
            ));
        }
        let mut m = [0i128; 4];
        for (k, v) in monetary.iter().enumerate() {
            m[k] = v.minor(scale).ok_or_else(|| {
                bad(
                    "ANALYTICS_BAD_MONEY",
                    &format!("$.config.scoring.thresholds.monetary[{k}]"),
                    "the amount has more digits than the currency or is out of range",
                )
            })?;
        }
        if !ascending(&m) {
            return Err(bad(
                "ANALYTICS_BAD_CONFIG",
                "$.config.scoring.thresholds.monetary",
                "limits must ascend",
            ));
        }
        Ok(Some(m))
    }
}

impl OrderHistory {
    /// RFM of every customer with a purchase (not cancelled) on or before
    /// `config.as_of`.
    ///
    /// Errors: `ANALYTICS_BAD_CONFIG` (limits that do not ascend, a score range
    /// outside 1–5) and `ANALYTICS_BAD_MONEY`, at their path below `$.config`.
    pub fn rfm(&self, config: &RfmConfig) -> Result<Rfm, Error> {
        let money_limits = config.check(self.currency().minor_units())?;
        let as_of = day_number(config.as_of);
        let facts = self.facts_until(as_of);
        let mut out = Rfm {
            customer: Vec::new(),
            recency: Vec::new(),
            frequency: Vec::new(),
            monetary: Vec::new(),
            first: Vec::new(),
            last: Vec::new(),
            r: Vec::new(),
            f: Vec::new(),
            m: Vec::new(),
            rank: Vec::new(),
            ranks: config.ranks.iter().map(|r| r.name.clone()).collect(),
            default_rank: config.default_rank.clone(),
        };
        for (c, x) in facts.iter().enumerate() {
            if x.count == 0 {
                continue;
            }
            out.customer.push(c as u32);
            out.recency.push(as_of - x.last);
            out.frequency.push(x.count);
            out.monetary.push(x.spend);
            out.first.push(x.first);
            out.last.push(x.last);
        }
        match (&config.scoring, money_limits) {
            (
                RfmScoring::Thresholds {
                    recency, frequency, ..
                },
                Some(m),
            ) => {
                out.r = out
                    .recency
                    .iter()
                    .map(|&d| 5 - recency.iter().filter(|&&l| i64::from(d) > l).count() as u8)
                    .collect();
                out.f = out
                    .frequency
                    .iter()
                    .map(|&v| 1 + frequency.iter().filter(|&&l| i64::from(v) >= l).count() as u8)
                    .collect();
                out.m = out
                    .monetary
                    .iter()
                    .map(|&v| 1 + m.iter().filter(|&&l| v >= l).count() as u8)
                    .collect();
            }
            _ => {
                // Worse recency is more days: count customers with a larger one.
                let max = out.recency.iter().copied().max().unwrap_or(0);
                let flipped: Vec<u32> = out.recency.iter().map(|&d| (max - d) as u32).collect();
                out.r = quantile_scores(&count_smaller_small(&flipped));
                out.f = quantile_scores(&count_smaller_small(&out.frequency));
                out.m = quantile_scores(&count_smaller_money(&out.monetary));
            }
        }
        out.rank = (0..out.customer.len())
            .map(|i| {
                let (r, f, m) = (out.r[i], out.f[i], out.m[i]);
                let within =
                    |range: Option<[u8; 2]>, v: u8| range.is_none_or(|[lo, hi]| v >= lo && v <= hi);
                config
                    .ranks
                    .iter()
                    .position(|k| {
                        within(k.r, r)
                            && within(k.f, f)
                            && within(k.m, m)
                            && within(k.total, r + f + m)
                    })
                    .map(|p| p as u16)
            })
            .collect();
        Ok(out)
    }
}

impl Rfm {
    /// Number of customers.
    pub fn len(&self) -> usize {
        self.customer.len()
    }

    /// Whether no customer was scored.
    pub fn is_empty(&self) -> bool {
        self.customer.is_empty()
    }

    /// The rank name of customer row `i`.
    pub fn rank_name(&self, i: usize) -> Option<&str> {
        match self.rank[i] {
            Some(k) => Some(self.ranks[k as usize].as_str()),
            None => self.default_rank.as_deref(),
        }
    }

    /// One row per customer: `customer`, `recency` (days), `frequency`,
    /// `monetary`, `first_purchase`, `last_purchase`, `r`, `f`, `m`, `score`
    /// (`"543"`) and `rank`.
    pub fn table(&self, h: &OrderHistory) -> Table {
        let mut t = Table::default();
        t.push(
            "customer",
            Column::Codes {
                codes: self.customer.clone(),
                values: h.customer_ids_shared(),
            },
        );
        t.push("recency", ints(&self.recency));
        t.push("frequency", ints(&self.frequency));
        t.push(
            "monetary",
            Column::Money {
                minor: self.monetary.iter().map(|&m| Some(m)).collect(),
                scale: h.currency().minor_units(),
            },
        );
        t.push("first_purchase", dates(&self.first));
        t.push("last_purchase", dates(&self.last));
        t.push("r", ints(&self.r));
        t.push("f", ints(&self.f));
        t.push("m", ints(&self.m));
        // Scores and ranks take few values: dictionary columns, not a string
        // per customer.
        let scores: std::sync::Arc<[String]> = (0..125)
            .map(|k| format!("{}{}{}", k / 25 + 1, k / 5 % 5 + 1, k % 5 + 1))
            .collect();
        t.push(
            "score",
            Column::Codes {
                codes: (0..self.len())
                    .map(|i| {
                        u32::from(self.r[i] - 1) * 25
                            + u32::from(self.f[i] - 1) * 5
                            + u32::from(self.m[i] - 1)
                    })
                    .collect(),
                values: scores,
            },
        );
        let mut names: Vec<String> = self.ranks.clone();
        let default = self.default_rank.as_ref().map(|d| {
            names.push(d.clone());
            names.len() as u32 - 1
        });
        t.push(
            "rank",
            Column::Codes {
                codes: self
                    .rank
                    .iter()
                    .map(|r| r.map_or(default.unwrap_or(super::NULL), u32::from))
                    .collect(),
                values: names.into(),
            },
        );
        t
    }

    /// The 5×5 grid of recency by frequency scores: 25 rows (`r` 5 to 1, `f` 1
    /// to 5) with `customers`, `monetary` and `share` of customers.
    pub fn grid(&self, h: &OrderHistory) -> Table {
        let mut count = [[0i64; 5]; 5];
        let mut money = [[0i128; 5]; 5];
        for i in 0..self.len() {
            let (r, f) = (self.r[i] as usize - 1, self.f[i] as usize - 1);
            count[r][f] += 1;
            money[r][f] += self.monetary[i];
        }
        let n = self.len() as f64;
        let (mut rs, mut fs, mut cs, mut ms, mut ss) = (vec![], vec![], vec![], vec![], vec![]);
        for r in (0..5).rev() {
            for f in 0..5 {
                rs.push(Some(r as i64 + 1));
                fs.push(Some(f as i64 + 1));
                cs.push(Some(count[r][f]));
                ms.push(Some(money[r][f]));
                ss.push(Some(if n > 0.0 { count[r][f] as f64 / n } else { 0.0 }));
            }
        }
        let mut t = Table::default();
        t.push("r", Column::Int(rs));
        t.push("f", Column::Int(fs));
        t.push("customers", Column::Int(cs));
        t.push(
            "monetary",
            Column::Money {
                minor: ms,
                scale: h.currency().minor_units(),
            },
        );
        t.push("share", Column::Float(ss));
        t
    }
}

pub(crate) fn ints<T: Copy + Into<i64>>(v: &[T]) -> Column {
    Column::Int(v.iter().map(|&x| Some(x.into())).collect())
}

pub(crate) fn dates(v: &[i32]) -> Column {
    Column::Date(v.iter().map(|&d| Some(date_of(d))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_scores_cover_one_to_five_and_keep_ties_together() {
        let worse = count_smaller(&[10, 20, 20, 30, 40, 50, 60, 70, 80, 90]);
        assert_eq!(quantile_scores(&worse), vec![1, 1, 1, 2, 3, 3, 4, 4, 5, 5]);
    }

    #[test]
    fn money_values_respect_the_currency() {
        assert_eq!(MoneyValue::Whole(70_000).minor(0), Some(70_000));
        let d: MoneyValue = serde_json::from_str("\"12.34\"").unwrap();
        assert_eq!(d.minor(2), Some(1234));
        assert_eq!(d.minor(0), None);
    }
}
