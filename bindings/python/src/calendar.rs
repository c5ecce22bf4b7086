//! Business calendars: `holidays` and the `Calendar` class.
//!
//! Dates cross as `datetime.date` both ways (an ISO string is accepted too); every
//! question is the core's O(1) lookup, asked with the GIL held (it is shorter than
//! releasing it).

use std::sync::Arc;

use chrono::NaiveDate;
use ichigen::calendar::BusinessCalendar;
use ichigen::interop;
use pyo3::prelude::*;
use serde_json::json;

use crate::convert::{date_arg, json_arg, to_py_dates, to_value};
use crate::errors::{CoreResultExt, core_error};

/// The holidays of a source for a year: `{"holidays": [{"date", "name"}],
/// "workdays": [...]}` (workdays: Chinese adjusted working days). `source` is
/// `"japan"`, `"china"`, or a source as a dict: `{"list": [...]}`, `{"csv": text}`,
/// `{"china_schedule": toml}`.
#[pyfunction]
pub fn holidays<'py>(source: &Bound<'py, PyAny>, year: i64) -> PyResult<Bound<'py, PyAny>> {
    let py = source.py();
    // A str is the source's name, not JSON text.
    let mut path = String::from("$.source");
    let source = to_value(source, &mut path, 0)?;
    let out = py
        .detach(move || interop::holidays(source, year))
        .or_raise(py)?;
    to_py_dates(py, out, &["date"])
}

/// A business calendar (営業日カレンダー), built once from its definition; every
/// question is a table lookup. Immutable and safe to share between threads.
#[pyclass(name = "Calendar", module = "ichigen", frozen)]
#[derive(Debug)]
pub struct PyCalendar {
    inner: Arc<BusinessCalendar>,
}

#[pymethods]
impl PyCalendar {
    /// Builds a calendar from a definition (dict or JSON text), or from a list of
    /// definitions composed: a day is a business day only when every one is open.
    /// Raises `CalendarError` with every problem of the definition.
    #[new]
    fn new(definition: &Bound<'_, PyAny>) -> PyResult<Self> {
        let py = definition.py();
        let value = json_arg(definition, "calendar")?;
        let inner = py
            .detach(move || interop::load_calendar(value))
            .or_raise(py)?;
        Ok(PyCalendar {
            inner: Arc::new(inner),
        })
    }

    /// The calendar's name (composed calendars join their names with `+`).
    #[getter]
    fn name(&self) -> &str {
        self.inner.name()
    }

    /// The first date the calendar covers.
    #[getter]
    fn first(&self) -> NaiveDate {
        self.inner.first()
    }

    /// The last date the calendar covers.
    #[getter]
    fn last(&self) -> NaiveDate {
        self.inner.last()
    }

    /// Whether `date` is a business day.
    fn is_business_day(&self, py: Python<'_>, date: &Bound<'_, PyAny>) -> PyResult<bool> {
        let d = date_arg(date, "date")?;
        self.inner
            .is_business_day(d)
            .map_err(|e| core_error(py, e.into()))
    }

    /// The first business day strictly after `date`.
    fn next_business_day(&self, py: Python<'_>, date: &Bound<'_, PyAny>) -> PyResult<NaiveDate> {
        let d = date_arg(date, "date")?;
        self.inner
            .next_business_day(d)
            .map_err(|e| core_error(py, e.into()))
    }

    /// The last business day strictly before `date`.
    fn previous_business_day(
        &self,
        py: Python<'_>,
        date: &Bound<'_, PyAny>,
    ) -> PyResult<NaiveDate> {
        let d = date_arg(date, "date")?;
        self.inner
            .previous_business_day(d)
            .map_err(|e| core_error(py, e.into()))
    }

    /// `date` if it is a business day, else the next one.
    fn on_or_after(&self, py: Python<'_>, date: &Bound<'_, PyAny>) -> PyResult<NaiveDate> {
        let d = date_arg(date, "date")?;
        self.inner
            .on_or_after(d)
            .map_err(|e| core_error(py, e.into()))
    }

    /// `date` if it is a business day, else the previous one.
    fn on_or_before(&self, py: Python<'_>, date: &Bound<'_, PyAny>) -> PyResult<NaiveDate> {
        let d = date_arg(date, "date")?;
        self.inner
            .on_or_before(d)
            .map_err(|e| core_error(py, e.into()))
    }

    /// Moves `n` business days: `n > 0` the n-th business day after `date`, `n < 0`
    /// the |n|-th before, `0` `date` rolled forward to a business day.
    fn add_business_days(
        &self,
        py: Python<'_>,
        date: &Bound<'_, PyAny>,
        n: i64,
    ) -> PyResult<NaiveDate> {
        let d = date_arg(date, "date")?;
        self.inner
            .add_business_days(d, n)
            .map_err(|e| core_error(py, e.into()))
    }

    /// Business days in the half-open `[start, end)`; negative when `end < start`.
    /// `end` may be the day after the last covered date.
    fn count_business_days(
        &self,
        py: Python<'_>,
        start: &Bound<'_, PyAny>,
        end: &Bound<'_, PyAny>,
    ) -> PyResult<i64> {
        let from = date_arg(start, "start")?;
        let to = date_arg(end, "end")?;
        self.inner
            .count_business_days(from, to)
            .map_err(|e| core_error(py, e.into()))
    }

    /// Whether `date` is a business day and why: `{"date", "business_day",
    /// "reasons": [{"kind", "calendar", ...}], "text": [sentences]}`.
    fn explain<'py>(
        &self,
        py: Python<'py>,
        date: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let d = date_arg(date, "date")?;
        let mut out =
            interop::calendar_answers(&self.inner, json!([{ "explain": d }])).or_raise(py)?;
        let answer = out["answers"][0].take();
        to_py_dates(py, answer, &["date"])
    }

    fn __repr__(&self) -> String {
        format!(
            "Calendar(name={:?}, first={}, last={})",
            self.inner.name(),
            self.inner.first(),
            self.inner.last()
        )
    }
}
