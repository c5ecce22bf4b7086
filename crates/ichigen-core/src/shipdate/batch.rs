//! Ship-date plans for many orders at once, from columns.
//!
//! Each row names a policy (a store with its calendar, origin and cut-off) by index,
//! and carries the order instant, the destination prefecture, a carrier index, the
//! temperature service, the handling days and an optional designated date. The same
//! rules as [`ShippingPolicy::plan`](super::ShippingPolicy::plan) apply, without the
//! explanations; every row costs a few table lookups.
//!
//! Dates are days since 1970-01-01 (Arrow `date32`), instants seconds since the epoch
//! (other units are divided first); [`NO_DATE`] marks an absent date.
//!
//! ```
//! use ichigen_core::shipdate::batch::{BatchPlanner, Columns, NO_DATE, STATUS_OK};
//! use ichigen_core::shipdate::{PolicyDef, ShippingPolicy};
//! let def: PolicyDef = serde_json::from_str(r#"{"origin": "東京都"}"#)?;
//! let policy = ShippingPolicy::build(&def)?;
//! let planner = BatchPlanner::new(&[&policy], &["yamato"], chrono_tz::Asia::Tokyo)?;
//! // 2026-12-25T04:30:00Z = Friday 13:30 JST, to Osaka (27), ambient, 1 handling day.
//! let cols = Columns {
//!     ordered_at: &[1_798_173_000],
//!     policy: None,
//!     destination: &[27],
//!     carrier: None,
//!     service: None,
//!     handling_days: None,
//!     designated: None,
//! };
//! let today = 20_812; // 2026-12-25
//! let out = planner.plan(&cols, today)?;
//! assert_eq!(out.status[0], STATUS_OK);
//! assert_eq!(out.ship_date[0], 20_816); // 2026-12-29
//! assert_eq!(out.delivery_date[0], 20_817);
//! assert_eq!(out.latest_ship_date[0], NO_DATE);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use chrono::{NaiveDate, Offset, TimeZone, Timelike};
use chrono_tz::Tz;

use super::ShippingPolicy;
use crate::calendar::BusinessCalendar;
use crate::error::Issue;

/// An absent date in the date columns.
pub const NO_DATE: i32 = i32::MIN;
/// Status: ship on the ship date.
pub const STATUS_OK: u8 = 0;
/// Status: waits for a later ship date (印刷日待ち).
pub const STATUS_AWAITING_SHIP_DATE: u8 = 1;
/// Status: the designated date cannot be met.
pub const STATUS_DESIGNATED_INFEASIBLE: u8 = 2;
/// Status: no transit entry; no delivery date.
pub const STATUS_TRANSIT_MISSING: u8 = 3;
/// Status: a date fell outside a calendar's range; no dates.
pub const STATUS_OUT_OF_RANGE: u8 = 4;
/// Status: the row's input is unusable (unknown prefecture, policy or carrier index,
/// handling days over 365); no dates.
pub const STATUS_BAD_INPUT: u8 = 5;

/// The names of the status codes, by code.
pub const STATUS_NAMES: [&str; 6] = [
    "ok",
    "awaiting_ship_date",
    "designated_infeasible",
    "transit_missing",
    "out_of_range",
    "bad_input",
];

/// Days from 0001-01-01 (chrono's CE count) to 1970-01-01.
const UNIX_EPOCH_CE: i32 = 719_163;

/// The input columns; all have the length of `ordered_at`. An optional column that
/// is absent takes its default for every row.
#[derive(Debug, Clone, Copy)]
pub struct Columns<'a> {
    /// Order instants, seconds since the epoch (UTC).
    pub ordered_at: &'a [i64],
    /// Policy index per row (default 0).
    pub policy: Option<&'a [u32]>,
    /// Destination prefecture code, 1–47.
    pub destination: &'a [u8],
    /// Carrier index into the planner's carriers (default 0).
    pub carrier: Option<&'a [u32]>,
    /// Service: 0 ambient, 1 chilled, 2 frozen (default ambient).
    pub service: Option<&'a [u8]>,
    /// Handling days (default: the policy's default handling days).
    pub handling_days: Option<&'a [u32]>,
    /// Designated delivery date, days since the epoch, or [`NO_DATE`].
    pub designated: Option<&'a [i32]>,
}

