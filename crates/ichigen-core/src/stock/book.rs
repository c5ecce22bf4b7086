//! The stock book: on hand, reserved, incoming and the reserve buffer per SKU and
//! location; reservations per order line; the backorder queue (引当待ち); a movement
//! record for every change.
//!
//! One function, [`StockBook::check`], plans a reservation; [`StockBook::reserve`]
//! commits exactly that plan, so the check and the reservation cannot disagree.
//! Demand is summed per SKU and location while planning: two lines of one SKU, or a
//! set and a single of a shared component, never both count the same free unit.
//!
//! ```
//! use std::sync::Arc;
//! use ichigen_core::order::Channel;
//! use ichigen_core::stock::{Catalog, ReserveRequest, StockBook, StockLevel, ReservationPolicy};
//! let catalog = Arc::new(Catalog::from_json(serde_json::json!({
//!     "skus": [{"sku": "TEA"}],
//!     "locations": [{"id": "tokyo"}],
//!     "listings": [{"channel": "rakuten", "code": "tea", "sku": "TEA"}]
//! })).unwrap());
//! let mut book = StockBook::new(catalog, ReservationPolicy::default());
//! book.set_level(&StockLevel::new("TEA", "tokyo", 3)).unwrap();
//! let r = book.reserve(&ReserveRequest::new("o1", Channel::Rakuten).line("tea", 5)).unwrap();
//! assert_eq!(r.reserved_units(), 3);
//! assert_eq!(r.backordered_units(), 2);       // waits in the queue (引当待ち)
//! let served = book.receive("TEA", "tokyo", 2, false).unwrap();
//! assert_eq!(served.completed_orders[0].as_str(), "o1");
//! assert!(book.reconcile().ok);
//! ```

use std::collections::VecDeque;
use std::sync::Arc;

use hashbrown::HashTable;
use serde::{Deserialize, Serialize};

use super::catalog::{Catalog, ListingIdx, LocIdx, SkuIdx, hash_bytes};
use super::geo;
use crate::error::{Error, Issue};
use crate::ids::{ListingCode, LocationId, OrderId, Sku, StoreId};
use crate::order::{Channel, Order};
use crate::shipdate::prefecture;

/// How a reservation chooses locations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// In the catalog's location order (優先順位).
    #[default]
    Priority,
    /// Nearest to the destination prefecture first; ties and unknown prefectures by
    /// priority.
    Nearest,
    /// The location with the most free stock of the SKU first; ties by priority.
    MostStock,
}

/// The shop's reservation settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReservationPolicy {
    /// How locations are chosen.
    pub strategy: Strategy,
    /// Reserve an order only when every line can be reserved (全引当); otherwise
    /// line by line, each line taking what there is.
    pub all_or_nothing: bool,
    /// Fill a whole order from one location when some location can; only otherwise
    /// split it across locations. Fewer parcels for the same stock.
    pub prefer_single_location: bool,
}

impl Default for ReservationPolicy {
    fn default() -> Self {
        ReservationPolicy {
            strategy: Strategy::Priority,
            all_or_nothing: false,
            prefer_single_location: true,
        }
    }
}

/// One line of a reservation request: a listing code of the order's channel, or
/// a master SKU directly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestLine {
    /// The channel's listing code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listing_code: Option<ListingCode>,
    /// The master SKU, used when the listing code is absent or not mapped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<Sku>,
    /// Units (at least 1).
    pub quantity: u32,
}

/// A request to reserve an order's lines.
///
/// `Debug` shows whether a destination is given, not which (it is part of an
/// address).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReserveRequest {
    /// The order.
    pub order: OrderId,
    /// Its channel, for listing codes.
    pub channel: Channel,
    /// Its store, for store-specific listing codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<StoreId>,
    /// The lines, in order.
    pub lines: Vec<RequestLine>,
    /// The destination prefecture, for the nearest strategy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// Only these locations may serve it (a channel bound to its 拠点).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locations: Option<Vec<LocationId>>,
    /// Overrides the policy's all-or-nothing setting for this order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_or_nothing: Option<bool>,
}

impl std::fmt::Debug for ReserveRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReserveRequest")
            .field("order", &self.order)
            .field("channel", &self.channel)
            .field("store", &self.store)
            .field("lines", &self.lines)
            .field("destination", &self.destination.as_ref().map(|_| "<given>"))
            .field("locations", &self.locations)
            .field("all_or_nothing", &self.all_or_nothing)
            .finish()
    }
}

impl ReserveRequest {
    /// A request with no lines yet.
    pub fn new(order: &str, channel: Channel) -> ReserveRequest {
        ReserveRequest {
            order: OrderId::new(order),
            channel,
            store: None,
            lines: Vec::new(),
            destination: None,
            locations: None,
            all_or_nothing: None,
        }
    }

    /// Adds a line by listing code.
    pub fn line(mut self, listing_code: &str, quantity: u32) -> ReserveRequest {
        self.lines.push(RequestLine {
            listing_code: Some(ListingCode::new(listing_code)),
            sku: None,
            quantity,
        });
        self
    }

    /// The request for an order: its channel, store, lines (listing code and SKU) and
    /// the first recipient's prefecture.
    pub fn from_order(order: &Order) -> ReserveRequest {
        ReserveRequest {
            order: order.id.clone(),
            channel: order.channel,
            store: Some(order.store.clone()),
            lines: order
                .lines
                .iter()
                .map(|l| RequestLine {
                    listing_code: Some(l.listing_code.clone()),
                    sku: l.sku.clone(),
                    quantity: l.quantity,
                })
                .collect(),
            destination: order.recipients.first().and_then(|r| r.prefecture.clone()),
            locations: None,
            all_or_nothing: None,
        }
    }
}

/// Stock of one SKU at one location, as loaded or counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockLevel {
    /// The SKU.
    pub sku: Sku,
    /// The location.
    pub location: LocationId,
    /// Units physically there (実在庫).
    pub on_hand: i64,
    /// Units on order, expected to arrive (入荷予定).
    #[serde(default)]
    pub incoming: i64,
    /// Units kept back from every channel (予備在庫).
    #[serde(default)]
    pub buffer: i64,
}

