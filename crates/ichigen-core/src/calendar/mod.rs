//! Business calendars (営業日カレンダー): weekly closed days, holiday sources,
//! special closed and open days, and O(1) business-day arithmetic.
//!
//! A [`CalendarDef`] says what closes a day; [`BusinessCalendar::build`] turns it into
//! tables over a fixed range of dates (the prefix count of business days and the list
//! of business days), so that every question is a lookup. A date outside the range is
//! a [`CalendarError::OutOfRange`], never a guess.
//!
//! Precedence, per day: a special open day opens the day whatever else says; otherwise
//! the day is closed if a weekly closed day, a holiday of any source, a special closed
//! range or an annual closure says so; a Chinese adjusted working day (调休) reopens a
//! weekend day that only the weekly rule closed.
//!
//! ```
//! use chrono::NaiveDate;
//! use ichigen_core::calendar::{BusinessCalendar, CalendarDef};
//!
//! let def: CalendarDef = serde_json::from_str(r#"{
//!     "name": "store",
//!     "closed_weekdays": ["sat", "sun"],
//!     "holidays": ["japan"],
//!     "annual_closed": [{"from": "12-29", "to": "01-03", "reason": "年末年始"}]
//! }"#)?;
//! let store = BusinessCalendar::build(&def)?;
//! let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
//! assert!(!store.is_business_day(d("2026-12-30"))?);
//! // Three business days after Friday 2026-12-25: 12/28, then 1/4, 1/5 (1/1–1/3 closed).
//! assert_eq!(store.add_business_days(d("2026-12-25"), 3)?, d("2027-01-05"));
//! assert_eq!(store.count_business_days(d("2026-12-28"), d("2027-01-05"))?, 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod china;
pub mod japan;

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::error::Issue;

/// The widest range a calendar covers unless its definition narrows it.
pub const DEFAULT_FIRST: NaiveDate = ymd(1948, 1, 1);
/// The last date a calendar covers unless its definition narrows it.
pub const DEFAULT_LAST: NaiveDate = ymd(2099, 12, 31);

const fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(date) => date,
        None => panic!("invalid constant date"),
    }
}

/// A day of the week, written `mon` … `sun`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum WeekdayName {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl WeekdayName {
    fn of(day: Weekday) -> WeekdayName {
        match day {
            Weekday::Mon => WeekdayName::Mon,
            Weekday::Tue => WeekdayName::Tue,
            Weekday::Wed => WeekdayName::Wed,
            Weekday::Thu => WeekdayName::Thu,
            Weekday::Fri => WeekdayName::Fri,
            Weekday::Sat => WeekdayName::Sat,
            Weekday::Sun => WeekdayName::Sun,
        }
    }

    /// The weekday's Japanese name (`土曜日`).
    pub fn japanese(self) -> &'static str {
        match self {
            WeekdayName::Mon => "月曜日",
            WeekdayName::Tue => "火曜日",
            WeekdayName::Wed => "水曜日",
            WeekdayName::Thu => "木曜日",
            WeekdayName::Fri => "金曜日",
            WeekdayName::Sat => "土曜日",
            WeekdayName::Sun => "日曜日",
        }
    }
}

/// One dated holiday with its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    /// The date.
    pub date: NaiveDate,
    /// Its name (`元日`, `創業記念日`).
    pub name: String,
}

/// Where holidays come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidaySource {
    /// Japanese national holidays, computed (1948-07-20 … 2099-12-31).
    Japan,
    /// Chinese public holidays and adjusted working days, from the shipped schedules.
    China,
    /// The shipped Chinese schedules plus a shop-supplied year file (TOML text,
    /// format in `docs/china-calendar.md`); a year in the text replaces the shipped one.
    ChinaSchedule(String),
    /// A shop's own list.
    List(Vec<Holiday>),
    /// A shop's own list as CSV text: a header `date,name`, then one holiday a line.
    Csv(String),
}

/// A range of dates with a reason: `to` omitted means the single day `from`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayRange {
    /// First day (also accepted as `date`).
    #[serde(alias = "date")]
    pub from: NaiveDate,
    /// Last day, inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    /// Why (`年末年始`, `棚卸し`).
    pub reason: String,
}

/// A closure that repeats every year, such as 12-29 … 01-03 (it may wrap the year end).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnualRange {
    /// First day, `MM-DD`.
    pub from: String,
    /// Last day, `MM-DD`, inclusive; omitted for a single day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Why.
    pub reason: String,
}

