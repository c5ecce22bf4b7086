//! The JSON face of analytics, shared by the bindings and the vectors.
//!
//! A history is `{zone, currency, orders, lines?}`. `zone` defaults to
//! `Asia/Tokyo` and `currency` to `JPY`. `orders` is either a list of rows or
//! an object of columns (equal-length lists):
//!
//! - `customer` (text, required): the resolved customer id.
//! - `ordered_at` (required): RFC 3339 text with an offset, local text without
//!   one (`2026-01-01T23:30:00`, read in the shop's zone), or whole seconds
//!   since 1970-01-01T00:00:00Z.
//! - `amount` (required): decimal text or a number, in currency units (`"1200"`,
//!   `"12.34"`), no more digits than the currency has.
//! - `status` (text: `cancelled` or `canceled` marks a cancelled order) or
//!   `cancelled` (true or false).
//! - `units`, and the attributes `channel`, `store`, `payment_method`,
//!   `shipping_method`, `cancel_reason`, `age_band`, `gender` (text or null).
//! - In row form, `lines`: `[{sku, product?, quantity, amount}]`. In column
//!   form, `lines` beside `orders` holds columns with `order`, the row index.
//!
//! A history with a bad cell is refused whole (`ANALYTICS_INVALID`), every bad
//! cell listed at its path (`$.history.orders[3].amount`,
//! `$.history.orders.amount[3]`): an analysis over part of the orders would be
//! silently wrong.
//!
//! Results are tables as lists of rows: money as decimal text, dates as
//! `YYYY-MM-DD`, real numbers rounded to `decimals` places when asked.
//!
//! ```
//! use ichigen_core::analytics::json;
//! use serde_json::json;
//! let history = json!({"orders": [
//!     {"customer": "c1", "ordered_at": "2026-01-01T23:30:00+09:00", "amount": "1200", "channel": "rakuten"},
//!     {"customer": "c1", "ordered_at": "2026-01-02T10:00:00+09:00", "amount": 800, "channel": "rakuten"},
//!     {"customer": "c2", "ordered_at": "2026-01-02T11:00:00+09:00", "amount": "500", "status": "cancelled"}
//! ]});
//! let h = json::history(history, "$.history")?;
//! let out = json::sales(&h, json!({"group_by": ["date"]}))?;
//! assert_eq!(out["rows"][0], json!({"date": "2026-01-01", "orders": 1, "units": null,
//!     "revenue": "1200", "average_order_value": "1200.00", "customers": 1}));
//! # Ok::<(), ichigen_core::Error>(())
//! ```