impl StockLevel {
    /// A level with nothing incoming and no buffer.
    pub fn new(sku: &str, location: &str, on_hand: i64) -> StockLevel {
        StockLevel {
            sku: Sku::new(sku),
            location: LocationId::new(location),
            on_hand,
            incoming: 0,
            buffer: 0,
        }
    }
}

/// What a movement did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    /// Stock arrived (入荷): on hand up.
    Receipt,
    /// A count or correction (棚卸・調整): on hand up or down.
    Adjustment,
    /// Units reserved for an order line (引当).
    Reservation,
    /// A reservation released (a cancellation, or an adjustment that left too few units).
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

/// One change to the book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Movement {
    /// Position in the book's history, from 1.
    pub seq: u64,
    /// What happened.
    pub kind: MovementKind,
    /// The SKU.
    pub sku: Sku,
    /// The location; absent for backorders, which wait for any location.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<LocationId>,
    /// The signed change in units (a receipt of 5 is 5, a release of 2 is −2).
    pub quantity: i64,
    /// The order, for reservations, releases, shipments and backorders.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<OrderId>,
    /// The order line (0-based), likewise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

/// Units of one SKU reserved at one location for one order line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reservation {
    /// The order.
    pub order: OrderId,
    /// The line (0-based).
    pub line: u32,
    /// The SKU (a set line has one reservation per component).
    pub sku: Sku,
    /// The location.
    pub location: LocationId,
    /// Units.
    pub quantity: i64,
}

/// Units of one SKU an order line still waits for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backorder {
    /// The order.
    pub order: OrderId,
    /// The line (0-based).
    pub line: u32,
    /// The SKU.
    pub sku: Sku,
    /// Units waiting.
    pub quantity: i64,
}

/// The outcome of a reservation, a check, or any change that served the queue.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReservationOutcome {
    /// Units reserved, per line, SKU and location.
    pub reserved: Vec<Reservation>,
    /// Units left waiting.
    pub backordered: Vec<Backorder>,
    /// Orders that now wait for nothing (their 引当待ち hold may close).
    pub completed_orders: Vec<OrderId>,
}

impl ReservationOutcome {
    /// Total units reserved.
    pub fn reserved_units(&self) -> i64 {
        self.reserved.iter().map(|r| r.quantity).sum()
    }

    /// Total units waiting.
    pub fn backordered_units(&self) -> i64 {
        self.backordered.iter().map(|b| b.quantity).sum()
    }

    /// Whether nothing waits.
    pub fn all_reserved(&self) -> bool {
        self.backordered.is_empty()
    }
}

/// Units that left with a shipment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentOutcome {
    /// What was consumed, per line, SKU and location.
    pub shipped: Vec<Reservation>,
    /// What the order still waits for.
    pub still_waiting: Vec<Backorder>,
}

/// A cell whose reserved count disagrees with its reservation records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    /// The SKU.
    pub sku: Sku,
    /// The location.
    pub location: LocationId,
    /// The reserved count the book holds.
    pub counted: i64,
    /// The sum of live reservations.
    pub from_records: i64,
}

/// The result of [`StockBook::reconcile`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciliation {
    /// Every reserved count equals the sum of its live reservations, no cell has
    /// more reserved than on hand, and every waiting unit is in the queue.
    pub ok: bool,
    /// The cells that disagree.
    pub mismatches: Vec<Mismatch>,
    /// Problems other than counts (a waiting line missing from the queue).
    pub problems: Vec<String>,
    /// Live reservations counted.
    pub reservations: usize,
    /// Units waiting in the queue.
    pub backordered_units: i64,
}

/// Stock facts of one SKU at one location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellView {
    /// The SKU.
    pub sku: Sku,
    /// The location.
    pub location: LocationId,
    /// Units there.
    pub on_hand: i64,
    /// Units reserved.
    pub reserved: i64,
    /// Units expected.
    pub incoming: i64,
    /// Units kept back.
    pub buffer: i64,
    /// on hand − reserved − buffer, never below zero.
    pub free: i64,
}

/// Stock facts of an order, for triage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderStockFacts {
    /// Every line is reserved in full.
    pub all_lines_reservable: bool,
    /// Some line waits for stock (引当待ち).
    pub awaiting_stock: bool,
}

impl OrderStockFacts {
    /// Puts the facts into a triage context, for the conditions
    /// `all_lines_reservable` and `awaiting_stock`.
    ///
    /// ```
    /// use ichigen_core::rules::TriageContext;
    /// use ichigen_core::stock::OrderStockFacts;
    /// let mut ctx = TriageContext::default();
    /// OrderStockFacts { all_lines_reservable: false, awaiting_stock: true }.apply_to(&mut ctx);
    /// assert_eq!(ctx.awaiting_stock, Some(true));
    /// ```
    pub fn apply_to(self, ctx: &mut crate::rules::TriageContext) {
        ctx.all_lines_reservable = Some(self.all_lines_reservable);
        ctx.awaiting_stock = Some(self.awaiting_stock);
    }
}

impl ReservationOutcome {
    /// The stock facts of the order this outcome reserved (or checked).
    pub fn facts(&self) -> OrderStockFacts {
        OrderStockFacts {
            all_lines_reservable: self.backordered.is_empty(),
            awaiting_stock: !self.backordered.is_empty(),
        }
    }
}

#[derive(Debug, Clone)]
struct Item {
    line: u32,
    sku: SkuIdx,
    quantity: i64,
    parts: Vec<(LocIdx, i64)>,
    waiting: i64,
    shipped: i64,
}

#[derive(Debug, Clone)]
struct OrderEntry {
    id: OrderId,
    seq: u64,
    whole: bool,
    destination: Option<u8>,
    allowed: Option<Vec<LocIdx>>,
    items: Vec<Item>,
    live: bool,
}

const NO_LOC: LocIdx = LocIdx::MAX;

/// A movement as the book keeps it: indices, not names.
#[derive(Debug, Clone)]
struct RawMovement {
    seq: u64,
    kind: MovementKind,
    sku: SkuIdx,
    loc: LocIdx,
    quantity: i64,
    /// Order slot and line.
    order: Option<(u32, u32)>,
}

