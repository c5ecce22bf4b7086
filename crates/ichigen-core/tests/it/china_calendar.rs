//! The Chinese holiday schedules: the shipped data files against the State Council
//! notices, and the checks a shop's own file goes through.

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::{Datelike, NaiveDate, Weekday};
use ichigen_core::Issue;
use ichigen_core::calendar::china::ChinaSchedule;
use proptest::prelude::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/china")
}

/// Every `data/china/<year>.toml`, as (file stem, text).
fn data_files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(data_dir())
        .expect("data/china exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).expect("readable");
            (stem, text)
        })
        .collect();
    files.sort();
    files
}

fn codes(issues: &[Issue]) -> Vec<(&str, &str)> {
    issues
        .iter()
        .map(|i| (i.code.as_str(), i.path.as_str()))
        .collect()
}

#[test]
fn every_data_file_parses_and_is_built_in() {
    let files = data_files();
    assert!(files.len() >= 7, "{} files", files.len());
    let mut from_files = ChinaSchedule::default();
    for (stem, text) in &files {
        let one = ChinaSchedule::parse_toml(text)
            .unwrap_or_else(|e| panic!("{stem}.toml does not parse: {e:?}"));
        assert_eq!(
            one.years(),
            vec![stem.parse::<i32>().expect("file named after its year")],
            "{stem}.toml names another year"
        );
        from_files.merge(one);
    }
    // A file added to data/china but not to BUILTIN_FILES would show here.
    assert_eq!(ChinaSchedule::builtin(), from_files);
    assert_eq!(
        ChinaSchedule::builtin().years(),
        (2020..=2026).collect::<Vec<_>>()
    );
}

#[test]
fn every_adjusted_workday_is_a_weekend_day() {
    let cn = ChinaSchedule::builtin();
    for year in cn.years() {
        let (_, workdays) = cn.year(year).unwrap();
        for (date, name) in workdays {
            assert!(
                matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
                "{date} ({name}) is a {:?}",
                date.weekday()
            );
        }
    }
}

#[test]
fn holidays_and_workdays_never_overlap_across_all_years() {
    let cn = ChinaSchedule::builtin();
    let mut off = BTreeSet::new();
    let mut work = BTreeSet::new();
    for year in cn.years() {
        let (holidays, workdays) = cn.year(year).unwrap();
        for (date, _) in holidays {
            assert!(off.insert(date), "{date} is a day off in two files");
        }
        for (date, _) in workdays {
            assert!(work.insert(date), "{date} is a workday in two files");
        }
    }
    let both: Vec<_> = off.intersection(&work).collect();
    assert!(both.is_empty(), "{both:?}");
    // And the lookups agree with the lists.
    for date in &off {
        assert!(
            cn.holiday(*date).is_some() && cn.workday(*date).is_none(),
            "{date}"
        );
    }
    for date in &work {
        assert!(
            cn.workday(*date).is_some() && cn.holiday(*date).is_none(),
            "{date}"
        );
    }
}

/// Days off and adjusted workdays per year, summed from each notice's items
/// ("共N天" and the listed 上班 days).
#[test]
fn counts_per_year_match_the_notices() {
    let expected = [
        // 元旦1 + 春节10 (extended to 2-02) + 清明3 + 劳动5 + 端午3 + 国庆中秋8
        (2020, 30, 6),
        // 3 + 7 + 3 + 5 + 3 + 3 + 7
        (2021, 31, 7),
        (2022, 31, 7),
        // 3 (from 2022-12-31) + 7 + 1 + 5 + 3 + 8
        (2023, 27, 7),
        // 1 + 8 + 3 + 5 + 1 + 3 + 7
        (2024, 28, 8),
        // 1 + 8 + 3 + 5 + 3 + 8
        (2025, 28, 5),
        // 3 + 9 + 3 + 5 + 3 + 3 + 7
        (2026, 33, 6),
    ];
    let cn = ChinaSchedule::builtin();
    for (year, off, work) in expected {
        let (h, w) = cn.year(year).unwrap();
        assert_eq!((h.len(), w.len()), (off, work), "{year}");
    }
}

