//! Business-day arithmetic on a Japanese store calendar (Saturday, Sunday, national
//! holidays and the 12/29–1/3 closure): `add_business_days` with N in 0..10,
//! `is_business_day` and `count_business_days` over 1,000,000 random dates from
//! 2000–2089, each through the public API (`NaiveDate` in, `Result` out) and
//! through the raw tables (`BusinessCalendar::tables()`, day numbers in and out)
//! that batch code uses, and the raw tables with the public API's date
//! conversions around them. `date_tables_experiment` answers NaiveDate for
//! NaiveDate from tables keyed by date (year starts in, business days as NaiveDate
//! out): what the public API could cost without chrono's day-number conversions.
//!
//! Throughput is in operations. The answers of both paths are compared with each
//! other and, for the first 20,000 operations, with a day-by-day walk; inside the
//! measured loop the sum of the answers must equal the precomputed one.

use std::hint::black_box;
use std::time::Duration;

use chrono::{Datelike, Days, NaiveDate};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ichigen_core::calendar::{BusinessCalendar, CalendarDef};
use ichigen_testkit::generate::SplitMix64;

const OPS: usize = 1_000_000;
/// Operations checked against a day-by-day walk.
const WALKED: usize = 20_000;

fn store() -> BusinessCalendar {
    let def: CalendarDef = serde_json::from_str(
        r#"{
            "name": "store",
            "closed_weekdays": ["sat", "sun"],
            "holidays": ["japan"],
            "annual_closed": [{"from": "12-29", "to": "01-03", "reason": "年末年始"}]
        }"#,
    )
    .expect("the store calendar parses");
    BusinessCalendar::build(&def).expect("the store calendar builds")
}

/// Random dates in 2000-01-01 … 2089-12-31 and N in 0..10.
fn inputs() -> (Vec<NaiveDate>, Vec<i64>) {
    let mut g = SplitMix64::new(2026);
    let first = NaiveDate::from_ymd_opt(2000, 1, 1).expect("a date");
    let span = NaiveDate::from_ymd_opt(2090, 1, 1)
        .expect("a date")
        .signed_duration_since(first)
        .num_days() as u64;
    let dates = (0..OPS).map(|_| first + Days::new(g.below(span))).collect();
    let ns = (0..OPS).map(|_| g.below(10) as i64).collect();
    (dates, ns)
}

/// The n-th business day after `d` (n = 0: `d` rolled forward), one day at a time.
fn walk(cal: &BusinessCalendar, d: NaiveDate, n: i64) -> NaiveDate {
    let open = |d: NaiveDate| cal.is_business_day(d).expect("inside the range");
    let mut d = d;
    if n == 0 {
        while !open(d) {
            d = d.succ_opt().expect("a next day");
        }
        return d;
    }
    let mut left = n;
    while left > 0 {
        d = d.succ_opt().expect("a next day");
        if open(d) {
            left -= 1;
        }
    }
    d
}

fn ce(d: NaiveDate) -> i32 {
    d.num_days_from_ce()
}

/// `add_business_days` on the raw tables, with day numbers from CE.
#[inline(always)]
fn raw_add(first: i32, prefix: &[u32], open: &[u32], day: i32, n: i64) -> i32 {
    let i = (day - first) as usize;
    let k = if n > 0 {
        i64::from(prefix[i + 1]) + n - 1
    } else {
        i64::from(prefix[i])
    };
    first + open[k as usize] as i32
}

