//! Chinese public holidays (放假) and adjusted working days (调休上班), from data files.
//!
//! China has no rule that computes its holidays: every year the General Office of the
//! State Council (国务院办公厅) publishes a notice listing the days off and the weekend
//! days worked in exchange. ichigen ships one TOML file per published year
//! (`crates/ichigen-core/data/china/<year>.toml`) and a shop adds next year's the same
//! way; the format is described in `docs/china-calendar.md`.
//!
//! ```
//! use chrono::NaiveDate;
//! use ichigen_core::calendar::china::ChinaSchedule;
//!
//! let cn = ChinaSchedule::builtin();
//! let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
//! assert_eq!(cn.holiday(d("2025-01-28")), Some("春节"));
//! // Sunday 2025-01-26 is worked in exchange for the Spring Festival break.
//! assert_eq!(cn.workday(d("2025-01-26")), Some("春节"));
//! assert_eq!(cn.holiday(d("2025-03-03")), None);
//! ```

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, Weekday};
use toml::{Table, Value};

use crate::error::Issue;

/// The data files shipped with ichigen, one per year.
const BUILTIN_FILES: &[&str] = &[
    include_str!("../../data/china/2020.toml"),
    include_str!("../../data/china/2021.toml"),
    include_str!("../../data/china/2022.toml"),
    include_str!("../../data/china/2023.toml"),
    include_str!("../../data/china/2024.toml"),
    include_str!("../../data/china/2025.toml"),
    include_str!("../../data/china/2026.toml"),
];

/// The years a file may name.
const YEAR_RANGE: std::ops::RangeInclusive<i64> = 1949..=2999;
/// The longest holiday a file may state, in days (the longest so far is ten).
const MAX_HOLIDAY_DAYS: i64 = 31;
/// At most this many `[[holiday]]` entries in one file.
const MAX_HOLIDAYS: usize = 64;
/// At most this many adjusted workdays per holiday.
const MAX_WORKDAYS: usize = 16;
/// At most this many characters in a holiday's name.
const MAX_NAME_CHARS: usize = 40;
/// At most this many characters in `source`.
const MAX_SOURCE_CHARS: usize = 1000;

/// One year's schedule: the days off and the adjusted workdays that the year's
/// notice lists, each with the holiday it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct YearSchedule {
    source: String,
    holidays: BTreeMap<NaiveDate, String>,
    workdays: BTreeMap<NaiveDate, String>,
}

/// Chinese schedules for a set of years.
///
/// Each year comes from one data file and owns the days its notice lists, even
/// those in a neighbouring year (2023's 元旦 break starts on 2022-12-31). A date
/// is looked up in its own year's schedule first, then the next year's, then the
/// previous year's.
///
/// ```
/// use chrono::NaiveDate;
/// use ichigen_core::calendar::china::ChinaSchedule;
///
/// let cn = ChinaSchedule::builtin();
/// assert!(cn.years().contains(&2025));
/// let eve = NaiveDate::from_ymd_opt(2022, 12, 31).unwrap();
/// assert_eq!(cn.holiday(eve), Some("元旦")); // owned by the 2023 file
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChinaSchedule {
    years: BTreeMap<i32, YearSchedule>,
}