/// Dates a calendar covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateRange {
    /// First date.
    pub from: NaiveDate,
    /// Last date, inclusive.
    pub to: NaiveDate,
}

fn default_closed_weekdays() -> Vec<WeekdayName> {
    vec![WeekdayName::Sat, WeekdayName::Sun]
}

fn default_holidays() -> Vec<HolidaySource> {
    vec![HolidaySource::Japan]
}

/// What closes and opens the days of one calendar (a store's, a warehouse's, a
/// carrier's). Omitted fields take the defaults of DOMAIN §3: Saturday and Sunday
/// closed, Japanese national holidays. A carrier that delivers every day says
/// `"closed_weekdays": [], "holidays": []`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarDef {
    /// The calendar's name, used in explanations (`store`, `warehouse`, `yamato`).
    pub name: String,
    /// Weekly closed days (定休日).
    #[serde(default = "default_closed_weekdays")]
    pub closed_weekdays: Vec<WeekdayName>,
    /// Holiday sources; each closes its holidays.
    #[serde(default = "default_holidays")]
    pub holidays: Vec<HolidaySource>,
    /// Special closed days (臨時休業, 年末年始 of a given year).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub closed: Vec<DayRange>,
    /// Closures repeated every year.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub annual_closed: Vec<AnnualRange>,
    /// Special open days (臨時営業): open whatever else says.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub open: Vec<DayRange>,
    /// Dates covered; defaults to 1948-01-01 … 2099-12-31 narrowed to what the
    /// holiday sources cover.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<DateRange>,
}

impl CalendarDef {
    /// A calendar open every day (a carrier that delivers 365 days), over the default range.
    pub fn every_day(name: &str) -> CalendarDef {
        CalendarDef {
            name: name.to_owned(),
            closed_weekdays: Vec::new(),
            holidays: Vec::new(),
            closed: Vec::new(),
            annual_closed: Vec::new(),
            open: Vec::new(),
            range: None,
        }
    }

    /// The DOMAIN §3 default: Saturday, Sunday and Japanese national holidays closed.
    pub fn japanese_weekdays(name: &str) -> CalendarDef {
        CalendarDef {
            closed_weekdays: default_closed_weekdays(),
            holidays: default_holidays(),
            ..CalendarDef::every_day(name)
        }
    }

    /// Parses a definition from JSON text, reporting every problem with its path.
    pub fn from_json(text: &str) -> Result<CalendarDef, crate::Error> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|_| {
            crate::Error::InvalidCalendar(vec![Issue::new(
                "CALENDAR_NOT_JSON",
                "$",
                "the calendar definition is not valid JSON",
            )])
        })?;
        CalendarDef::from_value(value)
    }

    /// Decodes a definition from a JSON value.
    pub fn from_value(value: serde_json::Value) -> Result<CalendarDef, crate::Error> {
        serde_path_to_error::deserialize::<_, CalendarDef>(value).map_err(|e| {
            let path = crate::error::json_path("$", e.path());
            crate::Error::InvalidCalendar(vec![crate::error::issue_from_serde(
                "CALENDAR",
                &path,
                &e.inner().to_string(),
            )])
        })
    }
}

/// Why a day is closed (or open against the rest), for explanations.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DayReason {
    /// A weekly closed day (定休日).
    WeeklyClosed {
        /// The calendar that says so.
        calendar: String,
        /// The weekday.
        weekday: WeekdayName,
    },
    /// A holiday of a source.
    Holiday {
        /// The calendar that says so.
        calendar: String,
        /// The holiday's name.
        name: String,
    },
    /// A special closed range or an annual closure.
    Closed {
        /// The calendar that says so.
        calendar: String,
        /// Its reason.
        reason: String,
    },
    /// A special open day that overrides the rest.
    SpecialOpen {
        /// The calendar that says so.
        calendar: String,
        /// Its reason.
        reason: String,
    },
    /// A Chinese adjusted working day (调休上班).
    AdjustedWorkday {
        /// The calendar that says so.
        calendar: String,
        /// The holiday it belongs to.
        name: String,
    },
}