fn calendar(c: &mut Criterion) {
    let cal = store();
    let (first, prefix, open) = cal.tables();
    let (dates, ns) = inputs();
    let days: Vec<i32> = dates.iter().map(|&d| ce(d)).collect();
    let ends: Vec<NaiveDate> = dates
        .iter()
        .zip(&ns)
        .map(|(&d, &n)| d + Days::new((n * 7) as u64))
        .collect();
    let end_days: Vec<i32> = ends.iter().map(|&d| ce(d)).collect();

    // The answers, by both paths and (for a prefix) by walking.
    let public: Vec<i32> = dates
        .iter()
        .zip(&ns)
        .map(|(&d, &n)| ce(cal.add_business_days(d, n).expect("inside the range")))
        .collect();
    let raw: Vec<i32> = days
        .iter()
        .zip(&ns)
        .map(|(&d, &n)| raw_add(first, prefix, open, d, n))
        .collect();
    assert_eq!(
        public, raw,
        "the raw-table path disagrees with the public API"
    );
    for i in 0..WALKED {
        assert_eq!(ce(walk(&cal, dates[i], ns[i])), public[i], "row {i}");
    }
    let add_sum: i64 = public.iter().map(|&d| i64::from(d)).sum();
    let open_count = dates
        .iter()
        .filter(|&&d| cal.is_business_day(d).expect("inside the range"))
        .count();
    assert!(open_count > OPS / 2 && open_count < OPS * 3 / 4);
    let count_sum: i64 = dates
        .iter()
        .zip(&ends)
        .map(|(&a, &b)| cal.count_business_days(a, b).expect("inside the range"))
        .sum();
    for i in 0..WALKED {
        let mut d = dates[i];
        let mut n = 0;
        while d < ends[i] {
            n += i64::from(cal.is_business_day(d).expect("inside the range"));
            d = d.succ_opt().expect("a next day");
        }
        assert_eq!(cal.count_business_days(dates[i], ends[i]), Ok(n), "row {i}");
    }

    let mut group = c.benchmark_group("calendar");
    group.throughput(Throughput::Elements(OPS as u64));

    group.bench_function("add_business_days/public", |b| {
        b.iter(|| {
            let mut sum = 0i64;
            for (&d, &n) in black_box(&dates).iter().zip(&ns) {
                let r = cal.add_business_days(d, n).expect("inside the range");
                sum += i64::from(r.num_days_from_ce());
            }
            assert_eq!(sum, add_sum);
            sum
        })
    });
    group.bench_function("add_business_days/raw_tables", |b| {
        b.iter(|| {
            let (first, prefix, open) = cal.tables();
            let mut sum = 0i64;
            for (&d, &n) in black_box(&days).iter().zip(&ns) {
                sum += i64::from(raw_add(first, prefix, open, d, n));
            }
            assert_eq!(sum, add_sum);
            sum
        })
    });
    // The raw tables with the public API's conversions around them (NaiveDate
    // to a day number and back, as `add_business_days` does): what the dates
    // cost, apart from the calls and the `Result`.
    group.bench_function("add_business_days/raw_tables_with_dates", |b| {
        b.iter(|| {
            let (first, prefix, open) = cal.tables();
            let mut sum = 0i64;
            for (&d, &n) in black_box(&dates).iter().zip(&ns) {
                let day = raw_add(first, prefix, open, d.num_days_from_ce(), n);
                let r = NaiveDate::from_num_days_from_ce_opt(day).expect("a date");
                sum += i64::from(r.num_days_from_ce());
            }
            assert_eq!(sum, add_sum);
            sum
        })
    });
    // An experiment for the core: the same tables keyed by NaiveDate without the
    // day-number conversions (a table of year starts in, a table of business
    // days as NaiveDate out), answering NaiveDate for NaiveDate.
    let first_year = cal.first().year();
    let year_start: Vec<i32> = (first_year..=cal.last().year() + 1)
        .map(|y| ce(NaiveDate::from_ymd_opt(y, 1, 1).expect("a date")) - first)
        .collect();
    let open_dates: Vec<NaiveDate> = open
        .iter()
        .map(|&o| NaiveDate::from_num_days_from_ce_opt(first + o as i32).expect("a date"))
        .collect();
    group.bench_function("add_business_days/date_tables_experiment", |b| {
        b.iter(|| {
            let mut sum = 0i64;
            for (&d, &n) in black_box(&dates).iter().zip(&ns) {
                let i =
                    (year_start[(d.year() - first_year) as usize] + d.ordinal0() as i32) as usize;
                let k = if n > 0 {
                    i64::from(prefix[i + 1]) + n - 1
                } else {
                    i64::from(prefix[i])
                };
                let r = open_dates[k as usize];
                sum += i64::from(r.num_days_from_ce());
            }
            assert_eq!(sum, add_sum);
            sum
        })
    });
    group.bench_function("is_business_day/public", |b| {
        b.iter(|| {
            let mut count = 0usize;
            for &d in black_box(&dates) {
                count += usize::from(cal.is_business_day(d).expect("inside the range"));
            }
            assert_eq!(count, open_count);
            count
        })
    });
    group.bench_function("is_business_day/raw_tables", |b| {
        b.iter(|| {
            let (first, prefix, _) = cal.tables();
            let mut count = 0usize;
            for &d in black_box(&days) {
                let i = (d - first) as usize;
                count += usize::from(prefix[i + 1] > prefix[i]);
            }
            assert_eq!(count, open_count);
            count
        })
    });
    group.bench_function("count_business_days/public", |b| {
        b.iter(|| {
            let mut sum = 0i64;
            for (&a, &z) in black_box(&dates).iter().zip(&ends) {
                sum += cal.count_business_days(a, z).expect("inside the range");
            }
            assert_eq!(sum, count_sum);
            sum
        })
    });
    group.bench_function("count_business_days/raw_tables", |b| {
        b.iter(|| {
            let (first, prefix, _) = cal.tables();
            let mut sum = 0i64;
            for (&a, &z) in black_box(&days).iter().zip(&end_days) {
                sum += i64::from(prefix[(z - first) as usize])
                    - i64::from(prefix[(a - first) as usize]);
            }
            assert_eq!(sum, count_sum);
            sum
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = calendar
}
criterion_main!(benches);
