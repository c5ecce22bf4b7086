use std::path::{Path, PathBuf};

use ichigen::clock::FixedClock;
use ichigen::lifecycle::Status;
use ichigen::rules::{EXAMPLE_RULE_SET_JSON, RuleSet, TriageContext, dry_run};
use ichigen::validate::parse_order_value;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/data")
        .join(name)
}

#[test]
fn the_toml_example_rule_set_is_the_json_one() {
    let toml = RuleSet::from_toml(&std::fs::read_to_string(data("rules.toml")).unwrap()).unwrap();
    let json = RuleSet::from_json(EXAMPLE_RULE_SET_JSON).unwrap();
    assert_eq!(toml.definition(), json.definition());
}

/// The quickstart's sample batch, triaged by the example rule set, gives the
/// statuses a Japanese shop expects for each order (worked out from DOMAIN.md §2).
#[test]
fn the_sample_batch_triages_as_a_shop_expects() {
    let batch: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data("orders.json")).unwrap()).unwrap();
    let clock = FixedClock::parse(batch["as_of"].as_str().unwrap()).unwrap();
    let rules = RuleSet::from_toml(&std::fs::read_to_string(data("rules.toml")).unwrap()).unwrap();
    let mut orders = Vec::new();
    let mut contexts = Vec::new();
    let mut rejected = Vec::new();
    for entry in batch["orders"].as_array().unwrap() {
        match parse_order_value(entry["order"].clone()) {
            Ok(o) => {
                orders.push(o);
                let ctx: TriageContext =
                    serde_json::from_value(entry.get("context").cloned().unwrap_or_default())
                        .unwrap_or_default();
                contexts.push(ctx);
            }
            Err(e) => rejected.push((entry["order"]["id"].as_str().unwrap().to_owned(), e)),
        }
    }
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].0, "ord-1010");
    let codes: Vec<&str> = rejected[0]
        .1
        .issues()
        .iter()
        .map(|i| i.code.as_str())
        .collect();
    assert!(
        codes.contains(&"ORDER_QUANTITY_ZERO") && codes.contains(&"ORDER_POSTAL_CODE_MISSING"),
        "{codes:?}"
    );

    let report = dry_run(&rules, &orders, &contexts, &clock).unwrap();
    let got: Vec<(String, Status)> = report
        .items
        .iter()
        .map(|i| (i.order_id.to_string(), i.outcome.as_ref().unwrap().status))
        .collect();
    let expected = [
        ("ord-1001", Status::Ready),           // paid by card, nothing to look at
        ("ord-1002", Status::AwaitingPayment), // bank transfer, unpaid
        ("ord-1003", Status::NeedsCheck),      // remarks (noshi request)
        ("ord-1004", Status::Ready),           // gift: ready, prices hidden
        ("ord-1005", Status::NeedsCheck),      // COD by mail packet is impossible
        ("ord-1006", Status::AwaitingRelease), // pre-order released 2026-12-15
        ("ord-1007", Status::NeedsCheck),      // caution customer
        ("ord-1008", Status::NeedsCheck),      // remarks beat awaiting payment
        ("ord-1009", Status::NeedsCheck),      // card authorization failed
        ("ord-1011", Status::Ready),           // marketplace-paid frozen item
    ];
    let expected: Vec<(String, Status)> = expected
        .iter()
        .map(|(id, s)| ((*id).to_owned(), *s))
        .collect();
    assert_eq!(got, expected);

    let gift = report
        .items
        .iter()
        .find(|i| i.order_id.as_str() == "ord-1004")
        .unwrap();
    let gift = gift.outcome.as_ref().unwrap();
    assert!(
        gift.applied
            .iter()
            .any(|a| a.action == "hide_prices" && a.after == ichigen::rules::Snapshot::Flag(true))
    );
    let both = report
        .items
        .iter()
        .find(|i| i.order_id.as_str() == "ord-1008")
        .unwrap();
    assert_eq!(
        both.outcome.as_ref().unwrap().holds.len(),
        2,
        "unpaid and needs check are both open"
    );
    assert_eq!(report.totals.unmatched, 0);
    assert_eq!(report.totals.by_status.values().sum::<u64>(), 10);
}

