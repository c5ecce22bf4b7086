//! Stock (在庫管理): the `StockBook` (reservations by strategy, the backorder queue,
//! receipts, counts, cancellations, shipments, channel allocation with sync
//! deltas, reconciliation, reorder suggestions), and the stateless functions
//! (`stockSession`, `allocateStock`, `dropShipTotals`, `reorderQuantity`).
//!
//! Catalogs, levels, policies, requests and orders are documents whose shape grows
//! with the core: they cross as JSON text, in the shapes of the core's
//! `ichigen::stock::json` (`docs/stock.md`). What an app acts on crosses as Swift types: what a
//! reservation reserved and left waiting, what a shipment consumed, the quantities
//! to push to each channel, a SKU's stock per location, an order's stock facts for
//! triage, the book's movements and its reconciliation. Reorder suggestions and a
//! whole step's output stay JSON text.
//!
//! Issue paths are relative to the argument they concern: a request's problem at
//! `$.lines[1].listing_code`, an unknown SKU given as `sku` at `$.sku`, a level's
//! problem at `$[2]` in the constructor's levels; text that is not JSON is
//! `INPUT_PARSE` at the argument (`$.request`). Every stock problem is thrown as
//! `IchigenError.InvalidStock` (`STOCK_INVALID`); a refused call changes nothing.
//!
//! Doc comments on exported items become the Swift documentation, so the Rust
//! examples live here:
//!
//! ```
//! use ichigen_ffi::{StockBook, allocate_stock, StockSnapshotRow};
//!
//! let catalog = r#"{"skus": [{"sku": "TEA"}], "locations": [{"id": "tokyo"}],
//!                   "listings": [{"channel": "rakuten", "code": "tea", "sku": "TEA"}]}"#;
//! let allocation = r#"{"channels": [{"channel": "rakuten", "mode": "uniform"}]}"#;
//! let book = StockBook::new(
//!     catalog.to_owned(),
//!     Some(r#"[{"sku": "TEA", "location": "tokyo", "on_hand": 2}]"#.to_owned()),
//!     None,
//!     Some(allocation.to_owned()),
//! )?;
//! let out = book.reserve(
//!     r#"{"order": "o1", "channel": "rakuten", "lines": [{"listing_code": "tea", "quantity": 3}]}"#
//!         .to_owned(),
//! )?;
//! assert_eq!((out.reserved[0].quantity, out.backordered[0].quantity), (2, 1));
//! assert_eq!(book.sync()?[0].quantity, 0);
//! let served = book.receive("TEA".to_owned(), "tokyo".to_owned(), 5, false)?;
//! assert_eq!(served.completed_orders, ["o1"]);
//! assert!(book.order("o1".to_owned())?.facts.all_lines_reservable);
//! assert_eq!(book.stock("TEA".to_owned())?.free, 4);
//!
//! let table = allocate_stock(
//!     catalog.to_owned(),
//!     allocation.to_owned(),
//!     vec![StockSnapshotRow {
//!         sku: "TEA".to_owned(),
//!         location: "tokyo".to_owned(),
//!         on_hand: 7,
//!         reserved: 2,
//!         buffer: 0,
//!     }],
//! )?;
//! assert_eq!(table.quantities[0].quantity, 5);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use ichigen::stock::json::{self as core_json, StockSession};
use ichigen::stock::{self as core, AllocationPolicy, Allocator, Catalog, free_cells};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{IchigenError, Issue, json_arg, json_text, optional_json_arg, read_output};

/// Units of one SKU reserved at one location for one order line.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StockReservation {
    /// The order.
    pub order: String,
    /// The line (0-based).
    pub line: u32,
    /// The SKU (a set line has one reservation per component).
    pub sku: String,
    /// The location.
    pub location: String,
    /// Units.
    pub quantity: i64,
}

impl From<core::Reservation> for StockReservation {
    fn from(r: core::Reservation) -> StockReservation {
        // Destructured on purpose: a new core field must be considered here.
        let core::Reservation {
            order,
            line,
            sku,
            location,
            quantity,
        } = r;
        StockReservation {
            order: order.to_string(),
            line,
            sku: sku.to_string(),
            location: location.to_string(),
            quantity,
        }
    }
}