impl ChinaSchedule {
    /// The schedules shipped with ichigen (every file under `data/china/`).
    ///
    /// ```
    /// use ichigen_core::calendar::china::ChinaSchedule;
    /// assert_eq!(ChinaSchedule::builtin().years(), (2020..=2026).collect::<Vec<_>>());
    /// ```
    pub fn builtin() -> ChinaSchedule {
        static BUILTIN: OnceLock<ChinaSchedule> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                let mut all = ChinaSchedule::default();
                for text in BUILTIN_FILES {
                    // The shipped files are checked by the tests; a broken one is
                    // left out rather than guessed at.
                    if let Ok(one) = ChinaSchedule::parse_toml(text) {
                        all.merge(one);
                    }
                }
                all
            })
            .clone()
    }

    /// Parses one year's TOML text (format in `docs/china-calendar.md`).
    ///
    /// Every problem is reported at once, each with a code and the path of the
    /// field (`$.holiday[2].from`); messages say what was expected and never quote
    /// the input.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use ichigen_core::calendar::china::ChinaSchedule;
    ///
    /// let cn = ChinaSchedule::parse_toml(r#"
    /// year = 2031
    /// source = "a made-up notice"
    ///
    /// [[holiday]]
    /// name = "元旦"
    /// from = "2031-01-01"
    /// "#)?;
    /// assert_eq!(cn.years(), vec![2031]);
    /// assert_eq!(cn.holiday(NaiveDate::from_ymd_opt(2031, 1, 1).unwrap()), Some("元旦"));
    ///
    /// let issues = ChinaSchedule::parse_toml(r#"
    /// year = 2031
    /// source = "a made-up notice"
    /// [[holiday]]
    /// name = "元旦"
    /// from = "2031-02-30"
    /// workdays = ["2031-01-06"]
    /// "#).unwrap_err();
    /// let found: Vec<(&str, &str)> =
    ///     issues.iter().map(|i| (i.code.as_str(), i.path.as_str())).collect();
    /// assert_eq!(found, vec![
    ///     ("CALENDAR_BAD_DATE", "$.holiday[0].from"),
    ///     ("CALENDAR_WORKDAY_NOT_WEEKEND", "$.holiday[0].workdays[0]"),
    /// ]);
    /// # Ok::<(), Vec<ichigen_core::Issue>>(())
    /// ```
    pub fn parse_toml(text: &str) -> Result<ChinaSchedule, Vec<Issue>> {
        let table: Table = toml::from_str(text).map_err(|e| {
            let (line, col) = e.span().map(|s| line_col(text, s.start)).unwrap_or((0, 0));
            vec![Issue::new(
                "CALENDAR_NOT_TOML",
                "$",
                format!("expected well-formed TOML (problem at line {line}, column {col})"),
            )]
        })?;
        let mut issues = Vec::new();
        let parsed = parse_year(&table, &mut issues);
        match parsed {
            Some((year, schedule)) if issues.is_empty() => {
                let mut years = BTreeMap::new();
                years.insert(year, schedule);
                Ok(ChinaSchedule { years })
            }
            _ => Err(issues),
        }
    }

    /// Adds the years of `other`, replacing any year both have.
    ///
    /// ```
    /// use ichigen_core::calendar::china::ChinaSchedule;
    ///
    /// let mut cn = ChinaSchedule::builtin();
    /// let mine = ChinaSchedule::parse_toml(
    ///     "year = 2025\nsource = \"shop\"\n[[holiday]]\nname = \"元旦\"\nfrom = \"2025-01-01\"\n",
    /// )?;
    /// cn.merge(mine);
    /// assert_eq!(cn.year(2025).map(|(h, w)| (h.len(), w.len())), Some((1, 0)));
    /// # Ok::<(), Vec<ichigen_core::Issue>>(())
    /// ```
    pub fn merge(&mut self, other: ChinaSchedule) {
        self.years.extend(other.years);
    }

    /// The years present, ascending.
    ///
    /// ```
    /// use ichigen_core::calendar::china::ChinaSchedule;
    /// assert!(ChinaSchedule::default().years().is_empty());
    /// ```
    pub fn years(&self) -> Vec<i32> {
        self.years.keys().copied().collect()
    }

    /// The `source` line of `year`'s file (the notice it transcribes).
    ///
    /// ```
    /// use ichigen_core::calendar::china::ChinaSchedule;
    /// let cn = ChinaSchedule::builtin();
    /// assert!(cn.source(2025).is_some_and(|s| s.contains("国办发明电〔2024〕12号")));
    /// assert_eq!(cn.source(1999), None);
    /// ```
    pub fn source(&self, year: i32) -> Option<&str> {
        self.years.get(&year).map(|y| y.source.as_str())
    }

    /// The holiday's name if `date` is a public holiday day (放假).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use ichigen_core::calendar::china::ChinaSchedule;
    /// let cn = ChinaSchedule::builtin();
    /// assert_eq!(cn.holiday(NaiveDate::from_ymd_opt(2026, 10, 7).unwrap()), Some("国庆节"));
    /// assert_eq!(cn.holiday(NaiveDate::from_ymd_opt(2026, 10, 8).unwrap()), None);
    /// ```
    pub fn holiday(&self, date: NaiveDate) -> Option<&str> {
        self.lookup(date, |y| &y.holidays)
    }

    /// The holiday's name if `date` is an adjusted working day (调休上班).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use ichigen_core::calendar::china::ChinaSchedule;
    /// let cn = ChinaSchedule::builtin();
    /// assert_eq!(cn.workday(NaiveDate::from_ymd_opt(2026, 10, 10).unwrap()), Some("国庆节"));
    /// assert_eq!(cn.workday(NaiveDate::from_ymd_opt(2026, 10, 11).unwrap()), None);
    /// ```
    pub fn workday(&self, date: NaiveDate) -> Option<&str> {
        self.lookup(date, |y| &y.workdays)
    }

    /// The holidays and workdays owned by `year`, each sorted by date: `(date, name)`.
    /// `None` when the year is not loaded.
    ///
    /// ```
    /// use ichigen_core::calendar::china::ChinaSchedule;
    /// let (holidays, workdays) = ChinaSchedule::builtin().year(2025).unwrap();
    /// assert_eq!((holidays.len(), workdays.len()), (28, 5));
    /// assert_eq!(holidays[0].1, "元旦");
    /// assert!(ChinaSchedule::builtin().year(2019).is_none());
    /// ```
    #[allow(clippy::type_complexity)]
    pub fn year(&self, year: i32) -> Option<(Vec<(NaiveDate, String)>, Vec<(NaiveDate, String)>)> {
        let y = self.years.get(&year)?;
        let list = |m: &BTreeMap<NaiveDate, String>| {
            m.iter().map(|(d, n)| (*d, n.clone())).collect::<Vec<_>>()
        };
        Some((list(&y.holidays), list(&y.workdays)))
    }

    fn lookup<'a>(
        &'a self,
        date: NaiveDate,
        days: impl Fn(&'a YearSchedule) -> &'a BTreeMap<NaiveDate, String>,
    ) -> Option<&'a str> {
        let y = date.year();
        [Some(y), y.checked_add(1), y.checked_sub(1)]
            .into_iter()
            .flatten()
            .filter_map(|year| self.years.get(&year))
            .find_map(|s| days(s).get(&date))
            .map(String::as_str)
    }
}