/// The output columns, one entry per row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Output {
    /// Status code (`STATUS_*`).
    pub status: Vec<u8>,
    /// Planned ship date, or [`NO_DATE`].
    pub ship_date: Vec<i32>,
    /// Expected delivery date (the earliest possible one when infeasible), or [`NO_DATE`].
    pub delivery_date: Vec<i32>,
    /// Latest ship date meeting the designated date, or [`NO_DATE`].
    pub latest_ship_date: Vec<i32>,
    /// Transit days, or `u8::MAX` when missing.
    pub transit_days: Vec<u8>,
}

/// A calendar as flat tables, indexed by days since the epoch.
#[derive(Debug, Clone)]
struct Flat {
    first: i32,
    len: i32,
    prefix: Vec<u32>,
    open: Vec<i32>,
}

impl Flat {
    fn of(cal: &BusinessCalendar) -> Flat {
        let (first_ce, prefix, open) = cal.tables();
        let first = first_ce - UNIX_EPOCH_CE;
        Flat {
            first,
            len: prefix.len() as i32 - 1,
            prefix: prefix.to_vec(),
            open: open.iter().map(|&o| first + o as i32).collect(),
        }
    }
}

/// A policy prepared for rows.
#[derive(Debug, Clone)]
struct Prepared {
    ship: Flat,
    carriers: Vec<usize>,
    transit: Vec<u8>,
    cutoff: i64,
    handling: u32,
}

/// UTC offsets of a zone by UTC day over a span, with the days on which the offset
/// changes marked for an exact lookup.
#[derive(Debug, Clone)]
struct ZoneDays {
    zone: Tz,
    first: i64,
    /// Offset in seconds for the whole UTC day, or `i32::MIN` when it changes that day.
    offsets: Vec<i32>,
    /// The offset when it is the same over the whole span (Asia/Tokyo since 1951).
    fixed: Option<i32>,
}

impl ZoneDays {
    fn new(zone: Tz, first: i64, last: i64) -> ZoneDays {
        let offset_at = |secs: i64| -> i32 {
            zone.timestamp_opt(secs, 0)
                .single()
                .map_or(0, |t| t.offset().fix().local_minus_utc())
        };
        let n = (last - first + 1).max(0) as usize;
        let mut offsets = Vec::with_capacity(n);
        let mut prev = offset_at(first * 86_400);
        for i in 0..n as i64 {
            let next = offset_at((first + i + 1) * 86_400);
            offsets.push(if next == prev { prev } else { i32::MIN });
            prev = next;
        }
        let fixed = match offsets.first() {
            Some(&o) if o != i32::MIN && offsets.iter().all(|&x| x == o) => Some(o),
            _ => None,
        };
        ZoneDays {
            zone,
            first,
            offsets,
            fixed,
        }
    }

    #[inline(always)]
    fn local(&self, secs: i64) -> i64 {
        if let Some(o) = self.fixed {
            return secs + i64::from(o);
        }
        let day = secs.div_euclid(86_400) - self.first;
        match self.offsets.get(day as usize) {
            Some(&o) if o != i32::MIN => secs + i64::from(o),
            _ => {
                let off = self
                    .zone
                    .timestamp_opt(secs, 0)
                    .single()
                    .map_or(0, |t| t.offset().fix().local_minus_utc());
                secs + i64::from(off)
            }
        }
    }
}

/// Plans rows against a set of policies and carriers, prepared once.
#[derive(Debug, Clone)]
pub struct BatchPlanner {
    policies: Vec<Prepared>,
    carrier_cals: Vec<Flat>,
    n_carriers: usize,
    zone: Tz,
}

fn bad(path: &str, message: &str) -> crate::Error {
    crate::Error::InvalidInput(Issue::new("SHIPDATE_BAD_COLUMNS", path, message))
}

