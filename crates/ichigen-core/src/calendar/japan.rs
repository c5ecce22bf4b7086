//! Japanese national holidays (国民の祝日), computed from the Act on National Holidays
//! (国民の祝日に関する法律, 昭和23年法律第178号) for 1948-07-20 ..= 2099-12-31.
//!
//! Nothing here is a typed-in list of dates. Each year is computed from the rules of
//! the Act as amended, with their history:
//!
//! - the statutory holidays (国民の祝日), fixed dates and Happy Monday dates
//!   (ハッピーマンデー制度, from 2000 and 2003), with the years each one existed;
//! - the vernal and autumnal equinox days (春分の日, 秋分の日) by the astronomical
//!   approximation used for the official announcements ([`vernal_equinox_day`],
//!   [`autumnal_equinox_day`]);
//! - the one-off holidays set by special laws (the imperial weddings of 1959 and 1993,
//!   the funeral of 1989, the enthronement ceremonies of 1990 and 2019) and the moves
//!   for the Tokyo Olympics (2020, 2021), which count as 国民の祝日 for the two rules
//!   below;
//! - the substitute holiday (振替休日, Art. 3(2)): from 1973-04-12 a holiday on a
//!   Sunday makes the following Monday a holiday; from 2007 the first following day
//!   that is not a holiday;
//! - the citizens' holiday (国民の休日, Art. 3(3)): from 1985-12-27 a day between two
//!   holidays is a holiday; until 2006 not if it is a Sunday or a substitute holiday.
//!
//! Names are the official Japanese ones; a substitute holiday is named `振替休日`, a
//! citizens' holiday `国民の休日` (the Cabinet Office list calls both `休日`).
//!
//! ```
//! use chrono::NaiveDate;
//! use ichigen_core::calendar::japan;
//!
//! let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
//! let golden_week: Vec<_> = japan::holidays(2019)
//!     .into_iter()
//!     .filter(|(date, _)| (d(2019, 4, 27)..=d(2019, 5, 6)).contains(date))
//!     .collect();
//! assert_eq!(
//!     golden_week,
//!     vec![
//!         (d(2019, 4, 29), "昭和の日"),
//!         (d(2019, 4, 30), "国民の休日"),
//!         (d(2019, 5, 1), "天皇の即位の日"),
//!         (d(2019, 5, 2), "国民の休日"),
//!         (d(2019, 5, 3), "憲法記念日"),
//!         (d(2019, 5, 4), "みどりの日"),
//!         (d(2019, 5, 5), "こどもの日"),
//!         (d(2019, 5, 6), "振替休日"),
//!     ]
//! );
//! assert_eq!(japan::vernal_equinox_day(2026), Some(20));
//! assert!(japan::holidays(2100).is_empty());
//! ```

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};

/// The first date the Act covers here: 1948-07-20, the day the Act took effect.
///
/// ```
/// use ichigen_core::calendar::japan;
///
/// assert_eq!(japan::FIRST_DATE.to_string(), "1948-07-20");
/// assert_eq!(japan::holidays(1948)[0].0.to_string(), "1948-09-23"); // 秋分の日
/// ```
pub const FIRST_DATE: NaiveDate = ymd(1948, 7, 20);

/// The last date the Act covers here: 2099-12-31 (the equinox approximation used for
/// 春分の日 and 秋分の日 is published for 1980–2099).
///
/// ```
/// use ichigen_core::calendar::japan;
///
/// assert_eq!(japan::LAST_DATE.to_string(), "2099-12-31");
/// assert!(japan::holidays(2100).is_empty());
/// ```
pub const LAST_DATE: NaiveDate = ymd(2099, 12, 31);

/// Art. 3(2) as enacted in 1973 (昭和48年法律第10号) took effect on 1973-04-12.
const SUBSTITUTE_FROM: NaiveDate = ymd(1973, 4, 12);
/// Art. 3(3) (昭和60年法律第103号) took effect on 1985-12-27.
const CITIZENS_FROM: NaiveDate = ymd(1985, 12, 27);
/// The 2005 amendment (平成17年法律第43号): new substitute and citizens' holiday rules
/// from 2007-01-01.
const RULES_2007: NaiveDate = ymd(2007, 1, 1);

