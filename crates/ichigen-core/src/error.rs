//! Errors with stable codes and the location of the problem.
//!
//! Every error the core returns has a machine code (`ORDER_TOTAL_MISMATCH`,
//! `RULESET_UNKNOWN_FIELD`, `LIFECYCLE_ILLEGAL_TRANSITION`) that bindings map to
//! exceptions, and, where it concerns input, the JSON path of the field (`$.lines[2].quantity`).
//!
//! Messages never quote input values: a wrong value might be a name, a phone number
//! or an address, and error text ends up in logs. They say what was expected instead.
//!
//! ```
//! use ichigen_core::validate::parse_order_json;
//! let err = parse_order_json(r#"{"id": 5}"#).unwrap_err();
//! assert_eq!(err.code(), "ORDER_INVALID");
//! assert_eq!(err.issues()[0].code, "ORDER_WRONG_TYPE");
//! assert_eq!(err.issues()[0].path, "$.id");
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

/// One problem in an input, with its code and JSON path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    /// Stable machine code, such as `ORDER_QUANTITY_ZERO`.
    pub code: String,
    /// JSON path of the field, such as `$.lines[0].quantity`.
    pub path: String,
    /// A sentence for a person. Never contains input values.
    pub message: String,
}

impl Issue {
    /// Builds an issue.
    pub fn new(code: &str, path: impl Into<String>, message: impl Into<String>) -> Issue {
        Issue {
            code: code.to_owned(),
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}: {}", self.code, self.path, self.message)
    }
}

/// Every error the core returns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An order failed validation; every problem found is listed.
    #[error("invalid order: {}", summarize(.0))]
    InvalidOrder(Vec<Issue>),
    /// A rule set failed validation; every problem found is listed.
    #[error("invalid rule set: {}", summarize(.0))]
    InvalidRuleSet(Vec<Issue>),
    /// A lifecycle event was refused; the order is unchanged.
    #[error(transparent)]
    Lifecycle(#[from] crate::lifecycle::LifecycleError),
    /// A calendar definition failed validation; every problem found is listed.
    #[error("invalid calendar: {}", summarize(.0))]
    InvalidCalendar(Vec<Issue>),
    /// A calendar could not answer (a date outside its range).
    #[error(transparent)]
    Calendar(#[from] crate::calendar::CalendarError),
    /// Ship-date data (a policy, a transit table, a remote-island list) failed
    /// validation; every problem found is listed.
    #[error("invalid shipping data: {}", summarize(.0))]
    InvalidShipping(Vec<Issue>),
    /// Identity data (a matching configuration, a record, a decision) failed
    /// validation; every problem found is listed.
    #[error("invalid identity data: {}", summarize(.0))]
    InvalidIdentity(Vec<Issue>),
    /// Stock data (a catalog, stock levels, an allocation policy) failed validation,
    /// or a stock operation was refused (an unknown listing code, an order reserved
    /// twice); every problem found is listed.
    #[error("invalid stock data: {}", summarize(.0))]
    InvalidStock(Vec<Issue>),
    /// Shipment data (a split policy, item specs, carrier profiles, reservations)
    /// failed validation, or a shipment operation was refused (orders that may not
    /// be merged, an unmerge that does not add up); every problem found is listed.
    #[error("invalid shipment data: {}", summarize(.0))]
    InvalidShipment(Vec<Issue>),
    /// Analytics input (order columns, a query, a configuration, a CLV summary)
    /// failed validation; every problem found is listed.
    #[error("invalid analytics input: {}", summarize(.0))]
    InvalidAnalytics(Vec<Issue>),
    /// An argument of a call is unusable (a batch whose contexts do not line up, say).
    #[error("invalid input: {}", .0)]
    InvalidInput(Issue),
}

fn summarize(issues: &[Issue]) -> String {
    let mut s = String::new();
    for (i, issue) in issues.iter().take(5).enumerate() {
        if i > 0 {
            s.push_str("; ");
        }
        s.push_str(&issue.to_string());
    }
    if issues.len() > 5 {
        s.push_str(&format!("; and {} more", issues.len() - 5));
    }
    s
}

impl Error {
    /// The stable code of the error as a whole.
    pub fn code(&self) -> &str {
        match self {
            Error::InvalidOrder(_) => "ORDER_INVALID",
            Error::InvalidRuleSet(_) => "RULESET_INVALID",
            Error::Lifecycle(e) => e.code(),
            Error::InvalidCalendar(_) => "CALENDAR_INVALID",
            Error::Calendar(e) => e.code(),
            Error::InvalidShipping(_) => "SHIPDATE_INVALID",
            Error::InvalidIdentity(_) => "IDENTITY_INVALID",
            Error::InvalidStock(_) => "STOCK_INVALID",
            Error::InvalidShipment(_) => "SHIPMENT_INVALID",
            Error::InvalidAnalytics(_) => "ANALYTICS_INVALID",
            Error::InvalidInput(issue) => &issue.code,
        }
    }

    /// The individual problems (empty for lifecycle errors).
    pub fn issues(&self) -> &[Issue] {
        match self {
            Error::InvalidOrder(v)
            | Error::InvalidRuleSet(v)
            | Error::InvalidCalendar(v)
            | Error::InvalidShipping(v)
            | Error::InvalidIdentity(v)
            | Error::InvalidStock(v)
            | Error::InvalidShipment(v)
            | Error::InvalidAnalytics(v) => v,
            Error::InvalidInput(i) => std::slice::from_ref(i),
            Error::Lifecycle(_) | Error::Calendar(_) => &[],
        }
    }
}

/// Decodes a JSON value into `T`; a problem becomes one issue whose code starts
/// with `prefix` (`STOCK`, `IDENTITY`), at its path below `path` (`$.lines` +
/// `[0].quantity`).
pub(crate) fn decode_at<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
    path: &str,
    prefix: &str,
) -> Result<T, Issue> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = e.path().to_string();
        let full = if inner == "." || inner.is_empty() {
            path.to_owned()
        } else if inner.starts_with('[') {
            format!("{path}{inner}")
        } else {
            format!("{path}.{inner}")
        };
        issue_from_serde(prefix, &full, &e.inner().to_string())
    })
}

