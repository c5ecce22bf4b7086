//! Full triage (conditions, actions, trace) one order at a time, as an import
//! pipeline runs it, with the 80-rule set in both modes.
//!
//! Throughput is in orders. Each iteration's per-rule and per-status counts must
//! equal the dry-run's totals over the same orders; in first-match mode they must
//! also equal what `matching_rules` finds (the first match sees no earlier action).

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use ichigen_benches::{Fixture, TriageCounts, match_counts, mode_name, triage_counts};
use ichigen_core::rules::{MatchMode, dry_run};

const ORDERS: usize = 10_000;

fn triage(c: &mut Criterion) {
    let f = Fixture::new(2027, ORDERS).expect("the generated rule sets load");
    let (orders, contexts) = (&f.batch.orders, &f.batch.contexts);
    let mut group = c.benchmark_group("triage");
    group.throughput(Throughput::Elements(ORDERS as u64));
    group.sampling_mode(SamplingMode::Flat);
    for mode in [MatchMode::FirstMatch, MatchMode::AllMatching] {
        let rules = f.rules(mode);
        let report = dry_run(rules, orders, contexts, &f.clock).expect("contexts match orders");
        let expected = TriageCounts {
            by_rule: report.totals.by_rule.iter().map(|r| r.matched).collect(),
            by_status: report.totals.by_status.clone(),
            errors: report.totals.errors,
            actions: report
                .items
                .iter()
                .filter_map(|i| i.outcome.as_ref())
                .map(|o| o.applied.len() as u64)
                .sum(),
        };
        assert_eq!(expected.errors, 0, "triage refused generated orders");
        assert_eq!(triage_counts(rules, orders, contexts, &f.clock), expected);
        if mode == MatchMode::FirstMatch {
            assert_eq!(
                expected.by_rule,
                match_counts(rules, orders, contexts, f.today)
            );
        } else {
            // The catch-all comes last and matches every order.
            assert_eq!(expected.by_rule.last(), Some(&(ORDERS as u64)));
        }
        group.bench_function(format!("80_rules/{}", mode_name(mode)), |b| {
            b.iter(|| {
                let counts = triage_counts(rules, black_box(orders), contexts, &f.clock);
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
    targets = triage
}
criterion_main!(benches);
