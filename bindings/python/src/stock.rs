//! Stock (在庫管理): `StockBook`, a session over the core's JSON face
//! (`ichigen::stock::json::StockSession`) with one method per operation; the
//! stateless functions; and batch allocation from Arrow stock levels
//! (`stock/columns.rs`).
//!
//! Values cross as JSON: the arguments of a method become the JSON argument the
//! core's operation takes, so that the core checks them and reports problems
//! (`StockError`, code `STOCK_INVALID`) at the same paths as its own session
//! (`$.quantity`, `$.lines[1].listing_code`). A book lives behind a mutex that is
//! only ever locked with the GIL released, and no Python object is touched while
//! it is held, so one book can be shared between threads.

mod columns;

use std::sync::{Mutex, MutexGuard};

use ichigen::Error;
use ichigen::stock::json::{self as core_json, StockSession};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::{PyDateTime, PyTuple};
use pyo3_arrow::PyTable;
use serde_json::{Map, Value, json};

use crate::convert::{input_arg, json_arg, opt_json_arg, to_py, to_value};
use crate::errors::{CoreResultExt, input_error};

/// A keyword argument converted as it is (a `str` stays a string, it is not JSON
/// text); `$.name` in conversion errors.
fn named(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Value> {
    let mut path = format!("$.{name}");
    to_value(obj, &mut path, 0)
}

/// The JSON argument of an operation from named values; an optional value that is
/// `None` is left out (the core reads an absent and a null optional field alike).
#[derive(Debug, Default)]
struct Args(Map<String, Value>);

impl Args {
    fn new() -> Args {
        Args::default()
    }

    /// A required value (`None` crosses as null and the core refuses it).
    fn put(mut self, name: &str, obj: &Bound<'_, PyAny>) -> PyResult<Args> {
        self.0.insert(name.to_owned(), named(obj, name)?);
        Ok(self)
    }

    /// An optional value, left out when absent or `None`.
    fn opt(mut self, name: &str, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Args> {
        if let Some(obj) = obj.filter(|o| !o.is_none()) {
            self.0.insert(name.to_owned(), named(obj, name)?);
        }
        Ok(self)
    }

    /// A plain value.
    fn with(mut self, name: &str, value: impl Into<Value>) -> Args {
        self.0.insert(name.to_owned(), value.into());
        self
    }

    fn done(self) -> Value {
        Value::Object(self.0)
    }
}

/// A date argument for the core: a `datetime.date` (an ISO string) or a string
/// the core parses; a `datetime` is refused (which zone's day would it be?).
fn day_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Value> {
    if obj.cast::<PyDateTime>().is_ok() {
        return Err(input_error(
            obj.py(),
            "INPUT_WRONG_TYPE",
            &format!("$.{name}"),
            "expected a date, not a datetime; pass .date() in the zone you mean",
        ));
    }
    named(obj, name)
}

/// A stock book: on hand, reserved, incoming and buffer per SKU and location,
/// reservations, the backorder queue and the movements, with an allocator when an
/// allocation policy is given. Every method runs with the GIL released; calls on
/// one book are serialized.
#[pyclass(name = "StockBook", module = "ichigen", frozen)]
#[derive(Debug)]
pub struct PyStockBook {
    inner: Mutex<StockSession>,
}

impl PyStockBook {
    /// Locks the session with the GIL released and runs `f` on it.
    fn run<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut StockSession) -> Result<T, Error> + Send,
    ) -> PyResult<T> {
        py.detach(|| {
            let mut guard: MutexGuard<'_, StockSession> = self.inner.lock().map_err(|_| ())?;
            Ok(f(&mut guard))
        })
        .map_err(|()| {
            PyRuntimeError::new_err("the stock book is unusable: a call panicked while changing it")
        })?
        .or_raise(py)
    }

    /// Runs an operation and converts its JSON result.
    fn call<'py>(
        &self,
        py: Python<'py>,
        f: impl FnOnce(&mut StockSession) -> Result<Value, Error> + Send,
    ) -> PyResult<Bound<'py, PyAny>> {
        let out = self.run(py, f)?;
        to_py(py, out)
    }
}