impl BatchPlanner {
    /// Prepares the policies (a row's `policy` indexes them) and the carrier codes (a
    /// row's `carrier` indexes them; each policy's table and carrier calendars are
    /// resolved for them). `zone` is the shops' zone for reading the instants.
    pub fn new(
        policies: &[&ShippingPolicy],
        carriers: &[&str],
        zone: Tz,
    ) -> Result<BatchPlanner, crate::Error> {
        if policies.is_empty() {
            return Err(bad("$.policies", "at least one policy is needed"));
        }
        let carriers: Vec<&str> = if carriers.is_empty() {
            vec!["*"]
        } else {
            carriers.to_vec()
        };
        let mut carrier_cals: Vec<Flat> = Vec::new();
        let mut cal_keys: Vec<(usize, String)> = Vec::new();
        let mut prepared = Vec::new();
        for (pi, p) in policies.iter().enumerate() {
            let mut slots = Vec::new();
            for c in &carriers {
                let carrier = if *c == "*" { p.default_carrier() } else { c };
                let cal = p.carrier_calendar(carrier);
                // Share identical calendars between policies.
                let key = (
                    if p.carriers.contains_key(carrier) {
                        pi
                    } else {
                        usize::MAX
                    },
                    carrier.to_owned(),
                );
                let slot = match cal_keys.iter().position(|k| *k == key) {
                    Some(s) => s,
                    None => {
                        cal_keys.push(key);
                        carrier_cals.push(Flat::of(cal));
                        carrier_cals.len() - 1
                    }
                };
                slots.push(slot);
            }
            let names: Vec<&str> = carriers
                .iter()
                .map(|c| if *c == "*" { p.default_carrier() } else { c })
                .collect();
            let cutoff = p.cutoff();
            // The origin is the policy's: only its row of the table, with the
            // fallbacks applied (432 bytes a carrier).
            let transit = p.transit().resolve(p.origin(), &names);
            prepared.push(Prepared {
                ship: Flat::of(p.shipping_calendar()),
                carriers: slots,
                transit,
                cutoff: i64::from(cutoff.num_seconds_from_midnight()),
                handling: p.handling_days,
            });
        }
        Ok(BatchPlanner {
            policies: prepared,
            carrier_cals,
            n_carriers: carriers.len(),
            zone,
        })
    }

    /// The zone instants are read in.
    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// Plans every row on the calling thread. `today` (days since the epoch, in the
    /// shops' zone) decides whether a designated date makes a row wait. A column of
    /// the wrong length is an error (`SHIPDATE_BAD_COLUMNS` naming it); a bad value
    /// makes only its row `STATUS_BAD_INPUT`.
    pub fn plan(&self, cols: &Columns<'_>, today: i32) -> Result<Output, crate::Error> {
        self.plan_on_threads(cols, today, 1)
    }

    /// As [`BatchPlanner::plan`], the rows split into up to `threads` contiguous
    /// chunks planned at once (scoped threads; chunks of fewer than 65,536 rows are
    /// not worth a thread). The result does not depend on `threads`.
    pub fn plan_on_threads(
        &self,
        cols: &Columns<'_>,
        today: i32,
        threads: usize,
    ) -> Result<Output, crate::Error> {
        self.check(cols)?;
        let n = cols.ordered_at.len();
        // Zero-filled buffers come from the allocator already cleared; every row
        // writes all its fields.
        let mut out = Output {
            status: vec![0; n],
            ship_date: vec![0; n],
            delivery_date: vec![0; n],
            latest_ship_date: vec![0; n],
            transit_days: vec![0; n],
        };
        self.plan_into(cols, today, threads, &mut out)?;
        Ok(out)
    }

    /// Every column has the length of `ordered_at`.
    fn check(&self, cols: &Columns<'_>) -> Result<(), crate::Error> {
        let n = cols.ordered_at.len();
        let check = |len: Option<usize>, name: &str| -> Result<(), crate::Error> {
            match len {
                Some(l) if l != n => Err(bad(
                    &format!("$.{name}"),
                    "every column must have as many rows as ordered_at",
                )),
                _ => Ok(()),
            }
        };
        check(Some(cols.destination.len()), "destination")?;
        check(cols.policy.map(<[u32]>::len), "policy")?;
        check(cols.carrier.map(<[u32]>::len), "carrier")?;
        check(cols.service.map(<[u8]>::len), "service")?;
        check(cols.handling_days.map(<[u32]>::len), "handling_days")?;
        check(cols.designated.map(<[i32]>::len), "designated")
    }

