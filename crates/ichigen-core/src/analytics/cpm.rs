//! CPM (顧客ポートフォリオマネジメント): ten segments, five classes by purchases,
//! tenure and spend, each active (現役) or lapsed (離脱).
//!
//! With the defaults: a customer is lapsed when the last purchase is 240 days
//! or more before the as-of date; tenure is the days from the first purchase to
//! the last. 初回 (`first`) made one purchase; よちよち (`early`) two or more
//! with tenure under 90 days; コツコツ (`steady`) tenure of 90 days or more and
//! spend under ¥70,000; 流行 (`trendy`) tenure 90–209 days and spend of ¥70,000
//! or more; 優良 (`loyal`) tenure of 210 days or more and spend of ¥70,000 or
//! more. Every limit is configurable.
//!
//! ```
//! use ichigen_core::analytics::{Coded, CpmConfig, OrderColumns, OrderHistory, Segment};
//! use ichigen_core::money::Currency;
//! let day = 86_400;
//! let jan1 = 1_767_193_200; // 2026-01-01T00:00+09:00
//! let orders = OrderColumns {
//!     customer: Coded::from_strs(["a", "a", "b"]),
//!     ordered_at: vec![jan1, jan1 + 210 * day, jan1],
//!     amount: vec![40_000, 30_000, 5_000],
//!     ..OrderColumns::default()
//! };
//! let h = OrderHistory::new(chrono_tz::Asia::Tokyo, Currency::JPY, orders, None)?;
//! let as_of = chrono::NaiveDate::from_ymd_opt(2026, 8, 1).unwrap();
//! let cpm = h.cpm(&CpmConfig::new(as_of))?;
//! assert_eq!(cpm.segment[0], Segment::LoyalActive);
//! assert_eq!(cpm.segment[1], Segment::FirstActive);
//! assert_eq!(Segment::LoyalActive.label(), "優良現役");
//! # Ok::<(), ichigen_core::Error>(())
//! ```

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::customers::Fact;
use super::history::{OrderHistory, day_number};
use super::rfm::{MoneyValue, dates, ints};
use super::table::{Column, Table};
use crate::error::{Error, Issue};

/// The five CPM classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// 初回: one purchase.
    First,
    /// よちよち: repeat buyer of short tenure.
    Early,
    /// コツコツ: long tenure, spend under the limit.
    Steady,
    /// 流行: middle tenure, spend at or over the limit.
    Trendy,
    /// 優良: long tenure, spend at or over the limit.
    Loyal,
}

/// The ten CPM segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum Segment {
    FirstActive,
    FirstLapsed,
    EarlyActive,
    EarlyLapsed,
    SteadyActive,
    SteadyLapsed,
    TrendyActive,
    TrendyLapsed,
    LoyalActive,
    LoyalLapsed,
}

impl Segment {
    /// Every segment, in report order.
    pub const ALL: [Segment; 10] = [
        Segment::FirstActive,
        Segment::FirstLapsed,
        Segment::EarlyActive,
        Segment::EarlyLapsed,
        Segment::SteadyActive,
        Segment::SteadyLapsed,
        Segment::TrendyActive,
        Segment::TrendyLapsed,
        Segment::LoyalActive,
        Segment::LoyalLapsed,
    ];

    /// The segment of a class, active or not.
    pub fn of(class: Class, active: bool) -> Segment {
        Segment::ALL[class as usize * 2 + usize::from(!active)]
    }

    /// The class.
    pub fn class(self) -> Class {
        [
            Class::First,
            Class::Early,
            Class::Steady,
            Class::Trendy,
            Class::Loyal,
        ][self as usize / 2]
    }

    /// Whether the segment is active (現役).
    pub fn active(self) -> bool {
        self as usize % 2 == 0
    }

    /// The stable code (`loyal_active`).
    pub fn code(self) -> &'static str {
        [
            "first_active",
            "first_lapsed",
            "early_active",
            "early_lapsed",
            "steady_active",
            "steady_lapsed",
            "trendy_active",
            "trendy_lapsed",
            "loyal_active",
            "loyal_lapsed",
        ][self as usize]
    }

    /// The Japanese label (`優良現役`).
    pub fn label(self) -> &'static str {
        [
            "初回現役",
            "初回離脱",
            "よちよち現役",
            "よちよち離脱",
            "コツコツ現役",
            "コツコツ離脱",
            "流行現役",
            "流行離脱",
            "優良現役",
            "優良離脱",
        ][self as usize]
    }
}

/// The CPM limits (defaults from DOMAIN.md §8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CpmConfig {
    /// The as-of date (local); later orders are ignored.
    pub as_of: NaiveDate,
    /// Lapsed when the last purchase is this many days or more before `as_of`.
    #[serde(default = "d240")]
    pub lapse_days: i32,
    /// Repeat buyers with tenure under this are よちよち.
    #[serde(default = "d90")]
    pub early_tenure_days: i32,
    /// Tenure at or over this (with the spend) is 優良; under it, 流行.
    #[serde(default = "d210")]
    pub loyal_tenure_days: i32,
    /// Spend at or over this is 流行 or 優良; under it, コツコツ.
    #[serde(default = "y70000")]
    pub spend: MoneyValue,
}

