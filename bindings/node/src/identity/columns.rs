//! `resolveCustomerColumns`: records as columns of JS strings, resolved without an
//! object per row.
//!
//! Each column's strings are copied once into one buffer per column (napi hands a
//! JS string out only as a copy), and the core's `RecordRef`s borrow from those
//! buffers. A row whose cells are all of the expected kinds takes that path; any
//! other row (a number where a string belongs, an unknown channel, a fractional
//! customer id) is rebuilt as the JSON record `resolveCustomers` would have
//! received and decoded by the core, so that it is accepted or refused with the
//! same issue at `$[i]...`, whichever function a caller uses.

use std::collections::HashMap;

use ichigen::identity::{Decision, IdentityConfig, IdentityRecord, RecordRef, Resolver};
use ichigen::order::Channel;
use ichigen::{Error, Issue, interop};
use napi::JsString;
use napi::ValueType;
use napi::bindgen_prelude::{FromNapiValue, JsObjectValue, JsValue, Object, Unknown};
use napi_derive::napi;
use serde_json::{Map, Value, json};

use super::id_number;
use crate::convert::{keys_of, object_arg, property, unreadable, value_arg};
use crate::errors::{MAX_SAFE_INTEGER, input};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Id,
    Flag,
}

/// The columns: the JS name, the record's field, the kind.
const COLUMNS: [(&str, &str, Kind); 14] = [
    ("id", "id", Kind::Text),
    ("channel", "channel", Kind::Text),
    ("store", "store", Kind::Text),
    ("name", "name", Kind::Text),
    ("kana", "kana", Kind::Text),
    ("phone", "phone", Kind::Text),
    ("email", "email", Kind::Text),
    ("postalCode", "postal_code", Kind::Text),
    ("prefecture", "prefecture", Kind::Text),
    ("address1", "address1", Kind::Text),
    ("address2", "address2", Kind::Text),
    ("memberId", "member_id", Kind::Text),
    ("customerId", "customer_id", Kind::Id),
    ("masked", "masked", Kind::Flag),
];

const ID: usize = 0;
const CHANNEL: usize = 1;
const STORE: usize = 2;
const NAME: usize = 3;
const KANA: usize = 4;
const PHONE: usize = 5;
const EMAIL: usize = 6;
const POSTAL_CODE: usize = 7;
const PREFECTURE: usize = 8;
const ADDRESS1: usize = 9;
const ADDRESS2: usize = 10;
const MEMBER_ID: usize = 11;
const CUSTOMER_ID: usize = 12;
const MASKED: usize = 13;

/// One cell: absent, a value of the column's kind, or anything else (as JSON).
#[derive(Debug)]
enum Cell {
    Absent,
    /// A byte range of the column's text.
    Text(u32, u32),
    Id(u64),
    Flag(bool),
    Other(Box<Value>),
}

#[derive(Debug)]
struct Column {
    text: String,
    cells: Vec<Cell>,
}

impl Column {
    /// The text of row `i` (`None` when absent or not text).
    fn text(&self, i: usize) -> Option<&str> {
        match self.cells[i] {
            Cell::Text(a, b) => Some(&self.text[a as usize..b as usize]),
            _ => None,
        }
    }
}

/// The rows, read from the columns argument.
#[derive(Debug)]
pub(super) struct Table {
    columns: [Option<Column>; 14],
    rows: usize,
}

/// Reads one cell of a column of `kind`; `path` names the cell for errors.
fn read_cell(
    cell: &Unknown<'_>,
    kind: Kind,
    text: &mut String,
    path: impl Fn() -> String,
) -> Result<Cell, Error> {
    let found = cell.get_type().map_err(|_| unreadable(&path()))?;
    let simple = match (found, kind) {
        (ValueType::Undefined | ValueType::Null, _) => Some(Cell::Absent),
        (ValueType::String, Kind::Text) => {
            // Already a string: no coercion, one copy out of the engine.
            let s = JsString::from_unknown(*cell)
                .and_then(JsString::into_utf8)
                .map_err(|_| unreadable(&path()))?;
            let s = s.as_str().map_err(|_| unreadable(&path()))?;
            let start = text.len();
            text.push_str(s);
            let end = u32::try_from(text.len()).map_err(|_| {
                input(
                    "INPUT_OUT_OF_RANGE",
                    &path(),
                    "a column holds at most 4 GiB of text",
                )
            })?;
            // `start <= end`, which fits.
            Some(Cell::Text(start as u32, end))
        }
        (ValueType::Number, Kind::Id) => {
            let n = cell
                .coerce_to_number()
                .and_then(|n| n.get_double())
                .map_err(|_| unreadable(&path()))?;
            // Exact: a whole double within 0..=2^53-1 converts without loss.
            (n.trunc() == n && (0.0..=MAX_SAFE_INTEGER as f64).contains(&n))
                .then(|| Cell::Id(n as u64))
        }
        (ValueType::Boolean, Kind::Flag) => Some(Cell::Flag(
            cell.coerce_to_bool().map_err(|_| unreadable(&path()))?,
        )),
        _ => None,
    };
    match simple {
        Some(c) => Ok(c),
        None => {
            // Kept as JSON for the core to judge (a BigInt id may well be fine).
            let path = path();
            let name = path.trim_start_matches("$.");
            Ok(Cell::Other(Box::new(value_arg(Some(*cell), name)?)))
        }
    }
}