    /// As [`BatchPlanner::plan_on_threads`], into columns the caller keeps: each is
    /// resized to the number of rows and overwritten. Planning batch after batch
    /// into the same `Output` spares the allocation and the first touch of fresh
    /// memory, which on large batches costs as much as the planning.
    pub fn plan_into(
        &self,
        cols: &Columns<'_>,
        today: i32,
        threads: usize,
        out: &mut Output,
    ) -> Result<(), crate::Error> {
        self.check(cols)?;
        let n = cols.ordered_at.len();
        out.status.resize(n, 0);
        out.ship_date.resize(n, 0);
        out.delivery_date.resize(n, 0);
        out.latest_ship_date.resize(n, 0);
        out.transit_days.resize(n, 0);
        if n == 0 {
            return Ok(());
        }
        let (lo, hi) = cols
            .ordered_at
            .iter()
            .fold((i64::MAX, i64::MIN), |(lo, hi), &t| (lo.min(t), hi.max(t)));
        let lo_day = lo.div_euclid(86_400).max(-1_000_000);
        let hi_day = hi.div_euclid(86_400).min(lo_day + 400_000);
        let zone = ZoneDays::new(self.zone, lo_day, hi_day);
        let threads = threads.clamp(1, 64).min(n.div_ceil(MIN_ROWS_PER_THREAD));
        if threads <= 1 {
            self.fill(cols, 0, OutSlices::of(out), &zone, today);
            return Ok(());
        }
        let chunk = n.div_ceil(threads);
        std::thread::scope(|scope| {
            let mut rest = OutSlices::of(out);
            let mut start = 0;
            while start < n {
                let len = chunk.min(n - start);
                let (head, tail) = rest.split_at(len);
                rest = tail;
                let zone = &zone;
                scope.spawn(move || self.fill(cols, start, head, zone, today));
                start += len;
            }
        });
        Ok(())
    }

    /// Plans the rows `start ..` that `out` has room for.
    fn fill(
        &self,
        cols: &Columns<'_>,
        start: usize,
        out: OutSlices<'_>,
        zone: &ZoneDays,
        today: i32,
    ) {
        let end = start + out.status.len();
        let at = &cols.ordered_at[start..end];
        let dest = &cols.destination[start..end];
        for (i, (&at, &dest)) in at.iter().zip(dest).enumerate() {
            let j = start + i;
            let row = Row {
                at,
                policy: cols.policy.map_or(0, |c| c[j]) as usize,
                dest: usize::from(dest),
                carrier: cols.carrier.map_or(0, |c| c[j]) as usize,
                service: cols.service.map_or(0, |c| c[j]) as usize,
                handling: cols.handling_days.map(|c| c[j]),
                designated: cols.designated.map_or(NO_DATE, |c| c[j]),
            };
            let r = self.row(&row, zone, today);
            out.status[i] = r.0;
            out.ship_date[i] = r.1;
            out.delivery_date[i] = r.2;
            out.latest_ship_date[i] = r.3;
            out.transit_days[i] = r.4;
        }
    }

