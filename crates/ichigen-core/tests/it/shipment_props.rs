//! Shipment invariants for any order, policy and reservations:
//!
//! - money is conserved to the yen: the shipments' merchandise, fees, discounts,
//!   tax added, totals and per-rate taxable amounts and taxes add up exactly to the
//!   order's own totals, whatever the fee rules;
//! - units are conserved: every line's quantity is shipped exactly once, no
//!   shipment is empty, no shipment line is zero;
//! - no shipment is worth less than zero;
//! - a package holds at most `max_units`, unless one unit alone is over capacity;
//! - planning is deterministic;
//! - merging two orders and un-merging them keeps every total exact.

use std::collections::BTreeMap;

use ichigen_core::order::Order;
use ichigen_core::shipment::{
    Capacity, CarrierProfile, FeePolicy, FeeRule, ItemSpec, MailFraction, OrderFacts, Planner,
    Reservation, ShipmentMoney, ShipmentPolicy, SplitKey,
};
use ichigen_core::validate::{compute_totals, parse_order_value};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};

const SKUS: [&str; 5] = ["A", "B", "C", "D", "E"];
const ZONES: [&str; 3] = ["ambient", "chilled", "frozen"];
const ROUNDINGS: [&str; 4] = ["floor", "ceil", "half_up", "half_even"];

#[derive(Debug, Clone)]
struct LineGen {
    sku: usize,
    quantity: u32,
    price: u32,
    reduced: bool,
    zone: usize,
    release: Option<u8>,
    recipient: bool,
    reserved: Option<(u32, bool)>,
}

fn line_gen() -> impl Strategy<Value = LineGen> {
    (
        0..SKUS.len(),
        1u32..8,
        0u32..20_000,
        any::<bool>(),
        0..3usize,
        prop::option::of(0u8..2),
        any::<bool>(),
        prop::option::of((0u32..8, any::<bool>())),
    )
        .prop_map(
            |(sku, quantity, price, reduced, zone, release, recipient, reserved)| LineGen {
                sku,
                quantity,
                price,
                reduced,
                zone,
                release,
                recipient,
                reserved,
            },
        )
}

#[derive(Debug, Clone)]
struct OrderGen {
    lines: Vec<LineGen>,
    two_recipients: bool,
    fee: u32,
    cod: Option<u32>,
    coupon_pct: u32,
    points_pct: u32,
    exclusive: bool,
    rounding: usize,
    mail: bool,
}

fn order_gen() -> impl Strategy<Value = OrderGen> {
    (
        prop::collection::vec(line_gen(), 1..7),
        any::<bool>(),
        0u32..1_500,
        prop::option::of(0u32..600),
        0u32..50,
        0u32..50,
        any::<bool>(),
        0..4usize,
        any::<bool>(),
    )
        .prop_map(
            |(
                lines,
                two_recipients,
                fee,
                cod,
                coupon_pct,
                points_pct,
                exclusive,
                rounding,
                mail,
            )| {
                OrderGen {
                    lines,
                    two_recipients,
                    fee,
                    cod,
                    coupon_pct,
                    points_pct,
                    exclusive,
                    rounding,
                    mail,
                }
            },
        )
}

fn order_json(g: &OrderGen, id: &str) -> Value {
    let lines: Vec<Value> = g
        .lines
        .iter()
        .map(|l| {
            let mut v = json!({
                "listing_code": SKUS[l.sku].to_lowercase(),
                "sku": SKUS[l.sku],
                "name": "item",
                "quantity": l.quantity,
                "unit_price": l.price.to_string(),
                "tax_rate": if l.reduced { "0.08" } else { "0.10" },
                "temperature": ZONES[l.zone],
            });
            if let Some(r) = l.release {
                v["release_date"] = json!(if r == 0 { "2026-12-10" } else { "2027-01-15" });
            }
            if g.two_recipients && l.recipient {
                v["recipient"] = json!(1);
            }
            v
        })
        .collect();
    let merchandise: u64 = g
        .lines
        .iter()
        .map(|l| u64::from(l.price) * u64::from(l.quantity))
        .sum();
    // Discounts as a share of the merchandise, so that they never exceed the total.
    let coupon = merchandise * u64::from(g.coupon_pct) / 100;
    let points = merchandise * u64::from(g.points_pct) / 100;
    let recipient = json!({"name": "受取 人", "postal_code": "150-0001", "prefecture": "東京都", "address1": "渋谷区神宮前1-2-3"});
    let mut recipients = vec![recipient.clone()];
    if g.two_recipients {
        recipients.push(json!({"name": "別 人", "postal_code": "530-0001", "prefecture": "大阪府", "address1": "大阪市北区梅田1-1-1"}));
    }
    let mut o = json!({
        "id": id,
        "channel": "rakuten",
        "store": "s",
        "channel_order_number": format!("n-{id}"),
        "ordered_at": "2026-11-22T01:00:00Z",
        "pricing": {
            "tax_mode": if g.exclusive { "exclusive" } else { "inclusive" },
            "tax_rounding": ROUNDINGS[g.rounding],
        },
        "buyer": {"name": "買 い手"},
        "recipients": recipients,
        "lines": lines,
        "payment": {"method": if g.cod.is_some() { "cod" } else { "credit_card" }},
        "shipping": if g.mail {
            json!({"method": "nekopos", "class": "mail_packet"})
        } else {
            json!({"method": "takkyubin"})
        },
        "shipping_fee": g.fee.to_string(),
        "discounts": {"coupon": coupon.to_string(), "points": points.to_string()},
    });
    if let Some(c) = g.cod {
        o["cod_fee"] = json!(c.to_string());
    }
    o
}