#[test]
fn the_system_clock_reads_the_wall_clock() {
    use ichigen::clock::Clock;
    let now = ichigen::SystemClock.now();
    // The wall clock is past the day this test was written.
    assert!(now > chrono::DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z").unwrap());
}

/// The quickstart's shipping policy plans the sample orders as DOMAIN §3 says:
/// ordered Sunday 23:05 JST, the Monday is 勤労感謝の日, so work starts Tuesday 11/24.
#[test]
fn the_sample_batch_gets_the_ship_dates_a_shop_expects() {
    use ichigen::clock::Clock;
    use ichigen::shipdate::{PlanStatus, ShippingPolicy};
    let batch: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data("orders.json")).unwrap()).unwrap();
    let clock = FixedClock::parse(batch["as_of"].as_str().unwrap()).unwrap();
    let policy = ShippingPolicy::from_value(
        serde_json::from_str(&std::fs::read_to_string(data("shipping.json")).unwrap()).unwrap(),
    )
    .unwrap();
    let mut got = Vec::new();
    for entry in batch["orders"].as_array().unwrap() {
        let Ok(order) = parse_order_value(entry["order"].clone()) else {
            continue;
        };
        let plan = policy
            .plan_order(&order, clock.today_in(order.shop_zone))
            .unwrap();
        assert_eq!(plan.start_date.to_string(), "2026-11-24");
        assert_eq!(plan.status, PlanStatus::Ok);
        got.push((
            order.id.to_string(),
            plan.ship_date.to_string(),
            plan.delivery_date.unwrap().to_string(),
        ));
    }
    let expected = [
        ("ord-1001", "2026-11-25", "2026-11-26"), // Tokyo → Tokyo, 1 day
        ("ord-1002", "2026-11-25", "2026-11-26"), // → Osaka, neighbouring region
        ("ord-1003", "2026-11-25", "2026-11-27"), // → Hokkaido, 2 days
        ("ord-1004", "2026-11-25", "2026-11-26"),
        ("ord-1005", "2026-11-25", "2026-11-27"), // → Fukuoka, 2 days
        ("ord-1006", "2026-12-15", "2026-12-16"), // pre-order released 12/15
        ("ord-1007", "2026-11-25", "2026-11-28"), // → Okinawa, 3 days
        ("ord-1008", "2026-11-25", "2026-11-27"),
        ("ord-1009", "2026-11-25", "2026-11-27"),
        ("ord-1011", "2026-11-26", "2026-11-27"), // ICE-6 needs 2 handling days
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
        .collect();
    assert_eq!(got, expected);
}

