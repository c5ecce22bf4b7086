//! Japanese national holidays against an independent source: the Cabinet Office list
//! (内閣府 syukujitsu.csv, 1955–2027), transcribed in `data/japan_holidays_1955_2027.csv`
//! (its header comment says where from). Every year is compared exactly, dates and
//! names; plus the equinox approximation against published dates and the edge years of
//! each rule change.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use ichigen_core::calendar::japan::{
    FIRST_DATE, LAST_DATE, autumnal_equinox_day, holidays, vernal_equinox_day,
};

const CABINET_OFFICE_CSV: &str = include_str!("data/japan_holidays_1955_2027.csv");

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
}

/// The fixture as year → (date → Cabinet Office name).
fn cabinet_office() -> BTreeMap<i32, BTreeMap<NaiveDate, String>> {
    let mut out: BTreeMap<i32, BTreeMap<NaiveDate, String>> = BTreeMap::new();
    let rows = CABINET_OFFICE_CSV
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1); // the source's header row
    for row in rows {
        let (date, name) = row.split_once(',').expect("date,name");
        let date = NaiveDate::parse_from_str(date, "%Y/%m/%d").expect("Y/M/D date");
        let previous = out
            .entry(date.year())
            .or_default()
            .insert(date, name.to_owned());
        assert!(previous.is_none(), "{date} twice in the fixture");
    }
    out
}

/// Our name as the Cabinet Office writes it: it calls substitute and citizens' holidays
/// 休日, the 2019 enthronement days 休日（祝日扱い）, the imperial weddings 結婚の儀, the
/// funeral 大喪の礼, and 2019's 体育の日 体育の日（スポーツの日）.
fn cabinet_office_name(date: NaiveDate, name: &str) -> String {
    match name {
        "振替休日" | "国民の休日" => "休日".into(),
        "天皇の即位の日" => "休日（祝日扱い）".into(),
        "即位礼正殿の儀" if date.year() == 2019 => "休日（祝日扱い）".into(),
        "皇太子明仁親王の結婚の儀" | "皇太子徳仁親王の結婚の儀" => {
            "結婚の儀".into()
        }
        "昭和天皇の大喪の礼" => "大喪の礼".into(),
        "体育の日" if date.year() == 2019 => "体育の日（スポーツの日）".into(),
        other => other.into(),
    }
}

