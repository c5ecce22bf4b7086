//! Generated order histories and CLV summaries for the analytics benchmarks, with
//! plain reference answers that the measured results are checked against.
//!
//! **Orders** ([`generate_orders`]): `n` orders of about `n / 10` customers over
//! three years of a Japanese shop, 2023-11-24 to 2026-11-23 in Asia/Tokyo (the
//! last day is the as-of date of the benchmarks, [`AS_OF`]):
//!
//! - customers arrive more and more often (the shop grows: the arrival density
//!   rises linearly to three times its first value);
//! - 45% of them buy once and never again; the others buy at a rate of their own
//!   (Gamma distributed, one order every 18 days on average) and stop after any
//!   repeat purchase with a probability of their own (Beta, 3% on average), so a
//!   few buy hundreds of times;
//! - order times follow a shop's day in Tokyo (quiet at 4 a.m., busiest at 9–11
//!   p.m.); the 14% placed before 9 a.m. fall on another UTC date than their
//!   Tokyo date, so a tool that takes days in UTC gets other answers;
//! - amounts in whole yen, rounded to ¥10, log-normal around a spend level of the
//!   customer's own (median ¥4,800, a long right tail up to ¥800,000);
//! - 3% of the orders are cancelled;
//! - each customer has a main channel (rakuten 40%, amazon 25%, yahoo 15%,
//!   shopify 10%, own 10%) that takes 80% of their orders.
//!
//! Rows are in order time, as an export would be; customers are dictionary codes
//! in order of first appearance (`C0000001`… by arrival in the generator, so the
//! codes are not in id order). [`write_orders_ipc`] writes the same rows to an
//! Arrow IPC file (`customer` text, `ordered_at` timestamp in seconds with zone
//! Asia/Tokyo, `amount` int64 yen, `cancelled` bool, `channel` text) for the
//! Python side.
//!
//! **CLV** ([`clv_synthetic`]): per-customer (frequency, recency, T, monetary)
//! drawn from the BG/NBD and Gamma-Gamma processes with known parameters
//! ([`TRUE_BGNBD`], [`TRUE_GAMMA_GAMMA`]), at day resolution: purchases on the same
//! day are one purchase day, recency and T are whole days, monetary is the mean
//! of the repeat days' spend in whole yen, as a summary from transactions is.
//!
//! **References**: [`reference`] computes RFM quantile scores and CPM segments
//! with the rules written out plainly (days through chrono's zone conversion,
//! customers grouped by sorting, ranks by sorting), sharing nothing with the core
//! but the input.
//!
//! Everything comes from SplitMix64 streams seeded by the caller.
//!
//! ```
//! use ichigen_benches::analytics_data::{AS_OF, as_of, generate_orders, history, reference};
//! use ichigen_core::analytics::{CpmConfig, RfmConfig};
//! let orders = generate_orders(20_000, 7);
//! let expected = reference(&orders, as_of());
//! let h = history(orders)?;
//! let cpm = h.cpm(&CpmConfig::new(as_of()))?;
//! assert_eq!(cpm.counts().map(|c| c as u64), expected.segments);
//! let config: RfmConfig = serde_json::from_str(&format!(r#"{{"as_of": "{AS_OF}"}}"#))?;
//! let rfm = h.rfm(&config)?;
//! assert_eq!(ichigen_benches::analytics_data::score_counts(&rfm.r, &rfm.f, &rfm.m), expected.scores);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// Samplers and model parameters are real numbers; money stays in whole yen.
#![allow(clippy::float_arithmetic)]

use std::path::Path;
use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray,
    TimestampSecondArray,
};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use chrono::NaiveDate;
use chrono_tz::Tz;
use ichigen_core::analytics::clv::{BgNbd, GammaGamma, SummaryConfig};
use ichigen_core::analytics::{Coded, OrderColumns, OrderHistory, instant_of_local};
use ichigen_core::money::Currency;
use ichigen_testkit::generate::SplitMix64;