/// Units of one SKU an order line still waits for (引当待ち).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StockBackorder {
    /// The order.
    pub order: String,
    /// The line (0-based).
    pub line: u32,
    /// The SKU.
    pub sku: String,
    /// Units waiting.
    pub quantity: i64,
}

impl From<core::Backorder> for StockBackorder {
    fn from(b: core::Backorder) -> StockBackorder {
        let core::Backorder {
            order,
            line,
            sku,
            quantity,
        } = b;
        StockBackorder {
            order: order.to_string(),
            line,
            sku: sku.to_string(),
            quantity,
        }
    }
}

/// What a reservation reserved and left waiting; also what a receipt, a count, an
/// adjustment or a cancellation served from the queue.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReservationOutcome {
    /// Units reserved, per line, SKU and location.
    pub reserved: Vec<StockReservation>,
    /// Units left waiting, per line and SKU.
    pub backordered: Vec<StockBackorder>,
    /// Orders that now wait for nothing (their 引当待ち hold may close).
    pub completed_orders: Vec<String>,
}

impl From<core::ReservationOutcome> for ReservationOutcome {
    fn from(o: core::ReservationOutcome) -> ReservationOutcome {
        let core::ReservationOutcome {
            reserved,
            backordered,
            completed_orders,
        } = o;
        ReservationOutcome {
            reserved: reserved.into_iter().map(Into::into).collect(),
            backordered: backordered.into_iter().map(Into::into).collect(),
            completed_orders: completed_orders.iter().map(ToString::to_string).collect(),
        }
    }
}

/// The stock facts of an order, which the triage conditions `all_lines_reservable`
/// and `awaiting_stock` read.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OrderStockFacts {
    /// Every line is reserved in full.
    pub all_lines_reservable: bool,
    /// Some line waits for stock (引当待ち).
    pub awaiting_stock: bool,
    /// `{"all_lines_reservable", "awaiting_stock"}` as JSON text: a triage context
    /// to pass to `triage` (merge it with other facts, such as a customer's).
    pub context_json: String,
}

impl From<core::OrderStockFacts> for OrderStockFacts {
    fn from(f: core::OrderStockFacts) -> OrderStockFacts {
        let core::OrderStockFacts {
            all_lines_reservable,
            awaiting_stock,
        } = f;
        let context_json = json_text(&json!({
            "all_lines_reservable": all_lines_reservable,
            "awaiting_stock": awaiting_stock,
        }));
        OrderStockFacts {
            all_lines_reservable,
            awaiting_stock,
            context_json,
        }
    }
}

/// What reserving a whole order did, with the order's stock facts for triage.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OrderReservation {
    /// Reserved and waiting units.
    pub outcome: ReservationOutcome,
    /// The facts triage reads.
    pub facts: OrderStockFacts,
}

/// An order's stock: its facts and its live reservations.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OrderStock {
    /// The facts triage reads.
    pub facts: OrderStockFacts,
    /// Units reserved for it, per line, SKU and location.
    pub reservations: Vec<StockReservation>,
}

/// What a shipment consumed.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ShipmentOutcome {
    /// Units consumed, per line, SKU and location.
    pub shipped: Vec<StockReservation>,
    /// What the order still waits for.
    pub still_waiting: Vec<StockBackorder>,
}

impl From<core::ShipmentOutcome> for ShipmentOutcome {
    fn from(o: core::ShipmentOutcome) -> ShipmentOutcome {
        let core::ShipmentOutcome {
            shipped,
            still_waiting,
        } = o;
        ShipmentOutcome {
            shipped: shipped.into_iter().map(Into::into).collect(),
            still_waiting: still_waiting.into_iter().map(Into::into).collect(),
        }
    }
}

/// A quantity to push to a channel: a listing and the quantity it shows now.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncDelta {
    /// The channel (`rakuten`, `own_site` …).
    pub channel: String,
    /// The store of the rule, when the rule names one.
    pub store: Option<String>,
    /// The listing code on that channel.
    pub listing: String,
    /// The quantity to show now.
    pub quantity: i64,
    /// The quantity last pushed; `nil` the first time.
    pub previous: Option<i64>,
}

