//! Money: for random valid orders the totals add up, each rate's tax is within one
//! minor unit of the exact value (rounded in the stated direction), and an order
//! stating the computed totals validates cleanly.

use ichigen_core::ids::ListingCode;
use ichigen_core::money::{Currency, Rounding};
use ichigen_core::order::{
    LineOptions, Order, OrderLine, PaymentMethod, StatedTax, TaxMode, TemperatureZone,
};
use ichigen_core::validate::{compute_totals, grand_total, validate_order};
use proptest::prelude::*;
use rust_decimal::Decimal;

const RATES: [(i64, u32); 3] = [(0, 0), (8, 2), (10, 2)];

fn rate(i: usize) -> Decimal {
    Decimal::new(RATES[i].0, RATES[i].1)
}

#[derive(Debug, Clone)]
struct Spec {
    cny: bool,
    exclusive: bool,
    rounding: Rounding,
    fee_rate: usize,
    lines: Vec<(u32, i64, usize)>,
    shipping_fee: i64,
    cod_fee: Option<i64>,
    discount_share: (u32, u32),
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        any::<bool>(),
        any::<bool>(),
        prop::sample::select(vec![
            Rounding::Floor,
            Rounding::Ceil,
            Rounding::HalfUp,
            Rounding::HalfEven,
        ]),
        1usize..3,
        prop::collection::vec((1u32..6, 0i64..200_000, 0usize..3), 1..7),
        0i64..3000,
        prop::option::of(0i64..1000),
        (0u32..=100, 0u32..=100),
    )
        .prop_map(
            |(cny, exclusive, rounding, fee_rate, lines, shipping_fee, cod_fee, discount_share)| {
                Spec {
                    cny,
                    exclusive,
                    rounding,
                    fee_rate,
                    lines,
                    shipping_fee,
                    cod_fee,
                    discount_share,
                }
            },
        )
}

/// Builds a valid order from the spec: in yuan, prices carry fen; discounts stay
/// within the merchandise and fees.
fn build(s: &Spec) -> Order {
    let mut o = ichigen_core::sample::order();
    let scale = if s.cny { 2 } else { 0 };
    if s.cny {
        o.currency = Currency::parse("CNY").unwrap();
    }
    o.pricing.tax_mode = if s.exclusive {
        TaxMode::Exclusive
    } else {
        TaxMode::Inclusive
    };
    o.pricing.tax_rounding = s.rounding;
    o.pricing.fee_tax_rate = rate(s.fee_rate);
    o.lines = s
        .lines
        .iter()
        .enumerate()
        .map(|(i, &(quantity, price, r))| OrderLine {
            listing_code: ListingCode::new(format!("item-{i}")),
            sku: None,
            name: "商品".into(),
            quantity,
            unit_price: Decimal::new(price, scale),
            tax_rate: rate(r),
            temperature: TemperatureZone::Ambient,
            options: LineOptions::default(),
            release_date: None,
            made_to_order: false,
            needs_confirmation: false,
            product_group: None,
            recipient: 0,
        })
        .collect();
    o.shipping_fee = Decimal::new(s.shipping_fee, scale);
    match s.cod_fee {
        Some(fee) => {
            o.payment.method = PaymentMethod::Cod;
            o.cod_fee = Decimal::new(fee, scale);
        }
        None => o.cod_fee = Decimal::ZERO,
    }
    let gross: Decimal =
        o.lines.iter().map(OrderLine::amount).sum::<Decimal>() + o.shipping_fee + o.cod_fee;
    let part = |pct: u32| {
        (gross * Decimal::from(pct) / Decimal::from(200))
            .round_dp_with_strategy(scale, rust_decimal::RoundingStrategy::ToZero)
    };
    o.discounts.coupon = part(s.discount_share.0);
    o.discounts.points = part(s.discount_share.1);
    o.stated = Default::default();
    o
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_fast_total_is_the_computed_total(s in spec()) {
        let order = build(&s);
        prop_assert_eq!(grand_total(&order), compute_totals(&order).total);
    }

    #[test]
    fn totals_add_up(s in spec()) {
        let order = build(&s);
        let t = compute_totals(&order);
        let unit = Decimal::new(1, order.currency.minor_units());
        let fees = order.shipping_fee + order.cod_fee;

        let merchandise: Decimal = order.lines.iter().map(|l| l.unit_price * Decimal::from(l.quantity)).sum();
        prop_assert_eq!(t.merchandise, merchandise);
        prop_assert_eq!(t.discount, order.discounts.coupon + order.discounts.points);
        prop_assert_eq!(t.total, t.merchandise + fees + t.tax_added - t.discount);
        let taxable: Decimal = t.tax.iter().map(|l| l.taxable).sum();
        prop_assert_eq!(taxable, t.merchandise + fees);
        let tax_sum: Decimal = t.tax.iter().map(|l| l.tax).sum();
        prop_assert_eq!(t.tax_added, if s.exclusive { tax_sum } else { Decimal::ZERO });
        prop_assert!(!t.total.is_sign_negative() || t.total.is_zero(), "discounts stay within the gross, yet total {}", t.total);

        // One row per rate, ascending, written with two decimals.
        for w in t.tax.windows(2) {
            prop_assert!(w[0].rate < w[1].rate);
        }
        for line in &t.tax {
            prop_assert!(line.rate.scale() >= 2, "rate {} shown with fewer than two decimals", line.rate);
            let exact = if s.exclusive { line.taxable * line.rate } else { line.taxable * line.rate / (Decimal::ONE + line.rate) };
            let diff = line.tax - exact;
            prop_assert!(diff.abs() < unit, "tax {} vs exact {} at {}", line.tax, exact, line.rate);
            prop_assert!(order.currency.fits(line.tax), "tax {} has more decimals than {}", line.tax, order.currency);
            match s.rounding {
                Rounding::Floor => prop_assert!(line.tax <= exact),
                Rounding::Ceil => prop_assert!(line.tax >= exact),
                _ => prop_assert!(diff.abs() * Decimal::TWO <= unit, "half rounding off by more than half a unit"),
            }
            // The rows' rates are exactly the rates in use.
            let used = order.lines.iter().any(|l| l.tax_rate == line.rate)
                || (!fees.is_zero() && order.pricing.fee_tax_rate == line.rate);
            prop_assert!(used, "rate {} not used by any line or fee", line.rate);
        }
    }

    #[test]
    fn stating_the_computed_totals_validates(s in spec()) {
        let mut order = build(&s);
        prop_assert_eq!(validate_order(&order), vec![]);
        let t = compute_totals(&order);
        order.stated.total = Some(t.total);
        order.stated.tax = t.tax.iter().map(|l| StatedTax { rate: l.rate, tax: l.tax }).collect();
        prop_assert_eq!(validate_order(&order), vec![]);
        // And the JSON round trip keeps it valid and equal.
        let json = serde_json::to_value(&order).unwrap();
        let back = ichigen_core::validate::parse_order_value(json).unwrap();
        prop_assert_eq!(back, order.clone());

        // A stated total one unit off is caught.
        let unit = Decimal::new(1, order.currency.minor_units());
        order.stated.total = Some(t.total + unit);
        let codes: Vec<String> = validate_order(&order).into_iter().map(|i| i.code).collect();
        prop_assert_eq!(codes, vec!["ORDER_TOTAL_MISMATCH".to_owned()]);
    }
}
