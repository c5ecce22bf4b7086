//! Analytics: the `OrderHistory` class (sales by any axis, RFM, CPM and the
//! customer balance sheet, repeat buying and cohorts, the CLV summary) and the CLV
//! functions `fitClv`, `fitClvAsync` (on the libuv pool) and `predictClv` (`clv`).
//!
//! A history is built once from order rows, from an object of columns (JS arrays or
//! typed arrays) or from Arrow IPC bytes, with the shop's zone and currency
//! (`source`). Rows, and columns that are all JS arrays, go through the core's JSON
//! face (`ichigen::analytics::json::history`); typed arrays and Arrow (`ipc`) are
//! read straight into the core's columns (`js_columns`, `arrow_in`) by the same
//! rules (`cells`), without an object per row. Each analysis takes the JSON face's
//! configuration and answers with a table as columns, as the face's rows, or as
//! Arrow IPC (`output`). A configuration the core's types cannot read is handed to
//! the JSON face, whose error (codes and paths) is the one thrown, so that every
//! form fails the same way. Problems throw `ANALYTICS_INVALID` with every issue at
//! its path.

mod arrow_in;
mod cells;
mod clv;
mod ipc;
mod js_columns;
mod output;
mod source;

use std::sync::Arc;

use chrono::NaiveDate;
use ichigen::analytics::clv::SummaryConfig;
use ichigen::analytics::json;
use ichigen::analytics::{
    BalanceConfig, Coded, CpmConfig, OrderColumns, OrderHistory as History, RepeatConfig,
    RfmConfig, SalesQuery, Table,
};
use ichigen::{Error, Issue};
use napi::Env;
use napi::bindgen_prelude::{JsValue, Object, Unknown};
use napi_derive::napi;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::convert::{opt_json_arg, to_js, value_arg};
use crate::errors::CoreResultExt;
use output::{Output, output_arg};
use source::{Input, build, history_options};

/// The text attributes of an order, in the core's column order.
const ATTRIBUTES: [&str; 7] = [
    "channel",
    "store",
    "payment_method",
    "shipping_method",
    "cancel_reason",
    "age_band",
    "gender",
];

/// A key as a path segment, the way the core writes one: a plain name as it is,
/// any other by its length only (a key may be personal data).
fn clip(key: &str) -> String {
    let plain = key.len() <= 64
        && key.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        key.to_owned()
    } else {
        format!("<key of {} chars>", key.chars().count())
    }
}

/// Puts the attribute columns (in [`ATTRIBUTES`] order) into the order columns.
fn set_attributes(out: &mut OrderColumns, attributes: Vec<Option<Coded>>) {
    let mut it = attributes.into_iter();
    let mut next = || it.next().flatten();
    out.channel = next();
    out.store = next();
    out.payment_method = next();
    out.shipping_method = next();
    out.cancel_reason = next();
    out.age_band = next();
    out.gender = next();
}

fn invalid(code: &str, path: &str, message: &str) -> Error {
    Error::InvalidAnalytics(vec![Issue::new(code, path, message)])
}

/// A configuration read into the core's type `T`, with `decimals` split off, as
/// the JSON face reads it. When it cannot be read, `face` (the JSON face's call
/// with the same configuration) gives the error to throw: the face's codes and
/// paths, whichever form the caller asked for.
fn typed_config<T: DeserializeOwned>(
    value: Value,
    face: impl FnOnce() -> Result<Value, Error>,
) -> Result<(T, Option<u32>), Error> {
    let refused = move || match face() {
        Err(e) => e,
        Ok(_) => invalid(
            "ANALYTICS_BAD_CONFIG",
            "$.config",
            "the configuration cannot be read",
        ),
    };
    let (rest, decimals) = match value {
        Value::Object(mut m) => {
            let decimals = match m.remove("decimals") {
                None | Some(Value::Null) => None,
                Some(Value::Number(n)) if n.as_u64().is_some_and(|d| d <= 15) => {
                    n.as_u64().and_then(|d| u32::try_from(d).ok())
                }
                Some(_) => return Err(refused()),
            };
            (Value::Object(m), decimals)
        }
        other => (other, None),
    };
    match serde_json::from_value::<T>(rest) {
        Ok(t) => Ok((t, decimals)),
        Err(_) => Err(refused()),
    }
}

/// A configuration without its `to` (the JSON face's CPM configuration may hold
/// the second date of the flows).
fn without_to(config: &Value) -> Value {
    let mut v = config.clone();
    if let Value::Object(m) = &mut v {
        m.remove("to");
    }
    v
}

/// An order history: the orders of a shop (customer, instant, amount, cancelled,
/// units, channel, store, payment and shipping method, cancel reason, age band,
/// gender) and optionally their SKU lines, with each order's day in the shop's
/// zone computed once. Immutable; every analysis reads it.
#[napi]
pub struct OrderHistory {
    inner: Arc<History>,
}

