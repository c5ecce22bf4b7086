//! `RuleSet::matching_rules`, the hot path of triage and dry-run, over a batch of
//! generated orders with the 80-rule set, in first-match and all-matching mode.
//!
//! Throughput is in orders. Before and during the measurement, the number of
//! orders each rule matched is compared with a plain reference loop (each rule
//! asked alone), so a fast wrong answer fails the benchmark.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use ichigen_benches::{Fixture, match_counts, mode_name, reference_match_counts};
use ichigen_core::rules::MatchMode;

/// Orders per iteration: large enough that per-iteration overhead vanishes and the
/// orders do not all sit in cache, small enough for ten samples in seconds.
const ORDERS: usize = 100_000;

fn evaluate(c: &mut Criterion) {
    let f = Fixture::new(2026, ORDERS).expect("the generated rule sets load");
    let (orders, contexts) = (&f.batch.orders, &f.batch.contexts);
    let mut group = c.benchmark_group("evaluate");
    group.throughput(Throughput::Elements(ORDERS as u64));
    // An iteration takes a good fraction of a second: the same number of
    // iterations per sample keeps ten samples within seconds.
    group.sampling_mode(SamplingMode::Flat);
    for mode in [MatchMode::FirstMatch, MatchMode::AllMatching] {
        let rules = f.rules(mode);
        let expected = reference_match_counts(rules, orders, contexts, f.today)
            .expect("every rule loads alone");
        assert_eq!(
            match_counts(rules, orders, contexts, f.today),
            expected,
            "matching_rules disagrees with the reference loop ({})",
            mode_name(mode)
        );
        assert!(
            expected.iter().filter(|&&n| n > 0).count() > 20,
            "the batch exercises too few rules"
        );
        group.bench_function(format!("80_rules/{}", mode_name(mode)), |b| {
            b.iter(|| {
                let counts = match_counts(rules, black_box(orders), contexts, f.today);
                assert_eq!(counts, expected);
                counts
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(8));
    targets = evaluate
}
criterion_main!(benches);
