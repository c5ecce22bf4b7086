//! Analytics on generated order histories (`ichigen_benches::analytics_data`,
//! 200,000 orders of about 20,000 customers over three years, as of 2026-11-23):
//! building the history, RFM with quantile scores, CPM with the defaults, sales
//! by year-month and channel, the customer balance sheet; and the BG/NBD fit of
//! the CDNOW calibration summary (2,357 customers).
//!
//! A history keeps the last customer facts it computed, so the analyses that
//! read them run on a fresh copy of the history in every iteration (copied
//! outside the timing).
//!
//! Checked in every iteration, against answers computed outside the timing:
//! the RFM score triples and the CPM segment counts equal the plain reference of
//! `analytics_data`; the sales rows' revenue and orders equal a plain sum per
//! (month, channel); the balance sheet's customers and actives equal the
//! reference's; the CDNOW fit gives the parameters Fader, Hardie & Lee (2005)
//! print, to their three decimals.

// Revenue sums and the CDNOW parameters are compared as numbers.
#![allow(clippy::float_arithmetic)]

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use ichigen_benches::analytics_data::{
    self, AS_OF, ZONE, cdnow_history, cdnow_summary_config, generate_orders, history, reference,
    score_counts,
};
use ichigen_core::analytics::clv::{BgNbd, FitOptions};
use ichigen_core::analytics::{
    Axis, BalanceConfig, Column, CpmConfig, OrderColumns, RfmConfig, SalesQuery, Table,
};

const ORDERS: usize = 200_000;

/// Revenue and orders per (year-month, channel) by a plain loop.
fn reference_sales(orders: &OrderColumns) -> BTreeMap<(String, String), (i64, i64)> {
    let channel = orders.channel.as_ref().expect("channels");
    let mut out = BTreeMap::new();
    for i in 0..orders.ordered_at.len() {
        if orders.cancelled[i] {
            continue;
        }
        let month = chrono::DateTime::from_timestamp(orders.ordered_at[i], 0)
            .expect("instant")
            .with_timezone(&ZONE)
            .format("%Y-%m")
            .to_string();
        let ch = channel.values[channel.codes[i] as usize].clone();
        let e: &mut (i64, i64) = out.entry((month, ch)).or_default();
        e.0 += orders.amount[i];
        e.1 += 1;
    }
    out
}

fn sales_rows(t: &Table) -> BTreeMap<(String, String), (i64, i64)> {
    t.rows_json(None)
        .into_iter()
        .map(|row| {
            let text = |k: &str| row[k].as_str().expect("text").to_owned();
            let revenue: i64 = text("revenue").parse().expect("whole yen");
            let orders = row["orders"].as_i64().expect("orders");
            ((text("year_month"), text("channel")), (revenue, orders))
        })
        .collect()
}

fn int_sum(t: &Table, name: &str) -> i64 {
    match t.column(name) {
        Some(Column::Int(v)) => v.iter().flatten().sum(),
        _ => panic!("no integer column {name}"),
    }
}

fn analytics(c: &mut Criterion) {
    let orders = generate_orders(ORDERS, 2026);
    let as_of = analytics_data::as_of();
    let expected = reference(&orders, as_of);
    let sales_expected = reference_sales(&orders);
    let h = history(orders.clone()).expect("the generated history is valid");
    let rfm_config: RfmConfig =
        serde_json::from_value(serde_json::json!({"as_of": AS_OF})).expect("config");
    let cpm_config = CpmConfig::new(as_of);
    let sales_query = SalesQuery {
        group_by: vec![Axis::YearMonth, Axis::Channel],
        ..SalesQuery::default()
    };
    let balance_config = BalanceConfig::new(as_of);

    let mut group = c.benchmark_group("analytics");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(4));
    group.throughput(Throughput::Elements(ORDERS as u64));

    group.bench_function("history/200k_orders", |b| {
        b.iter_batched(
            || orders.clone(),
            |o| {
                let h = history(black_box(o)).expect("valid");
                assert_eq!(h.len(), ORDERS);
                h
            },
            BatchSize::LargeInput,
        )
    });
    // A history keeps the last customer facts it computed (so that RFM then CPM
    // as of one day read the rows once): every iteration gets a fresh copy, made
    // outside the timing, so that each does the work.
    group.bench_function("rfm/200k_orders", |b| {
        b.iter_batched(
            || h.clone(),
            |h| {
                let rfm = h.rfm(black_box(&rfm_config)).expect("rfm");
                assert!(score_counts(&rfm.r, &rfm.f, &rfm.m) == expected.scores);
                (h, rfm)
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("cpm/200k_orders", |b| {
        b.iter_batched(
            || h.clone(),
            |h| {
                let cpm = h.cpm(black_box(&cpm_config)).expect("cpm");
                assert!(cpm.counts().map(|c| c as u64) == expected.segments);
                (h, cpm)
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("rfm_cpm/200k_orders", |b| {
        b.iter_batched(
            || h.clone(),
            |h| {
                let rfm = h.rfm(black_box(&rfm_config)).expect("rfm");
                let cpm = h.cpm(black_box(&cpm_config)).expect("cpm");
                assert!(rfm.len() as u64 == expected.customers);
                assert!(cpm.counts().map(|c| c as u64) == expected.segments);
                (h, rfm, cpm)
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("sales/200k_orders/year_month_channel", |b| {
        b.iter(|| {
            let t = h.sales(black_box(&sales_query)).expect("sales");
            assert!(sales_rows(&t) == sales_expected);
            t
        })
    });
    group.bench_function("balance_sheet/200k_orders", |b| {
        b.iter_batched(
            || h.clone(),
            |h| {
                let bs = h.balance_sheet(black_box(&balance_config)).expect("bs");
                assert!(int_sum(&bs.classes, "customers") as u64 == expected.customers);
                assert!(int_sum(&bs.classes, "active") as u64 == expected.active);
                (h, bs)
            },
            BatchSize::LargeInput,
        )
    });

    let cdnow = cdnow_history().expect("the CDNOW fixture reads");
    let s = cdnow.clv_summary(&cdnow_summary_config()).expect("summary");
    let options = FitOptions::default();
    group.throughput(Throughput::Elements(s.len() as u64));
    group.bench_function("bgnbd_fit/cdnow", |b| {
        b.iter(|| {
            let fit =
                BgNbd::fit(black_box(&s.frequency), &s.recency, &s.t, None, &options).expect("fit");
            let m = fit.model;
            let printed = [(m.r, 0.243), (m.alpha, 4.414), (m.a, 0.793), (m.b, 2.426)];
            assert!(
                printed
                    .iter()
                    .all(|&(x, paper)| ((x * 1000.0).round() / 1000.0 - paper).abs() < 1e-9),
                "the CDNOW fit differs from the paper"
            );
            fit
        })
    });
    group.finish();
}

criterion_group!(benches, analytics);
criterion_main!(benches);
