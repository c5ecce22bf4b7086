//! `dry_run` over 100,000 generated orders with the 80-rule set: every order
//! triaged with its trace, and the totals.
//!
//! Throughput is in orders. Each iteration's totals must equal the counts of a
//! plain loop that triages one order at a time.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use ichigen_benches::{Fixture, mode_name, triage_counts};
use ichigen_core::rules::{MatchMode, dry_run};

const ORDERS: usize = 100_000;

fn dry_run_batch(c: &mut Criterion) {
    let f = Fixture::new(2028, ORDERS).expect("the generated rule sets load");
    let (orders, contexts) = (&f.batch.orders, &f.batch.contexts);
    let mut group = c.benchmark_group("dry_run");
    group.throughput(Throughput::Elements(ORDERS as u64));
    group.sampling_mode(SamplingMode::Flat);
    for mode in [MatchMode::FirstMatch, MatchMode::AllMatching] {
        let rules = f.rules(mode);
        let expected = triage_counts(rules, orders, contexts, &f.clock);
        assert_eq!(expected.errors, 0, "triage refused generated orders");
        let unmatched = expected.by_rule.iter().sum::<u64>() == 0;
        assert!(!unmatched);
        group.bench_function(format!("100k/{}", mode_name(mode)), |b| {
            b.iter_with_large_drop(|| {
                let report = dry_run(rules, black_box(orders), contexts, &f.clock)
                    .expect("contexts match orders");
                let t = &report.totals;
                assert_eq!(t.orders, ORDERS as u64);
                assert_eq!(t.errors, 0);
                assert_eq!(t.by_status, expected.by_status);
                assert!(
                    t.by_rule
                        .iter()
                        .map(|r| r.matched)
                        .eq(expected.by_rule.iter().copied())
                );
                report
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    targets = dry_run_batch
}
criterion_main!(benches);
