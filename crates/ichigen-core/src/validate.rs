//! Parsing and validating orders, and computing their totals and tax per rate.
//!
//! [`parse_order_json`] / [`parse_order_value`] turn JSON into an [`Order`] and check
//! it; [`validate_order`] checks an order already in memory and returns every
//! problem with its JSON path; [`compute_totals`] gives the totals the checks compare
//! with what the channel stated.
//!
//! Tax: line prices are tax-inclusive by default (税込), as Japanese marketplaces
//! show them. Tax is computed once per rate per order from the sum of that rate's
//! amounts, and rounded with the order's [`Rounding`](crate::money::Rounding)
//! (truncation by default). The shipping and COD fees are taxed at
//! `pricing.fee_tax_rate`. Coupons and points reduce what the buyer is charged;
//! they are treated as payment-side reductions (as marketplace-funded coupons and
//! points are) and do not reduce the taxable amounts.
//!
//! ```
//! use ichigen_core::validate::{compute_totals, parse_order_json};
//! let order = parse_order_json(ichigen_core::sample::ORDER_JSON)?;
//! let totals = compute_totals(&order);
//! assert_eq!(totals.total.to_string(), "5390");
//! // 10% on 3300 + 660 + the 550 fee = 4510, tax-inclusive: floor(4510 × 10/110) = 410.
//! assert_eq!(totals.tax[1].rate.to_string(), "0.10");
//! assert_eq!(totals.tax[1].tax.to_string(), "410");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Issue, issue_from_serde, json_path};
use crate::lifecycle::Phase;
use crate::money::{Amount, Currency, amount_serde};
use crate::order::{Order, Party, PaymentMethod, TaxMode};
use crate::text::digits;

/// Totals computed from an order's lines, fees and discounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// The order's currency.
    pub currency: Currency,
    /// Σ quantity × unit price, as priced (inclusive or exclusive of tax).
    #[serde(with = "amount_serde")]
    pub merchandise: Amount,
    /// Shipping fee.
    #[serde(with = "amount_serde")]
    pub shipping_fee: Amount,
    /// COD fee.
    #[serde(with = "amount_serde")]
    pub cod_fee: Amount,
    /// Coupon plus points.
    #[serde(with = "amount_serde")]
    pub discount: Amount,
    /// Tax added on top (exclusive pricing only; zero when prices include tax).
    #[serde(with = "amount_serde")]
    pub tax_added: Amount,
    /// What the buyer is charged.
    #[serde(with = "amount_serde")]
    pub total: Amount,
    /// Tax per rate, ascending by rate.
    pub tax: Vec<TaxLine>,
}

/// The taxable amount and tax at one rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxLine {
    /// The rate, with at least two decimals (`0.10`, `0.08`, `0.00`).
    #[serde(with = "amount_serde")]
    pub rate: Decimal,
    /// Amounts at this rate, as priced.
    #[serde(with = "amount_serde")]
    pub taxable: Amount,
    /// The tax, rounded once.
    #[serde(with = "amount_serde")]
    pub tax: Amount,
}

/// Computes the totals of an order.
pub fn compute_totals(order: &Order) -> Totals {
    whole_yen_totals(order).unwrap_or_else(|| decimal_totals(order))
}