#[test]
fn every_year_1955_to_2027_matches_the_cabinet_office_list() {
    let official = cabinet_office();
    assert_eq!(official.keys().next(), Some(&1955));
    assert_eq!(official.keys().last(), Some(&2027));
    assert_eq!(official.values().map(BTreeMap::len).sum::<usize>(), 1067);
    let mut problems = Vec::new();
    for year in 1955..=2027 {
        let expected = official.get(&year).cloned().unwrap_or_default();
        let ours: BTreeMap<NaiveDate, String> = holidays(year)
            .into_iter()
            .map(|(date, name)| (date, cabinet_office_name(date, name)))
            .collect();
        for (date, name) in &expected {
            match ours.get(date) {
                None => problems.push(format!("{date}: missing ({name})")),
                Some(our) if our != name => problems.push(format!("{date}: {our} ≠ {name}")),
                Some(_) => {}
            }
        }
        for (date, name) in &ours {
            if !expected.contains_key(date) {
                problems.push(format!("{date}: extra ({name})"));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn equinox_days_match_published_dates() {
    // 国立天文台 (NAOJ) announcements and almanac dates, in JST.
    let vernal = [
        (1900, 21),
        (1948, 21),
        (1960, 20),
        (1976, 20),
        (1979, 21),
        (1980, 20),
        (1988, 20),
        (2012, 20),
        (2023, 21),
        (2024, 20),
        (2025, 20),
        (2026, 20),
        (2027, 21),
        (2044, 20),
        (2092, 19),
        (2096, 19),
        (2099, 20),
    ];
    for (year, day) in vernal {
        assert_eq!(vernal_equinox_day(year), Some(day), "vernal {year}");
    }
    let autumnal = [
        (1900, 23),
        (1948, 23),
        (1955, 24),
        (1979, 24),
        (1980, 23),
        (2012, 22),
        (2016, 22),
        (2020, 22),
        (2024, 22),
        (2025, 23),
        (2026, 23),
        (2032, 22),
        (2044, 22),
        (2092, 22),
        (2099, 23),
    ];
    for (year, day) in autumnal {
        assert_eq!(autumnal_equinox_day(year), Some(day), "autumnal {year}");
    }
    for year in [i32::MIN, 1899, 2100, i32::MAX] {
        assert_eq!(vernal_equinox_day(year), None);
        assert_eq!(autumnal_equinox_day(year), None);
    }
    // The days listed as 春分の日 / 秋分の日 are the formula's, every year.
    for year in 1949..=2099 {
        let list = holidays(year);
        let day_of = |name: &str| {
            list.iter()
                .find(|(_, n)| *n == name)
                .map(|(date, _)| (date.month(), date.day()))
        };
        assert_eq!(day_of("春分の日"), vernal_equinox_day(year).map(|d| (3, d)));
        assert_eq!(
            day_of("秋分の日"),
            autumnal_equinox_day(year).map(|d| (9, d))
        );
    }
}

fn year_of(year: i32) -> Vec<(String, &'static str)> {
    holidays(year)
        .into_iter()
        .map(|(date, name)| (date.format("%m-%d").to_string(), name))
        .collect()
}

fn has(year: i32, md: &str, name: &str) -> bool {
    year_of(year).iter().any(|(m, n)| m == md && *n == name)
}

fn is_holiday(year: i32, md: &str) -> bool {
    year_of(year).iter().any(|(m, _)| m == md)
}

#[test]
fn bounds() {
    assert_eq!(FIRST_DATE, d(1948, 7, 20));
    assert_eq!(LAST_DATE, d(2099, 12, 31));
    for year in [i32::MIN, -1, 0, 1947, 2100, i32::MAX] {
        assert!(holidays(year).is_empty(), "{year}");
    }
    assert_eq!(
        year_of(1948),
        [
            ("09-23".to_string(), "秋分の日"),
            ("11-03".to_string(), "文化の日"),
            ("11-23".to_string(), "勤労感謝の日"),
        ]
    );
    assert_eq!(year_of(1949).len(), 9);
    assert_eq!(year_of(1949)[0], ("01-01".to_string(), "元日"));
    let last = year_of(2099);
    assert_eq!(last.first(), Some(&("01-01".to_string(), "元日")));
    assert_eq!(last.last(), Some(&("11-23".to_string(), "勤労感謝の日")));
    assert!(has(2099, "03-20", "春分の日") && has(2099, "09-23", "秋分の日"));
}

#[test]
fn substitute_holiday_starts_1973_04_12() {
    assert!(has(1973, "02-11", "建国記念の日")); // a Sunday, before the amendment
    assert!(!is_holiday(1973, "02-12"));
    assert!(has(1973, "04-30", "振替休日")); // 4/29 Sunday, the first substitute
    assert!(has(1973, "09-24", "振替休日"));
    // 1972-01-02, 1967-01-02 (元日 on Sunday) were not substitutes.
    assert!(!is_holiday(1967, "01-02") && !is_holiday(1956, "01-02"));
}

#[test]
fn citizens_holiday_from_the_1985_amendment() {
    assert!(!is_holiday(1985, "05-04")); // Saturday, before the amendment took effect
    assert!(!is_holiday(1986, "05-04")); // Sunday between two holidays: just a Sunday
    assert!(has(1987, "05-04", "振替休日")); // 5/3 Sunday: substitute, not citizens'
    assert!(has(1988, "05-04", "国民の休日")); // the first
    assert!(has(1988, "03-21", "振替休日"));
    assert!(!is_holiday(1997, "05-04")); // Sunday again
    assert!(has(1998, "05-04", "振替休日"));
    assert!(has(2006, "05-04", "国民の休日"));
}

#[test]
fn the_2007_rules() {
    // 2006: 1/1 Sunday → 1/2.
    assert!(has(2006, "01-02", "振替休日"));
    // 2007: 5/4 becomes みどりの日, 4/29 昭和の日.
    assert!(has(2007, "04-29", "昭和の日") && has(2007, "04-30", "振替休日"));
    assert!(has(2007, "05-04", "みどりの日"));
    // 2008: 5/4 Sunday → the next non-holiday, 5/6.
    assert!(has(2008, "05-06", "振替休日"));
    // 2009: 5/3 Sunday → 5/6; 9/22 between 敬老の日 and 秋分の日.
    assert!(has(2009, "05-06", "振替休日") && has(2009, "09-22", "国民の休日"));
    assert!(has(2015, "09-22", "国民の休日") && has(2026, "09-22", "国民の休日"));
    // holiday-jp/holiday_jp holidays.yml lists these too (2032–2049).
    assert!(has(2032, "09-21", "国民の休日"));
    assert!(has(2037, "09-22", "国民の休日"));
    assert!(has(2043, "09-22", "国民の休日"));
    assert!(has(2049, "09-21", "国民の休日"));
    assert!(has(2033, "03-21", "振替休日") && has(2047, "08-12", "振替休日"));
}

#[test]
fn one_offs_2019_and_the_olympics() {
    let golden_week: Vec<_> = year_of(2019)
        .into_iter()
        .filter(|(md, _)| md.as_str() >= "04-27" && md.as_str() <= "05-06")
        .collect();
    let expected = [
        ("04-29", "昭和の日"),
        ("04-30", "国民の休日"),
        ("05-01", "天皇の即位の日"),
        ("05-02", "国民の休日"),
        ("05-03", "憲法記念日"),
        ("05-04", "みどりの日"),
        ("05-05", "こどもの日"),
        ("05-06", "振替休日"),
    ];
    assert_eq!(
        golden_week,
        expected.map(|(m, n)| (m.to_string(), n)).to_vec()
    );
    assert!(has(2019, "10-22", "即位礼正殿の儀"));
    assert!(has(2019, "10-14", "体育の日"));
    assert!(!is_holiday(2019, "12-23")); // no 天皇誕生日 in 2019
    assert!(has(2018, "12-23", "天皇誕生日") && has(2020, "02-23", "天皇誕生日"));
    assert!(has(2020, "07-23", "海の日") && has(2020, "07-24", "スポーツの日"));
    assert!(has(2020, "08-10", "山の日") && !is_holiday(2020, "10-12"));
    assert!(has(2021, "07-22", "海の日") && has(2021, "07-23", "スポーツの日"));
    assert!(has(2021, "08-08", "山の日") && has(2021, "08-09", "振替休日"));
    assert!(!is_holiday(2021, "07-19") && !is_holiday(2021, "08-11"));
    assert!(has(2022, "10-10", "スポーツの日"));
    assert!(has(1959, "04-10", "皇太子明仁親王の結婚の儀"));
    assert!(has(1989, "02-24", "昭和天皇の大喪の礼"));
    assert!(has(1990, "11-12", "即位礼正殿の儀"));
    assert!(has(1993, "06-09", "皇太子徳仁親王の結婚の儀"));
}
