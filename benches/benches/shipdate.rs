//! `BatchPlanner::plan` on 1,000,000 generated rows with the five store policies
//! of `benches/data/shipdate_policies.json` (three carriers, one closed on 1/1),
//! on one thread (`plan`) and on two (`plan_on_threads`, two chunks).
//!
//! Throughput is in rows. Before measuring, every 50th row is compared with
//! `ShippingPolicy::plan` on the same request; after every measured run the status
//! counts and the sum of the ship dates of every run must equal the first run's
//! (checked outside the timed part).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use ichigen_benches::shipdate::{Rows, Setup, check_rows, status_counts};
use ichigen_core::shipdate::batch::Output;

const ROWS: usize = 1_000_000;

fn totals(out: &Output) -> ([u64; 6], i64) {
    let ships = out.ship_date.iter().map(|&d| i64::from(d)).sum::<i64>();
    (status_counts(out), ships)
}

fn shipdate(c: &mut Criterion) {
    let setup = Setup::load().expect("the bench policies build");
    let planner = setup.planner().expect("the planner prepares");
    let rows = Rows::generate(2026, ROWS);
    let first = planner
        .plan(&rows.columns(), setup.today)
        .expect("the columns have one length");
    let checked = check_rows(&setup, &rows, &first, 50);
    assert_eq!(
        checked.mismatches, 0,
        "batch rows differ from single plans: {:#?}",
        checked.examples
    );
    let expected = totals(&first);
    // Every status the rows can reach is reached.
    assert!(expected.0[..3].iter().all(|&n| n > 0), "{:?}", expected.0);
    drop(first);

    let mut group = c.benchmark_group("shipdate");
    group.throughput(Throughput::Elements(ROWS as u64));
    group.sampling_mode(SamplingMode::Flat);
    for threads in [1, 2] {
        group.bench_function(format!("plan_1m/{threads}_thread"), |b| {
            // Only planning is timed; each run's answer is checked after its
            // timing, and dropped outside it.
            b.iter_custom(|iters| {
                let mut took = Duration::ZERO;
                for _ in 0..iters {
                    let start = Instant::now();
                    let out = planner
                        .plan_on_threads(&black_box(&rows).columns(), setup.today, threads)
                        .expect("the columns have one length");
                    took += start.elapsed();
                    assert_eq!(totals(&out), expected);
                }
                took
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = shipdate
}
criterion_main!(benches);
