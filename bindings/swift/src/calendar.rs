//! Business calendars: the holidays of a source, and `BusinessCalendar` (named so
//! in Swift because Foundation has a `Calendar`).
//!
//! Calendar dates cross as `YYYY-MM-DD` strings both ways: a Swift `Date` is an
//! instant, and a calendar date has no time and no zone. A definition is JSON text
//! (its shape grows with the core); the holiday source of `holidays` is a small
//! Swift enum.
//!
//! Doc comments on exported items become the Swift documentation, so the Rust
//! examples live here:
//!
//! ```
//! use ichigen_ffi::{BusinessCalendar, HolidaySource, holidays};
//!
//! let japan = holidays(HolidaySource::Japan, 2026)?;
//! assert_eq!(japan.holidays[0].name, "元日");
//!
//! let store = BusinessCalendar::from_json(
//!     r#"{"name": "store", "annual_closed": [{"from": "12-29", "to": "01-03", "reason": "年末年始"}]}"#
//!         .to_owned(),
//! )?;
//! assert!(!store.is_business_day("2026-12-30".to_owned())?);
//! assert_eq!(store.add_business_days("2026-12-25".to_owned(), 3)?, "2027-01-05");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::Arc;

use ichigen::calendar::DayReason;
use ichigen::interop;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{IchigenError, date_arg, json_arg, json_text, output_shape_error, read_output};

/// One dated holiday (or, in `workdays`, one adjusted working day) with its name.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, uniffi::Record)]
pub struct Holiday {
    /// The date, `YYYY-MM-DD`.
    pub date: String,
    /// Its name (`元日`, `春节`).
    pub name: String,
}

/// The holidays of a source for a year.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, uniffi::Record)]
pub struct HolidayList {
    /// The holidays, by date.
    pub holidays: Vec<Holiday>,
    /// The Chinese adjusted working days (调休上班); empty for other sources.
    pub workdays: Vec<Holiday>,
}

/// Where holidays come from.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum HolidaySource {
    /// Japanese national holidays, computed (1948-07-20 … 2099).
    Japan,
    /// Chinese public holidays and adjusted working days, from the shipped schedules.
    China,
    /// The shipped Chinese schedules plus a shop's year file (TOML text); a year in
    /// the text replaces the shipped one.
    ChinaSchedule {
        /// The year file (format in `docs/china-calendar.md`).
        toml: String,
    },
    /// A shop's own list.
    List {
        /// The holidays (`date` as `YYYY-MM-DD`).
        holidays: Vec<Holiday>,
    },
    /// A shop's own list as CSV text: a header `date,name`, then one holiday a line.
    Csv {
        /// The CSV text.
        text: String,
    },
}

impl HolidaySource {
    /// The source as the core reads it (`"japan"`, `{"csv": "..."}`).
    fn to_json(&self) -> Value {
        match self {
            HolidaySource::Japan => json!("japan"),
            HolidaySource::China => json!("china"),
            HolidaySource::ChinaSchedule { toml } => json!({ "china_schedule": toml }),
            HolidaySource::List { holidays } => json!({
                "list": holidays
                    .iter()
                    .map(|h| json!({ "date": h.date, "name": h.name }))
                    .collect::<Vec<_>>()
            }),
            HolidaySource::Csv { text } => json!({ "csv": text }),
        }
    }
}

/// The holidays of a source for a year (and, for China, the adjusted working days).
/// A year the source does not hold throws `OutOfRange`; a bad list or CSV throws
/// `InvalidCalendar` or `InvalidInput` with the problem's path.
#[uniffi::export]
pub fn holidays(source: HolidaySource, year: i32) -> Result<HolidayList, IchigenError> {
    let out = interop::holidays(source.to_json(), i64::from(year))?;
    read_output(out, "holiday list")
}

/// Why a day is or is not a business day.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DayExplanation {
    /// The date, `YYYY-MM-DD`.
    pub date: String,
    /// Whether it is a business day.
    pub business_day: bool,
    /// The reasons as sentences, such as `store closed (年末年始)`; empty for an
    /// ordinary business day.
    pub text: Vec<String>,
    /// The reasons as data, a JSON array of objects with `kind` (`weekly_closed`,
    /// `holiday`, `closed`, `special_open`, `adjusted_workday`) and `calendar`.
    pub reasons_json: String,
}