impl From<core::SyncDelta> for SyncDelta {
    fn from(d: core::SyncDelta) -> SyncDelta {
        let core::SyncDelta {
            channel,
            store,
            listing,
            quantity,
            previous,
        } = d;
        SyncDelta {
            channel: channel.as_str().to_owned(),
            store: store.map(|s| s.to_string()),
            listing: listing.to_string(),
            quantity,
            previous,
        }
    }
}

/// One row of the allocation table: what a channel's listing shows.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ListingQuantity {
    /// The channel (`rakuten`, `own_site` …).
    pub channel: String,
    /// The store of the rule, when the rule names one.
    pub store: Option<String>,
    /// The listing code.
    pub listing: String,
    /// The quantity to show.
    pub quantity: i64,
}

impl From<core::ListingQuantity> for ListingQuantity {
    fn from(q: core::ListingQuantity) -> ListingQuantity {
        let core::ListingQuantity {
            channel,
            store,
            listing,
            quantity,
        } = q;
        ListingQuantity {
            channel: channel.as_str().to_owned(),
            store: store.map(|s| s.to_string()),
            listing: listing.to_string(),
            quantity,
        }
    }
}

/// A cell whose reserved count disagrees with its reservation records.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StockMismatch {
    /// The SKU.
    pub sku: String,
    /// The location.
    pub location: String,
    /// The reserved count the book holds.
    pub counted: i64,
    /// The sum of live reservations.
    pub from_records: i64,
}

/// The book checked against itself.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Reconciliation {
    /// Every reserved count equals the sum of its live reservations, no cell has
    /// more reserved than on hand, and every waiting unit is in the queue.
    pub ok: bool,
    /// The cells that disagree.
    pub mismatches: Vec<StockMismatch>,
    /// Problems other than counts (a waiting line missing from the queue).
    pub problems: Vec<String>,
    /// Live reservations counted.
    pub reservations: u64,
    /// Units waiting in the queue.
    pub backordered_units: i64,
}

impl From<core::Reconciliation> for Reconciliation {
    fn from(r: core::Reconciliation) -> Reconciliation {
        let core::Reconciliation {
            ok,
            mismatches,
            problems,
            reservations,
            backordered_units,
        } = r;
        Reconciliation {
            ok,
            mismatches: mismatches
                .into_iter()
                .map(|m| {
                    let core::Mismatch {
                        sku,
                        location,
                        counted,
                        from_records,
                    } = m;
                    StockMismatch {
                        sku: sku.to_string(),
                        location: location.to_string(),
                        counted,
                        from_records,
                    }
                })
                .collect(),
            problems,
            reservations: reservations as u64,
            backordered_units,
        }
    }
}

/// One SKU's stock at one location.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StockCell {
    /// The SKU.
    pub sku: String,
    /// The location.
    pub location: String,
    /// Units there.
    pub on_hand: i64,
    /// Units reserved.
    pub reserved: i64,
    /// Units expected (入荷予定).
    pub incoming: i64,
    /// Units kept back (予備在庫).
    pub buffer: i64,
    /// On hand − reserved − buffer, never below zero.
    pub free: i64,
}

impl From<core::CellView> for StockCell {
    fn from(c: core::CellView) -> StockCell {
        let core::CellView {
            sku,
            location,
            on_hand,
            reserved,
            incoming,
            buffer,
            free,
        } = c;
        StockCell {
            sku: sku.to_string(),
            location: location.to_string(),
            on_hand,
            reserved,
            incoming,
            buffer,
            free,
        }
    }
}

/// One SKU's stock: totals over the locations, and each location.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StockView {
    /// The SKU.
    pub sku: String,
    /// Units on hand.
    pub on_hand: i64,
    /// Units reserved.
    pub reserved: i64,
    /// Units expected.
    pub incoming: i64,
    /// Units free to reserve.
    pub free: i64,
    /// Units order lines wait for.
    pub backordered: i64,
    /// One cell per location, in catalog order.
    pub locations: Vec<StockCell>,
}

/// What a movement did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum StockMovementKind {
    /// Stock arrived (入荷): on hand up.
    Receipt,
    /// A count or correction (棚卸・調整): on hand up or down.
    Adjustment,
    /// Units reserved for an order line (引当).
    Reservation,
    /// A reservation released (a cancellation, or a count that left too few units).
    Release,
    /// Reserved units left with a shipment (出荷): on hand and reserved down.
    Shipment,
    /// Units an order line waits for (引当待ち), or stopped waiting for (negative).
    Backorder,
    /// Expected arrivals changed (入荷予定).
    Incoming,
    /// The reserve buffer changed (予備在庫).
    Buffer,
}