/// A request's demand items, allowed locations and destination prefecture.
type Resolved = (Vec<Item>, Option<Vec<LocIdx>>, Option<u8>);

/// A planned draw: item index, location, units.
type Draw = (usize, LocIdx, i64);

/// The stock book. See the module docs.
#[derive(Debug, Clone)]
pub struct StockBook {
    catalog: Arc<Catalog>,
    policy: ReservationPolicy,
    locs: usize,
    on_hand: Vec<i64>,
    reserved: Vec<i64>,
    incoming: Vec<i64>,
    buffer: Vec<i64>,
    orders: Vec<OrderEntry>,
    order_index: HashTable<u32>,
    queue: Vec<VecDeque<(u64, u32, u32)>>,
    next_seq: u64,
    movements: Vec<RawMovement>,
    movement_seq: u64,
    record_movements: bool,
    dirty: Vec<SkuIdx>,
    dirty_mark: Vec<bool>,
    scratch: Vec<(SkuIdx, LocIdx, i64)>,
}

fn invalid(code: &str, path: impl Into<String>, message: impl Into<String>) -> Error {
    Error::InvalidStock(vec![Issue::new(code, path, message)])
}

fn order_hash(id: &str) -> u64 {
    hash_bytes(&[id.as_bytes()])
}

impl StockBook {
    /// An empty book over a catalog: no stock anywhere.
    pub fn new(catalog: Arc<Catalog>, policy: ReservationPolicy) -> StockBook {
        let locs = catalog.locations().len();
        let cells = catalog.skus().len() * locs;
        let skus = catalog.skus().len();
        StockBook {
            catalog,
            policy,
            locs,
            on_hand: vec![0; cells],
            reserved: vec![0; cells],
            incoming: vec![0; cells],
            buffer: vec![0; cells],
            orders: Vec::new(),
            order_index: HashTable::new(),
            queue: vec![VecDeque::new(); skus],
            next_seq: 1,
            movements: Vec::new(),
            movement_seq: 0,
            record_movements: true,
            dirty: Vec::new(),
            dirty_mark: vec![false; skus],
            scratch: Vec::new(),
        }
    }

