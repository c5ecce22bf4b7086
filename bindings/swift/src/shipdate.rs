//! Ship dates: `ShippingPolicy` (one request or order at a time, with the
//! explanation), `BatchPlanner` (many rows as columns) and `prefectureCode`.
//!
//! A plan crosses as a record of its dates (`YYYY-MM-DD` strings), its status and
//! its explanation, with the whole plan (steps included) as JSON text. A batch
//! crosses as a record of arrays, one per column, and comes back the same way; dates
//! in columns are days since 1970-01-01 (`Int32.min` for none), as in the core.
//!
//! Doc comments on exported items become the Swift documentation, so the Rust
//! examples live here:
//!
//! ```
//! use ichigen_ffi::{BatchColumns, BatchPlanner, PlanStatus, ShippingPolicy, prefecture_code};
//!
//! let policy = ShippingPolicy::from_json(r#"{"origin": "東京都", "cutoff": "12:00"}"#.to_owned())?;
//! let request = r#"{"ordered_at": "2026-12-25T04:30:00Z", "destination": "大阪府"}"#;
//! let plan = policy.plan(request.to_owned(), None)?;
//! assert_eq!(plan.status, PlanStatus::Ok);
//! assert_eq!(plan.ship_date, "2026-12-29");
//!
//! let planner = BatchPlanner::new(r#"[{"origin": "東京都"}]"#.to_owned(), None, None)?;
//! let out = planner.plan(
//!     BatchColumns {
//!         ordered_at: vec![1_798_173_000],
//!         destination: vec![prefecture_code("大阪府".to_owned()).unwrap()],
//!         policy: None,
//!         carrier: None,
//!         service: None,
//!         handling_days: None,
//!         designated: None,
//!     },
//!     Some("2026-12-25".to_owned()),
//! )?;
//! assert_eq!(out.status_names[usize::from(out.status[0])], "ok");
//! assert_eq!(out.ship_date[0], 20_816); // 2026-12-29
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::Arc;
use std::time::SystemTime;

use ichigen::SystemClock;
use ichigen::clock::Clock;
use ichigen::interop;
use ichigen::shipdate::batch::{self, Columns, STATUS_NAMES};
use serde::Deserialize;
use serde_json::Value;

use crate::{IchigenError, Issue, clock_at, date_arg, json_arg, json_text, read_output};

/// The prefecture code (JIS X 0401: 1 北海道 … 47 沖縄県) of a code (`"13"`), a
/// name (`"東京都"`, `"東京"`) or romaji (`"Tokyo"`); `nil` when none matches. For
/// filling a batch's `destination` column.
#[uniffi::export]
pub fn prefecture_code(text: String) -> Option<u8> {
    ichigen::shipdate::prefecture::find(&text).map(|p| p.code)
}

/// The verdict of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PlanStatus {
    /// Ship on the ship date.
    Ok,
    /// A designated date lets the order wait: its ship date is after today (印刷日待ち).
    AwaitingShipDate,
    /// The designated date cannot be met; see the earliest delivery date.
    DesignatedInfeasible,
    /// The transit table has no entry for the route: no delivery date.
    TransitMissing,
}

impl From<ichigen::shipdate::PlanStatus> for PlanStatus {
    fn from(status: ichigen::shipdate::PlanStatus) -> PlanStatus {
        // Exhaustive on purpose: a new core status must be added here too.
        match status {
            ichigen::shipdate::PlanStatus::Ok => PlanStatus::Ok,
            ichigen::shipdate::PlanStatus::AwaitingShipDate => PlanStatus::AwaitingShipDate,
            ichigen::shipdate::PlanStatus::DesignatedInfeasible => PlanStatus::DesignatedInfeasible,
            ichigen::shipdate::PlanStatus::TransitMissing => PlanStatus::TransitMissing,
        }
    }
}

/// The plan for one request or order. Dates are `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ShipDatePlan {
    /// The verdict.
    pub status: PlanStatus,
    /// The first working day.
    pub start_date: String,
    /// The earliest possible ship date.
    pub earliest_ship_date: String,
    /// The planned ship date: the latest ship date for a feasible designated date,
    /// else the earliest.
    pub ship_date: String,
    /// The expected delivery date; absent when transit is missing.
    pub delivery_date: Option<String>,
    /// Transit days, remote-island days included; absent when missing.
    pub transit_days: Option<u32>,
    /// The designated delivery date (お届け希望日), if any.
    pub designated_date: Option<String>,
    /// The latest ship date that meets the designated date.
    pub latest_ship_date: Option<String>,
    /// The earliest possible delivery date, when the designated date is infeasible.
    pub earliest_delivery_date: Option<String>,
    /// Problems that left a result out (`SHIPDATE_TRANSIT_MISSING`).
    pub problems: Vec<Issue>,
    /// How the dates came about, as sentences.
    pub explanation: Vec<String>,
    /// The triage facts the plan establishes (`transit_days`,
    /// `designated_date_infeasible`, `awaiting_ship_date`) as a JSON object, to merge
    /// into a triage context.
    pub context_json: String,
    /// The whole plan as JSON text, the steps included.
    pub plan_json: String,
}

