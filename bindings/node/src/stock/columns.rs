//! `allocateStock`: a stock snapshot as columns, allocated without an object per
//! row either way.
//!
//! The strings of `sku` and `location` are copied once into one buffer per column
//! (napi hands a JS string out only as a copy); the counts are read from typed
//! arrays (or arrays of numbers) into whole numbers. The core computes the free
//! stock per cell (`free_cells`: rows it cannot use are issues at `$[i]`) and the
//! quantities (`Allocator::recompute_free`), and the output is columns again.

use std::sync::Arc;

use ichigen::stock::{AllocationPolicy, Allocator, Catalog, free_cells};
use ichigen::{Error, Issue};
use napi::bindgen_prelude::{
    BigInt64ArraySlice, Float64Array, Float64ArraySlice, FromNapiValue, Int32ArraySlice,
    JsObjectValue, JsValue, Object, Uint32ArraySlice, Unknown,
};
use napi::{JsString, ValueType};
use napi_derive::napi;
use serde_json::Value;

use crate::convert::{keys_of, object_arg, property, unreadable};
use crate::errors::{MAX_SAFE_INTEGER, input};

/// The column names a `columns` argument may hold.
const COLUMN_KEYS: [&str; 5] = ["sku", "location", "onHand", "reserved", "buffer"];

/// A column of strings: one buffer, and where each row's string ends in it.
#[derive(Debug, Default)]
struct Text {
    text: String,
    ends: Vec<usize>,
}

impl Text {
    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    fn len(&self) -> usize {
        self.ends.len()
    }
}

/// The snapshot, read from the columns argument.
#[derive(Debug)]
pub(super) struct Snapshot {
    sku: Text,
    location: Text,
    on_hand: Vec<i64>,
    reserved: Option<Vec<i64>>,
    buffer: Option<Vec<i64>>,
}

fn missing(key: &str) -> Error {
    input(
        "INPUT_MISSING_FIELD",
        &format!("$.columns.{key}"),
        &format!("missing column `{key}`"),
    )
}

/// An array property as an object, or `INPUT_WRONG_TYPE` saying what is expected.
fn array_of<'env>(value: &Unknown<'env>, path: &str, what: &str) -> Result<Object<'env>, Error> {
    let is_array = value.get_type().map_err(|_| unreadable(path))? == ValueType::Object
        && value.is_array().map_err(|_| unreadable(path))?;
    if !is_array {
        return Err(input("INPUT_WRONG_TYPE", path, &format!("expected {what}")));
    }
    value.coerce_to_object().map_err(|_| unreadable(path))
}

/// A column of strings (`sku`, `location`); every cell a string.
fn text_column(object: &Object<'_>, key: &str) -> Result<Text, Error> {
    let path = format!("$.columns.{key}");
    let value = property(object, key, &path)?.ok_or_else(|| missing(key))?;
    let array = array_of(&value, &path, "an array of strings")?;
    let len = array.get_array_length().map_err(|_| unreadable(&path))?;
    let mut column = Text {
        text: String::new(),
        ends: Vec::with_capacity(len as usize),
    };
    for i in 0..len {
        let cell_path = || format!("{path}[{i}]");
        let cell: Unknown<'_> = array.get_element(i).map_err(|_| unreadable(&cell_path()))?;
        if cell.get_type().map_err(|_| unreadable(&cell_path()))? != ValueType::String {
            return Err(input("INPUT_WRONG_TYPE", &cell_path(), "expected a string"));
        }
        // Already a string: no coercion, one copy out of the engine.
        let s = JsString::from_unknown(cell)
            .and_then(JsString::into_utf8)
            .map_err(|_| unreadable(&cell_path()))?;
        column
            .text
            .push_str(s.as_str().map_err(|_| unreadable(&cell_path()))?);
        column.ends.push(column.text.len());
    }
    Ok(column)
}

fn not_whole(path: &str) -> Error {
    input(
        "INPUT_BAD_VALUE",
        path,
        "expected a whole number within ±(2^53 - 1)",
    )
}