/// The quickstart's stock file, with the orders reserved in arrival order: TEA-A
/// (3 in Tokyo) serves the first two orders that want it; the gift order and the
/// order whose card failed wait (引当待ち), and the example rule set holds them.
#[test]
fn the_sample_batch_reserves_stock_as_a_shop_expects() {
    use std::sync::Arc;

    use ichigen::stock::{
        AllocationPolicy, Allocator, Catalog, ReservationPolicy, ReserveRequest, StockBook,
        StockLevel,
    };
    let stock: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data("stock.json")).unwrap()).unwrap();
    let catalog = Arc::new(Catalog::from_json(stock["catalog"].clone()).unwrap());
    let policy: ReservationPolicy = serde_json::from_value(stock["policy"].clone()).unwrap();
    let mut book = StockBook::new(catalog.clone(), policy);
    let levels: Vec<StockLevel> = serde_json::from_value(stock["levels"].clone()).unwrap();
    for l in &levels {
        book.set_level(l).unwrap();
    }
    let allocation: AllocationPolicy = serde_json::from_value(stock["allocation"].clone()).unwrap();
    let mut allocator = Allocator::new(catalog, allocation).unwrap();
    assert_eq!(allocator.sync(&mut book).len(), 10);

    let batch: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data("orders.json")).unwrap()).unwrap();
    let clock = FixedClock::parse(batch["as_of"].as_str().unwrap()).unwrap();
    let rules = RuleSet::from_toml(&std::fs::read_to_string(data("rules.toml")).unwrap()).unwrap();
    let mut orders = Vec::new();
    let mut contexts = Vec::new();
    let mut stock_of = Vec::new();
    for entry in batch["orders"].as_array().unwrap() {
        let Ok(order) = parse_order_value(entry["order"].clone()) else {
            continue;
        };
        let mut ctx: TriageContext =
            serde_json::from_value(entry.get("context").cloned().unwrap_or_default())
                .unwrap_or_default();
        let out = book.reserve(&ReserveRequest::from_order(&order)).unwrap();
        out.facts().apply_to(&mut ctx);
        let locations: Vec<String> = out
            .reserved
            .iter()
            .map(|r| r.location.to_string())
            .collect();
        stock_of.push((order.id.to_string(), locations, out.backordered_units()));
        orders.push(order);
        contexts.push(ctx);
    }
    let expected_stock = [
        ("ord-1001", vec!["tokyo", "tokyo"], 0), // TEA-A ×2 and SWT-01 from Tokyo
        ("ord-1002", vec!["osaka"], 0),          // CUP-01 ×4: Osaka is nearest to 大阪府
        ("ord-1003", vec!["tokyo"], 0),          // the last TEA-A
        ("ord-1004", vec![], 1),                 // TEA-A is gone: waits
        ("ord-1005", vec!["tokyo"], 0),
        ("ord-1006", vec!["tokyo"], 0),
        ("ord-1007", vec!["tokyo"], 0), // Osaka keeps 1 of its 5 free CUP-01 (buffer 1)
        ("ord-1008", vec!["tokyo"], 0),
        ("ord-1009", vec![], 3),
        ("ord-1011", vec!["osaka"], 0), // the frozen item is in Osaka
    ];
    let expected_stock: Vec<(String, Vec<String>, i64)> = expected_stock
        .iter()
        .map(|(id, locs, waits)| {
            (
                (*id).to_owned(),
                locs.iter().map(|l| (*l).to_owned()).collect(),
                *waits,
            )
        })
        .collect();
    assert_eq!(stock_of, expected_stock);
    assert!(book.reconcile().ok);

    let report = dry_run(&rules, &orders, &contexts, &clock).unwrap();
    let status = |id: &str| {
        let item = report
            .items
            .iter()
            .find(|i| i.order_id.as_str() == id)
            .unwrap();
        item.outcome.as_ref().unwrap().clone()
    };
    assert_eq!(status("ord-1004").status, Status::AwaitingStock);
    let failed_card = status("ord-1009");
    assert_eq!(
        failed_card.status,
        Status::NeedsCheck,
        "needs check comes first"
    );
    assert!(
        failed_card
            .holds
            .iter()
            .any(|h| h.status() == Status::AwaitingStock)
    );
    assert_eq!(status("ord-1001").status, Status::Ready);

    // Only the listings these orders changed are pushed.
    let deltas: Vec<(String, i64, Option<i64>)> = allocator
        .sync(&mut book)
        .into_iter()
        .map(|d| {
            (
                format!("{}/{}", d.channel.as_str(), d.listing),
                d.quantity,
                d.previous,
            )
        })
        .collect();
    assert!(deltas.contains(&("rakuten/tea-set-a".to_owned(), 0, Some(3))));
    assert!(deltas.contains(&("rakuten/tea-cup-gift".to_owned(), 0, Some(3))));
    assert!(deltas.contains(&("yahoo/cup-01".to_owned(), 1, Some(4)))); // 50% of 3
    assert!(!deltas.iter().any(|d| d.0 == "shopify/kettle-2027")); // fixed 2 of 4 free: still 2
    assert_eq!(deltas.len(), 9);
}

