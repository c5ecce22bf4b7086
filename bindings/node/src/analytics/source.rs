//! What a history is built from: the options (`{zone, currency}`), and the
//! `orders` and `lines` arguments told apart (rows, columns of JS arrays, columns
//! with typed arrays, Arrow IPC bytes, JSON text), then read through the JSON face
//! or straight into the core's columns.

use chrono_tz::Tz;
use ichigen::Error;
use ichigen::analytics::OrderHistory as History;
use ichigen::analytics::json;
use ichigen::money::Currency;
use napi::ValueType;
use napi::bindgen_prelude::{
    ArrayBuffer, FromNapiValue, JsValue, Object, TypedArray, TypedArrayType, Unknown,
};
use serde_json::{Map, Value};

use super::cells::Cells;
use super::{arrow_in, clip, invalid, js_columns};
use crate::convert::{json_arg, keys_of, object_arg, property, unreadable, value_arg};
use crate::errors::input;

/// The history's options: `{zone, currency}` (defaults `Asia/Tokyo`, `JPY`).
pub(super) fn history_options(options: Option<Unknown<'_>>) -> Result<(Tz, Currency), Error> {
    let mut zone = chrono_tz::Asia::Tokyo;
    let mut currency = Currency::JPY;
    let path = "$.options";
    let Some(options) = options else {
        return Ok((zone, currency));
    };
    if matches!(
        options.get_type().map_err(|_| unreadable(path))?,
        ValueType::Undefined | ValueType::Null
    ) {
        return Ok((zone, currency));
    }
    let object = object_arg(&options, path)?;
    for key in keys_of(&object, path)? {
        if key != "zone" && key != "currency" {
            return Err(invalid(
                "ANALYTICS_UNKNOWN_FIELD",
                &format!("{path}.{}", clip(&key)),
                "a history's options are zone and currency",
            ));
        }
    }
    let text = |key: &str| -> Result<Option<String>, Error> {
        let at = format!("{path}.{key}");
        match property(&object, key, &at)? {
            None => Ok(None),
            Some(v) if v.get_type().map_err(|_| unreadable(&at))? == ValueType::String => {
                match value_arg(Some(v), &format!("options.{key}"))? {
                    Value::String(s) => Ok(Some(s)),
                    _ => Err(unreadable(&at)),
                }
            }
            Some(_) => Err(invalid(
                "ANALYTICS_WRONG_TYPE",
                &at,
                if key == "zone" {
                    "expected an IANA zone name"
                } else {
                    "expected a currency code"
                },
            )),
        }
    };
    if let Some(z) = text("zone")? {
        zone = z.parse().map_err(|_| {
            invalid(
                "ANALYTICS_UNKNOWN_ZONE",
                "$.options.zone",
                "expected an IANA zone name such as Asia/Tokyo",
            )
        })?;
    }
    if let Some(c) = text("currency")? {
        currency = Currency::parse(&c).map_err(|_| {
            invalid(
                "ANALYTICS_UNKNOWN_CURRENCY",
                "$.options.currency",
                "expected an ISO 4217 code the library knows, such as JPY",
            )
        })?;
    }
    Ok((zone, currency))
}

/// Arrow IPC bytes held in JS memory.
pub(super) enum Bytes<'env> {
    View(TypedArray<'env>),
    Buffer(ArrayBuffer<'env>),
}

impl Bytes<'_> {
    pub(super) fn bytes(&self) -> &[u8] {
        match self {
            Bytes::View(t) => &t.arraybuffer,
            Bytes::Buffer(b) => b,
        }
    }
}