/// A double as a whole number, when it is one within ±(2^53 - 1).
fn whole(n: f64) -> Option<i64> {
    // Exact: an integer-valued double within ±2^53 converts without loss.
    (n.is_finite() && n.trunc() == n && n.abs() <= MAX_SAFE_INTEGER as f64).then_some(n as i64)
}

/// A column of counts: a typed array (`Int32Array`, `Uint32Array`, `Float64Array`,
/// `BigInt64Array`) or an array of numbers (or BigInts). A missing count (`null`,
/// `undefined`) is refused even in an optional column: read as 0 it would offer
/// reserved units to every channel.
fn count_column(object: &Object<'_>, key: &str, optional: bool) -> Result<Option<Vec<i64>>, Error> {
    let path = format!("$.columns.{key}");
    let Some(value) = property(object, key, &path)? else {
        return if optional {
            Ok(None)
        } else {
            Err(missing(key))
        };
    };
    let what = "an Int32Array, a Uint32Array, a Float64Array, a BigInt64Array or an array of whole numbers";
    if value.is_typedarray().map_err(|_| unreadable(&path))? {
        if let Ok(a) = object.get_named_property::<Int32ArraySlice<'_>>(key) {
            return Ok(Some(a.iter().map(|&v| i64::from(v)).collect()));
        }
        if let Ok(a) = object.get_named_property::<Uint32ArraySlice<'_>>(key) {
            return Ok(Some(a.iter().map(|&v| i64::from(v)).collect()));
        }
        if let Ok(a) = object.get_named_property::<BigInt64ArraySlice<'_>>(key) {
            return Ok(Some(a.to_vec()));
        }
        if let Ok(a) = object.get_named_property::<Float64ArraySlice<'_>>(key) {
            return a
                .iter()
                .enumerate()
                .map(|(i, &v)| whole(v).ok_or_else(|| not_whole(&format!("{path}[{i}]"))))
                .collect::<Result<Vec<i64>, Error>>()
                .map(Some);
        }
        return Err(input(
            "INPUT_WRONG_TYPE",
            &path,
            &format!("expected {what}"),
        ));
    }
    let array = array_of(&value, &path, what)?;
    let len = array.get_array_length().map_err(|_| unreadable(&path))?;
    let mut out = Vec::with_capacity(len as usize);
    for i in 0..len {
        let cell_path = || format!("{path}[{i}]");
        let cell: Unknown<'_> = array.get_element(i).map_err(|_| unreadable(&cell_path()))?;
        let n = match cell.get_type().map_err(|_| unreadable(&cell_path()))? {
            ValueType::Undefined | ValueType::Null => {
                return Err(input(
                    "INPUT_BAD_VALUE",
                    &cell_path(),
                    "a missing count is not 0: give 0, or leave the whole column out",
                ));
            }
            ValueType::Number => {
                let n = cell
                    .coerce_to_number()
                    .and_then(|n| n.get_double())
                    .map_err(|_| unreadable(&cell_path()))?;
                whole(n).ok_or_else(|| not_whole(&cell_path()))?
            }
            ValueType::BigInt => crate::convert::integer_arg(cell, &cell_path())?,
            _ => {
                return Err(input(
                    "INPUT_WRONG_TYPE",
                    &cell_path(),
                    "expected a whole number",
                ));
            }
        };
        out.push(n);
    }
    Ok(Some(out))
}