fn d240() -> i32 {
    240
}
fn d90() -> i32 {
    90
}
fn d210() -> i32 {
    210
}
fn y70000() -> MoneyValue {
    MoneyValue::Whole(70_000)
}

impl CpmConfig {
    /// The defaults as of a date.
    pub fn new(as_of: NaiveDate) -> CpmConfig {
        CpmConfig {
            as_of,
            lapse_days: d240(),
            early_tenure_days: d90(),
            loyal_tenure_days: d210(),
            spend: y70000(),
        }
    }

    fn limits(&self, scale: u32) -> Result<Limits, Error> {
        let bad = |path: &str, message: &str| {
            Error::InvalidAnalytics(vec![Issue::new(
                "ANALYTICS_BAD_CONFIG",
                format!("$.config.{path}"),
                message,
            )])
        };
        if self.lapse_days < 1 {
            return Err(bad("lapse_days", "must be at least one day"));
        }
        if self.early_tenure_days < 0 || self.loyal_tenure_days < self.early_tenure_days {
            return Err(bad(
                "loyal_tenure_days",
                "tenure limits must not be negative, and the loyal one not below the early one",
            ));
        }
        let spend = self.spend.minor(scale).ok_or_else(|| {
            Error::InvalidAnalytics(vec![Issue::new(
                "ANALYTICS_BAD_MONEY",
                "$.config.spend",
                "the amount has more digits than the currency or is out of range",
            )])
        })?;
        Ok(Limits {
            as_of: day_number(self.as_of),
            lapse: self.lapse_days,
            early: self.early_tenure_days,
            loyal: self.loyal_tenure_days,
            spend,
        })
    }
}

#[derive(Clone, Copy)]
struct Limits {
    as_of: i32,
    lapse: i32,
    early: i32,
    loyal: i32,
    spend: i128,
}

impl Limits {
    fn segment(&self, x: &Fact) -> Segment {
        let tenure = x.last - x.first;
        let class = if x.count == 1 {
            Class::First
        } else if tenure < self.early {
            Class::Early
        } else if x.spend < self.spend {
            Class::Steady
        } else if tenure < self.loyal {
            Class::Trendy
        } else {
            Class::Loyal
        };
        Segment::of(class, self.as_of - x.last < self.lapse)
    }
}

/// CPM of every customer with a purchase on or before the as-of date.
#[derive(Debug, Clone, PartialEq)]
pub struct Cpm {
    /// Customer codes.
    pub customer: Vec<u32>,
    /// Segments.
    pub segment: Vec<Segment>,
    /// Purchases.
    pub purchases: Vec<u32>,
    /// Spend in minor units.
    pub spend: Vec<i128>,
    /// First purchase day.
    pub first: Vec<i32>,
    /// Last purchase day.
    pub last: Vec<i32>,
    as_of: i32,
}

impl OrderHistory {
    /// The CPM segment of every customer with a purchase (not cancelled) on or
    /// before `config.as_of`.
    pub fn cpm(&self, config: &CpmConfig) -> Result<Cpm, Error> {
        let limits = config.limits(self.currency().minor_units())?;
        let facts = self.facts_until(limits.as_of);
        let mut out = Cpm {
            customer: Vec::new(),
            segment: Vec::new(),
            purchases: Vec::new(),
            spend: Vec::new(),
            first: Vec::new(),
            last: Vec::new(),
            as_of: limits.as_of,
        };
        for (c, x) in facts.iter().enumerate() {
            if x.count == 0 {
                continue;
            }
            out.customer.push(c as u32);
            out.segment.push(limits.segment(x));
            out.purchases.push(x.count);
            out.spend.push(x.spend);
            out.first.push(x.first);
            out.last.push(x.last);
        }
        Ok(out)
    }

    /// How customers moved between segments from `config.as_of` to `to`: one
    /// row per (from, to) pair present, `from` missing for customers whose first
    /// purchase came after `config.as_of`.
    ///
    /// Errors: `ANALYTICS_BAD_PERIOD` when `to` is before the as-of date.
    pub fn cpm_flows(&self, config: &CpmConfig, to: NaiveDate) -> Result<Table, Error> {
        if to < config.as_of {
            return Err(Error::InvalidAnalytics(vec![Issue::new(
                "ANALYTICS_BAD_PERIOD",
                "$.to",
                "the second date must not be before the as-of date",
            )]));
        }
        let before = config.limits(self.currency().minor_units())?;
        let after = Limits {
            as_of: day_number(to),
            ..before
        };
        let f0 = self.facts_until(before.as_of);
        let f1 = self.facts_until(after.as_of);
        let mut counts = [[0i64; 10]; 11];
        for (x0, x1) in f0.iter().zip(f1.iter()) {
            if x1.count == 0 {
                continue;
            }
            let from = if x0.count == 0 {
                10
            } else {
                before.segment(x0) as usize
            };
            counts[from][after.segment(x1) as usize] += 1;
        }
        let (mut fs, mut ts, mut cs) = (vec![], vec![], vec![]);
        for (from, row) in counts.iter().enumerate() {
            for (to, &n) in row.iter().enumerate() {
                if n > 0 {
                    fs.push(Segment::ALL.get(from).map(|s| s.code().to_owned()));
                    ts.push(Some(Segment::ALL[to].code().to_owned()));
                    cs.push(Some(n));
                }
            }
        }
        let mut t = Table::default();
        t.push("from", Column::Text(fs));
        t.push("to", Column::Text(ts));
        t.push("customers", Column::Int(cs));
        Ok(t)
    }
}

