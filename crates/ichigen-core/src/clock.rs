//! The clock port: the core never reads the wall clock; callers pass a [`Clock`].
//!
//! ```
//! use ichigen_core::clock::{Clock, FixedClock};
//! let clock = FixedClock::parse("2026-11-23T00:00:00Z")?;
//! assert_eq!(clock.now().to_rfc3339(), "2026-11-23T00:00:00+00:00");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// Tells the current instant.
pub trait Clock {
    /// The current instant, in UTC.
    fn now(&self) -> DateTime<Utc>;

    /// Today's date in `zone`.
    fn today_in(&self, zone: Tz) -> NaiveDate {
        self.now().with_timezone(&zone).date_naive()
    }
}

/// A clock stopped at one instant: for tests, vectors and replays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(pub DateTime<Utc>);

impl FixedClock {
    /// Parses an RFC 3339 instant (`2026-11-23T09:00:00+09:00`).
    pub fn parse(s: &str) -> Result<FixedClock, chrono::ParseError> {
        Ok(FixedClock(
            DateTime::parse_from_rfc3339(s)?.with_timezone(&Utc),
        ))
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> DateTime<Utc> {
        (**self).now()
    }
}
