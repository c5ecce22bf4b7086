//! Stock invariants under any sequence of receipts, counts, reservations,
//! cancellations and shipments:
//!
//! - reserved = Σ live reservations, and never more than on hand (`reconcile`);
//! - free never below zero;
//! - on hand changes only by receipts, counts (adjustments) and shipments;
//! - the incremental sync, applied as a channel would apply it, equals a full
//!   recompute, and no channel is offered more than the free stock it may see;
//!   exclusive channels together never promise more than there is;
//! - the backorder queue is served in arrival order;
//! - `check` plans exactly what `reserve` then does.

use std::collections::BTreeMap;
use std::sync::Arc;

use ichigen_core::order::Channel;
use ichigen_core::stock::{
    AllocationPolicy, Allocator, Catalog, ReservationPolicy, ReserveRequest, StockBook, StockLevel,
    Strategy as Pick,
};
use proptest::prelude::*;
use serde_json::json;

const SKUS: [&str; 4] = ["A", "B", "C", "D"];
const LOCS: [&str; 3] = ["east", "west", "south"];
/// The listing codes an order of each channel may name.
const CHANNELS: [(&str, &[&str]); 3] = [
    ("rakuten", &["a", "b", "c", "d", "ab", "cd"]),
    ("amazon", &["a", "b"]),
    ("yahoo", &["ab", "c"]),
];

fn catalog() -> Arc<Catalog> {
    Arc::new(
        Catalog::from_json(json!({
            "skus": [{"sku": "A"}, {"sku": "B"}, {"sku": "C"}, {"sku": "D"}],
            "locations": [
                {"id": "east", "prefecture": "東京都"},
                {"id": "west", "prefecture": "大阪府"},
                {"id": "south", "prefecture": "福岡県"}
            ],
            "listings": [
                {"channel": "rakuten", "code": "a", "sku": "A"},
                {"channel": "rakuten", "code": "b", "sku": "B"},
                {"channel": "rakuten", "code": "c", "sku": "C"},
                {"channel": "rakuten", "code": "d", "sku": "D"},
                {"channel": "rakuten", "code": "ab", "components": [{"sku": "A", "quantity": 2}, {"sku": "B", "quantity": 1}]},
                {"channel": "rakuten", "code": "cd", "components": [{"sku": "C", "quantity": 1}, {"sku": "D", "quantity": 3}]},
                {"channel": "amazon", "code": "a", "sku": "A"},
                {"channel": "amazon", "code": "b", "sku": "B"},
                {"channel": "yahoo", "code": "ab", "components": [{"sku": "A", "quantity": 2}, {"sku": "B", "quantity": 1}]},
                {"channel": "yahoo", "code": "c", "sku": "C"}
            ]
        }))
        .unwrap(),
    )
}

fn policy() -> AllocationPolicy {
    AllocationPolicy::from_json(json!({"channels": [
        // The set on yahoo carves before amazon's singles of its components, so a
        // change to A can change what amazon may take of B.
        {"channel": "yahoo", "mode": "fixed", "quantity": 2, "exclusive": true, "locations": ["west", "south"]},
        {"channel": "amazon", "mode": "fixed", "quantity": 3, "exclusive": true},
        {"channel": "rakuten", "mode": "uniform", "cap": 7, "zero_below": 1,
         "overrides": [{"listing": "cd", "mode": "percent", "percent": "50"}]}
    ]}))
    .unwrap()
}

#[derive(Debug, Clone)]
enum Op {
    Receive {
        sku: usize,
        loc: usize,
        qty: i64,
    },
    Count {
        sku: usize,
        loc: usize,
        on_hand: i64,
        buffer: i64,
    },
    Reserve {
        ch: usize,
        lines: Vec<(usize, u32)>,
        whole: bool,
        only: Option<Vec<usize>>,
        dest: Option<u8>,
    },
    Cancel {
        order: usize,
        line: Option<u32>,
    },
    Ship {
        order: usize,
        line: Option<u32>,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..4usize, 0..3usize, 1..6i64).prop_map(|(sku, loc, qty)| Op::Receive { sku, loc, qty }),
        1 => (0..4usize, 0..3usize, 0..8i64, 0..3i64)
            .prop_map(|(sku, loc, on_hand, buffer)| Op::Count { sku, loc, on_hand, buffer }),
        4 => (
            0..3usize,
            prop::collection::vec((0..6usize, 1..4u32), 1..4),
            prop::bool::weighted(0.25),
            prop::option::weighted(0.2, prop::collection::vec(0..3usize, 1..3)),
            prop::option::of(prop_oneof![Just(13u8), Just(27), Just(40), Just(1)]),
        )
            .prop_map(|(ch, lines, whole, only, dest)| Op::Reserve { ch, lines, whole, only, dest }),
        2 => (0..12usize, prop::option::of(0..3u32)).prop_map(|(order, line)| Op::Cancel { order, line }),
        2 => (0..12usize, prop::option::of(0..3u32)).prop_map(|(order, line)| Op::Ship { order, line }),
    ]
}