/// [`compute_totals`] in integers, for the common case: a currency without minor
/// units and every amount a whole number that fits 64 bits. `None` otherwise.
/// The result is the decimal computation's, value and scale (the proptest
/// `whole_yen_totals_equal_decimal_totals` holds it to that).
fn whole_yen_totals(order: &Order) -> Option<Totals> {
    fn whole(d: Decimal) -> Option<i64> {
        if d.scale() == 0 {
            i64::try_from(d.mantissa()).ok()
        } else {
            None
        }
    }
    if order.currency.minor_units() != 0 {
        return None;
    }
    let mut rates: Vec<(Decimal, i64)> = Vec::with_capacity(2);
    let mut add = |rate: Decimal, amount: i64| -> Option<()> {
        match rates.iter_mut().find(|t| t.0 == rate) {
            Some(t) => t.1 = t.1.checked_add(amount)?,
            None => rates.push((rate, amount)),
        }
        Some(())
    };
    let mut merchandise = 0i64;
    for line in &order.lines {
        let amount = whole(line.unit_price)?.checked_mul(i64::from(line.quantity))?;
        merchandise = merchandise.checked_add(amount)?;
        add(line.tax_rate, amount)?;
    }
    let fees = whole(order.shipping_fee)?.checked_add(whole(order.cod_fee)?)?;
    if fees != 0 {
        add(order.pricing.fee_tax_rate, fees)?;
    }
    let discount = whole(order.discounts.coupon)?.checked_add(whole(order.discounts.points)?)?;
    if rates.len() > 1 {
        rates.sort_by_key(|t| t.0);
    }
    let exclusive = order.pricing.tax_mode == TaxMode::Exclusive;
    let mut tax_added = 0i64;
    let mut tax = Vec::with_capacity(rates.len());
    for (rate, taxable) in rates {
        let t = tax_at(
            Decimal::from(taxable),
            rate,
            exclusive,
            order.pricing.tax_rounding,
            0,
        );
        if exclusive {
            tax_added = tax_added.checked_add(whole(t)?)?;
        }
        tax.push(TaxLine {
            rate: display_rate(rate),
            taxable: Decimal::from(taxable),
            tax: t,
        });
    }
    let total = merchandise
        .checked_add(fees)?
        .checked_add(tax_added)?
        .checked_sub(discount)?;
    Some(Totals {
        currency: order.currency,
        merchandise: Decimal::from(merchandise),
        shipping_fee: order.shipping_fee,
        cod_fee: order.cod_fee,
        discount: Decimal::from(discount),
        tax_added: Decimal::from(tax_added),
        total: Decimal::from(total),
        tax,
    })
}

/// [`compute_totals`] in decimals, for any currency and amount.
fn decimal_totals(order: &Order) -> Totals {
    // Few rates per order: a short list, which becomes the tax table in place.
    let mut tax: Vec<TaxLine> = Vec::with_capacity(2);
    let mut add = |rate: Decimal, amount: Amount| match tax.iter_mut().find(|t| t.rate == rate) {
        Some(t) => t.taxable += amount,
        None => tax.push(TaxLine {
            rate,
            taxable: amount,
            tax: Decimal::ZERO,
        }),
    };
    let mut merchandise = Decimal::ZERO;
    for line in &order.lines {
        let amount = line.amount();
        merchandise += amount;
        add(line.tax_rate, amount);
    }
    let fees = order.shipping_fee + order.cod_fee;
    if !fees.is_zero() {
        add(order.pricing.fee_tax_rate, fees);
    }
    if tax.len() > 1 {
        tax.sort_by_key(|t| t.rate);
    }
    let digits = order.currency.minor_units();
    let rounding = order.pricing.tax_rounding;
    let exclusive = order.pricing.tax_mode == TaxMode::Exclusive;
    let mut tax_added = Decimal::ZERO;
    for t in tax.iter_mut() {
        t.tax = tax_at(t.taxable, t.rate, exclusive, rounding, digits);
        t.rate = display_rate(t.rate);
        if exclusive {
            tax_added += t.tax;
        }
    }
    let discount = order.discounts.coupon + order.discounts.points;
    Totals {
        currency: order.currency,
        merchandise,
        shipping_fee: order.shipping_fee,
        cod_fee: order.cod_fee,
        discount,
        tax_added,
        total: merchandise + fees + tax_added - discount,
        tax,
    }
}