use chrono::{DateTime, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::clv::{BgNbd, FitOptions, GammaGamma, Predictor, SummaryConfig};
use super::history::{Coded, Interner, LineColumns, NULL, OrderColumns, OrderHistory};
use super::table::Table;
use super::{BalanceConfig, CpmConfig, RepeatConfig, RfmConfig, SalesQuery};
use crate::error::{Error, Issue, decode_at};
use crate::money::Currency;

/// At most this many bad cells are listed; a last issue counts the rest.
const MAX_ISSUES: usize = 100;

const ATTRIBUTES: [&str; 7] = [
    "channel",
    "store",
    "payment_method",
    "shipping_method",
    "cancel_reason",
    "age_band",
    "gender",
];

struct Reader {
    zone: Tz,
    scale: u32,
    issues: Vec<Issue>,
    dropped: usize,
}

impl Reader {
    fn issue(&mut self, code: &str, path: String, message: &str) {
        if self.issues.len() < MAX_ISSUES {
            self.issues.push(Issue::new(code, path, message));
        } else {
            self.dropped += 1;
        }
    }

    fn instant(&mut self, v: &Value, path: String) -> i64 {
        match v {
            Value::Number(n) => match n.as_i64() {
                Some(t) if DateTime::from_timestamp(t, 0).is_some() => return t,
                _ => {}
            },
            Value::String(s) => {
                if let Ok(t) = DateTime::parse_from_rfc3339(s) {
                    return t.timestamp();
                }
                let local = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
                    .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S"))
                    .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M"))
                    .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"));
                if let Ok(local) = local {
                    if let Some(t) = self.zone.from_local_datetime(&local).earliest() {
                        return t.timestamp();
                    }
                    self.issue(
                        "ANALYTICS_BAD_INSTANT",
                        path,
                        "the local time does not exist in the shop's zone (a daylight-saving gap)",
                    );
                    return 0;
                }
            }
            _ => {}
        }
        self.issue(
            "ANALYTICS_BAD_INSTANT",
            path,
            "expected RFC 3339 text, local date-time text or whole seconds since 1970",
        );
        0
    }

    fn money(&mut self, v: &Value, path: String) -> i64 {
        let d = match v {
            Value::String(s) => s.trim().parse::<Decimal>().ok(),
            Value::Number(n) => n.to_string().parse::<Decimal>().ok().or_else(|| {
                n.as_f64()
                    .and_then(|f| Decimal::from_scientific(&format!("{f:e}")).ok())
            }),
            _ => None,
        };
        let Some(d) = d else {
            self.issue(
                "ANALYTICS_BAD_MONEY",
                path,
                "expected an amount as decimal text or a number",
            );
            return 0;
        };
        let minor = d
            .checked_mul(Decimal::from(10i64.pow(self.scale)))
            .filter(|m| m.fract().is_zero())
            .and_then(|m| i64::try_from(m.trunc()).ok())
            .filter(|m| m.abs() <= super::MAX_AMOUNT);
        minor.unwrap_or_else(|| {
            self.issue(
                "ANALYTICS_BAD_MONEY",
                path,
                "the amount has more digits than the currency or is out of range",
            );
            0
        })
    }

    fn count(&mut self, v: &Value, path: String) -> i64 {
        match v.as_i64() {
            Some(q) if q >= 0 => q,
            _ => {
                self.issue(
                    "ANALYTICS_BAD_QUANTITY",
                    path,
                    "expected a whole number, zero or more",
                );
                0
            }
        }
    }

    fn text<'a>(&mut self, v: &'a Value, path: String) -> Option<&'a str> {
        match v {
            Value::String(s) => Some(s),
            Value::Null => None,
            _ => {
                self.issue("ANALYTICS_WRONG_TYPE", path, "expected text or null");
                None
            }
        }
    }

    fn cancelled(&mut self, status: Option<&Value>, flag: Option<&Value>, path: &str) -> bool {
        if let Some(f) = flag.filter(|f| !f.is_null()) {
            return match f.as_bool() {
                Some(b) => b,
                None => {
                    self.issue(
                        "ANALYTICS_WRONG_TYPE",
                        format!("{path}.cancelled"),
                        "expected true or false",
                    );
                    false
                }
            };
        }
        match status {
            None | Some(Value::Null) => false,
            Some(Value::String(s)) => super::status_is_cancelled(s),
            Some(_) => {
                self.issue(
                    "ANALYTICS_WRONG_TYPE",
                    format!("{path}.status"),
                    "expected text or null",
                );
                false
            }
        }
    }
}