impl DayReason {
    /// A sentence for a person: `store closed (年末年始)`.
    pub fn describe(&self) -> String {
        match self {
            DayReason::WeeklyClosed { calendar, weekday } => {
                format!("{calendar} closed on {}", weekday.japanese())
            }
            DayReason::Holiday { calendar, name } => format!("{calendar} holiday ({name})"),
            DayReason::Closed { calendar, reason } => format!("{calendar} closed ({reason})"),
            DayReason::SpecialOpen { calendar, reason } => {
                format!("{calendar} specially open ({reason})")
            }
            DayReason::AdjustedWorkday { calendar, name } => {
                format!("{calendar} adjusted working day ({name})")
            }
        }
    }
}

/// Whether a day is a business day and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayExplanation {
    /// The date.
    pub date: NaiveDate,
    /// Whether it is a business day.
    pub business_day: bool,
    /// What closed (or specially opened) it; empty for an ordinary business day.
    pub reasons: Vec<DayReason>,
}

/// A question about a date the calendar cannot answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarError {
    /// The date, or the answer, lies outside the dates the calendar covers.
    #[error("calendar `{calendar}` covers {first} to {last}; {date} is outside")]
    OutOfRange {
        /// The calendar's name.
        calendar: String,
        /// The date asked about or reached.
        date: NaiveDate,
        /// First date covered.
        first: NaiveDate,
        /// Last date covered.
        last: NaiveDate,
    },
    /// A holiday table was asked for a year it does not hold.
    #[error("no {table} holidays for year {year}: covered {first} to {last}")]
    YearNotCovered {
        /// `japan` or `china`.
        table: String,
        /// The year asked for.
        year: i32,
        /// First year held.
        first: i32,
        /// Last year held.
        last: i32,
    },
}

impl CalendarError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            CalendarError::OutOfRange { .. } | CalendarError::YearNotCovered { .. } => {
                "CALENDAR_OUT_OF_RANGE"
            }
        }
    }
}

/// A built calendar: lookups over its range.
#[derive(Clone, PartialEq, Eq)]
pub struct BusinessCalendar {
    name: String,
    first: NaiveDate,
    first_num: i32,
    /// `prefix[i]` = business days in `[first, first + i)`; one longer than the range.
    prefix: Vec<u32>,
    /// Day offsets (from `first`) of the business days, ascending.
    open_days: Vec<u32>,
    /// The business days as dates (the answers, without a conversion).
    open_dates: Vec<NaiveDate>,
    /// The first year covered, and per year from it the offset of its January 1st
    /// from `first` (negative for the first year unless the range starts on 1/1),
    /// so that a date's offset is `year_start[year - first_year] + ordinal0`.
    first_year: i32,
    year_start: Vec<i32>,
    /// Per day, an index into `reason_sets` (0 = no reasons).
    reason_of: Vec<u32>,
    reason_sets: Vec<Vec<DayReason>>,
}

impl std::fmt::Debug for BusinessCalendar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BusinessCalendar")
            .field("name", &self.name)
            .field("first", &self.first)
            .field("last", &self.last())
            .field("business_days", &self.open_days.len())
            .finish()
    }
}

/// One day's verdict while building.
struct DayState {
    open: bool,
    reasons: Vec<DayReason>,
}

fn parse_month_day(text: &str, path: &str, issues: &mut Vec<Issue>) -> Option<(u32, u32)> {
    let parsed = text.split_once('-').and_then(|(m, d)| {
        let m: u32 = m.parse().ok()?;
        let d: u32 = d.parse().ok()?;
        // 2000 is a leap year, so 02-29 is accepted.
        NaiveDate::from_ymd_opt(2000, m, d).map(|_| (m, d))
    });
    if parsed.is_none() {
        issues.push(Issue::new(
            "CALENDAR_BAD_DATE",
            path,
            "expected a month and day as MM-DD",
        ));
    }
    parsed
}

/// Parses the CSV holiday format: a header naming `date` and `name`, then rows.
/// Every bad row is reported with its line; good rows are kept.
pub fn parse_holiday_csv(text: &str, path: &str) -> (Vec<Holiday>, Vec<Issue>) {
    let mut out = Vec::new();
    let mut issues = Vec::new();
    let Some(csv) = crate::csv_text::read(
        text,
        path,
        "CALENDAR_BAD_CSV",
        &["date", "name"],
        &[],
        &mut issues,
    ) else {
        return (out, issues);
    };
    let (Some(date_col), Some(name_col)) = (csv.columns[0], csv.columns[1]) else {
        return (out, issues);
    };
    for (line, record) in csv.rows {
        let date = record
            .get(date_col)
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
        let name = record.get(name_col).filter(|s| !s.is_empty());
        match (date, name) {
            (Some(date), Some(name)) => out.push(Holiday {
                date,
                name: name.to_owned(),
            }),
            (None, _) => issues.push(Issue::new(
                "CALENDAR_BAD_DATE",
                format!("{path}:{line}:date"),
                "expected a date as YYYY-MM-DD",
            )),
            (_, None) => issues.push(Issue::new(
                "CALENDAR_MISSING_FIELD",
                format!("{path}:{line}:name"),
                "expected the holiday's name",
            )),
        }
    }
    (out, issues)
}

