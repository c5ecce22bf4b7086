//! Ship dates (出荷予定日) and delivery dates, with their explanations (DOMAIN §3).
//!
//! A [`ShippingPolicy`] holds the shop's rules: where it ships from, the cut-off
//! time (締め時間), handling days (出荷作業日数) by SKU, its shipping calendar (store ∪
//! warehouse), the carriers' calendars, the transit table and the remote-island list.
//! [`ShippingPolicy::plan`] answers one [`PlanRequest`]; [`ShippingPolicy::plan_order`]
//! builds the request from an order. [`batch`] plans millions of rows from columns.
//!
//! The rules, in order:
//! 1. The order instant is read in the shop's zone. At or after the cut-off, or on a
//!    closed day of the shipping calendar, work starts on the next business day;
//!    otherwise on the order day.
//! 2. Ship date = start + handling business days (0 = same day); the largest handling
//!    of the order's SKUs wins. A pre-order line ships on its release date at the
//!    earliest (rolled forward to a business day).
//! 3. Delivery date = ship date + transit days on the carrier's calendar; a remote
//!    island adds its extra days. No transit entry: reported, no delivery date.
//! 4. A designated delivery date: latest ship date = designated date − transit days
//!    (carrier calendar), rolled back to a business day; the carrier holds the parcel
//!    and delivers on the designated date. Earlier than the earliest ship date:
//!    infeasible, with the earliest possible delivery date. Later than both today and
//!    the earliest ship date: the order waits for its ship date (印刷日待ち).
//!
//! ```
//! use chrono::NaiveDate;
//! use ichigen_core::shipdate::{PlanRequest, PlanStatus, PolicyDef, ShippingPolicy};
//!
//! let policy = ShippingPolicy::build(&serde_json::from_str::<PolicyDef>(
//!     r#"{"origin": "東京都", "cutoff": "12:00", "handling_days": 1}"#,
//! )?)?;
//! let request: PlanRequest = serde_json::from_str(
//!     r#"{"ordered_at": "2026-12-25T04:30:00Z", "destination": "大阪府"}"#,
//! )?;
//! let today = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
//! let plan = policy.plan(&request, today)?;
//! // 13:30 JST on Friday is after the cut-off: work starts Monday 12/28, ships 12/29.
//! assert_eq!(plan.ship_date.to_string(), "2026-12-29");
//! assert_eq!(plan.delivery_date.unwrap().to_string(), "2026-12-30");
//! assert_eq!(plan.status, PlanStatus::Ok);
//! assert!(plan.explanation().iter().any(|line| line.contains("after the cut-off")));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod batch;
pub mod prefecture;
pub mod transit;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::calendar::{BusinessCalendar, CalendarDef, CalendarError};
use crate::error::Issue;
use crate::order::{Order, TemperatureZone};
use crate::rules::TriageContext;
use transit::{RemoteIslands, TransitBasis, TransitTable};

/// Where transit days come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TransitSource {
    /// The built-in region estimate ([`TransitTable::japan_estimate`]).
    #[default]
    JapanEstimate,
    /// A carrier's table as CSV text (format in [`transit`]).
    Csv(String),
}

/// Where remote-island extra days come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum IslandSource {
    /// No list: no extra days.
    #[default]
    None,
    /// The small example list shipped with ichigen.
    Example,
    /// A list as CSV text (`postal_prefix,extra_days,note`).
    Csv(String),
}

fn default_cutoff() -> String {
    "12:00".to_owned()
}

fn default_handling() -> u32 {
    1
}

/// The most handling days a policy accepts.
pub const MAX_HANDLING_DAYS: u32 = 365;

/// A shop's shipping rules as data (JSON/TOML). Omitted fields take the DOMAIN §3
/// defaults: cut-off 12:00, 1 handling day, a calendar closed on Saturday, Sunday and
/// Japanese holidays, carriers delivering every day, the region estimate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyDef {
    /// The prefecture shipments leave from (code, name or romaji).
    pub origin: String,
    /// Cut-off time in the shop's zone, `HH:MM`.
    #[serde(default = "default_cutoff")]
    pub cutoff: String,
    /// The shop's zone when a request does not carry one (default Asia/Tokyo).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<Tz>,
    /// Handling days for SKUs not listed.
    #[serde(default = "default_handling")]
    pub handling_days: u32,
    /// Handling days per SKU.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sku_handling_days: BTreeMap<String, u32>,
    /// The shipping calendars (a store and its warehouse): a day ships only when all
    /// are open. Default: one calendar closed on Saturday, Sunday and holidays.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calendars: Vec<CalendarDef>,
    /// Carriers' delivery calendars, each named by its carrier code. A carrier
    /// without one delivers every day.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub carrier_calendars: Vec<CalendarDef>,
    /// The carrier used when a request names none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_carrier: Option<String>,
    /// Transit days.
    #[serde(default)]
    pub transit: TransitSource,
    /// Remote-island extra days.
    #[serde(default)]
    pub remote_islands: IslandSource,
}