fn reservations(g: &OrderGen, id: Option<&str>) -> Vec<Reservation> {
    g.lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let (q, east) = l.reserved?;
            Some(Reservation {
                order: id.map(Into::into),
                line: i as u32,
                location: Some(if east { "east" } else { "west" }.into()),
                quantity: q.min(l.quantity),
                sku: None,
            })
        })
        .collect()
}

fn rule() -> impl Strategy<Value = FeeRule> {
    prop_oneof![
        Just(FeeRule::First),
        Just(FeeRule::Proportional),
        Just(FeeRule::Carrier)
    ]
}

fn discount_rule() -> impl Strategy<Value = FeeRule> {
    prop_oneof![Just(FeeRule::First), Just(FeeRule::Proportional)]
}

fn policy_gen() -> impl Strategy<Value = ShipmentPolicy> {
    let keys = prop::sample::subsequence(
        vec![
            SplitKey::TemperatureZone,
            SplitKey::ShippingMethod,
            SplitKey::Stock,
            SplitKey::ReleaseDate,
            SplitKey::Location,
            SplitKey::Capacity,
        ],
        0..=6,
    );
    (
        keys,
        prop::option::of(1u32..6),
        prop::option::of(300u32..3_000),
        (rule(), rule(), discount_rule(), discount_rule()),
        prop::collection::vec((0u32..1_500, 0u32..4, 1u32..5), SKUS.len()),
        0u32..3,
    )
        .prop_map(
            |(split_by, max_units, max_weight_g, fees, specs, freight)| {
                let items = specs
                    .iter()
                    .enumerate()
                    .map(|(i, &(weight, num, den))| ItemSpec {
                        sku: SKUS[i].into(),
                        weight_g: Some(weight),
                        mail_fraction: MailFraction::new(num, den),
                        length_mm: None,
                        width_mm: None,
                        thickness_mm: None,
                        // Some items always ship by freight.
                        shipping_method: (i == 0 && freight > 0).then(|| "freight".into()),
                        shipping_class: None,
                    })
                    .collect();
                let profile = |code: &str, fee: i64| CarrierProfile {
                    code: code.into(),
                    carrier: None,
                    class: ichigen_core::order::ShippingClass::Parcel,
                    max_length_mm: None,
                    max_width_mm: None,
                    max_thickness_mm: None,
                    max_three_sides_mm: None,
                    max_weight_g: None,
                    cod: true,
                    cool: true,
                    time_slot: true,
                    fee: Some(Decimal::from(fee)),
                    cool_fee: Some(Decimal::from(230)),
                };
                let mut nekopos = ichigen_core::shipment::builtin_profiles().remove(0);
                nekopos.fee = Some(Decimal::from(385));
                ShipmentPolicy {
                    split_by,
                    capacity: Capacity {
                        max_units,
                        max_weight_g,
                    },
                    fees: FeePolicy {
                        shipping_fee: fees.0,
                        cod_fee: fees.1,
                        coupon: fees.2,
                        points: fees.3,
                    },
                    items,
                    profiles: vec![
                        profile("takkyubin", 930),
                        profile("freight", 2_400),
                        nekopos,
                    ],
                    ..ShipmentPolicy::default()
                }
            },
        )
}

fn totals_as_money(order: &Order) -> ShipmentMoney {
    let t = compute_totals(order);
    ShipmentMoney {
        merchandise: t.merchandise,
        shipping_fee: t.shipping_fee,
        cod_fee: t.cod_fee,
        coupon: order.discounts.coupon,
        points: order.discounts.points,
        tax_added: t.tax_added,
        total: t.total,
        tax: t.tax,
    }
}

