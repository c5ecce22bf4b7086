//! Arrow stock levels → the allocation table (`allocate_stock`).
//!
//! Each row becomes `(sku, location, on_hand, reserved, buffer)` with the strings
//! borrowed from the Arrow buffers, and the core turns the rows into free stock
//! per cell (`free_cells`) and the cells into every channel's quantities
//! (`Allocator::recompute_free`). A row with a null value (or a count beyond 64
//! bits) is reported here and left out, never read as 0; the core reports unknown
//! SKUs and locations, negative counts and cells given twice. Issue paths are
//! `$.levels[row]…`, as the core's JSON `allocate` reports them.

use std::sync::Arc;

use arrow_array::builder::{Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use ichigen::stock::{AllocationPolicy, Allocator, Catalog, free_cells};
use ichigen::{Error, Issue};
use pyo3::prelude::*;
use serde_json::Value;

use crate::columns::{Text, integers, is_text};
use crate::errors::CoreResultExt;

const SKU: &str = "sku";
const LOCATION: &str = "location";
/// The count columns, required first.
const COUNTS: [&str; 3] = ["on_hand", "reserved", "buffer"];

fn bad(column: &str, message: &str) -> Error {
    Error::InvalidInput(Issue::new(
        "STOCK_BAD_COLUMNS",
        format!("$.levels.{column}"),
        message,
    ))
}

/// Stock levels: a table's batches and their schema, columns checked.
#[derive(Debug)]
pub struct Levels {
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
}

/// The rows of `levels`: any Arrow table, record batch or stream.
pub fn levels_arg(levels: &Bound<'_, PyAny>) -> PyResult<Levels> {
    let (schema, batches) = crate::columns::record_batches(levels, "$.levels")?;
    Levels::new(schema, batches).or_raise(levels.py())
}

impl Levels {
    /// Checks the columns read (others are ignored): `sku`, `location` and
    /// `on_hand` present, strings in `sku` and `location`, integers in the counts.
    pub fn new(schema: SchemaRef, batches: Vec<RecordBatch>) -> Result<Levels, Error> {
        for name in [SKU, LOCATION, COUNTS[0]] {
            if schema.index_of(name).is_err() {
                return Err(bad(name, "missing required column"));
            }
        }
        for field in schema.fields() {
            let (name, t) = (field.name().as_str(), field.data_type());
            if name == SKU || name == LOCATION {
                if !is_text(t) {
                    return Err(bad(
                        name,
                        &format!(
                            "wrong type {t}; expected strings (string, large_string, \
                             string_view or dictionary)"
                        ),
                    ));
                }
            } else if COUNTS.contains(&name) && !(t.is_integer() || *t == DataType::Null) {
                return Err(bad(
                    name,
                    &format!("wrong type {t}; expected integers (whole units)"),
                ));
            }
        }
        Ok(Levels { schema, batches })
    }

    /// Every row as `(sku, location, on_hand, reserved, buffer)`, or the issue
    /// that keeps it out, with its row index.
    fn rows(&self) -> Vec<(usize, Result<Row<'_>, Issue>)> {
        let mut out = Vec::with_capacity(self.batches.iter().map(RecordBatch::num_rows).sum());
        let index = |name: &str| self.schema.index_of(name).ok();
        for batch in &self.batches {
            let text = |name: &str| index(name).map_or(Text::Nulls, |i| Text::of(batch.column(i)));
            let (sku, loc) = (text(SKU), text(LOCATION));
            // Counts as i128 (None: null); an optional column left out is None.
            let counts: Vec<Option<Vec<Option<i128>>>> = COUNTS
                .iter()
                .map(|name| index(name).map(|i| integers(batch.column(i).as_ref())))
                .collect();
            for r in 0..batch.num_rows() {
                let row = out.len();
                out.push((row, read_row(&sku, &loc, &counts, r, row)));
            }
        }
        out
    }
}

type Row<'a> = (&'a str, &'a str, i64, i64, i64);

/// Row `r` of a batch (row `row` of the table).
fn read_row<'a>(
    sku: &Text<'a>,
    loc: &Text<'a>,
    counts: &[Option<Vec<Option<i128>>>],
    r: usize,
    row: usize,
) -> Result<Row<'a>, Issue> {
    let missing = |column: &str, message: &str| {
        Issue::new(
            "STOCK_MISSING_VALUE",
            format!("$.levels[{row}].{column}"),
            message,
        )
    };
    let s = sku
        .get(r)
        .ok_or_else(|| missing(SKU, "missing (null); every row needs a SKU"))?;
    let l = loc
        .get(r)
        .ok_or_else(|| missing(LOCATION, "missing (null); every row needs a location"))?;
    let mut n = [0i64; 3];
    for (k, name) in COUNTS.iter().enumerate() {
        let Some(values) = &counts[k] else {
            continue; // an optional column left out: 0
        };
        let Some(v) = values[r] else {
            let message = if k == 0 {
                "missing (null); every row needs a count on hand (0 for none)"
            } else {
                "missing (null); give 0, or leave the column out"
            };
            return Err(missing(name, message));
        };
        n[k] = i64::try_from(v).map_err(|_| {
            Issue::new(
                "STOCK_OUT_OF_RANGE",
                format!("$.levels[{row}].{name}"),
                "count out of range (64-bit signed integers)",
            )
        })?;
    }
    Ok((s, l, n[0], n[1], n[2]))
}