impl Snapshot {
    /// Reads the `columns` argument: `sku`, `location` and `onHand` required, every
    /// column of the length of `sku`.
    pub(super) fn read(columns: &Unknown<'_>) -> Result<Snapshot, Error> {
        let object = object_arg(columns, "$.columns")?;
        for key in keys_of(&object, "$.columns")? {
            if !COLUMN_KEYS.contains(&key.as_str()) {
                let clipped: String = key.chars().take(40).collect();
                return Err(input(
                    "INPUT_UNKNOWN_FIELD",
                    &format!("$.columns[{clipped:?}]"),
                    &format!("unknown column; expected one of {}", COLUMN_KEYS.join(", ")),
                ));
            }
        }
        let snapshot = Snapshot {
            sku: text_column(&object, "sku")?,
            location: text_column(&object, "location")?,
            on_hand: count_column(&object, "onHand", false)?.unwrap_or_default(),
            reserved: count_column(&object, "reserved", true)?,
            buffer: count_column(&object, "buffer", true)?,
        };
        let rows = snapshot.sku.len();
        let lengths = [
            ("location", Some(snapshot.location.len())),
            ("onHand", Some(snapshot.on_hand.len())),
            ("reserved", snapshot.reserved.as_ref().map(Vec::len)),
            ("buffer", snapshot.buffer.as_ref().map(Vec::len)),
        ];
        for (key, len) in lengths {
            if len.is_some_and(|n| n != rows) {
                return Err(input(
                    "INPUT_COLUMN_LENGTH",
                    &format!("$.columns.{key}"),
                    "expected one entry per row (as many as `sku` has)",
                ));
            }
        }
        Ok(snapshot)
    }

    /// The allocation table under `allocation` (a policy's JSON) for `catalog` (a
    /// catalog's JSON).
    pub(super) fn allocate(
        &self,
        catalog: Value,
        allocation: Value,
    ) -> Result<StockAllocation, Error> {
        let catalog = Arc::new(Catalog::from_json(catalog)?);
        let policy = AllocationPolicy::from_json(allocation)?;
        let count = |column: &Option<Vec<i64>>, i: usize| column.as_ref().map_or(0, |c| c[i]);
        let rows = (0..self.sku.len()).map(|i| {
            (
                self.sku.get(i),
                self.location.get(i),
                self.on_hand[i],
                count(&self.reserved, i),
                count(&self.buffer, i),
            )
        });
        let (free, issues) = free_cells(&catalog, rows);
        let mut allocator = Allocator::new(catalog, policy)?;
        allocator.recompute_free(&free)?;
        output(allocator.quantities(), issues)
    }
}

/// The output of `allocateStock`: one entry per channel rule and listing in each
/// column, in policy order, then listing order.
#[napi(object)]
pub struct StockAllocation {
    /// The channel of the rule.
    #[napi(ts_type = "ChannelName[]")]
    pub channel: Vec<String>,
    /// The store of the rule; `null` when the rule names none.
    #[napi(ts_type = "Array<string | null>")]
    pub store: Vec<Option<String>>,
    /// The listing code on that channel.
    pub listing: Vec<String>,
    /// The quantity to show (whole numbers).
    pub quantity: Float64Array,
    /// The rows left out: an unknown SKU (`$[i].sku`) or location
    /// (`$[i].location`), a negative count or a SKU and location given twice
    /// (`$[i]`).
    #[napi(ts_type = "Issue[]")]
    pub issues: Value,
}

impl std::fmt::Debug for StockAllocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StockAllocation")
            .field("rows", &self.listing.len())
            .finish_non_exhaustive()
    }
}

fn output(
    quantities: Vec<ichigen::stock::ListingQuantity>,
    issues: Vec<Issue>,
) -> Result<StockAllocation, Error> {
    let n = quantities.len();
    let mut out = StockAllocation {
        channel: Vec::with_capacity(n),
        store: Vec::with_capacity(n),
        listing: Vec::with_capacity(n),
        quantity: Float64Array::new(Vec::new()),
        issues: serde_json::to_value(issues).unwrap_or(Value::Array(Vec::new())),
    };
    let mut quantity = Vec::with_capacity(n);
    for (k, q) in quantities.into_iter().enumerate() {
        if q.quantity.unsigned_abs() > MAX_SAFE_INTEGER {
            return Err(input(
                "INPUT_OUT_OF_RANGE",
                &format!("$.quantity[{k}]"),
                "a quantity in the result is beyond Number.MAX_SAFE_INTEGER (2^53 - 1)",
            ));
        }
        out.channel.push(q.channel.as_str().to_owned());
        out.store.push(q.store.map(|s| s.as_str().to_owned()));
        out.listing.push(q.listing.as_str().to_owned());
        // Exact: checked to be within ±(2^53 - 1) above.
        quantity.push(q.quantity as f64);
    }
    out.quantity = Float64Array::new(quantity);
    Ok(out)
}
