//! Stock on generated data (`ichigen_benches::stock_data`): channel allocation of
//! 500,000 SKUs (and 15,000 sets) listed on 10 channels over 5 locations
//! (`Allocator::recompute`, 5,150,000 listing quantities per run), one reservation
//! followed by `Allocator::sync`, and `StockBook::reserve` of 100,000 orders
//! against 20,000 SKUs by priority and by nearest location.
//!
//! Checked: the recomputed quantities equal the plain reference of `stock_data`
//! before and after measuring; each reservation is cancelled again (untimed) after
//! its sync, and the quantities equal the reference again at the end; every
//! reservation run backorders the same number of orders as the first, and the
//! book reconciles.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use ichigen_benches::stock_data::{
    Shape, StockData, orders, policy_specs, reference_quantities, without_exclusive,
};
use ichigen_core::stock::{Allocator, ReservationPolicy, StockBook, Strategy};

const SKUS: usize = 500_000;
const RESERVE_SKUS: usize = 20_000;
const RESERVE_ORDERS: usize = 100_000;

fn quantities(alloc: &Allocator) -> Vec<i64> {
    alloc.quantities().iter().map(|q| q.quantity).collect()
}

fn allocation(c: &mut Criterion) {
    let data = StockData::generate(Shape::new(SKUS), 2026);
    let catalog = data.catalog();
    let specs = policy_specs(10, 5);
    let mut book = data.book(catalog.clone(), ReservationPolicy::default());
    let free = data.free_cells(false);
    let mut alloc =
        Allocator::new(catalog.clone(), data.policy(&specs)).expect("the policy fits the catalog");
    let expected = reference_quantities(&data, &specs, &free).concat();
    alloc.recompute(&book);
    assert!(
        quantities(&alloc) == expected,
        "recompute differs from the reference"
    );

    let mut group = c.benchmark_group("stock");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(8));
    group.throughput(Throughput::Elements(catalog.listing_count() as u64));
    group.bench_function("recompute/500k_skus_x10_channels", |b| {
        b.iter(|| alloc.recompute(black_box(&book)))
    });
    assert!(quantities(&alloc) == expected);

    // One reservation, then sync; each is cancelled again (untimed) so that every
    // iteration starts from the same levels.
    let reqs = orders(&data, 10_000, 99);
    let plain_specs = without_exclusive(&specs);
    let mut plain = Allocator::new(catalog.clone(), data.policy(&plain_specs))
        .expect("the policy fits the catalog");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(1));
    for (name, al) in [("policy", &mut alloc), ("no_exclusive", &mut plain)] {
        black_box(al.sync(&mut book));
        let mut next = 0usize;
        group.bench_function(format!("reserve_then_sync/500k_skus/{name}"), |b| {
            b.iter_custom(|iters| {
                let mut took = Duration::ZERO;
                for _ in 0..iters {
                    let req = &reqs[next % reqs.len()];
                    next += 1;
                    let start = Instant::now();
                    let out = book.reserve(black_box(req)).expect("the request is valid");
                    let deltas = al.sync(&mut book);
                    took += start.elapsed();
                    drop((out, deltas));
                    book.cancel(req.order.as_str(), None)
                        .expect("the order is live");
                    black_box(al.sync(&mut book));
                    drop(book.take_movements());
                }
                took
            })
        });
    }
    group.finish();
    let check = reference_quantities(&data, &plain_specs, &free).concat();
    assert!(quantities(&plain) == check, "sync (no exclusive) drifted");
    assert!(quantities(&alloc) == expected, "sync drifted");
    assert!(book.reconcile().ok);
}

fn reservations(c: &mut Criterion) {
    let data = StockData::generate(Shape::new(RESERVE_SKUS), 2027);
    let catalog = data.catalog();
    let reqs = orders(&data, RESERVE_ORDERS, 2026);
    let mut group = c.benchmark_group("stock");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(6));
    group.throughput(Throughput::Elements(RESERVE_ORDERS as u64));
    let run = |book: &mut StockBook| -> usize {
        let mut backordered = 0;
        for req in &reqs {
            let out = book.reserve(black_box(req)).expect("the request is valid");
            backordered += usize::from(!out.backordered.is_empty());
        }
        backordered
    };
    for (name, strategy) in [
        ("priority", Strategy::Priority),
        ("nearest", Strategy::Nearest),
    ] {
        let policy = ReservationPolicy {
            strategy,
            ..ReservationPolicy::default()
        };
        let mut base = data.book(catalog.clone(), policy);
        base.set_record_movements(false);
        let mut first = base.clone();
        let expected = run(&mut first);
        assert!(first.reconcile().ok);
        assert!(expected > 0 && expected < RESERVE_ORDERS / 2, "{expected}");
        drop(first);
        group.bench_function(format!("reserve/100k_orders_20k_skus/{name}"), |b| {
            b.iter_custom(|iters| {
                let mut took = Duration::ZERO;
                for _ in 0..iters {
                    let mut book = base.clone();
                    let start = Instant::now();
                    let backordered = run(&mut book);
                    took += start.elapsed();
                    assert_eq!(backordered, expected);
                }
                took
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1));
    targets = allocation, reservations
}
criterion_main!(benches);