/// The tax on `taxable` at `rate`, rounded once. Whole amounts in a currency
/// without minor units (yen) are computed exactly in integers; anything else
/// through decimal division. Both give the same result: the exact quotient's
/// fraction is at least 1 / (1 + rate)'s denominator, far above the 28 digits
/// the decimal carries.
fn tax_at(
    taxable: Amount,
    rate: Decimal,
    exclusive: bool,
    rounding: crate::money::Rounding,
    digits: u32,
) -> Amount {
    if digits == 0 && taxable.fract().is_zero() && rate.scale() <= 9 {
        let t = taxable.trunc().mantissa();
        let den = 10i128.pow(rate.scale());
        let num = rate.mantissa();
        let (n, d) = if exclusive {
            (t.checked_mul(num), Some(den))
        } else {
            (t.checked_mul(num), den.checked_add(num))
        };
        if let (Some(n), Some(d)) = (n, d) {
            if d > 0 {
                return Decimal::from_i128_with_scale(round_ratio(n, d, rounding), 0);
            }
        }
    }
    let raw = if exclusive {
        taxable * rate
    } else {
        taxable * rate / (Decimal::ONE + rate)
    };
    rounding.round(raw, digits)
}

/// `n / d` (d > 0) rounded to a whole number by `rounding`.
fn round_ratio(n: i128, d: i128, rounding: crate::money::Rounding) -> i128 {
    use crate::money::Rounding as R;
    let (q, r) = (n / d, n % d); // q rounded toward zero
    if r == 0 {
        return q;
    }
    let away = if n < 0 { q - 1 } else { q + 1 };
    let twice = 2 * r.abs();
    match rounding {
        R::Floor => q,
        R::Ceil => away,
        R::HalfUp => {
            if twice >= d {
                away
            } else {
                q
            }
        }
        R::HalfEven => {
            if twice > d || (twice == d && q % 2 != 0) {
                away
            } else {
                q
            }
        }
    }
}

/// A rate as people write it: at least two decimals (`0.10`, `0.08`, `0.00`), so that
/// `0.1` and `0.10` group together and read the same way in every output.
fn display_rate(rate: Decimal) -> Decimal {
    if rate.scale() == 2 {
        return rate;
    }
    let mut r = rate.normalize();
    if r.scale() < 2 {
        r.rescale(2);
    }
    r
}

/// What the buyer is charged: the `total` of [`compute_totals`], without building
/// the per-rate table when prices include tax (the common case), so that triage
/// conditions on the total cost no allocation.
///
/// ```
/// use ichigen_core::validate::{compute_totals, grand_total};
/// let order = ichigen_core::sample::order();
/// assert_eq!(grand_total(&order), compute_totals(&order).total);
/// ```
pub fn grand_total(order: &Order) -> Amount {
    if order.pricing.tax_mode == TaxMode::Exclusive {
        return compute_totals(order).total;
    }
    let merchandise: Amount = order.lines.iter().map(|l| l.amount()).sum();
    merchandise + order.shipping_fee + order.cod_fee
        - order.discounts.coupon
        - order.discounts.points
}

/// Parses an order from JSON text and validates it.
///
/// Structural problems (wrong type, unknown field, missing field, unknown value,
/// float amounts) are reported with their path; a structurally sound order is then
/// checked by [`validate_order`] and every problem is reported together.
pub fn parse_order_json(text: &str) -> Result<Order, Error> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        Error::InvalidOrder(vec![Issue::new(
            "ORDER_PARSE",
            "$",
            format!(
                "not well-formed JSON (line {}, column {})",
                e.line(),
                e.column()
            ),
        )])
    })?;
    parse_order_value(value)
}

/// Parses an order from a JSON value and validates it. See [`parse_order_json`].
pub fn parse_order_value(value: Value) -> Result<Order, Error> {
    let order = decode_order(value).map_err(|i| Error::InvalidOrder(vec![i]))?;
    let issues = validate_order(&order);
    if issues.is_empty() {
        Ok(order)
    } else {
        Err(Error::InvalidOrder(issues))
    }
}

/// Decodes without semantic checks; the one structural problem serde stops at is
/// returned with its path.
pub(crate) fn decode_order(value: Value) -> Result<Order, Issue> {
    serde_path_to_error::deserialize::<_, Order>(value).map_err(|e| {
        let path = json_path("$", e.path());
        issue_from_serde("ORDER", &path, &e.inner().to_string())
    })
}