const SUBSTITUTE: &str = "振替休日";
const CITIZENS: &str = "国民の休日";

const fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(date) => date,
        None => panic!("invalid constant date"),
    }
}

/// Holidays set by special laws, once. They count as 国民の祝日 for the substitute and
/// citizens' holiday rules (which is how 2019-04-30 and 2019-05-02 became holidays).
const ONE_OFF: [(NaiveDate, &str); 6] = [
    (ymd(1959, 4, 10), "皇太子明仁親王の結婚の儀"),
    (ymd(1989, 2, 24), "昭和天皇の大喪の礼"),
    (ymd(1990, 11, 12), "即位礼正殿の儀"),
    (ymd(1993, 6, 9), "皇太子徳仁親王の結婚の儀"),
    (ymd(2019, 5, 1), "天皇の即位の日"),
    (ymd(2019, 10, 22), "即位礼正殿の儀"),
];

/// The holidays of `year` with their Japanese names, sorted by date.
///
/// Empty outside 1948..=2099; for 1948 only the holidays on or after
/// [`FIRST_DATE`] (秋分の日, 文化の日, 勤労感謝の日). Never panics.
///
/// ```
/// use ichigen_core::calendar::japan;
///
/// let names: Vec<String> = japan::holidays(2009)
///     .iter()
///     .filter(|(date, _)| date.format("%m").to_string() == "09")
///     .map(|(date, name)| format!("{} {name}", date.format("%m-%d")))
///     .collect();
/// assert_eq!(names, ["09-21 敬老の日", "09-22 国民の休日", "09-23 秋分の日"]);
/// assert!(japan::holidays(i32::MIN).is_empty());
/// ```
pub fn holidays(year: i32) -> Vec<(NaiveDate, &'static str)> {
    if !(FIRST_DATE.year()..=LAST_DATE.year()).contains(&year) {
        return Vec::new();
    }
    let national = national_holidays(year);

    let mut extra: BTreeMap<NaiveDate, &'static str> = BTreeMap::new();
    // 振替休日 (Art. 3(2)).
    for &date in national.keys() {
        if date < SUBSTITUTE_FROM || date.weekday() != Weekday::Sun {
            continue;
        }
        let mut next = date.succ_opt();
        if date >= RULES_2007 {
            // "その後において、その日に最も近い「国民の祝日」でない日"
            while let Some(d) = next.filter(|d| national.contains_key(d)) {
                next = d.succ_opt();
            }
        } else if next.is_some_and(|d| national.contains_key(&d)) {
            // "その翌日": already a holiday, nothing more.
            next = None;
        }
        if let Some(d) = next.filter(|d| d.year() == year) {
            extra.insert(d, SUBSTITUTE);
        }
    }
    // 国民の休日 (Art. 3(3)).
    for &date in national.keys() {
        let Some(day) = date.succ_opt() else { continue };
        let Some(after) = day.succ_opt() else {
            continue;
        };
        if day < CITIZENS_FROM
            || day.year() != year
            || national.contains_key(&day)
            || !national.contains_key(&after)
            || extra.contains_key(&day)
        {
            continue;
        }
        // Until 2006 a Sunday between two holidays stays a Sunday.
        if day < RULES_2007 && day.weekday() == Weekday::Sun {
            continue;
        }
        extra.insert(day, CITIZENS);
    }

    let mut all = national;
    all.extend(extra);
    all.into_iter().collect()
}