impl std::fmt::Debug for OrderHistory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrderHistory")
            .field("orders", &self.inner.len())
            .finish_non_exhaustive()
    }
}

/// One table of an analysis and how to show it.
type Answer = (Table, Option<u32>, Output);

impl OrderHistory {
    /// Runs `run` and shows its table, or throws its error.
    fn answer<'env>(
        env: &'env Env,
        run: impl FnOnce() -> Result<Answer, Error>,
    ) -> napi::Result<Unknown<'env>> {
        let (table, decimals, out) = run().or_throw(env)?;
        output::table(env, &table, decimals, out)
    }

    fn config(config: Option<Unknown<'_>>) -> Result<Value, Error> {
        opt_json_arg(config, "config")
    }

    fn rfm_table(
        &self,
        config: Option<Unknown<'_>>,
        options: Option<Unknown<'_>>,
        grid: bool,
    ) -> Result<Answer, Error> {
        let out = output_arg(options)?;
        let v = Self::config(config)?;
        let h = &*self.inner;
        let (c, d) = typed_config::<RfmConfig>(v.clone(), || json::rfm(h, v))?;
        let r = h.rfm(&c)?;
        Ok((if grid { r.grid(h) } else { r.table(h) }, d, out))
    }

    fn cpm_config(&self, config: &Value) -> Result<(CpmConfig, Option<u32>), Error> {
        let h = &*self.inner;
        typed_config::<CpmConfig>(without_to(config), || json::cpm(h, config.clone()))
    }

    fn repeat_table(
        &self,
        config: Option<Unknown<'_>>,
        options: Option<Unknown<'_>>,
        table: impl FnOnce(&History, &RepeatConfig) -> Result<Table, Error>,
    ) -> Result<Answer, Error> {
        let out = output_arg(options)?;
        let v = Self::config(config)?;
        let h = &*self.inner;
        let (c, d) = typed_config::<RepeatConfig>(v.clone(), || json::repeat(h, v))?;
        Ok((table(h, &c)?, d, out))
    }
}

