//! Analytics (売上・RFM・CPM・顧客BS・リピート・CLV) over an order history: the
//! `OrderHistory` object and its per-customer records (`RfmCustomer`,
//! `CpmCustomer`, `ClvCustomer`); the CLV models are in `clv.rs`.
//!
//! A history crosses once, as JSON text in the shape of the core's
//! `ichigen::analytics::json` (rows or columns), and is kept on the Rust side in
//! columns; every analysis then runs on it without crossing it again. What an app
//! lists or branches on per customer crosses as Swift records (money as decimal
//! text, dates as `YYYY-MM-DD`, the CPM segment as an enum); the summaries (sales,
//! the RFM grid, CPM segment counts and flows, the balance sheet, repeat rates and
//! cohorts) stay JSON text in the JSON face's shapes, tables as lists of rows.
//!
//! Every call goes through the JSON face, so a configuration is checked, and its
//! problems placed, exactly as in the other bindings and the vectors
//! (`ANALYTICS_BAD_CONFIG` at `$.config.as_of`, a bad cell at
//! `$.history.orders[3].amount`); a problem is thrown as
//! `IchigenError.InvalidAnalytics` (`ANALYTICS_INVALID`). The records are read from
//! the face's rows, one JSON round trip, which suits the modest history a phone
//! holds; bulk analysis belongs to the Python and Node bindings (Arrow).
//!
//! Doc comments on exported items become the Swift documentation, so the Rust
//! examples live here:
//!
//! ```
//! use ichigen_ffi::{CpmClass, CpmSegment, OrderHistory};
//!
//! let history = OrderHistory::new(
//!     r#"{"zone": "Asia/Tokyo", "currency": "JPY", "orders": [
//!         {"customer": "c1", "ordered_at": "2026-01-05T23:30:00+09:00", "amount": "40000"},
//!         {"customer": "c1", "ordered_at": "2026-08-10T10:00:00+09:00", "amount": "30000"},
//!         {"customer": "c2", "ordered_at": "2026-03-01T12:00:00+09:00", "amount": "5000"}]}"#
//!         .to_owned(),
//! )?;
//! assert_eq!(history.describe()?.customers, 2);
//! let cpm = history.cpm(r#"{"as_of": "2026-09-01"}"#.to_owned())?;
//! assert_eq!(cpm[0].segment, CpmSegment::LoyalActive);
//! assert_eq!((cpm[0].cpm_class, cpm[0].spend.as_str()), (CpmClass::Loyal, "70000"));
//! let rfm = history.rfm(r#"{"as_of": "2026-09-01"}"#.to_owned())?;
//! assert_eq!((rfm[0].frequency, rfm[0].first_purchase.as_str()), (2, "2026-01-05"));
//! // Customer ids stay out of Debug output (logs).
//! assert!(!format!("{:?} {:?} {history:?}", rfm[0], cpm[0]).contains("c1"));
//! let sales: serde_json::Value = serde_json::from_str(
//!     &history.sales(Some(r#"{"group_by": ["month"]}"#.to_owned()))?,
//! )?;
//! assert_eq!(sales["rows"].as_array().map(Vec::len), Some(3));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::sync::Arc;

use ichigen::analytics::json as face;
use ichigen::analytics::{self as core, Segment};
use serde::Deserialize;
use serde_json::Value;

use crate::{
    IchigenError, json_arg, json_text, optional_json_arg, output_shape_error, read_output,
};

/// An order history, checked and held in columns: the object every analysis runs
/// on. Build it once from JSON text and ask it as many questions as needed; it is
/// immutable and may be shared between threads.
///
/// Meant for the modest history a mobile app holds (a shop's recent orders, tens
/// of thousands of rows): the history crosses as JSON text, and per-customer
/// results as records. For millions of orders, use the Python binding (Arrow).
#[derive(uniffi::Object)]
pub struct OrderHistory {
    history: core::OrderHistory,
}

impl fmt::Debug for OrderHistory {
    // Customer ids stay out of logs: only the sizes are shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "OrderHistory({} orders, {} customers)",
            self.history.len(),
            self.history.customer_ids().len()
        )
    }
}

/// Debug for a record that names a customer: every field but the customer id,
/// which stays out of logs.
macro_rules! debug_without_customer {
    ($record:ident { $($field:ident),* $(,)? }) => {
        impl std::fmt::Debug for $record {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($record))
                    $(.field(stringify!($field), &self.$field))*
                    .finish_non_exhaustive()
            }
        }
    };
}
pub(crate) use debug_without_customer;

