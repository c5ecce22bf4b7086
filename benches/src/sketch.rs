//! A measuring experiment, not a planner to use: the per-row work of
//! `BatchPlanner::plan` written branch-light over the same public tables
//! (`BusinessCalendar::tables()`, the transit table, the cut-off), writing into
//! caller-owned output columns. `measure shipdate` runs it next to the real
//! planner, checks that every row agrees, and times it with reused and with fresh
//! output buffers, to show how much of the planner's time is the per-row control
//! flow and how much the output memory.
//!
//! It reads instants at one fixed UTC offset (the zone must not change offset
//! over the rows; Asia/Tokyo has not since 1951) and needs every column.

use chrono::{Offset, TimeZone};
use ichigen_core::calendar::BusinessCalendar;
use ichigen_core::order::TemperatureZone;
use ichigen_core::shipdate::batch::{
    NO_DATE, Output, STATUS_AWAITING_SHIP_DATE, STATUS_BAD_INPUT, STATUS_DESIGNATED_INFEASIBLE,
    STATUS_OK, STATUS_OUT_OF_RANGE, STATUS_TRANSIT_MISSING,
};
use ichigen_core::shipdate::transit::MISSING;

use crate::shipdate::{Rows, Setup};

/// Days from 0001-01-01 to 1970-01-01.
const UNIX_EPOCH_CE: i32 = 719_163;

#[derive(Debug)]
struct Cal {
    first: i32,
    len: u32,
    prefix: Vec<u32>,
    open: Vec<i32>,
}

impl Cal {
    fn of(cal: &BusinessCalendar) -> Cal {
        let (first_ce, prefix, open) = cal.tables();
        let first = first_ce - UNIX_EPOCH_CE;
        Cal {
            first,
            len: (prefix.len() - 1) as u32,
            prefix: prefix.to_vec(),
            open: open.iter().map(|&o| first + o as i32).collect(),
        }
    }
}

#[derive(Debug)]
struct Pol {
    ship: Cal,
    cutoff: i64,
    /// Carrier calendar index per carrier.
    carriers: Vec<usize>,
    /// `transit[(carrier * 3 + service) * 48 + destination]`.
    transit: Vec<u8>,
}

/// The prepared tables.
#[derive(Debug)]
pub struct Sketch {
    pols: Vec<Pol>,
    carrier_cals: Vec<Cal>,
    n_carriers: usize,
    offset: i64,
}

const SERVICES: [TemperatureZone; 3] = [
    TemperatureZone::Ambient,
    TemperatureZone::Chilled,
    TemperatureZone::Frozen,
];

impl Sketch {
    /// Prepares the tables of the setup's policies; `None` if its zone changes offset
    /// during 2026.
    pub fn new(setup: &Setup) -> Option<Sketch> {
        let offset_at = |secs: i64| {
            setup
                .zone
                .timestamp_opt(secs, 0)
                .single()
                .map(|t| i64::from(t.offset().fix().local_minus_utc()))
        };
        let offset = offset_at(crate::shipdate::FIRST_INSTANT)?;
        if (crate::shipdate::FIRST_INSTANT..crate::shipdate::END_INSTANT)
            .step_by(3600)
            .any(|s| offset_at(s) != Some(offset))
        {
            return None;
        }
        let mut carrier_cals = Vec::new();
        let pols = setup
            .policies
            .iter()
            .map(|p| Pol {
                ship: Cal::of(p.shipping_calendar()),
                cutoff: i64::from(chrono::Timelike::num_seconds_from_midnight(&p.cutoff())),
                carriers: setup
                    .carriers
                    .iter()
                    .map(|c| {
                        carrier_cals.push(Cal::of(p.carrier_calendar(c)));
                        carrier_cals.len() - 1
                    })
                    .collect(),
                transit: setup
                    .carriers
                    .iter()
                    .flat_map(|c| {
                        SERVICES.iter().flat_map(move |&s| {
                            (0..48u8).map(move |d| {
                                if d == 0 {
                                    MISSING
                                } else {
                                    p.transit().days(p.origin(), d, c, s).unwrap_or(MISSING)
                                }
                            })
                        })
                    })
                    .collect(),
            })
            .collect();
        Some(Sketch {
            pols,
            carrier_cals,
            n_carriers: setup.carriers.len(),
            offset,
        })
    }