/// A business calendar (営業日カレンダー), built once from its definition; every
/// question is then a table lookup. Immutable and shareable across threads.
#[derive(Debug, uniffi::Object)]
pub struct BusinessCalendar {
    inner: ichigen::calendar::BusinessCalendar,
}

#[uniffi::export]
impl BusinessCalendar {
    /// Builds a calendar from a definition (JSON text), or from a JSON array of
    /// definitions composed (a day is a business day only when every one is open,
    /// such as a store and its warehouse). Throws `InvalidCalendar` with every
    /// problem.
    #[uniffi::constructor]
    pub fn from_json(text: String) -> Result<Arc<BusinessCalendar>, IchigenError> {
        let definition = json_arg(&text, "calendar")?;
        Ok(Arc::new(BusinessCalendar {
            inner: interop::load_calendar(definition)?,
        }))
    }

    /// The calendar's name (composed calendars join theirs with `+`).
    pub fn name(&self) -> String {
        self.inner.name().to_owned()
    }

    /// The first date the calendar covers, `YYYY-MM-DD`.
    pub fn first(&self) -> String {
        self.inner.first().to_string()
    }

    /// The last date the calendar covers, `YYYY-MM-DD`.
    pub fn last(&self) -> String {
        self.inner.last().to_string()
    }

    /// Whether `date` (`YYYY-MM-DD`) is a business day.
    pub fn is_business_day(&self, date: String) -> Result<bool, IchigenError> {
        let date = date_arg(&date, "date")?;
        Ok(self
            .inner
            .is_business_day(date)
            .map_err(ichigen::Error::from)?)
    }

    /// The first business day strictly after `date`.
    pub fn next_business_day(&self, date: String) -> Result<String, IchigenError> {
        let date = date_arg(&date, "date")?;
        let answer = self.inner.next_business_day(date);
        Ok(answer.map_err(ichigen::Error::from)?.to_string())
    }

    /// The last business day strictly before `date`.
    pub fn previous_business_day(&self, date: String) -> Result<String, IchigenError> {
        let date = date_arg(&date, "date")?;
        let answer = self.inner.previous_business_day(date);
        Ok(answer.map_err(ichigen::Error::from)?.to_string())
    }

    /// `date` if it is a business day, else the next one.
    pub fn on_or_after(&self, date: String) -> Result<String, IchigenError> {
        let date = date_arg(&date, "date")?;
        let answer = self.inner.on_or_after(date);
        Ok(answer.map_err(ichigen::Error::from)?.to_string())
    }

    /// `date` if it is a business day, else the previous one.
    pub fn on_or_before(&self, date: String) -> Result<String, IchigenError> {
        let date = date_arg(&date, "date")?;
        let answer = self.inner.on_or_before(date);
        Ok(answer.map_err(ichigen::Error::from)?.to_string())
    }

    /// Moves `days` business days: for `days > 0` the n-th business day strictly
    /// after `date`, for `days < 0` the n-th strictly before, for `0` `date` rolled
    /// forward to a business day.
    pub fn add_business_days(&self, date: String, days: i64) -> Result<String, IchigenError> {
        let date = date_arg(&date, "date")?;
        let answer = self.inner.add_business_days(date, days);
        Ok(answer.map_err(ichigen::Error::from)?.to_string())
    }

    /// Business days in the half-open `[fromDate, toDate)`; negative when `toDate`
    /// comes first. `toDate` may be the day after the last date covered.
    pub fn count_business_days(
        &self,
        from_date: String,
        to_date: String,
    ) -> Result<i64, IchigenError> {
        let from = date_arg(&from_date, "from_date")?;
        let to = date_arg(&to_date, "to_date")?;
        Ok(self
            .inner
            .count_business_days(from, to)
            .map_err(ichigen::Error::from)?)
    }

    /// Whether `date` is a business day and why.
    pub fn explain(&self, date: String) -> Result<DayExplanation, IchigenError> {
        let date = date_arg(&date, "date")?;
        let e = self.inner.explain(date).map_err(ichigen::Error::from)?;
        let reasons =
            serde_json::to_value(&e.reasons).map_err(|_| output_shape_error("day explanation"))?;
        Ok(DayExplanation {
            date: e.date.to_string(),
            business_day: e.business_day,
            text: e.reasons.iter().map(DayReason::describe).collect(),
            reasons_json: json_text(&reasons),
        })
    }
}