fn channel(name: &str) -> Channel {
    Channel::from_name(name).unwrap()
}

fn request(
    n: usize,
    ch: usize,
    lines: &[(usize, u32)],
    whole: bool,
    only: &Option<Vec<usize>>,
    dest: Option<u8>,
) -> ReserveRequest {
    let (name, codes) = CHANNELS[ch];
    let mut r = ReserveRequest::new(&format!("o{n}"), channel(name));
    for &(k, q) in lines {
        r = r.line(codes[k % codes.len()], q);
    }
    r.all_or_nothing = Some(whole);
    r.locations = only
        .as_ref()
        .map(|v| v.iter().map(|&i| LOCS[i].into()).collect());
    r.destination = dest.map(|d| d.to_string());
    r
}

/// What a channel that applied every pushed delta now shows.
type View = BTreeMap<(Channel, Option<String>, String), i64>;

fn apply(view: &mut View, alloc: &mut Allocator, book: &mut StockBook) {
    for d in alloc.sync(book) {
        let key = (
            d.channel,
            d.store.map(|s| s.as_str().to_owned()),
            d.listing.as_str().to_owned(),
        );
        let before = view.insert(key, d.quantity);
        assert_eq!(before, d.previous, "a delta's previous is what was pushed");
    }
}

fn check_allocation(view: &View, book: &StockBook, catalog: &Arc<Catalog>) {
    let mut fresh = Allocator::new(catalog.clone(), policy()).unwrap();
    fresh.recompute(book);
    let full: View = fresh
        .quantities()
        .into_iter()
        .map(|q| {
            (
                (
                    q.channel,
                    q.store.map(|s| s.as_str().to_owned()),
                    q.listing.as_str().to_owned(),
                ),
                q.quantity,
            )
        })
        .collect();
    assert_eq!(view, &full, "the pushed deltas add up to a full recompute");
    // No channel sees more than its locations' free stock.
    let free_at = |sku: &str, locs: &[usize]| -> i64 {
        let s = catalog.sku(sku).unwrap();
        locs.iter().map(|&l| book.free_at(s, l as u32)).sum()
    };
    let listing_free = |ch: Channel, code: &str, locs: &[usize]| -> i64 {
        let l = catalog.listing(ch, None, code).unwrap();
        catalog
            .components(l)
            .iter()
            .map(|&(s, q)| free_at(catalog.skus()[s as usize].sku.as_str(), locs) / i64::from(q))
            .min()
            .unwrap()
    };
    let mut exclusive_units = [0i64; 4];
    for ((ch, _, code), &q) in &full {
        let locs: &[usize] = if *ch == Channel::Yahoo {
            &[1, 2]
        } else {
            &[0, 1, 2]
        };
        assert!(q >= 0);
        assert!(
            q <= listing_free(*ch, code, locs),
            "{ch:?} {code} offered {q}"
        );
        if *ch != Channel::Rakuten {
            let l = catalog.listing(*ch, None, code).unwrap();
            for &(s, per) in catalog.components(l) {
                exclusive_units[s as usize] += q * i64::from(per);
            }
        }
    }
    for (s, units) in exclusive_units.iter().enumerate() {
        assert!(
            *units <= free_at(SKUS[s], &[0, 1, 2]),
            "exclusive channels promise {units} of {} with less free",
            SKUS[s]
        );
    }
}