/// Checks an order and returns every problem found (empty when valid).
///
/// Codes: `ORDER_MISSING_VALUE`, `ORDER_NO_LINES`, `ORDER_NO_RECIPIENT`,
/// `ORDER_QUANTITY_ZERO`, `ORDER_NEGATIVE_AMOUNT`, `ORDER_AMOUNT_PRECISION`,
/// `ORDER_TAX_RATE_INVALID`, `ORDER_RECIPIENT_INDEX`, `ORDER_POSTAL_CODE_MISSING`,
/// `ORDER_POSTAL_CODE_INVALID`, `ORDER_COD_FEE_WITHOUT_COD`,
/// `ORDER_DISCOUNT_EXCEEDS_TOTAL`, `ORDER_TOTAL_MISMATCH`, `ORDER_TAX_MISMATCH`,
/// `ORDER_TAX_RATE_UNUSED`, and for the lifecycle state `ORDER_STATE_HOLD_CLOSED` (a
/// hold on a printed or later order), `ORDER_STATE_HOLD_DUPLICATE`,
/// `ORDER_STATE_HISTORY_SEQ`.
pub fn validate_order(order: &Order) -> Vec<Issue> {
    let mut issues = Vec::new();
    let mut add = |code: &str, path: String, msg: &str| issues.push(Issue::new(code, path, msg));

    for (path, value) in [
        ("$.id", order.id.as_str()),
        ("$.store", order.store.as_str()),
        (
            "$.channel_order_number",
            order.channel_order_number.as_str(),
        ),
    ] {
        if value.trim().is_empty() {
            add("ORDER_MISSING_VALUE", path.into(), "must not be empty");
        }
    }

    let currency = order.currency;
    let check_amount = |path: String, amount: Amount, add: &mut dyn FnMut(&str, String, &str)| {
        if amount.is_sign_negative() && !amount.is_zero() {
            add("ORDER_NEGATIVE_AMOUNT", path, "must not be negative");
        } else if !currency.fits(amount) {
            add(
                "ORDER_AMOUNT_PRECISION",
                path,
                "has more decimals than the currency allows",
            );
        }
    };

    if order.recipients.is_empty() {
        add(
            "ORDER_NO_RECIPIENT",
            "$.recipients".into(),
            "an order needs at least one recipient",
        );
    }
    for (i, r) in order.recipients.iter().enumerate() {
        check_postal(r, &format!("$.recipients[{i}]"), &mut add);
    }

    if order.lines.is_empty() {
        add(
            "ORDER_NO_LINES",
            "$.lines".into(),
            "an order needs at least one line",
        );
    }
    for (i, line) in order.lines.iter().enumerate() {
        let p = format!("$.lines[{i}]");
        if line.listing_code.as_str().trim().is_empty() {
            add(
                "ORDER_MISSING_VALUE",
                format!("{p}.listing_code"),
                "must not be empty",
            );
        }
        if line.quantity == 0 {
            add(
                "ORDER_QUANTITY_ZERO",
                format!("{p}.quantity"),
                "quantity must be at least 1",
            );
        }
        check_amount(format!("{p}.unit_price"), line.unit_price, &mut add);
        if line.tax_rate.is_sign_negative() || line.tax_rate >= Decimal::ONE {
            add(
                "ORDER_TAX_RATE_INVALID",
                format!("{p}.tax_rate"),
                "a rate is a fraction from 0 up to 1, such as 0.10",
            );
        }
        if line.recipient as usize >= order.recipients.len() && !order.recipients.is_empty() {
            add(
                "ORDER_RECIPIENT_INDEX",
                format!("{p}.recipient"),
                "points at a recipient that does not exist",
            );
        }
    }
    let fee_rate = order.pricing.fee_tax_rate;
    if fee_rate.is_sign_negative() || fee_rate >= Decimal::ONE {
        add(
            "ORDER_TAX_RATE_INVALID",
            "$.pricing.fee_tax_rate".into(),
            "a rate is a fraction from 0 up to 1",
        );
    }
    check_amount("$.shipping_fee".into(), order.shipping_fee, &mut add);
    check_amount("$.cod_fee".into(), order.cod_fee, &mut add);
    check_amount(
        "$.discounts.coupon".into(),
        order.discounts.coupon,
        &mut add,
    );
    check_amount(
        "$.discounts.points".into(),
        order.discounts.points,
        &mut add,
    );
    if !order.cod_fee.is_zero() && order.payment.method != PaymentMethod::Cod {
        add(
            "ORDER_COD_FEE_WITHOUT_COD",
            "$.cod_fee".into(),
            "a COD fee on an order not paid by COD",
        );
    }

    let totals = compute_totals(order);
    if totals.total.is_sign_negative() && !totals.total.is_zero() {
        add(
            "ORDER_DISCOUNT_EXCEEDS_TOTAL",
            "$.discounts".into(),
            "discounts exceed the merchandise and fees",
        );
    }
    if let Some(stated) = order.stated.total {
        if stated != totals.total {
            let msg = format!(
                "stated total differs from the computed total {} by {}",
                totals.total,
                stated - totals.total
            );
            add("ORDER_TOTAL_MISMATCH", "$.stated.total".into(), &msg);
        }
    }
    for (i, st) in order.stated.tax.iter().enumerate() {
        match totals.tax.iter().find(|t| t.rate == st.rate.normalize()) {
            Some(t) if t.tax != st.tax => {
                let msg = format!(
                    "stated tax at rate {} differs from the computed {}",
                    t.rate, t.tax
                );
                add("ORDER_TAX_MISMATCH", format!("$.stated.tax[{i}].tax"), &msg);
            }
            Some(_) => {}
            None if st.tax.is_zero() => {}
            None => add(
                "ORDER_TAX_RATE_UNUSED",
                format!("$.stated.tax[{i}].rate"),
                "no line or fee is taxed at this rate",
            ),
        }
    }
    check_state(order, &mut add);
    issues
}

