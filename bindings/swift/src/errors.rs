//! The error thrown to Swift: one case per kind of core error, each with the
//! stable code, a message without input values, and the issues found.
//!
//! Doc comments on exported items become the Swift documentation, so the Rust
//! examples live here, in the module's documentation:
//!
//! ```
//! use ichigen_ffi::{IchigenError, parse_order};
//! match parse_order(r#"{"id": 5}"#.to_owned()) {
//!     Err(IchigenError::InvalidOrder { code, issues, .. }) => {
//!         assert_eq!(code, "ORDER_INVALID");
//!         assert_eq!(issues[0].path, "$.id");
//!     }
//!     other => panic!("expected an invalid order, got {other:?}"),
//! }
//! ```

use ichigen::Error;
use ichigen::calendar::CalendarError;

/// One problem in an input: its stable code, JSON path and a sentence for a person.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Issue {
    /// Stable machine code, such as `ORDER_QUANTITY_ZERO`.
    pub code: String,
    /// JSON path of the field, such as `$.lines[0].quantity`.
    pub path: String,
    /// A sentence for a person. Never contains input values.
    pub message: String,
}

impl From<&ichigen::Issue> for Issue {
    fn from(issue: &ichigen::Issue) -> Issue {
        Issue {
            code: issue.code.clone(),
            path: issue.path.clone(),
            message: issue.message.clone(),
        }
    }
}

/// Every error a call can throw. The case tells the kind, `code` the exact
/// problem (`ORDER_INVALID`, `LIFECYCLE_ON_HOLD`, `INPUT_PARSE` …), `issues` where.
/// No message contains input values: they may be names, phones or addresses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum IchigenError {
    /// An order failed validation (`ORDER_INVALID`); every problem is listed.
    #[error("{message}")]
    InvalidOrder {
        /// The stable code.
        code: String,
        /// What went wrong, without input values.
        message: String,
        /// The problems found.
        issues: Vec<Issue>,
    },
    /// A rule set failed validation (`RULESET_INVALID`); every problem is listed.
    #[error("{message}")]
    InvalidRuleSet {
        /// The stable code.
        code: String,
        /// What went wrong, without input values.
        message: String,
        /// The problems found.
        issues: Vec<Issue>,
    },
    /// A lifecycle event was refused (`LIFECYCLE_*`); the order is unchanged.
    #[error("{message}")]
    Lifecycle {
        /// The stable code.
        code: String,
        /// What went wrong, without input values.
        message: String,
        /// Empty: a refusal concerns the order as a whole.
        issues: Vec<Issue>,
    },
    /// A calendar definition failed validation (`CALENDAR_INVALID`); every problem
    /// is listed.
    #[error("{message}")]
    InvalidCalendar {
        /// The stable code.
        code: String,
        /// What went wrong, without input values.
        message: String,
        /// The problems found.
        issues: Vec<Issue>,
    },
    /// A calendar could not answer (`CALENDAR_OUT_OF_RANGE`): a date, or the answer,
    /// lies outside the dates it covers; a holiday table does not hold the year.
    #[error("{message}")]
    OutOfRange {
        /// The stable code.
        code: String,
        /// What went wrong (the calendar's name, the date and the range covered).
        message: String,
        /// Empty: the message says which date.
        issues: Vec<Issue>,
    },
    /// Shipping data (a policy, a transit table, a remote-island list) failed
    /// validation (`SHIPDATE_INVALID`); every problem is listed, a calendar's with its
    /// `CALENDAR_*` code.
    #[error("{message}")]
    InvalidShipping {
        /// The stable code.
        code: String,
        /// What went wrong, without input values.
        message: String,
        /// The problems found.
        issues: Vec<Issue>,
    },
    /// Identity data (a record, a matching configuration, a decision, a customer's
    /// orders or profile, a value a normalizer refuses) failed validation
    /// (`IDENTITY_INVALID`); every problem is listed with its `IDENTITY_*` code
    /// (`IDENTITY_PHONE_INVALID` at `$.value`, `IDENTITY_RECORD_DUPLICATE` at `$.id`).
    #[error("{message}")]
    InvalidIdentity {
        /// The stable code.
        code: String,
        /// What went wrong, without input values.
        message: String,
        /// The problems found.
        issues: Vec<Issue>,
    },
    /// Stock data (a catalog, levels, a reservation or allocation policy, a
    /// request) failed validation, or a stock operation was refused
    /// (`STOCK_INVALID`); every problem is listed with its `STOCK_*` code
    /// (`STOCK_UNKNOWN_LISTING` at `$.lines[1].listing_code`, `STOCK_UNKNOWN_ORDER`
    /// at `$.order`). The book is unchanged.
    #[error("{message}")]
    InvalidStock {
        /// The stable code.
        code: String,
        /// What went wrong, without input values.
        message: String,
        /// The problems found.
        issues: Vec<Issue>,
    },
    /// Shipment data (options, item specs, carrier profiles, reservations, facts)
    /// failed validation, or a shipment operation was refused (orders that may not
    /// ship together, a merged plan that cannot be undone) (`SHIPMENT_INVALID`);
    /// every problem is listed with its `SHIPMENT_*` code
    /// (`SHIPMENT_DUPLICATE_ITEM` at `$.items[1].sku`, `SHIPMENT_MERGE_TIME_SLOT` at
    /// `$.orders[1].shipping.time_slot`). An order that does not validate is
    /// `InvalidOrder`.
    #[error("{message}")]
    InvalidShipment {
        /// The stable code.
        code: String,
        /// What went wrong, without input values.
        message: String,
        /// The problems found.
        issues: Vec<Issue>,
    },
    /// Analytics input (an order history, an analysis's configuration, a CLV
    /// summary or options) failed validation (`ANALYTICS_INVALID`); every problem
    /// is listed with its `ANALYTICS_*` or `CLV_*` code at its path
    /// (`ANALYTICS_BAD_MONEY` at `$.history.orders[3].amount`, `CLV_BAD_VALUE` at
    /// `$.summary[0].recency`). A history with a bad cell is refused whole.
    #[error("{message}")]
    InvalidAnalytics {
        /// The stable code.
        code: String,
        /// What went wrong, without input values.
        message: String,
        /// The problems found.
        issues: Vec<Issue>,
    },
    /// An argument is unusable: `INPUT_*` (not JSON, the wrong shape, a batch whose
    /// contexts do not line up), or a ship-date request or batch the core refuses
    /// (`SHIPDATE_UNKNOWN_PREFECTURE`, `SHIPDATE_BAD_VALUE`, `SHIPDATE_BAD_COLUMNS`).
    #[error("{message}")]
    InvalidInput {
        /// The stable code.
        code: String,
        /// What went wrong, without input values.
        message: String,
        /// The problem, with the argument's path (`$.event.type`).
        issues: Vec<Issue>,
    },
    /// An error this version of the binding does not know (the core grew a kind),
    /// or a core output it could not read: a bug to report, with its code.
    #[error("{message}")]
    Unexpected {
        /// The stable code.
        code: String,
        /// What went wrong, without input values.
        message: String,
        /// The problems found, if any.
        issues: Vec<Issue>,
    },
}