/// Checks one file's table; returns its year and schedule when the year and
/// every holiday could be read (the caller still rejects it if `issues` grew).
fn parse_year(table: &Table, issues: &mut Vec<Issue>) -> Option<(i32, YearSchedule)> {
    for key in table.keys() {
        if !matches!(key.as_str(), "year" | "source" | "holiday") {
            issues.push(Issue::new(
                "CALENDAR_UNKNOWN_FIELD",
                field_path("$", key),
                "unknown field; expected `year`, `source` and `[[holiday]]` entries",
            ));
        }
    }
    let year = match table.get("year") {
        None => {
            issues.push(missing(
                "$.year",
                "the year the notice is for, such as 2026",
            ));
            None
        }
        Some(Value::Integer(n)) if YEAR_RANGE.contains(n) => i32::try_from(*n).ok(),
        Some(_) => {
            issues.push(Issue::new(
                "CALENDAR_BAD_VALUE",
                "$.year",
                format!(
                    "expected the year as an integer from {} to {}",
                    YEAR_RANGE.start(),
                    YEAR_RANGE.end()
                ),
            ));
            None
        }
    };
    let source = match table.get("source") {
        None => {
            issues.push(missing("$.source", "the notice the file transcribes"));
            None
        }
        Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= MAX_SOURCE_CHARS => {
            Some(s.trim().to_owned())
        }
        Some(_) => {
            issues.push(Issue::new(
                "CALENDAR_BAD_VALUE",
                "$.source",
                format!(
                    "expected a non-empty string of at most {MAX_SOURCE_CHARS} characters naming the notice"
                ),
            ));
            None
        }
    };
    let entries: &[Value] = match table.get("holiday") {
        None => {
            issues.push(missing("$.holiday", "at least one `[[holiday]]` entry"));
            &[]
        }
        Some(Value::Array(a)) if a.is_empty() => {
            issues.push(Issue::new(
                "CALENDAR_BAD_VALUE",
                "$.holiday",
                "expected at least one `[[holiday]]` entry",
            ));
            &[]
        }
        Some(Value::Array(a)) if a.len() > MAX_HOLIDAYS => {
            issues.push(Issue::new(
                "CALENDAR_BAD_VALUE",
                "$.holiday",
                format!("expected at most {MAX_HOLIDAYS} `[[holiday]]` entries"),
            ));
            &[]
        }
        Some(Value::Array(a)) => a,
        Some(_) => {
            issues.push(Issue::new(
                "CALENDAR_BAD_VALUE",
                "$.holiday",
                "expected an array of tables, written `[[holiday]]`",
            ));
            &[]
        }
    };

    let holidays: Vec<Option<Holiday>> = entries
        .iter()
        .enumerate()
        .map(|(i, v)| parse_holiday(v, &format!("$.holiday[{i}]"), year, issues))
        .collect();

    // Overlaps: every holiday day first, then every workday, so a workday that is
    // a day of a later holiday is found as well.
    let mut days: BTreeMap<NaiveDate, String> = BTreeMap::new();
    let mut works: BTreeMap<NaiveDate, String> = BTreeMap::new();
    for (i, h) in holidays.iter().enumerate() {
        let Some(h) = h else { continue };
        let mut clash = false;
        for d in h.days() {
            match days.entry(d) {
                Entry::Occupied(_) => clash = true,
                Entry::Vacant(slot) => {
                    slot.insert(h.name.clone());
                }
            }
        }
        if clash {
            issues.push(Issue::new(
                "CALENDAR_OVERLAP",
                format!("$.holiday[{i}]"),
                "expected each day off to belong to one holiday only; this range overlaps an earlier one",
            ));
        }
    }
    for (i, h) in holidays.iter().enumerate() {
        let Some(h) = h else { continue };
        for (j, w) in h.workdays.iter().enumerate() {
            let Some(w) = w else { continue };
            let path = format!("$.holiday[{i}].workdays[{j}]");
            if days.contains_key(w) {
                issues.push(Issue::new(
                    "CALENDAR_OVERLAP",
                    path,
                    "expected an adjusted workday that is not also a day off",
                ));
            } else {
                match works.entry(*w) {
                    Entry::Occupied(_) => issues.push(Issue::new(
                        "CALENDAR_OVERLAP",
                        path,
                        "expected each adjusted workday to be listed once",
                    )),
                    Entry::Vacant(slot) => {
                        slot.insert(h.name.clone());
                    }
                }
            }
        }
    }
    Some((
        year?,
        YearSchedule {
            source: source?,
            holidays: days,
            workdays: works,
        },
    ))
}