/// Per-rate (taxable, tax), ignoring rates with nothing on them.
fn rates(m: &ShipmentMoney) -> BTreeMap<Decimal, (Decimal, Decimal)> {
    let mut out: BTreeMap<Decimal, (Decimal, Decimal)> = BTreeMap::new();
    for t in &m.tax {
        let e = out.entry(t.rate.normalize()).or_default();
        e.0 += t.taxable;
        e.1 += t.tax;
    }
    out.retain(|_, v| !v.0.is_zero() || !v.1.is_zero());
    out
}

fn assert_same_money(got: &ShipmentMoney, want: &ShipmentMoney) -> Result<(), TestCaseError> {
    prop_assert_eq!(got.merchandise, want.merchandise);
    prop_assert_eq!(got.shipping_fee, want.shipping_fee);
    prop_assert_eq!(got.cod_fee, want.cod_fee);
    prop_assert_eq!(got.coupon, want.coupon);
    prop_assert_eq!(got.points, want.points);
    prop_assert_eq!(got.tax_added, want.tax_added);
    prop_assert_eq!(got.total, want.total);
    prop_assert_eq!(rates(got), rates(want));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn a_split_never_creates_or_loses_a_yen(g in order_gen(), policy in policy_gen()) {
        let order = parse_order_value(order_json(&g, "o1")).expect("generated orders are valid");
        let planner = Planner::new(policy.clone()).unwrap();
        let stock = reservations(&g, Some("o1"));
        let plan = planner.split(&order, &stock).unwrap();

        // Money, field by field and rate by rate.
        let want = totals_as_money(&order);
        assert_same_money(&plan.total(), &want)?;
        for s in &plan.shipments {
            // Each shipment's own money is consistent and never negative.
            let m = &s.money;
            prop_assert_eq!(
                m.total,
                m.merchandise + m.shipping_fee + m.cod_fee + m.tax_added - m.coupon - m.points
            );
            prop_assert!(m.total >= Decimal::ZERO, "a shipment below zero: {:?}", m);
            let lines: Decimal = s.lines.iter().map(|l| l.amount).sum();
            prop_assert_eq!(lines, m.merchandise);
            prop_assert!(!s.lines.is_empty());
            prop_assert!(s.lines.iter().all(|l| l.quantity > 0));
            if let (Some(max), false) = (policy.capacity.max_units, s.over_capacity) {
                if policy.split_by.contains(&SplitKey::Capacity) {
                    let units: u32 = s.lines.iter().map(|l| l.quantity).sum();
                    prop_assert!(units <= max);
                }
            }
        }

        // Units: every line shipped exactly once.
        for (i, line) in order.lines.iter().enumerate() {
            let shipped: u32 = plan
                .shipments
                .iter()
                .flat_map(|s| &s.lines)
                .filter(|l| l.line as usize == i)
                .map(|l| l.quantity)
                .sum();
            prop_assert_eq!(shipped, line.quantity);
        }

        // Deterministic.
        prop_assert_eq!(planner.split(&order, &stock).unwrap(), plan);
    }

    #[test]
    fn merge_and_unmerge_keep_totals_exact(
        a in order_gen(),
        b in order_gen(),
        policy in policy_gen(),
    ) {
        // Two orders on the same terms: b takes a's payment, shipping and recipients.
        let mut b = b;
        b.cod = a.cod.map(|_| b.cod.unwrap_or(0));
        b.mail = a.mail;
        b.two_recipients = false;
        let mut a = a;
        a.two_recipients = false;
        // The same temperature zones, so that the merge keys agree.
        let zones: Vec<usize> = a.lines.iter().map(|l| l.zone).collect();
        for (i, l) in b.lines.iter_mut().enumerate() {
            l.zone = zones[i % zones.len()];
        }
        for l in a.lines.iter_mut() {
            if !b.lines.iter().any(|x| x.zone == l.zone) {
                l.zone = b.lines[0].zone;
            }
        }
        let oa = parse_order_value(order_json(&a, "o1")).unwrap();
        let mut vb = order_json(&b, "o2");
        vb["ordered_at"] = json!("2026-11-22T03:00:00Z");
        let ob = parse_order_value(vb).unwrap();
        let planner = Planner::new(policy).unwrap();
        let facts = [OrderFacts::default(), OrderFacts::default()];
        let mut stock = reservations(&a, Some("o1"));
        stock.extend(reservations(&b, Some("o2")));
        let merged = match planner.merge(&[&oa, &ob], &facts, &stock) {
            Ok(p) => p,
            // 0-yen orders cannot be merged; nothing to check then.
            Err(e) => {
                prop_assert_eq!(e.issues()[0].code.as_str(), "SHIPMENT_MERGE_ZERO_YEN");
                return Ok(());
            }
        };
        let mut want = totals_as_money(&oa);
        want.add(&totals_as_money(&ob));
        assert_same_money(&merged.total(), &want)?;
        // Each order's parts add up to that order.
        for (i, o) in [&oa, &ob].iter().enumerate() {
            let idx = merged.orders.iter().position(|x| x == &o.id).unwrap() as u32;
            let mut part = ShipmentMoney::default();
            for s in &merged.shipments {
                for p in s.parts.iter().filter(|p| p.order == idx) {
                    part.add(&p.money);
                }
            }
            prop_assert!(i < 2);
            assert_same_money(&part, &totals_as_money(o))?;
        }
        let plans = planner
            .unmerge(&merged.orders, &merged.total(), &[&ob, &oa], &stock)
            .unwrap();
        prop_assert_eq!(plans.len(), 2);
        let mut back = ShipmentMoney::default();
        for p in &plans {
            back.add(&p.total());
        }
        assert_same_money(&back, &want)?;
    }
}

