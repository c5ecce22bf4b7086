//! Properties of the analytics over generated histories: sums are conserved
//! across any grouping, scores are monotone and independent of row order, CPM
//! segments follow the rules customer by customer, local days follow the zone,
//! and a BG/NBD fit is a maximum.

#![allow(clippy::float_arithmetic)]

use chrono::{DateTime, NaiveDate};
use ichigen_core::analytics::clv::{BgNbd, FitOptions};
use ichigen_core::analytics::{
    Axis, Coded, Column, CpmConfig, OrderColumns, OrderHistory, RfmConfig, SalesQuery, Segment,
};
use ichigen_core::money::Currency;
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Row {
    customer: u8,
    at: i64,
    amount: i64,
    cancelled: bool,
    channel: Option<u8>,
}

fn rows() -> impl Strategy<Value = Vec<Row>> {
    proptest::collection::vec(
        (
            0u8..12,
            1_735_657_200i64..1_798_729_200,
            0i64..200_000,
            proptest::bool::weighted(0.1),
            proptest::option::of(0u8..4),
        )
            .prop_map(|(customer, at, amount, cancelled, channel)| Row {
                customer,
                at,
                amount,
                cancelled,
                channel,
            }),
        1..80,
    )
}

fn history(rows: &[Row], zone: chrono_tz::Tz) -> OrderHistory {
    let names: Vec<String> = rows.iter().map(|r| format!("c{}", r.customer)).collect();
    let channels: Vec<Option<String>> = rows
        .iter()
        .map(|r| r.channel.map(|c| format!("ch{c}")))
        .collect();
    let orders = OrderColumns {
        customer: Coded::from_strs(names.iter().map(String::as_str)),
        ordered_at: rows.iter().map(|r| r.at).collect(),
        amount: rows.iter().map(|r| r.amount).collect(),
        cancelled: rows.iter().map(|r| r.cancelled).collect(),
        channel: Some(Coded::from_options(channels.iter().map(|c| c.as_deref()))),
        ..OrderColumns::default()
    };
    OrderHistory::new(zone, Currency::JPY, orders, None).expect("valid history")
}

fn money(c: &Column) -> Vec<i128> {
    match c {
        Column::Money { minor, .. } => minor.iter().map(|m| m.unwrap_or(0)).collect(),
        other => panic!("not money: {other:?}"),
    }
}

fn ints(c: &Column) -> Vec<i64> {
    match c {
        Column::Int(v) => v.iter().map(|m| m.unwrap_or(0)).collect(),
        other => panic!("not ints: {other:?}"),
    }
}

const AXES: [Axis; 8] = [
    Axis::Date,
    Axis::YearMonth,
    Axis::Year,
    Axis::Month,
    Axis::Day,
    Axis::Weekday,
    Axis::Hour,
    Axis::Channel,
];