/// A checked policy with its calendars built.
#[derive(Debug, Clone)]
pub struct ShippingPolicy {
    origin: u8,
    cutoff: NaiveTime,
    zone: Tz,
    handling_days: u32,
    sku_handling_days: BTreeMap<String, u32>,
    shipping: BusinessCalendar,
    carriers: BTreeMap<String, BusinessCalendar>,
    every_day: BusinessCalendar,
    default_carrier: String,
    transit: TransitTable,
    islands: RemoteIslands,
}

/// One request to plan: an order reduced to what the plan needs. Its Debug output
/// hides the postal code (part of an address).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanRequest {
    /// When the order was placed.
    pub ordered_at: DateTime<Utc>,
    /// The shop's zone (default: the policy's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<Tz>,
    /// Destination prefecture (code, name or romaji).
    pub destination: String,
    /// Destination postal code, for remote islands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Carrier code (default: the policy's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier: Option<String>,
    /// Temperature service.
    #[serde(default)]
    pub service: TemperatureZone,
    /// SKUs of the lines (their handling days; the largest wins).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skus: Vec<String>,
    /// Handling days, overriding the SKUs and the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handling_days: Option<u32>,
    /// The latest release date of pre-order lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_date: Option<NaiveDate>,
    /// Designated delivery date (お届け希望日).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub designated_date: Option<NaiveDate>,
}

impl std::fmt::Debug for PlanRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlanRequest")
            .field("ordered_at", &self.ordered_at)
            .field("zone", &self.zone)
            .field("destination", &self.destination)
            .field(
                "postal_code",
                &self.postal_code.as_ref().map(|_| "<redacted>"),
            )
            .field("carrier", &self.carrier)
            .field("service", &self.service)
            .field("skus", &self.skus)
            .field("handling_days", &self.handling_days)
            .field("release_date", &self.release_date)
            .field("designated_date", &self.designated_date)
            .finish()
    }
}

/// The verdict of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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

impl PlanStatus {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Ok => "ok",
            PlanStatus::AwaitingShipDate => "awaiting_ship_date",
            PlanStatus::DesignatedInfeasible => "designated_infeasible",
            PlanStatus::TransitMissing => "transit_missing",
        }
    }

    /// The compact code used by the batch API.
    pub fn code(self) -> u8 {
        match self {
            PlanStatus::Ok => 0,
            PlanStatus::AwaitingShipDate => 1,
            PlanStatus::DesignatedInfeasible => 2,
            PlanStatus::TransitMissing => 3,
        }
    }
}

/// One step of a plan's explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// The order instant in the shop's zone against the cut-off.
    Ordered {
        /// Local date.
        date: NaiveDate,
        /// Local time, `HH:MM:SS`.
        time: NaiveTime,
        /// The cut-off.
        cutoff: NaiveTime,
        /// Whether the order came at or after the cut-off.
        after_cutoff: bool,
    },
    /// A day passed over, with why.
    Skipped {
        /// The day.
        date: NaiveDate,
        /// What for: `start`, `handling`, `release`, `transit`, `latest_ship`.
        during: String,
        /// The calendar's reasons, as sentences.
        reasons: Vec<String>,
    },
    /// Work starts.
    Start {
        /// The first working day.
        date: NaiveDate,
    },
    /// Handling days added.
    Handling {
        /// Days.
        days: u32,
        /// The SKU that set them, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sku: Option<String>,
        /// The resulting date.
        date: NaiveDate,
    },
    /// A pre-order release date pushed the ship date.
    Release {
        /// The release date.
        release_date: NaiveDate,
        /// The ship date it gives.
        date: NaiveDate,
    },
    /// Transit looked up.
    Transit {
        /// Origin prefecture code.
        origin: u8,
        /// Destination prefecture code.
        destination: u8,
        /// Carrier.
        carrier: String,
        /// Service.
        service: TemperatureZone,
        /// Days from the table (without island days); `None` if missing.
        days: Option<u32>,
        /// Remote-island extra days.
        island_days: u32,
        /// Where the figure came from.
        basis: TransitBasis,
    },
    /// The delivery date.
    Delivery {
        /// The date.
        date: NaiveDate,
    },
    /// The latest ship date that meets the designated date.
    LatestShip {
        /// The designated date.
        designated_date: NaiveDate,
        /// The latest ship date.
        date: NaiveDate,
    },
    /// The designated date cannot be met.
    Infeasible {
        /// The designated date.
        designated_date: NaiveDate,
        /// The earliest possible delivery date.
        earliest_delivery_date: NaiveDate,
    },
    /// The order waits until its ship date.
    Awaiting {
        /// The ship date.
        until: NaiveDate,
    },
}

