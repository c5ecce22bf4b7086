//! Stock (在庫管理): the `StockBook` class (a book of stock per SKU and location,
//! reservations and the backorder queue, and channel allocation with sync deltas),
//! `stockSession`, `allocateStock` over columns, `dropShipTotals` and
//! `reorderQuantity`.
//!
//! Everything goes through the core's JSON face (`ichigen::stock::json`): catalogs,
//! levels, requests and results are the core's JSON (snake_case keys). A method
//! with positional arguments (`receive(sku, location, quantity, expected?)`) builds
//! the core's argument object from them (`{sku, location, quantity, expected}`,
//! `null` and `undefined` left out), so that the core checks them and names a
//! problem by its key (`$.quantity`), as it does for the same operation given to
//! `step`. A refused operation throws `STOCK_INVALID` with every issue and changes
//! nothing. Quantities are whole numbers; a result holding one beyond
//! `Number.MAX_SAFE_INTEGER` (possible only from counts given as BigInts or in JSON
//! text) throws `INPUT_OUT_OF_RANGE` rather than rounding it.

mod columns;

use std::sync::{Mutex, MutexGuard, PoisonError};

use ichigen::Error;
use ichigen::stock::json::{self, StockSession};
use napi::Env;
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;
use serde_json::{Map, Value};

use crate::convert::{json_arg, opt_json_arg, to_js, unsafe_integer_path, value_arg};
use crate::errors::{CoreResultExt, input};

pub use columns::StockAllocation;

/// A whole number in a result that a JS number cannot carry, at `path`.
fn quantity_out_of_range(path: &str) -> Error {
    input(
        "INPUT_OUT_OF_RANGE",
        path,
        "a whole number in the result (a quantity) is beyond Number.MAX_SAFE_INTEGER (2^53 - 1)",
    )
}

/// A result checked for integers JS cannot carry and converted whole (see
/// [`to_js`]: a movement list may be long), or the JS error.
fn answer<'env>(env: &'env Env, result: Result<Value, Error>) -> napi::Result<Unknown<'env>> {
    let value = result
        .and_then(|v| match unsafe_integer_path(&v) {
            Some(path) => Err(quantity_out_of_range(&path)),
            None => Ok(v),
        })
        .or_throw(env)?;
    to_js(env, &value)
}

/// The core's argument object from positional arguments: each `(key, value)` with
/// the value converted as it is (a string stays a string), `null` and `undefined`
/// left out (the core's defaults, or its "missing field" for a required one). A
/// conversion problem is at `$.<key>`, where the core reports its own.
fn arguments(fields: &[(&str, Option<Unknown<'_>>)]) -> Result<Value, Error> {
    let mut map = Map::new();
    for (key, value) in fields {
        let value = value_arg(*value, key)?;
        if !value.is_null() {
            map.insert((*key).to_owned(), value);
        }
    }
    Ok(Value::Object(map))
}

/// A book of stock: on hand, reserved, incoming and buffer per SKU and location;
/// reservations by the policy's strategy, with the backorder queue (引当待ち)
/// served first come, first served; a movement for every change; and, with an
/// allocation policy, the quantity each channel's listing shows and the sync
/// deltas. Every method is atomic: a refused operation throws and changes nothing.
#[napi]
pub struct StockBook {
    inner: Mutex<StockSession>,
}

impl std::fmt::Debug for StockBook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StockBook").finish_non_exhaustive()
    }
}

impl StockBook {
    /// The session. A panic inside the core while it was held (a bug) leaves it
    /// poisoned; the core's operations are atomic, so the session is used as it is.
    fn session(&self) -> MutexGuard<'_, StockSession> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `op` on the session with the argument built by `arg`, and answers.
    fn call<'env>(
        &self,
        env: &'env Env,
        arg: Result<Value, Error>,
        op: impl FnOnce(&mut StockSession, Value) -> Result<Value, Error>,
    ) -> napi::Result<Unknown<'env>> {
        let result = arg.and_then(|a| op(&mut self.session(), a));
        answer(env, result)
    }
}