/// The shop's zone.
pub const ZONE: Tz = chrono_tz::Asia::Tokyo;
/// The first day of the generated history (local).
pub const FIRST_DAY: &str = "2023-11-24";
/// The last day of the generated history (local): the as-of date of the benches.
pub const AS_OF: &str = "2026-11-23";
/// The channels, in the order of their codes.
pub const CHANNELS: [&str; 5] = ["rakuten", "amazon", "yahoo", "shopify", "own"];
/// How often each channel is a customer's main channel, in percent.
const CHANNEL_WEIGHTS: [u64; 5] = [40, 25, 15, 10, 10];
/// Orders by local hour, relative.
const HOURS: [u64; 24] = [
    30, 18, 10, 6, 4, 4, 6, 12, 22, 30, 36, 40, 48, 40, 38, 38, 38, 40, 44, 52, 60, 66, 62, 46,
];

/// The first day as a date.
pub fn first_day() -> NaiveDate {
    FIRST_DAY.parse().expect("FIRST_DAY is a date")
}

/// The as-of date as a date.
pub fn as_of() -> NaiveDate {
    AS_OF.parse().expect("AS_OF is a date")
}

/// Real numbers from SplitMix64: uniform, exponential, normal, gamma, beta.
#[derive(Debug, Clone)]
pub struct Draw(SplitMix64);

impl Draw {
    /// A stream started at `seed`.
    pub fn new(seed: u64) -> Draw {
        Draw(SplitMix64::new(seed))
    }

    /// Uniform in (0, 1): never exactly 0 or 1.
    pub fn open01(&mut self) -> f64 {
        ((self.0.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }

    /// A whole number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0.below(n)
    }

    /// Whether an event of probability `p` happens.
    pub fn chance(&mut self, p: f64) -> bool {
        self.open01() < p
    }

    /// Exponential with the given mean.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -self.open01().ln() * mean
    }

    /// Standard normal (Box-Muller, one of the pair).
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.open01(), self.open01());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// Gamma with `shape` and `scale` (Marsaglia & Tsang; shapes below one
    /// through the shape + 1 draw times U^(1/shape)).
    pub fn gamma(&mut self, shape: f64, scale: f64) -> f64 {
        if shape < 1.0 {
            let g = self.gamma(shape + 1.0, scale);
            return g * self.open01().powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = (1.0 + c * x).powi(3);
            if v <= 0.0 {
                continue;
            }
            let u = self.open01();
            if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                return d * v * scale;
            }
        }
    }

    /// Beta(a, b) as a ratio of gammas.
    pub fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a, 1.0);
        let y = self.gamma(b, 1.0);
        x / (x + y)
    }

    /// An index drawn by the weights.
    pub fn weighted(&mut self, weights: &[u64]) -> usize {
        let total: u64 = weights.iter().sum();
        let mut k = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if k < w {
                return i;
            }
            k -= w;
        }
        weights.len() - 1
    }
}

/// One generated order before the rows are put in time order.
#[derive(Clone, Copy)]
struct Row {
    at: i64,
    customer: u32,
    amount: i64,
    cancelled: bool,
    channel: u8,
}

/// Share of customers who buy once only.
const ONE_TIMERS: f64 = 0.45;
/// Shape and mean of a repeat buyer's purchase rate (per day).
const RATE_SHAPE: f64 = 0.8;
const RATE_MEAN: f64 = 1.0 / 18.0;
/// Beta parameters of a repeat buyer's dropout after each purchase.
const DROPOUT: (f64, f64) = (0.6, 19.0);
/// Median order value and spread (log scale) of orders and of customers.
const MEDIAN_YEN: f64 = 4_800.0;
const ORDER_SIGMA: f64 = 0.7;
const CUSTOMER_SIGMA: f64 = 0.45;

