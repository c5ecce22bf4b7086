//! Reorder (発注): the reorder-point formula, demand-based suggestions from sales
//! history, purchase-order lines grouped by supplier, and drop-ship totals.
//!
//! The stock position of a SKU is on hand + incoming − reserved − backordered,
//! summed over locations: what the shop will have once what is on order arrives and
//! what is promised leaves. When it is at or below the reorder point, the shop
//! orders up to the target level in whole lots, at least one lot (never more than
//! a lot beyond what is short).
//!
//! ```
//! use ichigen_core::stock::reorder_quantity;
//! assert_eq!(reorder_quantity(9, 10, 20, 5), 10);   // 11 short; two lots of 5
//! assert_eq!(reorder_quantity(11, 10, 20, 5), 0);   // above the point
//! assert_eq!(reorder_quantity(18, 19, 20, 5), 5);   // 2 short: still one lot
//! assert_eq!(reorder_quantity(-3, 0, 10, 1), 13);   // backorders count
//! assert_eq!(reorder_quantity(0, 0, 0, 5), 0);      // nothing to reach
//! ```

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::book::StockBook;
use super::catalog::{Catalog, SkuIdx};
use crate::error::{Error, Issue};
use crate::ids::{ListingCode, Sku, StoreId, SupplierId};
use crate::order::Channel;

/// Units to order for a stock position, reorder point, target level and lot:
/// 0 above the point or when nothing is short of the target (a target of 0);
/// otherwise (target − position) rounded down to whole lots, but at least one lot.
/// A lot of 0 counts as 1.
pub fn reorder_quantity(position: i64, point: i64, target: i64, lot: u32) -> i64 {
    if position > point {
        return 0;
    }
    let lot = i64::from(lot.max(1));
    let short = target - position;
    if short <= 0 {
        return 0;
    }
    ((short / lot) * lot).max(lot)
}

/// Units of one SKU sold on one day, for demand-based suggestions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sale {
    /// The SKU.
    pub sku: Sku,
    /// The day.
    pub date: NaiveDate,
    /// Units.
    pub quantity: i64,
}

/// How suggestions are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ForecastPolicy {
    /// Days of history before `as_of` that give the daily rate.
    pub window_days: u32,
    /// Extra days of demand kept as safety stock.
    pub safety_days: u32,
    /// Days between purchase orders: the target level covers them on top of the point.
    pub cycle_days: u32,
    /// Lead time for SKUs that do not state one.
    pub default_lead_time_days: u32,
}

impl Default for ForecastPolicy {
    fn default() -> Self {
        ForecastPolicy {
            window_days: 28,
            safety_days: 3,
            cycle_days: 14,
            default_lead_time_days: 7,
        }
    }
}

/// Where a reorder line's point and target came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The SKU's own reorder point and target level.
    Configured,
    /// Suggested from sales history.
    Forecast,
}

/// A SKU to reorder, or a suggestion for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReorderLine {
    /// The SKU.
    pub sku: Sku,
    /// Its supplier, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier: Option<SupplierId>,
    /// On hand + incoming − reserved − backordered.
    pub position: i64,
    /// The reorder point used.
    pub reorder_point: i64,
    /// The target level used.
    pub target_level: i64,
    /// The lot.
    pub lot: u32,
    /// Units to order (0: none needed).
    pub quantity: i64,
    /// Configured or forecast.
    pub basis: Basis,
    /// Units per day over the window, when history was given (4 decimal places).
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "crate::money::amount_serde::option"
    )]
    pub daily_rate: Option<Decimal>,
}

/// Purchase-order lines for one supplier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseOrder {
    /// The supplier; absent for SKUs without one.
    pub supplier: Option<SupplierId>,
    /// The lines, in catalog order.
    pub lines: Vec<ReorderLine>,
    /// Units over the lines.
    pub units: i64,
}

fn ceil_div(n: Decimal) -> i64 {
    let c = n.ceil();
    i64::try_from(c).unwrap_or(i64::MAX)
}

/// Suggested (point, target, daily rate) from units sold over the window.
fn forecast(sold: i64, lead: u32, policy: &ForecastPolicy) -> (i64, i64, Decimal) {
    let window = Decimal::from(policy.window_days.max(1));
    let rate = Decimal::from(sold.max(0)) / window;
    let point = ceil_div(rate * Decimal::from(lead + policy.safety_days));
    let target = point + ceil_div(rate * Decimal::from(policy.cycle_days));
    (point, target, rate.round_dp(4))
}