#[napi]
impl OrderHistory {
    /// Builds a history. `orders`: an array of rows (`{customer, ordered_at,
    /// amount, status?, cancelled?, units?, channel?, …, lines?}`), an object of
    /// columns (JS arrays, or typed arrays: `ordered_at` in seconds since
    /// 1970-01-01T00:00:00Z, amounts in currency units, whole-number customer ids),
    /// Arrow IPC bytes (a Buffer or Uint8Array, stream or file format), or JSON
    /// text. `lines`: with columns or Arrow, the SKU lines as columns or Arrow
    /// (`order` the row of the line's order); with rows, null (each row holds its
    /// lines). `options`: `{zone, currency}`, default `Asia/Tokyo` and `JPY`.
    /// Throws `ANALYTICS_INVALID` with every bad cell at its path
    /// (`$.orders[3].amount`, `$.orders.amount[3]`).
    #[napi(
        constructor,
        ts_args_type = "orders: OrdersInput, lines?: LinesInput | null, options?: HistoryOptions | null"
    )]
    pub fn new(
        env: Env,
        orders: Unknown<'_>,
        lines: Option<Unknown<'_>>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Self> {
        let run = || {
            let (zone, currency) = history_options(options)?;
            let orders = Input::of(Some(orders), "orders")?;
            let lines = Input::of(lines, "lines")?;
            build(zone, currency, &orders, &lines)
        };
        run()
            .map(|h| OrderHistory { inner: Arc::new(h) })
            .or_throw(&env)
    }

    /// Number of orders.
    #[napi(getter)]
    pub fn length(&self) -> u32 {
        u32::try_from(self.inner.len()).unwrap_or(u32::MAX)
    }

    /// The shop's zone (an IANA name).
    #[napi(getter)]
    pub fn zone(&self) -> String {
        self.inner.zone().name().to_owned()
    }

    /// The currency of the amounts (ISO 4217).
    #[napi(getter)]
    pub fn currency(&self) -> String {
        self.inner.currency().code().to_owned()
    }

    /// What the history holds: `{orders, customers, lines, cancelled, first_date,
    /// last_date, zone, currency}` (local dates; null when empty).
    #[napi(ts_return_type = "HistoryDescription")]
    pub fn describe<'env>(&self, env: &'env Env) -> napi::Result<Unknown<'env>> {
        to_js(env, &json::describe(&self.inner))
    }

    /// Sales by any axes (`{group_by, include_cancelled, from, to, decimals}`):
    /// the groups' columns, then `orders`, `units`, `revenue`,
    /// `average_order_value`, `customers`. Cancelled orders are left out unless
    /// asked for.
    #[napi(
        ts_generic_types = "O extends OutputOptions = {}",
        ts_args_type = "query?: SalesQuery | string | null, options?: O",
        ts_return_type = "TableOutput<O>"
    )]
    pub fn sales<'env>(
        &self,
        env: &'env Env,
        query: Option<Unknown<'_>>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Unknown<'env>> {
        Self::answer(env, || {
            let out = output_arg(options)?;
            let v = match opt_json_arg(query, "query")? {
                Value::Null => Value::Object(Map::new()),
                v => v,
            };
            let h = &*self.inner;
            let (q, d) = typed_config::<SalesQuery>(v.clone(), || json::sales(h, v))?;
            Ok((h.sales(&q)?, d, out))
        })
    }

    /// RFM per customer as of a date (`{as_of, scoring?, ranks?, default_rank?,
    /// decimals?}`): `customer`, `recency`, `frequency`, `monetary`,
    /// `first_purchase`, `last_purchase`, `r`, `f`, `m`, `score`, `rank`.
    #[napi(
        ts_generic_types = "O extends OutputOptions = {}",
        ts_args_type = "config: RfmConfig | string, options?: O",
        ts_return_type = "TableOutput<O>"
    )]
    pub fn rfm<'env>(
        &self,
        env: &'env Env,
        config: Option<Unknown<'_>>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Unknown<'env>> {
        Self::answer(env, || self.rfm_table(config, options, false))
    }

    /// The 5×5 RFM grid (recency × frequency): customers and spend per cell.
    #[napi(
        ts_generic_types = "O extends OutputOptions = {}",
        ts_args_type = "config: RfmConfig | string, options?: O",
        ts_return_type = "TableOutput<O>"
    )]
    pub fn rfm_grid<'env>(
        &self,
        env: &'env Env,
        config: Option<Unknown<'_>>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Unknown<'env>> {
        Self::answer(env, || self.rfm_table(config, options, true))
    }

    /// CPM (顧客ポートフォリオ) per customer as of a date (`{as_of, lapse_days?,
    /// early_tenure_days?, loyal_tenure_days?, spend?, decimals?}`; a `to` is
    /// ignored here): the customer's purchases, spend, tenure, class and segment.
    #[napi(
        ts_generic_types = "O extends OutputOptions = {}",
        ts_args_type = "config: CpmConfig | string, options?: O",
        ts_return_type = "TableOutput<O>"
    )]
    pub fn cpm<'env>(
        &self,
        env: &'env Env,
        config: Option<Unknown<'_>>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Unknown<'env>> {
        Self::answer(env, || {
            let out = output_arg(options)?;
            let v = Self::config(config)?;
            let (c, d) = self.cpm_config(&v)?;
            let h = &*self.inner;
            Ok((h.cpm(&c)?.table(h), d, out))
        })
    }

    /// The ten CPM segments with their customers, spend and shares.
    #[napi(
        ts_generic_types = "O extends OutputOptions = {}",
        ts_args_type = "config: CpmConfig | string, options?: O",
        ts_return_type = "TableOutput<O>"
    )]
    pub fn cpm_segments<'env>(
        &self,
        env: &'env Env,
        config: Option<Unknown<'_>>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Unknown<'env>> {
        Self::answer(env, || {
            let out = output_arg(options)?;
            let v = Self::config(config)?;
            let (c, d) = self.cpm_config(&v)?;
            let h = &*self.inner;
            Ok((h.cpm(&c)?.summary(h), d, out))
        })
    }

    /// Customers moving between CPM segments from `config.as_of` to `to`
    /// (`YYYY-MM-DD`; default: the configuration's `to`).
    #[napi(
        ts_generic_types = "O extends OutputOptions = {}",
        ts_args_type = "config: CpmConfig | string, to?: string | null, options?: O",
        ts_return_type = "TableOutput<O>"
    )]
    pub fn cpm_flows<'env>(
        &self,
        env: &'env Env,
        config: Option<Unknown<'_>>,
        to: Option<Unknown<'_>>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Unknown<'env>> {
        Self::answer(env, || {
            let out = output_arg(options)?;
            let v = Self::config(config)?;
            let (c, d) = self.cpm_config(&v)?;
            let to = match value_arg(to, "to")? {
                Value::Null => v.get("to").cloned().unwrap_or(Value::Null),
                given => given,
            };
            if to.is_null() {
                return Err(invalid(
                    "ANALYTICS_BAD_CONFIG",
                    "$.config.to",
                    "the flows need a second date, to",
                ));
            }
            let h = &*self.inner;
            let to: NaiveDate = match serde_json::from_value(to.clone()) {
                Ok(to) => to,
                Err(_) => {
                    let mut face = v.clone();
                    if let Value::Object(m) = &mut face {
                        m.insert("to".into(), to);
                    }
                    return Err(json::cpm(h, face).err().unwrap_or_else(|| {
                        invalid("ANALYTICS_BAD_CONFIG", "$.config.to", "expected YYYY-MM-DD")
                    }));
                }
            };
            Ok((h.cpm_flows(&c, to)?, d, out))
        })
    }

    /// The customer balance sheet (顧客BS) as of a date (`{as_of, classes?, names?,
    /// years?, decimals?}`): `{classes, flows, projection}`, each a table (with
    /// `output: "rows"`, each the JSON face's rows).
    #[napi(
        ts_generic_types = "O extends OutputOptions = {}",
        ts_args_type = "config: BalanceConfig | string, options?: O",
        ts_return_type = "BalanceSheetOutput<O>"
    )]
    pub fn balance_sheet<'env>(
        &self,
        env: &'env Env,
        config: Option<Unknown<'_>>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Unknown<'env>> {
        let run = || {
            let out = output_arg(options)?;
            let v = Self::config(config)?;
            let h = &*self.inner;
            let (c, d) = typed_config::<BalanceConfig>(v.clone(), || json::balance_sheet(h, v))?;
            Ok((h.balance_sheet(&c)?, d, out))
        };
        let (sheet, d, out) = run().or_throw(env)?;
        let tables = [
            ("classes", &sheet.classes),
            ("flows", &sheet.flows),
            ("projection", &sheet.projection),
        ];
        let mut object = Object::new(env)?;
        for (name, table) in tables {
            let value = match out {
                Output::Rows => to_js(env, &Value::Array(table.rows_json(d)))?,
                _ => output::table(env, table, d, out)?,
            };
            object.set(name, value)?;
        }
        Ok(object.to_unknown())
    }

    /// F2 conversion (`{as_of, from?, to?, within_days?, decimals?}`): first-time
    /// buyers who bought a second time, overall and by channel.
    #[napi(
        ts_generic_types = "O extends OutputOptions = {}",
        ts_args_type = "config: RepeatConfig | string, options?: O",
        ts_return_type = "TableOutput<O>"
    )]
    pub fn f2<'env>(
        &self,
        env: &'env Env,
        config: Option<Unknown<'_>>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Unknown<'env>> {
        Self::answer(env, || self.repeat_table(config, options, History::f2))
    }

    /// Repeat rates by channel and across channels.
    #[napi(
        ts_generic_types = "O extends OutputOptions = {}",
        ts_args_type = "config: RepeatConfig | string, options?: O",
        ts_return_type = "TableOutput<O>"
    )]
    pub fn repeat_rates<'env>(
        &self,
        env: &'env Env,
        config: Option<Unknown<'_>>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Unknown<'env>> {
        Self::answer(env, || {
            self.repeat_table(config, options, History::repeat_rates)
        })
    }

    /// The monthly cohort retention matrix.
    #[napi(
        ts_generic_types = "O extends OutputOptions = {}",
        ts_args_type = "config: RepeatConfig | string, options?: O",
        ts_return_type = "TableOutput<O>"
    )]
    pub fn cohorts<'env>(
        &self,
        env: &'env Env,
        config: Option<Unknown<'_>>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Unknown<'env>> {
        Self::answer(env, || self.repeat_table(config, options, History::cohorts))
    }

    /// Lifetime value of customers by the channel that acquired them, across
    /// channels.
    #[napi(
        ts_generic_types = "O extends OutputOptions = {}",
        ts_args_type = "config: RepeatConfig | string, options?: O",
        ts_return_type = "TableOutput<O>"
    )]
    pub fn channel_ltv<'env>(
        &self,
        env: &'env Env,
        config: Option<Unknown<'_>>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Unknown<'env>> {
        Self::answer(env, || {
            self.repeat_table(config, options, History::channel_ltv)
        })
    }

    /// The CLV summary per customer, as `lifetimes` defines it
    /// (`{observation_end, period_days?, decimals?}`): `customer`, `frequency`,
    /// `recency`, `T`, `monetary_value`. Pass it to `fitClv` and `predictClv`.
    #[napi(
        ts_generic_types = "O extends OutputOptions = {}",
        ts_args_type = "config: ClvSummaryConfig | string, options?: O",
        ts_return_type = "TableOutput<O>"
    )]
    pub fn clv_summary<'env>(
        &self,
        env: &'env Env,
        config: Option<Unknown<'_>>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Unknown<'env>> {
        Self::answer(env, || {
            let out = output_arg(options)?;
            let v = Self::config(config)?;
            let h = &*self.inner;
            let (c, d) = typed_config::<SummaryConfig>(v.clone(), || json::clv_summary(h, v))?;
            Ok((h.clv_summary(&c)?.table(h), d, out))
        })
    }
}