#[test]
fn each_holiday_of_2026_matches_the_notice() {
    let cn = ChinaSchedule::builtin();
    let (holidays, workdays) = cn.year(2026).unwrap();
    let mut per_name: Vec<(String, usize, NaiveDate, NaiveDate)> = Vec::new();
    for (date, name) in &holidays {
        match per_name.last_mut() {
            Some((n, count, _, last)) if n == name => {
                *count += 1;
                *last = *date;
            }
            _ => per_name.push((name.clone(), 1, *date, *date)),
        }
    }
    let got: Vec<(&str, usize, String, String)> = per_name
        .iter()
        .map(|(n, c, f, l)| (n.as_str(), *c, f.to_string(), l.to_string()))
        .collect();
    let want = [
        ("元旦", 3, "2026-01-01", "2026-01-03"),
        ("春节", 9, "2026-02-15", "2026-02-23"),
        ("清明节", 3, "2026-04-04", "2026-04-06"),
        ("劳动节", 5, "2026-05-01", "2026-05-05"),
        ("端午节", 3, "2026-06-19", "2026-06-21"),
        ("中秋节", 3, "2026-09-25", "2026-09-27"),
        ("国庆节", 7, "2026-10-01", "2026-10-07"),
    ];
    let want: Vec<(&str, usize, String, String)> = want
        .iter()
        .map(|(n, c, f, l)| (*n, *c, f.to_string(), l.to_string()))
        .collect();
    assert_eq!(got, want);
    let work: Vec<(String, &str)> = workdays
        .iter()
        .map(|(d, n)| (d.to_string(), n.as_str()))
        .collect();
    assert_eq!(
        work,
        vec![
            ("2026-01-04".to_owned(), "元旦"),
            ("2026-02-14".to_owned(), "春节"),
            ("2026-02-28".to_owned(), "春节"),
            ("2026-05-09".to_owned(), "劳动节"),
            ("2026-09-20".to_owned(), "国庆节"),
            ("2026-10-10".to_owned(), "国庆节"),
        ]
    );
}

#[test]
fn the_2020_spring_festival_is_the_extended_one() {
    let cn = ChinaSchedule::builtin();
    // Extended to Sunday 2-02 by 国办发明电〔2020〕1号; the planned working Saturday
    // 2-01 fell inside the extension and was a day off.
    assert_eq!(cn.holiday(d("2020-01-31")), Some("春节"));
    assert_eq!(cn.holiday(d("2020-02-01")), Some("春节"));
    assert_eq!(cn.workday(d("2020-02-01")), None);
    assert_eq!(cn.holiday(d("2020-02-02")), Some("春节"));
    assert_eq!(cn.holiday(d("2020-02-03")), None);
    assert_eq!(cn.workday(d("2020-01-19")), Some("春节"));
}

#[test]
fn a_day_in_the_neighbouring_year_belongs_to_the_file_that_lists_it() {
    let cn = ChinaSchedule::builtin();
    assert_eq!(cn.holiday(d("2022-12-31")), Some("元旦"));
    let (h2022, _) = cn.year(2022).unwrap();
    assert!(h2022.iter().all(|(date, _)| date.year() == 2022));
    assert!(!h2022.iter().any(|(date, _)| *date == d("2022-12-31")));
    let (h2023, _) = cn.year(2023).unwrap();
    assert_eq!(h2023[0], (d("2022-12-31"), "元旦".to_owned()));
    // A schedule with 2023 only still answers for the day in 2022.
    let mut only_2023 = ChinaSchedule::default();
    only_2023.merge(
        ChinaSchedule::parse_toml(&std::fs::read_to_string(data_dir().join("2023.toml")).unwrap())
            .unwrap(),
    );
    assert_eq!(only_2023.holiday(d("2022-12-31")), Some("元旦"));
}

#[test]
fn years_outside_the_data_are_absent_not_guessed() {
    let cn = ChinaSchedule::builtin();
    assert!(cn.year(2019).is_none());
    assert!(cn.year(2027).is_none());
    // 2027-01-01 is 元旦 by law, but no notice is shipped: no answer.
    assert_eq!(cn.holiday(d("2027-01-01")), None);
    assert_eq!(cn.holiday(d("2019-10-01")), None);
}

