//! Ship-date batches for the `shipdate` bench and `measure shipdate`: five store
//! policies (from `benches/data/shipdate_policies.json`, which the numpy comparison
//! in `benches/compare/` reads too), deterministic rows, and the check of batch
//! rows against [`ShippingPolicy::plan`].
//!
//! ```
//! use ichigen_benches::shipdate::{Rows, Setup, check_rows, status_counts};
//! let setup = Setup::load()?;
//! let rows = Rows::generate(1, 2_000);
//! let planner = setup.planner()?;
//! let out = planner.plan(&rows.columns(), setup.today)?;
//! assert_eq!(status_counts(&out).iter().sum::<u64>(), 2_000);
//! assert_eq!(check_rows(&setup, &rows, &out, 1).mismatches, 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::ops::Range;

use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use ichigen_core::order::TemperatureZone;
use ichigen_core::shipdate::batch::{
    BatchPlanner, Columns, NO_DATE, Output, STATUS_NAMES, STATUS_OUT_OF_RANGE, epoch_days,
    from_epoch_days,
};
use ichigen_core::shipdate::{PlanRequest, PolicyDef, ShippingPolicy};
use ichigen_testkit::generate::SplitMix64;

/// The policies, carriers, zone and today of the ship-date benchmarks.
pub const POLICIES_JSON: &str = include_str!("../data/shipdate_policies.json");

/// First instant of the generated orders: 2026-01-01 00:00 JST.
pub const FIRST_INSTANT: i64 = 1_767_193_200;
/// End (exclusive) of the generated instants: 2027-01-01 00:00 JST.
pub const END_INSTANT: i64 = 1_798_729_200;

/// The five built policies with their carriers, zone and today.
#[derive(Debug)]
pub struct Setup {
    /// The built policies, in file order (a row's `policy` indexes them).
    pub policies: Vec<ShippingPolicy>,
    /// Carrier codes (a row's `carrier` indexes them).
    pub carriers: Vec<String>,
    /// The shops' zone.
    pub zone: Tz,
    /// Today, days since the epoch.
    pub today: i32,
}

#[derive(serde::Deserialize)]
struct SetupFile {
    zone: Tz,
    carriers: Vec<String>,
    today: NaiveDate,
    policies: Vec<PolicyDef>,
}

impl Setup {
    /// Builds the policies of [`POLICIES_JSON`].
    pub fn load() -> Result<Setup, Box<dyn std::error::Error>> {
        let file: SetupFile = serde_json::from_str(POLICIES_JSON)?;
        let policies = file
            .policies
            .iter()
            .map(ShippingPolicy::build)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Setup {
            policies,
            carriers: file.carriers,
            zone: file.zone,
            today: epoch_days(file.today),
        })
    }

    /// A batch planner over all the policies and carriers.
    pub fn planner(&self) -> Result<BatchPlanner, ichigen_core::Error> {
        let policies: Vec<&ShippingPolicy> = self.policies.iter().collect();
        let carriers: Vec<&str> = self.carriers.iter().map(String::as_str).collect();
        BatchPlanner::new(&policies, &carriers, self.zone)
    }
}

/// Generated input columns, owned.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    /// Order instants, epoch seconds, spread over 2026 (JST).
    pub ordered_at: Vec<i64>,
    /// Policy index 0–4.
    pub policy: Vec<u32>,
    /// Destination prefecture 1–47.
    pub destination: Vec<u8>,
    /// Carrier index 0–2 (yamato, sagawa, japan_post).
    pub carrier: Vec<u32>,
    /// Service 0–2, mostly ambient.
    pub service: Vec<u8>,
    /// Handling days 0–3.
    pub handling_days: Vec<u32>,
    /// Designated date (days since the epoch) on about 30 % of rows, 0–14 days
    /// after the local order day; [`NO_DATE`] otherwise.
    pub designated: Vec<i32>,
}

