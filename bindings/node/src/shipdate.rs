//! Ship dates: the `ShippingPolicy` class (one request or order at a time, with the
//! explanation), the `BatchPlanner` class (columns of typed arrays, no per-row JS
//! object) and `prefectureCode`.
//!
//! A plan is the core's JSON (`ichigen::interop::plan_ship_date`). A batch reads its
//! columns straight from the typed arrays' memory and returns typed arrays that own
//! the core's output vectors (no copy either way, except that `planAsync` copies the
//! columns so that JS may go on using its arrays while the pool works).

use std::sync::Arc;

use chrono::NaiveDate;
use ichigen::interop;
use ichigen::shipdate::batch::{self, Columns, Output, STATUS_NAMES};
use napi::bindgen_prelude::{
    AsyncTask, BigInt64ArraySlice, Float64ArraySlice, FromNapiValue, Int32Array, Int32ArraySlice,
    JsObjectValue, Object, Uint8Array, Uint8ArraySlice, Uint32ArraySlice, Unknown,
    ValidateNapiValue,
};
use napi::{Env, ScopedTask};
use napi_derive::napi;
use serde_json::Value;

use crate::convert::{
    clock_arg, json_arg, keys_of, object_arg, property, text_arg, today_arg, value_arg,
};
use crate::errors::{CoreResultExt, input, to_js};

/// The prefecture code (JIS X 0401, 1 北海道 … 47 沖縄県) of a code (`"13"`), a
/// name (`"東京都"`, `"東京"`) or romaji (`"Tokyo"`); `null` when none matches. For
/// filling a batch's `destination` column.
#[napi(ts_args_type = "text: string")]
pub fn prefecture_code(env: Env, text: Unknown<'_>) -> napi::Result<Option<u32>> {
    text_arg(text, "text")
        .map(|t| ichigen::shipdate::prefecture::find(&t).map(|p| u32::from(p.code)))
        .or_throw(&env)
}

/// The date columns' mark for "no date" (`-2147483648`): in `designated` and in a
/// batch's output.
#[napi]
pub const NO_DATE: i32 = batch::NO_DATE;

/// The `transitDays` output's mark for "no transit days" (255).
#[napi]
pub const NO_TRANSIT_DAYS: u8 = u8::MAX;

/// A shop's shipping rules (締め時間, handling days, calendars, carriers, transit
/// table, remote islands), checked and built once. Immutable.
#[napi]
#[derive(Debug)]
pub struct ShippingPolicy {
    inner: ichigen::shipdate::ShippingPolicy,
}

#[napi]
impl ShippingPolicy {
    /// Builds a policy from its definition (an object or JSON text); throws
    /// `SHIPDATE_INVALID` with every issue (a calendar's issues keep their
    /// `CALENDAR_*` codes, at `$.calendars[0]...`).
    #[napi(
        constructor,
        ts_args_type = "definition: ShippingPolicyDefinition | string"
    )]
    pub fn new(env: Env, definition: Unknown<'_>) -> napi::Result<Self> {
        json_arg(definition, "policy")
            .and_then(interop::load_shipping_policy)
            .map(|inner| ShippingPolicy { inner })
            .or_throw(&env)
    }

    /// Plans one request: the ship date, delivery date and latest ship date, with
    /// the steps, the explanation (sentences) and the triage facts (`context`).
    /// Today is `now`'s date in the request's zone; `now` defaults to the system
    /// clock.
    #[napi(
        ts_args_type = "request: PlanRequest | string, now?: Now",
        ts_return_type = "ShipPlan"
    )]
    pub fn plan(
        &self,
        env: Env,
        request: Unknown<'_>,
        now: Option<Unknown<'_>>,
    ) -> napi::Result<Value> {
        let run = || {
            let request = json_arg(request, "request")?;
            let clock = clock_arg(now)?;
            interop::plan_ship_date(&self.inner, request, &clock)
        };
        run().or_throw(&env)
    }

    /// Plans an order (its farthest recipient, its coldest line, its slowest SKU);
    /// the same output as `plan`. Today is `now`'s date in the order's zone.
    #[napi(
        ts_args_type = "order: OrderInput, now?: Now",
        ts_return_type = "ShipPlan"
    )]
    pub fn plan_order(
        &self,
        env: Env,
        order: Unknown<'_>,
        now: Option<Unknown<'_>>,
    ) -> napi::Result<Value> {
        let run = || {
            let order = json_arg(order, "order")?;
            let clock = clock_arg(now)?;
            interop::plan_order_ship_date(&self.inner, order, &clock)
        };
        run().or_throw(&env)
    }
}

