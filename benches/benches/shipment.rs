//! Shipment planning on generated orders (`ichigen_benches::shipment_data`: 1–4
//! lines, ~70% ambient of one zone, chilled and frozen mixes, ~15% mail-packet
//! orders with fractions of 1/6 to 1/1, some COD, ~20% of buyers ordering two or
//! three times with names and addresses written in varied widths and spaces):
//!
//! - `shipment/split_mail/100k_orders`: `Planner::split(&order, &[])` then
//!   `Planner::mail(&order)` for each of 100,000 orders, one at a time;
//! - `shipment/split/100k_orders` and `shipment/mail/100k_orders`: each alone;
//! - `shipment/merge_candidates/100k_orders`: `Planner::merge_candidates` over
//!   100,000 unshipped orders.
//!
//! Throughput is in orders. Checked: every pass's shipments, money, mail verdicts
//! and packets equal a plain reference loop over the catalog
//! (`reference_split_mail`); every merge search finds exactly the groups of the
//! generator's truth (`reference_merge_groups`), checked outside the timing.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use ichigen_benches::shipment_data::{
    ShipmentData, merge_groups, reference_merge_groups, reference_split_mail, split_mail_counts,
};

const ORDERS: usize = 100_000;

fn shipment(c: &mut Criterion) {
    let data = ShipmentData::generate(ORDERS, 2026);
    let planner = data.planner().expect("the generated policy is valid");
    let expected = reference_split_mail(&data, &data.orders);
    assert_eq!(split_mail_counts(&planner, &data.orders), expected);
    let (groups, excluded) = reference_merge_groups(&data.merge_truth);

    let mut g = c.benchmark_group("shipment");
    g.sampling_mode(SamplingMode::Flat);
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(6));
    g.throughput(Throughput::Elements(ORDERS as u64));

    g.bench_function("split_mail/100k_orders", |b| {
        b.iter(|| {
            let got = split_mail_counts(&planner, black_box(&data.orders));
            assert_eq!(got, expected);
        })
    });
    g.bench_function("split/100k_orders", |b| {
        b.iter(|| {
            let mut shipments = 0u64;
            for o in &data.orders {
                shipments += planner
                    .split(black_box(o), &[])
                    .map_or(0, |p| p.shipments.len() as u64);
            }
            assert_eq!(shipments, expected.shipments);
        })
    });
    g.bench_function("mail/100k_orders", |b| {
        b.iter(|| {
            let mut packets = 0u64;
            for o in &data.orders {
                packets += u64::from(planner.mail(black_box(o)).packets);
            }
            assert_eq!(packets, expected.packets);
        })
    });

    g.measurement_time(Duration::from_secs(12));
    g.bench_function("merge_candidates/100k_orders", |b| {
        b.iter_custom(|iters| {
            let mut took = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                let found = planner.merge_candidates(black_box(&data.orders), &[]);
                took += start.elapsed();
                assert!(merge_groups(&found) == groups, "merge groups differ");
                assert_eq!(found.excluded.len(), excluded);
            }
            took
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1));
    targets = shipment
}
criterion_main!(benches);