#[napi]
impl StockBook {
    /// A book over a catalog (SKUs, locations, channel listings and sets; an object
    /// or JSON text), with starting levels (`[{sku, location, on_hand, incoming?,
    /// buffer?}]`), a reservation policy (`{strategy?, all_or_nothing?,
    /// prefer_single_location?}`; default: priority order, line by line, one
    /// location when one can fill the order) and an allocation policy (`{channels:
    /// [...]}`; without one, `sync`, `allocation` and `forgetPushed` throw
    /// `STOCK_NO_ALLOCATION`). Throws `STOCK_INVALID` with every issue, each at its
    /// path within its own argument (a level's at `$[i]`).
    #[napi(
        constructor,
        ts_args_type = "catalog: StockCatalog | string, levels?: StockLevel[] | string | null, policy?: ReservationPolicy | string | null, allocation?: AllocationPolicy | string | null"
    )]
    pub fn new(
        env: Env,
        catalog: Unknown<'_>,
        levels: Option<Unknown<'_>>,
        policy: Option<Unknown<'_>>,
        allocation: Option<Unknown<'_>>,
    ) -> napi::Result<Self> {
        let run = || {
            StockSession::new(
                json_arg(catalog, "catalog")?,
                opt_json_arg(levels, "levels")?,
                opt_json_arg(policy, "policy")?,
                opt_json_arg(allocation, "allocation")?,
            )
        };
        run()
            .map(|s| StockBook {
                inner: Mutex::new(s),
            })
            .or_throw(&env)
    }

    /// Reserves an order's lines (`{order, channel, store?, lines: [{listing_code?,
    /// sku?, quantity}], destination?, locations?, all_or_nothing?}`): `{reserved,
    /// backordered, completed_orders}`. A set line reserves each component; what
    /// cannot be reserved waits in the queue. An unknown listing code is
    /// `STOCK_UNKNOWN_LISTING` at `$.lines[i].listing_code`; an order reserved
    /// before is refused.
    #[napi(
        ts_args_type = "request: ReserveRequest | string",
        ts_return_type = "ReservationOutcome"
    )]
    pub fn reserve<'env>(
        &self,
        env: &'env Env,
        request: Unknown<'_>,
    ) -> napi::Result<Unknown<'env>> {
        self.call(env, json_arg(request, "request"), StockSession::reserve)
    }

    /// Reserves a whole order (the order JSON: its channel, store, lines and first
    /// recipient's prefecture); the outcome with `facts: {all_lines_reservable,
    /// awaiting_stock}`, the triage context's stock facts. A bad order throws
    /// `ORDER_INVALID`.
    #[napi(
        ts_args_type = "order: OrderInput",
        ts_return_type = "OrderReservation"
    )]
    pub fn reserve_order<'env>(
        &self,
        env: &'env Env,
        order: Unknown<'_>,
    ) -> napi::Result<Unknown<'env>> {
        self.call(env, json_arg(order, "order"), StockSession::reserve_order)
    }

    /// What `reserve` would do, without changing anything.
    #[napi(
        ts_args_type = "request: ReserveRequest | string",
        ts_return_type = "ReservationOutcome"
    )]
    pub fn check<'env>(&self, env: &'env Env, request: Unknown<'_>) -> napi::Result<Unknown<'env>> {
        self.call(env, json_arg(request, "request"), |s, a| s.check(a))
    }

    /// Units arrived (入荷); with `expected`, they were expected (incoming goes
    /// down). The waiting lines are served oldest first: what was reserved for them.
    #[napi(
        ts_args_type = "sku: string, location: string, quantity: number, expected?: boolean | null",
        ts_return_type = "ReservationOutcome"
    )]
    pub fn receive<'env>(
        &self,
        env: &'env Env,
        sku: Unknown<'_>,
        location: Unknown<'_>,
        quantity: Unknown<'_>,
        expected: Option<Unknown<'_>>,
    ) -> napi::Result<Unknown<'env>> {
        let arg = arguments(&[
            ("sku", Some(sku)),
            ("location", Some(location)),
            ("quantity", Some(quantity)),
            ("expected", expected),
        ]);
        self.call(env, arg, StockSession::receive)
    }

    /// More units expected at a location (入荷予定).
    #[napi(ts_args_type = "sku: string, location: string, quantity: number")]
    pub fn expect(
        &self,
        env: Env,
        sku: Unknown<'_>,
        location: Unknown<'_>,
        quantity: Unknown<'_>,
    ) -> napi::Result<()> {
        let arg = arguments(&[
            ("sku", Some(sku)),
            ("location", Some(location)),
            ("quantity", Some(quantity)),
        ]);
        arg.and_then(|a| self.session().expect(a))
            .map(drop)
            .or_throw(&env)
    }

    /// Adds `delta` (negative: removes) to the units on hand (a correction): what
    /// the change released (too few units left) or served from the queue.
    #[napi(
        ts_args_type = "sku: string, location: string, delta: number",
        ts_return_type = "ReservationOutcome"
    )]
    pub fn adjust<'env>(
        &self,
        env: &'env Env,
        sku: Unknown<'_>,
        location: Unknown<'_>,
        delta: Unknown<'_>,
    ) -> napi::Result<Unknown<'env>> {
        let arg = arguments(&[
            ("sku", Some(sku)),
            ("location", Some(location)),
            ("delta", Some(delta)),
        ]);
        self.call(env, arg, StockSession::adjust)
    }

    /// Sets a cell from a count (棚卸): `{sku, location, on_hand, incoming?,
    /// buffer?}`; what the count released or served.
    #[napi(
        ts_args_type = "level: StockLevel | string",
        ts_return_type = "ReservationOutcome"
    )]
    pub fn set_level<'env>(
        &self,
        env: &'env Env,
        level: Unknown<'_>,
    ) -> napi::Result<Unknown<'env>> {
        self.call(env, json_arg(level, "level"), StockSession::set_level)
    }

    /// Cancels an order, or some of its lines (0-based): its reservations are
    /// released and its waiting lines leave the queue; what the released units
    /// served.
    #[napi(
        ts_args_type = "order: string, lines?: number[] | null",
        ts_return_type = "ReservationOutcome"
    )]
    pub fn cancel<'env>(
        &self,
        env: &'env Env,
        order: Unknown<'_>,
        lines: Option<Unknown<'_>>,
    ) -> napi::Result<Unknown<'env>> {
        let arg = arguments(&[("order", Some(order)), ("lines", lines)]);
        self.call(env, arg, StockSession::cancel)
    }

    /// Ships an order, or some of its lines: the reserved units leave (on hand and
    /// reserved go down); `{shipped, still_waiting}`.
    #[napi(
        ts_args_type = "order: string, lines?: number[] | null",
        ts_return_type = "ShipmentOutcome"
    )]
    pub fn ship<'env>(
        &self,
        env: &'env Env,
        order: Unknown<'_>,
        lines: Option<Unknown<'_>>,
    ) -> napi::Result<Unknown<'env>> {
        let arg = arguments(&[("order", Some(order)), ("lines", lines)]);
        self.call(env, arg, StockSession::ship)
    }

    /// The quantities to push to the channels: those that changed since the last
    /// sync (everything the first time), `[{channel, store?, listing, quantity,
    /// previous}]`, marked as pushed. Throws `STOCK_NO_ALLOCATION` without an
    /// allocation policy.
    #[napi(ts_return_type = "SyncDelta[]")]
    pub fn sync<'env>(&self, env: &'env Env) -> napi::Result<Unknown<'env>> {
        self.call(env, Ok(Value::Null), |s, _| s.sync())
    }

    /// The whole allocation table, recomputed: `[{channel, store?, listing,
    /// quantity}]` in policy order, then listing order. Marks nothing as pushed.
    #[napi(ts_return_type = "ListingQuantity[]")]
    pub fn allocation<'env>(&self, env: &'env Env) -> napi::Result<Unknown<'env>> {
        self.call(env, Ok(Value::Null), |s, _| s.allocation())
    }

    /// Forgets what was pushed (after a failed push): the next `sync` returns every
    /// quantity.
    #[napi]
    pub fn forget_pushed(&self, env: Env) -> napi::Result<()> {
        self.session().forget_pushed().map(drop).or_throw(&env)
    }

    /// Checks the book: every reserved count equals its live reservations, no cell
    /// holds more reserved than on hand, every waiting unit is queued.
    #[napi(ts_return_type = "Reconciliation")]
    pub fn reconcile<'env>(&self, env: &'env Env) -> napi::Result<Unknown<'env>> {
        self.call(env, Ok(Value::Null), |s, _| Ok(s.reconcile()))
    }

    /// A SKU's stock: `{sku, on_hand, reserved, incoming, free, backordered,
    /// locations: [{sku, location, on_hand, reserved, incoming, buffer, free}]}`. An
    /// unknown SKU is `STOCK_UNKNOWN_SKU` at `$.sku`.
    #[napi(ts_args_type = "sku: string", ts_return_type = "SkuStock")]
    pub fn stock<'env>(&self, env: &'env Env, sku: Unknown<'_>) -> napi::Result<Unknown<'env>> {
        let arg = arguments(&[("sku", Some(sku))]);
        self.call(env, arg, |s, a| s.stock(a))
    }

    /// The free units of a channel's listing; for a set, the least over its
    /// components of floor(free / quantity). An unknown listing is
    /// `STOCK_UNKNOWN_LISTING` at `$.listing`.
    #[napi(ts_args_type = "channel: ChannelName, listing: string, store?: string | null")]
    pub fn listing_free(
        &self,
        env: Env,
        channel: Unknown<'_>,
        listing: Unknown<'_>,
        store: Option<Unknown<'_>>,
    ) -> napi::Result<i64> {
        let run = || {
            let arg = arguments(&[
                ("channel", Some(channel)),
                ("store", store),
                ("listing", Some(listing)),
            ])?;
            let out = self.session().listing_free(arg)?;
            out["free"]
                .as_i64()
                .filter(|n| n.unsigned_abs() <= crate::errors::MAX_SAFE_INTEGER)
                .ok_or_else(|| quantity_out_of_range("$"))
        };
        run().or_throw(&env)
    }

    /// The lines waiting for a SKU, oldest first: `[{order, line, sku, quantity}]`.
    #[napi(ts_args_type = "sku: string", ts_return_type = "Backorder[]")]
    pub fn queue<'env>(&self, env: &'env Env, sku: Unknown<'_>) -> napi::Result<Unknown<'env>> {
        let arg = arguments(&[("sku", Some(sku))]);
        self.call(env, arg, |s, a| s.queue(a))
    }

    /// An order's stock: `{all_lines_reservable, awaiting_stock, reservations}`. An
    /// order never reserved is `STOCK_UNKNOWN_ORDER` at `$.order`.
    #[napi(ts_args_type = "orderId: string", ts_return_type = "OrderStock")]
    pub fn order<'env>(
        &self,
        env: &'env Env,
        order_id: Unknown<'_>,
    ) -> napi::Result<Unknown<'env>> {
        let arg = arguments(&[("order", Some(order_id))]);
        self.call(env, arg, |s, a| s.order(a))
    }

    /// The movements since the last call (the first call: since construction):
    /// `[{seq, kind, sku, location?, quantity, order?, line?}]`.
    #[napi(ts_return_type = "Movement[]")]
    pub fn movements<'env>(&self, env: &'env Env) -> napi::Result<Unknown<'env>> {
        self.call(env, Ok(Value::Null), |s, _| Ok(s.movements()))
    }

    /// What to reorder on `asOf` (`YYYY-MM-DD`): `{lines, purchase_orders}`, a line
    /// per stocked SKU with a reorder point and target level (its own, or suggested
    /// from `sales` by `forecast`), grouped per supplier.
    #[napi(
        ts_args_type = "asOf: string, sales?: Sale[] | null, forecast?: ForecastPolicy | null",
        ts_return_type = "ReorderReport"
    )]
    pub fn reorder<'env>(
        &self,
        env: &'env Env,
        as_of: Unknown<'_>,
        sales: Option<Unknown<'_>>,
        forecast: Option<Unknown<'_>>,
    ) -> napi::Result<Unknown<'env>> {
        let arg = arguments(&[
            ("as_of", Some(as_of)),
            ("sales", sales),
            ("forecast", forecast),
        ]);
        self.call(env, arg, |s, a| s.reorder(a))
    }

    /// Runs one operation given as `{"<operation>": argument}` (`{"reserve":
    /// {...}}`, `{"sync": {}}`, `{"stock": {"sku": "TEA"}}`): the operation's
    /// output, as the core's JSON (`listing_free` gives `{free}`). A refused
    /// operation's issues are under `$.<operation>`; a step that is not one
    /// operation is `STOCK_BAD_STEP`.
    #[napi(ts_args_type = "step: StockStep | string")]
    pub fn step<'env>(&self, env: &'env Env, step: Unknown<'_>) -> napi::Result<Unknown<'env>> {
        self.call(env, json_arg(step, "step"), StockSession::step)
    }
}