    /// The catalog.
    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }

    /// The reservation policy.
    pub fn policy(&self) -> ReservationPolicy {
        self.policy
    }

    /// Keeps (true, the default) or stops keeping the movement log. A book that a
    /// caller persists through its own journal may turn it off.
    pub fn set_record_movements(&mut self, on: bool) {
        self.record_movements = on;
    }

    fn cell(&self, sku: SkuIdx, loc: LocIdx) -> usize {
        sku as usize * self.locs + loc as usize
    }

    /// on hand − reserved − buffer at one cell, never below zero.
    pub fn free_at(&self, sku: SkuIdx, loc: LocIdx) -> i64 {
        let c = self.cell(sku, loc);
        (self.on_hand[c] - self.reserved[c] - self.buffer[c]).max(0)
    }

    /// Free stock of a SKU over all locations.
    pub fn free(&self, sku: SkuIdx) -> i64 {
        (0..self.locs as LocIdx).map(|l| self.free_at(sku, l)).sum()
    }

    /// Free units of a listing: for a set, the minimum over its components of
    /// floor(free / quantity).
    pub fn listing_free(&self, listing: ListingIdx) -> i64 {
        self.catalog
            .components(listing)
            .iter()
            .map(|&(s, q)| self.free(s) / i64::from(q))
            .min()
            .unwrap_or(0)
    }

    /// The facts of one cell.
    pub fn cell_view(&self, sku: SkuIdx, loc: LocIdx) -> CellView {
        let c = self.cell(sku, loc);
        CellView {
            sku: self.catalog.skus()[sku as usize].sku.clone(),
            location: self.catalog.locations()[loc as usize].id.clone(),
            on_hand: self.on_hand[c],
            reserved: self.reserved[c],
            incoming: self.incoming[c],
            buffer: self.buffer[c],
            free: self.free_at(sku, loc),
        }
    }

    /// Whether a queue entry still stands for a waiting line (entries of cancelled,
    /// served or re-reserved orders are dropped lazily).
    fn queued(&self, seq: u64, o: u32, i: u32) -> bool {
        let e = &self.orders[o as usize];
        e.live && e.seq == seq && e.items.get(i as usize).is_some_and(|it| it.waiting > 0)
    }

    /// Units of a SKU waiting in the queue.
    pub fn backordered(&self, sku: SkuIdx) -> i64 {
        self.queue[sku as usize]
            .iter()
            .filter(|&&(seq, o, i)| self.queued(seq, o, i))
            .map(|&(_, o, i)| self.orders[o as usize].items[i as usize].waiting)
            .sum()
    }

    /// Units of a SKU over all locations: (on hand, reserved, incoming).
    pub fn totals(&self, sku: SkuIdx) -> (i64, i64, i64) {
        let base = sku as usize * self.locs;
        let r = base..base + self.locs;
        (
            self.on_hand[r.clone()].iter().sum(),
            self.reserved[r.clone()].iter().sum(),
            self.incoming[r].iter().sum(),
        )
    }

    fn sku_idx(&self, sku: &str, path: &str) -> Result<SkuIdx, Error> {
        self.catalog
            .sku(sku)
            .ok_or_else(|| invalid("STOCK_UNKNOWN_SKU", path, "this SKU is not in the catalog"))
    }

    fn loc_idx(&self, loc: &str, path: &str) -> Result<LocIdx, Error> {
        self.catalog.location(loc).ok_or_else(|| {
            invalid(
                "STOCK_UNKNOWN_LOCATION",
                path,
                "this location is not in the catalog",
            )
        })
    }

    fn mark(&mut self, sku: SkuIdx) {
        if !self.dirty_mark[sku as usize] {
            self.dirty_mark[sku as usize] = true;
            self.dirty.push(sku);
        }
    }

    /// The SKUs whose free stock may have changed since the last call, in the order
    /// they first changed. The allocator recomputes only these.
    pub fn take_dirty(&mut self) -> Vec<SkuIdx> {
        for &s in &self.dirty {
            self.dirty_mark[s as usize] = false;
        }
        std::mem::take(&mut self.dirty)
    }

    /// Every movement since the last call, oldest first.
    pub fn take_movements(&mut self) -> Vec<Movement> {
        let raw = std::mem::take(&mut self.movements);
        raw.into_iter()
            .map(|m| Movement {
                seq: m.seq,
                kind: m.kind,
                sku: self.catalog.skus()[m.sku as usize].sku.clone(),
                location: (m.loc != NO_LOC)
                    .then(|| self.catalog.locations()[m.loc as usize].id.clone()),
                quantity: m.quantity,
                order: m.order.map(|(o, _)| self.orders[o as usize].id.clone()),
                line: m.order.map(|(_, line)| line),
            })
            .collect()
    }

    fn log(
        &mut self,
        kind: MovementKind,
        sku: SkuIdx,
        loc: Option<LocIdx>,
        quantity: i64,
        order: Option<(u32, u32)>,
    ) {
        if quantity == 0 {
            return;
        }
        self.movement_seq += 1;
        if !self.record_movements {
            return;
        }
        // Kept as indices; names are looked up when the log is taken (an order's
        // slot keeps its id for good).
        let order = order.map(|(o, i)| (o, self.orders[o as usize].items[i as usize].line));
        self.movements.push(RawMovement {
            seq: self.movement_seq,
            kind,
            sku,
            loc: loc.unwrap_or(NO_LOC),
            quantity,
            order,
        });
    }

    /// Sets a cell's on hand, incoming and buffer, as a count would (棚卸): a change
    /// in on hand is an adjustment. Reservations the new count cannot cover are
    /// released, newest first, and wait again in their original place in the queue;
    /// a rise serves the queue.
    pub fn set_level(&mut self, level: &StockLevel) -> Result<ReservationOutcome, Error> {
        let sku = self.sku_idx(level.sku.as_str(), "$.sku")?;
        let loc = self.loc_idx(level.location.as_str(), "$.location")?;
        for (v, p) in [
            (level.on_hand, "$.on_hand"),
            (level.incoming, "$.incoming"),
            (level.buffer, "$.buffer"),
        ] {
            if v < 0 {
                return Err(invalid(
                    "STOCK_NEGATIVE",
                    p,
                    "stock counts must not be negative",
                ));
            }
        }
        let c = self.cell(sku, loc);
        let mut out = ReservationOutcome::default();
        if self.incoming[c] != level.incoming {
            let d = level.incoming - self.incoming[c];
            self.incoming[c] = level.incoming;
            self.log(MovementKind::Incoming, sku, Some(loc), d, None);
        }
        if self.buffer[c] != level.buffer {
            let d = level.buffer - self.buffer[c];
            self.buffer[c] = level.buffer;
            self.log(MovementKind::Buffer, sku, Some(loc), d, None);
            self.mark(sku);
        }
        if self.on_hand[c] != level.on_hand {
            let d = level.on_hand - self.on_hand[c];
            self.on_hand[c] = level.on_hand;
            self.log(MovementKind::Adjustment, sku, Some(loc), d, None);
            self.mark(sku);
            if self.reserved[c] > self.on_hand[c] {
                self.release_shortfall(sku, loc, &mut out);
            }
        }
        self.serve(&[sku], &mut out);
        Ok(out)
    }

    /// Changes on hand by `delta` (a correction, breakage, a found box). Refused when
    /// on hand would go below zero.
    pub fn adjust(
        &mut self,
        sku: &str,
        location: &str,
        delta: i64,
    ) -> Result<ReservationOutcome, Error> {
        let s = self.sku_idx(sku, "$.sku")?;
        let l = self.loc_idx(location, "$.location")?;
        let c = self.cell(s, l);
        let on_hand = self.on_hand[c] + delta;
        if on_hand < 0 {
            return Err(invalid(
                "STOCK_BELOW_ZERO",
                "$.delta",
                "the adjustment would take on hand below zero",
            ));
        }
        let level = StockLevel {
            sku: Sku::new(sku),
            location: LocationId::new(location),
            on_hand,
            incoming: self.incoming[c],
            buffer: self.buffer[c],
        };
        self.set_level(&level)
    }

    /// Stock arrived: on hand goes up by `quantity` (and incoming down, up to
    /// `quantity`, when it was expected), then the queue is served first come,
    /// first served.
    pub fn receive(
        &mut self,
        sku: &str,
        location: &str,
        quantity: i64,
        expected: bool,
    ) -> Result<ReservationOutcome, Error> {
        let s = self.sku_idx(sku, "$.sku")?;
        let l = self.loc_idx(location, "$.location")?;
        if quantity <= 0 {
            return Err(invalid(
                "STOCK_BAD_QUANTITY",
                "$.quantity",
                "a receipt needs at least 1 unit",
            ));
        }
        let c = self.cell(s, l);
        self.on_hand[c] += quantity;
        self.log(MovementKind::Receipt, s, Some(l), quantity, None);
        if expected {
            let d = quantity.min(self.incoming[c]);
            if d > 0 {
                self.incoming[c] -= d;
                self.log(MovementKind::Incoming, s, Some(l), -d, None);
            }
        }
        self.mark(s);
        let mut out = ReservationOutcome::default();
        self.serve(&[s], &mut out);
        Ok(out)
    }

    /// More units are expected (a purchase order placed).
    pub fn expect(&mut self, sku: &str, location: &str, quantity: i64) -> Result<(), Error> {
        let s = self.sku_idx(sku, "$.sku")?;
        let l = self.loc_idx(location, "$.location")?;
        if quantity <= 0 {
            return Err(invalid(
                "STOCK_BAD_QUANTITY",
                "$.quantity",
                "expect at least 1 unit",
            ));
        }
        let c = self.cell(s, l);
        self.incoming[c] += quantity;
        self.log(MovementKind::Incoming, s, Some(l), quantity, None);
        Ok(())
    }

    fn find_order(&self, id: &str) -> Option<u32> {
        self.order_index
            .find(order_hash(id), |&o| {
                self.orders[o as usize].id.as_str() == id
            })
            .copied()
    }

    /// Stock facts of an order already in the book.
    pub fn order_facts(&self, order: &str) -> Option<OrderStockFacts> {
        let o = self.find_order(order)?;
        let e = &self.orders[o as usize];
        let waiting = e.live && e.items.iter().any(|i| i.waiting > 0);
        Some(OrderStockFacts {
            all_lines_reservable: !waiting,
            awaiting_stock: waiting,
        })
    }

    /// The live reservations of an order.
    pub fn reservations_of(&self, order: &str) -> Vec<Reservation> {
        let Some(o) = self.find_order(order) else {
            return Vec::new();
        };
        let e = &self.orders[o as usize];
        if !e.live {
            return Vec::new();
        }
        let mut v = Vec::new();
        for it in &e.items {
            for &(l, q) in &it.parts {
                v.push(self.reservation(e, it, l, q));
            }
        }
        v
    }

    /// The backorder queue of a SKU, oldest first.
    pub fn queue_of(&self, sku: SkuIdx) -> Vec<Backorder> {
        self.queue[sku as usize]
            .iter()
            .filter_map(|&(seq, o, i)| {
                let e = &self.orders[o as usize];
                let it = &e.items[i as usize];
                self.queued(seq, o, i).then(|| Backorder {
                    order: e.id.clone(),
                    line: it.line,
                    sku: self.catalog.skus()[it.sku as usize].sku.clone(),
                    quantity: it.waiting,
                })
            })
            .collect()
    }

    fn reservation(&self, e: &OrderEntry, it: &Item, l: LocIdx, q: i64) -> Reservation {
        Reservation {
            order: e.id.clone(),
            line: it.line,
            sku: self.catalog.skus()[it.sku as usize].sku.clone(),
            location: self.catalog.locations()[l as usize].id.clone(),
            quantity: q,
        }
    }

    /// Resolves a request's lines to demand items; every unknown listing is reported.
    fn items_of(&self, req: &ReserveRequest) -> Result<Resolved, Error> {
        let mut issues = Vec::new();
        let mut items = Vec::with_capacity(req.lines.len());
        let store = req.store.as_ref().map(StoreId::as_str);
        for (i, line) in req.lines.iter().enumerate() {
            if line.quantity == 0 {
                issues.push(Issue::new(
                    "STOCK_BAD_QUANTITY",
                    format!("$.lines[{i}].quantity"),
                    "a line needs at least 1 unit",
                ));
                continue;
            }
            let listing = line
                .listing_code
                .as_ref()
                .and_then(|c| self.catalog.listing(req.channel, store, c.as_str()));
            let q = i64::from(line.quantity);
            match listing {
                Some(l) => {
                    for &(s, per) in self.catalog.components(l) {
                        push_item(&mut items, i as u32, s, q * i64::from(per));
                    }
                }
                None => match line.sku.as_ref().and_then(|s| self.catalog.sku(s.as_str())) {
                    Some(s) => push_item(&mut items, i as u32, s, q),
                    None => match (&line.listing_code, &line.sku) {
                        (Some(code), _) => issues.push(Issue::new(
                            "STOCK_UNKNOWN_LISTING",
                            format!("$.lines[{i}].listing_code"),
                            format!(
                                "listing code `{}` is not mapped to a SKU on {}",
                                clip(code.as_str()),
                                req.channel.as_str()
                            ),
                        )),
                        (None, Some(_)) => issues.push(Issue::new(
                            "STOCK_UNKNOWN_SKU",
                            format!("$.lines[{i}].sku"),
                            "this SKU is not in the catalog",
                        )),
                        (None, None) => issues.push(Issue::new(
                            "STOCK_LINE_TARGET",
                            format!("$.lines[{i}]"),
                            "a line needs a listing_code or a sku",
                        )),
                    },
                },
            }
        }
        let allowed = match &req.locations {
            None => None,
            Some(ls) => {
                let mut v = Vec::with_capacity(ls.len());
                for (i, l) in ls.iter().enumerate() {
                    match self.catalog.location(l.as_str()) {
                        Some(x) => v.push(x),
                        None => issues.push(Issue::new(
                            "STOCK_UNKNOWN_LOCATION",
                            format!("$.locations[{i}]"),
                            "this location is not in the catalog",
                        )),
                    }
                }
                Some(v)
            }
        };
        let destination = match &req.destination {
            None => None,
            Some(p) => match prefecture::find(p) {
                Some(found) => Some(found.code),
                None => {
                    issues.push(Issue::new(
                        "STOCK_UNKNOWN_PREFECTURE",
                        "$.destination",
                        "not a Japanese prefecture (東京都, Tokyo, 13)",
                    ));
                    None
                }
            },
        };
        if !issues.is_empty() {
            return Err(Error::InvalidStock(issues));
        }
        Ok((items, allowed, destination))
    }

    /// Locations in the order the strategy tries them, before per-SKU ranking.
    fn ranking(&self, allowed: Option<&[LocIdx]>, destination: Option<u8>) -> Vec<LocIdx> {
        let mut v: Vec<LocIdx> = match allowed {
            Some(a) => {
                let mut a = a.to_vec();
                a.sort_unstable();
                a.dedup();
                a
            }
            None => (0..self.locs as LocIdx).collect(),
        };
        if self.policy.strategy == Strategy::Nearest
            && let Some(d) = destination
        {
            v.sort_by_key(|&l| {
                let dist = self
                    .catalog
                    .location_prefecture(l)
                    .map_or(u64::MAX, |p| geo::distance(p, d));
                (dist, l)
            });
        }
        v
    }

    /// Free units at a cell, less what this plan already took there.
    fn avail(&self, taken: &[(SkuIdx, LocIdx, i64)], sku: SkuIdx, loc: LocIdx) -> i64 {
        let t: i64 = taken
            .iter()
            .filter(|&&(s, l, _)| s == sku && l == loc)
            .map(|e| e.2)
            .sum();
        self.free_at(sku, loc) - t
    }

    /// The one planning function: which units of which items come from where.
    /// `want(i)` is what item `i` still needs. Returns the draws and whether every
    /// item is covered.
    fn plan(
        &self,
        items: &[Item],
        want: &dyn Fn(usize) -> i64,
        ranking: &[LocIdx],
        whole: bool,
        taken: &mut Vec<(SkuIdx, LocIdx, i64)>,
    ) -> (Vec<Draw>, bool) {
        taken.clear();
        let mut draws = Vec::new();
        let needed: Vec<usize> = (0..items.len()).filter(|&i| want(i) > 0).collect();
        if needed.is_empty() {
            return (draws, true);
        }
        // One location for the whole order, when one can (demand summed per SKU).
        if self.policy.prefer_single_location && ranking.len() > 1 {
            let mut sorted;
            let order: &[LocIdx] = if self.policy.strategy == Strategy::MostStock {
                sorted = ranking.to_vec();
                sorted.sort_by_key(|&l| {
                    let total: i64 = needed.iter().map(|&i| self.free_at(items[i].sku, l)).sum();
                    (std::cmp::Reverse(total), l)
                });
                &sorted
            } else {
                ranking
            };
            // Demand per SKU, summed once for every location tried.
            let mut sums: Vec<(SkuIdx, i64)> = Vec::with_capacity(needed.len());
            for &i in &needed {
                match sums.iter_mut().find(|e| e.0 == items[i].sku) {
                    Some(e) => e.1 += want(i),
                    None => sums.push((items[i].sku, want(i))),
                }
            }
            for &l in order {
                if sums.iter().all(|&(s, q)| self.free_at(s, l) >= q) {
                    for &i in &needed {
                        draws.push((i, l, want(i)));
                    }
                    return (draws, true);
                }
            }
        }
        let mut complete = true;
        let mut per_sku: Vec<LocIdx> = Vec::with_capacity(ranking.len());
        for &i in &needed {
            let s = items[i].sku;
            let mut rest = want(i);
            let order: &[LocIdx] = if self.policy.strategy == Strategy::MostStock {
                per_sku.clear();
                per_sku.extend_from_slice(ranking);
                per_sku.sort_by_key(|&l| (std::cmp::Reverse(self.avail(taken, s, l)), l));
                &per_sku
            } else {
                ranking
            };
            // A location that covers the line alone, else draw across them in order.
            if let Some(&l) = order.iter().find(|&&l| self.avail(taken, s, l) >= rest) {
                draws.push((i, l, rest));
                taken.push((s, l, rest));
                continue;
            }
            for &l in order {
                let a = self.avail(taken, s, l);
                if a <= 0 {
                    continue;
                }
                let q = a.min(rest);
                draws.push((i, l, q));
                taken.push((s, l, q));
                rest -= q;
                if rest == 0 {
                    break;
                }
            }
            if rest > 0 {
                complete = false;
            }
        }
        if whole && !complete {
            draws.clear();
        }
        (draws, complete)
    }

    /// What [`reserve`](Self::reserve) would do, without doing it.
    pub fn check(&self, req: &ReserveRequest) -> Result<ReservationOutcome, Error> {
        let (items, allowed, destination) = self.items_of(req)?;
        let whole = req.all_or_nothing.unwrap_or(self.policy.all_or_nothing);
        let ranking = self.ranking(allowed.as_deref(), destination);
        let mut taken = Vec::new();
        let (draws, _) = self.plan(&items, &|i| items[i].quantity, &ranking, whole, &mut taken);
        let mut got = vec![0i64; items.len()];
        let mut out = ReservationOutcome::default();
        for &(i, l, q) in &draws {
            got[i] += q;
            out.reserved.push(Reservation {
                order: req.order.clone(),
                line: items[i].line,
                sku: self.catalog.skus()[items[i].sku as usize].sku.clone(),
                location: self.catalog.locations()[l as usize].id.clone(),
                quantity: q,
            });
        }
        for (i, it) in items.iter().enumerate() {
            if it.quantity > got[i] {
                out.backordered.push(Backorder {
                    order: req.order.clone(),
                    line: it.line,
                    sku: self.catalog.skus()[it.sku as usize].sku.clone(),
                    quantity: it.quantity - got[i],
                });
            }
        }
        if out.backordered.is_empty() {
            out.completed_orders.push(req.order.clone());
        }
        Ok(out)
    }

    /// Reserves an order's lines (sets expanded) by the policy; what cannot be
    /// reserved waits in the queue in arrival order. An order already in the book and
    /// not cancelled or fully shipped is refused (`STOCK_ORDER_EXISTS`); an unknown
    /// listing code is refused with its line (`STOCK_UNKNOWN_LISTING`), and nothing
    /// is reserved.
    pub fn reserve(&mut self, req: &ReserveRequest) -> Result<ReservationOutcome, Error> {
        let (items, allowed, destination) = self.items_of(req)?;
        let existing = self.find_order(req.order.as_str());
        if let Some(o) = existing
            && self.orders[o as usize].live
        {
            return Err(invalid(
                "STOCK_ORDER_EXISTS",
                "$.order",
                "this order already holds reservations or waits; cancel it first",
            ));
        }
        let whole = req.all_or_nothing.unwrap_or(self.policy.all_or_nothing);
        let ranking = self.ranking(allowed.as_deref(), destination);
        let mut taken = std::mem::take(&mut self.scratch);
        let (draws, _) = self.plan(&items, &|i| items[i].quantity, &ranking, whole, &mut taken);
        self.scratch = taken;
        let seq = self.next_seq;
        self.next_seq += 1;
        let entry = OrderEntry {
            id: req.order.clone(),
            seq,
            whole,
            destination,
            allowed,
            items,
            live: true,
        };
        let o = match existing {
            Some(o) => {
                self.orders[o as usize] = entry;
                o
            }
            None => {
                let o = self.orders.len() as u32;
                self.orders.push(entry);
                let orders = &self.orders;
                self.order_index
                    .insert_unique(order_hash(req.order.as_str()), o, |&x| {
                        order_hash(orders[x as usize].id.as_str())
                    });
                o
            }
        };
        let mut out = ReservationOutcome::default();
        self.commit(o, &draws, &mut out);
        let n = self.orders[o as usize].items.len();
        for i in 0..n {
            let it = &self.orders[o as usize].items[i];
            let got: i64 = it.parts.iter().map(|p| p.1).sum();
            let rest = it.quantity - got;
            if rest > 0 {
                let sku = it.sku;
                self.orders[o as usize].items[i].waiting = rest;
                self.enqueue(sku, seq, o, i as u32);
                self.log(
                    MovementKind::Backorder,
                    sku,
                    None,
                    rest,
                    Some((o, i as u32)),
                );
                let e = &self.orders[o as usize];
                out.backordered.push(Backorder {
                    order: e.id.clone(),
                    line: e.items[i].line,
                    sku: self.catalog.skus()[sku as usize].sku.clone(),
                    quantity: rest,
                });
            }
        }
        if out.backordered.is_empty() {
            out.completed_orders.push(req.order.clone());
        }
        Ok(out)
    }

    fn enqueue(&mut self, sku: SkuIdx, seq: u64, o: u32, i: u32) {
        let q = &mut self.queue[sku as usize];
        let key = (seq, o, i);
        if q.back().is_none_or(|b| *b < key) {
            q.push_back(key);
        } else {
            match q.binary_search(&key) {
                Ok(_) => {}
                Err(pos) => q.insert(pos, key),
            }
        }
    }

    fn commit(&mut self, o: u32, draws: &[Draw], out: &mut ReservationOutcome) {
        for &(i, l, q) in draws {
            let sku = self.orders[o as usize].items[i].sku;
            let c = self.cell(sku, l);
            self.reserved[c] += q;
            let it = &mut self.orders[o as usize].items[i];
            match it.parts.iter_mut().find(|p| p.0 == l) {
                Some(p) => p.1 += q,
                None => it.parts.push((l, q)),
            }
            self.log(
                MovementKind::Reservation,
                sku,
                Some(l),
                q,
                Some((o, i as u32)),
            );
            self.mark(sku);
            let e = &self.orders[o as usize];
            out.reserved.push(self.reservation(e, &e.items[i], l, q));
        }
    }

    /// Serves the queues of these SKUs in arrival order.
    fn serve(&mut self, skus: &[SkuIdx], out: &mut ReservationOutcome) {
        for &s in skus {
            let mut k = 0;
            while k < self.queue[s as usize].len() {
                let (seq, o, i) = self.queue[s as usize][k];
                if !self.queued(seq, o, i) {
                    self.queue[s as usize].remove(k);
                    continue;
                }
                if self.free(s) == 0 {
                    break;
                }
                self.serve_entry(o, i, out);
                k += 1;
            }
        }
    }

    /// Tries to serve one waiting item (or, for an all-or-nothing order, the whole
    /// order).
    fn serve_entry(&mut self, o: u32, i: u32, out: &mut ReservationOutcome) {
        let e = &self.orders[o as usize];
        let ranking = self.ranking(e.allowed.as_deref(), e.destination);
        let whole = e.whole;
        let items = e.items.clone();
        let mut taken = std::mem::take(&mut self.scratch);
        let (draws, complete) = if whole {
            self.plan(&items, &|k| items[k].waiting, &ranking, true, &mut taken)
        } else {
            let only = i as usize;
            self.plan(
                &items,
                &|k| if k == only { items[k].waiting } else { 0 },
                &ranking,
                false,
                &mut taken,
            )
        };
        self.scratch = taken;
        if draws.is_empty() {
            return;
        }
        let _ = complete;
        self.commit(o, &draws, out);
        for &(k, _, q) in &draws {
            let sku = self.orders[o as usize].items[k].sku;
            self.orders[o as usize].items[k].waiting -= q;
            self.log(MovementKind::Backorder, sku, None, -q, Some((o, k as u32)));
        }
        let e = &self.orders[o as usize];
        if e.items.iter().all(|it| it.waiting == 0) {
            out.completed_orders.push(e.id.clone());
        }
    }

    /// Reservations at a cell beyond its on hand go back to waiting, newest order first.
    fn release_shortfall(&mut self, sku: SkuIdx, loc: LocIdx, out: &mut ReservationOutcome) {
        let c = self.cell(sku, loc);
        let mut holders: Vec<(u64, u32, u32)> = Vec::new();
        for (o, e) in self.orders.iter().enumerate() {
            if !e.live {
                continue;
            }
            for (i, it) in e.items.iter().enumerate() {
                if it.sku == sku && it.parts.iter().any(|p| p.0 == loc && p.1 > 0) {
                    holders.push((e.seq, o as u32, i as u32));
                }
            }
        }
        holders.sort_unstable_by(|a, b| b.cmp(a));
        for (seq, o, i) in holders {
            let excess = self.reserved[c] - self.on_hand[c];
            if excess <= 0 {
                break;
            }
            let it = &mut self.orders[o as usize].items[i as usize];
            let Some(p) = it.parts.iter_mut().find(|p| p.0 == loc) else {
                continue;
            };
            let q = p.1.min(excess);
            p.1 -= q;
            it.parts.retain(|p| p.1 > 0);
            it.waiting += q;
            self.reserved[c] -= q;
            self.log(MovementKind::Release, sku, Some(loc), -q, Some((o, i)));
            self.log(MovementKind::Backorder, sku, None, q, Some((o, i)));
            self.enqueue(sku, seq, o, i);
            let e = &self.orders[o as usize];
            out.backordered.push(Backorder {
                order: e.id.clone(),
                line: e.items[i as usize].line,
                sku: self.catalog.skus()[sku as usize].sku.clone(),
                quantity: q,
            });
        }
    }

    fn live_order(&self, order: &str) -> Result<u32, Error> {
        match self.find_order(order) {
            Some(o) if self.orders[o as usize].live => Ok(o),
            _ => Err(invalid(
                "STOCK_UNKNOWN_ORDER",
                "$.order",
                "this order holds no reservations and waits for nothing",
            )),
        }
    }

    fn check_lines(&self, o: u32, lines: Option<&[u32]>) -> Result<(), Error> {
        if let Some(ls) = lines {
            let e = &self.orders[o as usize];
            for (k, l) in ls.iter().enumerate() {
                if !e.items.iter().any(|it| it.line == *l) {
                    return Err(invalid(
                        "STOCK_UNKNOWN_LINE",
                        format!("$.lines[{k}]"),
                        "the order has no such line",
                    ));
                }
            }
        }
        Ok(())
    }

    /// Cancels an order (or only some of its lines): its reservations are released
    /// and serve the queue; its waiting lines leave the queue.
    pub fn cancel(
        &mut self,
        order: &str,
        lines: Option<&[u32]>,
    ) -> Result<ReservationOutcome, Error> {
        let o = self.live_order(order)?;
        self.check_lines(o, lines)?;
        let mut touched = Vec::new();
        let n = self.orders[o as usize].items.len();
        for i in 0..n {
            let it = &self.orders[o as usize].items[i];
            if lines.is_some_and(|ls| !ls.contains(&it.line)) {
                continue;
            }
            let sku = it.sku;
            let parts = std::mem::take(&mut self.orders[o as usize].items[i].parts);
            for (l, q) in parts {
                let c = self.cell(sku, l);
                self.reserved[c] -= q;
                self.log(MovementKind::Release, sku, Some(l), -q, Some((o, i as u32)));
                self.mark(sku);
            }
            let w = std::mem::take(&mut self.orders[o as usize].items[i].waiting);
            self.log(MovementKind::Backorder, sku, None, -w, Some((o, i as u32)));
            // Nothing of it is owed any more.
            let it = &mut self.orders[o as usize].items[i];
            it.quantity = it.shipped;
            if !touched.contains(&sku) {
                touched.push(sku);
            }
        }
        self.retire_if_done(o);
        let mut out = ReservationOutcome::default();
        self.serve(&touched, &mut out);
        Ok(out)
    }

    fn retire_if_done(&mut self, o: u32) {
        let e = &mut self.orders[o as usize];
        if e.items
            .iter()
            .all(|it| it.parts.is_empty() && it.waiting == 0)
        {
            e.live = false;
        }
    }

    /// Consumes an order's reservations (or those of some lines) as they ship: on
    /// hand and reserved go down together. Waiting lines keep waiting. Refused when
    /// there is nothing reserved to ship (`STOCK_NOTHING_RESERVED`).
    pub fn ship(&mut self, order: &str, lines: Option<&[u32]>) -> Result<ShipmentOutcome, Error> {
        let o = self.live_order(order)?;
        self.check_lines(o, lines)?;
        let mut out = ShipmentOutcome::default();
        let n = self.orders[o as usize].items.len();
        for i in 0..n {
            let it = &self.orders[o as usize].items[i];
            if lines.is_some_and(|ls| !ls.contains(&it.line)) {
                continue;
            }
            let sku = it.sku;
            let parts = std::mem::take(&mut self.orders[o as usize].items[i].parts);
            for (l, q) in parts {
                let c = self.cell(sku, l);
                self.reserved[c] -= q;
                self.on_hand[c] -= q;
                self.orders[o as usize].items[i].shipped += q;
                self.log(
                    MovementKind::Shipment,
                    sku,
                    Some(l),
                    -q,
                    Some((o, i as u32)),
                );
                self.mark(sku);
                let e = &self.orders[o as usize];
                out.shipped.push(self.reservation(e, &e.items[i], l, q));
            }
            let e = &self.orders[o as usize];
            let it = &e.items[i];
            if it.waiting > 0 {
                out.still_waiting.push(Backorder {
                    order: e.id.clone(),
                    line: it.line,
                    sku: self.catalog.skus()[sku as usize].sku.clone(),
                    quantity: it.waiting,
                });
            }
        }
        if out.shipped.is_empty() {
            return Err(invalid(
                "STOCK_NOTHING_RESERVED",
                "$.order",
                "nothing of these lines is reserved, so nothing can ship",
            ));
        }
        self.retire_if_done(o);
        Ok(out)
    }

    /// Proves that every reserved count equals the sum of live reservations, that no
    /// cell reserves more than it holds, and that every waiting unit is queued.
    pub fn reconcile(&self) -> Reconciliation {
        let mut sums = vec![0i64; self.reserved.len()];
        let mut count = 0;
        let mut problems = Vec::new();
        let mut waiting = 0;
        for (o, e) in self.orders.iter().enumerate() {
            if !e.live {
                if e.items.iter().any(|it| !it.parts.is_empty()) {
                    problems.push(format!("order #{o} is closed but holds reservations"));
                }
                continue;
            }
            for (i, it) in e.items.iter().enumerate() {
                for &(l, q) in &it.parts {
                    sums[self.cell(it.sku, l)] += q;
                    count += 1;
                    if q <= 0 {
                        problems.push(format!(
                            "order #{o} line {} holds a non-positive reservation",
                            it.line
                        ));
                    }
                }
                let got: i64 = it.parts.iter().map(|p| p.1).sum();
                if got + it.waiting + it.shipped != it.quantity {
                    problems.push(format!(
                        "order #{o} line {}: reserved + waiting + shipped differs from the quantity",
                        it.line
                    ));
                }
                if it.waiting > 0 {
                    waiting += it.waiting;
                    if !self.queue[it.sku as usize]
                        .iter()
                        .any(|&(qs, qo, qi)| qs == e.seq && qo == o as u32 && qi == i as u32)
                    {
                        problems.push(format!(
                            "order #{o} line {} waits but is not queued",
                            it.line
                        ));
                    }
                }
            }
        }
        let mut mismatches = Vec::new();
        for (c, &counted) in self.reserved.iter().enumerate() {
            let sku = (c / self.locs.max(1)) as SkuIdx;
            let loc = (c % self.locs.max(1)) as LocIdx;
            if counted != sums[c] || counted > self.on_hand[c] || self.on_hand[c] < 0 {
                mismatches.push(Mismatch {
                    sku: self.catalog.skus()[sku as usize].sku.clone(),
                    location: self.catalog.locations()[loc as usize].id.clone(),
                    counted,
                    from_records: sums[c],
                });
            }
        }
        Reconciliation {
            ok: mismatches.is_empty() && problems.is_empty(),
            mismatches,
            problems,
            reservations: count,
            backordered_units: waiting,
        }
    }
}

fn push_item(items: &mut Vec<Item>, line: u32, sku: SkuIdx, quantity: i64) {
    // A line's components are distinct SKUs (the catalog sums duplicates).
    items.push(Item {
        line,
        sku,
        quantity,
        parts: Vec::new(),
        waiting: 0,
        shipped: 0,
    });
}

fn clip(s: &str) -> String {
    if s.chars().count() <= 64 {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(64).collect();
        t.push('…');
        t
    }
}