impl Step {
    /// A sentence for a person.
    pub fn describe(&self) -> String {
        match self {
            Step::Ordered {
                date,
                time,
                cutoff,
                after_cutoff,
            } => {
                let when = if *after_cutoff {
                    "at or after"
                } else {
                    "before"
                };
                format!(
                    "ordered {date} {} local, {when} the cut-off {}",
                    time.format("%H:%M"),
                    cutoff.format("%H:%M")
                )
            }
            Step::Skipped {
                date,
                during,
                reasons,
            } => format!("{date} skipped ({during}): {}", reasons.join("; ")),
            Step::Start { date } => format!("work starts {date}"),
            Step::Handling { days, sku, date } => match sku {
                Some(sku) => format!("{days} handling day(s) (SKU {sku}): ready {date}"),
                None => format!("{days} handling day(s): ready {date}"),
            },
            Step::Release { release_date, date } => {
                format!("pre-order released {release_date}: ships {date} at the earliest")
            }
            Step::Transit {
                origin,
                destination,
                carrier,
                service,
                days,
                island_days,
                basis,
            } => {
                let route = format!(
                    "{} → {} by {carrier} ({})",
                    prefecture::by_code(*origin).map_or("?", |p| p.name),
                    prefecture::by_code(*destination).map_or("?", |p| p.name),
                    match service {
                        TemperatureZone::Ambient => "ambient",
                        TemperatureZone::Chilled => "chilled",
                        TemperatureZone::Frozen => "frozen",
                    }
                );
                match days {
                    None => format!("{route}: no transit entry"),
                    Some(d) => {
                        let basis = match basis {
                            TransitBasis::Estimate => "region estimate",
                            TransitBasis::Table => "carrier table",
                        };
                        if *island_days > 0 {
                            format!(
                                "{route}: {d} day(s) + {island_days} remote-island day(s) ({basis})"
                            )
                        } else {
                            format!("{route}: {d} day(s) ({basis})")
                        }
                    }
                }
            }
            Step::Delivery { date } => format!("delivered {date}"),
            Step::LatestShip {
                designated_date,
                date,
            } => format!("to arrive {designated_date}, ship by {date}"),
            Step::Infeasible {
                designated_date,
                earliest_delivery_date,
            } => format!(
                "designated {designated_date} cannot be met; earliest delivery {earliest_delivery_date}"
            ),
            Step::Awaiting { until } => format!("waits for its ship date {until} (印刷日待ち)"),
        }
    }
}

/// The answer for one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipPlan {
    /// The verdict.
    pub status: PlanStatus,
    /// The first working day.
    pub start_date: NaiveDate,
    /// The earliest possible ship date.
    pub earliest_ship_date: NaiveDate,
    /// The planned ship date: the latest ship date for a feasible designated date,
    /// else the earliest.
    pub ship_date: NaiveDate,
    /// The expected delivery date (none when transit is missing).
    pub delivery_date: Option<NaiveDate>,
    /// Transit days including remote-island days.
    pub transit_days: Option<u32>,
    /// The designated delivery date.
    pub designated_date: Option<NaiveDate>,
    /// The latest ship date meeting the designated date.
    pub latest_ship_date: Option<NaiveDate>,
    /// The earliest possible delivery date (when the designated date is infeasible).
    pub earliest_delivery_date: Option<NaiveDate>,
    /// Problems that left a result out (`SHIPDATE_TRANSIT_MISSING`).
    pub problems: Vec<Issue>,
    /// How the dates came about.
    pub steps: Vec<Step>,
}