/// One `[[holiday]]` entry as read; a workday that could not be read is `None`.
struct Holiday {
    name: String,
    from: NaiveDate,
    to: NaiveDate,
    workdays: Vec<Option<NaiveDate>>,
}

impl Holiday {
    fn days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.from.iter_days().take_while(|d| *d <= self.to)
    }
}

fn parse_holiday(
    value: &Value,
    path: &str,
    year: Option<i32>,
    issues: &mut Vec<Issue>,
) -> Option<Holiday> {
    let Value::Table(t) = value else {
        issues.push(Issue::new(
            "CALENDAR_BAD_VALUE",
            path,
            "expected a table with `name`, `from`, and optionally `to` and `workdays`",
        ));
        return None;
    };
    for key in t.keys() {
        if !matches!(key.as_str(), "name" | "from" | "to" | "workdays") {
            issues.push(Issue::new(
                "CALENDAR_UNKNOWN_FIELD",
                field_path(path, key),
                "unknown field; expected `name`, `from`, `to` or `workdays`",
            ));
        }
    }
    let name = match t.get("name") {
        None => {
            issues.push(missing(
                &format!("{path}.name"),
                "the holiday's name, such as 春节",
            ));
            None
        }
        Some(Value::String(s))
            if !s.trim().is_empty()
                && s.trim().chars().count() <= MAX_NAME_CHARS
                && !s.chars().any(char::is_control) =>
        {
            Some(s.trim().to_owned())
        }
        Some(_) => {
            issues.push(Issue::new(
                "CALENDAR_BAD_VALUE",
                format!("{path}.name"),
                format!(
                    "expected a non-empty name of at most {MAX_NAME_CHARS} characters on one line"
                ),
            ));
            None
        }
    };
    let from = match t.get("from") {
        None => {
            issues.push(missing(
                &format!("{path}.from"),
                "the first day off, as YYYY-MM-DD",
            ));
            None
        }
        Some(v) => parse_date(v, &format!("{path}.from"), year, issues),
    };
    let to = match t.get("to") {
        None => from,
        Some(v) => parse_date(v, &format!("{path}.to"), year, issues),
    };
    if let (Some(f), Some(l)) = (from, to) {
        let span = (l - f).num_days();
        if span < 0 {
            issues.push(Issue::new(
                "CALENDAR_BAD_VALUE",
                format!("{path}.to"),
                "expected `to` on or after `from`",
            ));
            return None;
        }
        if span >= MAX_HOLIDAY_DAYS {
            issues.push(Issue::new(
                "CALENDAR_BAD_VALUE",
                format!("{path}.to"),
                format!("expected a holiday of at most {MAX_HOLIDAY_DAYS} days"),
            ));
            return None;
        }
    }
    let workdays = match t.get("workdays") {
        None => Vec::new(),
        Some(Value::Array(a)) if a.len() <= MAX_WORKDAYS => a
            .iter()
            .enumerate()
            .map(|(j, v)| {
                let wpath = format!("{path}.workdays[{j}]");
                let d = parse_date(v, &wpath, year, issues)?;
                if matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
                    Some(d)
                } else {
                    issues.push(Issue::new(
                        "CALENDAR_WORKDAY_NOT_WEEKEND",
                        wpath,
                        "expected an adjusted workday on a Saturday or Sunday; weekdays are working days already",
                    ));
                    None
                }
            })
            .collect(),
        Some(_) => {
            issues.push(Issue::new(
                "CALENDAR_BAD_VALUE",
                format!("{path}.workdays"),
                format!("expected an array of at most {MAX_WORKDAYS} dates as YYYY-MM-DD"),
            ));
            Vec::new()
        }
    };
    Some(Holiday {
        name: name?,
        from: from?,
        to: to?,
        workdays,
    })
}