fn day_num(d: NaiveDate) -> i32 {
    d.num_days_from_ce()
}

fn from_num(n: i32) -> NaiveDate {
    // Only called with numbers inside a calendar's range, which came from dates.
    NaiveDate::from_num_days_from_ce_opt(n).unwrap_or(NaiveDate::MIN)
}

impl BusinessCalendar {
    /// Builds the tables for a definition, checking it; every problem is reported
    /// with its path (`$.closed[1].to`).
    pub fn build(def: &CalendarDef) -> Result<BusinessCalendar, crate::Error> {
        let mut issues = Vec::new();
        let name = def.name.as_str();
        if name.trim().is_empty() {
            issues.push(Issue::new(
                "CALENDAR_MISSING_NAME",
                "$.name",
                "a calendar needs a name for its explanations",
            ));
        }
        let mut first = DEFAULT_FIRST;
        let mut last = DEFAULT_LAST;
        if let Some(r) = def.range {
            if r.to < r.from {
                issues.push(Issue::new(
                    "CALENDAR_BAD_RANGE",
                    "$.range",
                    "the range ends before it starts",
                ));
            }
            first = r.from;
            last = r.to;
        }
        // Gather the sources.
        let mut japan = false;
        let mut china: Option<china::ChinaSchedule> = None;
        let mut listed: BTreeMap<NaiveDate, Vec<String>> = BTreeMap::new();
        for (i, source) in def.holidays.iter().enumerate() {
            let path = format!("$.holidays[{i}]");
            match source {
                HolidaySource::Japan => japan = true,
                HolidaySource::China => {
                    china.get_or_insert_with(china::ChinaSchedule::builtin);
                }
                HolidaySource::ChinaSchedule(text) => {
                    match china::ChinaSchedule::parse_toml(text) {
                        Ok(extra) => china
                            .get_or_insert_with(china::ChinaSchedule::builtin)
                            .merge(extra),
                        Err(found) => issues.extend(found.into_iter().map(|mut issue| {
                            issue.path = format!("{path}.china_schedule{}", &issue.path[1..]);
                            issue
                        })),
                    }
                }
                HolidaySource::List(list) => {
                    for h in list {
                        listed.entry(h.date).or_default().push(h.name.clone());
                    }
                }
                HolidaySource::Csv(text) => {
                    let (rows, found) = parse_holiday_csv(text, &format!("{path}.csv"));
                    issues.extend(found);
                    for h in rows {
                        listed.entry(h.date).or_default().push(h.name);
                    }
                }
            }
        }
        // Narrow the range to what the sources cover, unless the definition asked
        // for more, which is an error rather than a silent guess.
        let mut covered = |lo: NaiveDate, hi: NaiveDate, what: &str| {
            if def.range.is_some() && (first < lo || last > hi) {
                issues.push(Issue::new(
                    "CALENDAR_RANGE_NOT_COVERED",
                    "$.range",
                    format!("{what} holidays are known from {lo} to {hi} only"),
                ));
            }
            first = first.max(lo);
            last = last.min(hi);
        };
        if japan {
            covered(japan::FIRST_DATE, japan::LAST_DATE, "Japanese");
        }
        if let Some(schedule) = &china {
            let years = schedule.years();
            // The last unbroken run of years.
            let mut lo = years.last().copied().unwrap_or(0);
            let hi = lo;
            for &y in years.iter().rev().skip(1) {
                if y + 1 == lo {
                    lo = y;
                } else {
                    break;
                }
            }
            if years.is_empty() {
                issues.push(Issue::new(
                    "CALENDAR_RANGE_NOT_COVERED",
                    "$.holidays",
                    "no Chinese schedule is loaded",
                ));
            } else {
                covered(ymd(lo, 1, 1), ymd(hi, 12, 31), "Chinese");
            }
        }
        let mut annual = Vec::new();
        for (i, a) in def.annual_closed.iter().enumerate() {
            let from = parse_month_day(&a.from, &format!("$.annual_closed[{i}].from"), &mut issues);
            let to = match &a.to {
                Some(t) => parse_month_day(t, &format!("$.annual_closed[{i}].to"), &mut issues),
                None => from,
            };
            if let (Some(from), Some(to)) = (from, to) {
                annual.push((from, to, a.reason.clone()));
            }
        }
        for (field, list) in [("closed", &def.closed), ("open", &def.open)] {
            for (i, r) in list.iter().enumerate() {
                if r.to.is_some_and(|to| to < r.from) {
                    issues.push(Issue::new(
                        "CALENDAR_BAD_RANGE",
                        format!("$.{field}[{i}].to"),
                        "the range ends before it starts",
                    ));
                }
            }
        }
        if last < first && def.range.is_none_or(|r| r.to >= r.from) {
            issues.push(Issue::new(
                "CALENDAR_BAD_RANGE",
                "$.range",
                "the holiday sources cover no common dates",
            ));
        }
        if !issues.is_empty() {
            return Err(crate::Error::InvalidCalendar(issues));
        }

        let first_num = day_num(first);
        let len = (day_num(last) - first_num + 1) as usize;
        let mut days: Vec<DayState> = (0..len)
            .map(|_| DayState {
                open: true,
                reasons: Vec::new(),
            })
            .collect();
        let index = |d: NaiveDate| -> Option<usize> {
            let n = day_num(d) - first_num;
            (n >= 0 && (n as usize) < len).then_some(n as usize)
        };
        let closed_weekdays: Vec<WeekdayName> = def.closed_weekdays.clone();
        let weekday_closed = |wd: WeekdayName| closed_weekdays.contains(&wd);
        // Weekly closed days.
        for (i, day) in days.iter_mut().enumerate() {
            let wd = WeekdayName::of(from_num(first_num + i as i32).weekday());
            if weekday_closed(wd) {
                day.open = false;
                day.reasons.push(DayReason::WeeklyClosed {
                    calendar: name.to_owned(),
                    weekday: wd,
                });
            }
        }
        let close = |days: &mut Vec<DayState>, d: NaiveDate, reason: DayReason| {
            if let Some(i) = index(d) {
                days[i].open = false;
                days[i].reasons.push(reason);
            }
        };
        if japan {
            for year in first.year()..=last.year() {
                for (date, holiday) in japan::holidays(year) {
                    close(
                        &mut days,
                        date,
                        DayReason::Holiday {
                            calendar: name.to_owned(),
                            name: holiday.to_owned(),
                        },
                    );
                }
            }
        }
        if let Some(schedule) = &china {
            for year in first.year() - 1..=last.year() + 1 {
                let Some((holidays, workdays)) = schedule.year(year) else {
                    continue;
                };
                for (date, holiday) in holidays {
                    close(
                        &mut days,
                        date,
                        DayReason::Holiday {
                            calendar: name.to_owned(),
                            name: holiday,
                        },
                    );
                }
                for (date, holiday) in workdays {
                    if let Some(i) = index(date) {
                        // Reopens a day the weekly rule closed; other closures stand.
                        let day = &mut days[i];
                        day.reasons
                            .retain(|r| !matches!(r, DayReason::WeeklyClosed { .. }));
                        day.open = day.reasons.is_empty();
                        day.reasons.push(DayReason::AdjustedWorkday {
                            calendar: name.to_owned(),
                            name: holiday,
                        });
                    }
                }
            }
        }
        for (date, names) in &listed {
            for holiday in names {
                close(
                    &mut days,
                    *date,
                    DayReason::Holiday {
                        calendar: name.to_owned(),
                        name: holiday.clone(),
                    },
                );
            }
        }
        for r in &def.closed {
            let mut d = r.from;
            let to = r.to.unwrap_or(r.from);
            while d <= to {
                close(
                    &mut days,
                    d,
                    DayReason::Closed {
                        calendar: name.to_owned(),
                        reason: r.reason.clone(),
                    },
                );
                let Some(next) = d.succ_opt() else { break };
                d = next;
            }
        }
        if !annual.is_empty() {
            for (i, day) in days.iter_mut().enumerate() {
                let date = from_num(first_num + i as i32);
                let md = (date.month(), date.day());
                for (from, to, reason) in &annual {
                    let inside = if from <= to {
                        *from <= md && md <= *to
                    } else {
                        md >= *from || md <= *to
                    };
                    if inside {
                        day.open = false;
                        day.reasons.push(DayReason::Closed {
                            calendar: name.to_owned(),
                            reason: reason.clone(),
                        });
                    }
                }
            }
        }
        for r in &def.open {
            let mut d = r.from;
            let to = r.to.unwrap_or(r.from);
            while d <= to {
                if let Some(i) = index(d) {
                    days[i].open = true;
                    days[i].reasons.push(DayReason::SpecialOpen {
                        calendar: name.to_owned(),
                        reason: r.reason.clone(),
                    });
                }
                let Some(next) = d.succ_opt() else { break };
                d = next;
            }
        }
        Ok(BusinessCalendar::from_days(name.to_owned(), first, days))
    }