impl From<core::MovementKind> for StockMovementKind {
    fn from(kind: core::MovementKind) -> StockMovementKind {
        // Exhaustive on purpose: a new core kind must be added here too.
        match kind {
            core::MovementKind::Receipt => StockMovementKind::Receipt,
            core::MovementKind::Adjustment => StockMovementKind::Adjustment,
            core::MovementKind::Reservation => StockMovementKind::Reservation,
            core::MovementKind::Release => StockMovementKind::Release,
            core::MovementKind::Shipment => StockMovementKind::Shipment,
            core::MovementKind::Backorder => StockMovementKind::Backorder,
            core::MovementKind::Incoming => StockMovementKind::Incoming,
            core::MovementKind::Buffer => StockMovementKind::Buffer,
        }
    }
}

/// One change to the book (an audit trail: 入出庫履歴).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StockMovement {
    /// Position in the book's history, from 1.
    pub seq: u64,
    /// What happened.
    pub kind: StockMovementKind,
    /// The SKU.
    pub sku: String,
    /// The location; `nil` for backorders, which wait for any location.
    pub location: Option<String>,
    /// The signed change in units (a receipt of 5 is 5, a release of 2 is −2).
    pub quantity: i64,
    /// The order, for reservations, releases, shipments and backorders.
    pub order: Option<String>,
    /// The order line (0-based), likewise.
    pub line: Option<u32>,
}

impl From<core::Movement> for StockMovement {
    fn from(m: core::Movement) -> StockMovement {
        let core::Movement {
            seq,
            kind,
            sku,
            location,
            quantity,
            order,
            line,
        } = m;
        StockMovement {
            seq,
            kind: kind.into(),
            sku: sku.to_string(),
            location: location.map(|l| l.to_string()),
            quantity,
            order: order.map(|o| o.to_string()),
            line,
        }
    }
}

/// Reads a core output value into a core type, then into the binding's record.
/// (Where the session's method only serializes a value of the book, the book is
/// read directly: `reconcile`, `movements`.)
fn typed<C: serde::de::DeserializeOwned, T: From<C>>(
    value: Value,
    what: &str,
) -> Result<T, IchigenError> {
    read_output::<C>(value, what).map(T::from)
}

/// Reads a core output list into binding records.
fn typed_list<C: serde::de::DeserializeOwned, T: From<C>>(
    value: Value,
    what: &str,
) -> Result<Vec<T>, IchigenError> {
    let items: Vec<C> = read_output(value, what)?;
    Ok(items.into_iter().map(T::from).collect())
}

/// A stock book: stock per SKU and location, reservations and the backorder
/// queue, the movements, and (with an allocation policy) the quantity each
/// channel shows. Safe to share between threads: calls take turns. A call that
/// throws changes nothing.
#[derive(Debug, uniffi::Object)]
pub struct StockBook {
    inner: Mutex<StockSession>,
}

impl StockBook {
    /// The session, for one call. A panic cannot happen while it is held (the core
    /// returns errors), so a poisoned lock still holds a consistent book.
    fn session(&self) -> MutexGuard<'_, StockSession> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[uniffi::export]
impl StockBook {
    /// A book over a catalog (JSON text: `skus`, `locations`, `listings`), with
    /// starting levels (a JSON array of `{sku, location, on_hand, incoming?,
    /// buffer?}`), a reservation policy (`{strategy?, all_or_nothing?,
    /// prefer_single_location?}`; absent: the defaults) and an allocation policy
    /// (`{channels: [...]}`; absent: no allocation, and `sync`, `allocation` and
    /// `forgetPushed` throw `STOCK_NO_ALLOCATION`). Throws `InvalidStock` with
    /// every problem, at its path in its own argument (a level's at `$[i]`).
    #[uniffi::constructor(default(levels_json = None, policy_json = None, allocation_json = None))]
    pub fn new(
        catalog_json: String,
        levels_json: Option<String>,
        policy_json: Option<String>,
        allocation_json: Option<String>,
    ) -> Result<Arc<StockBook>, IchigenError> {
        let catalog = json_arg(&catalog_json, "catalog")?;
        let levels = optional_json_arg(levels_json, "levels")?;
        let policy = optional_json_arg(policy_json, "policy")?;
        let allocation = optional_json_arg(allocation_json, "allocation")?;
        let session = StockSession::new(catalog, levels, policy, allocation)?;
        Ok(Arc::new(StockBook {
            inner: Mutex::new(session),
        }))
    }

