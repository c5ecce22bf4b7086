//! Histories from validated orders of the order model.

use rust_decimal::Decimal;

use super::history::{Interner, LineColumns, NULL, OrderColumns, OrderHistory};
use crate::error::{Error, Issue};
use crate::lifecycle::Status;
use crate::order::Order;

impl OrderHistory {
    /// A history from validated orders, one row each: the instant, the
    /// computed total (what the customer pays: merchandise, tax, fees, less
    /// discounts), cancelled when the lifecycle says so, the channel, store,
    /// payment method and shipping method; one line per order line, by SKU (the
    /// listing code when there is none) and product group, its amount the line's
    /// merchandise (unit price × quantity). `customers[i]` is order `i`'s
    /// customer: pass the resolved id (名寄せ).
    ///
    /// Errors (`ANALYTICS_INVALID`): as many customers as orders
    /// (`ANALYTICS_COLUMN_LENGTH`); one shop zone and one currency
    /// (`ANALYTICS_MIXED_ZONES`, `ANALYTICS_MIXED_CURRENCIES` at `$.orders[i]`).
    ///
    /// ```
    /// use ichigen_core::analytics::{Axis, OrderHistory, SalesQuery};
    /// let order = ichigen_core::sample::order();
    /// let h = OrderHistory::from_orders(std::slice::from_ref(&order), &["C1"])?;
    /// let q = SalesQuery { group_by: vec![Axis::Channel], ..SalesQuery::default() };
    /// let rows = h.sales(&q)?.rows_json(None);
    /// assert_eq!(rows[0]["channel"], "rakuten");
    /// assert_eq!(rows[0]["revenue"], "5390");
    /// # Ok::<(), ichigen_core::Error>(())
    /// ```
    pub fn from_orders(orders: &[Order], customers: &[&str]) -> Result<OrderHistory, Error> {
        if customers.len() != orders.len() {
            return Err(Error::InvalidAnalytics(vec![Issue::new(
                "ANALYTICS_COLUMN_LENGTH",
                "$.customers",
                "one customer per order",
            )]));
        }
        let Some(first) = orders.first() else {
            let cols = OrderColumns::default();
            return OrderHistory::new(
                chrono_tz::Asia::Tokyo,
                crate::money::Currency::JPY,
                cols,
                None,
            );
        };
        let (zone, currency) = (first.shop_zone, first.currency);
        let scale = currency.minor_units();
        let minor = |d: Decimal, path: String| -> Result<i64, Issue> {
            (d * Decimal::from(10i64.pow(scale)))
                .round()
                .try_into()
                .map_err(|_| {
                    Issue::new("ANALYTICS_AMOUNT_RANGE", path, "the amount is out of range")
                })
        };
        let mut issues = Vec::new();
        let mut cols = OrderColumns::default();
        let mut lines = LineColumns::default();
        let (mut cust, mut chan, mut store, mut pay, mut ship) = (
            Interner::default(),
            Interner::default(),
            Interner::default(),
            Interner::default(),
            Interner::default(),
        );
        let (mut chan_c, mut store_c, mut pay_c, mut ship_c) = (vec![], vec![], vec![], vec![]);
        let (mut skus, mut products, mut product_c) =
            (Interner::default(), Interner::default(), vec![]);
        for (i, (o, c)) in orders.iter().zip(customers).enumerate() {
            if o.shop_zone != zone {
                issues.push(Issue::new(
                    "ANALYTICS_MIXED_ZONES",
                    format!("$.orders[{i}].shop_zone"),
                    "a history has one shop zone",
                ));
            }
            if o.currency != currency {
                issues.push(Issue::new(
                    "ANALYTICS_MIXED_CURRENCIES",
                    format!("$.orders[{i}].currency"),
                    "a history has one currency",
                ));
            }
            cols.customer.codes.push(cust.code(c));
            cols.ordered_at.push(o.ordered_at.timestamp());
            let total = crate::validate::compute_totals(o).total;
            cols.amount
                .push(minor(total, format!("$.orders[{i}]")).unwrap_or_else(|e| {
                    issues.push(e);
                    0
                }));
            cols.cancelled.push(o.state.status() == Status::Cancelled);
            chan_c.push(chan.code(o.channel.as_str()));
            store_c.push(store.code(o.store.as_str()));
            let method = serde_json::to_value(o.payment.method).ok();
            pay_c.push(
                method
                    .as_ref()
                    .and_then(|m| m.as_str())
                    .map_or(NULL, |m| pay.code(m)),
            );
            ship_c.push(
                o.shipping
                    .method
                    .as_ref()
                    .map_or(NULL, |m| ship.code(m.as_str())),
            );
            for (j, l) in o.lines.iter().enumerate() {
                lines.order.push(i as u32);
                let sku = l
                    .sku
                    .as_ref()
                    .map_or(l.listing_code.as_str(), |s| s.as_str());
                lines.sku.codes.push(skus.code(sku));
                product_c.push(
                    l.product_group
                        .as_ref()
                        .map_or(NULL, |p| products.code(p.as_str())),
                );
                lines.quantity.push(i64::from(l.quantity));
                lines.amount.push(
                    minor(l.amount(), format!("$.orders[{i}].lines[{j}]")).unwrap_or_else(|e| {
                        issues.push(e);
                        0
                    }),
                );
            }
        }
        if !issues.is_empty() {
            return Err(Error::InvalidAnalytics(issues));
        }
        cols.customer.values = cust.values;
        let coded = |codes: Vec<u32>, i: Interner| {
            Some(super::Coded {
                codes,
                values: i.values,
            })
        };
        cols.channel = coded(chan_c, chan);
        cols.store = coded(store_c, store);
        cols.payment_method = coded(pay_c, pay);
        cols.shipping_method = coded(ship_c, ship);
        lines.sku.values = skus.values;
        lines.product = coded(product_c, products);
        OrderHistory::new(zone, currency, cols, Some(lines))
    }
}