/// Builds a history from JSON; issue paths start at `at` (`$.history`).
pub fn history(value: Value, at: &str) -> Result<OrderHistory, Error> {
    let Value::Object(mut m) = value else {
        return Err(Error::InvalidAnalytics(vec![Issue::new(
            "ANALYTICS_WRONG_TYPE",
            at,
            "expected a history object {zone, currency, orders, lines}",
        )]));
    };
    let zone: Tz = match m.remove("zone") {
        None | Some(Value::Null) => chrono_tz::Asia::Tokyo,
        Some(Value::String(z)) => z.parse().map_err(|_| {
            Error::InvalidAnalytics(vec![Issue::new(
                "ANALYTICS_UNKNOWN_ZONE",
                format!("{at}.zone"),
                "expected an IANA zone name such as Asia/Tokyo",
            )])
        })?,
        Some(_) => {
            return Err(Error::InvalidAnalytics(vec![Issue::new(
                "ANALYTICS_WRONG_TYPE",
                format!("{at}.zone"),
                "expected an IANA zone name",
            )]));
        }
    };
    let currency = match m.remove("currency") {
        None | Some(Value::Null) => Currency::JPY,
        Some(Value::String(c)) => Currency::parse(&c).map_err(|_| {
            Error::InvalidAnalytics(vec![Issue::new(
                "ANALYTICS_UNKNOWN_CURRENCY",
                format!("{at}.currency"),
                "expected an ISO 4217 code the library knows, such as JPY",
            )])
        })?,
        Some(_) => {
            return Err(Error::InvalidAnalytics(vec![Issue::new(
                "ANALYTICS_WRONG_TYPE",
                format!("{at}.currency"),
                "expected a currency code",
            )]));
        }
    };
    let mut r = Reader {
        zone,
        scale: currency.minor_units(),
        issues: Vec::new(),
        dropped: 0,
    };
    let orders = m.remove("orders").unwrap_or(Value::Null);
    let lines = m.remove("lines");
    if let Some(k) = m.keys().next() {
        return Err(Error::InvalidAnalytics(vec![Issue::new(
            "ANALYTICS_UNKNOWN_FIELD",
            format!("{at}.{}", crate::error::clip(k)),
            "a history has zone, currency, orders and lines",
        )]));
    }
    let (cols, line_cols) = match orders {
        Value::Array(rows) => {
            if lines.as_ref().is_some_and(|l| !l.is_null()) {
                r.issue(
                    "ANALYTICS_UNKNOWN_FIELD",
                    format!("{at}.lines"),
                    "with orders as rows, each row holds its own lines",
                );
            }
            from_rows(&mut r, &rows, &format!("{at}.orders"))
        }
        Value::Object(columns) => {
            let lines = match lines {
                None | Some(Value::Null) => None,
                Some(Value::Object(l)) => Some(l),
                Some(_) => {
                    r.issue(
                        "ANALYTICS_WRONG_TYPE",
                        format!("{at}.lines"),
                        "expected an object of columns",
                    );
                    None
                }
            };
            from_columns(&mut r, columns, lines, at)
        }
        _ => {
            return Err(Error::InvalidAnalytics(vec![Issue::new(
                "ANALYTICS_WRONG_TYPE",
                format!("{at}.orders"),
                "expected a list of order rows or an object of columns",
            )]));
        }
    };
    if !r.issues.is_empty() {
        if r.dropped > 0 {
            r.issues.push(Issue::new(
                "ANALYTICS_MORE_ISSUES",
                at,
                format!("{} more problems are not listed", r.dropped),
            ));
        }
        return Err(Error::InvalidAnalytics(r.issues));
    }
    OrderHistory::new(zone, currency, cols, line_cols).map_err(|e| match e {
        Error::InvalidAnalytics(issues) => Error::InvalidAnalytics(
            issues
                .into_iter()
                .map(|mut i| {
                    i.path = i.path.replacen('$', at, 1);
                    i
                })
                .collect(),
        ),
        other => other,
    })
}

/// What a history holds: `{orders, customers, lines, first_date, last_date,
/// cancelled, zone, currency}` (dates local; null when empty).
pub fn describe(h: &OrderHistory) -> Value {
    let first = h.day.iter().min().map(|&d| super::date_of(d).to_string());
    let last = h.day.iter().max().map(|&d| super::date_of(d).to_string());
    json!({
        "orders": h.len(),
        "customers": h.customer_ids().len(),
        "lines": h.lines.as_ref().map_or(0, |l| l.order.len()),
        "cancelled": h.cancelled.iter().filter(|&&c| c).count(),
        "first_date": first,
        "last_date": last,
        "zone": h.zone().name(),
        "currency": h.currency().code(),
    })
}