/// What a history holds.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HistoryDescription {
    /// Orders, cancelled ones included.
    pub orders: u64,
    /// Distinct customers.
    pub customers: u64,
    /// Order lines (SKU rows), 0 without lines.
    pub lines: u64,
    /// Cancelled orders.
    pub cancelled: u64,
    /// The first order's day in the shop's zone (`YYYY-MM-DD`); `nil` when empty.
    pub first_date: Option<String>,
    /// The last order's day in the shop's zone; `nil` when empty.
    pub last_date: Option<String>,
    /// The shop's IANA zone (`Asia/Tokyo`).
    pub zone: String,
    /// The currency (`JPY`).
    pub currency: String,
}

/// One customer's RFM: the raw values as of the date, the 1–5 scores and the
/// named rank.
#[derive(Clone, PartialEq, Eq, Deserialize, uniffi::Record)]
pub struct RfmCustomer {
    /// The customer id, as the history gives it.
    pub customer: String,
    /// Days from the last purchase to the as-of date.
    pub recency: i32,
    /// Purchases (orders not cancelled) on or before the date.
    pub frequency: u32,
    /// Cumulative spend, decimal text in the history's currency (`"70000"`).
    pub monetary: String,
    /// The first purchase's day in the shop's zone (`YYYY-MM-DD`).
    pub first_purchase: String,
    /// The last purchase's day.
    pub last_purchase: String,
    /// Recency score, 1–5 (5: most recent).
    pub r: u8,
    /// Frequency score, 1–5.
    pub f: u8,
    /// Monetary score, 1–5.
    pub m: u8,
    /// The three scores as text (`"543"`).
    pub score: String,
    /// The shop's rank the scores fall in (the config's `ranks`), else the
    /// `default_rank`; `nil` without one.
    pub rank: Option<String>,
}

debug_without_customer!(RfmCustomer {
    recency,
    frequency,
    monetary,
    first_purchase,
    last_purchase,
    r,
    f,
    m,
    score,
    rank,
});

/// The ten CPM segments (顧客ポートフォリオ): five classes, each active (現役) or
/// lapsed (離脱).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum CpmSegment {
    /// 初回現役.
    FirstActive,
    /// 初回離脱.
    FirstLapsed,
    /// よちよち現役.
    EarlyActive,
    /// よちよち離脱.
    EarlyLapsed,
    /// コツコツ現役.
    SteadyActive,
    /// コツコツ離脱.
    SteadyLapsed,
    /// 流行現役.
    TrendyActive,
    /// 流行離脱.
    TrendyLapsed,
    /// 優良現役.
    LoyalActive,
    /// 優良離脱.
    LoyalLapsed,
}

impl From<Segment> for CpmSegment {
    fn from(s: Segment) -> CpmSegment {
        match s {
            Segment::FirstActive => CpmSegment::FirstActive,
            Segment::FirstLapsed => CpmSegment::FirstLapsed,
            Segment::EarlyActive => CpmSegment::EarlyActive,
            Segment::EarlyLapsed => CpmSegment::EarlyLapsed,
            Segment::SteadyActive => CpmSegment::SteadyActive,
            Segment::SteadyLapsed => CpmSegment::SteadyLapsed,
            Segment::TrendyActive => CpmSegment::TrendyActive,
            Segment::TrendyLapsed => CpmSegment::TrendyLapsed,
            Segment::LoyalActive => CpmSegment::LoyalActive,
            Segment::LoyalLapsed => CpmSegment::LoyalLapsed,
        }
    }
}

/// The five CPM classes, by purchases, tenure and spend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum CpmClass {
    /// 初回: one purchase.
    First,
    /// よちよち: repeat buyer of short tenure.
    Early,
    /// コツコツ: long tenure, spend under the limit.
    Steady,
    /// 流行: middle tenure, spend at or over the limit.
    Trendy,
    /// 優良: long tenure, spend at or over the limit.
    Loyal,
}

impl From<core::Class> for CpmClass {
    fn from(c: core::Class) -> CpmClass {
        match c {
            core::Class::First => CpmClass::First,
            core::Class::Early => CpmClass::Early,
            core::Class::Steady => CpmClass::Steady,
            core::Class::Trendy => CpmClass::Trendy,
            core::Class::Loyal => CpmClass::Loyal,
        }
    }
}

/// One customer's CPM segment and the facts it was judged on.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct CpmCustomer {
    /// The customer id, as the history gives it.
    pub customer: String,
    /// The segment.
    pub segment: CpmSegment,
    /// The segment's Japanese label (`優良現役`).
    pub label: String,
    /// The segment's class (`class` in the JSON rows; a keyword in Swift).
    pub cpm_class: CpmClass,
    /// Whether the segment is active (現役).
    pub active: bool,
    /// Purchases (orders not cancelled) on or before the as-of date.
    pub purchases: u32,
    /// Cumulative spend, decimal text in the history's currency.
    pub spend: String,
    /// Days from the first purchase to the last.
    pub tenure: i32,
    /// Days from the last purchase to the as-of date.
    pub days_since_last: i32,
    /// The first purchase's day in the shop's zone (`YYYY-MM-DD`).
    pub first_purchase: String,
    /// The last purchase's day.
    pub last_purchase: String,
}