/// `n` orders of about `n / 10` customers, in time order (see the module doc).
pub fn generate_orders(n: usize, seed: u64) -> OrderColumns {
    let mut draw = Draw::new(seed);
    let first = first_day();
    let days = (as_of() - first).num_days() + 1;
    // Tokyo has had no daylight saving since 1951: one offset for every day.
    let local_midnight = |day: i64| {
        (first
            .and_hms_opt(0, 0, 0)
            .expect("midnight")
            .and_utc()
            .timestamp())
            + day * 86_400
    };
    let offset = local_midnight(0) - instant_of_local(ZONE, local_midnight(0)).expect("no gap");
    let at = |day: i64, draw: &mut Draw| {
        let hour = draw.weighted(&HOURS) as i64;
        local_midnight(day) - offset + hour * 3600 + draw.below(3600) as i64
    };
    // Arrivals: density rising linearly from 1 to 1 + G over the period.
    const G: f64 = 2.0;
    let mut rows: Vec<Row> = Vec::with_capacity(n);
    let mut customer = 0u32;
    while rows.len() < n {
        let u = draw.open01();
        let x = (-1.0 + (1.0 + 2.0 * G * u * (1.0 + G / 2.0)).sqrt()) / G;
        let start = x * days as f64;
        let main = draw.weighted(&CHANNEL_WEIGHTS) as u8;
        let level = MEDIAN_YEN * (CUSTOMER_SIGMA * draw.normal()).exp();
        let one_timer = draw.chance(ONE_TIMERS);
        let rate = draw.gamma(RATE_SHAPE, RATE_MEAN / RATE_SHAPE);
        let dropout = draw.beta(DROPOUT.0, DROPOUT.1);
        let mut t = start;
        loop {
            let day = t as i64;
            let channel = if draw.chance(0.8) {
                main
            } else {
                draw.below(CHANNELS.len() as u64) as u8
            };
            let yen = level * (ORDER_SIGMA * draw.normal()).exp();
            let amount = ((yen / 10.0).round() as i64 * 10).clamp(300, 800_000);
            rows.push(Row {
                at: at(day, &mut draw),
                customer,
                amount,
                cancelled: draw.chance(0.03),
                channel,
            });
            if rows.len() == n || one_timer {
                break;
            }
            t += draw.exponential(1.0 / rate);
            if t >= days as f64 || draw.chance(dropout) {
                break;
            }
        }
        customer += 1;
    }
    rows.sort_unstable_by_key(|r| (r.at, r.customer));
    // Codes in order of first appearance, ids by arrival in the generator.
    let mut code_of = vec![u32::MAX; customer as usize];
    let mut values = Vec::new();
    let mut codes = Vec::with_capacity(n);
    for r in &rows {
        let slot = &mut code_of[r.customer as usize];
        if *slot == u32::MAX {
            *slot = values.len() as u32;
            values.push(format!("C{:07}", r.customer + 1));
        }
        codes.push(*slot);
    }
    OrderColumns {
        customer: Coded { codes, values },
        ordered_at: rows.iter().map(|r| r.at).collect(),
        amount: rows.iter().map(|r| r.amount).collect(),
        cancelled: rows.iter().map(|r| r.cancelled).collect(),
        channel: Some(Coded {
            codes: rows.iter().map(|r| u32::from(r.channel)).collect(),
            values: CHANNELS.iter().map(|c| (*c).to_owned()).collect(),
        }),
        ..OrderColumns::default()
    }
}

/// The history of generated orders in Tokyo, in yen.
pub fn history(orders: OrderColumns) -> Result<OrderHistory, ichigen_core::Error> {
    OrderHistory::new(ZONE, Currency::JPY, orders, None)
}

/// Writes the orders as an Arrow IPC file (one record batch): `customer` (utf8),
/// `ordered_at` (timestamp, seconds, zone Asia/Tokyo), `amount` (int64 yen),
/// `cancelled` (bool), `channel` (utf8).
pub fn write_orders_ipc(orders: &OrderColumns, path: &Path) -> std::io::Result<()> {
    let text = |c: &Coded| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(
            c.codes.iter().map(|&k| c.values[k as usize].as_str()),
        ))
    };
    let channel = orders
        .channel
        .as_ref()
        .expect("generated orders have channels");
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("customer", text(&orders.customer)),
        (
            "ordered_at",
            Arc::new(
                TimestampSecondArray::from(orders.ordered_at.clone()).with_timezone(ZONE.name()),
            ),
        ),
        ("amount", Arc::new(Int64Array::from(orders.amount.clone()))),
        (
            "cancelled",
            Arc::new(BooleanArray::from(orders.cancelled.clone())),
        ),
        ("channel", text(channel)),
    ];
    write_ipc(columns, path)
}