#[pymethods]
impl PyStockBook {
    /// A book over a catalog (`{"skus", "locations", "listings"}`), starting levels
    /// (a list of `{"sku", "location", "on_hand", "incoming"?, "buffer"?}`), a
    /// reservation policy (None: the defaults) and an allocation policy (None: no
    /// allocator; `sync` and `allocation` are then refused). Each argument is a
    /// dict (a list for levels) or JSON text. Raises `StockError` with every
    /// problem, by path within its argument (a level's at `$[i]`).
    #[new]
    #[pyo3(signature = (catalog, levels=None, policy=None, allocation=None))]
    fn new(
        catalog: &Bound<'_, PyAny>,
        levels: Option<&Bound<'_, PyAny>>,
        policy: Option<&Bound<'_, PyAny>>,
        allocation: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let py = catalog.py();
        let catalog = json_arg(catalog, "catalog")?;
        let levels = opt_json_arg(levels, "levels")?;
        let policy = opt_json_arg(policy, "policy")?;
        let allocation = opt_json_arg(allocation, "allocation")?;
        let session = py
            .detach(move || StockSession::new(catalog, levels, policy, allocation))
            .or_raise(py)?;
        Ok(PyStockBook {
            inner: Mutex::new(session),
        })
    }

    /// Reserves an order's lines: `request` is `{"order", "channel", "store"?,
    /// "lines": [{"listing_code"? , "sku"?, "quantity"}], "destination"?,
    /// "locations"?, "all_or_nothing"?}` (dict or JSON text). Returns `{"reserved":
    /// [...], "backordered": [...], "completed_orders": [...]}`. An unknown listing
    /// code, an order already holding reservations, a bad quantity: `StockError`,
    /// and nothing is reserved.
    fn reserve<'py>(&self, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = request.py();
        let request = json_arg(request, "request")?;
        self.call(py, move |s| s.reserve(request))
    }

    /// Reserves a whole order (the order dict of `parse_order`): its channel, store,
    /// lines and first recipient's prefecture. Returns the outcome of `reserve` with
    /// `"facts": {"all_lines_reservable", "awaiting_stock"}`, the stock facts of a
    /// triage context. An order that does not decode raises `OrderError`.
    fn reserve_order<'py>(&self, order: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = order.py();
        let order = json_arg(order, "order")?;
        self.call(py, move |s| s.reserve_order(order))
    }

    /// Like `reserve`, without changing anything: what would be reserved.
    fn check<'py>(&self, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = request.py();
        let request = json_arg(request, "request")?;
        self.call(py, move |s| s.check(request))
    }

    /// Units arrived at a location (入荷); with `expected=True` they were expected
    /// (counted in `incoming`) and leave it. Waiting lines are served first come,
    /// first served; returns what the arrival served.
    #[pyo3(signature = (sku, location, quantity, expected=false))]
    fn receive<'py>(
        &self,
        sku: &Bound<'py, PyAny>,
        location: &Bound<'py, PyAny>,
        quantity: &Bound<'py, PyAny>,
        expected: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = sku.py();
        let arg = Args::new()
            .put("sku", sku)?
            .put("location", location)?
            .put("quantity", quantity)?
            .with("expected", expected)
            .done();
        self.call(py, move |s| s.receive(arg))
    }

    /// More units expected at a location (入荷予定): counted in `incoming`.
    fn expect(
        &self,
        sku: &Bound<'_, PyAny>,
        location: &Bound<'_, PyAny>,
        quantity: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let py = sku.py();
        let arg = Args::new()
            .put("sku", sku)?
            .put("location", location)?
            .put("quantity", quantity)?
            .done();
        self.run(py, move |s| s.expect(arg)).map(drop)
    }

    /// Changes on hand by `delta` (a correction, breakage, a found box), as a count
    /// to on hand + delta would; refused (`STOCK_BELOW_ZERO`) below zero.
    fn adjust<'py>(
        &self,
        sku: &Bound<'py, PyAny>,
        location: &Bound<'py, PyAny>,
        delta: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = sku.py();
        let arg = Args::new()
            .put("sku", sku)?
            .put("location", location)?
            .put("delta", delta)?
            .done();
        self.call(py, move |s| s.adjust(arg))
    }

    /// Sets a cell as a count does (棚卸): on hand, incoming and buffer.
    /// Reservations the new count cannot cover are released, newest first, and wait
    /// again in their place in the queue; a rise serves the queue. Returns what the
    /// count served.
    #[pyo3(signature = (sku, location, on_hand, incoming=0, buffer=0))]
    fn set_level<'py>(
        &self,
        sku: &Bound<'py, PyAny>,
        location: &Bound<'py, PyAny>,
        on_hand: &Bound<'py, PyAny>,
        incoming: i64,
        buffer: i64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = sku.py();
        let arg = Args::new()
            .put("sku", sku)?
            .put("location", location)?
            .put("on_hand", on_hand)?
            .with("incoming", incoming)
            .with("buffer", buffer)
            .done();
        self.call(py, move |s| s.set_level(arg))
    }

    /// Cancels an order's reservations and waiting lines (`lines`: the line indexes
    /// to cancel; None: all). Returns what the released units served.
    #[pyo3(signature = (order, lines=None))]
    fn cancel<'py>(
        &self,
        order: &Bound<'py, PyAny>,
        lines: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = order.py();
        let arg = Args::new().put("order", order)?.opt("lines", lines)?.done();
        self.call(py, move |s| s.cancel(arg))
    }

    /// Ships an order's reserved units (`lines`: the line indexes; None: all):
    /// on hand and reserved go down. Returns what shipped and what still waits.
    #[pyo3(signature = (order, lines=None))]
    fn ship<'py>(
        &self,
        order: &Bound<'py, PyAny>,
        lines: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = order.py();
        let arg = Args::new().put("order", order)?.opt("lines", lines)?.done();
        self.call(py, move |s| s.ship(arg))
    }

    /// The quantities to push to the channels since the last sync (everything the
    /// first time): `[{"channel", "store"?, "listing", "quantity", "previous"}]`.
    /// Refused (`STOCK_NO_ALLOCATION`) without an allocation policy.
    fn sync<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.call(py, StockSession::sync)
    }

    /// The whole allocation table, recomputed: `[{"channel", "store"?, "listing",
    /// "quantity"}]`.
    fn allocation<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.call(py, StockSession::allocation)
    }

    /// Forgets what was pushed (after a failed push): the next `sync` returns
    /// every quantity.
    fn forget_pushed(&self, py: Python<'_>) -> PyResult<()> {
        self.run(py, StockSession::forget_pushed).map(drop)
    }

    /// Checks that every cell's reserved count is the sum of its live
    /// reservations: `{"ok", "mismatches", ...}`.
    fn reconcile<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.call(py, |s| Ok(s.reconcile()))
    }

    /// A SKU's stock: `{"sku", "on_hand", "reserved", "incoming", "free",
    /// "backordered", "locations": [cells]}`.
    fn stock<'py>(&self, sku: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = sku.py();
        let arg = Args::new().put("sku", sku)?.done();
        self.call(py, move |s| s.stock(arg))
    }

    /// Units a channel's listing can sell now; for a set, the minimum over its
    /// components of free ÷ quantity.
    #[pyo3(signature = (channel, listing, store=None))]
    fn listing_free(
        &self,
        channel: &Bound<'_, PyAny>,
        listing: &Bound<'_, PyAny>,
        store: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<i64> {
        let py = channel.py();
        let arg = Args::new()
            .put("channel", channel)?
            .opt("store", store)?
            .put("listing", listing)?
            .done();
        let out = self.run(py, move |s| s.listing_free(arg))?;
        Ok(out["free"].as_i64().unwrap_or_default())
    }

    /// A SKU's waiting lines (backorders), oldest first.
    fn queue<'py>(&self, sku: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = sku.py();
        let arg = Args::new().put("sku", sku)?.done();
        self.call(py, move |s| s.queue(arg))
    }

    /// An order's stock: `{"all_lines_reservable", "awaiting_stock",
    /// "reservations"}`; `StockError` (`STOCK_UNKNOWN_ORDER`) for an order the book
    /// does not hold.
    fn order<'py>(&self, order_id: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = order_id.py();
        let arg = Args::new().put("order", order_id)?.done();
        self.call(py, move |s| s.order(arg))
    }

    /// The movements (every change of a count, with its reason) since the last call.
    fn movements<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.call(py, |s| Ok(s.movements()))
    }

    /// Reorder suggestions on a day (`datetime.date` or ISO string): `{"lines",
    /// "purchase_orders"}`. `sales` (`[{"sku", "date", "quantity"}]`) turns on
    /// demand-based levels, shaped by `forecast`.
    #[pyo3(signature = (as_of, sales=None, forecast=None))]
    fn reorder<'py>(
        &self,
        as_of: &Bound<'py, PyAny>,
        sales: Option<&Bound<'py, PyAny>>,
        forecast: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = as_of.py();
        let arg = Args::new()
            .with("as_of", day_arg(as_of, "as_of")?)
            .opt("sales", sales)?
            .opt("forecast", forecast)?
            .done();
        self.call(py, move |s| s.reorder(arg))
    }

    /// Runs one operation given as `{"<operation>": argument}` (the steps of
    /// `stock_session`); problems are reported at `$.<operation>…`.
    fn step<'py>(&self, step: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = step.py();
        let step = input_arg(step)?;
        self.call(py, move |s| s.step(step))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let (skus, locations, listings, allocation) = self.run(py, |s| {
            let c = s.book.catalog();
            Ok((
                c.skus().len(),
                c.locations().len(),
                c.listing_count(),
                s.allocator.is_some(),
            ))
        })?;
        Ok(format!(
            "StockBook(skus={skus}, locations={locations}, listings={listings}, allocation={})",
            if allocation { "True" } else { "False" }
        ))
    }
}