    #[inline(always)]
    fn row(&self, row: &Row, zone: &ZoneDays, today: i32) -> (u8, i32, i32, i32, u8) {
        const BAD: (u8, i32, i32, i32, u8) = (STATUS_BAD_INPUT, NO_DATE, NO_DATE, NO_DATE, u8::MAX);
        const RANGE: (u8, i32, i32, i32, u8) =
            (STATUS_OUT_OF_RANGE, NO_DATE, NO_DATE, NO_DATE, u8::MAX);
        let Some(p) = self.policies.get(row.policy) else {
            return BAD;
        };
        if !(1..=47).contains(&row.dest) || row.carrier >= self.n_carriers || row.service > 2 {
            return BAD;
        }
        let handling = row.handling.unwrap_or(p.handling);
        if handling > super::MAX_HANDLING_DAYS {
            return BAD;
        }
        let local = zone.local(row.at);
        let day = local.div_euclid(86_400);
        let tod = local - day * 86_400;
        let ship = &p.ship;
        let Ok(day) = i32::try_from(day) else {
            return RANGE;
        };
        // One unsigned comparison covers both ends of the range.
        let idx = day.wrapping_sub(ship.first) as u32;
        if idx >= ship.len as u32 {
            return RANGE;
        }
        let before = ship.prefix[idx as usize];
        let through = ship.prefix[idx as usize + 1];
        // Without a branch: the order day's rank if it is open and before the cut-off,
        // else the next business day's.
        let start = through - u32::from((through > before) & (tod < p.cutoff));
        let Some(&earliest) = ship.open.get((start + handling) as usize) else {
            return RANGE;
        };
        let transit = p.transit[(row.carrier * 3 + row.service) * 48 + row.dest];
        if transit == super::transit::MISSING {
            return (STATUS_TRANSIT_MISSING, earliest, NO_DATE, NO_DATE, u8::MAX);
        }
        let cc = &self.carrier_cals[p.carriers[row.carrier]];
        let t = u32::from(transit);
        let moved = u32::from(transit > 0);
        // Transit > 0: the t-th carrier day after the ship day (rank through it,
        // + t - 1); 0: the ship day rolled forward (rank before it).
        let deliver = |ship_day: i32| -> Option<i32> {
            let j = ship_day.wrapping_sub(cc.first) as u32;
            if j >= cc.len as u32 {
                return None;
            }
            let k = cc.prefix[(j + moved) as usize] + t - moved;
            cc.open.get(k as usize).copied()
        };
        let Some(earliest_delivery) = deliver(earliest) else {
            return RANGE;
        };
        if row.designated == NO_DATE {
            return (STATUS_OK, earliest, earliest_delivery, NO_DATE, transit);
        }
        let d = row.designated;
        let raw = if transit == 0 {
            Some(d)
        } else {
            let j = d.wrapping_sub(cc.first) as u32;
            (j < cc.len as u32)
                .then(|| cc.prefix[j as usize])
                .and_then(|r| r.checked_sub(t))
                .and_then(|k| cc.open.get(k as usize).copied())
        };
        let latest = raw.and_then(|raw| {
            let j = raw.wrapping_sub(ship.first) as u32;
            (j < ship.len as u32)
                .then(|| ship.prefix[j as usize + 1])
                .and_then(|r| r.checked_sub(1))
                .and_then(|k| ship.open.get(k as usize).copied())
        });
        let Some(latest) = latest else {
            return RANGE;
        };
        if latest < earliest || d < earliest_delivery {
            return (
                STATUS_DESIGNATED_INFEASIBLE,
                earliest,
                earliest_delivery,
                latest,
                transit,
            );
        }
        // The carrier holds the parcel until the designated date.
        let status = if latest > today && latest > earliest {
            STATUS_AWAITING_SHIP_DATE
        } else {
            STATUS_OK
        };
        (status, latest, d, latest, transit)
    }
}

/// Rows fewer than this do not get a thread of their own.
const MIN_ROWS_PER_THREAD: usize = 65_536;

/// Mutable views of the output columns for one chunk of rows.
struct OutSlices<'a> {
    status: &'a mut [u8],
    ship_date: &'a mut [i32],
    delivery_date: &'a mut [i32],
    latest_ship_date: &'a mut [i32],
    transit_days: &'a mut [u8],
}

