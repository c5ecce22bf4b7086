//! Customer identity (名寄せ): the normalizers, batch resolution (`resolveCustomers`
//! over records, `resolveCustomerColumns` over columns of strings), the incremental
//! `CustomerResolver`, and the facts of a customer (`customerSummary`,
//! `customerTriageFacts`, `maskCustomer`).
//!
//! Records, configurations, decisions and results are the core's JSON
//! (`ichigen::interop`): snake_case keys, as for orders. A bad identity input is
//! `IDENTITY_INVALID` with every issue (a normalizer's problem as `IDENTITY_PHONE_*`
//! and the like at `$.value`). Customer ids are `u64` in the core and JS numbers
//! here: they are given out one by one from 1, so they stay far below 2^53; an id
//! above `Number.MAX_SAFE_INTEGER` (possible only when a caller gives one, as a
//! BigInt or in JSON text) is refused with `INPUT_OUT_OF_RANGE` rather than
//! rounded.

mod columns;

use ichigen::identity::{Resolver, candidates};
use ichigen::{Error, interop};
use napi::Env;
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;
use serde_json::Value;

use crate::convert::{
    integer_arg, json_arg, opt_json_arg, text_arg, to_js, unsafe_integer_path, value_arg,
};
use crate::errors::{CoreResultExt, MAX_SAFE_INTEGER, id_out_of_range, input};

pub use columns::ResolvedColumns;

/// A customer id as a JS number; `path` says where it would have gone.
pub fn id_number(id: u64, path: &str) -> Result<f64, Error> {
    if id <= MAX_SAFE_INTEGER {
        // Exact: an integer up to 2^53 - 1 is a double without loss.
        Ok(id as f64)
    } else {
        Err(id_out_of_range(path))
    }
}

/// Refuses a result holding an integer a JS number cannot carry exactly (a customer
/// id): rounding it would name another customer, and a BigInt is a type no caller
/// expects of an id.
fn safe(value: Value) -> Result<Value, Error> {
    match unsafe_integer_path(&value) {
        Some(path) => Err(id_out_of_range(&path)),
        None => Ok(value),
    }
}

/// A result checked by [`safe`] and converted whole (see [`to_js`]), or the JS
/// error.
fn answer<'env>(env: &'env Env, result: Result<Value, Error>) -> napi::Result<Unknown<'env>> {
    let value = result.and_then(safe).or_throw(env)?;
    to_js(env, &value)
}

/// Runs the core's normalizer of `field` on `value`.
fn normalized(
    field: &str,
    value: Unknown<'_>,
    relays: Option<Unknown<'_>>,
) -> Result<Value, Error> {
    let value = value_arg(Some(value), "value")?;
    let relays = value_arg(relays, "relays")?;
    interop::normalize_identity(field, value, relays)
}

/// The `value` of a normalizer's answer, as text.
fn normalized_text(env: &Env, field: &str, value: Unknown<'_>) -> napi::Result<String> {
    let mut out = normalized(field, value, None).or_throw(env)?;
    Ok(match out["value"].take() {
        Value::String(s) => s,
        _ => String::new(),
    })
}

/// A name as compared: NFKC, every space and the middle dot removed, variant kanji
/// unified (髙 → 高, 邊 → 辺), romaji lower-cased, a trailing 様 dropped.
#[napi(ts_args_type = "value: string")]
pub fn normalize_name(env: Env, value: Unknown<'_>) -> napi::Result<String> {
    normalized_text(&env, "name", value)
}

/// A reading (フリガナ) as compared: full-width katakana (hiragana and half-width
/// kana become it), spaces and the middle dot removed, romaji lower-cased.
#[napi(ts_args_type = "value: string")]
pub fn normalize_kana(env: Env, value: Unknown<'_>) -> napi::Result<String> {
    normalized_text(&env, "kana", value)
}