/// Runs a whole session, as the vectors do: `input` is `{"catalog", "levels"?,
/// "policy"?, "allocation"?, "steps": [{"<operation>": argument}]}`; returns
/// `{"results": [...]}`, each step's output or `{"error": {"code", "message",
/// "issues"}}` for a refused step (paths `$.steps[i]…`; the session goes on).
#[pyfunction]
pub fn stock_session<'py>(input: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = input.py();
    let input = input_arg(input)?;
    let out = py
        .detach(move || core_json::stock_session(input))
        .or_raise(py)?;
    to_py(py, out)
}

/// Drop-ship units per supplier for ordered lines (`[{"channel", "store"?,
/// "listing_code", "quantity"}]`): `{"totals": [...], "issues": [...]}`, lines
/// with an unknown listing code reported at `$.lines[i]` and left out.
#[pyfunction]
pub fn drop_ship_totals<'py>(
    catalog: &Bound<'py, PyAny>,
    lines: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = catalog.py();
    let input = json!({
        "catalog": json_arg(catalog, "catalog")?,
        "lines": json_arg(lines, "lines")?,
    });
    let out = py
        .detach(move || core_json::drop_ship(input))
        .or_raise(py)?;
    to_py(py, out)
}

/// Units to order: none while the position is above the reorder point, else
/// enough to reach the target, in whole lots (at least one lot). The core reads a
/// `lot` of 0 as 1; a negative lot or one beyond 2³²−1 raises `StockError`.
#[pyfunction]
#[pyo3(signature = (position, point, target, lot=1))]
pub fn reorder_quantity(
    py: Python<'_>,
    position: i64,
    point: i64,
    target: i64,
    lot: i64,
) -> PyResult<i64> {
    let input = json!({"position": position, "point": point, "target": target, "lot": lot});
    let out = core_json::reorder_formula(input).or_raise(py)?;
    Ok(out["quantity"].as_i64().unwrap_or_default())
}