/// The allocation table as one batch.
#[derive(Debug)]
pub struct Output {
    /// `channel`, `store`, `listing`, `quantity`.
    pub schema: SchemaRef,
    /// The rows.
    pub batch: RecordBatch,
}

/// `$[k]…` (the k-th row given to `free_cells`) → `$.levels[rows[k]]…`.
fn renumber(mut issue: Issue, rows: &[usize]) -> Issue {
    let k = issue
        .path
        .strip_prefix("$[")
        .and_then(|p| p.split(']').next())
        .and_then(|k| k.parse::<usize>().ok());
    if let Some(&row) = k.and_then(|k| rows.get(k)) {
        let tail = issue.path.split_once(']').map_or("", |(_, t)| t).to_owned();
        issue.path = format!("$.levels[{row}]{tail}");
    }
    issue
}

fn row_of(issue: &Issue) -> usize {
    issue
        .path
        .strip_prefix("$.levels[")
        .and_then(|p| p.split(']').next())
        .and_then(|k| k.parse().ok())
        .unwrap_or(usize::MAX)
}

/// Loads the catalog and the policy, reads the rows and allocates.
pub fn allocate(
    catalog: Value,
    allocation: Value,
    levels: &Levels,
) -> Result<(Output, Vec<Issue>), Error> {
    let catalog = Arc::new(Catalog::from_json(catalog)?);
    let policy = AllocationPolicy::from_json(allocation)?;
    let mut issues = Vec::new();
    let mut given = Vec::new();
    let mut good = Vec::new();
    for (row, read) in levels.rows() {
        match read {
            Ok(r) => {
                given.push(row);
                good.push(r);
            }
            Err(issue) => issues.push(issue),
        }
    }
    let (free, found) = free_cells(&catalog, good);
    issues.extend(found.into_iter().map(|i| renumber(i, &given)));
    issues.sort_by_key(row_of);
    let mut alloc = Allocator::new(catalog, policy)?;
    alloc.recompute_free(&free)?;
    let quantities = alloc.quantities();

    let n = quantities.len();
    let mut channel = StringBuilder::with_capacity(n, 0);
    let mut store = StringBuilder::with_capacity(n, 0);
    let mut listing = StringBuilder::with_capacity(n, 0);
    let mut quantity = Int64Builder::with_capacity(n);
    for q in &quantities {
        channel.append_value(q.channel.as_str());
        store.append_option(q.store.as_ref().map(|s| s.as_str()));
        listing.append_value(q.listing.as_str());
        quantity.append_value(q.quantity);
    }
    let schema = Arc::new(Schema::new(vec![
        Field::new("channel", DataType::Utf8, false),
        Field::new("store", DataType::Utf8, true),
        Field::new("listing", DataType::Utf8, false),
        Field::new("quantity", DataType::Int64, false),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(channel.finish()),
        Arc::new(store.finish()),
        Arc::new(listing.finish()),
        Arc::new(quantity.finish()),
    ];
    let batch = RecordBatch::try_new(Arc::clone(&schema), columns).map_err(|_| {
        Error::InvalidInput(Issue::new(
            "STOCK_BAD_COLUMNS",
            "$",
            "the output columns could not be assembled",
        ))
    })?;
    Ok((Output { schema, batch }, issues))
}