/// What an `orders` or `lines` argument is.
pub(super) enum Input<'env> {
    Absent,
    /// JSON text, or a value the JSON face will judge.
    Json(Unknown<'env>),
    /// A JS array of rows.
    Rows(Unknown<'env>),
    /// An object of columns; `typed` when one of them is a typed array.
    Columns {
        object: Object<'env>,
        typed: bool,
    },
    Arrow(Bytes<'env>),
}

impl<'env> Input<'env> {
    pub(super) fn of(value: Option<Unknown<'env>>, name: &str) -> Result<Input<'env>, Error> {
        let path = format!("$.{name}");
        let Some(value) = value else {
            return Ok(Input::Absent);
        };
        match value.get_type().map_err(|_| unreadable(&path))? {
            ValueType::Undefined | ValueType::Null => Ok(Input::Absent),
            ValueType::Object => Input::object(value, &path),
            _ => Ok(Input::Json(value)),
        }
    }

    fn object(value: Unknown<'env>, path: &str) -> Result<Input<'env>, Error> {
        let read = |_| unreadable(path);
        if value.is_typedarray().map_err(read)? {
            let t = TypedArray::from_unknown(value).map_err(read)?;
            return match t.typed_array_type {
                TypedArrayType::Uint8 | TypedArrayType::Uint8Clamped | TypedArrayType::Int8 => {
                    Ok(Input::Arrow(Bytes::View(t)))
                }
                _ => Err(input(
                    "INPUT_WRONG_TYPE",
                    path,
                    "expected rows, an object of columns, or Arrow IPC bytes (a Buffer or a Uint8Array)",
                )),
            };
        }
        if value.is_arraybuffer().map_err(read)? {
            return Ok(Input::Arrow(Bytes::Buffer(
                ArrayBuffer::from_unknown(value).map_err(read)?,
            )));
        }
        if value.is_array().map_err(read)? {
            return Ok(Input::Rows(value));
        }
        let object = value.coerce_to_object().map_err(read)?;
        let mut typed = false;
        for key in keys_of(&object, path)? {
            if let Some(v) = property(&object, &key, path)? {
                typed |= v.is_typedarray().map_err(read)?;
            }
        }
        Ok(Input::Columns { object, typed })
    }

    /// Read straight into the core's columns rather than through JSON.
    fn direct(&self) -> bool {
        matches!(self, Input::Arrow(_) | Input::Columns { typed: true, .. })
    }

    pub(super) fn json(&self, name: &str) -> Result<Value, Error> {
        match self {
            Input::Absent => Ok(Value::Null),
            Input::Json(v) | Input::Rows(v) => json_arg(*v, name),
            Input::Columns { object, .. } => json_arg(object.to_unknown(), name),
            Input::Arrow(_) => Err(unreadable(&format!("$.{name}"))),
        }
    }
}

/// Builds the core's history from the arguments.
pub(super) fn build(
    zone: Tz,
    currency: Currency,
    orders: &Input<'_>,
    lines: &Input<'_>,
) -> Result<History, Error> {
    if !orders.direct() && !lines.direct() {
        let mut history = Map::new();
        history.insert("zone".into(), Value::from(zone.name()));
        history.insert("currency".into(), Value::from(currency.code()));
        history.insert("orders".into(), orders.json("orders")?);
        if !matches!(lines, Input::Absent) {
            history.insert("lines".into(), lines.json("lines")?);
        }
        return json::history(Value::Object(history), "$");
    }
    let mut cells = Cells::new(zone, currency.minor_units());
    let order_columns = match orders {
        Input::Columns { object, .. } => js_columns::orders(object, &mut cells)?,
        Input::Arrow(bytes) => arrow_in::orders(bytes.bytes(), &mut cells)?,
        Input::Rows(_) => {
            return Err(invalid(
                "ANALYTICS_UNKNOWN_FIELD",
                "$.lines",
                "with orders as rows, each row holds its own lines",
            ));
        }
        Input::Absent | Input::Json(_) => {
            return Err(invalid(
                "ANALYTICS_WRONG_TYPE",
                "$.orders",
                "with lines as typed arrays or Arrow, give the orders as columns or Arrow too",
            ));
        }
    };
    let line_columns = match lines {
        Input::Absent => None,
        Input::Columns { object, .. } => Some(js_columns::lines(object, &mut cells)?),
        Input::Arrow(bytes) => Some(arrow_in::lines(bytes.bytes(), &mut cells)?),
        Input::Rows(_) | Input::Json(_) => {
            return Err(invalid(
                "ANALYTICS_WRONG_TYPE",
                "$.lines",
                "expected an object of columns or Arrow IPC bytes",
            ));
        }
    };
    cells.finish()?;
    History::new(zone, currency, order_columns, line_columns)
}