fn from_rows(r: &mut Reader, rows: &[Value], at: &str) -> (OrderColumns, Option<LineColumns>) {
    let n = rows.len();
    let mut customers = Interner::default();
    let mut customer = Vec::with_capacity(n);
    let mut ordered_at = Vec::with_capacity(n);
    let mut amount = Vec::with_capacity(n);
    let mut cancelled = Vec::with_capacity(n);
    let mut units = Vec::new();
    let mut attrs: Vec<(Interner, Vec<u32>, bool)> = ATTRIBUTES
        .iter()
        .map(|_| (Interner::default(), Vec::with_capacity(n), false))
        .collect();
    let mut lines = LineColumns::default();
    let mut skus = Interner::default();
    let mut products = Interner::default();
    let mut product_codes = Vec::new();
    let mut any_lines = false;
    let mut any_product = false;
    let mut any_units = false;
    for (i, row) in rows.iter().enumerate() {
        let p = format!("{at}[{i}]");
        let Value::Object(o) = row else {
            r.issue("ANALYTICS_WRONG_TYPE", p, "expected an order row object");
            customer.push(0);
            ordered_at.push(0);
            amount.push(0);
            cancelled.push(false);
            for a in &mut attrs {
                a.1.push(NULL);
            }
            continue;
        };
        for k in o.keys() {
            let known = matches!(
                k.as_str(),
                "id" | "customer"
                    | "ordered_at"
                    | "amount"
                    | "status"
                    | "cancelled"
                    | "units"
                    | "lines"
            ) || ATTRIBUTES.contains(&k.as_str());
            if !known {
                r.issue(
                    "ANALYTICS_UNKNOWN_FIELD",
                    format!("{p}.{}", crate::error::clip(k)),
                    "not an order field analytics reads",
                );
            }
        }
        let null = Value::Null;
        let c = match r.text(o.get("customer").unwrap_or(&null), format!("{p}.customer")) {
            Some(s) => customers.code(s),
            None => {
                r.issue(
                    "ANALYTICS_MISSING_CUSTOMER",
                    format!("{p}.customer"),
                    "every order needs a customer id",
                );
                0
            }
        };
        customer.push(c);
        ordered_at.push(r.instant(
            o.get("ordered_at").unwrap_or(&null),
            format!("{p}.ordered_at"),
        ));
        amount.push(r.money(o.get("amount").unwrap_or(&null), format!("{p}.amount")));
        cancelled.push(r.cancelled(o.get("status"), o.get("cancelled"), &p));
        if let Some(u) = o.get("units").filter(|u| !u.is_null()) {
            any_units = true;
            units.resize(i, 0);
            let q = r.count(u, format!("{p}.units"));
            units.push(q);
        }
        for (k, name) in ATTRIBUTES.iter().enumerate() {
            let code = match r.text(o.get(*name).unwrap_or(&null), format!("{p}.{name}")) {
                Some(s) => {
                    attrs[k].2 = true;
                    attrs[k].0.code(s)
                }
                None => NULL,
            };
            attrs[k].1.push(code);
        }
        match o.get("lines") {
            None | Some(Value::Null) => {}
            Some(Value::Array(ls)) => {
                any_lines = true;
                for (j, l) in ls.iter().enumerate() {
                    let lp = format!("{p}.lines[{j}]");
                    let Value::Object(l) = l else {
                        r.issue("ANALYTICS_WRONG_TYPE", lp, "expected a line object");
                        continue;
                    };
                    lines.order.push(i as u32);
                    let sku = r.text(l.get("sku").unwrap_or(&null), format!("{lp}.sku"));
                    lines.sku.codes.push(sku.map_or(NULL, |s| skus.code(s)));
                    let product =
                        r.text(l.get("product").unwrap_or(&null), format!("{lp}.product"));
                    any_product |= product.is_some();
                    product_codes.push(product.map_or(NULL, |s| products.code(s)));
                    lines.quantity.push(
                        r.count(l.get("quantity").unwrap_or(&null), format!("{lp}.quantity")),
                    );
                    lines
                        .amount
                        .push(r.money(l.get("amount").unwrap_or(&null), format!("{lp}.amount")));
                }
            }
            Some(_) => r.issue(
                "ANALYTICS_WRONG_TYPE",
                format!("{p}.lines"),
                "expected a list of lines",
            ),
        }
    }
    if any_units {
        units.resize(n, 0);
    }
    lines.sku.values = skus.values;
    if any_product {
        lines.product = Some(Coded {
            codes: product_codes,
            values: products.values,
        });
    }
    let mut attr_cols: Vec<Option<Coded>> = attrs
        .into_iter()
        .map(|(i, codes, any)| {
            any.then_some(Coded {
                codes,
                values: i.values,
            })
        })
        .collect();
    let mut take = || attr_cols.remove(0);
    let cols = OrderColumns {
        customer: Coded {
            codes: customer,
            values: customers.values,
        },
        ordered_at,
        amount,
        cancelled,
        units,
        channel: take(),
        store: take(),
        payment_method: take(),
        shipping_method: take(),
        cancel_reason: take(),
        age_band: take(),
        gender: take(),
    };
    (cols, any_lines.then_some(lines))
}

fn column<'a>(
    r: &mut Reader,
    cols: &'a Map<String, Value>,
    name: &str,
    at: &str,
    rows: usize,
) -> Option<&'a [Value]> {
    match cols.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::Array(v)) if v.len() == rows => Some(v),
        Some(Value::Array(_)) => {
            r.issue(
                "ANALYTICS_COLUMN_LENGTH",
                format!("{at}.{name}"),
                "the column has a different number of rows than the first one",
            );
            None
        }
        Some(_) => {
            r.issue(
                "ANALYTICS_WRONG_TYPE",
                format!("{at}.{name}"),
                "expected a list",
            );
            None
        }
    }
}