/// For the vector runner: the core's stateless JSON functions by name
/// (`allocate`, `drop_ship`, `reorder_formula`), for inputs the typed functions
/// cannot express (levels that Arrow columns cannot hold, say).
#[pyfunction(name = "_stock_json")]
pub fn stock_json<'py>(op: &str, input: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = input.py();
    let input = input_arg(input)?;
    let f: fn(Value) -> Result<Value, Error> = match op {
        "allocate" => core_json::allocate,
        "drop_ship" => core_json::drop_ship,
        "reorder_formula" => core_json::reorder_formula,
        _ => {
            return Err(input_error(
                py,
                "INPUT_UNKNOWN_VALUE",
                "$.op",
                "expected allocate, drop_ship or reorder_formula",
            ));
        }
    };
    let out = py.detach(move || f(input)).or_raise(py)?;
    to_py(py, out)
}

/// The allocation table from a stock snapshot given as Arrow rows (a pyarrow
/// Table or RecordBatch, a polars DataFrame, any Arrow stream). Columns: `sku`
/// and `location` (strings), `on_hand` (integers), optional `reserved` and
/// `buffer` (integers; absent: 0); others are ignored. Returns `(table, issues)`:
/// a pyarrow Table `channel`, `store` (null when the rule names none), `listing`,
/// `quantity` (int64), one row per listing a rule shows, in policy order; and the
/// rows left out (`$.levels[row]…`: a null value, an unknown SKU or location, a
/// negative count, a cell given twice). A missing or mistyped column raises
/// `InputError` (`STOCK_BAD_COLUMNS`). Computed with the GIL released.
#[pyfunction]
pub fn allocate_stock<'py>(
    catalog: &Bound<'py, PyAny>,
    allocation: &Bound<'py, PyAny>,
    levels: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyTuple>> {
    let py = catalog.py();
    let catalog = json_arg(catalog, "catalog")?;
    let allocation = json_arg(allocation, "allocation")?;
    let levels = columns::levels_arg(levels)?;
    let (output, issues) = py
        .detach(move || columns::allocate(catalog, allocation, &levels))
        .or_raise(py)?;
    let table = PyTable::try_new(vec![output.batch], output.schema)?.into_pyarrow(py)?;
    let issues = serde_json::to_value(&issues)
        .map_err(|_| PyRuntimeError::new_err("the issues could not be represented"))?;
    PyTuple::new(py, [table, to_py(py, issues)?])
}