impl From<Error> for IchigenError {
    fn from(error: Error) -> IchigenError {
        let code = error.code().to_owned();
        let message = error.to_string();
        let issues = error.issues().iter().map(Issue::from).collect();
        match error {
            Error::InvalidOrder(_) => IchigenError::InvalidOrder {
                code,
                message,
                issues,
            },
            Error::InvalidRuleSet(_) => IchigenError::InvalidRuleSet {
                code,
                message,
                issues,
            },
            Error::Lifecycle(_) => IchigenError::Lifecycle {
                code,
                message,
                issues,
            },
            Error::InvalidInput(_) => IchigenError::InvalidInput {
                code,
                message,
                issues,
            },
            Error::InvalidCalendar(_) => IchigenError::InvalidCalendar {
                code,
                message,
                issues,
            },
            Error::Calendar(
                CalendarError::OutOfRange { .. } | CalendarError::YearNotCovered { .. },
            ) => IchigenError::OutOfRange {
                code,
                message,
                issues,
            },
            Error::InvalidShipping(_) => IchigenError::InvalidShipping {
                code,
                message,
                issues,
            },
            Error::InvalidIdentity(_) => IchigenError::InvalidIdentity {
                code,
                message,
                issues,
            },
            Error::InvalidStock(_) => IchigenError::InvalidStock {
                code,
                message,
                issues,
            },
            Error::InvalidShipment(_) => IchigenError::InvalidShipment {
                code,
                message,
                issues,
            },
            Error::InvalidAnalytics(_) => IchigenError::InvalidAnalytics {
                code,
                message,
                issues,
            },
            _ => IchigenError::Unexpected {
                code,
                message,
                issues,
            },
        }
    }
}