fn coded(r: &mut Reader, v: &[Value], path: &str) -> Coded {
    let mut i = Interner::default();
    let codes = v
        .iter()
        .enumerate()
        .map(|(k, x)| {
            r.text(x, format!("{path}[{k}]"))
                .map_or(NULL, |s| i.code(s))
        })
        .collect();
    Coded {
        codes,
        values: i.values,
    }
}

fn from_columns(
    r: &mut Reader,
    cols: Map<String, Value>,
    lines: Option<Map<String, Value>>,
    at: &str,
) -> (OrderColumns, Option<LineColumns>) {
    let p = format!("{at}.orders");
    for k in cols.keys() {
        let known = matches!(
            k.as_str(),
            "id" | "customer" | "ordered_at" | "amount" | "status" | "cancelled" | "units"
        ) || ATTRIBUTES.contains(&k.as_str());
        if !known {
            r.issue(
                "ANALYTICS_UNKNOWN_FIELD",
                format!("{p}.{}", crate::error::clip(k)),
                "not an order column analytics reads",
            );
        }
    }
    let rows = cols
        .get("ordered_at")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let mut out = OrderColumns::default();
    for required in ["customer", "ordered_at", "amount"] {
        if !cols.get(required).is_some_and(Value::is_array) {
            r.issue(
                "ANALYTICS_MISSING_COLUMN",
                format!("{p}.{required}"),
                "the column is required",
            );
        }
    }
    if let Some(v) = column(r, &cols, "customer", &p, rows) {
        out.customer = coded(r, v, &format!("{p}.customer"));
        if let Some(i) = out.customer.codes.iter().position(|&c| c == NULL) {
            r.issue(
                "ANALYTICS_MISSING_CUSTOMER",
                format!("{p}.customer[{i}]"),
                "every order needs a customer id",
            );
        }
    } else {
        out.customer = Coded {
            codes: vec![0; rows],
            values: vec![String::new()],
        };
    }
    if let Some(v) = column(r, &cols, "ordered_at", &p, rows) {
        out.ordered_at = v
            .iter()
            .enumerate()
            .map(|(i, x)| r.instant(x, format!("{p}.ordered_at[{i}]")))
            .collect();
    }
    out.amount = match column(r, &cols, "amount", &p, rows) {
        Some(v) => v
            .iter()
            .enumerate()
            .map(|(i, x)| r.money(x, format!("{p}.amount[{i}]")))
            .collect(),
        None => vec![0; rows],
    };
    let status = column(r, &cols, "status", &p, rows);
    let flag = column(r, &cols, "cancelled", &p, rows);
    out.cancelled = (0..rows)
        .map(|i| {
            r.cancelled(
                status.map(|s| &s[i]),
                flag.map(|f| &f[i]),
                &format!("{p}[{i}]"),
            )
        })
        .collect();
    if let Some(v) = column(r, &cols, "units", &p, rows) {
        out.units = v
            .iter()
            .enumerate()
            .map(|(i, x)| r.count(x, format!("{p}.units[{i}]")))
            .collect();
    }
    let mut attrs: Vec<Option<Coded>> = ATTRIBUTES
        .iter()
        .map(|name| column(r, &cols, name, &p, rows).map(|v| coded(r, v, &format!("{p}.{name}"))))
        .collect();
    let mut take = || attrs.remove(0);
    out.channel = take();
    out.store = take();
    out.payment_method = take();
    out.shipping_method = take();
    out.cancel_reason = take();
    out.age_band = take();
    out.gender = take();
    let line_cols = lines.map(|l| {
        let lp = format!("{at}.lines");
        for k in l.keys() {
            if !matches!(
                k.as_str(),
                "order" | "sku" | "product" | "quantity" | "amount"
            ) {
                r.issue(
                    "ANALYTICS_UNKNOWN_FIELD",
                    format!("{lp}.{}", crate::error::clip(k)),
                    "not a line column analytics reads",
                );
            }
        }
        let n = l.get("order").and_then(Value::as_array).map_or(0, Vec::len);
        let mut lc = LineColumns::default();
        if let Some(v) = column(r, &l, "order", &lp, n) {
            lc.order = v
                .iter()
                .enumerate()
                .map(|(i, x)| match x.as_u64() {
                    Some(o) if o < u64::from(u32::MAX) => o as u32,
                    _ => {
                        r.issue(
                            "ANALYTICS_UNKNOWN_ORDER",
                            format!("{lp}.order[{i}]"),
                            "expected an order row index",
                        );
                        0
                    }
                })
                .collect();
        }
        lc.sku = column(r, &l, "sku", &lp, n).map_or_else(
            || Coded {
                codes: vec![NULL; n],
                values: Vec::new(),
            },
            |v| coded(r, v, &format!("{lp}.sku")),
        );
        lc.product =
            column(r, &l, "product", &lp, n).map(|v| coded(r, v, &format!("{lp}.product")));
        lc.quantity = column(r, &l, "quantity", &lp, n).map_or_else(
            || vec![0; n],
            |v| {
                v.iter()
                    .enumerate()
                    .map(|(i, x)| r.count(x, format!("{lp}.quantity[{i}]")))
                    .collect()
            },
        );
        lc.amount = column(r, &l, "amount", &lp, n).map_or_else(
            || vec![0; n],
            |v| {
                v.iter()
                    .enumerate()
                    .map(|(i, x)| r.money(x, format!("{lp}.amount[{i}]")))
                    .collect()
            },
        );
        lc
    });
    (out, line_cols)
}