fn variant_order(i: usize, v: &(usize, usize, usize, usize, usize, usize)) -> Order {
    let names = ["山田 太郎", "山田　太郎", "山田太郎様", "山田 次郎"];
    let postals = ["150-0001", "１５００００１", "〒150-0001", "150-0002"];
    let streets = [
        "渋谷区神宮前1-2-3",
        "渋谷区神宮前一丁目２番地３号",
        "東京都渋谷区神宮前1-2-3",
    ];
    let slots = [None, Some("1820")];
    let stores = ["s1", "s2"];
    let pays = ["credit_card", "cod"];
    let mut o: Value = serde_json::from_str(ichigen_core::sample::ORDER_JSON).unwrap();
    o["id"] = json!(format!("o{i}"));
    o["ordered_at"] = json!(format!("2026-11-22T{:02}:00:00Z", i % 24));
    o["stated"] = json!({});
    o["recipients"][0]["name"] = json!(names[v.0]);
    o["recipients"][0]["postal_code"] = json!(postals[v.1]);
    o["recipients"][0]["address1"] = json!(streets[v.2]);
    if let Some(s) = slots[v.3] {
        o["shipping"]["time_slot"] = json!(s);
    }
    o["store"] = json!(stores[v.4]);
    o["payment"] = json!({"method": pays[v.5]});
    if v.5 == 1 {
        o["cod_fee"] = json!("330");
    }
    parse_order_value(o).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The screen that spares most orders normalization never hides a pair that
    /// may merge: the groups are exactly the classes of merge_check.
    #[test]
    fn candidates_are_exactly_the_mergeable_pairs(
        variants in prop::collection::vec((0..4usize, 0..4usize, 0..3usize, 0..2usize, 0..2usize, 0..2usize), 2..12),
    ) {
        let orders: Vec<Order> = variants.iter().enumerate().map(|(i, v)| variant_order(i, v)).collect();
        let planner = Planner::new(ShipmentPolicy::default()).unwrap();
        let found = planner.merge_candidates(&orders, &[]);
        let none = OrderFacts::default();
        for a in 0..orders.len() {
            for b in a + 1..orders.len() {
                let (ok, _) = planner.merge_check(&orders[a], &orders[b], [&none, &none]);
                let together = found
                    .groups
                    .iter()
                    .any(|g| g.orders.contains(&(a as u32)) && g.orders.contains(&(b as u32)));
                prop_assert_eq!(ok, together, "orders {} and {}", a, b);
            }
        }
    }
}

/// Above 20000 orders to normalize the search runs on several threads; the answer
/// is the same as on one.
#[test]
fn candidates_do_not_depend_on_threads() {
    let orders: Vec<Order> = (0..24_000)
        .map(|i| {
            variant_order(
                i,
                &(
                    i % 3,
                    (i / 3) % 3,
                    (i / 9) % 3,
                    (i / 27) % 2,
                    (i / 54) % 2,
                    0,
                ),
            )
        })
        .collect();
    let one = Planner::new(ShipmentPolicy {
        threads: Some(1),
        ..ShipmentPolicy::default()
    })
    .unwrap()
    .merge_candidates(&orders, &[]);
    let four = Planner::new(ShipmentPolicy {
        threads: Some(4),
        ..ShipmentPolicy::default()
    })
    .unwrap()
    .merge_candidates(&orders, &[]);
    assert!(!one.groups.is_empty());
    assert_eq!(one, four);
}