/// Reorder lines for every stocked SKU that has a point and target (configured, or
/// suggested from `sales` when the SKU has none), with the quantity to order now.
/// Drop-ship SKUs are left out: the supplier ships them. `sales` outside the window
/// `[as_of − window_days, as_of)` are ignored; a sale of an unknown SKU is reported.
pub fn reorder(
    book: &StockBook,
    sales: Option<&[Sale]>,
    as_of: NaiveDate,
    policy: &ForecastPolicy,
) -> Result<Vec<ReorderLine>, Error> {
    let catalog = book.catalog();
    let mut sold = vec![0i64; catalog.skus().len()];
    if let Some(sales) = sales {
        let from = as_of - chrono::Days::new(u64::from(policy.window_days));
        let mut issues = Vec::new();
        for (i, s) in sales.iter().enumerate() {
            match catalog.sku(s.sku.as_str()) {
                Some(k) if s.date >= from && s.date < as_of => sold[k as usize] += s.quantity,
                Some(_) => {}
                None => issues.push(Issue::new(
                    "STOCK_UNKNOWN_SKU",
                    format!("$.sales[{i}].sku"),
                    "this SKU is not in the catalog",
                )),
            }
        }
        if !issues.is_empty() {
            return Err(Error::InvalidStock(issues));
        }
    }
    let mut out = Vec::new();
    for (k, info) in catalog.skus().iter().enumerate() {
        if info.drop_ship {
            continue;
        }
        let (on_hand, reserved, incoming) = book.totals(k as SkuIdx);
        let position = on_hand + incoming - reserved - book.backordered(k as SkuIdx);
        let lot = info.lot.unwrap_or(1);
        let (point, target, basis, rate) = match (info.reorder_point, info.target_level) {
            (Some(p), Some(t)) => {
                let rate = sales.map(|_| {
                    forecast(
                        sold[k],
                        info.lead_time_days.unwrap_or(policy.default_lead_time_days),
                        policy,
                    )
                    .2
                });
                (p, t, Basis::Configured, rate)
            }
            _ if sales.is_some() => {
                let lead = info.lead_time_days.unwrap_or(policy.default_lead_time_days);
                let (p, t, r) = forecast(sold[k], lead, policy);
                (p, t, Basis::Forecast, Some(r))
            }
            _ => continue,
        };
        out.push(ReorderLine {
            sku: info.sku.clone(),
            supplier: info.supplier.clone(),
            position,
            reorder_point: point,
            target_level: target,
            lot,
            quantity: reorder_quantity(position, point, target, lot),
            basis,
            daily_rate: rate,
        });
    }
    Ok(out)
}

/// The lines with something to order, grouped by supplier (suppliers in name
/// order; SKUs without a supplier last).
pub fn purchase_orders(lines: &[ReorderLine]) -> Vec<PurchaseOrder> {
    let mut by: BTreeMap<Option<SupplierId>, Vec<ReorderLine>> = BTreeMap::new();
    for l in lines.iter().filter(|l| l.quantity > 0) {
        by.entry(l.supplier.clone()).or_default().push(l.clone());
    }
    let mut v: Vec<PurchaseOrder> = by
        .into_iter()
        .map(|(supplier, lines)| PurchaseOrder {
            units: lines.iter().map(|l| l.quantity).sum(),
            supplier,
            lines,
        })
        .collect();
    // BTreeMap puts None first; the shop reads named suppliers first.
    v.sort_by_key(|p| p.supplier.is_none());
    v
}

/// One ordered line for drop-ship totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderedLine {
    /// The channel it was sold on.
    pub channel: Channel,
    /// The store, for store-specific listing codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<StoreId>,
    /// The listing code.
    pub listing_code: ListingCode,
    /// Units.
    pub quantity: u32,
}

/// Units of one drop-ship SKU, per channel and in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DropShipLine {
    /// The SKU.
    pub sku: Sku,
    /// Units over every channel.
    pub quantity: i64,
    /// Units per channel.
    pub channels: BTreeMap<Channel, i64>,
}

/// Drop-ship totals for one supplier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DropShipTotal {
    /// The supplier.
    pub supplier: Option<SupplierId>,
    /// One line per SKU, in catalog order.
    pub lines: Vec<DropShipLine>,
    /// Units over the lines.
    pub units: i64,
}

/// The quantities ordered on every channel of drop-ship SKUs (sets expanded),
/// totalled per supplier. Lines with an unknown listing code are reported with
/// their index and left out; the others are totalled.
pub fn drop_ship_totals(
    catalog: &Catalog,
    lines: &[OrderedLine],
) -> (Vec<DropShipTotal>, Vec<Issue>) {
    let mut per: Vec<BTreeMap<Channel, i64>> = vec![BTreeMap::new(); catalog.skus().len()];
    let mut issues = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let store = l.store.as_ref().map(StoreId::as_str);
        match catalog.listing(l.channel, store, l.listing_code.as_str()) {
            Some(x) => {
                for &(s, q) in catalog.components(x) {
                    if catalog.skus()[s as usize].drop_ship {
                        *per[s as usize].entry(l.channel).or_default() +=
                            i64::from(l.quantity) * i64::from(q);
                    }
                }
            }
            None => issues.push(Issue::new(
                "STOCK_UNKNOWN_LISTING",
                format!("$[{i}].listing_code"),
                format!(
                    "listing code `{}` is not mapped to a SKU on {}",
                    l.listing_code.as_str().chars().take(64).collect::<String>(),
                    l.channel.as_str()
                ),
            )),
        }
    }
    let mut by: BTreeMap<Option<SupplierId>, Vec<DropShipLine>> = BTreeMap::new();
    for (k, channels) in per.into_iter().enumerate() {
        if channels.is_empty() {
            continue;
        }
        let info = &catalog.skus()[k];
        by.entry(info.supplier.clone())
            .or_default()
            .push(DropShipLine {
                sku: info.sku.clone(),
                quantity: channels.values().sum(),
                channels,
            });
    }
    let mut v: Vec<DropShipTotal> = by
        .into_iter()
        .map(|(supplier, lines)| DropShipTotal {
            units: lines.iter().map(|l| l.quantity).sum(),
            supplier,
            lines,
        })
        .collect();
    v.sort_by_key(|p| p.supplier.is_none());
    (v, issues)
}