fn decimals(v: &Value) -> Result<Option<u32>, Error> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) if n.as_u64().is_some_and(|d| d <= 15) => Ok(n.as_u64().map(|d| d as u32)),
        _ => Err(Error::InvalidAnalytics(vec![Issue::new(
            "ANALYTICS_BAD_CONFIG",
            "$.decimals",
            "decimals is a whole number from 0 to 15",
        )])),
    }
}

fn rows(t: &Table, d: Option<u32>) -> Value {
    Value::Array(t.rows_json(d))
}

fn config<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, Error> {
    decode_at(v, "$.config", "ANALYTICS").map_err(into_analytics)
}

/// Splits `{..., decimals}` off an options object.
fn split_decimals(v: Value) -> Result<(Value, Option<u32>), Error> {
    match v {
        Value::Object(mut m) => {
            let d = decimals(&m.remove("decimals").unwrap_or(Value::Null))?;
            Ok((Value::Object(m), d))
        }
        other => Ok((other, None)),
    }
}

/// `{rows}` of [`OrderHistory::sales`]; the query may hold `decimals`.
pub fn sales(h: &OrderHistory, query: Value) -> Result<Value, Error> {
    let (q, d) = split_decimals(if query.is_null() { json!({}) } else { query })?;
    let q: SalesQuery = decode_at(q, "$.query", "ANALYTICS").map_err(into_analytics)?;
    Ok(json!({"rows": rows(&h.sales(&q)?, d)}))
}

fn into_analytics(i: Issue) -> Error {
    Error::InvalidAnalytics(vec![i])
}

/// `{customers, grid}` of [`OrderHistory::rfm`].
pub fn rfm(h: &OrderHistory, cfg: Value) -> Result<Value, Error> {
    let (c, d) = split_decimals(cfg)?;
    let c: RfmConfig = config(c)?;
    let r = h.rfm(&c)?;
    Ok(json!({"customers": rows(&r.table(h), d), "grid": rows(&r.grid(h), d)}))
}

/// `{customers, segments}` of [`OrderHistory::cpm`], and `flows` when the
/// config holds `to` (a second date).
pub fn cpm(h: &OrderHistory, cfg: Value) -> Result<Value, Error> {
    let (c, d) = split_decimals(cfg)?;
    let (c, to) = match c {
        Value::Object(mut m) => {
            let to = m.remove("to");
            (Value::Object(m), to)
        }
        other => (other, None),
    };
    let c: CpmConfig = config(c)?;
    let r = h.cpm(&c)?;
    let mut out = json!({"customers": rows(&r.table(h), d), "segments": rows(&r.summary(h), d)});
    if let Some(to) = to.filter(|t| !t.is_null()) {
        let to: chrono::NaiveDate =
            decode_at(to, "$.config.to", "ANALYTICS").map_err(into_analytics)?;
        out["flows"] = rows(&h.cpm_flows(&c, to)?, d);
    }
    Ok(out)
}

/// `{classes, flows, projection}` of [`OrderHistory::balance_sheet`].
pub fn balance_sheet(h: &OrderHistory, cfg: Value) -> Result<Value, Error> {
    let (c, d) = split_decimals(cfg)?;
    let c: BalanceConfig = config(c)?;
    let b = h.balance_sheet(&c)?;
    Ok(json!({
        "classes": rows(&b.classes, d),
        "flows": rows(&b.flows, d),
        "projection": rows(&b.projection, d),
    }))
}