/// The statutory holidays (国民の祝日) of `year`, one-offs included, from
/// [`FIRST_DATE`] on; no substitute or citizens' holidays.
fn national_holidays(year: i32) -> BTreeMap<NaiveDate, &'static str> {
    let mut out: BTreeMap<NaiveDate, &'static str> = BTreeMap::new();
    let mut add = |date: Option<NaiveDate>, name: &'static str| {
        if let Some(date) = date.filter(|d| *d >= FIRST_DATE && d.year() == year) {
            out.insert(date, name);
        }
    };
    let on = |month: u32, day: u32| NaiveDate::from_ymd_opt(year, month, day);
    let monday =
        |month: u32, n: u8| NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, n);

    add(on(1, 1), "元日");
    add(
        if year < 2000 { on(1, 15) } else { monday(1, 2) },
        "成人の日",
    );
    if year >= 1967 {
        add(on(2, 11), "建国記念の日");
    }
    match year {
        ..=1988 => add(on(4, 29), "天皇誕生日"),
        1989..=2018 => add(on(12, 23), "天皇誕生日"),
        2019 => {}
        2020.. => add(on(2, 23), "天皇誕生日"),
    }
    add(vernal_equinox_day(year).and_then(|d| on(3, d)), "春分の日");
    match year {
        ..=1988 => {}
        1989..=2006 => add(on(4, 29), "みどりの日"),
        2007.. => {
            add(on(4, 29), "昭和の日");
            add(on(5, 4), "みどりの日");
        }
    }
    add(on(5, 3), "憲法記念日");
    add(on(5, 5), "こどもの日");
    match year {
        ..=1995 => {}
        1996..=2002 => add(on(7, 20), "海の日"),
        2020 => add(on(7, 23), "海の日"),
        2021 => add(on(7, 22), "海の日"),
        2003.. => add(
            NaiveDate::from_weekday_of_month_opt(year, 7, Weekday::Mon, 3),
            "海の日",
        ),
    }
    match year {
        ..=2015 => {}
        2020 => add(on(8, 10), "山の日"),
        2021 => add(on(8, 8), "山の日"),
        2016.. => add(on(8, 11), "山の日"),
    }
    match year {
        ..=1965 => {}
        1966..=2002 => add(on(9, 15), "敬老の日"),
        2003.. => add(
            NaiveDate::from_weekday_of_month_opt(year, 9, Weekday::Mon, 3),
            "敬老の日",
        ),
    }
    add(
        autumnal_equinox_day(year).and_then(|d| on(9, d)),
        "秋分の日",
    );
    match year {
        ..=1965 => {}
        1966..=1999 => add(on(10, 10), "体育の日"),
        2000..=2019 => add(monday(10, 2), "体育の日"),
        2020 => add(on(7, 24), "スポーツの日"),
        2021 => add(on(7, 23), "スポーツの日"),
        2022.. => add(monday(10, 2), "スポーツの日"),
    }
    add(on(11, 3), "文化の日");
    add(on(11, 23), "勤労感謝の日");
    for (date, name) in ONE_OFF {
        add(Some(date), name);
    }
    out
}

/// The day of March of the vernal equinox (春分日) in Japan Standard Time, by the
/// astronomical approximation the official announcements agree with, for 1900..=2099;
/// `None` outside.
///
/// The day is `floor(C + 0.242194 × (y − 1980)) − floor((y − 1980) / 4)` with
/// `C = 20.8357` for 1900–1979 and `20.8431` for 1980–2099, computed exactly in
/// integers.
///
/// ```
/// use ichigen_core::calendar::japan;
///
/// assert_eq!(japan::vernal_equinox_day(2025), Some(20));
/// assert_eq!(japan::vernal_equinox_day(2027), Some(21));
/// assert_eq!(japan::vernal_equinox_day(2100), None);
/// ```
pub fn vernal_equinox_day(year: i32) -> Option<u32> {
    equinox_day(year, 20_835_700, 20_843_100)
}