    /// Output columns of `n` rows, filled.
    pub fn output(n: usize) -> Output {
        Output {
            status: vec![0; n],
            ship_date: vec![NO_DATE; n],
            delivery_date: vec![NO_DATE; n],
            latest_ship_date: vec![NO_DATE; n],
            transit_days: vec![u8::MAX; n],
        }
    }

    /// Plans every row into `out` (which must have the rows' length).
    pub fn plan_into(&self, rows: &Rows, today: i32, out: &mut Output) {
        self.plan_part(rows, 0, today, OutMut::of(out));
    }

    /// Plans the rows in `threads` contiguous parts on as many threads, each into
    /// its part of `out` (which must have the rows' length).
    pub fn plan_into_threads(&self, rows: &Rows, today: i32, out: &mut Output, threads: usize) {
        let n = rows.len();
        let per = n.div_ceil(threads.max(1)).max(1);
        std::thread::scope(|s| {
            let mut rest = OutMut::of(out);
            let mut start = 0;
            while start < n {
                let len = per.min(n - start);
                let (part, tail) = rest.split_at(len);
                rest = tail;
                s.spawn(move || self.plan_part(rows, start, today, part));
                start += len;
            }
        });
    }

    fn plan_part(&self, rows: &Rows, start: usize, today: i32, out: OutMut<'_>) {
        let n = out.status.len();
        let r = start..start + n;
        let at = &rows.ordered_at[r.clone()];
        let policy = &rows.policy[r.clone()];
        let destination = &rows.destination[r.clone()];
        let carrier = &rows.carrier[r.clone()];
        let service = &rows.service[r.clone()];
        let handling = &rows.handling_days[r.clone()];
        let designated = &rows.designated[r];
        let OutMut {
            status,
            ship_date,
            delivery_date,
            latest_ship_date,
            transit_days,
        } = out;
        let (ship_date, delivery_date) = (&mut ship_date[..n], &mut delivery_date[..n]);
        let (latest_ship_date, transit_days) = (&mut latest_ship_date[..n], &mut transit_days[..n]);
        for i in 0..n {
            let r = self.row(
                at[i],
                policy[i] as usize,
                destination[i] as usize,
                carrier[i] as usize,
                service[i] as usize,
                handling[i],
                designated[i],
                today,
            );
            status[i] = r.0;
            ship_date[i] = r.1;
            delivery_date[i] = r.2;
            latest_ship_date[i] = r.3;
            transit_days[i] = r.4;
        }
    }

    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn row(
        &self,
        at: i64,
        policy: usize,
        dest: usize,
        carrier: usize,
        service: usize,
        handling: u32,
        designated: i32,
        today: i32,
    ) -> (u8, i32, i32, i32, u8) {
        const BAD: (u8, i32, i32, i32, u8) = (STATUS_BAD_INPUT, NO_DATE, NO_DATE, NO_DATE, u8::MAX);
        const RANGE: (u8, i32, i32, i32, u8) =
            (STATUS_OUT_OF_RANGE, NO_DATE, NO_DATE, NO_DATE, u8::MAX);
        let Some(p) = self.pols.get(policy) else {
            return BAD;
        };
        if dest.wrapping_sub(1) >= 47 || carrier >= self.n_carriers || service > 2 || handling > 365
        {
            return BAD;
        }
        let local = at + self.offset;
        let day = local.div_euclid(86_400);
        let tod = local - day * 86_400;
        let ship = &p.ship;
        let idx = (day as i32).wrapping_sub(ship.first) as u32;
        if idx >= ship.len {
            return RANGE;
        }
        let before = ship.prefix[idx as usize];
        let through = ship.prefix[idx as usize + 1];
        // Branch-free start: the order day's rank if open and before the cut-off.
        let start = through - u32::from((through > before) & (tod < p.cutoff));
        let Some(&earliest) = ship.open.get((start + handling) as usize) else {
            return RANGE;
        };
        let transit = p.transit[(carrier * 3 + service) * 48 + dest];
        if transit == MISSING {
            return (STATUS_TRANSIT_MISSING, earliest, NO_DATE, NO_DATE, u8::MAX);
        }
        let cc = &self.carrier_cals[p.carriers[carrier]];
        let t = u32::from(transit);
        let moved = u32::from(transit > 0);
        // transit > 0: rank through the ship day + transit - 1; 0: rank before it.
        let deliver = |d: i32| -> Option<i32> {
            let j = d.wrapping_sub(cc.first) as u32;
            if j >= cc.len {
                return None;
            }
            let k = cc.prefix[(j + moved) as usize] + t - moved;
            cc.open.get(k as usize).copied()
        };
        let Some(earliest_delivery) = deliver(earliest) else {
            return RANGE;
        };
        if designated == NO_DATE {
            return (STATUS_OK, earliest, earliest_delivery, NO_DATE, transit);
        }
        let raw = if transit == 0 {
            Some(designated)
        } else {
            let j = designated.wrapping_sub(cc.first) as u32;
            (j < cc.len)
                .then(|| cc.prefix[j as usize])
                .and_then(|r| r.checked_sub(t))
                .and_then(|k| cc.open.get(k as usize).copied())
        };
        let latest = raw.and_then(|raw| {
            let j = raw.wrapping_sub(ship.first) as u32;
            (j < ship.len)
                .then(|| ship.prefix[j as usize + 1])
                .and_then(|r| r.checked_sub(1))
                .and_then(|k| ship.open.get(k as usize).copied())
        });
        let Some(latest) = latest else {
            return RANGE;
        };
        if latest < earliest || designated < earliest_delivery {
            return (
                STATUS_DESIGNATED_INFEASIBLE,
                earliest,
                earliest_delivery,
                latest,
                transit,
            );
        }
        let status = if latest > today && latest > earliest {
            STATUS_AWAITING_SHIP_DATE
        } else {
            STATUS_OK
        };
        (status, latest, designated, latest, transit)
    }
}