    /// Reserves stock for an order's lines: request (JSON text) `{order, channel,
    /// store?, lines: [{listing_code? | sku?, quantity}], destination?,
    /// locations?, all_or_nothing?}`. Units not free wait in the queue
    /// (`backordered`). Throws `InvalidStock` with every problem of the request
    /// (`STOCK_UNKNOWN_LISTING` at `$.lines[1].listing_code`), or for an order
    /// already in the book; nothing is reserved then.
    pub fn reserve(&self, request_json: String) -> Result<ReservationOutcome, IchigenError> {
        let request = json_arg(&request_json, "request")?;
        let out = self.session().reserve(request)?;
        typed::<core::ReservationOutcome, _>(out, "reservation outcome")
    }

    /// Reserves a whole order (the order JSON of `parseOrder`): its channel, store,
    /// lines and first recipient's prefecture. Returns the outcome and the order's
    /// facts for triage (`facts.contextJson`). Throws `InvalidOrder` for an order
    /// that does not validate, `InvalidStock` as `reserve` does.
    pub fn reserve_order(&self, order_json: String) -> Result<OrderReservation, IchigenError> {
        #[derive(Deserialize)]
        struct Out {
            #[serde(flatten)]
            outcome: core::ReservationOutcome,
            facts: core::OrderStockFacts,
        }
        let order = json_arg(&order_json, "order")?;
        let out: Out = read_output(self.session().reserve_order(order)?, "order reservation")?;
        Ok(OrderReservation {
            outcome: out.outcome.into(),
            facts: out.facts.into(),
        })
    }

    /// What `reserve` would do with a request, without changing anything.
    pub fn check(&self, request_json: String) -> Result<ReservationOutcome, IchigenError> {
        let request = json_arg(&request_json, "request")?;
        let out = self.session().check(request)?;
        typed::<core::ReservationOutcome, _>(out, "reservation outcome")
    }

    /// Units arrived at a location (入荷); `expected` when they were announced with
    /// `expect` (the incoming count goes down by as much, to zero at most). Returns
    /// what the queue was served, first come, first served. Throws `InvalidStock` for an unknown
    /// SKU (`$.sku`) or location (`$.location`), or a quantity below 1.
    #[uniffi::method(default(expected = false))]
    pub fn receive(
        &self,
        sku: String,
        location: String,
        quantity: i64,
        expected: bool,
    ) -> Result<ReservationOutcome, IchigenError> {
        let arg =
            json!({"sku": sku, "location": location, "quantity": quantity, "expected": expected});
        let out = self.session().receive(arg)?;
        typed::<core::ReservationOutcome, _>(out, "reservation outcome")
    }

    /// More units expected at a location (入荷予定). Throws `InvalidStock` as
    /// `receive` does.
    pub fn expect(&self, sku: String, location: String, quantity: i64) -> Result<(), IchigenError> {
        let arg = json!({"sku": sku, "location": location, "quantity": quantity});
        self.session().expect(arg)?;
        Ok(())
    }

    /// Changes on hand by `delta` (棚卸・調整): fewer units than reserved release
    /// the latest reservations (which then wait); more serve the queue. Returns
    /// what was served. Throws `InvalidStock` as `receive` does.
    pub fn adjust(
        &self,
        sku: String,
        location: String,
        delta: i64,
    ) -> Result<ReservationOutcome, IchigenError> {
        let arg = json!({"sku": sku, "location": location, "delta": delta});
        let out = self.session().adjust(arg)?;
        typed::<core::ReservationOutcome, _>(out, "reservation outcome")
    }

    /// Sets a cell from a count: level (JSON text) `{sku, location, on_hand,
    /// incoming?, buffer?}`. Returns what was served.
    pub fn set_level(&self, level_json: String) -> Result<ReservationOutcome, IchigenError> {
        let level = json_arg(&level_json, "level")?;
        let out = self.session().set_level(level)?;
        typed::<core::ReservationOutcome, _>(out, "reservation outcome")
    }