#[test]
fn merge_adds_and_replaces_whole_years() {
    let mut cn = ChinaSchedule::builtin();
    let shop_2025 = ChinaSchedule::parse_toml(
        r#"
year = 2025
source = "shop override"

[[holiday]]
name = "春节"
from = "2025-01-27"
to = "2025-02-05"
"#,
    )
    .unwrap();
    cn.merge(shop_2025);
    let (h, w) = cn.year(2025).unwrap();
    assert_eq!((h.len(), w.len()), (10, 0));
    // The shipped 2025 days are gone, not mixed in.
    assert_eq!(cn.holiday(d("2025-01-01")), None);
    assert_eq!(cn.workday(d("2025-01-26")), None);
    assert_eq!(cn.holiday(d("2025-01-27")), Some("春节"));
    assert_eq!(cn.source(2025), Some("shop override"));
    // Other years untouched.
    assert_eq!(cn.year(2024), ChinaSchedule::builtin().year(2024));

    let shop_2031 = ChinaSchedule::parse_toml(
        "year = 2031\nsource = \"made up\"\n[[holiday]]\nname = \"元旦\"\nfrom = 2031-01-01\n",
    )
    .unwrap();
    cn.merge(shop_2031);
    assert_eq!(
        cn.years(),
        vec![2020, 2021, 2022, 2023, 2024, 2025, 2026, 2031]
    );
    assert_eq!(cn.holiday(d("2031-01-01")), Some("元旦"));
}

#[test]
fn toml_native_dates_and_strings_are_both_accepted() {
    let a = ChinaSchedule::parse_toml(
        "year = 2030\nsource = \"s\"\n[[holiday]]\nname = \"x\"\nfrom = 2030-05-01\nto = \"2030-05-03\"\nworkdays = [2030-05-04, \"2030-04-27\"]\n",
    )
    .unwrap();
    let b = ChinaSchedule::parse_toml(
        "year = 2030\nsource = \"s\"\n[[holiday]]\nname = \"x\"\nfrom = \"2030-05-01\"\nto = 2030-05-03\nworkdays = [\"2030-05-04\", 2030-04-27]\n",
    )
    .unwrap();
    assert_eq!(a, b);
    assert_eq!(a.year(2030).unwrap().1.len(), 2);
}

#[test]
fn a_bad_file_reports_every_problem_at_once() {
    let text = r#"
year = 2030
source = "test"
colour = "red"

[[holiday]]
name = "元旦"
from = "2030-01-01"
to = "2029-12-30"

[[holiday]]
name = "春节"
from = "2030-02-02"
to = "2030-02-08"
workdays = ["2030-02-05", "2030-02-11", "2030-02-09", "2030-02-09", "2030-13-01"]
note = "x"

[[holiday]]
from = "2030-02-08"

[[holiday]]
name = "清明节"
from = "2030-02-07"
to = "2030-02-09"

[[holiday]]
name = "国庆节"
from = "2030-10-01"
to = "2030-12-31"

[[holiday]]
name = ""
from = "2033-01-01"
workdays = "2030-09-29"
"#;
    let issues = ChinaSchedule::parse_toml(text).unwrap_err();
    assert_eq!(
        codes(&issues),
        vec![
            ("CALENDAR_UNKNOWN_FIELD", "$.colour"),
            ("CALENDAR_BAD_VALUE", "$.holiday[0].to"),
            ("CALENDAR_UNKNOWN_FIELD", "$.holiday[1].note"),
            // 2030-02-05 is a Tuesday, 2030-02-11 a Monday.
            ("CALENDAR_WORKDAY_NOT_WEEKEND", "$.holiday[1].workdays[0]"),
            ("CALENDAR_WORKDAY_NOT_WEEKEND", "$.holiday[1].workdays[1]"),
            ("CALENDAR_BAD_DATE", "$.holiday[1].workdays[4]"),
            ("CALENDAR_MISSING_FIELD", "$.holiday[2].name"),
            ("CALENDAR_BAD_VALUE", "$.holiday[4].to"),
            ("CALENDAR_BAD_VALUE", "$.holiday[5].name"),
            ("CALENDAR_BAD_DATE", "$.holiday[5].from"),
            ("CALENDAR_BAD_VALUE", "$.holiday[5].workdays"),
            // 清明节 shares 2-07 and 2-08 with 春节.
            ("CALENDAR_OVERLAP", "$.holiday[3]"),
            // 2-09 is a day off of 清明节, and listed twice.
            ("CALENDAR_OVERLAP", "$.holiday[1].workdays[2]"),
            ("CALENDAR_OVERLAP", "$.holiday[1].workdays[3]"),
        ]
    );
}

