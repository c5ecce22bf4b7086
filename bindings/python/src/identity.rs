//! Customer identity (名寄せ): the normalizers, the configuration, batch
//! resolution as JSON, customer facts and masking. The resolver classes are in
//! `identity/resolver.rs`; Arrow rows become the resolver's borrowed records in
//! `identity/columns.rs`.
//!
//! Every function forwards to the core's JSON face (`ichigen::interop`); its errors
//! (`IDENTITY_INVALID`) raise `IdentityError`, whose messages never quote a name,
//! a phone number or an address.

mod columns;
pub mod resolver;

use ichigen::interop;
use pyo3::prelude::*;
use serde_json::{Map, Value};

use crate::convert::{input_arg, json_arg, opt_json_arg, to_py, to_py_dates, to_value};
use crate::errors::CoreResultExt;

/// Converts a value to normalize (`$.value` in errors); a `str` stays a string.
fn value_arg(value: &Bound<'_, PyAny>) -> PyResult<Value> {
    let mut path = String::from("$.value");
    to_value(value, &mut path, 0)
}

/// Runs a normalizer of the core with the GIL held (it is shorter than releasing it).
fn normalize(py: Python<'_>, field: &str, value: Value, relays: Value) -> PyResult<Value> {
    interop::normalize_identity(field, value, relays).or_raise(py)
}

/// The normalized text of a one-value result.
fn text_of(mut out: Value) -> String {
    match out["value"].take() {
        Value::String(s) => s,
        _ => String::new(),
    }
}

/// A name as matching compares it: NFKC, every space and the middle dot removed,
/// variant kanji unified (髙→高, 邊→辺), romaji lower-cased, a trailing 様 dropped.
#[pyfunction]
pub fn normalize_name(value: &Bound<'_, PyAny>) -> PyResult<String> {
    let py = value.py();
    Ok(text_of(normalize(
        py,
        "name",
        value_arg(value)?,
        Value::Null,
    )?))
}

/// A reading (フリガナ) as matching compares it: full-width katakana (hiragana and
/// half-width katakana converted), spaces and the middle dot removed.
#[pyfunction]
pub fn normalize_kana(value: &Bound<'_, PyAny>) -> PyResult<String> {
    let py = value.py();
    Ok(text_of(normalize(
        py,
        "kana",
        value_arg(value)?,
        Value::Null,
    )?))
}

/// A phone number in E.164 with its kind: `{"value": "+819012345678", "kind":
/// "mobile"}`. Raises `IdentityError` (issue `IDENTITY_PHONE_INVALID`,
/// `IDENTITY_PHONE_LENGTH` or `IDENTITY_PHONE_PLACEHOLDER` at `$.value`) for
/// something that is not a phone number.
#[pyfunction]
pub fn normalize_phone<'py>(value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = value.py();
    to_py(py, normalize(py, "phone", value_arg(value)?, Value::Null)?)
}

/// An e-mail address with its kind (`ordinary`, or a relay kind that matches only
/// within its channel and store): `{"value", "kind"}`. `relays` replaces the
/// default relay domains: a list of `{"domain", "kind", "channel"?}`. Raises
/// `IdentityError` (`IDENTITY_EMAIL_INVALID`) for something that is not an address.
#[pyfunction]
#[pyo3(signature = (value, relays=None))]
pub fn normalize_email<'py>(
    value: &Bound<'py, PyAny>,
    relays: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = value.py();
    let relays = relays_arg(relays)?;
    to_py(py, normalize(py, "email", value_arg(value)?, relays)?)
}

/// The `relays` argument as JSON (None: the default relay domains).
fn relays_arg(relays: Option<&Bound<'_, PyAny>>) -> PyResult<Value> {
    match relays.filter(|r| !r.is_none()) {
        Some(r) => {
            let mut path = String::from("$.relays");
            to_value(r, &mut path, 0)
        }
        None => Ok(Value::Null),
    }
}

/// A postal code as seven digits (`"1060032"`); `IdentityError`
/// (`IDENTITY_POSTAL_INVALID`) when seven digits do not remain.
#[pyfunction]
pub fn normalize_postal_code(value: &Bound<'_, PyAny>) -> PyResult<String> {
    let py = value.py();
    Ok(text_of(normalize(
        py,
        "postal_code",
        value_arg(value)?,
        Value::Null,
    )?))
}