impl Cpm {
    /// Number of customers.
    pub fn len(&self) -> usize {
        self.customer.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.customer.is_empty()
    }

    /// Customers per segment, in [`Segment::ALL`] order.
    pub fn counts(&self) -> [i64; 10] {
        let mut c = [0i64; 10];
        for s in &self.segment {
            c[*s as usize] += 1;
        }
        c
    }

    /// One row per customer: `customer`, `segment`, `label`, `class`, `active`,
    /// `purchases`, `spend`, `tenure` (days), `days_since_last`,
    /// `first_purchase`, `last_purchase`.
    pub fn table(&self, h: &OrderHistory) -> Table {
        let mut t = Table::default();
        t.push(
            "customer",
            Column::Codes {
                codes: self.customer.clone(),
                values: h.customer_ids_shared(),
            },
        );
        // Ten segments, five classes: dictionary columns, not a string per customer.
        let codes: Vec<u32> = self.segment.iter().map(|&s| s as u32).collect();
        let of = |f: &dyn Fn(Segment) -> &'static str| -> std::sync::Arc<[String]> {
            Segment::ALL.iter().map(|&s| f(s).to_owned()).collect()
        };
        t.push(
            "segment",
            Column::Codes {
                codes: codes.clone(),
                values: of(&|s| s.code()),
            },
        );
        t.push(
            "label",
            Column::Codes {
                codes: codes.clone(),
                values: of(&|s| s.label()),
            },
        );
        t.push(
            "class",
            Column::Codes {
                codes: codes.iter().map(|c| c / 2).collect(),
                values: ["first", "early", "steady", "trendy", "loyal"]
                    .iter()
                    .map(|c| (*c).to_owned())
                    .collect(),
            },
        );
        t.push(
            "active",
            Column::Bool(self.segment.iter().map(|s| Some(s.active())).collect()),
        );
        t.push("purchases", ints(&self.purchases));
        t.push(
            "spend",
            Column::Money {
                minor: self.spend.iter().map(|&m| Some(m)).collect(),
                scale: h.currency().minor_units(),
            },
        );
        let tenure: Vec<i32> = self
            .first
            .iter()
            .zip(&self.last)
            .map(|(f, l)| l - f)
            .collect();
        t.push("tenure", ints(&tenure));
        let since: Vec<i32> = self.last.iter().map(|l| self.as_of - l).collect();
        t.push("days_since_last", ints(&since));
        t.push("first_purchase", dates(&self.first));
        t.push("last_purchase", dates(&self.last));
        t
    }

    /// One row per segment (all ten, in order): `segment`, `label`,
    /// `customers`, `share` of customers, `spend`, `spend_share`.
    pub fn summary(&self, h: &OrderHistory) -> Table {
        let counts = self.counts();
        let mut spend = [0i128; 10];
        for (s, m) in self.segment.iter().zip(&self.spend) {
            spend[*s as usize] += m;
        }
        let n = self.len() as f64;
        let total: i128 = spend.iter().sum();
        let mut t = Table::default();
        t.push(
            "segment",
            Column::Text(
                Segment::ALL
                    .iter()
                    .map(|s| Some(s.code().to_owned()))
                    .collect(),
            ),
        );
        t.push(
            "label",
            Column::Text(
                Segment::ALL
                    .iter()
                    .map(|s| Some(s.label().to_owned()))
                    .collect(),
            ),
        );
        t.push(
            "customers",
            Column::Int(counts.iter().map(|&c| Some(c)).collect()),
        );
        t.push(
            "share",
            Column::Float(
                counts
                    .iter()
                    .map(|&c| Some(if n > 0.0 { c as f64 / n } else { 0.0 }))
                    .collect(),
            ),
        );
        t.push(
            "spend",
            Column::Money {
                minor: spend.iter().map(|&m| Some(m)).collect(),
                scale: h.currency().minor_units(),
            },
        );
        t.push(
            "spend_share",
            Column::Float(
                spend
                    .iter()
                    .map(|&m| {
                        Some(if total != 0 {
                            m as f64 / total as f64
                        } else {
                            0.0
                        })
                    })
                    .collect(),
            ),
        );
        t
    }
}
