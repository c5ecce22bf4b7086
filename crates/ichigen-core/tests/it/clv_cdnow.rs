//! The CDNOW results of Fader, Hardie & Lee (2005) and Fader & Hardie (2013),
//! reproduced from the transactions to the digits the papers print. The data
//! and the printed figures are described in `tests/fixtures/cdnow/PROVENANCE.md`.

#![allow(clippy::float_arithmetic)]

use chrono::NaiveDate;
use ichigen_core::analytics::clv::{BgNbd, FitOptions, GammaGamma, SummaryConfig};
use ichigen_core::analytics::{Coded, OrderColumns, OrderHistory};
use ichigen_core::money::Currency;

fn fixture(name: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/cdnow")
        .join(name);
    std::fs::read_to_string(p).expect("fixture")
}

/// The 6,919 purchases as a history (days at midnight UTC, dollars in cents).
fn history() -> OrderHistory {
    let mut ids = Vec::new();
    let mut at = Vec::new();
    let mut amount = Vec::new();
    for line in fixture("CDNOW_sample.txt").lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        ids.push(f[1].trim_start_matches('0').to_owned());
        let d = NaiveDate::parse_from_str(f[2], "%Y%m%d").expect("date");
        at.push(
            d.and_hms_opt(0, 0, 0)
                .expect("midnight")
                .and_utc()
                .timestamp(),
        );
        let dollars: rust_decimal::Decimal = f[4].parse().expect("amount");
        amount.push(i64::try_from(dollars * rust_decimal::Decimal::from(100)).expect("cents"));
    }
    let orders = OrderColumns {
        customer: Coded::from_strs(ids.iter().map(String::as_str)),
        ordered_at: at,
        amount,
        ..OrderColumns::default()
    };
    let usd = Currency::parse("USD").expect("USD");
    OrderHistory::new(chrono_tz::UTC, usd, orders, None).expect("history")
}

struct Summary {
    x: Vec<f64>,
    tx: Vec<f64>,
    t: Vec<f64>,
    m: Vec<f64>,
}

/// The calibration summary (39 weeks to 1997-09-30) computed from the purchases.
fn summary() -> Summary {
    let h = history();
    let config = SummaryConfig {
        observation_end: NaiveDate::from_ymd_opt(1997, 9, 30).expect("date"),
        period_days: 7.0,
    };
    let s = h.clv_summary(&config).expect("summary");
    assert_eq!(s.len(), 2357);
    Summary {
        x: s.frequency,
        tx: s.recency,
        t: s.t,
        m: s.monetary,
    }
}

fn round(x: f64, d: i32) -> f64 {
    let p = 10f64.powi(d);
    (x * p).round() / p
}

#[test]
fn the_summary_matches_the_published_one() {
    let h = history();
    let config = SummaryConfig {
        observation_end: NaiveDate::from_ymd_opt(1997, 9, 30).expect("date"),
        period_days: 7.0,
    };
    let s = h.clv_summary(&config).expect("summary");
    let ids = h.customer_ids();
    let published = fixture("cdnow_customers_summary_with_transactions.csv");
    let mut checked = 0;
    for line in published.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let row = s
            .customer
            .iter()
            .position(|&c| ids[c as usize] == f[0])
            .expect("customer in the summary");
        let want: Vec<f64> = f[1..].iter().map(|v| v.parse().expect("number")).collect();
        assert_eq!(s.frequency[row], want[0], "x of {}", f[0]);
        assert_eq!(round(s.recency[row], 2), want[1], "t_x of {}", f[0]);
        assert_eq!(round(s.t[row], 2), want[2], "T of {}", f[0]);
        // zbar is printed rounded half up from exact cents (32.535 → 32.54); in
        // binary 32.535 is a hair below, so compare within half a cent.
        assert!(
            (s.monetary[row] - want[3]).abs() <= 0.005 + 1e-9,
            "zbar of {}",
            f[0]
        );
        checked += 1;
    }
    assert_eq!(checked, 2357);
}

#[test]
fn bgnbd_reproduces_fader_hardie_lee_2005() {
    let s = summary();
    let fit = BgNbd::fit(&s.x, &s.tx, &s.t, None, &FitOptions::default()).expect("fit");
    assert!(fit.diagnostics.converged, "{:?}", fit.diagnostics);
    let m = fit.model;
    assert_eq!(
        [
            round(m.r, 3),
            round(m.alpha, 3),
            round(m.a, 3),
            round(m.b, 3)
        ],
        [0.243, 4.414, 0.793, 2.426],
        "{m:?}"
    );
    assert_eq!(round(fit.diagnostics.log_likelihood, 1), -9582.4);
    // The worked example: a customer with 2 repeat purchases, the last at 30.43
    // weeks, observed for 38.86, is expected to buy 1.226 times in 39 weeks.
    let e = m
        .expected_purchases(39.0, 2.0, 30.43, 38.86)
        .expect("series");
    assert_eq!(round(e, 3), 1.226);
    // Identical rows are computed once: far fewer rows than customers.
    assert!(fit.diagnostics.distinct_rows < 2357);
    assert_eq!(fit.diagnostics.customers, 2357.0);
}

#[test]
fn gamma_gamma_reproduces_fader_hardie_2013() {
    let s = summary();
    let fit = GammaGamma::fit(&s.x, &s.m, None, &FitOptions::default()).expect("fit");
    assert!(fit.diagnostics.converged, "{:?}", fit.diagnostics);
    assert_eq!(fit.diagnostics.customers, 946.0);
    let g = fit.model;
    assert_eq!(
        [round(g.p, 2), round(g.q, 2), round(g.v, 2)],
        [6.25, 3.74, 15.44],
        "{g:?}"
    );
}
