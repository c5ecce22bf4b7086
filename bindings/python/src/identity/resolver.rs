//! Resolution from Arrow rows (`resolve_customers` → `CustomerResolution`) and the
//! incremental `CustomerResolver`.
//!
//! Rows are read straight from the Arrow buffers (`columns`), and the resolver runs
//! with the GIL released. A resolver lives behind a mutex that is only ever locked
//! with the GIL released, and no Python object is touched while it is held, so two
//! threads sharing one resolver cannot deadlock.

use std::sync::{Mutex, MutexGuard};

use ichigen::identity::{Decision, IdentityConfig, Resolver, candidates};
use ichigen::{Error, Issue, interop};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3_arrow::PyTable;
use serde_json::{Value, json};

use super::columns::{Assigned, Inserted, Output, Rows, path_row, renumber};
use super::config_arg;
use crate::convert::{input_arg, opt_json_arg, to_py};
use crate::errors::CoreResultExt;

/// The rows of `table`: any Arrow table, record batch or stream.
fn rows_arg(table: &Bound<'_, PyAny>) -> PyResult<Rows> {
    let (schema, batches) = crate::columns::record_batches(table, "$.table")?;
    Rows::new(schema, batches).or_raise(table.py())
}

fn decisions_arg(py: Python<'_>, decisions: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<Decision>> {
    let value = opt_json_arg(decisions, "decisions")?;
    interop::parse_decisions(value).or_raise(py)
}

fn to_table(py: Python<'_>, out: Output) -> PyResult<Py<PyAny>> {
    Ok(PyTable::try_new(out.batches, out.schema)?
        .into_pyarrow(py)?
        .unbind())
}