impl ShipPlan {
    /// The steps as sentences.
    pub fn explanation(&self) -> Vec<String> {
        self.steps.iter().map(Step::describe).collect()
    }

    /// The facts triage conditions read: designated date infeasible, transit days,
    /// awaiting the ship date. Facts the plan could not establish stay absent.
    pub fn triage_facts(&self, context: &mut TriageContext) {
        context.transit_days = self.transit_days;
        context.designated_date_infeasible = match self.status {
            PlanStatus::TransitMissing if self.designated_date.is_some() => None,
            _ => Some(self.status == PlanStatus::DesignatedInfeasible),
        };
        context.awaiting_ship_date = match self.status {
            PlanStatus::TransitMissing if self.designated_date.is_some() => None,
            _ => Some(self.status == PlanStatus::AwaitingShipDate),
        };
    }
}

fn parse_cutoff(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M:%S"))
        .ok()
}

fn nest(issues: Vec<Issue>, prefix: &str) -> impl Iterator<Item = Issue> + '_ {
    issues.into_iter().map(move |mut i| {
        i.path = format!("{prefix}{}", i.path.trim_start_matches('$'));
        i
    })
}

/// The coldest zone wins: a mixed order travels at the coldest service.
fn colder(a: TemperatureZone, b: TemperatureZone) -> TemperatureZone {
    a.max(b)
}

impl ShippingPolicy {
    /// Checks a definition and builds its calendars and tables; every problem is
    /// reported with its path (`$.calendars[0].closed[1].to`, `$.transit.csv:3:days`).
    pub fn build(def: &PolicyDef) -> Result<ShippingPolicy, crate::Error> {
        let mut issues = Vec::new();
        let origin = prefecture::find(&def.origin);
        if origin.is_none() {
            issues.push(Issue::new(
                "SHIPDATE_UNKNOWN_PREFECTURE",
                "$.origin",
                "expected a prefecture code, name or romaji",
            ));
        }
        let cutoff = parse_cutoff(&def.cutoff);
        if cutoff.is_none() {
            issues.push(Issue::new(
                "SHIPDATE_BAD_VALUE",
                "$.cutoff",
                "expected a time of day as HH:MM",
            ));
        }
        if def.handling_days > MAX_HANDLING_DAYS {
            issues.push(Issue::new(
                "SHIPDATE_BAD_VALUE",
                "$.handling_days",
                "expected at most 365 handling days",
            ));
        }
        for (sku, days) in &def.sku_handling_days {
            if *days > MAX_HANDLING_DAYS {
                let mut path = "$.sku_handling_days".to_owned();
                crate::error::push_key(&mut path, sku);
                issues.push(Issue::new(
                    "SHIPDATE_BAD_VALUE",
                    path,
                    "expected at most 365 handling days",
                ));
            }
        }
        let mut built = Vec::new();
        let defs = if def.calendars.is_empty() {
            vec![CalendarDef::japanese_weekdays("store")]
        } else {
            def.calendars.clone()
        };
        for (i, c) in defs.iter().enumerate() {
            match BusinessCalendar::build(c) {
                Ok(cal) => built.push(cal),
                Err(e) => issues.extend(nest(e.issues().to_vec(), &format!("$.calendars[{i}]"))),
            }
        }
        let mut carriers = BTreeMap::new();
        for (i, c) in def.carrier_calendars.iter().enumerate() {
            match BusinessCalendar::build(c) {
                Ok(cal) => {
                    if carriers.insert(c.name.clone(), cal).is_some() {
                        issues.push(Issue::new(
                            "SHIPDATE_DUPLICATE_CALENDAR",
                            format!("$.carrier_calendars[{i}].name"),
                            "a carrier has two calendars",
                        ));
                    }
                }
                Err(e) => issues.extend(nest(
                    e.issues().to_vec(),
                    &format!("$.carrier_calendars[{i}]"),
                )),
            }
        }
        let transit = match &def.transit {
            TransitSource::JapanEstimate => TransitTable::japan_estimate(),
            TransitSource::Csv(text) => {
                let (t, found) = TransitTable::from_csv(text, "$.transit.csv");
                issues.extend(found);
                t
            }
        };
        let islands = match &def.remote_islands {
            IslandSource::None => RemoteIslands::default(),
            IslandSource::Example => {
                RemoteIslands::from_csv(transit::REMOTE_ISLANDS_EXAMPLE_CSV, "example").0
            }
            IslandSource::Csv(text) => {
                let (t, found) = RemoteIslands::from_csv(text, "$.remote_islands.csv");
                issues.extend(found);
                t
            }
        };
        if let Some(carrier) = &def.default_carrier {
            if carrier.trim().is_empty() {
                issues.push(Issue::new(
                    "SHIPDATE_BAD_VALUE",
                    "$.default_carrier",
                    "expected a carrier code",
                ));
            }
        }
        let shipping = if built.len() == defs.len() && !built.is_empty() {
            let refs: Vec<&BusinessCalendar> = built.iter().collect();
            match BusinessCalendar::intersect(&refs) {
                Ok(c) => Some(c),
                Err(e) => {
                    issues.extend(nest(e.issues().to_vec(), "$.calendars"));
                    None
                }
            }
        } else {
            None
        };
        let every_day = BusinessCalendar::build(&CalendarDef::every_day("carrier"))?;
        match (issues.is_empty(), origin, cutoff, shipping) {
            (true, Some(origin), Some(cutoff), Some(shipping)) => Ok(ShippingPolicy {
                origin: origin.code,
                cutoff,
                zone: def.zone.unwrap_or(chrono_tz::Asia::Tokyo),
                handling_days: def.handling_days,
                sku_handling_days: def.sku_handling_days.clone(),
                shipping,
                carriers,
                every_day,
                default_carrier: def.default_carrier.clone().unwrap_or_else(|| "*".into()),
                transit,
                islands,
            }),
            _ => Err(crate::Error::InvalidShipping(issues)),
        }
    }