/// An address in parts: `{"postal_code"?, "prefecture"?, "prefecture_code"?,
/// "street", "building"}`, block numbers unified (3丁目1番1号 → 3-1-1). The
/// prefecture comes from its argument or from the start of `address1`.
#[pyfunction]
#[pyo3(signature = (*, postal_code=None, prefecture=None, address1=None, address2=None))]
pub fn normalize_address<'py>(
    py: Python<'py>,
    postal_code: Option<&Bound<'py, PyAny>>,
    prefecture: Option<&Bound<'py, PyAny>>,
    address1: Option<&Bound<'py, PyAny>>,
    address2: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut parts = Map::new();
    for (key, given) in [
        ("postal_code", postal_code),
        ("prefecture", prefecture),
        ("address1", address1),
        ("address2", address2),
    ] {
        if let Some(v) = given.filter(|v| !v.is_none()) {
            let mut path = format!("$.value.{key}");
            parts.insert(key.to_owned(), to_value(v, &mut path, 0)?);
        }
    }
    to_py(
        py,
        normalize(py, "address", Value::Object(parts), Value::Null)?,
    )
}

/// For the vector runner: the core's normalizer by field name (the JSON face), for
/// inputs the typed functions cannot express (an unknown field).
#[pyfunction(name = "_normalize_identity")]
#[pyo3(signature = (field, value, relays=None))]
pub fn normalize_identity<'py>(
    field: &str,
    value: &Bound<'py, PyAny>,
    relays: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = value.py();
    let relays = relays_arg(relays)?;
    to_py(py, normalize(py, field, value_arg(value)?, relays)?)
}

/// A matching configuration argument (dict, JSON text or None for the defaults),
/// loaded and validated; raises `IdentityError` with every problem.
pub fn config_arg(
    py: Python<'_>,
    config: Option<&Bound<'_, PyAny>>,
) -> PyResult<ichigen::identity::IdentityConfig> {
    let value = opt_json_arg(config, "config")?;
    interop::load_identity_config(value).or_raise(py)
}

/// The rules of a configuration in the order they are checked:
/// `{"rules": [{"name", "fields"}], "max_key_records"}`. `config` is a dict, JSON
/// text, or None (the defaults).
#[pyfunction]
#[pyo3(signature = (config=None))]
pub fn describe_identity_config<'py>(
    py: Python<'py>,
    config: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let config = config_arg(py, config)?;
    to_py(py, interop::describe_identity_config(&config))
}

/// Resolves a batch of records given as dicts (or JSON text) into customers; the
/// core's JSON shape: `{customers: [{record, customer_id, via}], clusters, links,
/// blocked, giant_keys, candidates, aliases, decisions, issues, next_customer_id}`,
/// `customers` aligned with `records` (a bad record: customer_id None and an issue
/// at `$[i]`). The core runs with the GIL released.
#[pyfunction]
#[pyo3(signature = (records, config=None, decisions=None))]
pub fn resolve_customers_json<'py>(
    records: &Bound<'py, PyAny>,
    config: Option<&Bound<'py, PyAny>>,
    decisions: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = records.py();
    let records = json_arg(records, "records")?;
    let config = opt_json_arg(config, "config")?;
    let decisions = opt_json_arg(decisions, "decisions")?;
    let out = py
        .detach(move || interop::resolve_identities(config, records, decisions))
        .or_raise(py)?;
    to_py(py, out)
}

/// A customer's facts from their orders: input `{customer_id, orders: [{record,
/// channel, ordered_at, amount, cancelled?, shipped_on?}], profile?, tiers?, as_of,
/// has_candidate?}`. Returns the summary (order and cancelled counts, spend as a
/// string, first and last order instants as RFC 3339 strings, channels, repeat,
/// cross_channel, repeat_candidate, tier, flags, `birthday` as `datetime.date`).
#[pyfunction]
pub fn customer_summary<'py>(input: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = input.py();
    let value = input_arg(input)?;
    let out = interop::customer_summary(value).or_raise(py)?;
    to_py_dates(py, out, &["birthday"])
}

/// The triage facts of one order of a customer: input `{orders, profile?, record}`;
/// returns `{"caution", "vip", "purchase_count"}`, the `customer` of a triage
/// context.
#[pyfunction]
pub fn customer_triage_facts<'py>(input: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = input.py();
    let value = input_arg(input)?;
    to_py(py, interop::customer_triage_facts(value).or_raise(py)?)
}

/// The masking rule (default: Amazon, 30 days after shipping) applied to a
/// customer's records on a day: input `{records: [{record, channel, shipped_on?,
/// party}], on, rule?}`; returns `{"records": [{record, masked, due_on, party,
/// removed}]}` with `due_on` as `datetime.date`, masked parties emptied of
/// personal data and `removed` naming the fields that were.
#[pyfunction]
pub fn mask_customer<'py>(input: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = input.py();
    let value = input_arg(input)?;
    let out = interop::mask_customer(value).or_raise(py)?;
    to_py_dates(py, out, &["due_on"])
}