    fn from_days(name: String, first: NaiveDate, days: Vec<DayState>) -> BusinessCalendar {
        let mut prefix = Vec::with_capacity(days.len() + 1);
        let mut open_days = Vec::new();
        let mut reason_of = Vec::with_capacity(days.len());
        let mut reason_sets: Vec<Vec<DayReason>> = vec![Vec::new()];
        let mut set_index: BTreeMap<Vec<DayReason>, u32> = BTreeMap::new();
        prefix.push(0u32);
        for (i, day) in days.into_iter().enumerate() {
            if day.open {
                open_days.push(i as u32);
            }
            prefix.push(open_days.len() as u32);
            if day.reasons.is_empty() {
                reason_of.push(0);
            } else if let Some(&idx) = set_index.get(&day.reasons) {
                reason_of.push(idx);
            } else {
                let idx = reason_sets.len() as u32;
                set_index.insert(day.reasons.clone(), idx);
                reason_sets.push(day.reasons);
                reason_of.push(idx);
            }
        }
        BusinessCalendar::assemble(name, first, prefix, open_days, reason_of, reason_sets)
    }

    fn assemble(
        name: String,
        first: NaiveDate,
        prefix: Vec<u32>,
        open_days: Vec<u32>,
        reason_of: Vec<u32>,
        reason_sets: Vec<Vec<DayReason>>,
    ) -> BusinessCalendar {
        let first_num = day_num(first);
        let open_dates = open_days
            .iter()
            .map(|&o| from_num(first_num + o as i32))
            .collect();
        let last = from_num(first_num + reason_of.len() as i32 - 1);
        let first_year = first.year();
        let year_start = (first_year..=last.year())
            .map(|y| NaiveDate::from_ymd_opt(y, 1, 1).map_or(0, |jan1| day_num(jan1) - first_num))
            .collect();
        BusinessCalendar {
            name,
            first,
            first_num,
            prefix,
            open_days,
            open_dates,
            first_year,
            year_start,
            reason_of,
            reason_sets,
        }
    }