/// `{f2, repeat, cohorts, channel_ltv}`: the four repeat analyses over one window.
pub fn repeat(h: &OrderHistory, cfg: Value) -> Result<Value, Error> {
    let (c, d) = split_decimals(cfg)?;
    let c: RepeatConfig = config(c)?;
    Ok(json!({
        "f2": rows(&h.f2(&c)?, d),
        "repeat": rows(&h.repeat_rates(&c)?, d),
        "cohorts": rows(&h.cohorts(&c)?, d),
        "channel_ltv": rows(&h.channel_ltv(&c)?, d),
    }))
}

/// `{rows}` of [`OrderHistory::clv_summary`].
pub fn clv_summary(h: &OrderHistory, cfg: Value) -> Result<Value, Error> {
    let (c, d) = split_decimals(cfg)?;
    let c: SummaryConfig = config(c)?;
    Ok(json!({"rows": rows(&h.clv_summary(&c)?.table(h), d)}))
}

/// A CLV summary as columns: `frequency`, `recency`, `T`, `monetary_value`
/// (optional), `weights` (optional), read from rows or columns.
#[derive(Clone)]
pub struct SummaryColumns {
    /// Customer ids, when given.
    pub customer: Option<Vec<Value>>,
    /// Repeat purchases.
    pub frequency: Vec<f64>,
    /// Recency.
    pub recency: Vec<f64>,
    /// T.
    pub t: Vec<f64>,
    /// Mean repeat value.
    pub monetary: Option<Vec<f64>>,
    /// Row weights.
    pub weights: Option<Vec<f64>>,
}

impl std::fmt::Debug for SummaryColumns {
    // Customer ids stay out of logs: only the size is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SummaryColumns({} rows)", self.frequency.len())
    }
}

/// Reads a summary from JSON rows (`[{frequency, recency, T, …}]`) or columns
/// (`{frequency: […], …}`); errors at `$.summary…`.
pub fn summary_columns(v: Value) -> Result<SummaryColumns, Error> {
    let names = ["frequency", "recency", "T", "monetary_value", "weights"];
    let mut cols: Vec<Option<Vec<f64>>> = vec![None; 5];
    let mut customer = None;
    let bad =
        |path: String, m: &str| Error::InvalidAnalytics(vec![Issue::new("CLV_BAD_VALUE", path, m)]);
    let num = |x: &Value, path: String| -> Result<f64, Error> {
        x.as_f64().ok_or_else(|| bad(path, "expected a number"))
    };
    match v {
        Value::Array(rows) => {
            for (k, name) in names.iter().enumerate() {
                if rows.iter().any(|r| r.get(name).is_some()) || k < 3 {
                    let mut col = Vec::with_capacity(rows.len());
                    for (i, r) in rows.iter().enumerate() {
                        let x = r
                            .get(name)
                            .ok_or_else(|| bad(format!("$.summary[{i}].{name}"), "missing"))?;
                        col.push(num(x, format!("$.summary[{i}].{name}"))?);
                    }
                    cols[k] = Some(col);
                }
            }
            if rows.iter().any(|r| r.get("customer").is_some()) {
                customer = Some(
                    rows.iter()
                        .map(|r| r.get("customer").cloned().unwrap_or(Value::Null))
                        .collect(),
                );
            }
        }
        Value::Object(m) => {
            let n = m
                .get("frequency")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            for (k, name) in names.iter().enumerate() {
                match m.get(*name) {
                    None | Some(Value::Null) if k >= 3 => {}
                    Some(Value::Array(a)) if a.len() == n => {
                        cols[k] = Some(
                            a.iter()
                                .enumerate()
                                .map(|(i, x)| num(x, format!("$.summary.{name}[{i}]")))
                                .collect::<Result<_, _>>()?,
                        );
                    }
                    _ => {
                        return Err(Error::InvalidAnalytics(vec![Issue::new(
                            "ANALYTICS_COLUMN_LENGTH",
                            format!("$.summary.{name}"),
                            "expected a list as long as frequency",
                        )]));
                    }
                }
            }
            if let Some(Value::Array(c)) = m.get("customer") {
                customer = Some(c.clone());
            }
        }
        _ => {
            return Err(Error::InvalidAnalytics(vec![Issue::new(
                "ANALYTICS_WRONG_TYPE",
                "$.summary",
                "expected summary rows or columns",
            )]));
        }
    }
    let mut it = cols.into_iter();
    let mut next = || it.next().flatten();
    Ok(SummaryColumns {
        customer,
        frequency: next().unwrap_or_default(),
        recency: next().unwrap_or_default(),
        t: next().unwrap_or_default(),
        monetary: next(),
        weights: next(),
    })
}