fn write_ipc(columns: Vec<(&str, ArrayRef)>, path: &Path) -> std::io::Result<()> {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, a)| Field::new(*name, a.data_type().clone(), false))
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(
        schema.clone(),
        columns.into_iter().map(|(_, a)| a).collect(),
    )
    .map_err(std::io::Error::other)?;
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut w =
        arrow_ipc::writer::FileWriter::try_new(file, &schema).map_err(std::io::Error::other)?;
    w.write(&batch).map_err(std::io::Error::other)?;
    w.finish().map_err(std::io::Error::other)?;
    Ok(())
}

/// The timestamp type the orders file uses (for readers that check it).
pub fn ordered_at_type() -> DataType {
    DataType::Timestamp(TimeUnit::Second, Some(ZONE.name().into()))
}

/// What RFM and CPM must find, from [`reference`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// Customers with a purchase (not cancelled) on or before the as-of date.
    pub customers: u64,
    /// Customers per CPM segment, in `Segment::ALL` order.
    pub segments: [u64; 10],
    /// Customers per RFM score triple: index `(r-1)*25 + (f-1)*5 + (m-1)`.
    pub scores: Vec<u64>,
    /// Their spend, in yen.
    pub spend: i128,
    /// Customers with a purchase in the year up to the as-of date (the 12 months
    /// ending on it).
    pub active: u64,
}

/// Customers per RFM score triple, indexed as [`Expected::scores`].
pub fn score_counts(r: &[u8], f: &[u8], m: &[u8]) -> Vec<u64> {
    let mut c = vec![0u64; 125];
    for i in 0..r.len() {
        c[usize::from(r[i] - 1) * 25 + usize::from(f[i] - 1) * 5 + usize::from(m[i] - 1)] += 1;
    }
    c
}

/// Scores `1 + ⌊5 × (rank_min − 1) ÷ n⌋` with rank 1 the worst value: the
/// largest when `larger_is_worse`, else the smallest.
fn rank_scores(values: &[i128], larger_is_worse: bool) -> Vec<u8> {
    let n = values.len() as i128;
    let mut order: Vec<usize> = (0..values.len()).collect();
    if larger_is_worse {
        order.sort_by(|&i, &j| values[j].cmp(&values[i]));
    } else {
        order.sort_by(|&i, &j| values[i].cmp(&values[j]));
    }
    let mut scores = vec![0u8; values.len()];
    let mut rank_min = 1i128;
    for (pos, &i) in order.iter().enumerate() {
        if pos > 0 && values[i] != values[order[pos - 1]] {
            rank_min = pos as i128 + 1;
        }
        scores[i] = (1 + 5 * (rank_min - 1) / n) as u8;
    }
    scores
}

/// RFM quantile scores and CPM segments (DOMAIN.md §8 defaults) by the rules
/// written out plainly: each order's Tokyo date through chrono, cancelled orders
/// and orders after `as_of` dropped, customers grouped by sorting.
pub fn reference(orders: &OrderColumns, as_of: NaiveDate) -> Expected {
    let mut kept: Vec<(u32, NaiveDate, i64)> = Vec::with_capacity(orders.ordered_at.len());
    for i in 0..orders.ordered_at.len() {
        if orders.cancelled.get(i).copied().unwrap_or(false) {
            continue;
        }
        let date = chrono::DateTime::from_timestamp(orders.ordered_at[i], 0)
            .expect("instant in range")
            .with_timezone(&ZONE)
            .date_naive();
        if date <= as_of {
            kept.push((orders.customer.codes[i], date, orders.amount[i]));
        }
    }
    kept.sort_unstable_by_key(|&(c, d, _)| (c, d));
    let year_start = as_of
        .checked_sub_months(chrono::Months::new(12))
        .expect("date in range");
    let (mut recency, mut frequency, mut monetary, mut tenure) = (vec![], vec![], vec![], vec![]);
    let mut active = 0u64;
    for group in kept.chunk_by(|a, b| a.0 == b.0) {
        let first = group[0].1;
        let last = group[group.len() - 1].1;
        recency.push(i128::from((as_of - last).num_days()));
        frequency.push(group.len() as i128);
        monetary.push(group.iter().map(|g| i128::from(g.2)).sum::<i128>());
        tenure.push((last - first).num_days());
        if last > year_start {
            active += 1;
        }
    }
    let r = rank_scores(&recency, true);
    let f = rank_scores(&frequency, false);
    let m = rank_scores(&monetary, false);
    let mut segments = [0u64; 10];
    for i in 0..recency.len() {
        // 0 first, 1 early, 2 steady, 3 trendy, 4 loyal; then active or lapsed.
        let class = if frequency[i] == 1 {
            0
        } else if tenure[i] < 90 {
            1
        } else if monetary[i] < 70_000 {
            2
        } else if tenure[i] < 210 {
            3
        } else {
            4
        };
        let lapsed = recency[i] >= 240;
        segments[class * 2 + usize::from(lapsed)] += 1;
    }
    Expected {
        customers: recency.len() as u64,
        segments,
        scores: score_counts(&r, &f, &m),
        spend: monetary.iter().sum(),
        active,
    }
}