    /// The calendar of days open in every one of `calendars` (a store ∪ its
    /// warehouse: closed when either is closed), over the dates all of them cover.
    /// Its name joins theirs with `+`.
    pub fn intersect(calendars: &[&BusinessCalendar]) -> Result<BusinessCalendar, crate::Error> {
        let Some(head) = calendars.first() else {
            return Err(crate::Error::InvalidCalendar(vec![Issue::new(
                "CALENDAR_EMPTY_UNION",
                "$",
                "composing needs at least one calendar",
            )]));
        };
        let first = calendars
            .iter()
            .map(|c| c.first)
            .max()
            .unwrap_or(head.first);
        let last = calendars
            .iter()
            .map(|c| c.last())
            .min()
            .unwrap_or(head.last());
        if last < first {
            return Err(crate::Error::InvalidCalendar(vec![Issue::new(
                "CALENDAR_BAD_RANGE",
                "$",
                "the calendars cover no common dates",
            )]));
        }
        let name = calendars
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join("+");
        if calendars.len() == 1 && head.first == first && head.last() == last {
            return Ok((*head).clone());
        }
        // A day's reasons are the members' reason sets side by side: key them by the
        // members' set indexes, and build each distinct combination once.
        let mut prefix = vec![0u32];
        let mut open_days = Vec::new();
        let mut reason_of = Vec::new();
        let mut reason_sets: Vec<Vec<DayReason>> = vec![Vec::new()];
        let mut combos: BTreeMap<Vec<u32>, u32> = BTreeMap::new();
        let mut key = Vec::with_capacity(calendars.len());
        for (offset, n) in (day_num(first)..=day_num(last)).enumerate() {
            let mut open = true;
            key.clear();
            for c in calendars {
                let i = (n - c.first_num) as usize;
                open &= c.prefix[i + 1] > c.prefix[i];
                key.push(c.reason_of[i]);
            }
            if open {
                open_days.push(offset as u32);
            }
            prefix.push(open_days.len() as u32);
            let idx = if key.iter().all(|&k| k == 0) {
                0
            } else if let Some(&idx) = combos.get(&key) {
                idx
            } else {
                let idx = reason_sets.len() as u32;
                reason_sets.push(
                    calendars
                        .iter()
                        .zip(&key)
                        .flat_map(|(c, &k)| c.reason_sets[k as usize].iter().cloned())
                        .collect(),
                );
                combos.insert(key.clone(), idx);
                idx
            };
            reason_of.push(idx);
        }
        Ok(BusinessCalendar::assemble(
            name,
            first,
            prefix,
            open_days,
            reason_of,
            reason_sets,
        ))
    }