/// A phone number in E.164 (`+819012345678`) with its kind (`mobile`, `landline`,
/// `toll_free`, `ip`, `shared_cost`, `m2m`, `international`). Throws
/// `IDENTITY_INVALID` (`IDENTITY_PHONE_INVALID`, `_LENGTH`, `_PLACEHOLDER` at
/// `$.value`).
#[napi(ts_args_type = "value: string", ts_return_type = "NormalizedPhone")]
pub fn normalize_phone(env: Env, value: Unknown<'_>) -> napi::Result<Value> {
    normalized("phone", value, None).or_throw(&env)
}

/// An e-mail address, lower-cased and folded, with its kind (`ordinary`,
/// `rakuten_relay`, `amazon_anonymized`, `relay`) by `relays` (default: Rakuten's,
/// Amazon's and Apple's relay domains). Throws `IDENTITY_INVALID`
/// (`IDENTITY_EMAIL_INVALID` at `$.value`).
#[napi(
    ts_args_type = "value: string, relays?: RelayDomain[] | null",
    ts_return_type = "NormalizedEmail"
)]
pub fn normalize_email(
    env: Env,
    value: Unknown<'_>,
    relays: Option<Unknown<'_>>,
) -> napi::Result<Value> {
    normalized("email", value, relays).or_throw(&env)
}

/// A postal code (郵便番号) as seven digits (`1060032`). Throws `IDENTITY_INVALID`
/// (`IDENTITY_POSTAL_INVALID` at `$.value`).
#[napi(ts_args_type = "value: string")]
pub fn normalize_postal_code(env: Env, value: Unknown<'_>) -> napi::Result<String> {
    normalized_text(&env, "postal_code", value)
}

/// An address as compared: `{postal_code?, prefecture?, prefecture_code?, street,
/// building}`, the prefecture found in its field or at the start of `address1`,
/// block numbers unified (`一丁目２番地３号` → `1-2-3`). Throws `IDENTITY_INVALID`
/// (`IDENTITY_POSTAL_INVALID`, `IDENTITY_PREFECTURE_UNKNOWN`,
/// `IDENTITY_PREFECTURE_MISMATCH` at `$.value`).
#[napi(
    ts_args_type = "value: AddressInput",
    ts_return_type = "NormalizedAddress"
)]
pub fn normalize_address(env: Env, value: Unknown<'_>) -> napi::Result<Value> {
    normalized("address", value, None).or_throw(&env)
}

/// Any normalizer by its field's name (`name`, `kana`, `phone`, `email`,
/// `postal_code`, `address`): `{value}`, with `kind` for phones and e-mails, or the
/// parts of an address. An unknown field is `IDENTITY_UNKNOWN_FIELD` at `$.field`.
#[napi(
    ts_args_type = "field: IdentityField | string, value: string | AddressInput, relays?: RelayDomain[] | null",
    ts_return_type = "{ value: string; kind?: string } | NormalizedAddress"
)]
pub fn normalize_identity(
    env: Env,
    field: Unknown<'_>,
    value: Unknown<'_>,
    relays: Option<Unknown<'_>>,
) -> napi::Result<Value> {
    let run = || {
        let field = text_arg(field, "field")?;
        normalized(&field, value, relays)
    };
    run().or_throw(&env)
}

/// The rules of a matching configuration in the order they are checked, and the
/// giant-key limit: `{rules: [{name, fields}], max_key_records}`. `null` describes
/// the defaults. Throws `IDENTITY_INVALID` with every issue.
#[napi(
    ts_args_type = "config?: IdentityConfigInput | string | null",
    ts_return_type = "IdentityConfigSummary"
)]
pub fn describe_identity_config(env: Env, config: Option<Unknown<'_>>) -> napi::Result<Value> {
    let run = || {
        let config = interop::load_identity_config(opt_json_arg(config, "config")?)?;
        Ok(interop::describe_identity_config(&config))
    };
    run().or_throw(&env)
}