/// A serialized result (`serde_json::to_value` of it) as Python values.
fn serialized(py: Python<'_>, value: serde_json::Result<Value>) -> PyResult<Bound<'_, PyAny>> {
    let value = value.map_err(|_| PyRuntimeError::new_err("a result could not be represented"))?;
    to_py(py, value)
}

fn aliases_value(resolver: &Resolver) -> Value {
    resolver
        .aliases()
        .into_iter()
        .map(|(alias, customer_id)| json!({"alias": alias, "customer_id": customer_id}))
        .collect()
}

/// Locks a resolver with the GIL released and runs `f` on it.
fn with_resolver<T: Send>(
    py: Python<'_>,
    resolver: &Mutex<Resolver>,
    f: impl FnOnce(&mut Resolver) -> T + Send,
) -> PyResult<T> {
    py.detach(|| {
        let mut guard: MutexGuard<'_, Resolver> = resolver.lock().map_err(|_| ())?;
        Ok(f(&mut guard))
    })
    .map_err(|()| {
        PyRuntimeError::new_err("the resolver is unusable: a call panicked while changing it")
    })
}

/// A batch resolved: the resolver, every issue by row, and the output rows.
struct Resolved {
    resolver: Resolver,
    issues: Vec<Issue>,
    output: Output,
    customers: usize,
}

/// Resolves every row at once. Rows the resolver cannot take are reported with
/// their row index; the resolver numbers the records it is given, and those
/// numbers are turned back into row indexes, as the core's JSON face does.
fn resolve_rows(
    rows: &Rows,
    config: IdentityConfig,
    decisions: &[Decision],
) -> Result<Resolved, Error> {
    let n = rows.len();
    let mut issues = Vec::new();
    let mut given_rows = Vec::with_capacity(n);
    let mut given_ids = Vec::with_capacity(n);
    let records = rows.records().filter_map(|(row, record)| match record {
        Ok(r) => {
            given_rows.push(row);
            given_ids.push(r.id);
            Some(r)
        }
        Err(issue) => {
            issues.push(issue);
            None
        }
    });
    let (mut resolver, found) = Resolver::resolve(config, records, decisions);
    issues.extend(found.into_iter().map(|i| renumber(i, &given_rows)));
    issues.sort_by_key(|i| path_row(&i.path).unwrap_or(usize::MAX));

    // The resolver stores the records it was given in order, leaving out the ones
    // it refuses (an empty or duplicate id): a given record was stored exactly when
    // it is the next stored one (a refused id is empty or already stored).
    let assigned = resolver.assignments();
    let mut stored = assigned.iter().peekable();
    let mut given = given_rows.iter().zip(&given_ids).peekable();
    let mut out = Assigned::with_capacity(n);
    for row in 0..n {
        let placed = match given.next_if(|(r, _)| **r == row) {
            Some((_, id)) => stored.next_if(|(stored_id, _, _)| stored_id == id),
            None => None,
        };
        match placed {
            Some((_, customer, link)) => out.push(*customer, link.as_ref()),
            None => out.push_none(),
        }
    }
    let mut ids = resolver.customer_ids();
    ids.sort_unstable();
    ids.dedup();
    let (fields, columns) = out.finish();
    Ok(Resolved {
        output: rows.output(fields, columns)?,
        customers: ids.len(),
        resolver,
        issues,
    })
}

/// Resolves customer records given as Arrow rows (a pyarrow Table or RecordBatch,
/// a polars DataFrame, any Arrow stream). Columns: `id` and `channel` (strings,
/// required); optional strings `store`, `name`, `kana`, `phone`, `email`,
/// `postal_code`, `prefecture`, `address1`, `address2`, `member_id`; `customer_id`
/// (integers: the ids of an earlier resolution, kept); `masked` (booleans). Other
/// columns are ignored. `config` is a matching configuration (dict, JSON text or
/// None for the defaults); `decisions` a list of `{"merge": [a, b]}` /
/// `{"unmerge": [a, b]}`. The rows are read without copying and resolved with the
/// GIL released. A row with an empty id, a duplicate id, an unknown channel or a
/// negative customer id is reported in `issues` (path `$[row]…`) and has no
/// customer; the other rows are resolved.
#[pyfunction]
#[pyo3(signature = (table, config=None, decisions=None))]
pub fn resolve_customers(
    table: &Bound<'_, PyAny>,
    config: Option<&Bound<'_, PyAny>>,
    decisions: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyCustomerResolution> {
    let py = table.py();
    let config = config_arg(py, config)?;
    let decisions = decisions_arg(py, decisions)?;
    let rows = rows_arg(table)?;
    let n = rows.len();
    let resolved = py
        .detach(move || resolve_rows(&rows, config, &decisions))
        .or_raise(py)?;
    Ok(PyCustomerResolution {
        table: to_table(py, resolved.output)?,
        resolver: Mutex::new(resolved.resolver),
        issues: resolved.issues,
        rows: n,
        customers: resolved.customers,
    })
}

/// The result of `resolve_customers`: per row its customer (`table`), the evidence
/// (`links`), keys too common to link (`giant_keys`), merged ids (`aliases`) and
/// the problems found (`issues`). `candidates()` computes probable duplicates on
/// demand.
#[pyclass(name = "CustomerResolution", module = "ichigen", frozen)]
#[derive(Debug)]
pub struct PyCustomerResolution {
    resolver: Mutex<Resolver>,
    table: Py<PyAny>,
    issues: Vec<Issue>,
    rows: usize,
    customers: usize,
}

#[pymethods]
impl PyCustomerResolution {
    /// One row per input row (one batch per input batch), as a pyarrow Table: `id`
    /// (the input's column), `customer_id` (uint64; null for a row left out),
    /// `via_record` (the older record of the first link that joined the row to a
    /// record before it; null when none did, as for a customer's first record) and
    /// `rule` (that link's rule: `name+phone`, `manual`, …).
    #[getter]
    fn table(&self, py: Python<'_>) -> Py<PyAny> {
        self.table.clone_ref(py)
    }

    /// Every link that joined two customers, in the order applied: `{"records":
    /// [older, newer], "rule", "fields", "score"?}`.
    #[getter]
    fn links<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let links = with_resolver(py, &self.resolver, |r| r.links())?;
        serialized(py, serde_json::to_value(&links))
    }

    /// Keys shared by more records than `max_key_records`, which link nothing:
    /// `{"rule", "fields", "records", "sample"}` (record ids, never the key).
    #[getter]
    fn giant_keys<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let keys = with_resolver(py, &self.resolver, |r| r.giant_keys())?;
        serialized(py, serde_json::to_value(&keys))
    }

    /// Customer ids merged into another: `{"alias", "customer_id"}`.
    #[getter]
    fn aliases<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let aliases = with_resolver(py, &self.resolver, |r| aliases_value(r))?;
        to_py(py, aliases)
    }

    /// Rows left out and fields that could not be used: `{"code", "path",
    /// "message"}`, paths `$[row]…` (`$.decisions[i]` for a decision), by row.
    #[getter]
    fn issues<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        serialized(py, serde_json::to_value(&self.issues))
    }

    /// The next customer id a new customer would get.
    #[getter]
    fn next_customer_id(&self, py: Python<'_>) -> PyResult<u64> {
        with_resolver(py, &self.resolver, |r| r.next_customer_id())
    }

    /// Probable duplicates among different customers, scored (computed now, with
    /// the GIL released): `{"records", "customers", "rule", "score"}`.
    fn candidates<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let found = with_resolver(py, &self.resolver, candidates)?;
        serialized(py, serde_json::to_value(&found))
    }

    fn __repr__(&self) -> String {
        format!(
            "CustomerResolution(rows={}, customers={}, issues={})",
            self.rows,
            self.customers,
            self.issues.len()
        )
    }
}