/// The day of September of the autumnal equinox (秋分日) in Japan Standard Time, by the
/// same approximation as [`vernal_equinox_day`] with `C = 23.2588` for 1900–1979 and
/// `23.2488` for 1980–2099, for 1900..=2099; `None` outside.
///
/// ```
/// use ichigen_core::calendar::japan;
///
/// assert_eq!(japan::autumnal_equinox_day(2012), Some(22));
/// assert_eq!(japan::autumnal_equinox_day(2025), Some(23));
/// assert_eq!(japan::autumnal_equinox_day(1899), None);
/// ```
pub fn autumnal_equinox_day(year: i32) -> Option<u32> {
    equinox_day(year, 23_258_800, 23_248_800)
}

/// `floor(c + 0.242194 (y − 1980)) − floor((y − 1980) / 4)`, constants in millionths.
/// (For 1900–1979 the published form is `int(c + 0.242194 (y − 1980) − int((y − 1983) / 4))`
/// with truncating division, which equals this one for those years.)
fn equinox_day(year: i32, c_before_1980: i64, c_from_1980: i64) -> Option<u32> {
    if !(1900..=2099).contains(&year) {
        return None;
    }
    let n = i64::from(year) - 1980;
    let c = if year < 1980 {
        c_before_1980
    } else {
        c_from_1980
    };
    let day = (c + 242_194 * n).div_euclid(1_000_000) - n.div_euclid(4);
    u32::try_from(day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        ymd(y, m, day)
    }

    fn name_on(date: NaiveDate) -> Option<&'static str> {
        holidays(date.year())
            .into_iter()
            .find(|(d, _)| *d == date)
            .map(|(_, n)| n)
    }

    #[test]
    fn out_of_range_years_are_empty() {
        for year in [i32::MIN, -1, 0, 1900, 1947, 2100, 9999, i32::MAX] {
            assert!(holidays(year).is_empty(), "{year}");
        }
        assert_eq!(vernal_equinox_day(i32::MIN), None);
        assert_eq!(autumnal_equinox_day(i32::MAX), None);
    }

    #[test]
    fn every_year_is_sorted_unique_and_inside_the_year() {
        for year in 1948..=2099 {
            let list = holidays(year);
            assert!(list.windows(2).all(|w| w[0].0 < w[1].0), "{year}");
            assert!(
                list.iter()
                    .all(|(date, _)| date.year() == year && *date >= FIRST_DATE)
            );
            assert!(list.len() >= 3, "{year}");
        }
    }

    #[test]
    fn equinox_formula_matches_the_pre_1980_published_form() {
        // int(C + 0.242194 (y-1980) - int((y-1983)/4)) with truncating division.
        for year in 1900..1980 {
            let n = i64::from(year) - 1980;
            let trunc = (i64::from(year) - 1983) / 4;
            let vernal = (20_835_700 + 242_194 * n - trunc * 1_000_000) / 1_000_000;
            let autumnal = (23_258_800 + 242_194 * n - trunc * 1_000_000) / 1_000_000;
            assert_eq!(
                vernal_equinox_day(year),
                u32::try_from(vernal).ok(),
                "{year}"
            );
            assert_eq!(
                autumnal_equinox_day(year),
                u32::try_from(autumnal).ok(),
                "{year}"
            );
        }
    }

    #[test]
    fn substitute_and_citizens_rules() {
        assert_eq!(name_on(d(1973, 2, 12)), None); // before Art. 3(2)
        assert_eq!(name_on(d(1973, 4, 30)), Some(SUBSTITUTE));
        assert_eq!(name_on(d(1986, 5, 4)), None); // a Sunday between two holidays
        assert_eq!(name_on(d(1987, 5, 4)), Some(SUBSTITUTE));
        assert_eq!(name_on(d(1988, 5, 4)), Some(CITIZENS));
        assert_eq!(name_on(d(2008, 5, 6)), Some(SUBSTITUTE));
        assert_eq!(name_on(d(2009, 9, 22)), Some(CITIZENS));
        assert_eq!(name_on(d(2019, 4, 30)), Some(CITIZENS));
        assert_eq!(name_on(d(2019, 5, 2)), Some(CITIZENS));
        assert_eq!(name_on(d(2019, 12, 23)), None);
    }
}