fn read_column(object: &Object<'_>, js: &str, kind: Kind) -> Result<Option<Column>, Error> {
    let path = format!("$.columns.{js}");
    let Some(value) = property(object, js, &path)? else {
        return Ok(None);
    };
    let array = value.coerce_to_object().map_err(|_| unreadable(&path))?;
    if value.get_type().map_err(|_| unreadable(&path))? != ValueType::Object
        || !array.is_array().map_err(|_| unreadable(&path))?
    {
        let what = match kind {
            Kind::Text => "an array of strings (or nulls)",
            Kind::Id => "an array of customer ids (or nulls)",
            Kind::Flag => "an array of booleans (or nulls)",
        };
        return Err(input(
            "INPUT_WRONG_TYPE",
            &path,
            &format!("expected {what}"),
        ));
    }
    let len = array.get_array_length().map_err(|_| unreadable(&path))?;
    let mut column = Column {
        text: String::new(),
        cells: Vec::with_capacity(len as usize),
    };
    for i in 0..len {
        let cell_path = || format!("{path}[{i}]");
        let cell: Unknown<'_> = array.get_element(i).map_err(|_| unreadable(&cell_path()))?;
        let cell = read_cell(&cell, kind, &mut column.text, cell_path)?;
        column.cells.push(cell);
    }
    Ok(Some(column))
}

/// How a row is resolved.
#[derive(Debug, Clone, Copy)]
enum Row {
    /// Straight from the columns.
    Direct,
    /// Decoded by the core: the index into the owned records.
    Decoded(usize),
    /// Refused before the resolver (its issue is reported).
    Bad,
}

/// `$...` of a record as `$[i]...`.
fn at_row(mut issue: Issue, i: usize) -> Issue {
    issue.path = format!("$[{i}]{}", issue.path.trim_start_matches('$'));
    issue
}

/// The row index a path starts with (`$[3].phone` → 3); decision paths last.
fn row_of(path: &str) -> usize {
    path.strip_prefix("$[")
        .and_then(|r| r.split(']').next())
        .and_then(|k| k.parse().ok())
        .unwrap_or(usize::MAX)
}

impl Table {
    /// Reads the `columns` argument: `id` and `channel` required, every column of
    /// the length of `id`.
    pub(super) fn read(columns: &Unknown<'_>) -> Result<Table, Error> {
        let object = object_arg(columns, "$.columns")?;
        for key in keys_of(&object, "$.columns")? {
            if !COLUMNS.iter().any(|(js, _, _)| *js == key) {
                let clipped: String = key.chars().take(40).collect();
                let names: Vec<&str> = COLUMNS.iter().map(|(js, _, _)| *js).collect();
                return Err(input(
                    "INPUT_UNKNOWN_FIELD",
                    &format!("$.columns[{clipped:?}]"),
                    &format!("unknown column; expected one of {}", names.join(", ")),
                ));
            }
        }
        let mut read: Vec<Option<Column>> = Vec::with_capacity(COLUMNS.len());
        for (js, _, kind) in COLUMNS {
            read.push(read_column(&object, js, kind)?);
        }
        let columns: [Option<Column>; 14] = read
            .try_into()
            .map_err(|_| input("INPUT_WRONG_TYPE", "$.columns", "unreadable columns"))?;
        for required in [ID, CHANNEL] {
            if columns[required].is_none() {
                let js = COLUMNS[required].0;
                return Err(input(
                    "INPUT_MISSING_FIELD",
                    &format!("$.columns.{js}"),
                    &format!("missing column `{js}`"),
                ));
            }
        }
        let rows = columns[ID].as_ref().map_or(0, |c| c.cells.len());
        for (k, column) in columns.iter().enumerate() {
            if column.as_ref().is_some_and(|c| c.cells.len() != rows) {
                return Err(input(
                    "INPUT_COLUMN_LENGTH",
                    &format!("$.columns.{}", COLUMNS[k].0),
                    "expected one entry per row (as many as `id` has)",
                ));
            }
        }
        Ok(Table { columns, rows })
    }