/// The output of `BatchPlanner.plan`: one entry per row in each column.
#[napi(object)]
pub struct BatchPlan {
    /// Status code per row, an index into `statusNames` (0 `ok`, 1
    /// `awaiting_ship_date`, 2 `designated_infeasible`, 3 `transit_missing`, 4
    /// `out_of_range`, 5 `bad_input`).
    pub status: Uint8Array,
    /// Planned ship date, days since 1970-01-01, or `NO_DATE`.
    pub ship_date: Int32Array,
    /// Expected delivery date (the earliest possible one when the designated date is
    /// infeasible), days since 1970-01-01, or `NO_DATE`.
    pub delivery_date: Int32Array,
    /// Latest ship date meeting the designated date, or `NO_DATE`.
    pub latest_ship_date: Int32Array,
    /// Transit days, or `NO_TRANSIT_DAYS` (255).
    pub transit_days: Uint8Array,
    /// The names of the status codes, by code.
    pub status_names: Vec<String>,
}

impl std::fmt::Debug for BatchPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchPlan")
            .field("rows", &self.status.len())
            .finish_non_exhaustive()
    }
}

impl From<Output> for BatchPlan {
    fn from(out: Output) -> BatchPlan {
        BatchPlan {
            status: Uint8Array::new(out.status),
            ship_date: Int32Array::new(out.ship_date),
            delivery_date: Int32Array::new(out.delivery_date),
            latest_ship_date: Int32Array::new(out.latest_ship_date),
            transit_days: Uint8Array::new(out.transit_days),
            status_names: STATUS_NAMES.iter().map(|s| (*s).to_owned()).collect(),
        }
    }
}

/// The column names a `columns` argument may hold.
const COLUMN_KEYS: [&str; 7] = [
    "orderedAt",
    "destination",
    "policy",
    "carrier",
    "service",
    "handlingDays",
    "designated",
];

/// `orderedAt` as given: seconds (`BigInt64Array`) or milliseconds (`Float64Array`).
enum Instants<'env> {
    Seconds(BigInt64ArraySlice<'env>),
    Millis(Float64ArraySlice<'env>),
}

/// The columns, read in place from the typed arrays.
struct JsColumns<'env> {
    ordered_at: Instants<'env>,
    destination: Uint8ArraySlice<'env>,
    policy: Option<Uint32ArraySlice<'env>>,
    carrier: Option<Uint32ArraySlice<'env>>,
    service: Option<Uint8ArraySlice<'env>>,
    handling_days: Option<Uint32ArraySlice<'env>>,
    designated: Option<Int32ArraySlice<'env>>,
}

/// The columns copied out of JS, for the thread pool.
#[derive(Debug)]
struct OwnedColumns {
    ordered_at: Vec<i64>,
    destination: Vec<u8>,
    policy: Option<Vec<u32>>,
    carrier: Option<Vec<u32>>,
    service: Option<Vec<u8>>,
    handling_days: Option<Vec<u32>>,
    designated: Option<Vec<i32>>,
}

impl OwnedColumns {
    fn columns(&self) -> Columns<'_> {
        Columns {
            ordered_at: &self.ordered_at,
            policy: self.policy.as_deref(),
            destination: &self.destination,
            carrier: self.carrier.as_deref(),
            service: self.service.as_deref(),
            handling_days: self.handling_days.as_deref(),
            designated: self.designated.as_deref(),
        }
    }
}

/// The largest magnitude of a valid JS `Date` value, in milliseconds.
const MAX_DATE_MS: f64 = 8.64e15;

/// Milliseconds since the epoch (a JS `Date` value) as whole seconds, rounding
/// down; `i` names the row for an error.
fn millis_to_seconds(millis: &[f64]) -> Result<Vec<i64>, ichigen::Error> {
    millis
        .iter()
        .enumerate()
        .map(|(i, &ms)| {
            if ms.is_finite() && ms.abs() <= MAX_DATE_MS {
                // Exact: a whole double within ±8.64e15 converts without loss.
                Ok((ms.floor() as i64).div_euclid(1000))
            } else {
                Err(input(
                    "INPUT_BAD_DATE",
                    &format!("$.columns.orderedAt[{i}]"),
                    "expected milliseconds since the epoch of a valid Date",
                ))
            }
        })
        .collect()
}