/// Turns a serde error at a path into an issue whose code starts with `prefix`
/// (`ORDER`, `RULESET`), dropping any input value serde quoted.
pub(crate) fn issue_from_serde(prefix: &str, path: &str, message: &str) -> Issue {
    let (kind, text) = classify_serde(message);
    Issue::new(&format!("{prefix}_{kind}"), path, text)
}

/// Classifies a serde message and rewrites it without the offending value.
fn classify_serde(message: &str) -> (&'static str, String) {
    let expected = message
        .find("expected ")
        .map(|i| strip_location(&message[i..]));
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or("");
        let known = expected.map(|e| format!("; {e}")).unwrap_or_default();
        return (
            "UNKNOWN_FIELD",
            format!("unknown field `{}`{known}", clip(field)),
        );
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or("");
        return ("MISSING_FIELD", format!("missing field `{}`", clip(field)));
    }
    if message.starts_with("unknown variant") {
        return (
            "UNKNOWN_VALUE",
            format!("unknown value; {}", expected.unwrap_or_default()),
        );
    }
    if message.starts_with("invalid type") || message.starts_with("invalid value") {
        return (
            "WRONG_TYPE",
            format!("wrong type; {}", expected.unwrap_or_default()),
        );
    }
    if message.contains("floating-point") {
        return (
            "BAD_AMOUNT",
            "amounts must be strings or integers, never floating-point numbers".into(),
        );
    }
    if message.contains("decimal amount") {
        return (
            "BAD_AMOUNT",
            "not a decimal amount such as \"1980\" or \"12.50\"".into(),
        );
    }
    if message.contains("currency") {
        return (
            "UNKNOWN_CURRENCY",
            "unknown currency code (ISO 4217, such as JPY)".into(),
        );
    }
    if message.contains("time zone") || message.contains("timezone") || message.contains("Tz") {
        return (
            "UNKNOWN_ZONE",
            "unknown IANA time zone (such as Asia/Tokyo)".into(),
        );
    }
    // chrono's parse errors: malformed text, and well-formed dates that do not exist
    // (2026-02-30, month 13).
    if message.contains("premature end")
        || message.contains("input contains invalid characters")
        || message.contains("trailing input")
        || message.contains("input is out of range")
        || message.contains("no possible date")
        || message.contains("input is not enough")
    {
        return ("BAD_DATE", "not an ISO-8601 date or date-time".into());
    }
    if message.contains("EOF")
        || message.contains("expected value")
        || message.contains("key must be")
    {
        return ("PARSE", "not well-formed JSON".into());
    }
    if message.contains("out of range") || message.contains("number too large") {
        return ("OUT_OF_RANGE", "number out of range".into());
    }
    ("WRONG_TYPE", "malformed value".into())
}