    /// Parses and builds a policy from a JSON value.
    pub fn from_value(value: serde_json::Value) -> Result<ShippingPolicy, crate::Error> {
        let def = serde_path_to_error::deserialize::<_, PolicyDef>(value).map_err(|e| {
            let path = crate::error::json_path("$", e.path());
            crate::Error::InvalidShipping(vec![crate::error::issue_from_serde(
                "SHIPDATE",
                &path,
                &e.inner().to_string(),
            )])
        })?;
        ShippingPolicy::build(&def)
    }

    /// The composed shipping calendar.
    pub fn shipping_calendar(&self) -> &BusinessCalendar {
        &self.shipping
    }

    /// The calendar of a carrier (every day when the policy has none for it).
    pub fn carrier_calendar(&self, carrier: &str) -> &BusinessCalendar {
        self.carriers.get(carrier).unwrap_or(&self.every_day)
    }

    /// The origin prefecture code.
    pub fn origin(&self) -> u8 {
        self.origin
    }

    /// The cut-off time.
    pub fn cutoff(&self) -> NaiveTime {
        self.cutoff
    }

    /// The policy's zone.
    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// The transit table.
    pub fn transit(&self) -> &TransitTable {
        &self.transit
    }

    /// The carrier used when none is named.
    pub fn default_carrier(&self) -> &str {
        &self.default_carrier
    }