    fn cell(&self, c: usize, i: usize) -> &Cell {
        self.columns[c]
            .as_ref()
            .map_or(&Cell::Absent, |col| &col.cells[i])
    }

    fn text(&self, c: usize, i: usize) -> Option<&str> {
        self.columns[c].as_ref().and_then(|col| col.text(i))
    }

    /// Row `i` read straight from the columns, when every cell is of its column's
    /// kind and the channel is known; `None` sends the row to the core's decoder.
    fn direct(
        &self,
        i: usize,
        channels: &mut HashMap<String, Option<Channel>>,
    ) -> Option<RecordRef<'_>> {
        let mut simple = (0..COLUMNS.len()).all(|c| !matches!(self.cell(c, i), Cell::Other(_)));
        let id = self.text(ID, i);
        simple &= id.is_some();
        let channel = match self.text(CHANNEL, i) {
            None => Channel::Other,
            Some(name) => {
                // A handful of distinct names: each is parsed once.
                let known = match channels.get(name) {
                    Some(known) => *known,
                    None => {
                        let parsed = serde_json::from_value(Value::String(name.to_owned())).ok();
                        channels.insert(name.to_owned(), parsed);
                        parsed
                    }
                };
                known?
            }
        };
        if !simple {
            return None;
        }
        Some(RecordRef {
            id: id.unwrap_or_default(),
            channel,
            store: self.text(STORE, i).unwrap_or(""),
            name: self.text(NAME, i),
            kana: self.text(KANA, i),
            phone: self.text(PHONE, i),
            email: self.text(EMAIL, i),
            postal_code: self.text(POSTAL_CODE, i),
            prefecture: self.text(PREFECTURE, i),
            address1: self.text(ADDRESS1, i),
            address2: self.text(ADDRESS2, i),
            member_id: self.text(MEMBER_ID, i),
            customer_id: match self.cell(CUSTOMER_ID, i) {
                Cell::Id(n) => Some(*n),
                _ => None,
            },
            masked: matches!(self.cell(MASKED, i), Cell::Flag(true)),
        })
    }

    /// Row `i` as the JSON record `resolveCustomers` would receive (absent cells
    /// left out).
    fn record_json(&self, i: usize) -> Value {
        let mut m = Map::new();
        for (c, (_, field, _)) in COLUMNS.iter().enumerate() {
            let v = match self.cell(c, i) {
                Cell::Absent => continue,
                Cell::Text(..) => Value::String(self.text(c, i).unwrap_or_default().to_owned()),
                Cell::Id(n) => json!(n),
                Cell::Flag(b) => Value::Bool(*b),
                Cell::Other(v) => (**v).clone(),
            };
            m.insert((*field).to_owned(), v);
        }
        Value::Object(m)
    }

    /// Resolves every row, as `resolveCustomers` would the same records.
    pub(super) fn resolve(
        &self,
        config: IdentityConfig,
        decisions: &[Decision],
    ) -> Result<ResolvedColumns, Error> {
        let mut channels = HashMap::new();
        let mut issues = Vec::new();
        let mut decoded: Vec<IdentityRecord> = Vec::new();
        let mut kinds = Vec::with_capacity(self.rows);
        for i in 0..self.rows {
            if self.direct(i, &mut channels).is_some() {
                kinds.push(Row::Direct);
                continue;
            }
            match interop::parse_identity_record(self.record_json(i)) {
                Ok(r) => {
                    kinds.push(Row::Decoded(decoded.len()));
                    decoded.push(r);
                }
                Err(e) => {
                    issues.extend(e.issues().iter().cloned().map(|x| at_row(x, i)));
                    kinds.push(Row::Bad);
                }
            }
        }
        let mut views = Vec::with_capacity(self.rows);
        let mut positions = Vec::with_capacity(self.rows);
        for (i, kind) in kinds.iter().enumerate() {
            let view = match *kind {
                Row::Direct => self.direct(i, &mut channels),
                Row::Decoded(k) => Some(decoded[k].view()),
                Row::Bad => None,
            };
            if let Some(v) = view {
                views.push(v);
                positions.push(i);
            }
        }
        let (mut resolver, found) = Resolver::resolve(config, views.iter().copied(), decisions);
        // The resolver numbers the records it was given; name the rows instead.
        issues.extend(found.into_iter().map(|issue| match row_of(&issue.path) {
            usize::MAX => issue,
            k => {
                let tail = issue.path.split_once(']').map_or("", |(_, t)| t).to_owned();
                Issue {
                    path: format!("$[{}]{tail}", positions.get(k).copied().unwrap_or(k)),
                    ..issue
                }
            }
        }));
        issues.sort_by_key(|i| row_of(&i.path));
        output(&mut resolver, self.rows, &views, &positions, issues)
    }
}

