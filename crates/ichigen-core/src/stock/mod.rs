//! Stock (在庫管理): the catalog of master SKUs and channel listings (sets too),
//! stock per SKU and location, reservations and the backorder queue, channel
//! allocation with sync deltas, and reorder suggestions. DOMAIN.md §6.
//!
//! - [`Catalog`]: SKUs, locations, listings; an unknown listing code on an order is
//!   the coded error `STOCK_UNKNOWN_LISTING` naming the code and its line.
//! - [`StockBook`]: on hand, reserved, incoming, buffer; reservations by a
//!   [`Strategy`]; backorders served first come, first served; a [`Movement`] for
//!   every change; [`StockBook::reconcile`] proves reserved = Σ live reservations.
//! - [`Allocator`]: the quantity each channel shows, and [`SyncDelta`]s with only
//!   what changed, recomputed for the SKUs a change touched.
//! - [`reorder`], [`purchase_orders`], [`drop_ship_totals`].
//! - Triage: [`OrderStockFacts`] feeds the rule conditions `all_lines_reservable`
//!   and `awaiting_stock`.
//!
//! Quantities are whole units (`i64`); nothing here reads a clock.

mod allocation;
mod book;
mod catalog;
mod geo;
pub mod json;
mod reorder;

pub use allocation::{
    AllocationPolicy, Allocator, ChannelRuleDef, ListingQuantity, ModeName, OverrideDef,
    SnapshotRow, SyncDelta, allocate_snapshot, free_cells,
};
pub use book::{
    Backorder, CellView, Mismatch, Movement, MovementKind, OrderStockFacts, Reconciliation,
    RequestLine, Reservation, ReservationOutcome, ReservationPolicy, ReserveRequest,
    ShipmentOutcome, StockBook, StockLevel, Strategy,
};
pub use catalog::{
    Catalog, CatalogDef, Component, ListingDef, ListingIdx, LocIdx, Location, MailFraction, SkuIdx,
    SkuInfo,
};
pub use reorder::{
    Basis, DropShipLine, DropShipTotal, ForecastPolicy, OrderedLine, PurchaseOrder, ReorderLine,
    Sale, drop_ship_totals, purchase_orders, reorder, reorder_quantity,
};

use serde_json::Value;

use crate::error::{Error, decode_at};

/// Decodes a value, reporting a serde problem as a `STOCK_*` issue at its path
/// below `path`.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(value: Value, path: &str) -> Result<T, Error> {
    decode_at(value, path, "STOCK").map_err(|i| Error::InvalidStock(vec![i]))
}
