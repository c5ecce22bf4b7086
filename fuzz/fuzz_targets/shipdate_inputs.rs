//! Fuzzes every text a shop hands the calendar and ship-date code: transit and
//! remote-island CSV, holiday CSV, Chinese schedule TOML, calendar definitions and
//! policies with a request. The first byte picks the kind; nothing may panic, and a
//! built calendar must answer consistently.
#![no_main]

use ichigen_core::calendar::{BusinessCalendar, CalendarDef, china::ChinaSchedule, parse_holiday_csv};
use ichigen_core::shipdate::transit::{RemoteIslands, TransitTable};
use ichigen_core::shipdate::{PlanRequest, ShippingPolicy};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match kind % 6 {
        0 => {
            let (table, _) = TransitTable::from_csv(text, "t.csv");
            let _ = table.resolve(13, &["yamato", "*"]);
        }
        1 => {
            let (islands, _) = RemoteIslands::from_csv(text, "i.csv");
            let _ = islands.extra_days(text);
        }
        2 => {
            let _ = parse_holiday_csv(text, "h.csv");
        }
        3 => {
            if let Ok(s) = ChinaSchedule::parse_toml(text) {
                for y in s.years() {
                    let _ = s.year(y);
                }
            }
        }
        4 => {
            let Ok(def) = CalendarDef::from_json(text) else {
                return;
            };
            let Ok(cal) = BusinessCalendar::build(&def) else {
                return;
            };
            let (first, last) = (cal.first(), cal.last());
            for d in [first, last, first + chrono::Days::new(400)] {
                if let (Ok(next), Ok(add)) = (cal.next_business_day(d), cal.add_business_days(d, 1)) {
                    assert_eq!(next, add);
                }
                if let Ok(n) = cal.count_business_days(first, d) {
                    assert!(n >= 0);
                }
            }
        }
        _ => {
            // A policy and a request separated by a NUL.
            let Some((policy, request)) = text.split_once('\0') else {
                return;
            };
            let Ok(policy) = serde_json::from_str::<serde_json::Value>(policy) else {
                return;
            };
            let Ok(policy) = ShippingPolicy::from_value(policy) else {
                return;
            };
            let Ok(request) = serde_json::from_str::<PlanRequest>(request) else {
                return;
            };
            let today = request.ordered_at.date_naive();
            if let Ok(plan) = policy.plan(&request, today) {
                assert!(plan.ship_date >= plan.start_date);
                let _ = plan.explanation();
            }
        }
    }
});