/// The parameters the synthetic CLV summaries are drawn from, with time in days:
/// one purchase every 80 days on average while alive, a 24% chance to drop out
/// after each repeat purchase.
pub const TRUE_BGNBD: BgNbd = BgNbd {
    r: 0.25,
    alpha: 20.0,
    a: 0.8,
    b: 2.5,
};

/// The Gamma-Gamma parameters of the synthetic summaries (yen): a mean spend per
/// purchase of p·v/(q − 1) = ¥10,000.
pub const TRUE_GAMMA_GAMMA: GammaGamma = GammaGamma {
    p: 6.0,
    q: 4.0,
    v: 5_000.0,
};

/// Per-customer CLV summaries (days, yen).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClvColumns {
    /// Repeat purchase days.
    pub frequency: Vec<f64>,
    /// Days from the first purchase day to the last.
    pub recency: Vec<f64>,
    /// Days from the first purchase day to the end of observation.
    pub t: Vec<f64>,
    /// Mean spend of the repeat purchase days (0 without repeat purchases).
    pub monetary: Vec<f64>,
}

impl ClvColumns {
    /// Number of customers.
    pub fn len(&self) -> usize {
        self.frequency.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.frequency.is_empty()
    }
}

/// `n` customers' summaries drawn from [`TRUE_BGNBD`] and [`TRUE_GAMMA_GAMMA`].
///
/// Each customer's first purchase is at a random time of day 0, which lies up to
/// three years before the end (arrivals uniform over 1,096 days); T is the
/// whole days from day 0 to the last day. While alive they buy at their rate λ
/// (Gamma(r, α)); after each repeat purchase they drop out with their
/// probability p (Beta(a, b)). Each purchase is worth Gamma(p, ν) yen with ν
/// from Gamma(q, v), rounded to whole yen (at least ¥1). Purchases on one day
/// make one purchase day whose spend is their sum, as `lifetimes`' summary of
/// transactions counts them.
pub fn clv_synthetic(n: usize, seed: u64) -> ClvColumns {
    let mut draw = Draw::new(seed);
    let BgNbd { r, alpha, a, b } = TRUE_BGNBD;
    let GammaGamma { p, q, v } = TRUE_GAMMA_GAMMA;
    let mut out = ClvColumns::default();
    let mut days: Vec<(i64, f64)> = Vec::new();
    for _ in 0..n {
        let t_days = draw.below(1096) as i64;
        let lambda = draw.gamma(r, 1.0 / alpha);
        let drop = draw.beta(a, b);
        let nu = draw.gamma(q, 1.0 / v);
        let end = (t_days + 1) as f64;
        let mut t = draw.open01();
        days.clear();
        loop {
            t += draw.exponential(1.0 / lambda);
            if t >= end {
                break;
            }
            let spend = draw.gamma(p, 1.0 / nu).round().max(1.0);
            let day = t as i64;
            match days.last_mut() {
                Some(last) if last.0 == day => last.1 += spend,
                _ if day == 0 => {}
                _ => days.push((day, spend)),
            }
            if draw.chance(drop) {
                break;
            }
        }
        let x = days.len();
        out.frequency.push(x as f64);
        out.recency.push(days.last().map_or(0.0, |d| d.0 as f64));
        out.t.push(t_days as f64);
        out.monetary.push(if x > 0 {
            days.iter().map(|d| d.1).sum::<f64>() / x as f64
        } else {
            0.0
        });
    }
    out
}