debug_without_customer!(CpmCustomer {
    segment,
    label,
    cpm_class,
    active,
    purchases,
    spend,
    tenure,
    days_since_last,
    first_purchase,
    last_purchase,
});

impl CpmCustomer {
    /// Reads one row of the JSON face's `customers`; the segment code is the
    /// core's own (`Segment::code`), its class and activity the core's too.
    fn from_row(row: Value) -> Result<CpmCustomer, IchigenError> {
        #[derive(Deserialize)]
        struct Row {
            customer: String,
            segment: String,
            label: String,
            active: bool,
            purchases: u32,
            spend: String,
            tenure: i32,
            days_since_last: i32,
            first_purchase: String,
            last_purchase: String,
        }
        let row: Row = read_output(row, "CPM row")?;
        let segment = Segment::ALL
            .into_iter()
            .find(|s| s.code() == row.segment)
            .ok_or_else(|| output_shape_error("CPM segment"))?;
        Ok(CpmCustomer {
            customer: row.customer,
            segment: segment.into(),
            label: row.label,
            cpm_class: segment.class().into(),
            active: row.active,
            purchases: row.purchases,
            spend: row.spend,
            tenure: row.tenure,
            days_since_last: row.days_since_last,
            first_purchase: row.first_purchase,
            last_purchase: row.last_purchase,
        })
    }
}

/// One customer's CLV summary (the `lifetimes` definition): what the BG/NBD and
/// Gamma-Gamma models are fitted on.
#[derive(Clone, PartialEq, Deserialize, uniffi::Record)]
pub struct ClvCustomer {
    /// The customer id, as the history gives it.
    pub customer: String,
    /// Repeat purchases: purchase days less one.
    pub frequency: f64,
    /// Periods from the first purchase day to the last.
    pub recency: f64,
    /// Periods from the first purchase day to the end of observation (`T`).
    #[serde(rename = "T")]
    pub t: f64,
    /// Mean spend of the repeat purchase days, in currency units (0 without
    /// repeat purchases): a model input, hence a real number.
    pub monetary_value: f64,
}

debug_without_customer!(ClvCustomer {
    frequency,
    recency,
    t,
    monetary_value,
});

/// The rows of a table in a JSON face answer (`answer[key]`), each read by `read`.
pub(crate) fn rows_of<T>(
    mut answer: Value,
    key: &str,
    read: impl Fn(Value) -> Result<T, IchigenError>,
) -> Result<Vec<T>, IchigenError> {
    match answer.get_mut(key).map(Value::take) {
        Some(Value::Array(rows)) => rows.into_iter().map(read).collect(),
        _ => Err(output_shape_error("analytics table")),
    }
}

#[uniffi::export]
impl OrderHistory {
    /// A history from JSON text: `{zone?, currency?, orders, lines?}` (zone
    /// `Asia/Tokyo` and currency `JPY` by default). `orders` is a list of rows
    /// (`{customer, ordered_at, amount, status? | cancelled?, units?, channel?,
    /// store?, payment_method?, shipping_method?, cancel_reason?, age_band?,
    /// gender?, lines?}`) or an object of equal-length columns; `ordered_at` is
    /// RFC 3339 text, local text read in the shop's zone, or seconds since 1970;
    /// `amount` decimal text in currency units. A history with a bad cell is
    /// refused whole: `InvalidAnalytics` with every bad cell at its path
    /// (`$.history.orders[3].amount`, `$.history.orders.amount[3]`).
    #[uniffi::constructor]
    pub fn new(history_json: String) -> Result<Arc<OrderHistory>, IchigenError> {
        let value = json_arg(&history_json, "history")?;
        Ok(Arc::new(OrderHistory {
            history: face::history(value, "$.history")?,
        }))
    }

    /// What the history holds: orders, customers, lines, cancelled orders, the
    /// first and last day, the zone and the currency.
    pub fn describe(&self) -> Result<HistoryDescription, IchigenError> {
        #[derive(Deserialize)]
        struct Described {
            orders: u64,
            customers: u64,
            lines: u64,
            cancelled: u64,
            first_date: Option<String>,
            last_date: Option<String>,
            zone: String,
            currency: String,
        }
        let d: Described = read_output(face::describe(&self.history), "history description")?;
        Ok(HistoryDescription {
            orders: d.orders,
            customers: d.customers,
            lines: d.lines,
            cancelled: d.cancelled,
            first_date: d.first_date,
            last_date: d.last_date,
            zone: d.zone,
            currency: d.currency,
        })
    }

