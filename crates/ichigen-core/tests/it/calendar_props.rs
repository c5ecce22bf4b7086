//! Business-day arithmetic against a day-by-day walk, and the batch planner against
//! the single plan, over random calendars, dates and requests.

use chrono::{Days, NaiveDate};
use ichigen_core::calendar::{
    AnnualRange, BusinessCalendar, CalendarDef, DateRange, DayRange, HolidaySource, WeekdayName,
};
use ichigen_core::shipdate::batch::{self, BatchPlanner, Columns, NO_DATE, STATUS_NAMES};
use ichigen_core::shipdate::{PlanRequest, PolicyDef, ShippingPolicy};
use proptest::prelude::*;

const FIRST: NaiveDate = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
const LAST: NaiveDate = NaiveDate::from_ymd_opt(2027, 12, 31).unwrap();

fn day(offset: u32) -> NaiveDate {
    FIRST + Days::new(u64::from(offset))
}

const WEEKDAYS: [WeekdayName; 7] = [
    WeekdayName::Mon,
    WeekdayName::Tue,
    WeekdayName::Wed,
    WeekdayName::Thu,
    WeekdayName::Fri,
    WeekdayName::Sat,
    WeekdayName::Sun,
];

prop_compose! {
    fn calendar_def()(
        weekly in proptest::collection::vec(any::<bool>(), 7),
        japan in any::<bool>(),
        closed in proptest::collection::vec((0u32..1095, 0u32..12), 0..6),
        open in proptest::collection::vec(0u32..1095, 0..6),
        listed in proptest::collection::vec(0u32..1095, 0..6),
        annual in any::<bool>(),
    ) -> CalendarDef {
        CalendarDef {
            name: "c".into(),
            closed_weekdays: WEEKDAYS.iter().zip(&weekly).filter(|(_, c)| **c).map(|(w, _)| *w).collect(),
            holidays: {
                let mut h = vec![HolidaySource::List(listed.iter().map(|&o| ichigen_core::calendar::Holiday { date: day(o), name: "x".into() }).collect())];
                if japan { h.push(HolidaySource::Japan); }
                h
            },
            closed: closed.iter().map(|&(from, len)| DayRange { from: day(from), to: Some(day(from + len)), reason: "r".into() }).collect(),
            annual_closed: if annual { vec![AnnualRange { from: "12-29".into(), to: Some("01-03".into()), reason: "年末年始".into() }] } else { vec![] },
            open: open.iter().map(|&o| DayRange { from: day(o), to: None, reason: "o".into() }).collect(),
            range: Some(DateRange { from: FIRST, to: LAST }),
        }
    }
}