/// Runs a whole session: `{catalog, levels?, policy?, allocation?, steps: [{"<op>":
/// arg}]}` → `{results}`, one per step: its output, or `{error: {code, message,
/// issues}}` for a refused step (paths under `$.steps[i].<op>`), the session going
/// on. A bad catalog, level or policy throws.
#[napi(
    ts_args_type = "input: StockSessionInput | string",
    ts_return_type = "{ results: unknown[] }"
)]
pub fn stock_session<'env>(env: &'env Env, input: Unknown<'_>) -> napi::Result<Unknown<'env>> {
    answer(env, json_arg(input, "input").and_then(json::stock_session))
}

/// Drop-ship units (直送) per supplier from ordered lines `[{channel, store?,
/// listing_code, quantity}]`, sets expanded: `{totals: [{supplier, lines: [{sku,
/// quantity, channels}], units}], issues}`. A line with an unknown listing code is
/// reported at `$.lines[i].listing_code` and left out.
#[napi(
    ts_args_type = "catalog: StockCatalog | string, lines: OrderedLine[] | string",
    ts_return_type = "DropShipReport"
)]
pub fn drop_ship_totals<'env>(
    env: &'env Env,
    catalog: Unknown<'_>,
    lines: Unknown<'_>,
) -> napi::Result<Unknown<'env>> {
    let run = || {
        let mut input = Map::new();
        input.insert("catalog".to_owned(), json_arg(catalog, "catalog")?);
        input.insert("lines".to_owned(), json_arg(lines, "lines")?);
        json::drop_ship(Value::Object(input))
    };
    answer(env, run())
}