/// The lifecycle state an order arrives with must be one the lifecycle could have
/// produced: holds only while the order is open, at most one per reason, and a
/// history numbered 1, 2, 3 …
fn check_state(order: &Order, add: &mut dyn FnMut(&str, String, &str)) {
    let state = &order.state;
    let open = matches!(state.phase, Phase::New | Phase::Triaged);
    for (i, hold) in state.holds.iter().enumerate() {
        let path = format!("$.state.holds[{i}]");
        if !open {
            add(
                "ORDER_STATE_HOLD_CLOSED",
                path,
                "holds apply only before printing; this order is printed or later",
            );
        } else if state.holds[..i].iter().any(|h| h.reason == hold.reason) {
            add(
                "ORDER_STATE_HOLD_DUPLICATE",
                path,
                "a second hold for the same reason",
            );
        }
    }
    for (i, entry) in state.history.iter().enumerate() {
        if entry.seq as usize != i + 1 {
            add(
                "ORDER_STATE_HISTORY_SEQ",
                format!("$.state.history[{i}].seq"),
                "history entries are numbered 1, 2, 3 … in order",
            );
            break;
        }
    }
}

/// Postal code rules by country: Japan 7 digits, China 6; elsewhere only presence.
fn check_postal(party: &Party, path: &str, add: &mut dyn FnMut(&str, String, &str)) {
    let Some(code) = party
        .postal_code
        .as_deref()
        .filter(|c| !c.trim().is_empty())
    else {
        add(
            "ORDER_POSTAL_CODE_MISSING",
            format!("{path}.postal_code"),
            "a recipient needs a postal code",
        );
        return;
    };
    let country = party.country.as_deref().unwrap_or("JP");
    let expected = match country {
        "JP" => Some(7),
        "CN" => Some(6),
        _ => None,
    };
    if let Some(n) = expected {
        let d = digits(code);
        let only_digits_and_hyphen = crate::text::fold(code)
            .trim_start_matches('〒')
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-');
        if d.len() != n || !only_digits_and_hyphen {
            add(
                "ORDER_POSTAL_CODE_INVALID",
                format!("{path}.postal_code"),
                &format!("a postal code in {country} has {n} digits"),
            );
        }
    }
}

#[cfg(test)]
mod tax_props {
    use super::*;
    use crate::money::Rounding;
    use proptest::prelude::*;