/// Reads the core's plan JSON into the record.
fn ship_date_plan(plan: Value) -> Result<ShipDatePlan, IchigenError> {
    #[derive(Deserialize)]
    struct Plan {
        status: ichigen::shipdate::PlanStatus,
        start_date: String,
        earliest_ship_date: String,
        ship_date: String,
        delivery_date: Option<String>,
        transit_days: Option<u32>,
        designated_date: Option<String>,
        latest_ship_date: Option<String>,
        earliest_delivery_date: Option<String>,
        problems: Vec<ichigen::Issue>,
        explanation: Vec<String>,
        context: Value,
    }
    let plan_json = json_text(&plan);
    let p: Plan = read_output(plan, "ship-date plan")?;
    Ok(ShipDatePlan {
        status: p.status.into(),
        start_date: p.start_date,
        earliest_ship_date: p.earliest_ship_date,
        ship_date: p.ship_date,
        delivery_date: p.delivery_date,
        transit_days: p.transit_days,
        designated_date: p.designated_date,
        latest_ship_date: p.latest_ship_date,
        earliest_delivery_date: p.earliest_delivery_date,
        problems: p.problems.iter().map(Issue::from).collect(),
        explanation: p.explanation,
        context_json: json_text(&p.context),
        plan_json,
    })
}

/// A shop's shipping rules (締め時間, handling days, calendars, carriers, transit
/// table, remote islands), checked and built once. Immutable and shareable across
/// threads.
#[derive(Debug, uniffi::Object)]
pub struct ShippingPolicy {
    inner: ichigen::shipdate::ShippingPolicy,
}

#[uniffi::export]
impl ShippingPolicy {
    /// Builds a policy from its definition (JSON text); throws `InvalidShipping`
    /// with every problem (a calendar's problems keep their `CALENDAR_*` codes).
    #[uniffi::constructor]
    pub fn from_json(text: String) -> Result<Arc<ShippingPolicy>, IchigenError> {
        let definition = json_arg(&text, "policy")?;
        Ok(Arc::new(ShippingPolicy {
            inner: interop::load_shipping_policy(definition)?,
        }))
    }

    /// Plans one request (JSON text such as `{"ordered_at": "2026-12-25T04:30:00Z",
    /// "destination": "大阪府", "designated_date": "2027-01-10"}`). Today is `now`'s
    /// date in the request's zone; absent, the system clock.
    #[uniffi::method(default(now = None))]
    pub fn plan(
        &self,
        request_json: String,
        now: Option<SystemTime>,
    ) -> Result<ShipDatePlan, IchigenError> {
        let request = json_arg(&request_json, "request")?;
        ship_date_plan(interop::plan_ship_date(
            &self.inner,
            request,
            &*clock_at(now),
        )?)
    }

    /// Plans an order (JSON text): its farthest recipient, its coldest line, its
    /// slowest SKU. Today is `now`'s date in the order's zone; absent, the system
    /// clock.
    #[uniffi::method(default(now = None))]
    pub fn plan_order(
        &self,
        order_json: String,
        now: Option<SystemTime>,
    ) -> Result<ShipDatePlan, IchigenError> {
        let order = json_arg(&order_json, "order")?;
        ship_date_plan(interop::plan_order_ship_date(
            &self.inner,
            order,
            &*clock_at(now),
        )?)
    }
}