fn strip_location(s: &str) -> String {
    // serde_json appends " at line 1 column 9"; drop it.
    let s = match s.find(" at line ") {
        Some(i) => &s[..i],
        None => s,
    };
    plain_words(s)
}

/// Rewrites Rust type names in serde's "expected …" text for people who write JSON.
fn plain_words(expected: &str) -> String {
    const WORDS: &[(&str, &str)] = &[
        ("expected u8", "expected a whole number from 0 to 255"),
        ("expected u16", "expected a whole number from 0 to 65535"),
        (
            "expected u32",
            "expected a whole number from 0 to 4294967295",
        ),
        ("expected u64", "expected a whole number of 0 or more"),
        ("expected i32", "expected a whole number"),
        ("expected i64", "expected a whole number"),
        ("expected a sequence", "expected an array"),
        ("expected a map", "expected an object"),
        ("expected a borrowed string", "expected a string"),
    ];
    for (rust, plain) in WORDS {
        if let Some(rest) = expected.strip_prefix(rust) {
            if rest.is_empty() || !rest.starts_with(|c: char| c.is_ascii_alphanumeric()) {
                return format!("{plain}{rest}");
            }
        }
    }
    if expected.starts_with("expected struct ") {
        return "expected an object".to_owned();
    }
    if expected.starts_with("expected internally tagged enum")
        || expected.starts_with("expected enum ")
    {
        return "expected an object with a known `type`".to_owned();
    }
    expected.to_owned()
}

/// A key as it may appear in a message or a path. Every key of ichigen's formats is
/// an ASCII identifier; any other key is an unknown one, and since a malformed input
/// could use a name or an address as a key, it is described, never quoted.
pub(crate) fn clip(key: &str) -> String {
    if is_identifier(key) {
        key.to_owned()
    } else {
        format!("<key of {} chars>", key.chars().count())
    }
}

/// `snake_case`-like: a letter, then letters, digits and underscores, at most 64.
fn is_identifier(key: &str) -> bool {
    key.len() <= 64
        && key.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Formats a serde_path_to_error path as a JSON path (`$.lines[0].quantity`).
pub(crate) fn json_path(base: &str, path: &serde_path_to_error::Path) -> String {
    let mut out = base.to_owned();
    for seg in path.iter() {
        use serde_path_to_error::Segment;
        match seg {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } => push_key(&mut out, key),
            Segment::Enum { variant } => push_key(&mut out, variant),
            Segment::Unknown => out.push_str(".?"),
        }
    }
    out
}

/// The issues with their paths moved below `prefix` (`$.orders[2]` and
/// `$.lines[0]` → `$.orders[2].lines[0]`); a path that does not start with `$` is
/// kept as it is.
pub(crate) fn issues_under(issues: Vec<Issue>, prefix: &str) -> Vec<Issue> {
    issues
        .into_iter()
        .map(|mut i| {
            if let Some(rest) = i.path.strip_prefix('$') {
                i.path = format!("{prefix}{rest}");
            }
            i
        })
        .collect()
}

/// Appends `.key`, or `["key"]` when the key is not a plain identifier.
pub(crate) fn push_key(out: &mut String, key: &str) {
    if is_identifier(key) {
        out.push('.');
        out.push_str(key);
    } else {
        out.push_str(&format!("[{}]", clip(key)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_type_names_become_plain_words() {
        let i = issue_from_serde(
            "ORDER",
            "$.lines[0].quantity",
            "invalid type: string \"x\", expected u32 at line 1 column 9",
        );
        assert_eq!(i.code, "ORDER_WRONG_TYPE");
        assert_eq!(
            i.message,
            "wrong type; expected a whole number from 0 to 4294967295"
        );
        let i = issue_from_serde(
            "ORDER",
            "$.buyer",
            "invalid type: string \"x\", expected struct Party",
        );
        assert_eq!(i.message, "wrong type; expected an object");
        let i = issue_from_serde("ORDER", "$.lines", "invalid type: map, expected a sequence");
        assert_eq!(i.message, "wrong type; expected an array");
    }
}