fn local_date(t: i64, zone: chrono_tz::Tz) -> NaiveDate {
    DateTime::from_timestamp(t, 0)
        .unwrap()
        .with_timezone(&zone)
        .date_naive()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn sales_conserve_orders_and_revenue_under_any_grouping(
        rows in rows(), picks in proptest::collection::vec(0usize..8, 0..3), include in any::<bool>()
    ) {
        let h = history(&rows, chrono_tz::Asia::Tokyo);
        let mut group_by: Vec<Axis> = picks.iter().map(|&i| AXES[i]).collect();
        group_by.dedup();
        let q = SalesQuery { group_by, include_cancelled: include, ..SalesQuery::default() };
        let t = h.sales(&q).unwrap();
        let kept: Vec<&Row> = rows.iter().filter(|r| include || !r.cancelled).collect();
        let revenue: i128 = money(t.column("revenue").unwrap()).iter().sum();
        prop_assert_eq!(revenue, kept.iter().map(|r| i128::from(r.amount)).sum::<i128>());
        prop_assert_eq!(ints(t.column("orders").unwrap()).iter().sum::<i64>(), kept.len() as i64);
        // Distinct customers per group never exceed orders, and add up at least to all.
        let customers = ints(t.column("customers").unwrap());
        let all: std::collections::BTreeSet<u8> = kept.iter().map(|r| r.customer).collect();
        prop_assert!(customers.iter().sum::<i64>() >= all.len() as i64);
    }

    #[test]
    fn local_days_follow_the_zone(rows in rows(), z in 0usize..4) {
        let zone = [chrono_tz::Asia::Tokyo, chrono_tz::America::New_York, chrono_tz::Europe::London, chrono_tz::Asia::Shanghai][z];
        let h = history(&rows, zone);
        for (i, r) in rows.iter().enumerate() {
            prop_assert_eq!(h.date(i), local_date(r.at, zone));
        }
    }

    #[test]
    fn rfm_scores_are_monotone_and_ignore_row_order(rows in rows(), seed in any::<u64>()) {
        let config = RfmConfig {
            as_of: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
            scoring: Default::default(),
            ranks: Vec::new(),
            default_rank: None,
        };
        let h = history(&rows, chrono_tz::Asia::Tokyo);
        let rfm = h.rfm(&config).unwrap();
        for i in 0..rfm.len() {
            for j in 0..rfm.len() {
                if rfm.monetary[i] >= rfm.monetary[j] { prop_assert!(rfm.m[i] >= rfm.m[j]); }
                if rfm.frequency[i] >= rfm.frequency[j] { prop_assert!(rfm.f[i] >= rfm.f[j]); }
                if rfm.recency[i] <= rfm.recency[j] { prop_assert!(rfm.r[i] >= rfm.r[j]); }
            }
            prop_assert!((1..=5).contains(&rfm.r[i]) && (1..=5).contains(&rfm.f[i]) && (1..=5).contains(&rfm.m[i]));
        }
        // The same rows in another order give each customer the same scores.
        let mut shuffled = rows.clone();
        let mut s = seed;
        for k in (1..shuffled.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(k, (s >> 33) as usize % (k + 1));
        }
        let h2 = history(&shuffled, chrono_tz::Asia::Tokyo);
        let rfm2 = h2.rfm(&config).unwrap();
        let by_id = |h: &OrderHistory, r: &ichigen_core::analytics::Rfm| -> std::collections::BTreeMap<String, (u8, u8, u8)> {
            (0..r.len()).map(|i| (h.customer_ids()[r.customer[i] as usize].clone(), (r.r[i], r.f[i], r.m[i]))).collect()
        };
        prop_assert_eq!(by_id(&h, &rfm), by_id(&h2, &rfm2));
    }

    #[test]
    fn cpm_segments_follow_the_rules(rows in rows(), lapse in 30i32..400, early in 0i32..200, extra in 0i32..200, spend in 1i64..300_000) {
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let config = CpmConfig {
            as_of,
            lapse_days: lapse,
            early_tenure_days: early,
            loyal_tenure_days: early + extra,
            spend: ichigen_core::analytics::MoneyValue::Whole(spend),
        };
        let h = history(&rows, chrono_tz::Asia::Tokyo);
        let cpm = h.cpm(&config).unwrap();
        for i in 0..cpm.len() {
            let id = &h.customer_ids()[cpm.customer[i] as usize];
            let mine: Vec<&Row> = rows.iter()
                .filter(|r| &format!("c{}", r.customer) == id && !r.cancelled && local_date(r.at, chrono_tz::Asia::Tokyo) <= as_of)
                .collect();
            let days: Vec<NaiveDate> = mine.iter().map(|r| local_date(r.at, chrono_tz::Asia::Tokyo)).collect();
            let first = *days.iter().min().unwrap();
            let last = *days.iter().max().unwrap();
            let tenure = (last - first).num_days() as i32;
            let total: i64 = mine.iter().map(|r| r.amount).sum();
            let active = ((as_of - last).num_days() as i32) < lapse;
            let class = if mine.len() == 1 { 0 } else if tenure < early { 1 } else if total < spend { 2 } else if tenure < early + extra { 3 } else { 4 };
            prop_assert_eq!(cpm.segment[i], Segment::ALL[class * 2 + usize::from(!active)]);
        }
        prop_assert_eq!(cpm.counts().iter().sum::<i64>() as usize, cpm.len());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn a_bgnbd_fit_is_a_local_maximum(seed in any::<u64>()) {
        // A small synthetic summary; every nudge of a parameter lowers the likelihood.
        let mut s = seed;
        let mut next = || { s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); (s >> 11) as f64 / (1u64 << 53) as f64 };
        let (mut x, mut tx, mut t) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..300 {
            let big_t = 10.0 + (30.0 * next()).floor();
            let f = (6.0 * next() * next()).floor();
            let r = if f > 0.0 { (big_t * next()).floor().max(1.0) } else { 0.0 };
            x.push(f); tx.push(r); t.push(big_t);
        }
        prop_assume!(x.iter().any(|&v| v > 0.0));
        let fit = BgNbd::fit(&x, &tx, &t, None, &FitOptions::default()).unwrap();
        prop_assume!(fit.diagnostics.converged);
        let ll = |m: &BgNbd| (0..x.len()).map(|i| m.log_likelihood(x[i], tx[i], t[i])).sum::<f64>();
        let best = ll(&fit.model);
        prop_assert!((best - fit.diagnostics.log_likelihood).abs() < 1e-6 * best.abs());
        for k in 0..4 {
            for f in [0.98, 1.02] {
                let mut m = fit.model;
                match k { 0 => m.r *= f, 1 => m.alpha *= f, 2 => m.a *= f, _ => m.b *= f }
                prop_assert!(ll(&m) <= best + 1e-9 * best.abs(), "param {} x{}", k, f);
            }
        }
    }
}