impl Rows {
    /// `n` rows from `seed` (SplitMix64, the testkit's generator).
    pub fn generate(seed: u64, n: usize) -> Rows {
        let mut g = SplitMix64::new(seed);
        let mut rows = Rows {
            ordered_at: Vec::with_capacity(n),
            policy: Vec::with_capacity(n),
            destination: Vec::with_capacity(n),
            carrier: Vec::with_capacity(n),
            service: Vec::with_capacity(n),
            handling_days: Vec::with_capacity(n),
            designated: Vec::with_capacity(n),
        };
        for _ in 0..n {
            let at = FIRST_INSTANT + g.below((END_INSTANT - FIRST_INSTANT) as u64) as i64;
            rows.ordered_at.push(at);
            rows.policy.push(g.below(5) as u32);
            rows.destination.push(g.range(1, 47) as u8);
            rows.carrier
                .push(g.weighted(&[(0u32, 50), (1, 30), (2, 20)]));
            rows.service.push(g.weighted(&[(0u8, 85), (1, 10), (2, 5)]));
            rows.handling_days.push(g.below(4) as u32);
            let designated = if g.chance(300) {
                let local_day = (at + 9 * 3600).div_euclid(86_400) as i32;
                local_day + g.below(15) as i32
            } else {
                NO_DATE
            };
            rows.designated.push(designated);
        }
        rows
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.ordered_at.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.ordered_at.is_empty()
    }

    /// All rows as planner columns.
    pub fn columns(&self) -> Columns<'_> {
        self.slice(0..self.len())
    }

    /// Some rows as planner columns.
    pub fn slice(&self, r: Range<usize>) -> Columns<'_> {
        Columns {
            ordered_at: &self.ordered_at[r.clone()],
            policy: Some(&self.policy[r.clone()]),
            destination: &self.destination[r.clone()],
            carrier: Some(&self.carrier[r.clone()]),
            service: Some(&self.service[r.clone()]),
            handling_days: Some(&self.handling_days[r.clone()]),
            designated: Some(&self.designated[r]),
        }
    }
}

/// Rows per status code (`STATUS_NAMES` order).
pub fn status_counts(out: &Output) -> [u64; 6] {
    let mut counts = [0u64; 6];
    for &s in &out.status {
        counts[usize::from(s).min(5)] += 1;
    }
    counts
}

/// The counts as `ok=… awaiting_ship_date=…`.
pub fn describe_counts(counts: &[u64; 6]) -> String {
    STATUS_NAMES
        .iter()
        .zip(counts)
        .map(|(name, n)| format!("{name}={n}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What [`check_rows`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checked {
    /// Rows compared.
    pub rows: usize,
    /// Rows whose batch answer differs from the single plan.
    pub mismatches: usize,
    /// The first few differences, described.
    pub examples: Vec<String>,
}

/// Compares every `step`-th row of a batch output with [`ShippingPolicy::plan`] on
/// the same request (status, ship, delivery and latest ship dates, transit days).
pub fn check_rows(setup: &Setup, rows: &Rows, out: &Output, step: usize) -> Checked {
    let mut checked = Checked::default();
    let today = from_epoch_days(setup.today).unwrap_or_default();
    let date = |d: i32| (d != NO_DATE).then(|| from_epoch_days(d)).flatten();
    for i in (0..rows.len()).step_by(step.max(1)) {
        checked.rows += 1;
        let req = PlanRequest {
            ordered_at: DateTime::from_timestamp(rows.ordered_at[i], 0).unwrap_or_default(),
            zone: Some(setup.zone),
            destination: rows.destination[i].to_string(),
            postal_code: None,
            carrier: Some(setup.carriers[rows.carrier[i] as usize].clone()),
            service: match rows.service[i] {
                0 => TemperatureZone::Ambient,
                1 => TemperatureZone::Chilled,
                _ => TemperatureZone::Frozen,
            },
            skus: Vec::new(),
            handling_days: Some(rows.handling_days[i]),
            release_date: None,
            designated_date: date(rows.designated[i]),
        };
        let policy = &setup.policies[rows.policy[i] as usize];
        let expected = match policy.plan(&req, today) {
            Ok(p) => (
                p.status.code(),
                Some(p.ship_date),
                p.delivery_date,
                p.latest_ship_date,
                p.transit_days.map_or(u8::MAX, |t| t as u8),
            ),
            Err(_) => (STATUS_OUT_OF_RANGE, None, None, None, u8::MAX),
        };
        let got = (
            out.status[i],
            date(out.ship_date[i]),
            date(out.delivery_date[i]),
            date(out.latest_ship_date[i]),
            out.transit_days[i],
        );
        if got != expected {
            checked.mismatches += 1;
            if checked.examples.len() < 5 {
                checked.examples.push(format!(
                    "row {i}: {req:?}: batch {got:?}, plan {expected:?}"
                ));
            }
        }
    }
    checked
}