    /// Cancels an order, or some of its lines (0-based; `nil`: all): its
    /// reservations are released and its waiting lines leave the queue. Returns
    /// what the released units served. Throws `InvalidStock` for an unknown order
    /// (`$.order`) or line (`$.lines[0]`).
    #[uniffi::method(default(lines = None))]
    pub fn cancel(
        &self,
        order: String,
        lines: Option<Vec<u32>>,
    ) -> Result<ReservationOutcome, IchigenError> {
        let arg = json!({"order": order, "lines": lines});
        let out = self.session().cancel(arg)?;
        typed::<core::ReservationOutcome, _>(out, "reservation outcome")
    }

    /// Ships an order, or some of its lines (0-based; `nil`: all): reserved units
    /// leave on hand. Returns what shipped and what the order still waits for.
    /// Throws `InvalidStock` as `cancel` does.
    #[uniffi::method(default(lines = None))]
    pub fn ship(
        &self,
        order: String,
        lines: Option<Vec<u32>>,
    ) -> Result<ShipmentOutcome, IchigenError> {
        let arg = json!({"order": order, "lines": lines});
        let out = self.session().ship(arg)?;
        typed::<core::ShipmentOutcome, _>(out, "shipment outcome")
    }

    /// The quantities to push since the last sync: only the listings whose
    /// quantity changed (all of them the first time). Throws `InvalidStock`
    /// (`STOCK_NO_ALLOCATION`) for a book without an allocation policy.
    pub fn sync(&self) -> Result<Vec<SyncDelta>, IchigenError> {
        let out = self.session().sync()?;
        typed_list::<core::SyncDelta, _>(out, "sync deltas")
    }

    /// The whole allocation table, recomputed (pushes nothing). Throws as `sync`.
    pub fn allocation(&self) -> Result<Vec<ListingQuantity>, IchigenError> {
        let out = self.session().allocation()?;
        typed_list::<core::ListingQuantity, _>(out, "allocation table")
    }

    /// Forgets what was pushed: the next `sync` returns every listing (after a
    /// channel lost an update). Throws as `sync`.
    pub fn forget_pushed(&self) -> Result<(), IchigenError> {
        self.session().forget_pushed()?;
        Ok(())
    }

    /// Checks the book against itself: reserved counts against live reservations,
    /// waiting units against the queue.
    pub fn reconcile(&self) -> Reconciliation {
        self.session().book.reconcile().into()
    }

    /// One SKU's stock, in total and per location. Throws `InvalidStock`
    /// (`STOCK_UNKNOWN_SKU` at `$.sku`) for a SKU not in the catalog.
    pub fn stock(&self, sku: String) -> Result<StockView, IchigenError> {
        #[derive(Deserialize)]
        struct View {
            sku: String,
            on_hand: i64,
            reserved: i64,
            incoming: i64,
            free: i64,
            backordered: i64,
            locations: Vec<core::CellView>,
        }
        let out = self.session().stock(json!({ "sku": sku }))?;
        let v: View = read_output(out, "stock view")?;
        Ok(StockView {
            sku: v.sku,
            on_hand: v.on_hand,
            reserved: v.reserved,
            incoming: v.incoming,
            free: v.free,
            backordered: v.backordered,
            locations: v.locations.into_iter().map(Into::into).collect(),
        })
    }

    /// The units a channel's listing could sell now: a single SKU's free stock, or
    /// for a set the least over its components of free ÷ units per set. Throws
    /// `InvalidStock` for an unknown channel (`$.channel`) or listing
    /// (`STOCK_UNKNOWN_LISTING` at `$.listing`).
    #[uniffi::method(default(store = None))]
    pub fn listing_free(
        &self,
        channel: String,
        listing: String,
        store: Option<String>,
    ) -> Result<i64, IchigenError> {
        #[derive(Deserialize)]
        struct Free {
            free: i64,
        }
        let arg = json!({"channel": channel, "store": store, "listing": listing});
        let out: Free = read_output(self.session().listing_free(arg)?, "listing free")?;
        Ok(out.free)
    }