/// Resolves records into customers at once: `{customers, clusters, links, blocked,
/// giant_keys, candidates, aliases, decisions, issues, next_customer_id}`.
/// `customers` lines up with `records`; a record that cannot be used (it does not
/// decode, has no id or a duplicate one) gets `customer_id: null` and an issue at
/// `$[i]`; a field that cannot be used (a bad phone) is an issue at `$[i].phone`
/// and the rest of the record still counts. A record's `customer_id` (from an
/// earlier resolution) is kept as its customer's id. Throws `IDENTITY_INVALID` only
/// for a bad configuration, a malformed decision or `records` not an array.
#[napi(
    ts_args_type = "records: IdentityRecord[] | string, config?: IdentityConfigInput | string | null, decisions?: DecisionInput[] | string | null",
    ts_return_type = "Resolution"
)]
pub fn resolve_customers<'env>(
    env: &'env Env,
    records: Unknown<'_>,
    config: Option<Unknown<'_>>,
    decisions: Option<Unknown<'_>>,
) -> napi::Result<Unknown<'env>> {
    let run = || {
        let records = json_arg(records, "records")?;
        let config = opt_json_arg(config, "config")?;
        let decisions = opt_json_arg(decisions, "decisions")?;
        interop::resolve_identities(config, records, decisions)
    };
    answer(env, run())
}

/// `resolveCustomers` over columns: one array per field (`id`, `channel`, and any of
/// `store`, `name`, `kana`, `phone`, `email`, `postalCode`, `prefecture`,
/// `address1`, `address2`, `memberId` of strings, `customerId` of numbers, `masked`
/// of booleans; `null` or `undefined` for an absent value), all of one length.
/// Returns columns aligned with the rows (`customerId`, `viaRecord`, `rule`; `null`
/// for a row that cannot be used) and `issues` with the same codes and `$[i]` paths
/// as `resolveCustomers`, without building an object per row either way. A column
/// of another length or kind throws `INPUT_*` at `$.columns.<name>`.
#[napi(
    ts_args_type = "columns: IdentityColumns, config?: IdentityConfigInput | string | null, decisions?: DecisionInput[] | string | null"
)]
pub fn resolve_customer_columns(
    env: Env,
    columns: Unknown<'_>,
    config: Option<Unknown<'_>>,
    decisions: Option<Unknown<'_>>,
) -> napi::Result<ResolvedColumns> {
    let run = || {
        let table = columns::Table::read(&columns)?;
        let config = interop::load_identity_config(opt_json_arg(config, "config")?)?;
        let decisions = interop::parse_decisions(opt_json_arg(decisions, "decisions")?)?;
        table.resolve(config, &decisions)
    };
    run().or_throw(&env)
}

/// Resolves records one at a time (a shop's order stream), keeping customer ids
/// stable: a record joins the customer it matches (the oldest id survives a
/// merge, the others become aliases that `canonical` follows), and manual merges
/// and unmerges survive every recomputation. Inserting records without prior
/// customer ids one by one gives the customers `resolveCustomers` gives for them
/// (a record whose prior `customer_id` joins a customer that already has an id
/// takes that id, where a batch would keep the prior one).
#[napi]
pub struct CustomerResolver {
    inner: Resolver,
}

impl std::fmt::Debug for CustomerResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The resolver holds normalized personal data: show only its size.
        f.debug_struct("CustomerResolver")
            .field("records", &self.inner.len())
            .finish_non_exhaustive()
    }
}