/// Writes CLV summaries as an Arrow IPC file: `customer` (int64, from 1),
/// `frequency`, `recency`, `T`, `monetary_value` (float64).
pub fn write_clv_ipc(s: &ClvColumns, path: &Path) -> std::io::Result<()> {
    let f = |v: &[f64]| -> ArrayRef { Arc::new(Float64Array::from(v.to_vec())) };
    let columns: Vec<(&str, ArrayRef)> = vec![
        (
            "customer",
            Arc::new(Int64Array::from_iter_values(1..=s.len() as i64)),
        ),
        ("frequency", f(&s.frequency)),
        ("recency", f(&s.recency)),
        ("T", f(&s.t)),
        ("monetary_value", f(&s.monetary)),
    ];
    write_ipc(columns, path)
}

/// The CDNOW sample of `tests/fixtures/cdnow` (6,919 purchases of 2,357
/// customers) as a history in UTC and US dollars, as the core's CDNOW test reads
/// it.
pub fn cdnow_history() -> Result<OrderHistory, Box<dyn std::error::Error>> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/cdnow/CDNOW_sample.txt");
    let text = std::fs::read_to_string(path)?;
    let (mut ids, mut at, mut amount) = (Vec::new(), Vec::new(), Vec::new());
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 5 {
            return Err(format!("a CDNOW line has {} fields", f.len()).into());
        }
        ids.push(f[1].trim_start_matches('0').to_owned());
        let d = NaiveDate::parse_from_str(f[2], "%Y%m%d")?;
        at.push(
            d.and_hms_opt(0, 0, 0)
                .ok_or("midnight")?
                .and_utc()
                .timestamp(),
        );
        let dollars: rust_decimal::Decimal = f[4].parse()?;
        amount.push(i64::try_from(dollars * rust_decimal::Decimal::from(100))?);
    }
    let orders = OrderColumns {
        customer: Coded::from_strs(ids.iter().map(String::as_str)),
        ordered_at: at,
        amount,
        ..OrderColumns::default()
    };
    Ok(OrderHistory::new(
        chrono_tz::UTC,
        Currency::parse("USD")?,
        orders,
        None,
    )?)
}

/// The CDNOW calibration window: to 1997-09-30, in weeks.
pub fn cdnow_summary_config() -> SummaryConfig {
    SummaryConfig {
        observation_end: NaiveDate::from_ymd_opt(1997, 9, 30).expect("date"),
        period_days: 7.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_scores_keep_ties_together() {
        let s = rank_scores(&[10, 20, 20, 30, 40, 50, 60, 70, 80, 90], false);
        assert_eq!(s, vec![1, 1, 1, 2, 3, 3, 4, 4, 5, 5]);
        let s = rank_scores(&[90, 10, 10], true);
        assert_eq!(s, vec![1, 2, 2]);
    }

    #[test]
    fn the_sampler_means_are_right() {
        let mut d = Draw::new(1);
        let n = 200_000;
        let g: f64 = (0..n).map(|_| d.gamma(0.25, 4.0)).sum::<f64>() / n as f64;
        assert!((g - 1.0).abs() < 0.03, "gamma mean {g}");
        let g: f64 = (0..n).map(|_| d.gamma(6.0, 0.5)).sum::<f64>() / n as f64;
        assert!((g - 3.0).abs() < 0.03, "gamma mean {g}");
        let b: f64 = (0..n).map(|_| d.beta(0.8, 2.5)).sum::<f64>() / n as f64;
        assert!((b - 0.8 / 3.3).abs() < 0.005, "beta mean {b}");
    }
}
