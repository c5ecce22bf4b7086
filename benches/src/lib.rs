//! Shared setup for ichigen's benchmarks and the `measure` binary: a generated
//! batch, the two 80-rule sets, and the reference answers each benchmark checks
//! its result against, so that a fast wrong answer cannot pass. [`shipdate`] does
//! the same for the ship-date benches (policies, rows, the check against single
//! plans); [`sketch`] is a measuring experiment for the batch planner's authors;
//! [`stock_data`] generates catalogs, stock, an allocation policy and orders for the
//! stock benches, with a plain reference allocation to check against.
//!
//! ```
//! use ichigen_benches::{Fixture, match_counts, reference_match_counts};
//! let f = Fixture::new(1, 200)?;
//! let fast = match_counts(&f.all_matching, &f.batch.orders, &f.batch.contexts, f.today);
//! let slow = reference_match_counts(&f.all_matching, &f.batch.orders, &f.batch.contexts, f.today)?;
//! assert_eq!(fast, slow);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod analytics_data;
pub mod identity_data;
pub mod shipdate;
pub mod shipment_data;
pub mod sketch;
pub mod stock_data;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use ichigen_core::clock::FixedClock;
use ichigen_core::lifecycle::Status;
use ichigen_core::order::Order;
use ichigen_core::rules::{MatchMode, RuleSet, RuleSetDef, TriageContext, triage};
use ichigen_testkit::generate::{self, Batch};

/// A generated batch with the rule sets and the calendar to run them on.
#[derive(Debug)]
pub struct Fixture {
    /// Orders and one context per order.
    pub batch: Batch,
    /// The 80-rule set in first-match mode.
    pub first_match: RuleSet,
    /// The 80-rule set in all-matching mode.
    pub all_matching: RuleSet,
    /// Today in the shop's zone.
    pub today: NaiveDate,
    /// A clock stopped at noon of `today`.
    pub clock: FixedClock,
}

impl Fixture {
    /// `n` orders generated from `seed`, and both rule sets.
    pub fn new(seed: u64, n: usize) -> Result<Fixture, ichigen_core::Error> {
        Ok(Fixture {
            batch: generate::batch(seed, n),
            first_match: generate::rule_set(MatchMode::FirstMatch)?,
            all_matching: generate::rule_set(MatchMode::AllMatching)?,
            today: generate::today(),
            clock: generate::clock(),
        })
    }

    /// The rule set for `mode`.
    pub fn rules(&self, mode: MatchMode) -> &RuleSet {
        match mode {
            MatchMode::FirstMatch => &self.first_match,
            MatchMode::AllMatching => &self.all_matching,
        }
    }
}

/// The name of a mode as the benchmarks print it.
pub fn mode_name(mode: MatchMode) -> &'static str {
    match mode {
        MatchMode::FirstMatch => "first_match",
        MatchMode::AllMatching => "all_matching",
    }
}

/// How many orders each rule matched, by [`RuleSet::matching_rules_into`] with one
/// reused buffer: the hot path being measured.
pub fn match_counts(
    rules: &RuleSet,
    orders: &[Order],
    contexts: &[TriageContext],
    today: NaiveDate,
) -> Vec<u64> {
    let mut counts = vec![0u64; rules.definition().rules.len()];
    let mut hits = Vec::with_capacity(counts.len());
    for (order, ctx) in orders.iter().zip(contexts) {
        rules.matching_rules_into(order, ctx, today, &mut hits);
        for &i in &hits {
            counts[i] += 1;
        }
    }
    counts
}

/// The same counts by a plain loop that shares none of the set's control flow:
/// every rule is loaded into a one-rule set of its own and asked alone; in
/// first-match mode the loop stops at the first rule that matches.
pub fn reference_match_counts(
    rules: &RuleSet,
    orders: &[Order],
    contexts: &[TriageContext],
    today: NaiveDate,
) -> Result<Vec<u64>, ichigen_core::Error> {
    let singles = rules
        .definition()
        .rules
        .iter()
        .map(|rule| {
            RuleSet::from_def(RuleSetDef {
                name: format!("only-{}", rule.id),
                mode: MatchMode::AllMatching,
                description: None,
                rules: vec![rule.clone()],
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut counts = vec![0u64; singles.len()];
    for (order, ctx) in orders.iter().zip(contexts) {
        for (i, single) in singles.iter().enumerate() {
            if !single.matching_rules(order, ctx, today).is_empty() {
                counts[i] += 1;
                if rules.mode() == MatchMode::FirstMatch {
                    break;
                }
            }
        }
    }
    Ok(counts)
}

/// What running [`triage`] one order at a time decided, counted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TriageCounts {
    /// Orders each rule matched, in set order.
    pub by_rule: Vec<u64>,
    /// Orders per resulting status.
    pub by_status: BTreeMap<Status, u64>,
    /// Orders triage refused.
    pub errors: u64,
    /// Actions applied, over all orders.
    pub actions: u64,
}

/// Runs full triage (actions and trace) on each order in turn and counts the
/// outcomes.
pub fn triage_counts(
    rules: &RuleSet,
    orders: &[Order],
    contexts: &[TriageContext],
    clock: &FixedClock,
) -> TriageCounts {
    let index: BTreeMap<&str, usize> = rules
        .definition()
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let mut counts = TriageCounts {
        by_rule: vec![0; index.len()],
        ..TriageCounts::default()
    };
    for (order, ctx) in orders.iter().zip(contexts) {
        match triage(rules, order, ctx, clock) {
            Ok((_, outcome)) => {
                for id in &outcome.matched {
                    if let Some(&i) = index.get(id.as_str()) {
                        counts.by_rule[i] += 1;
                    }
                }
                counts.actions += outcome.applied.len() as u64;
                *counts.by_status.entry(outcome.status).or_default() += 1;
            }
            Err(_) => counts.errors += 1,
        }
    }
    counts
}