#[napi]
impl CustomerResolver {
    /// An empty resolver with a matching configuration (default: member id, name +
    /// phone, name + e-mail, name + postal code + address). Throws
    /// `IDENTITY_INVALID` with every issue.
    #[napi(
        constructor,
        ts_args_type = "config?: IdentityConfigInput | string | null"
    )]
    pub fn new(env: Env, config: Option<Unknown<'_>>) -> napi::Result<Self> {
        opt_json_arg(config, "config")
            .and_then(interop::load_identity_config)
            .map(|c| CustomerResolver {
                inner: Resolver::new(c),
            })
            .or_throw(&env)
    }

    /// How many records are stored.
    #[napi(getter)]
    pub fn length(&self) -> u32 {
        // The resolver indexes records with u32.
        u32::try_from(self.inner.len()).unwrap_or(u32::MAX)
    }

    /// The next customer id to be given out.
    #[napi(getter)]
    pub fn next_customer_id(&self, env: Env) -> napi::Result<f64> {
        id_number(self.inner.next_customer_id(), "$.nextCustomerId").or_throw(&env)
    }

    /// Inserts and links one record: `{customer_id, new_customer, absorbed, links,
    /// issues, recomputed}` (`issues`: fields that could not be used, at
    /// `$.phone` and the like). A record that does not decode, has no id
    /// (`IDENTITY_RECORD_NO_ID`) or an id already inserted
    /// (`IDENTITY_RECORD_DUPLICATE`) throws `IDENTITY_INVALID` and changes nothing.
    #[napi(
        ts_args_type = "record: IdentityRecord | string",
        ts_return_type = "Placement"
    )]
    pub fn insert<'env>(
        &mut self,
        env: &'env Env,
        record: Unknown<'_>,
    ) -> napi::Result<Unknown<'env>> {
        let mut run = || {
            let record = interop::parse_identity_record(json_arg(record, "record")?)?;
            let placement = self.inner.insert(&record)?;
            Ok(interop::placement_value(&placement))
        };
        answer(env, run())
    }

    /// Records a manual merge (名寄せ顧客追加) of the customers of records `a` and
    /// `b`, kept across recomputation; returns the merged customer's id. The last
    /// decision about a pair wins; an unmerge between other records of the two
    /// customers refuses the merge (`IDENTITY_MERGE_REFUSED`). An unknown record is
    /// `IDENTITY_DECISION_UNKNOWN_RECORD` at `$[0]` or `$[1]`.
    #[napi(ts_args_type = "a: string, b: string")]
    pub fn merge(&mut self, env: Env, a: Unknown<'_>, b: Unknown<'_>) -> napi::Result<f64> {
        let mut run = || {
            let (a, b) = (text_arg(a, "a")?, text_arg(b, "b")?);
            id_number(self.inner.merge(&a, &b)?, "$")
        };
        run().or_throw(&env)
    }

    /// Records that records `a` and `b` are different customers (the link that
    /// would join them is refused), kept across recomputation; returns their two
    /// customers' ids.
    #[napi(
        ts_args_type = "a: string, b: string",
        ts_return_type = "[number, number]"
    )]
    pub fn unmerge(&mut self, env: Env, a: Unknown<'_>, b: Unknown<'_>) -> napi::Result<Vec<f64>> {
        let mut run = || {
            let (a, b) = (text_arg(a, "a")?, text_arg(b, "b")?);
            let [x, y] = self.inner.unmerge(&a, &b)?;
            Ok(vec![id_number(x, "$[0]")?, id_number(y, "$[1]")?])
        };
        run().or_throw(&env)
    }

    /// Removes the personal data kept for a record (Amazon's 30 days) and
    /// recomputes; the record stays with its customer, whose id is returned.
    /// An unknown record is `IDENTITY_RECORD_UNKNOWN`.
    #[napi(ts_args_type = "recordId: string")]
    pub fn mask(&mut self, env: Env, record_id: Unknown<'_>) -> napi::Result<f64> {
        let mut run = || {
            let id = text_arg(record_id, "recordId")?;
            id_number(self.inner.mask(&id)?, "$")
        };
        run().or_throw(&env)
    }

    /// The customer of a record; `null` for a record never inserted.
    #[napi(ts_args_type = "recordId: string")]
    pub fn customer_of(&mut self, env: Env, record_id: Unknown<'_>) -> napi::Result<Option<f64>> {
        let mut run = || {
            let id = text_arg(record_id, "recordId")?;
            self.inner
                .customer_of(&id)
                .map(|c| id_number(c, "$"))
                .transpose()
        };
        run().or_throw(&env)
    }

    /// The current id of a customer id, following aliases (an id merged into
    /// another gives the survivor); `null` for an id never given out.
    #[napi(ts_args_type = "customerId: number")]
    pub fn canonical(&self, env: Env, customer_id: Unknown<'_>) -> napi::Result<Option<f64>> {
        let run = || {
            let path = "$.customerId";
            let id = integer_arg(customer_id, path)?;
            let id = u64::try_from(id).map_err(|_| {
                input(
                    "INPUT_BAD_VALUE",
                    path,
                    "expected a customer id (a whole number of 0 or more)",
                )
            })?;
            self.inner
                .canonical(id)
                .map(|c| id_number(c, "$"))
                .transpose()
        };
        run().or_throw(&env)
    }

    /// Recomputes every customer from the stored records and decisions (what a
    /// batch over them gives); ids stay as they were.
    #[napi]
    pub fn recompute(&mut self) {
        self.inner.recompute();
    }

    /// Probable duplicates the rules did not link, best first: `[{records,
    /// customers, rule, score}]` (`phone_name`, `address_name`). Suggestions only.
    #[napi(ts_return_type = "Candidate[]")]
    pub fn candidates<'env>(&mut self, env: &'env Env) -> napi::Result<Unknown<'env>> {
        let found = serde_json::to_value(candidates(&mut self.inner)).map_err(|_| {
            input(
                "INPUT_WRONG_TYPE",
                "$",
                "the candidates cannot be represented as JSON",
            )
        });
        answer(env, found)
    }

    /// The whole state, in the shape `resolveCustomers` returns (`customers` in
    /// insertion order, `issues` empty).
    #[napi(ts_return_type = "Resolution")]
    pub fn snapshot<'env>(&mut self, env: &'env Env) -> napi::Result<Unknown<'env>> {
        answer(env, Ok(interop::resolution_value(&mut self.inner, &[])))
    }
}