fn run(ops: Vec<Op>, strategy: Pick, single: bool) {
    let catalog = catalog();
    let mut book = StockBook::new(
        catalog.clone(),
        ReservationPolicy {
            strategy,
            all_or_nothing: false,
            prefer_single_location: single,
        },
    );
    let mut alloc = Allocator::new(catalog.clone(), policy()).unwrap();
    let mut view = View::new();
    let mut on_hand = [[0i64; 3]; 4];
    // Arrival index of every order, and whether it is line by line and unrestricted.
    let mut arrivals: Vec<(String, bool)> = Vec::new();
    for op in ops {
        let mut served = Vec::new();
        let mut touched_sku = None;
        match &op {
            Op::Receive { sku, loc, qty } => {
                let out = book.receive(SKUS[*sku], LOCS[*loc], *qty, false).unwrap();
                on_hand[*sku][*loc] += qty;
                served = out.reserved;
                touched_sku = Some(*sku);
            }
            Op::Count {
                sku,
                loc,
                on_hand: n,
                buffer,
            } => {
                let level = StockLevel {
                    buffer: *buffer,
                    ..StockLevel::new(SKUS[*sku], LOCS[*loc], *n)
                };
                let out = book.set_level(&level).unwrap();
                on_hand[*sku][*loc] = *n;
                served = out.reserved;
                touched_sku = Some(*sku);
            }
            Op::Reserve {
                ch,
                lines,
                whole,
                only,
                dest,
            } => {
                let req = request(arrivals.len(), *ch, lines, *whole, only, *dest);
                let planned = book.check(&req).unwrap();
                let done = book.reserve(&req).unwrap();
                assert_eq!(planned.reserved, done.reserved, "check and reserve agree");
                assert_eq!(planned.backordered, done.backordered);
                arrivals.push((req.order.as_str().to_owned(), !*whole && only.is_none()));
            }
            Op::Cancel { order, line } => {
                let id = format!("o{order}");
                let lines = line.map(|l| vec![l]);
                if let Ok(out) = book.cancel(&id, lines.as_deref()) {
                    served = out.reserved;
                }
            }
            Op::Ship { order, line } => {
                let id = format!("o{order}");
                let lines = line.map(|l| vec![l]);
                if let Ok(out) = book.ship(&id, lines.as_deref()) {
                    for r in out.shipped {
                        let s = SKUS.iter().position(|x| *x == r.sku.as_str()).unwrap();
                        let l = LOCS.iter().position(|x| *x == r.location.as_str()).unwrap();
                        on_hand[s][l] -= r.quantity;
                    }
                }
            }
        }
        let rec = book.reconcile();
        assert!(rec.ok, "{rec:?} after {op:?}");
        for (s, row) in on_hand.iter().enumerate() {
            for (l, &expected) in row.iter().enumerate() {
                let cell = book.cell_view(s as u32, l as u32);
                assert_eq!(
                    cell.on_hand, expected,
                    "on hand of {} at {} after {op:?}",
                    SKUS[s], LOCS[l]
                );
                assert!(cell.free >= 0 && cell.reserved <= cell.on_hand);
            }
        }
        // First come, first served: among unrestricted line-by-line orders, nobody
        // served by this change arrived after one still waiting for the same SKU.
        if let Some(s) = touched_sku {
            let arrival = |id: &str| arrivals.iter().position(|a| a.0 == id).unwrap();
            let plain = |id: &str| arrivals[arrival(id)].1;
            let waiting: Vec<usize> = book
                .queue_of(s as u32)
                .iter()
                .filter(|b| plain(b.order.as_str()))
                .map(|b| arrival(b.order.as_str()))
                .collect();
            for r in served
                .iter()
                .filter(|r| r.sku.as_str() == SKUS[s] && plain(r.order.as_str()))
            {
                let got = arrival(r.order.as_str());
                assert!(
                    waiting.iter().all(|&w| w >= got),
                    "order #{got} served while an earlier order waits: {waiting:?}"
                );
            }
        }
        apply(&mut view, &mut alloc, &mut book);
        check_allocation(&view, &book, &catalog);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 768, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_by_priority(ops in prop::collection::vec(op(), 1..40)) {
        run(ops, Pick::Priority, true);
    }

    #[test]
    fn invariants_hold_nearest_split(ops in prop::collection::vec(op(), 1..40)) {
        run(ops, Pick::Nearest, false);
    }

    #[test]
    fn invariants_hold_most_stock(ops in prop::collection::vec(op(), 1..40)) {
        run(ops, Pick::MostStock, true);
    }
}
