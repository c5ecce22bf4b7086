//! The JSON face of stock, shared by the bindings and the vectors: a
//! [`StockSession`] (a book, and an allocator when a policy is given) whose methods
//! take and return JSON values, and a few stateless functions.
//!
//! ```
//! use ichigen_core::stock::json::StockSession;
//! use serde_json::json;
//! let mut s = StockSession::new(
//!     json!({"skus": [{"sku": "TEA"}], "locations": [{"id": "tokyo"}],
//!            "listings": [{"channel": "rakuten", "code": "tea", "sku": "TEA"}]}),
//!     json!([{"sku": "TEA", "location": "tokyo", "on_hand": 2}]),
//!     json!(null),
//!     json!({"channels": [{"channel": "rakuten", "mode": "uniform"}]}),
//! ).unwrap();
//! let out = s.step(json!({"reserve": {"order": "o1", "channel": "rakuten",
//!                                     "lines": [{"listing_code": "tea", "quantity": 1}]}})).unwrap();
//! assert_eq!(out["reserved"][0]["quantity"], 1);
//! assert_eq!(s.step(json!({"sync": {}})).unwrap()[0]["quantity"], 1);
//! ```

use std::sync::Arc;

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    AllocationPolicy, Allocator, Catalog, ForecastPolicy, OrderedLine, ReservationPolicy,
    ReserveRequest, Sale, StockBook, StockLevel, decode, drop_ship_totals, purchase_orders,
    reorder, reorder_quantity,
};
use crate::error::{Error, Issue, issues_under};
use crate::order::Channel;

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn invalid(code: &str, path: &str, message: &str) -> Error {
    Error::InvalidStock(vec![Issue::new(code, path, message)])
}