/// Fits BG/NBD (and Gamma-Gamma when the summary has `monetary_value`):
/// `{bgnbd: {r, alpha, a, b, diagnostics}, gamma_gamma: {p, q, v, diagnostics} | null}`.
/// `options` is a [`FitOptions`] (penalizer, tolerance, max_iterations) plus `decimals`.
pub fn clv_fit(summary: Value, options: Value) -> Result<Value, Error> {
    let s = summary_columns(summary)?;
    clv_fit_columns(&s, options)
}

/// [`clv_fit`] of a summary already in columns (the bindings' Arrow path).
pub fn clv_fit_columns(s: &SummaryColumns, options: Value) -> Result<Value, Error> {
    let (o, d) = split_decimals(if options.is_null() {
        json!({})
    } else {
        options
    })?;
    let o: FitOptions = decode_at(o, "$.options", "ANALYTICS").map_err(into_analytics)?;
    let bg = BgNbd::fit(&s.frequency, &s.recency, &s.t, s.weights.as_deref(), &o)?;
    let gg = match &s.monetary {
        Some(m) => Some(GammaGamma::fit(&s.frequency, m, s.weights.as_deref(), &o)?),
        None => None,
    };
    let r = |x: f64| d.map_or(x, |d| super::round_to(x, d));
    let diag = |g: &super::clv::Diagnostics| {
        json!({
            "converged": g.converged,
            "iterations": g.iterations,
            "evaluations": g.evaluations,
            "log_likelihood": r(g.log_likelihood),
            "gradient_norm": g.gradient_norm,
            "customers": g.customers,
            "distinct_rows": g.distinct_rows,
            "message": g.message,
        })
    };
    let m = bg.model;
    Ok(json!({
        "bgnbd": {"r": r(m.r), "alpha": r(m.alpha), "a": r(m.a), "b": r(m.b), "diagnostics": diag(&bg.diagnostics)},
        "gamma_gamma": gg.map(|g| json!({"p": r(g.model.p), "q": r(g.model.q), "v": r(g.model.v), "diagnostics": diag(&g.diagnostics)})),
    }))
}

/// Predictions per summary row ([`Predictor::predict`]). `options`: `bgnbd` ({r, alpha, a, b}),
/// `gamma_gamma` ({p, q, v}, optional), `periods` (for expected purchases,
/// default 1), `months` (CLV, default 12), `discount_rate` (per month, default
/// 0.01), `period_days` (default 1), `decimals`. Rows: `customer` (if given),
/// `expected_purchases`, `probability_alive`, and with Gamma-Gamma
/// `expected_average_value` and `clv`.
pub fn clv_predict(summary: Value, options: Value) -> Result<Value, Error> {
    let (o, d) = split_decimals(options)?;
    let p: Predictor = decode_at(o, "$.options", "ANALYTICS").map_err(into_analytics)?;
    p.check()?;
    let s = summary_columns(summary)?;
    let out = p.predict(&s.frequency, &s.recency, &s.t, s.monetary.as_deref())?;
    let r = |x: Option<f64>| -> Value {
        x.and_then(|x| serde_json::Number::from_f64(d.map_or(x, |d| super::round_to(x, d))))
            .map_or(Value::Null, Value::Number)
    };
    let with_value = p.gamma_gamma.is_some() && s.monetary.is_some();
    let rows = (0..s.frequency.len())
        .map(|i| {
            let mut row = Map::new();
            if let Some(c) = &s.customer {
                row.insert("customer".into(), c[i].clone());
            }
            row.insert("expected_purchases".into(), r(out.expected_purchases[i]));
            row.insert(
                "probability_alive".into(),
                r(Some(out.probability_alive[i])),
            );
            if with_value {
                row.insert(
                    "expected_average_value".into(),
                    r(out.expected_average_value[i]),
                );
                row.insert("clv".into(), r(out.clv[i]));
            }
            Value::Object(row)
        })
        .collect();
    Ok(json!({"rows": Value::Array(rows)}))
}