/// Whether `d` is open, by walking the definition directly.
fn naive_open(def: &CalendarDef, cal: &BusinessCalendar, d: NaiveDate) -> bool {
    // The tables' own verdict is what we test; the reasons come from the same build,
    // so recompute the verdict from the definition instead.
    use chrono::Datelike;
    if def.open.iter().any(|r| r.from == d) {
        return true;
    }
    let wd = WEEKDAYS[d.weekday().num_days_from_monday() as usize];
    let mut closed = def.closed_weekdays.contains(&wd);
    for h in &def.holidays {
        match h {
            HolidaySource::List(l) => closed |= l.iter().any(|x| x.date == d),
            HolidaySource::Japan => {
                closed |= ichigen_core::calendar::japan::holidays(d.year())
                    .iter()
                    .any(|(x, _)| *x == d)
            }
            _ => unreachable!(),
        }
    }
    closed |= def
        .closed
        .iter()
        .any(|r| r.from <= d && d <= r.to.unwrap_or(r.from));
    if !def.annual_closed.is_empty() {
        let md = (d.month(), d.day());
        closed |= md >= (12, 29) || md <= (1, 3);
    }
    let _ = cal;
    !closed
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arithmetic_matches_a_day_by_day_walk(def in calendar_def(), start in 30u32..1050, n in -25i64..25) {
        let cal = BusinessCalendar::build(&def).unwrap();
        let d = day(start);
        for o in 0..1095 {
            prop_assert_eq!(cal.is_business_day(day(o)).unwrap(), naive_open(&def, &cal, day(o)));
        }
        // add_business_days by walking.
        let walked = {
            let mut x = d;
            let mut left = n.abs();
            let ok = |x: NaiveDate| cal.is_business_day(x).ok();
            if n == 0 {
                while ok(x) == Some(false) { x = x.succ_opt().unwrap(); }
                Some(x)
            } else {
                loop {
                    x = if n > 0 { x.succ_opt().unwrap() } else { x.pred_opt().unwrap() };
                    match ok(x) {
                        None => break None,
                        Some(true) => { left -= 1; if left == 0 { break Some(x); } }
                        Some(false) => {}
                    }
                }
            }
        };
        match (cal.add_business_days(d, n), walked) {
            (Ok(a), Some(b)) => prop_assert_eq!(a, b),
            (Err(e), None) => prop_assert_eq!(e.code(), "CALENDAR_OUT_OF_RANGE"),
            (a, b) => prop_assert!(false, "table {a:?} walk {b:?}"),
        }
        // count over [d, d + 40) by walking; and next/previous agree with add ±1.
        let to = d + Days::new(40);
        let walked_count = (0..40).filter(|i| cal.is_business_day(d + Days::new(*i)).unwrap()).count() as i64;
        prop_assert_eq!(cal.count_business_days(d, to).unwrap(), walked_count);
        prop_assert_eq!(cal.count_business_days(to, d).unwrap(), -walked_count);
        prop_assert_eq!(cal.next_business_day(d).ok(), cal.add_business_days(d, 1).ok());
        prop_assert_eq!(cal.previous_business_day(d).ok(), cal.add_business_days(d, -1).ok());
        if let Ok(next) = cal.on_or_after(d) {
            prop_assert!(cal.is_business_day(next).unwrap() && next >= d);
        }
    }

    #[test]
    fn composed_calendar_is_open_only_when_all_are(a in calendar_def(), b in calendar_def(), o in 0u32..1095) {
        let (ca, cb) = (BusinessCalendar::build(&a).unwrap(), BusinessCalendar::build(&b).unwrap());
        let both = BusinessCalendar::intersect(&[&ca, &cb]).unwrap();
        let d = day(o);
        prop_assert_eq!(
            both.is_business_day(d).unwrap(),
            ca.is_business_day(d).unwrap() && cb.is_business_day(d).unwrap()
        );
    }

    #[test]
    fn batch_rows_equal_single_plans(
        def in calendar_def(),
        rows in proptest::collection::vec((0i64..86_400 * 900, 1u8..=47, 0u8..3, 0u32..5, proptest::option::of(0u32..30)), 1..40),
        today_offset in 0u32..900,
    ) {
        let policy_def = PolicyDef {
            origin: "東京都".into(),
            cutoff: "12:00".into(),
            zone: None,
            handling_days: 1,
            sku_handling_days: Default::default(),
            calendars: vec![def],
            carrier_calendars: vec![CalendarDef {
                name: "yamato".into(),
                closed_weekdays: vec![WeekdayName::Sun],
                holidays: vec![],
                closed: vec![],
                annual_closed: vec![],
                open: vec![],
                range: Some(DateRange { from: FIRST, to: LAST }),
            }],
            default_carrier: Some("yamato".into()),
            transit: Default::default(),
            remote_islands: Default::default(),
        };
        let policy = ShippingPolicy::build(&policy_def).unwrap();
        let planner = BatchPlanner::new(&[&policy], &["yamato"], chrono_tz::Asia::Tokyo).unwrap();
        let base = batch::epoch_days(FIRST) as i64 * 86_400;
        let at: Vec<i64> = rows.iter().map(|r| base + r.0).collect();
        let dest: Vec<u8> = rows.iter().map(|r| r.1).collect();
        let service: Vec<u8> = rows.iter().map(|r| r.2).collect();
        let handling: Vec<u32> = rows.iter().map(|r| r.3).collect();
        let designated: Vec<i32> = rows
            .iter()
            .map(|r| r.4.map_or(NO_DATE, |o| ((base + r.0) / 86_400) as i32 + o as i32))
            .collect();
        let today = day(today_offset);
        let out = planner
            .plan(
                &Columns {
                    ordered_at: &at,
                    policy: None,
                    destination: &dest,
                    carrier: None,
                    service: Some(&service),
                    handling_days: Some(&handling),
                    designated: Some(&designated),
                },
                batch::epoch_days(today),
            )
            .unwrap();
        for (i, r) in rows.iter().enumerate() {
            let req = PlanRequest {
                ordered_at: chrono::DateTime::from_timestamp(at[i], 0).unwrap(),
                zone: None,
                destination: r.1.to_string(),
                postal_code: None,
                carrier: None,
                service: [
                    ichigen_core::order::TemperatureZone::Ambient,
                    ichigen_core::order::TemperatureZone::Chilled,
                    ichigen_core::order::TemperatureZone::Frozen,
                ][usize::from(r.2)],
                skus: vec![],
                handling_days: Some(r.3),
                release_date: None,
                designated_date: batch::from_epoch_days(designated[i]).filter(|_| designated[i] != NO_DATE),
            };
            let date = |d: i32| if d == NO_DATE { None } else { batch::from_epoch_days(d) };
            match policy.plan(&req, today) {
                Ok(plan) => {
                    prop_assert_eq!(STATUS_NAMES[usize::from(out.status[i])], plan.status.as_str(), "row {}", i);
                    prop_assert_eq!(date(out.ship_date[i]), Some(plan.ship_date));
                    prop_assert_eq!(date(out.delivery_date[i]), plan.delivery_date);
                    prop_assert_eq!(date(out.latest_ship_date[i]), plan.latest_ship_date);
                    prop_assert_eq!(out.transit_days[i] as u32, plan.transit_days.unwrap_or(255));
                }
                Err(e) => {
                    prop_assert_eq!(e.code(), "CALENDAR_OUT_OF_RANGE");
                    prop_assert_eq!(STATUS_NAMES[usize::from(out.status[i])], "out_of_range");
                }
            }
        }
    }
}