/// The output of `resolveCustomerColumns`: one entry per row in each column.
#[napi(object)]
pub struct ResolvedColumns {
    /// The row's customer; `null` for a row that cannot be used (see `issues`).
    #[napi(ts_type = "Array<number | null>")]
    pub customer_id: Vec<Option<f64>>,
    /// The older record of the link that joined the row to its customer; `null`
    /// for a customer's first record.
    #[napi(ts_type = "Array<string | null>")]
    pub via_record: Vec<Option<String>>,
    /// That link's rule (`name+phone`, `manual`, `retained`, `fuzzy:…`).
    #[napi(ts_type = "Array<string | null>")]
    pub rule: Vec<Option<String>>,
    /// Rows and fields that could not be used, as in `resolveCustomers`
    /// (`$[i].phone`); decisions naming unknown records (`$.decisions[k]`).
    #[napi(ts_type = "Issue[]")]
    pub issues: Value,
    /// Keys shared by more records than `max_key_records`: they linked nothing.
    #[napi(ts_type = "GiantKey[]")]
    pub giant_keys: Value,
    /// Links a decision refused.
    #[napi(ts_type = "BlockedLink[]")]
    pub blocked: Value,
    /// Ids merged into another customer and the id they resolve to now.
    #[napi(ts_type = "CustomerAlias[]")]
    pub aliases: Value,
    /// The next customer id to be given out.
    pub next_customer_id: f64,
}

impl std::fmt::Debug for ResolvedColumns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResolvedColumns")
            .field("rows", &self.customer_id.len())
            .finish_non_exhaustive()
    }
}

fn output(
    resolver: &mut Resolver,
    rows: usize,
    views: &[RecordRef<'_>],
    positions: &[usize],
    issues: Vec<Issue>,
) -> Result<ResolvedColumns, Error> {
    let mut customer_id = vec![None; rows];
    let mut via_record = vec![None; rows];
    let mut rule = vec![None; rows];
    // The resolver keeps the records it accepted, in order: a row refused there
    // (no id, a duplicate id) is the one whose id is not the next one kept.
    let mut kept = resolver.assignments().into_iter().peekable();
    for (view, &row) in views.iter().zip(positions) {
        let Some((_, id, link)) = kept.next_if(|(record, _, _)| record == view.id) else {
            continue;
        };
        customer_id[row] = Some(id_number(id, &format!("$.customerId[{row}]"))?);
        if let Some(link) = link {
            let [a, b] = link.records;
            via_record[row] = Some(if a == view.id { b } else { a });
            rule[row] = Some(link.rule);
        }
    }
    let to_json = |v: Result<Value, serde_json::Error>| v.unwrap_or(Value::Null);
    let mut aliases = Vec::new();
    for (k, (alias, id)) in resolver.aliases().into_iter().enumerate() {
        id_number(alias.max(id), &format!("$.aliases[{k}]"))?;
        aliases.push(json!({"alias": alias, "customer_id": id}));
    }
    Ok(ResolvedColumns {
        customer_id,
        via_record,
        rule,
        issues: to_json(serde_json::to_value(issues)),
        giant_keys: to_json(serde_json::to_value(resolver.giant_keys())),
        blocked: to_json(serde_json::to_value(resolver.blocked())),
        aliases: Value::Array(aliases),
        next_customer_id: id_number(resolver.next_customer_id(), "$.nextCustomerId")?,
    })
}