impl JsColumns<'_> {
    /// Hands the columns to `f` as the core's `Columns`, converting milliseconds to
    /// seconds on the way (the only column that is not passed through as it is).
    fn with<R>(&self, f: impl FnOnce(&Columns<'_>) -> R) -> Result<R, ichigen::Error> {
        let converted;
        let ordered_at: &[i64] = match &self.ordered_at {
            Instants::Seconds(s) => s,
            Instants::Millis(ms) => {
                converted = millis_to_seconds(ms)?;
                &converted
            }
        };
        Ok(f(&Columns {
            ordered_at,
            policy: self.policy.as_deref(),
            destination: &self.destination,
            carrier: self.carrier.as_deref(),
            service: self.service.as_deref(),
            handling_days: self.handling_days.as_deref(),
            designated: self.designated.as_deref(),
        }))
    }

    fn to_owned_columns(&self) -> Result<OwnedColumns, ichigen::Error> {
        Ok(OwnedColumns {
            ordered_at: match &self.ordered_at {
                Instants::Seconds(s) => s.to_vec(),
                Instants::Millis(ms) => millis_to_seconds(ms)?,
            },
            destination: self.destination.to_vec(),
            policy: self.policy.as_deref().map(<[u32]>::to_vec),
            carrier: self.carrier.as_deref().map(<[u32]>::to_vec),
            service: self.service.as_deref().map(<[u8]>::to_vec),
            handling_days: self.handling_days.as_deref().map(<[u32]>::to_vec),
            designated: self.designated.as_deref().map(<[i32]>::to_vec),
        })
    }
}

/// One typed-array column: `None` when absent, `undefined` or `null`; a value of
/// another kind is `INPUT_WRONG_TYPE` saying which array is expected.
fn column<'env, T>(
    object: &Object<'env>,
    key: &str,
    expected: &str,
) -> Result<Option<T>, ichigen::Error>
where
    T: FromNapiValue + ValidateNapiValue,
{
    let path = format!("$.columns.{key}");
    if property(object, key, &path)?.is_none() {
        return Ok(None);
    }
    object
        .get_named_property::<T>(key)
        .map(Some)
        .map_err(|_| input("INPUT_WRONG_TYPE", &path, &format!("expected {expected}")))
}

fn missing(key: &str) -> ichigen::Error {
    input(
        "INPUT_MISSING_FIELD",
        &format!("$.columns.{key}"),
        &format!("missing column `{key}`"),
    )
}

fn required<T>(column: Option<T>, key: &str) -> Result<T, ichigen::Error> {
    column.ok_or_else(|| missing(key))
}

/// Reads the `columns` argument.
fn columns_arg<'env>(columns: &Unknown<'env>) -> Result<JsColumns<'env>, ichigen::Error> {
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
    let path = "$.columns.orderedAt";
    if property(&object, "orderedAt", path)?.is_none() {
        return Err(missing("orderedAt"));
    }
    let ordered_at = match object.get_named_property::<BigInt64ArraySlice<'env>>("orderedAt") {
        Ok(seconds) => Instants::Seconds(seconds),
        Err(_) => match object.get_named_property::<Float64ArraySlice<'env>>("orderedAt") {
            Ok(millis) => Instants::Millis(millis),
            Err(_) => {
                return Err(input(
                    "INPUT_WRONG_TYPE",
                    path,
                    "expected a BigInt64Array (seconds) or a Float64Array (milliseconds)",
                ));
            }
        },
    };
    Ok(JsColumns {
        ordered_at,
        destination: required(
            column(&object, "destination", "a Uint8Array of prefecture codes")?,
            "destination",
        )?,
        policy: column(&object, "policy", "a Uint32Array")?,
        carrier: column(&object, "carrier", "a Uint32Array")?,
        service: column(&object, "service", "a Uint8Array")?,
        handling_days: column(&object, "handlingDays", "a Uint32Array")?,
        designated: column(&object, "designated", "an Int32Array")?,
    })
}

/// Plans ship dates for many rows at once, from columns of typed arrays. The
/// policies are prepared once; a row picks its policy and carrier by index.
/// Immutable; `planAsync` shares it with the thread pool.
#[napi]
#[derive(Debug)]
pub struct BatchPlanner {
    inner: Arc<batch::BatchPlanner>,
}