/// A customer's facts from their orders: `{customer_id, order_count,
/// cancelled_count, spend, first_order_at, last_order_at, channels, repeat,
/// cross_channel, repeat_candidate, tier, vip, caution, ...}`. Input `{customer_id,
/// orders: [{record, channel, ordered_at, amount, cancelled?, shipped_on?}],
/// profile?, tiers?, as_of, has_candidate?}`; amounts as strings. Throws
/// `IDENTITY_INVALID`.
#[napi(
    ts_args_type = "input: CustomerSummaryInput | string",
    ts_return_type = "CustomerSummary"
)]
pub fn customer_summary<'env>(env: &'env Env, input: Unknown<'_>) -> napi::Result<Unknown<'env>> {
    answer(
        env,
        json_arg(input, "input").and_then(interop::customer_summary),
    )
}

/// The triage facts of one order of a customer, `{caution, vip, purchase_count}`:
/// the `customer` of a triage context. Input `{orders, profile?, record}`; a
/// `record` not among `orders` is `IDENTITY_ORDER_UNKNOWN` at `$.record`.
#[napi(
    ts_args_type = "input: CustomerTriageInput | string",
    ts_return_type = "CustomerFacts"
)]
pub fn customer_triage_facts<'env>(
    env: &'env Env,
    input: Unknown<'_>,
) -> napi::Result<Unknown<'env>> {
    answer(
        env,
        json_arg(input, "input").and_then(interop::customer_triage_facts),
    )
}

/// Applies a masking rule (default: Amazon, 30 days after shipping) to a
/// customer's records on a date: `{records: [{record, masked, due_on?, party,
/// removed}]}`. Input `{records: [{record, channel, shipped_on?, party}], on,
/// rule?}`, dates as `YYYY-MM-DD`.
#[napi(
    ts_args_type = "input: MaskInput | string",
    ts_return_type = "MaskResult"
)]
pub fn mask_customer<'env>(env: &'env Env, input: Unknown<'_>) -> napi::Result<Unknown<'env>> {
    answer(
        env,
        json_arg(input, "input").and_then(interop::mask_customer),
    )
}
