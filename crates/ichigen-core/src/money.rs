//! Money: exact decimal amounts with an ISO 4217 currency, never floats.
//!
//! An order is priced in one currency, so amounts inside an [`Order`](crate::order::Order)
//! are plain [`Amount`]s and the order carries its [`Currency`] once. Where an amount
//! leaves its order (a total, a report) it travels as [`Money`].
//!
//! Amounts serialize as strings (`"1234.50"`). On input a JSON integer is accepted too,
//! because it is exact; a JSON number with a fraction or an exponent is refused, because
//! it may already have been rounded by a float on the way in.
//!
//! ```
//! use ichigen_core::money::{Currency, Money};
//! use rust_decimal::Decimal;
//!
//! let yen = Currency::parse("JPY").unwrap();
//! assert_eq!(yen.minor_units(), 0);
//! let price = Money::new(Decimal::from(1980), yen);
//! assert_eq!(price.to_string(), "1980 JPY");
//! ```

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An exact amount of money in the order's currency.
pub type Amount = Decimal;

/// The currencies ichigen knows, with their minor units (digits after the point).
///
/// The list covers the currencies a shop selling in Japan, China and to
/// cross-border buyers meets; an order in any other code is rejected with
/// `ORDER_UNKNOWN_CURRENCY` rather than guessed at.
const CURRENCIES: &[(&str, u32)] = &[
    ("JPY", 0),
    ("CNY", 2),
    ("HKD", 2),
    ("TWD", 2),
    ("KRW", 0),
    ("USD", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("AUD", 2),
    ("CAD", 2),
    ("SGD", 2),
    ("THB", 2),
    ("MYR", 2),
    ("PHP", 2),
    ("VND", 0),
    ("IDR", 2),
    ("INR", 2),
    ("NZD", 2),
    ("CHF", 2),
];

/// An ISO 4217 currency code that ichigen knows.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: [u8; 3],
    minor_units: u8,
}

/// The error for a currency code ichigen does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown currency code")]
pub struct UnknownCurrency;

impl Currency {
    /// Japanese yen, the default currency of an order.
    pub const JPY: Currency = Currency {
        code: *b"JPY",
        minor_units: 0,
    };

    /// Parses a three-letter ISO 4217 code (upper case).
    ///
    /// ```
    /// use ichigen_core::money::Currency;
    /// assert!(Currency::parse("CNY").is_ok());
    /// assert!(Currency::parse("XXX").is_err());
    /// ```
    pub fn parse(code: &str) -> Result<Currency, UnknownCurrency> {
        CURRENCIES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(c, minor)| {
                let b = c.as_bytes();
                Currency {
                    code: [b[0], b[1], b[2]],
                    minor_units: *minor as u8,
                }
            })
            .ok_or(UnknownCurrency)
    }

    /// The three-letter code.
    pub fn code(&self) -> &str {
        // The bytes come from the ASCII table above.
        std::str::from_utf8(&self.code).unwrap_or("???")
    }

    /// Digits after the decimal point in this currency (0 for JPY, 2 for CNY).
    pub fn minor_units(&self) -> u32 {
        u32::from(self.minor_units)
    }

    /// Whether `amount` is expressible in this currency (no digits beyond the minor unit).
    ///
    /// ```
    /// use ichigen_core::money::Currency;
    /// use rust_decimal::Decimal;
    /// assert!(Currency::JPY.fits(Decimal::new(100, 0)));
    /// assert!(!Currency::JPY.fits(Decimal::new(1005, 1)));
    /// ```
    pub fn fits(&self, amount: Decimal) -> bool {
        amount.normalize().scale() <= self.minor_units()
    }
}

impl Default for Currency {
    fn default() -> Self {
        Currency::JPY
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Currency::parse(&s).map_err(|_| de::Error::custom("unknown currency code"))
    }
}

/// An amount together with its currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// The exact amount.
    #[serde(with = "amount_serde")]
    pub amount: Decimal,
    /// Its currency.
    pub currency: Currency,
}

impl Money {
    /// Pairs an amount with a currency.
    pub fn new(amount: Decimal, currency: Currency) -> Money {
        Money { amount, currency }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

/// How an amount is rounded to the currency's minor unit. Japanese shops most often
/// truncate consumption tax (切り捨て); the mode is named wherever rounding happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Rounding {
    /// Toward zero (切り捨て).
    #[default]
    Floor,
    /// Away from zero (切り上げ).
    Ceil,
    /// Half away from zero (四捨五入).
    HalfUp,
    /// Half to even (banker's rounding).
    HalfEven,
}

impl Rounding {
    /// Rounds `amount` to `digits` places with this mode.
    ///
    /// ```
    /// use ichigen_core::money::Rounding;
    /// use rust_decimal::Decimal;
    /// let tax = Decimal::new(7272, 2); // 72.72
    /// assert_eq!(Rounding::Floor.round(tax, 0), Decimal::from(72));
    /// assert_eq!(Rounding::HalfUp.round(tax, 0), Decimal::from(73));
    /// ```
    pub fn round(self, amount: Decimal, digits: u32) -> Decimal {
        use rust_decimal::RoundingStrategy as S;
        let strategy = match self {
            Rounding::Floor => S::ToZero,
            Rounding::Ceil => S::AwayFromZero,
            Rounding::HalfUp => S::MidpointAwayFromZero,
            Rounding::HalfEven => S::MidpointNearestEven,
        };
        amount.round_dp_with_strategy(digits, strategy)
    }
}

/// Serde helpers for [`Amount`] fields: written as strings, read from strings or
/// JSON integers, never from floats.
pub mod amount_serde {
    use super::*;

    /// Writes the amount as a string.
    pub fn serialize<S: Serializer>(v: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    /// Reads a string or an integer.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        d.deserialize_any(AmountVisitor)
    }

    struct AmountVisitor;

    impl Visitor<'_> for AmountVisitor {
        type Value = Decimal;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a decimal amount as a string, such as \"1980\" or \"12.50\"")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
            parse_amount(v).ok_or_else(|| E::custom("not a decimal amount"))
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }

        fn visit_f64<E: de::Error>(self, _v: f64) -> Result<Decimal, E> {
            Err(E::custom(
                "amounts must be strings or integers, never floating-point numbers",
            ))
        }
    }

    /// Optional amounts.
    pub mod option {
        use super::*;

        /// Writes `Some` as a string, `None` as null.
        pub fn serialize<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
            match v {
                Some(d) => s.serialize_str(&d.to_string()),
                None => s.serialize_none(),
            }
        }

        /// Reads null, a string or an integer.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
            #[derive(Deserialize)]
            struct Wrap(#[serde(with = "super")] Decimal);
            Option::<Wrap>::deserialize(d).map(|o| o.map(|w| w.0))
        }
    }
}

/// Parses a plain decimal string such as `"1980"`, `"-12.50"` (no exponent, no
/// thousands separators, no currency sign).
///
/// ```
/// use ichigen_core::money::parse_amount;
/// assert_eq!(parse_amount("12.50").unwrap().to_string(), "12.50");
/// assert!(parse_amount("1,000").is_none());
/// assert!(parse_amount("1e3").is_none());
/// ```
pub fn parse_amount(s: &str) -> Option<Decimal> {
    let t = s.strip_prefix('-').unwrap_or(s);
    let mut seen_dot = false;
    let mut digits = 0usize;
    for c in t.chars() {
        match c {
            '0'..='9' => digits += 1,
            '.' if !seen_dot => seen_dot = true,
            _ => return None,
        }
    }
    if digits == 0 {
        return None;
    }
    Decimal::from_str(s).ok()
}