/// Mutable views of output columns.
struct OutMut<'a> {
    status: &'a mut [u8],
    ship_date: &'a mut [i32],
    delivery_date: &'a mut [i32],
    latest_ship_date: &'a mut [i32],
    transit_days: &'a mut [u8],
}

impl<'a> OutMut<'a> {
    fn of(out: &'a mut Output) -> OutMut<'a> {
        OutMut {
            status: &mut out.status,
            ship_date: &mut out.ship_date,
            delivery_date: &mut out.delivery_date,
            latest_ship_date: &mut out.latest_ship_date,
            transit_days: &mut out.transit_days,
        }
    }

    fn split_at(self, mid: usize) -> (OutMut<'a>, OutMut<'a>) {
        let (a0, b0) = self.status.split_at_mut(mid);
        let (a1, b1) = self.ship_date.split_at_mut(mid);
        let (a2, b2) = self.delivery_date.split_at_mut(mid);
        let (a3, b3) = self.latest_ship_date.split_at_mut(mid);
        let (a4, b4) = self.transit_days.split_at_mut(mid);
        (
            OutMut {
                status: a0,
                ship_date: a1,
                delivery_date: a2,
                latest_ship_date: a3,
                transit_days: a4,
            },
            OutMut {
                status: b0,
                ship_date: b1,
                delivery_date: b2,
                latest_ship_date: b3,
                transit_days: b4,
            },
        )
    }
}