/// An incremental resolver: records are inserted one at a time (or a table at a
/// time) and placed at once; manual merges, unmerges and masking recompute. Safe to
/// share between threads (calls are serialized; each runs with the GIL released).
#[pyclass(name = "CustomerResolver", module = "ichigen", frozen)]
#[derive(Debug)]
pub struct PyCustomerResolver {
    inner: Mutex<Resolver>,
}

impl PyCustomerResolver {
    fn run<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut Resolver) -> Result<T, Error> + Send,
    ) -> PyResult<T> {
        with_resolver(py, &self.inner, f)?.or_raise(py)
    }
}

#[pymethods]
impl PyCustomerResolver {
    /// An empty resolver with a matching configuration (dict, JSON text or None
    /// for the defaults); raises `IdentityError` with every problem.
    #[new]
    #[pyo3(signature = (config=None))]
    fn new(py: Python<'_>, config: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let config = config_arg(py, config)?;
        Ok(PyCustomerResolver {
            inner: Mutex::new(Resolver::new(config)),
        })
    }

    /// Inserts one record (dict or JSON text: `id`, `channel`, and any of the
    /// record fields) and returns where it went: `{"customer_id", "new_customer",
    /// "absorbed", "links", "issues", "recomputed"}`. Raises `IdentityError` for a
    /// record that does not decode, an empty or a duplicate id.
    fn insert<'py>(&self, record: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = record.py();
        let value = input_arg(record)?;
        let record = interop::parse_identity_record(value).or_raise(py)?;
        let placement = self.run(py, move |r| r.insert(&record))?;
        to_py(py, interop::placement_value(&placement))
    }

    /// Inserts every row of an Arrow table (the columns of `resolve_customers`),
    /// in order. Returns a pyarrow Table, one row per input row: `id`,
    /// `customer_id` (uint64: the row's customer after the whole table; null for a
    /// row left out), `new_customer` (whether the row started a customer) and
    /// `issue` (the code of the problem that left the row out, else null). Fields
    /// that could not be used do not leave a row out and are not reported here
    /// (`insert` reports them).
    fn insert_table<'py>(&self, table: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = table.py();
        let rows = rows_arg(table)?;
        let output = self.run(py, move |resolver| {
            let placed: Vec<Result<(&str, bool), String>> = rows
                .records()
                .map(|(_, record)| match record {
                    Ok(r) => match resolver.insert_ref(&r) {
                        Ok(p) => Ok((r.id, p.new_customer)),
                        Err(e) => Err(e
                            .issues()
                            .first()
                            .map_or_else(|| e.code().to_owned(), |i| i.code.clone())),
                    },
                    Err(issue) => Err(issue.code),
                })
                .collect();
            let mut out = Inserted::with_capacity(placed.len());
            for p in &placed {
                match p {
                    Ok((id, new_customer)) => {
                        let customer = resolver.customer_of(id).unwrap_or_default();
                        out.push(customer, *new_customer);
                    }
                    Err(code) => out.push_refused(code),
                }
            }
            let (fields, columns) = out.finish();
            rows.output(fields, columns)
        })?;
        Ok(to_table(py, output)?.into_bound(py))
    }

    /// Records that two records are the same customer (名寄せ顧客追加) and
    /// recomputes; the decision survives every recomputation. Returns the merged
    /// customer's id. Raises `IdentityError` for an unknown record, or when an
    /// unmerge keeps the two apart (`IDENTITY_MERGE_REFUSED`).
    fn merge(&self, py: Python<'_>, a: String, b: String) -> PyResult<u64> {
        self.run(py, move |r| r.merge(&a, &b))
    }

    /// Records that two records are different customers and recomputes; returns
    /// the two customers' ids.
    fn unmerge(&self, py: Python<'_>, a: String, b: String) -> PyResult<(u64, u64)> {
        let [x, y] = self.run(py, move |r| r.unmerge(&a, &b))?;
        Ok((x, y))
    }

    /// Removes the personal data kept for a record (its keys) and recomputes; the
    /// record stays with its customer. Returns that customer's id.
    fn mask(&self, py: Python<'_>, record_id: String) -> PyResult<u64> {
        self.run(py, move |r| r.mask(&record_id))
    }

    /// The customer of a record; None for an unknown record.
    fn customer_of(&self, py: Python<'_>, record_id: String) -> PyResult<Option<u64>> {
        with_resolver(py, &self.inner, move |r| r.customer_of(&record_id))
    }

    /// The current id of a customer id, following aliases (a merged id resolves to
    /// the survivor); None for an id never given out.
    fn canonical(&self, py: Python<'_>, customer_id: u64) -> PyResult<Option<u64>> {
        with_resolver(py, &self.inner, move |r| r.canonical(customer_id))
    }

    /// Recomputes every customer from the stored keys and decisions (ids kept).
    fn recompute(&self, py: Python<'_>) -> PyResult<()> {
        with_resolver(py, &self.inner, Resolver::recompute)
    }

    /// Probable duplicates among different customers, scored: `{"records",
    /// "customers", "rule", "score"}`.
    fn candidates<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let found = with_resolver(py, &self.inner, candidates)?;
        serialized(py, serde_json::to_value(&found))
    }

    /// The whole state in the core's JSON shape: `{customers, clusters, links,
    /// blocked, giant_keys, candidates, aliases, decisions, issues,
    /// next_customer_id}`.
    fn snapshot<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let value = with_resolver(py, &self.inner, |r| interop::resolution_value(r, &[]))?;
        to_py(py, value)
    }

    /// The next customer id a new customer would get.
    #[getter]
    fn next_customer_id(&self, py: Python<'_>) -> PyResult<u64> {
        with_resolver(py, &self.inner, |r| r.next_customer_id())
    }

    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        with_resolver(py, &self.inner, |r| r.len())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let (records, next) = with_resolver(py, &self.inner, |r| (r.len(), r.next_customer_id()))?;
        Ok(format!(
            "CustomerResolver(records={records}, next_customer_id={next})"
        ))
    }
}
