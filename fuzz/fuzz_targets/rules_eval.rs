//! Rule sets and orders from untrusted text, run through the whole triage path.
//!
//! The input is a rule set and an order separated by the first 0xFF byte (which
//! valid UTF-8 never contains). The rule set is parsed as JSON and as TOML; the
//! order as JSON, and the bundled sample order is always used as well. Whatever
//! parses is evaluated, triaged and dry-run under three contexts. Nothing may panic,
//! and these must hold:
//!
//! - triage's first matched rule is the first rule `matching_rules` finds (no
//!   action has run before the first match);
//! - the status an outcome reports is the triaged order's status;
//! - a triaged order survives a JSON round trip unchanged;
//! - a dry-run reports one item per order and counts them.
#![no_main]

use ichigen_core::clock::{Clock, FixedClock};
use ichigen_core::order::Order;
use ichigen_core::rules::{CustomerFacts, RuleSet, TriageContext, dry_run, triage};
use ichigen_core::validate::parse_order_json;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn contexts(flags: u8) -> [TriageContext; 3] {
    let bit = |i: u8| flags & (1 << i) != 0;
    let known = TriageContext {
        customer: Some(CustomerFacts {
            caution: bit(0),
            vip: bit(1),
            purchase_count: u32::from(flags >> 4),
        }),
        merge_candidate: Some(bit(2)),
        designated_date_infeasible: Some(bit(3)),
        transit_days: Some(u32::from(flags % 5)),
        remote_island: Some(bit(5)),
        address_invalid: Some(bit(6)),
        awaiting_ship_date: Some(bit(7)),
        all_lines_reservable: Some(!bit(4)),
        awaiting_stock: Some(bit(4)),
        mail_packet_fits: Some(bit(1) && !bit(2)),
        mail_packets_needed: Some(u32::from(flags % 3)),
    };
    let partial = TriageContext {
        customer: None,
        transit_days: None,
        ..known.clone()
    };
    [TriageContext::default(), known, partial]
}

fn check(set: &RuleSet, orders: &[Order], ctxs: &[TriageContext], clock: &FixedClock) {
    for order in orders {
        let today = clock.today_in(order.shop_zone);
        for ctx in ctxs {
            let matching = set.matching_rules(order, ctx, today);
            let Ok((triaged, outcome)) = triage(set, order, ctx, clock) else {
                continue;
            };
            let first = matching.first().map(|&i| &set.definition().rules[i].id);
            assert_eq!(outcome.matched.first(), first, "first match differs");
            assert_eq!(outcome.status, triaged.state.status());
            let text = serde_json::to_string(&triaged).expect("an order serializes");
            let back: Order = serde_json::from_str(&text).expect("a triaged order parses back");
            assert_eq!(back, triaged, "JSON round trip changed the triaged order");
        }
    }
    let report = dry_run(set, orders, &[], clock).expect("no contexts is allowed");
    assert_eq!(report.items.len(), orders.len());
    assert_eq!(report.totals.orders, orders.len() as u64);
}

fuzz_target!(|data: &[u8]| {
    let (rules_part, rest) = match data.iter().position(|&b| b == 0xFF) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Ok(rules_text) = std::str::from_utf8(rules_part) else {
        return;
    };
    let sets: Vec<RuleSet> = [
        RuleSet::from_json(rules_text),
        RuleSet::from_toml(rules_text),
    ]
    .into_iter()
    .flatten()
    .collect();
    static SAMPLE: OnceLock<Order> = OnceLock::new();
    let mut orders = vec![SAMPLE.get_or_init(ichigen_core::sample::order).clone()];
    if let Ok(order) = std::str::from_utf8(rest)
        .map_err(drop)
        .and_then(|t| parse_order_json(t).map_err(drop))
    {
        orders.push(order);
    }
    if sets.is_empty() {
        return;
    }
    let flags = data.last().copied().unwrap_or(0);
    let clock = FixedClock::parse("2026-11-23T03:00:00Z").expect("a fixed instant");
    for set in &sets {
        check(set, &orders, &contexts(flags), &clock);
    }
});