    /// The order lines waiting for a SKU, oldest first. Throws `InvalidStock`
    /// (`STOCK_UNKNOWN_SKU` at `$.sku`).
    pub fn queue(&self, sku: String) -> Result<Vec<StockBackorder>, IchigenError> {
        let out = self.session().queue(json!({ "sku": sku }))?;
        typed_list::<core::Backorder, _>(out, "queue")
    }

    /// An order's stock facts and live reservations. Throws `InvalidStock`
    /// (`STOCK_UNKNOWN_ORDER` at `$.order`) for an order not in the book.
    pub fn order(&self, order_id: String) -> Result<OrderStock, IchigenError> {
        #[derive(Deserialize)]
        struct Out {
            #[serde(flatten)]
            facts: core::OrderStockFacts,
            reservations: Vec<core::Reservation>,
        }
        let out: Out = read_output(
            self.session().order(json!({ "order": order_id }))?,
            "order stock",
        )?;
        Ok(OrderStock {
            facts: out.facts.into(),
            reservations: out.reservations.into_iter().map(Into::into).collect(),
        })
    }

    /// The movements since the last call, oldest first (each is returned once).
    pub fn movements(&self) -> Vec<StockMovement> {
        let moved = self.session().book.take_movements();
        moved.into_iter().map(Into::into).collect()
    }

    /// Reorder suggestions on a date (`YYYY-MM-DD`), from the SKUs' configured
    /// points or, with sales (JSON text: `[{sku, date, quantity}]`) and a forecast
    /// policy (`{window_days?, safety_days?, cycle_days?,
    /// default_lead_time_days?}`), from demand. Returns `{lines, purchase_orders}`
    /// as JSON text. Throws `InvalidStock` (`$.as_of`, `$.sales[0].date` …).
    #[uniffi::method(default(sales_json = None, forecast_json = None))]
    pub fn reorder(
        &self,
        as_of: String,
        sales_json: Option<String>,
        forecast_json: Option<String>,
    ) -> Result<String, IchigenError> {
        let sales = optional_json_arg(sales_json, "sales")?;
        let forecast = optional_json_arg(forecast_json, "forecast")?;
        let arg = json!({"as_of": as_of, "sales": sales, "forecast": forecast});
        Ok(json_text(&self.session().reorder(arg)?))
    }

    /// Runs one operation given as JSON text, `{"<operation>": argument}` (the
    /// shape of a stock session's steps: `{"reserve": {...}}`, `{"sync": {}}`), and
    /// returns its output as JSON text. Issue paths start with the operation
    /// (`$.reserve.lines[1].listing_code`).
    pub fn step(&self, step_json: String) -> Result<String, IchigenError> {
        let step = json_arg(&step_json, "step")?;
        Ok(json_text(&self.session().step(step)?))
    }
}

/// Runs a whole stock session: input (JSON text) `{catalog, levels?, policy?,
/// allocation?, steps: [{"<operation>": argument}]}`. Returns `{"results"}` as
/// JSON text, one per step: its output, or `{"error": {code, message, issues}}`
/// for a refused step (paths `$.steps[i].reserve…`; the session goes on). Throws
/// `InvalidStock` when the book cannot be built.
#[uniffi::export]
pub fn stock_session(input_json: String) -> Result<String, IchigenError> {
    let out = core_json::stock_session(json_arg(&input_json, "input")?)?;
    Ok(json_text(&out))
}

/// One row of a stock snapshot: a SKU at a location.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StockSnapshotRow {
    /// The SKU.
    pub sku: String,
    /// The location.
    pub location: String,
    /// Units there.
    pub on_hand: i64,
    /// Units reserved.
    #[uniffi(default = 0)]
    pub reserved: i64,
    /// Units kept back (予備在庫).
    #[uniffi(default = 0)]
    pub buffer: i64,
}

/// The allocation table of a snapshot, and the rows left out.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StockAllocation {
    /// Every channel's quantity per listing.
    pub quantities: Vec<ListingQuantity>,
    /// Rows left out (`STOCK_UNKNOWN_SKU` at `$.levels[3].sku`, a negative count, a
    /// cell given twice); the other rows count.
    pub issues: Vec<Issue>,
}