    /// The calendar's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The first date covered.
    pub fn first(&self) -> NaiveDate {
        self.first
    }

    /// The last date covered.
    pub fn last(&self) -> NaiveDate {
        from_num(self.first_num + self.reason_of.len() as i32 - 1)
    }

    #[cold]
    #[inline(never)]
    fn out_of_range(&self, date: NaiveDate) -> CalendarError {
        CalendarError::OutOfRange {
            calendar: self.name.clone(),
            date,
            first: self.first,
            last: self.last(),
        }
    }

    /// The offset of `d` in the tables.
    #[inline]
    fn offset(&self, d: NaiveDate) -> Result<usize, CalendarError> {
        // A table of year starts plus the day of the year: cheaper than counting
        // days from the common era.
        let n = match self
            .year_start
            .get(d.year().wrapping_sub(self.first_year) as usize)
        {
            Some(&start) => start + d.ordinal0() as i32,
            None => -1,
        };
        if n >= 0 && (n as usize) < self.reason_of.len() {
            Ok(n as usize)
        } else {
            Err(self.out_of_range(d))
        }
    }

    /// The business day with rank `k` (0-based), or out of range past the last one.
    #[inline]
    fn nth_open(&self, k: i64, asked: NaiveDate) -> Result<NaiveDate, CalendarError> {
        match usize::try_from(k).ok().and_then(|k| self.open_dates.get(k)) {
            Some(&d) => Ok(d),
            None => Err(self.beyond(k, asked)),
        }
    }

    /// The error for an answer beyond the range: it names the side it fell off.
    #[cold]
    #[inline(never)]
    fn beyond(&self, k: i64, asked: NaiveDate) -> CalendarError {
        let edge = if k < 0 { self.first } else { self.last() };
        CalendarError::OutOfRange {
            calendar: self.name.clone(),
            date: if asked < self.first || asked > self.last() {
                asked
            } else {
                edge
            },
            first: self.first,
            last: self.last(),
        }
    }

    /// Whether `d` is a business day.
    pub fn is_business_day(&self, d: NaiveDate) -> Result<bool, CalendarError> {
        let i = self.offset(d)?;
        Ok(self.prefix[i + 1] > self.prefix[i])
    }

    /// The first business day strictly after `d`.
    pub fn next_business_day(&self, d: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let i = self.offset(d)?;
        self.nth_open(self.prefix[i + 1] as i64, d)
    }

    /// The last business day strictly before `d`.
    pub fn previous_business_day(&self, d: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let i = self.offset(d)?;
        self.nth_open(self.prefix[i] as i64 - 1, d)
    }

    /// `d` if it is a business day, else the next one.
    pub fn on_or_after(&self, d: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let i = self.offset(d)?;
        self.nth_open(self.prefix[i] as i64, d)
    }

    /// `d` if it is a business day, else the previous one.
    pub fn on_or_before(&self, d: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let i = self.offset(d)?;
        self.nth_open(self.prefix[i + 1] as i64 - 1, d)
    }

    /// Moves `n` business days: for `n > 0` the n-th business day strictly after
    /// `d`, for `n < 0` the |n|-th strictly before, for `n = 0` `d` rolled forward
    /// to a business day. `d` itself need not be a business day.
    pub fn add_business_days(&self, d: NaiveDate, n: i64) -> Result<NaiveDate, CalendarError> {
        let i = self.offset(d)?;
        // Forward: rank through `d` (business days up to and including it) + n - 1;
        // backward or 0: rank before `d` + n. Written without a branch.
        let forward = usize::from(n > 0);
        let k = self.prefix[i + forward] as i64 + n - forward as i64;
        self.nth_open(k, d)
    }

