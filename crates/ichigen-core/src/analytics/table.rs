//! Result tables: named, typed columns that the bindings turn into Arrow
//! (Python), column objects (Node) or records (Swift), and the JSON face into rows.
//!
//! ```
//! use ichigen_core::analytics::{Column, Table};
//! let mut t = Table::default();
//! t.push("channel", Column::Text(vec![Some("rakuten".into())]));
//! t.push("revenue", Column::Money { minor: vec![Some(123_450)], scale: 2 });
//! assert_eq!(t.rows_json(None)[0]["revenue"], "1234.50");
//! ```

use chrono::NaiveDate;
use serde_json::{Map, Value, json};

/// One column of a result. Its `Debug` shows the kind and size only: text
/// columns may hold customer ids.
#[derive(Clone, PartialEq)]
pub enum Column {
    /// Whole numbers (counts, days, scores).
    Int(Vec<Option<i64>>),
    /// Real numbers (rates, expectations, model outputs).
    Float(Vec<Option<f64>>),
    /// Money in minor units with the currency's digits after the point.
    Money {
        /// Minor units.
        minor: Vec<Option<i128>>,
        /// Digits after the point (0 for JPY).
        scale: u32,
    },
    /// Text.
    Text(Vec<Option<String>>),
    /// Text as codes into shared values (customer ids): Arrow's dictionary
    /// type; [`NULL`](super::NULL) is missing.
    Codes {
        /// One code per row.
        codes: Vec<u32>,
        /// The values.
        values: std::sync::Arc<[String]>,
    },
    /// Dates in the shop's zone.
    Date(Vec<Option<NaiveDate>>),
    /// Yes or no.
    Bool(Vec<Option<bool>>),
}

impl std::fmt::Debug for Column {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self {
            Column::Int(_) => "Int",
            Column::Float(_) => "Float",
            Column::Money { .. } => "Money",
            Column::Text(_) => "Text",
            Column::Codes { .. } => "Codes",
            Column::Date(_) => "Date",
            Column::Bool(_) => "Bool",
        };
        write!(f, "{kind}({} rows)", self.len())
    }
}

impl Column {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Column::Int(v) => v.len(),
            Column::Float(v) => v.len(),
            Column::Money { minor, .. } => minor.len(),
            Column::Text(v) => v.len(),
            Column::Codes { codes, .. } => codes.len(),
            Column::Date(v) => v.len(),
            Column::Bool(v) => v.len(),
        }
    }

    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn json(&self, i: usize, decimals: Option<u32>) -> Value {
        match self {
            Column::Int(v) => v[i].map_or(Value::Null, |x| json!(x)),
            Column::Float(v) => v[i].map_or(Value::Null, |x| {
                let x = match decimals {
                    Some(d) => round_to(x, d),
                    None => x,
                };
                serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
            }),
            Column::Money { minor, scale } => {
                minor[i].map_or(Value::Null, |m| Value::String(money_text(m, *scale)))
            }
            Column::Text(v) => v[i].as_ref().map_or(Value::Null, |s| json!(s)),
            Column::Codes { codes, values } => values
                .get(codes[i] as usize)
                .map_or(Value::Null, |s| json!(s)),
            Column::Date(v) => v[i].map_or(Value::Null, |d| json!(d.to_string())),
            Column::Bool(v) => v[i].map_or(Value::Null, |b| json!(b)),
        }
    }
}

/// Rounds half away from zero to `d` decimal places.
pub fn round_to(x: f64, d: u32) -> f64 {
    let p = 10f64.powi(d as i32);
    let y = (x * p).round() / p;
    if y == 0.0 { 0.0 } else { y }
}

/// Minor units as decimal text (`123450`, 2 → `1234.50`).
pub fn money_text(minor: i128, scale: u32) -> String {
    if scale == 0 {
        return minor.to_string();
    }
    let p = 10i128.pow(scale);
    let sign = if minor < 0 { "-" } else { "" };
    let a = minor.unsigned_abs();
    let p = p as u128;
    format!("{sign}{}.{:0w$}", a / p, a % p, w = scale as usize)
}

/// A result table: named columns of equal length.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// The columns, in order.
    pub columns: Vec<(String, Column)>,
}

impl Table {
    /// Appends a column.
    pub fn push(&mut self, name: &str, column: Column) {
        self.columns.push((name.to_owned(), column));
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |(_, c)| c.len())
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|(n, _)| n == name).map(|(_, c)| c)
    }

    /// The rows as JSON objects; money as decimal text, dates as `YYYY-MM-DD`,
    /// real numbers rounded to `decimals` places when given.
    pub fn rows_json(&self, decimals: Option<u32>) -> Vec<Value> {
        (0..self.rows())
            .map(|i| {
                let mut m = Map::new();
                for (name, c) in &self.columns {
                    m.insert(name.clone(), c.json(i, decimals));
                }
                Value::Object(m)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_text_pads_and_signs() {
        assert_eq!(money_text(5, 2), "0.05");
        assert_eq!(money_text(-123_450, 2), "-1234.50");
        assert_eq!(money_text(70_000, 0), "70000");
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round_to(1.225, 1), 1.2);
        assert_eq!(round_to(0.125, 2), 0.13);
        assert_eq!(round_to(-0.125, 2), -0.13);
        assert_eq!(round_to(-0.0001, 2), 0.0);
    }
}