/// The quickstart's shipment policy: the Rakuten order with chilled sweets becomes
/// two boxes (the fee on the first), the COD order by ネコポス cannot go by mail,
/// and no two sample orders may ship together (different stores or people).
#[test]
fn the_sample_batch_ships_as_a_shop_expects() {
    use ichigen::shipment::{MailReason, Planner};
    let planner = Planner::new(
        serde_json::from_str(&std::fs::read_to_string(data("shipments.json")).unwrap()).unwrap(),
    )
    .unwrap();
    let batch: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data("orders.json")).unwrap()).unwrap();
    let orders: Vec<_> = batch["orders"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| parse_order_value(e["order"].clone()).ok())
        .collect();
    let boxes: Vec<(String, usize)> = orders
        .iter()
        .map(|o| {
            let plan = planner.split(o, &[]).unwrap();
            let total = ichigen::validate::compute_totals(o).total;
            assert_eq!(plan.total().total, total, "{}", o.id);
            (o.id.to_string(), plan.shipments.len())
        })
        .collect();
    assert_eq!(boxes[0], ("ord-1001".to_owned(), 2));
    assert!(boxes[1..].iter().all(|b| b.1 == 1), "{boxes:?}");
    let first = planner.split(&orders[0], &[]).unwrap();
    assert_eq!(
        first.shipments[0].money.shipping_fee,
        orders[0].shipping_fee
    );
    assert!(first.shipments[1].money.shipping_fee.is_zero());
    let cod = orders.iter().find(|o| o.id.as_str() == "ord-1005").unwrap();
    let verdict = planner.mail(cod);
    assert_eq!(verdict.reasons, vec![MailReason::Cod]);
    assert_eq!(verdict.load.to_string(), "1/3");
    assert!(planner.merge_candidates(&orders, &[]).groups.is_empty());
}

/// The quickstart's analytics: the sample orders' buyers resolved by 名寄せ, their
/// sales by channel add up to the orders' totals, and every customer is active
/// (the batch spans days) and 初回 or よちよち by their number of orders.
#[test]
fn the_sample_batch_analytics_add_up() {
    use ichigen::analytics::{Axis, CpmConfig, OrderHistory, SalesQuery, Segment};
    use ichigen::identity::{IdentityConfig, IdentityRecord, Resolver};
    let batch: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data("orders.json")).unwrap()).unwrap();
    let orders: Vec<_> = batch["orders"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| parse_order_value(e["order"].clone()).ok())
        .collect();
    let records: Vec<IdentityRecord> = orders.iter().map(IdentityRecord::from_order).collect();
    let config = IdentityConfig::from_json(serde_json::json!({})).unwrap();
    let (mut resolver, _) =
        Resolver::resolve(config, records.iter().map(IdentityRecord::view), &[]);
    let ids: Vec<String> = orders
        .iter()
        .map(|o| format!("C{}", resolver.customer_of(o.id.as_str()).unwrap()))
        .collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let history = OrderHistory::from_orders(&orders, &refs).unwrap();
    let sales = history
        .sales(&SalesQuery {
            group_by: vec![Axis::Channel],
            ..SalesQuery::default()
        })
        .unwrap();
    let total: rust_decimal::Decimal = orders
        .iter()
        .map(|o| ichigen::validate::compute_totals(o).total)
        .sum();
    let revenue: i128 = sales
        .rows_json(None)
        .iter()
        .map(|r| r["revenue"].as_str().unwrap().parse::<i128>().unwrap())
        .sum();
    assert_eq!(rust_decimal::Decimal::from(revenue), total);
    // Several buyers are the same person on several channels.
    assert!(history.customer_ids().len() < orders.len());
    use ichigen::clock::Clock;
    let as_of = FixedClock::parse(batch["as_of"].as_str().unwrap())
        .unwrap()
        .today_in(history.zone());
    let cpm = history.cpm(&CpmConfig::new(as_of)).unwrap();
    for (i, &c) in cpm.customer.iter().enumerate() {
        let id = &history.customer_ids()[c as usize];
        let n = ids.iter().filter(|x| *x == id).count();
        let want = if n == 1 {
            Segment::FirstActive
        } else {
            Segment::EarlyActive
        };
        assert_eq!(cpm.segment[i], want, "{id}");
    }
}