    /// Handling days for a set of SKUs: the largest listed, else the default; with the
    /// SKU that set it.
    pub fn handling_for<'a>(
        &self,
        skus: impl IntoIterator<Item = &'a str>,
    ) -> (u32, Option<String>) {
        let mut best = (self.handling_days, None);
        for sku in skus {
            if let Some(&d) = self.sku_handling_days.get(sku) {
                if best.1.is_none() || d > best.0 {
                    best = (d, Some(sku.to_owned()));
                }
            }
        }
        best
    }

    /// Plans one request. `today` is the current date in the shop's zone (from the
    /// caller's clock); it decides whether a designated date makes the order wait.
    pub fn plan(&self, req: &PlanRequest, today: NaiveDate) -> Result<ShipPlan, crate::Error> {
        let Some(dest) = prefecture::find(&req.destination) else {
            return Err(crate::Error::InvalidInput(Issue::new(
                "SHIPDATE_UNKNOWN_PREFECTURE",
                "$.request.destination",
                "expected a prefecture code, name or romaji",
            )));
        };
        let (handling, sku) = match req.handling_days {
            Some(d) if d <= MAX_HANDLING_DAYS => (d, None),
            Some(_) => {
                return Err(crate::Error::InvalidInput(Issue::new(
                    "SHIPDATE_BAD_VALUE",
                    "$.request.handling_days",
                    "expected at most 365 handling days",
                )));
            }
            None => self.handling_for(req.skus.iter().map(String::as_str)),
        };
        let carrier = req.carrier.as_deref().unwrap_or(&self.default_carrier);
        let zone = req.zone.unwrap_or(self.zone);
        let local = req.ordered_at.with_timezone(&zone).naive_local();
        let (date, time) = (local.date(), local.time());
        let cal = &self.shipping;
        let mut steps = Vec::new();
        let after_cutoff = time >= self.cutoff;
        steps.push(Step::Ordered {
            date,
            time: NaiveTime::from_hms_opt(time.hour(), time.minute(), time.second())
                .unwrap_or(time),
            cutoff: self.cutoff,
            after_cutoff,
        });
        let start = if after_cutoff {
            cal.next_business_day(date)?
        } else {
            cal.on_or_after(date)?
        };
        let skip_from = if after_cutoff {
            date.succ_opt()
        } else {
            Some(date)
        };
        if let Some(from) = skip_from {
            skipped(cal, from, start, "start", &mut steps)?;
        }
        steps.push(Step::Start { date: start });
        let mut earliest = cal.add_business_days(start, i64::from(handling))?;
        if handling > 0 {
            if let Some(from) = start.succ_opt() {
                skipped(cal, from, earliest, "handling", &mut steps)?;
            }
        }
        steps.push(Step::Handling {
            days: handling,
            sku,
            date: earliest,
        });
        if let Some(release) = req.release_date {
            let from_release = cal.on_or_after(release)?;
            if from_release > earliest {
                skipped(cal, release, from_release, "release", &mut steps)?;
                earliest = from_release;
                steps.push(Step::Release {
                    release_date: release,
                    date: earliest,
                });
            }
        }
        // Transit.
        let table_days = self
            .transit
            .days(self.origin, dest.code, carrier, req.service)
            .map(u32::from);
        let island_days = req
            .postal_code
            .as_deref()
            .and_then(|p| self.islands.extra_days(p))
            .map_or(0, |(d, _)| u32::from(d));
        steps.push(Step::Transit {
            origin: self.origin,
            destination: dest.code,
            carrier: carrier.to_owned(),
            service: req.service,
            days: table_days,
            island_days,
            basis: if self.transit.is_estimate() {
                TransitBasis::Estimate
            } else {
                TransitBasis::Table
            },
        });
        let transit = table_days.map(|d| d + island_days);
        let carrier_cal = self.carrier_calendar(carrier);
        let mut plan = ShipPlan {
            status: PlanStatus::Ok,
            start_date: start,
            earliest_ship_date: earliest,
            ship_date: earliest,
            delivery_date: None,
            transit_days: transit,
            designated_date: req.designated_date,
            latest_ship_date: None,
            earliest_delivery_date: None,
            problems: Vec::new(),
            steps,
        };
        let Some(transit) = transit else {
            plan.status = PlanStatus::TransitMissing;
            plan.problems.push(Issue::new(
                "SHIPDATE_TRANSIT_MISSING",
                "$.request.destination",
                "the transit table has no entry for this origin, destination, carrier and service",
            ));
            return Ok(plan);
        };
        let deliver = |ship: NaiveDate, steps: &mut Vec<Step>| -> Result<NaiveDate, crate::Error> {
            let d = carrier_cal.add_business_days(ship, i64::from(transit))?;
            if let Some(from) = ship.succ_opt() {
                skipped(carrier_cal, from, d, "transit", steps)?;
            }
            Ok(d)
        };
        let earliest_delivery = deliver(earliest, &mut plan.steps)?;
        match req.designated_date {
            None => {
                plan.delivery_date = Some(earliest_delivery);
                plan.steps.push(Step::Delivery {
                    date: earliest_delivery,
                });
            }
            Some(designated) => {
                let raw = if transit == 0 {
                    designated
                } else {
                    carrier_cal.add_business_days(designated, -i64::from(transit))?
                };
                let latest = cal.on_or_before(raw)?;
                if latest < raw {
                    skipped(
                        cal,
                        latest.succ_opt().unwrap_or(latest),
                        raw.succ_opt().unwrap_or(raw),
                        "latest_ship",
                        &mut plan.steps,
                    )?;
                }
                plan.latest_ship_date = Some(latest);
                plan.steps.push(Step::LatestShip {
                    designated_date: designated,
                    date: latest,
                });
                if latest < earliest || designated < earliest_delivery {
                    plan.status = PlanStatus::DesignatedInfeasible;
                    plan.earliest_delivery_date = Some(earliest_delivery);
                    plan.delivery_date = Some(earliest_delivery);
                    plan.steps.push(Step::Infeasible {
                        designated_date: designated,
                        earliest_delivery_date: earliest_delivery,
                    });
                } else {
                    // The carrier holds a parcel with a designated date until that
                    // day, so it arrives on the designated date.
                    plan.ship_date = latest;
                    plan.delivery_date = Some(designated);
                    plan.steps.push(Step::Delivery { date: designated });
                    // Waiting means the order could ship earlier but is held for
                    // its designated date; a latest ship date equal to the earliest
                    // ships as soon as it can, like any order.
                    if latest > today && latest > earliest {
                        plan.status = PlanStatus::AwaitingShipDate;
                        plan.steps.push(Step::Awaiting { until: latest });
                    }
                }
            }
        }
        Ok(plan)
    }

    /// The request for an order: its zone and instant, the farthest recipient is
    /// chosen by [`ShippingPolicy::plan_order`]; the coldest line's service, every
    /// SKU, the latest release date and the designated date.
    pub fn requests_for(&self, order: &Order) -> Vec<PlanRequest> {
        let service = order
            .lines
            .iter()
            .map(|l| l.temperature)
            .fold(TemperatureZone::Ambient, colder);
        let skus: Vec<String> = order
            .lines
            .iter()
            .filter_map(|l| l.sku.as_ref().map(|s| s.as_str().to_owned()))
            .collect();
        let release = order.lines.iter().filter_map(|l| l.release_date).max();
        let parties: Vec<&crate::order::Party> = if order.recipients.is_empty() {
            vec![&order.buyer]
        } else {
            order.recipients.iter().collect()
        };
        parties
            .into_iter()
            .map(|p| PlanRequest {
                ordered_at: order.ordered_at,
                zone: Some(order.shop_zone),
                destination: p.prefecture.clone().unwrap_or_default(),
                postal_code: p.postal_code.clone(),
                carrier: order
                    .shipping
                    .carrier
                    .as_ref()
                    .map(|c| c.as_str().to_owned()),
                service,
                skus: skus.clone(),
                handling_days: None,
                release_date: release,
                designated_date: order.shipping.desired_date,
            })
            .collect()
    }

    /// Plans an order: one plan per recipient, and the one arriving last (the
    /// farthest recipient) is returned. `today` comes from the caller's clock.
    pub fn plan_order(&self, order: &Order, today: NaiveDate) -> Result<ShipPlan, crate::Error> {
        let mut best: Option<ShipPlan> = None;
        for (i, req) in self.requests_for(order).iter().enumerate() {
            let plan = self.plan(req, today).map_err(|e| match e {
                crate::Error::InvalidInput(mut issue) => {
                    issue.path = if order.recipients.is_empty() {
                        "$.order.buyer.prefecture".to_owned()
                    } else {
                        format!("$.order.recipients[{i}].prefecture")
                    };
                    crate::Error::InvalidInput(issue)
                }
                other => other,
            })?;
            let worse = match &best {
                None => true,
                Some(b) => rank(&plan) > rank(b),
            };
            if worse {
                best = Some(plan);
            }
        }
        best.ok_or_else(|| {
            crate::Error::InvalidInput(Issue::new(
                "SHIPDATE_NO_RECIPIENT",
                "$.order.recipients",
                "the order has no one to deliver to",
            ))
        })
    }
}

/// Orders plans by how late they arrive; a missing transit counts as latest, so
/// that it is reported.
fn rank(plan: &ShipPlan) -> (bool, Option<NaiveDate>, Option<u32>) {
    (
        plan.status == PlanStatus::TransitMissing,
        plan.delivery_date,
        plan.transit_days,
    )
}

/// Records every closed day in `[from, to)` with its reasons.
fn skipped(
    cal: &BusinessCalendar,
    from: NaiveDate,
    to: NaiveDate,
    during: &str,
    steps: &mut Vec<Step>,
) -> Result<(), CalendarError> {
    let mut d = from;
    while d < to {
        if !cal.is_business_day(d)? {
            steps.push(Step::Skipped {
                date: d,
                during: during.to_owned(),
                reasons: cal.reasons(d)?.iter().map(|r| r.describe()).collect(),
            });
        }
        let Some(next) = d.succ_opt() else { break };
        d = next;
    }
    Ok(())
}