    fn by_decimal(taxable: Amount, rate: Decimal, exclusive: bool, r: Rounding) -> Amount {
        let raw = if exclusive {
            taxable * rate
        } else {
            taxable * rate / (Decimal::ONE + rate)
        };
        r.round(raw, 0)
    }

    proptest! {
        /// The integer path gives what the decimal division gives, value and scale.
        #[test]
        fn integer_tax_equals_decimal_tax(
            taxable in 0i64..10_000_000_000,
            rate_bp in 0u32..2_500,
            exclusive in any::<bool>(),
            mode in 0..4usize,
        ) {
            let r = [Rounding::Floor, Rounding::Ceil, Rounding::HalfUp, Rounding::HalfEven][mode];
            let rate = Decimal::new(i64::from(rate_bp), 4);
            let t = Decimal::from(taxable);
            let fast = tax_at(t, rate, exclusive, r, 0);
            let slow = by_decimal(t, rate, exclusive, r);
            prop_assert_eq!(fast, slow);
            prop_assert_eq!(fast.to_string(), slow.to_string());
        }
    }

    fn order_with(
        lines: &[(i64, u32, bool)],
        fee: i64,
        cod: i64,
        coupon: i64,
        exclusive: bool,
        mode: usize,
    ) -> Order {
        let mut o = crate::sample::order();
        let template = o.lines[0].clone();
        o.lines = lines
            .iter()
            .map(|&(price, qty, reduced)| {
                let mut l = template.clone();
                l.unit_price = Decimal::from(price);
                l.quantity = qty;
                l.tax_rate = if reduced {
                    Decimal::new(8, 2)
                } else {
                    Decimal::new(10, 2)
                };
                l
            })
            .collect();
        o.shipping_fee = Decimal::from(fee);
        o.cod_fee = Decimal::from(cod);
        o.discounts.coupon = Decimal::from(coupon);
        o.discounts.points = Decimal::ZERO;
        o.pricing.tax_mode = if exclusive {
            TaxMode::Exclusive
        } else {
            TaxMode::Inclusive
        };
        o.pricing.tax_rounding = [
            Rounding::Floor,
            Rounding::Ceil,
            Rounding::HalfUp,
            Rounding::HalfEven,
        ][mode];
        o
    }

    proptest! {
        /// The integer totals equal the decimal ones, field by field and in scale.
        #[test]
        fn whole_yen_totals_equal_decimal_totals(
            lines in prop::collection::vec((0i64..1_000_000, 1u32..50, any::<bool>()), 1..6),
            fee in 0i64..3_000,
            cod in 0i64..1_000,
            coupon in 0i64..5_000,
            exclusive in any::<bool>(),
            mode in 0..4usize,
        ) {
            let o = order_with(&lines, fee, cod, coupon, exclusive, mode);
            let fast = whole_yen_totals(&o).expect("whole yen");
            let slow = decimal_totals(&o);
            prop_assert_eq!(serde_json::to_value(&fast).unwrap(), serde_json::to_value(&slow).unwrap());
            prop_assert_eq!(fast, slow);
        }
    }

    #[test]
    fn fractional_amounts_take_the_decimal_path() {
        let mut o = crate::sample::order();
        o.lines[0].unit_price = Decimal::new(16505, 1);
        assert!(whole_yen_totals(&o).is_none());
        assert_eq!(compute_totals(&o), decimal_totals(&o));
    }

    #[test]
    fn halves_round_by_mode() {
        // 5 × 0.10 = 0.5 exactly (exclusive): the modes differ only there.
        let t = Decimal::from(5);
        let rate = Decimal::new(10, 2);
        let got: Vec<String> = [
            Rounding::Floor,
            Rounding::Ceil,
            Rounding::HalfUp,
            Rounding::HalfEven,
        ]
        .map(|r| tax_at(t, rate, true, r, 0).to_string())
        .to_vec();
        assert_eq!(got, ["0", "1", "1", "0"]);
        let t = Decimal::from(15);
        assert_eq!(
            tax_at(t, rate, true, Rounding::HalfEven, 0).to_string(),
            "2"
        );
    }
}