impl<'a> OutSlices<'a> {
    fn of(out: &'a mut Output) -> OutSlices<'a> {
        OutSlices {
            status: &mut out.status,
            ship_date: &mut out.ship_date,
            delivery_date: &mut out.delivery_date,
            latest_ship_date: &mut out.latest_ship_date,
            transit_days: &mut out.transit_days,
        }
    }

    fn split_at(self, len: usize) -> (OutSlices<'a>, OutSlices<'a>) {
        let (s1, s2) = self.status.split_at_mut(len);
        let (a1, a2) = self.ship_date.split_at_mut(len);
        let (d1, d2) = self.delivery_date.split_at_mut(len);
        let (l1, l2) = self.latest_ship_date.split_at_mut(len);
        let (t1, t2) = self.transit_days.split_at_mut(len);
        (
            OutSlices {
                status: s1,
                ship_date: a1,
                delivery_date: d1,
                latest_ship_date: l1,
                transit_days: t1,
            },
            OutSlices {
                status: s2,
                ship_date: a2,
                delivery_date: d2,
                latest_ship_date: l2,
                transit_days: t2,
            },
        )
    }
}

struct Row {
    at: i64,
    policy: usize,
    dest: usize,
    carrier: usize,
    service: usize,
    handling: Option<u32>,
    designated: i32,
}

/// The code of a temperature service in the `service` column.
pub fn service_code(zone: crate::order::TemperatureZone) -> u8 {
    use crate::order::TemperatureZone;
    match zone {
        TemperatureZone::Ambient => 0,
        TemperatureZone::Chilled => 1,
        TemperatureZone::Frozen => 2,
    }
}

/// Days since the epoch of a date.
pub fn epoch_days(date: NaiveDate) -> i32 {
    use chrono::Datelike;
    date.num_days_from_ce() - UNIX_EPOCH_CE
}

/// The date of a day count since the epoch, if representable.
pub fn from_epoch_days(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days.checked_add(UNIX_EPOCH_CE)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shipdate::PolicyDef;

    #[test]
    fn threads_do_not_change_the_result() {
        let def: PolicyDef = serde_json::from_str(r#"{"origin": "東京都"}"#).unwrap();
        let a = ShippingPolicy::build(&def).unwrap();
        let def: PolicyDef = serde_json::from_str(
            r#"{"origin": "福岡県", "calendars": [{"name": "b", "closed_weekdays": ["sun"]}]}"#,
        )
        .unwrap();
        let b = ShippingPolicy::build(&def).unwrap();
        let planner = BatchPlanner::new(&[&a, &b], &["yamato"], chrono_tz::Asia::Tokyo).unwrap();
        let n = 200_003;
        let mut x: u64 = 7;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let base = 1_767_225_600i64; // 2026-01-01T00:00:00Z
        let at: Vec<i64> = (0..n)
            .map(|_| base + (next() % 31_536_000) as i64)
            .collect();
        let dest: Vec<u8> = (0..n).map(|_| (next() % 49) as u8).collect();
        let policy: Vec<u32> = (0..n).map(|_| (next() % 2) as u32).collect();
        let designated: Vec<i32> = at
            .iter()
            .map(|t| match next() % 3 {
                0 => NO_DATE,
                _ => (t / 86_400) as i32 + (next() % 10) as i32,
            })
            .collect();
        let cols = Columns {
            ordered_at: &at,
            policy: Some(&policy),
            destination: &dest,
            carrier: None,
            service: None,
            handling_days: None,
            designated: Some(&designated),
        };
        let one = planner.plan(&cols, 20_600).unwrap();
        for threads in [2, 3, 7] {
            assert_eq!(
                planner.plan_on_threads(&cols, 20_600, threads).unwrap(),
                one
            );
        }
        // Columns the caller keeps: a large batch, then a smaller one, into the
        // same buffers give what fresh planning gives.
        let mut kept = Output::default();
        planner.plan_into(&cols, 20_600, 2, &mut kept).unwrap();
        assert_eq!(kept, one);
        let small = Columns {
            ordered_at: &at[..1000],
            policy: Some(&policy[..1000]),
            destination: &dest[..1000],
            carrier: None,
            service: None,
            handling_days: None,
            designated: Some(&designated[..1000]),
        };
        planner.plan_into(&small, 20_600, 1, &mut kept).unwrap();
        assert_eq!(kept, planner.plan(&small, 20_600).unwrap());
        assert_eq!(kept.status.len(), 1000);
        // Every status occurs, so the comparison covers every branch.
        for s in [0u8, 1, 2, 5] {
            assert!(one.status.contains(&s), "status {s}");
        }
    }
}