#[napi]
impl BatchPlanner {
    /// Prepares the planner: `policies` an array of policy definitions (or JSON
    /// text; a row's `policy` indexes it), `carriers` the carrier codes a row's
    /// `carrier` indexes (default: each policy's default carrier), `zone` the shops'
    /// zone for reading the instants (default `Asia/Tokyo`).
    #[napi(
        constructor,
        ts_args_type = "policies: ShippingPolicyDefinition[] | string, carriers?: string[] | null, zone?: string | null"
    )]
    pub fn new(
        env: Env,
        policies: Unknown<'_>,
        carriers: Option<Unknown<'_>>,
        zone: Option<Unknown<'_>>,
    ) -> napi::Result<Self> {
        let run = || {
            let policies = json_arg(policies, "policies")?;
            let carriers = value_arg(carriers, "carriers")?;
            let zone = value_arg(zone, "zone")?;
            interop::batch_planner(policies, carriers, zone)
        };
        run()
            .map(|p| BatchPlanner { inner: Arc::new(p) })
            .or_throw(&env)
    }

    /// The zone instants are read in (an IANA name such as `Asia/Tokyo`).
    #[napi(getter)]
    pub fn zone(&self) -> String {
        self.inner.zone().to_string()
    }

    /// Plans every row. `today` (a `YYYY-MM-DD` string, or a `Date` whose date in
    /// the planner's zone is taken; default: the system clock's) decides whether a
    /// designated date makes a row wait. A column of the wrong length throws
    /// `SHIPDATE_BAD_COLUMNS` naming it; a bad value only marks its row `bad_input`.
    #[napi(
        ts_args_type = "columns: BatchColumns, today?: string | Date | null",
        ts_return_type = "BatchPlan"
    )]
    pub fn plan(
        &self,
        env: Env,
        columns: Unknown<'_>,
        today: Option<Unknown<'_>>,
    ) -> napi::Result<BatchPlan> {
        let run = || {
            let columns = columns_arg(&columns)?;
            let today = self.today(today)?;
            columns.with(|c| self.inner.plan_on_threads(c, today, cores()))?
        };
        run().map(BatchPlan::from).or_throw(&env)
    }

    /// `plan` on the libuv thread pool: the columns are copied on the calling
    /// thread, planned on the pool; a Promise of the same output, rejected (never
    /// thrown) with the same errors.
    #[napi(
        ts_args_type = "columns: BatchColumns, today?: string | Date | null",
        ts_return_type = "Promise<BatchPlan>"
    )]
    pub fn plan_async(
        &self,
        columns: Unknown<'_>,
        today: Option<Unknown<'_>>,
    ) -> AsyncTask<PlanTask> {
        let args = columns_arg(&columns)
            .and_then(|c| c.to_owned_columns())
            .and_then(|c| Ok((c, self.today(today)?)));
        AsyncTask::new(PlanTask {
            planner: Arc::clone(&self.inner),
            args: Some(args),
        })
    }
}

impl BatchPlanner {
    /// `today` as days since the epoch.
    fn today(&self, today: Option<Unknown<'_>>) -> Result<i32, ichigen::Error> {
        let zone = self.inner.zone();
        let date: NaiveDate = today_arg(today, |clock| clock.today_in(zone))?;
        Ok(batch::epoch_days(date))
    }
}

/// The threads a batch is split over: the machine's cores.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// The work of `planAsync`.
#[derive(Debug)]
pub struct PlanTask {
    planner: Arc<batch::BatchPlanner>,
    /// A conversion error is kept and becomes the rejection: the call never throws.
    args: Option<Result<(OwnedColumns, i32), ichigen::Error>>,
}

impl<'task> ScopedTask<'task> for PlanTask {
    type Output = Result<Output, ichigen::Error>;
    type JsValue = BatchPlan;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(match self.args.take() {
            Some(Ok((columns, today))) => {
                self.planner
                    .plan_on_threads(&columns.columns(), today, cores())
            }
            Some(Err(e)) => Err(e),
            None => Err(input("INPUT_WRONG_TYPE", "$", "the task has already run")),
        })
    }

    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> napi::Result<BatchPlan> {
        output.map(BatchPlan::from).map_err(|e| to_js(env, &e))
    }
}