/// A stock book, and an allocator when the session has an allocation policy.
#[derive(Debug, Clone)]
pub struct StockSession {
    /// The book.
    pub book: StockBook,
    /// The allocator, when a policy was given.
    pub allocator: Option<Allocator>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Receipt {
    sku: String,
    location: String,
    quantity: i64,
    #[serde(default)]
    expected: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Quantity {
    sku: String,
    location: String,
    quantity: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Adjust {
    sku: String,
    location: String,
    delta: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrderLines {
    order: String,
    #[serde(default)]
    lines: Option<Vec<u32>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SkuArg {
    sku: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListingArg {
    channel: Channel,
    #[serde(default)]
    store: Option<String>,
    listing: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReorderArgs {
    as_of: NaiveDate,
    #[serde(default)]
    sales: Option<Vec<Sale>>,
    #[serde(default)]
    forecast: Option<ForecastPolicy>,
}

/// Decodes levels: null or a list of `{sku, location, on_hand, incoming?, buffer?}`.
pub fn parse_levels(levels: Value) -> Result<Vec<StockLevel>, Error> {
    if levels.is_null() {
        return Ok(Vec::new());
    }
    decode(levels, "$")
}

impl StockSession {
    /// A session over a catalog (see [`Catalog::from_json`]), starting levels (null
    /// or a list of levels), a reservation policy (null: the defaults) and an
    /// allocation policy (null: none). Problems are reported by path within their
    /// own argument; a level's problem at `$[i]`.
    pub fn new(
        catalog: Value,
        levels: Value,
        policy: Value,
        allocation: Value,
    ) -> Result<StockSession, Error> {
        let catalog = Arc::new(Catalog::from_json(catalog)?);
        let policy: ReservationPolicy = if policy.is_null() {
            ReservationPolicy::default()
        } else {
            decode(policy, "$")?
        };
        let allocator = if allocation.is_null() {
            None
        } else {
            Some(Allocator::new(
                catalog.clone(),
                AllocationPolicy::from_json(allocation)?,
            )?)
        };
        let mut book = StockBook::new(catalog, policy);
        for (i, level) in parse_levels(levels)?.iter().enumerate() {
            book.set_level(level)
                .map_err(|e| reroot(e, &format!("$[{i}]")))?;
        }
        book.take_movements();
        Ok(StockSession { book, allocator })
    }

    /// Runs one step, `{"<operation>": argument}`; see the methods for each.
    pub fn step(&mut self, step: Value) -> Result<Value, Error> {
        let Value::Object(map) = step else {
            return Err(invalid(
                "STOCK_BAD_STEP",
                "$",
                "a step is an object with one operation",
            ));
        };
        if map.len() != 1 {
            return Err(invalid(
                "STOCK_BAD_STEP",
                "$",
                "a step has exactly one operation",
            ));
        }
        let Some((op, arg)) = map.into_iter().next() else {
            return Err(invalid(
                "STOCK_BAD_STEP",
                "$",
                "a step has exactly one operation",
            ));
        };
        let path = format!("$.{op}");
        let r = match op.as_str() {
            "reserve" => self.reserve(arg),
            "check" => self.check(arg),
            "reserve_order" => self.reserve_order(arg),
            "receive" => self.receive(arg),
            "expect" => self.expect(arg),
            "adjust" => self.adjust(arg),
            "set_level" => self.set_level(arg),
            "cancel" => self.cancel(arg),
            "ship" => self.ship(arg),
            "sync" => self.sync(),
            "allocation" => self.allocation(),
            "forget_pushed" => self.forget_pushed(),
            "reconcile" => Ok(self.reconcile()),
            "stock" => self.stock(arg),
            "listing_free" => self.listing_free(arg),
            "queue" => self.queue(arg),
            "order" => self.order(arg),
            "movements" => Ok(self.movements()),
            "reorder" => self.reorder(arg),
            _ => {
                return Err(invalid(
                    "STOCK_BAD_STEP",
                    "$",
                    "unknown operation; expected reserve, reserve_order, check, receive, expect, adjust, set_level, cancel, ship, sync, allocation, forget_pushed, reconcile, stock, listing_free, queue, order, movements or reorder",
                ));
            }
        };
        r.map_err(|e| reroot(e, &path))
    }

    /// `{order, channel, store?, lines: [{listing_code?, sku?, quantity}],
    /// destination?, locations?, all_or_nothing?}` → the reservation outcome.
    pub fn reserve(&mut self, request: Value) -> Result<Value, Error> {
        let req: ReserveRequest = decode(request, "$")?;
        Ok(to_value(&self.book.reserve(&req)?))
    }

    /// Reserves a whole order (the order JSON of [`crate::order::Order`]): its
    /// channel, store, lines and first recipient's prefecture. Returns the outcome
    /// with `facts: {all_lines_reservable, awaiting_stock}` for triage.
    pub fn reserve_order(&mut self, order: Value) -> Result<Value, Error> {
        let order = crate::interop::parse_order(order)?;
        let out = self.book.reserve(&ReserveRequest::from_order(&order))?;
        let mut v = to_value(&out);
        v["facts"] = to_value(&out.facts());
        Ok(v)
    }

    /// Like `reserve`, without changing anything.
    pub fn check(&self, request: Value) -> Result<Value, Error> {
        let req: ReserveRequest = decode(request, "$")?;
        Ok(to_value(&self.book.check(&req)?))
    }

    /// `{sku, location, quantity, expected?}` → what the arrival served.
    pub fn receive(&mut self, arg: Value) -> Result<Value, Error> {
        let r: Receipt = decode(arg, "$")?;
        Ok(to_value(&self.book.receive(
            &r.sku,
            &r.location,
            r.quantity,
            r.expected,
        )?))
    }

    /// `{sku, location, quantity}`: more units expected.
    pub fn expect(&mut self, arg: Value) -> Result<Value, Error> {
        let r: Quantity = decode(arg, "$")?;
        self.book.expect(&r.sku, &r.location, r.quantity)?;
        Ok(Value::Null)
    }

    /// `{sku, location, delta}` → what the change released or served.
    pub fn adjust(&mut self, arg: Value) -> Result<Value, Error> {
        let r: Adjust = decode(arg, "$")?;
        Ok(to_value(&self.book.adjust(&r.sku, &r.location, r.delta)?))
    }

    /// A level `{sku, location, on_hand, incoming?, buffer?}` → what the count
    /// released or served.
    pub fn set_level(&mut self, arg: Value) -> Result<Value, Error> {
        let l: StockLevel = decode(arg, "$")?;
        Ok(to_value(&self.book.set_level(&l)?))
    }

    /// `{order, lines?}` → what the released units served.
    pub fn cancel(&mut self, arg: Value) -> Result<Value, Error> {
        let r: OrderLines = decode(arg, "$")?;
        Ok(to_value(&self.book.cancel(&r.order, r.lines.as_deref())?))
    }

    /// `{order, lines?}` → what shipped and what still waits.
    pub fn ship(&mut self, arg: Value) -> Result<Value, Error> {
        let r: OrderLines = decode(arg, "$")?;
        Ok(to_value(&self.book.ship(&r.order, r.lines.as_deref())?))
    }

    fn allocator(&mut self) -> Result<&mut Allocator, Error> {
        self.allocator.as_mut().ok_or_else(|| {
            invalid(
                "STOCK_NO_ALLOCATION",
                "$",
                "this session has no allocation policy",
            )
        })
    }

    /// The sync deltas since the last sync: `[{channel, store?, listing, quantity,
    /// previous}]`.
    pub fn sync(&mut self) -> Result<Value, Error> {
        let book = &mut self.book;
        let alloc = self.allocator.as_mut().ok_or_else(|| {
            invalid(
                "STOCK_NO_ALLOCATION",
                "$",
                "this session has no allocation policy",
            )
        })?;
        Ok(to_value(&alloc.sync(book)))
    }

    /// The whole allocation table, recomputed: `[{channel, store?, listing, quantity}]`.
    pub fn allocation(&mut self) -> Result<Value, Error> {
        let book = &self.book;
        let alloc = self.allocator.as_mut().ok_or_else(|| {
            invalid(
                "STOCK_NO_ALLOCATION",
                "$",
                "this session has no allocation policy",
            )
        })?;
        alloc.recompute(book);
        Ok(to_value(&alloc.quantities()))
    }

    /// Forgets what was pushed: the next sync returns everything.
    pub fn forget_pushed(&mut self) -> Result<Value, Error> {
        self.allocator()?.forget_pushed();
        Ok(Value::Null)
    }

    /// The reconciliation.
    pub fn reconcile(&self) -> Value {
        to_value(&self.book.reconcile())
    }

    /// `{sku}` → `{sku, on_hand, reserved, incoming, free, backordered, locations:
    /// [cells]}`.
    pub fn stock(&self, arg: Value) -> Result<Value, Error> {
        let a: SkuArg = decode(arg, "$")?;
        let s = self.book.catalog().sku(&a.sku).ok_or_else(|| {
            invalid(
                "STOCK_UNKNOWN_SKU",
                "$.sku",
                "this SKU is not in the catalog",
            )
        })?;
        let (on_hand, reserved, incoming) = self.book.totals(s);
        let cells: Vec<Value> = (0..self.book.catalog().locations().len() as u32)
            .map(|l| to_value(&self.book.cell_view(s, l)))
            .collect();
        Ok(json!({
            "sku": a.sku,
            "on_hand": on_hand,
            "reserved": reserved,
            "incoming": incoming,
            "free": self.book.free(s),
            "backordered": self.book.backordered(s),
            "locations": cells,
        }))
    }

    /// `{channel, store?, listing}` → `{free}`: for a set, min over components of
    /// floor(free / quantity).
    pub fn listing_free(&self, arg: Value) -> Result<Value, Error> {
        let a: ListingArg = decode(arg, "$")?;
        let l = self
            .book
            .catalog()
            .listing(a.channel, a.store.as_deref(), &a.listing)
            .ok_or_else(|| {
                invalid(
                    "STOCK_UNKNOWN_LISTING",
                    "$.listing",
                    "this listing code is not mapped on the channel",
                )
            })?;
        Ok(json!({"free": self.book.listing_free(l)}))
    }

    /// `{sku}` → the waiting lines, oldest first.
    pub fn queue(&self, arg: Value) -> Result<Value, Error> {
        let a: SkuArg = decode(arg, "$")?;
        let s = self.book.catalog().sku(&a.sku).ok_or_else(|| {
            invalid(
                "STOCK_UNKNOWN_SKU",
                "$.sku",
                "this SKU is not in the catalog",
            )
        })?;
        Ok(to_value(&self.book.queue_of(s)))
    }

    /// `{order}` → `{all_lines_reservable, awaiting_stock, reservations}`.
    pub fn order(&self, arg: Value) -> Result<Value, Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct A {
            order: String,
        }
        let a: A = decode(arg, "$")?;
        let facts = self.book.order_facts(&a.order).ok_or_else(|| {
            invalid(
                "STOCK_UNKNOWN_ORDER",
                "$.order",
                "this order is not in the book",
            )
        })?;
        Ok(json!({
            "all_lines_reservable": facts.all_lines_reservable,
            "awaiting_stock": facts.awaiting_stock,
            "reservations": to_value(&self.book.reservations_of(&a.order)),
        }))
    }

    /// The movements since the last call.
    pub fn movements(&mut self) -> Value {
        to_value(&self.book.take_movements())
    }

    /// `{as_of, sales?, forecast?}` → `{lines, purchase_orders}`.
    pub fn reorder(&self, arg: Value) -> Result<Value, Error> {
        let a: ReorderArgs = decode(arg, "$")?;
        let lines = reorder(
            &self.book,
            a.sales.as_deref(),
            a.as_of,
            &a.forecast.unwrap_or_default(),
        )?;
        Ok(json!({
            "lines": to_value(&lines),
            "purchase_orders": to_value(&purchase_orders(&lines)),
        }))
    }
}

/// Prefixes every issue path of a stock error with `prefix` (`$.reserve` + `$.lines[0]`
/// → `$.reserve.lines[0]`).
fn reroot(e: Error, prefix: &str) -> Error {
    match e {
        Error::InvalidStock(issues) => Error::InvalidStock(issues_under(issues, prefix)),
        other => other,
    }
}

/// Runs a whole session: `{catalog, levels?, policy?, allocation?, steps}` →
/// `{results}`, one per step: the step's output, or `{"error": {code, issues}}`
/// when the step was refused (the book is unchanged by a refused step, and the
/// session goes on).
pub fn stock_session(input: Value) -> Result<Value, Error> {
    let field = |k: &str| input.get(k).cloned().unwrap_or(Value::Null);
    let mut session = StockSession::new(
        field("catalog"),
        field("levels"),
        field("policy"),
        field("allocation"),
    )?;
    let steps = match field("steps") {
        Value::Array(v) => v,
        Value::Null => Vec::new(),
        _ => {
            return Err(invalid(
                "STOCK_WRONG_TYPE",
                "$.steps",
                "expected an array of steps",
            ));
        }
    };
    let mut results = Vec::with_capacity(steps.len());
    for (i, step) in steps.into_iter().enumerate() {
        match session.step(step) {
            Ok(v) => results.push(v),
            Err(e) => {
                let e = reroot(e, &format!("$.steps[{i}]"));
                results.push(json!({"error": crate::interop::error_value(&e)}));
            }
        }
    }
    Ok(json!({"results": results}))
}

/// `{catalog, lines: [{channel, store?, listing_code, quantity}]}` → `{totals,
/// issues}`: drop-ship units per supplier; lines with unknown listing codes are
/// reported at `$.lines[i]` and left out.
pub fn drop_ship(input: Value) -> Result<Value, Error> {
    let field = |k: &str| input.get(k).cloned().unwrap_or(Value::Null);
    let catalog = Catalog::from_json(field("catalog"))?;
    let lines: Vec<OrderedLine> = decode(field("lines"), "$.lines")?;
    let (totals, issues) = drop_ship_totals(&catalog, &lines);
    let issues = issues_under(issues, "$.lines");
    Ok(json!({"totals": to_value(&totals), "issues": to_value(&issues)}))
}

/// `{catalog, allocation, levels: [{sku, location, on_hand, reserved?, buffer?}]}`
/// → `{quantities: [{channel, store?, listing, quantity}], issues}`: the allocation
/// table from a snapshot; bad rows are reported at `$.levels[i]` and left out.
pub fn allocate(input: Value) -> Result<Value, Error> {
    let field = |k: &str| input.get(k).cloned().unwrap_or(Value::Null);
    let catalog = Arc::new(Catalog::from_json(field("catalog"))?);
    let policy = AllocationPolicy::from_json(field("allocation"))?;
    let rows: Vec<super::SnapshotRow> = decode(field("levels"), "$.levels")?;
    let (quantities, issues) = super::allocate_snapshot(catalog, policy, &rows)?;
    let issues = issues_under(issues, "$.levels");
    Ok(json!({"quantities": to_value(&quantities), "issues": to_value(&issues)}))
}

/// `{position, point, target, lot}` → `{quantity}` (see [`reorder_quantity`]).
pub fn reorder_formula(input: Value) -> Result<Value, Error> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct A {
        position: i64,
        point: i64,
        target: i64,
        #[serde(default)]
        lot: Option<u32>,
    }
    let a: A = decode(input, "$")?;
    Ok(json!({"quantity": reorder_quantity(a.position, a.point, a.target, a.lot.unwrap_or(1))}))
}