/// The quantity each channel shows, from a snapshot of stock (the rows of your
/// own inventory table) rather than a `StockBook`: catalog and allocation policy
/// as JSON text. Throws `InvalidStock` for a bad catalog or policy; a bad row is
/// only listed in `issues`.
#[uniffi::export]
pub fn allocate_stock(
    catalog_json: String,
    allocation_json: String,
    levels: Vec<StockSnapshotRow>,
) -> Result<StockAllocation, IchigenError> {
    let catalog = Arc::new(Catalog::from_json(json_arg(&catalog_json, "catalog")?)?);
    let policy = AllocationPolicy::from_json(json_arg(&allocation_json, "allocation")?)?;
    let (free, issues) = free_cells(
        &catalog,
        levels.iter().map(|r| {
            (
                r.sku.as_str(),
                r.location.as_str(),
                r.on_hand,
                r.reserved,
                r.buffer,
            )
        }),
    );
    let mut allocator = Allocator::new(catalog, policy)?;
    allocator.recompute_free(&free)?;
    Ok(StockAllocation {
        quantities: allocator.quantities().into_iter().map(Into::into).collect(),
        issues: issues
            .iter()
            .map(|i| {
                let mut issue = Issue::from(i);
                issue.path = issue.path.replacen('$', "$.levels", 1);
                issue
            })
            .collect(),
    })
}

/// Units of one drop-ship SKU, per channel and in all.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DropShipLine {
    /// The SKU.
    pub sku: String,
    /// Units over every channel.
    pub quantity: i64,
    /// Units per channel (`rakuten` …).
    pub channels: HashMap<String, i64>,
}

/// Drop-ship units for one supplier.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DropShipTotal {
    /// The supplier; `nil` for SKUs without one (listed last).
    pub supplier: Option<String>,
    /// One line per SKU, in catalog order.
    pub lines: Vec<DropShipLine>,
    /// Units over the lines.
    pub units: i64,
}

/// Drop-ship totals, and the lines left out.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DropShipTotals {
    /// One total per supplier.
    pub totals: Vec<DropShipTotal>,
    /// Lines left out (`STOCK_UNKNOWN_LISTING` at `$.lines[2].listing_code`).
    pub issues: Vec<Issue>,
}

/// The units of drop-ship SKUs (直送) ordered, sets expanded, per supplier: lines
/// (JSON text) `[{channel, store?, listing_code, quantity}]`. Throws
/// `InvalidStock` for a bad catalog or lines that do not decode (`$.lines[0]…`);
/// a line with an unknown listing code is only listed in `issues`.
#[uniffi::export]
pub fn drop_ship_totals(
    catalog_json: String,
    lines_json: String,
) -> Result<DropShipTotals, IchigenError> {
    #[derive(Deserialize)]
    struct Out {
        totals: Vec<core::DropShipTotal>,
        issues: Vec<ichigen::Issue>,
    }
    let catalog = json_arg(&catalog_json, "catalog")?;
    let lines = json_arg(&lines_json, "lines")?;
    let out = core_json::drop_ship(json!({"catalog": catalog, "lines": lines}))?;
    let out: Out = read_output(out, "drop-ship totals")?;
    Ok(DropShipTotals {
        totals: out
            .totals
            .into_iter()
            .map(|t| {
                let core::DropShipTotal {
                    supplier,
                    lines,
                    units,
                } = t;
                DropShipTotal {
                    supplier: supplier.map(|s| s.to_string()),
                    lines: lines
                        .into_iter()
                        .map(|l| {
                            let core::DropShipLine {
                                sku,
                                quantity,
                                channels,
                            } = l;
                            DropShipLine {
                                sku: sku.to_string(),
                                quantity,
                                channels: channels
                                    .into_iter()
                                    .map(|(c, q)| (c.as_str().to_owned(), q))
                                    .collect(),
                            }
                        })
                        .collect(),
                    units,
                }
            })
            .collect(),
        issues: out.issues.iter().map(Issue::from).collect(),
    })
}

/// Units to order for a stock position, reorder point, target level and lot: 0
/// above the point or when nothing is short of the target; otherwise (target −
/// position) rounded down to whole lots, but at least one lot. A lot of 0 counts
/// as 1. Never fails.
#[uniffi::export(default(lot = 1))]
pub fn reorder_quantity(position: i64, point: i64, target: i64, lot: u32) -> i64 {
    core::reorder_quantity(position, point, target, lot)
}