/// Reads a date written as a string `"2026-01-01"` or a TOML local date
/// `2026-01-01`, within a year of the file's year.
fn parse_date(
    value: &Value,
    path: &str,
    year: Option<i32>,
    issues: &mut Vec<Issue>,
) -> Option<NaiveDate> {
    let date = match value {
        Value::String(s) if s.len() == 10 => NaiveDate::parse_from_str(s, "%Y-%m-%d").ok(),
        Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => dt.date.and_then(|d| {
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
        }),
        _ => None,
    };
    let Some(date) = date else {
        issues.push(Issue::new(
            "CALENDAR_BAD_DATE",
            path,
            "expected a calendar date as YYYY-MM-DD",
        ));
        return None;
    };
    if let Some(y) = year {
        if (date.year() - y).abs() > 1 {
            issues.push(Issue::new(
                "CALENDAR_BAD_DATE",
                path,
                "expected a date in the file's year or a neighbouring one",
            ));
            return None;
        }
    }
    Some(date)
}

fn missing(path: &str, what: &str) -> Issue {
    Issue::new("CALENDAR_MISSING_FIELD", path, format!("expected {what}"))
}

/// `base.key` for a plain key; a key with other characters is shown as `base.?`
/// so the path never carries arbitrary input.
fn field_path(base: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key.len() <= 40
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        format!("{base}.{key}")
    } else {
        format!("{base}.?")
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count() + 1)
        .unwrap_or(1);
    (line, col)
}