/// Units to order for a stock position, a reorder point (発注点), a target level
/// (在庫定数) and a lot (発注ロット, default 1; 0 counts as 1): 0 above the point
/// or when nothing is short of the target; otherwise (target − position) rounded
/// down to whole lots, but at least one lot. Throws `STOCK_INVALID` for an
/// argument that is not a whole number (or a lot below 0).
#[napi(ts_args_type = "position: number, point: number, target: number, lot?: number | null")]
pub fn reorder_quantity(
    env: Env,
    position: Unknown<'_>,
    point: Unknown<'_>,
    target: Unknown<'_>,
    lot: Option<Unknown<'_>>,
) -> napi::Result<i64> {
    let run = || {
        let arg = arguments(&[
            ("position", Some(position)),
            ("point", Some(point)),
            ("target", Some(target)),
            ("lot", lot),
        ])?;
        let out = json::reorder_formula(arg)?;
        out["quantity"]
            .as_i64()
            .filter(|n| n.unsigned_abs() <= crate::errors::MAX_SAFE_INTEGER)
            .ok_or_else(|| quantity_out_of_range("$"))
    };
    run().or_throw(&env)
}

/// The allocation table from a stock snapshot given as columns (`sku`, `location`:
/// arrays of strings; `onHand` and optional `reserved`, `buffer`: `Int32Array`,
/// `Uint32Array`, `Float64Array` or `BigInt64Array`, or arrays of numbers), all of
/// the length of `sku`, without an object per row. Returns columns, one entry per
/// channel rule and listing (`channel`, `store`, `listing`, `quantity`) and the
/// rows left out (`issues`: an unknown SKU at `$[i].sku`, an unknown location, a
/// negative count at `$[i]`, a SKU and location given twice). A bad catalog or
/// policy throws `STOCK_INVALID`; a column of another length
/// `INPUT_COLUMN_LENGTH`, of another kind `INPUT_WRONG_TYPE`, a value that is not a
/// whole number `INPUT_BAD_VALUE`, each at `$.columns.<name>`.
#[napi(
    ts_args_type = "catalog: StockCatalog | string, allocation: AllocationPolicy | string, columns: StockColumns"
)]
pub fn allocate_stock(
    env: Env,
    catalog: Unknown<'_>,
    allocation: Unknown<'_>,
    columns: Unknown<'_>,
) -> napi::Result<StockAllocation> {
    let run = || {
        let table = columns::Snapshot::read(&columns)?;
        let catalog = json_arg(catalog, "catalog")?;
        let allocation = json_arg(allocation, "allocation")?;
        table.allocate(catalog, allocation)
    };
    run().or_throw(&env)
}
