//! Business calendars: `holidays` and the `Calendar` class.
//!
//! Dates cross as `YYYY-MM-DD` strings both ways (a calendar date has no time and no
//! zone, which a JS `Date` would add). Every answer is the core's
//! (`ichigen::calendar::BusinessCalendar`); a date outside the calendar's range is
//! `CALENDAR_OUT_OF_RANGE`, a bad definition `CALENDAR_INVALID` with every issue.

use chrono::NaiveDate;
use ichigen::calendar::BusinessCalendar;
use ichigen::interop;
use napi::Env;
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;
use serde_json::{Value, json};

use crate::convert::{date_arg, integer_arg, json_arg, value_arg};
use crate::errors::{CoreResultExt, input};

/// The holidays of a source for a year: `{holidays: [{date, name}], workdays: [...]}`
/// (`workdays`: the Chinese adjusted working days, 调休). `source` is `"japan"`,
/// `"china"` or an object such as `{list: [...]}`, `{csv: "..."}`,
/// `{china_schedule: "...toml..."}`. A year the source does not hold is
/// `CALENDAR_OUT_OF_RANGE`.
#[napi(
    ts_args_type = "source: HolidaySource, year: number",
    ts_return_type = "HolidayList"
)]
pub fn holidays(env: Env, source: Unknown<'_>, year: Unknown<'_>) -> napi::Result<Value> {
    let run = || {
        let source = value_arg(Some(source), "source")?;
        let year = integer_arg(year, "$.year")?;
        interop::holidays(source, year)
    };
    run().or_throw(&env)
}

fn date_text(date: NaiveDate) -> String {
    date.to_string()
}

/// A business calendar (営業日カレンダー), built once from its definition; every
/// question is then a table lookup. Immutable.
#[napi]
#[derive(Debug)]
pub struct Calendar {
    inner: BusinessCalendar,
}

#[napi]
impl Calendar {
    /// Builds a calendar from a definition (an object or JSON text), or from an array
    /// of definitions composed (a day is a business day only when every one is open,
    /// such as a store and its warehouse). Throws `CALENDAR_INVALID` with every issue.
    #[napi(
        constructor,
        ts_args_type = "definition: CalendarDefinition | CalendarDefinition[] | string"
    )]
    pub fn new(env: Env, definition: Unknown<'_>) -> napi::Result<Self> {
        json_arg(definition, "calendar")
            .and_then(interop::load_calendar)
            .map(|inner| Calendar { inner })
            .or_throw(&env)
    }

    /// The calendar's name (composed calendars join theirs with `+`).
    #[napi(getter)]
    pub fn name(&self) -> String {
        self.inner.name().to_owned()
    }

    /// The first date the calendar covers, `YYYY-MM-DD`.
    #[napi(getter)]
    pub fn first(&self) -> String {
        date_text(self.inner.first())
    }

    /// The last date the calendar covers, `YYYY-MM-DD`.
    #[napi(getter)]
    pub fn last(&self) -> String {
        date_text(self.inner.last())
    }

    /// Whether `date` is a business day.
    #[napi(ts_args_type = "date: string")]
    pub fn is_business_day(&self, env: Env, date: Unknown<'_>) -> napi::Result<bool> {
        let run = || Ok(self.inner.is_business_day(date_arg(date, "$.date")?)?);
        run().or_throw(&env)
    }

    /// The first business day strictly after `date`.
    #[napi(ts_args_type = "date: string")]
    pub fn next_business_day(&self, env: Env, date: Unknown<'_>) -> napi::Result<String> {
        self.date_answer(&env, date, BusinessCalendar::next_business_day)
    }

    /// The last business day strictly before `date`.
    #[napi(ts_args_type = "date: string")]
    pub fn previous_business_day(&self, env: Env, date: Unknown<'_>) -> napi::Result<String> {
        self.date_answer(&env, date, BusinessCalendar::previous_business_day)
    }

    /// `date` if it is a business day, else the next one.
    #[napi(ts_args_type = "date: string")]
    pub fn on_or_after(&self, env: Env, date: Unknown<'_>) -> napi::Result<String> {
        self.date_answer(&env, date, BusinessCalendar::on_or_after)
    }

    /// `date` if it is a business day, else the previous one.
    #[napi(ts_args_type = "date: string")]
    pub fn on_or_before(&self, env: Env, date: Unknown<'_>) -> napi::Result<String> {
        self.date_answer(&env, date, BusinessCalendar::on_or_before)
    }

    /// Moves `days` business days: for `days > 0` the n-th business day strictly
    /// after `date`, for `days < 0` the n-th strictly before, for `0` `date` rolled
    /// forward to a business day.
    #[napi(ts_args_type = "date: string, days: number")]
    pub fn add_business_days(
        &self,
        env: Env,
        date: Unknown<'_>,
        days: Unknown<'_>,
    ) -> napi::Result<String> {
        let run = || {
            let date = date_arg(date, "$.date")?;
            let days = integer_arg(days, "$.days")?;
            Ok(date_text(self.inner.add_business_days(date, days)?))
        };
        run().or_throw(&env)
    }

    /// Business days in the half-open `[from, to)`; negative when `to < from`.
    #[napi(ts_args_type = "from: string, to: string")]
    pub fn count_business_days(
        &self,
        env: Env,
        from: Unknown<'_>,
        to: Unknown<'_>,
    ) -> napi::Result<i64> {
        let run = || {
            let from = date_arg(from, "$.from")?;
            let to = date_arg(to, "$.to")?;
            Ok(self.inner.count_business_days(from, to)?)
        };
        run().or_throw(&env)
    }

    /// Whether `date` is a business day and why: `{date, business_day, reasons,
    /// text}` (`reasons` as data, `text` as sentences).
    #[napi(ts_args_type = "date: string", ts_return_type = "DayExplanation")]
    pub fn explain(&self, env: Env, date: Unknown<'_>) -> napi::Result<Value> {
        let run = || {
            let date = date_arg(date, "$.date")?;
            // The core's JSON answer to the one question, so that the shape is the
            // same as in every other language.
            let question = json!([{ "explain": date_text(date) }]);
            let mut out = interop::calendar_answers(&self.inner, question)?;
            match out["answers"].get_mut(0).map(Value::take) {
                Some(answer) => Ok(answer),
                None => Err(input(
                    "INPUT_WRONG_TYPE",
                    "$.date",
                    "the calendar gave no answer",
                )),
            }
        };
        run().or_throw(&env)
    }
}

impl Calendar {
    fn date_answer(
        &self,
        env: &Env,
        date: Unknown<'_>,
        ask: fn(
            &BusinessCalendar,
            NaiveDate,
        ) -> Result<NaiveDate, ichigen::calendar::CalendarError>,
    ) -> napi::Result<String> {
        let run = || -> Result<String, ichigen::Error> {
            let date = date_arg(date, "$.date")?;
            Ok(date_text(ask(&self.inner, date)?))
        };
        run().or_throw(env)
    }
}