    /// Business days in the half-open `[from, to)`; negative when `to < from` (as
    /// `numpy.busday_count`). `to` may be the day after the last covered date.
    pub fn count_business_days(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<i64, CalendarError> {
        let bound = |d: NaiveDate| -> Result<usize, CalendarError> {
            let n = day_num(d) - self.first_num;
            if n >= 0 && (n as usize) <= self.reason_of.len() {
                Ok(n as usize)
            } else {
                Err(self.out_of_range(d))
            }
        };
        let (a, b) = (bound(from)?, bound(to)?);
        Ok(self.prefix[b] as i64 - self.prefix[a] as i64)
    }

    /// Whether `d` is a business day and what closed (or opened) it.
    pub fn explain(&self, d: NaiveDate) -> Result<DayExplanation, CalendarError> {
        let i = self.offset(d)?;
        Ok(DayExplanation {
            date: d,
            business_day: self.prefix[i + 1] > self.prefix[i],
            reasons: self.reason_sets[self.reason_of[i] as usize].clone(),
        })
    }

    /// The reasons of a closed day, without copying (empty for an ordinary open day).
    pub fn reasons(&self, d: NaiveDate) -> Result<&[DayReason], CalendarError> {
        let i = self.offset(d)?;
        Ok(&self.reason_sets[self.reason_of[i] as usize])
    }

    /// The raw tables for batch code: (first day as days from CE, prefix counts,
    /// business-day offsets). `prefix` has one entry more than the range has days.
    pub fn tables(&self) -> (i32, &[u32], &[u32]) {
        (self.first_num, &self.prefix, &self.open_days)
    }
}

/// The holidays (and Chinese adjusted working days) a source names for a year.
///
/// ```
/// use ichigen_core::calendar::{holidays_of_year, HolidaySource};
/// let (holidays, workdays) = holidays_of_year(&HolidaySource::Japan, 2026)?;
/// assert_eq!(holidays[0].name, "元日");
/// assert!(workdays.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn holidays_of_year(
    source: &HolidaySource,
    year: i32,
) -> Result<(Vec<Holiday>, Vec<Holiday>), crate::Error> {
    let to_holidays = |v: Vec<(NaiveDate, String)>| {
        v.into_iter()
            .map(|(date, name)| Holiday { date, name })
            .collect::<Vec<_>>()
    };
    match source {
        HolidaySource::Japan => {
            let (lo, hi) = (japan::FIRST_DATE.year(), japan::LAST_DATE.year());
            if year < lo || year > hi {
                return Err(CalendarError::YearNotCovered {
                    table: "japan".into(),
                    year,
                    first: lo,
                    last: hi,
                }
                .into());
            }
            let list = japan::holidays(year)
                .into_iter()
                .map(|(date, name)| (date, name.to_owned()))
                .collect();
            Ok((to_holidays(list), Vec::new()))
        }
        HolidaySource::China | HolidaySource::ChinaSchedule(_) => {
            let mut schedule = china::ChinaSchedule::builtin();
            if let HolidaySource::ChinaSchedule(text) = source {
                let extra = china::ChinaSchedule::parse_toml(text)
                    .map_err(crate::Error::InvalidCalendar)?;
                schedule.merge(extra);
            }
            let years = schedule.years();
            match schedule.year(year) {
                Some((h, w)) => Ok((to_holidays(h), to_holidays(w))),
                None => Err(CalendarError::YearNotCovered {
                    table: "china".into(),
                    year,
                    first: years.first().copied().unwrap_or(0),
                    last: years.last().copied().unwrap_or(0),
                }
                .into()),
            }
        }
        HolidaySource::List(list) => {
            let mut v: Vec<Holiday> = list
                .iter()
                .filter(|h| h.date.year() == year)
                .cloned()
                .collect();
            v.sort_by_key(|h| h.date);
            Ok((v, Vec::new()))
        }
        HolidaySource::Csv(text) => {
            let (rows, issues) = parse_holiday_csv(text, "$.source.csv");
            if !issues.is_empty() {
                return Err(crate::Error::InvalidCalendar(issues));
            }
            let mut v: Vec<Holiday> = rows.into_iter().filter(|h| h.date.year() == year).collect();
            v.sort_by_key(|h| h.date);
            Ok((v, Vec::new()))
        }
    }
}