#[test]
fn missing_and_mistyped_top_level_fields() {
    let issues = ChinaSchedule::parse_toml("").unwrap_err();
    assert_eq!(
        codes(&issues),
        vec![
            ("CALENDAR_MISSING_FIELD", "$.year"),
            ("CALENDAR_MISSING_FIELD", "$.source"),
            ("CALENDAR_MISSING_FIELD", "$.holiday"),
        ]
    );
    let issues =
        ChinaSchedule::parse_toml("year = \"2030\"\nsource = 5\nholiday = []\n").unwrap_err();
    assert_eq!(
        codes(&issues),
        vec![
            ("CALENDAR_BAD_VALUE", "$.year"),
            ("CALENDAR_BAD_VALUE", "$.source"),
            ("CALENDAR_BAD_VALUE", "$.holiday"),
        ]
    );
    let issues = ChinaSchedule::parse_toml(
        "year = 99999999999\nsource = \"s\"\n[holiday]\nname = \"x\"\nfrom = \"2030-01-01\"\n",
    )
    .unwrap_err();
    assert_eq!(
        codes(&issues),
        vec![
            ("CALENDAR_BAD_VALUE", "$.year"),
            ("CALENDAR_BAD_VALUE", "$.holiday")
        ]
    );
    let issues =
        ChinaSchedule::parse_toml("year = 2030\nsource = \"s\"\nholiday = [1]\n").unwrap_err();
    assert_eq!(codes(&issues), vec![("CALENDAR_BAD_VALUE", "$.holiday[0]")]);
}

#[test]
fn dates_far_from_the_files_year_are_refused() {
    let issues = ChinaSchedule::parse_toml(
        "year = 2030\nsource = \"s\"\n[[holiday]]\nname = \"x\"\nfrom = \"2032-01-01\"\nworkdays = [\"2028-12-30\"]\n",
    )
    .unwrap_err();
    assert_eq!(
        codes(&issues),
        vec![
            ("CALENDAR_BAD_DATE", "$.holiday[0].from"),
            ("CALENDAR_BAD_DATE", "$.holiday[0].workdays[0]"),
        ]
    );
    // Times and offsets are not dates.
    let issues = ChinaSchedule::parse_toml(
        "year = 2030\nsource = \"s\"\n[[holiday]]\nname = \"x\"\nfrom = 2030-01-01T00:00:00\nto = \"2030-1-2\"\n",
    )
    .unwrap_err();
    assert_eq!(
        codes(&issues),
        vec![
            ("CALENDAR_BAD_DATE", "$.holiday[0].from"),
            ("CALENDAR_BAD_DATE", "$.holiday[0].to"),
        ]
    );
}

#[test]
fn malformed_toml_is_one_issue_with_a_position_and_no_input() {
    let issues = ChinaSchedule::parse_toml("year = 2030\nsource = \"secret-北京\n").unwrap_err();
    assert_eq!(codes(&issues), vec![("CALENDAR_NOT_TOML", "$")]);
    assert!(
        issues[0].message.contains("line 2"),
        "{}",
        issues[0].message
    );
    assert!(
        !issues[0].message.contains("secret"),
        "{}",
        issues[0].message
    );
}

#[test]
fn messages_never_quote_the_input() {
    let secret = "SECRET-王小明-13800138000";
    let text = format!(
        "year = \"{secret}\"\nsource = [\"{secret}\"]\n\"{secret}\" = 1\n[[holiday]]\nname = \"{secret}{secret}{secret}{secret}\"\nfrom = \"{secret}\"\nto = \"{secret}\"\nworkdays = [\"{secret}\"]\n\"{secret}x\" = 2\n"
    );
    let issues = ChinaSchedule::parse_toml(&text).unwrap_err();
    assert!(issues.len() >= 7, "{issues:?}");
    for issue in &issues {
        for part in ["SECRET", "王小明", "13800138000"] {
            assert!(!issue.message.contains(part), "{issue}");
            assert!(!issue.path.contains(part), "{issue}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_text_is_answered_without_panic(text in ".{0,400}") {
        let _ = ChinaSchedule::parse_toml(&text);
    }

    #[test]
    fn a_damaged_data_file_is_answered_without_panic(
        cut in 0usize..2000,
        len in 0usize..40,
        insert in "[ -~\\n]{0,12}",
    ) {
        let text = std::fs::read_to_string(data_dir().join("2025.toml")).unwrap();
        let mut start = cut.min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (start + len).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let damaged = format!("{}{}{}", &text[..start], insert, &text[end..]);
        if let Ok(cn) = ChinaSchedule::parse_toml(&damaged) {
            // Whatever parses still holds the invariants.
            for year in cn.years() {
                let (h, w) = cn.year(year).unwrap();
                for (date, _) in &w {
                    prop_assert!(matches!(date.weekday(), Weekday::Sat | Weekday::Sun));
                    prop_assert!(!h.iter().any(|(x, _)| x == date));
                }
            }
        }
    }
}