/// The rows of a batch, one array per column, all as long as `orderedAt`. An
/// optional column that is absent takes its default for every row.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct BatchColumns {
    /// Order instants, seconds since 1970-01-01T00:00:00Z.
    pub ordered_at: Vec<i64>,
    /// Destination prefecture codes 1–47 (`prefectureCode` maps names to codes).
    pub destination: Vec<u8>,
    /// Policy index per row (default 0).
    #[uniffi(default = None)]
    pub policy: Option<Vec<u32>>,
    /// Carrier index per row, into the planner's carriers (default 0).
    #[uniffi(default = None)]
    pub carrier: Option<Vec<u32>>,
    /// Service per row: 0 ambient, 1 chilled, 2 frozen (default ambient).
    #[uniffi(default = None)]
    pub service: Option<Vec<u8>>,
    /// Handling days per row (default: the row's policy's).
    #[uniffi(default = None)]
    pub handling_days: Option<Vec<u32>>,
    /// Designated delivery date per row, days since 1970-01-01, or `Int32.min` for
    /// none.
    #[uniffi(default = None)]
    pub designated: Option<Vec<i32>>,
}

/// The output of a batch, one entry per row in each column.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct BatchPlan {
    /// Status code per row, an index into `statusNames` (0 `ok`, 1
    /// `awaiting_ship_date`, 2 `designated_infeasible`, 3 `transit_missing`, 4
    /// `out_of_range`, 5 `bad_input`).
    pub status: Vec<u8>,
    /// Planned ship date, days since 1970-01-01, or `Int32.min`.
    pub ship_date: Vec<i32>,
    /// Expected delivery date (the earliest possible one when the designated date is
    /// infeasible), or `Int32.min`.
    pub delivery_date: Vec<i32>,
    /// Latest ship date meeting the designated date, or `Int32.min`.
    pub latest_ship_date: Vec<i32>,
    /// Transit days, or 255 when missing.
    pub transit_days: Vec<u8>,
    /// The names of the status codes, by code.
    pub status_names: Vec<String>,
}

/// Plans ship dates for many rows at once. The policies are prepared once; a row
/// picks its policy and carrier by index. Immutable and shareable across threads:
/// call `plan` from a background task for a big batch.
#[derive(Debug, uniffi::Object)]
pub struct BatchPlanner {
    inner: batch::BatchPlanner,
}

#[uniffi::export]
impl BatchPlanner {
    /// Prepares the planner: `policiesJson` a JSON array of policy definitions (a
    /// row's `policy` indexes it), `carriers` the carrier codes a row's `carrier`
    /// indexes (absent: each policy's default carrier), `zone` the shops' IANA zone
    /// for reading the instants (absent: `Asia/Tokyo`).
    #[uniffi::constructor(default(carriers = None, zone = None))]
    pub fn new(
        policies_json: String,
        carriers: Option<Vec<String>>,
        zone: Option<String>,
    ) -> Result<Arc<BatchPlanner>, IchigenError> {
        let policies = json_arg(&policies_json, "policies")?;
        let carriers = carriers.map_or(Value::Null, |c| c.into_iter().map(Value::String).collect());
        let zone = zone.map_or(Value::Null, Value::String);
        Ok(Arc::new(BatchPlanner {
            inner: interop::batch_planner(policies, carriers, zone)?,
        }))
    }

    /// The zone instants are read in (an IANA name such as `Asia/Tokyo`).
    pub fn zone(&self) -> String {
        self.inner.zone().to_string()
    }

    /// Plans every row. `today` (`YYYY-MM-DD`; absent: the system clock's date in
    /// the planner's zone) decides whether a designated date makes a row wait. A
    /// column of another length throws `InvalidInput` (`SHIPDATE_BAD_COLUMNS`, its
    /// path naming the column); a value the core cannot use (prefecture 0, a policy
    /// index out of range) only marks its row `bad_input`.
    #[uniffi::method(default(today = None))]
    pub fn plan(
        &self,
        columns: BatchColumns,
        today: Option<String>,
    ) -> Result<BatchPlan, IchigenError> {
        let today = match today {
            Some(text) => batch::epoch_days(date_arg(&text, "today")?),
            None => batch::epoch_days(SystemClock.today_in(self.inner.zone())),
        };
        let cols = Columns {
            ordered_at: &columns.ordered_at,
            policy: columns.policy.as_deref(),
            destination: &columns.destination,
            carrier: columns.carrier.as_deref(),
            service: columns.service.as_deref(),
            handling_days: columns.handling_days.as_deref(),
            designated: columns.designated.as_deref(),
        };
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let out = self.inner.plan_on_threads(&cols, today, cores)?;
        Ok(BatchPlan {
            status: out.status,
            ship_date: out.ship_date,
            delivery_date: out.delivery_date,
            latest_ship_date: out.latest_ship_date,
            transit_days: out.transit_days,
            status_names: STATUS_NAMES.iter().map(|s| (*s).to_owned()).collect(),
        })
    }
}