    /// Sales by any axes (JSON text, `nil` for the totals): `{group_by?: ["year" |
    /// "month" | "date" | "weekday" | "hour" | "channel" | "store" | "product" |
    /// "sku" | "payment_method" | "shipping_method" | "cancel_reason" | "age_band"
    /// | "gender" …], from?, to?, include_cancelled?, decimals?}`. Returns JSON
    /// text `{rows}`: the axes, `orders`, `units`, `revenue`,
    /// `average_order_value`, `customers` (money as decimal text).
    #[uniffi::method(default(query_json = None))]
    pub fn sales(&self, query_json: Option<String>) -> Result<String, IchigenError> {
        let query = optional_json_arg(query_json, "query")?;
        Ok(json_text(&face::sales(&self.history, query)?))
    }

    /// RFM of every customer with a purchase on or before `as_of` (JSON text:
    /// `{as_of, scoring?, ranks?, default_rank?}`), in the order of first
    /// appearance in the history.
    pub fn rfm(&self, config_json: String) -> Result<Vec<RfmCustomer>, IchigenError> {
        let answer = face::rfm(&self.history, json_arg(&config_json, "config")?)?;
        rows_of(answer, "customers", |row| read_output(row, "RFM row"))
    }

    /// RFM as the JSON face gives it: JSON text `{customers, grid}`, `grid` the
    /// 5×5 recency-by-frequency table (`r`, `f`, `customers`, `monetary`,
    /// `share`). The config may hold `decimals`.
    pub fn rfm_json(&self, config_json: String) -> Result<String, IchigenError> {
        let config = json_arg(&config_json, "config")?;
        Ok(json_text(&face::rfm(&self.history, config)?))
    }

    /// The CPM segment of every customer with a purchase on or before `as_of`
    /// (JSON text: `{as_of, lapse_days?, early_tenure_days?, loyal_tenure_days?,
    /// spend?}`; the defaults are 240 days, 90, 210 and 70000).
    pub fn cpm(&self, config_json: String) -> Result<Vec<CpmCustomer>, IchigenError> {
        let answer = face::cpm(&self.history, json_arg(&config_json, "config")?)?;
        rows_of(answer, "customers", CpmCustomer::from_row)
    }

    /// CPM as the JSON face gives it: JSON text `{customers, segments}` (all ten
    /// segments with `customers`, `share`, `spend`, `spend_share`), and `flows`
    /// between `as_of` and the config's `to` when given.
    pub fn cpm_json(&self, config_json: String) -> Result<String, IchigenError> {
        let config = json_arg(&config_json, "config")?;
        Ok(json_text(&face::cpm(&self.history, config)?))
    }

    /// The customer balance sheet (顧客BS) as JSON text `{classes, flows,
    /// projection}`: classes by cumulative purchases, active customers,
    /// retention and annual LTV per class, promotion and lapse flows, the
    /// five-year projection without new customers.
    pub fn balance_sheet(&self, config_json: String) -> Result<String, IchigenError> {
        let config = json_arg(&config_json, "config")?;
        Ok(json_text(&face::balance_sheet(&self.history, config)?))
    }

    /// Repeat buying over one window, as JSON text `{f2, repeat, cohorts,
    /// channel_ltv}`: F2 conversion, repeat rates by channel and across channels,
    /// the monthly cohort retention matrix, cross-channel LTV.
    pub fn repeat_and_cohorts(&self, config_json: String) -> Result<String, IchigenError> {
        let config = json_arg(&config_json, "config")?;
        Ok(json_text(&face::repeat(&self.history, config)?))
    }

    /// The CLV summary of every customer with a purchase on or before the end of
    /// observation (JSON text: `{observation_end, period_days?, decimals?}`;
    /// `period_days` 7 counts recency and T in weeks).
    pub fn clv_summary(&self, config_json: String) -> Result<Vec<ClvCustomer>, IchigenError> {
        let answer = face::clv_summary(&self.history, json_arg(&config_json, "config")?)?;
        rows_of(answer, "rows", |row| read_output(row, "CLV summary row"))
    }

    /// The CLV summary as the JSON face gives it: JSON text `{rows}` with
    /// `customer`, `frequency`, `recency`, `T`, `monetary_value`. Its `rows` are
    /// what `fitClv` and `predictClv` read.
    pub fn clv_summary_json(&self, config_json: String) -> Result<String, IchigenError> {
        let config = json_arg(&config_json, "config")?;
        Ok(json_text(&face::clv_summary(&self.history, config)?))
    }
}
