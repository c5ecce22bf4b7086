//! Arrow rows ⇄ the resolver: each row becomes a borrowed record (`RecordRef`)
//! whose strings point into the Arrow buffers (no string is copied), and the
//! resolver's answers become Arrow columns aligned with the input rows.
//!
//! A row the resolver cannot take is reported with its row index, in the core's
//! words: an unknown channel or a negative prior customer id here (the core
//! decodes the value to say what it expected), an empty or duplicate id by the
//! resolver. Every other row is resolved.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, StringBuilder, UInt64Builder};
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use ichigen::identity::{Link, RecordRef};
use ichigen::order::Channel;
use ichigen::{Error, Issue, interop};
use serde_json::{Value, json};

use crate::columns::{Text, integers, is_text};

/// The string columns a record is read from, in `RecordRef`'s order.
const TEXT: [&str; 12] = [
    "id",
    "channel",
    "store",
    "name",
    "kana",
    "phone",
    "email",
    "postal_code",
    "prefecture",
    "address1",
    "address2",
    "member_id",
];
const REQUIRED: [&str; 2] = ["id", "channel"];

fn bad(column: &str, message: &str) -> Error {
    Error::InvalidInput(Issue::new(
        "IDENTITY_BAD_COLUMNS",
        format!("$.{column}"),
        message,
    ))
}

/// Rows of customer records: a table's batches and their schema.
#[derive(Debug)]
pub struct Rows {
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
}

impl Rows {
    /// Checks the columns the resolver reads (others are ignored): `id` and
    /// `channel` present, strings where strings are read, integers in
    /// `customer_id`, booleans in `masked`.
    pub fn new(schema: SchemaRef, batches: Vec<RecordBatch>) -> Result<Rows, Error> {
        for name in REQUIRED {
            if schema.index_of(name).is_err() {
                return Err(bad(name, "missing required column"));
            }
        }
        for field in schema.fields() {
            let (name, t) = (field.name().as_str(), field.data_type());
            let ok = if TEXT.contains(&name) {
                is_text(t)
            } else if name == "customer_id" {
                t.is_integer() || *t == DataType::Null
            } else if name == "masked" {
                matches!(t, DataType::Boolean | DataType::Null)
            } else {
                true
            };
            if !ok {
                let expected = match name {
                    "customer_id" => "expected integers (prior customer ids)",
                    "masked" => "expected booleans",
                    _ => "expected strings (string, large_string, string_view or dictionary)",
                };
                return Err(bad(name, &format!("wrong type {t}; {expected}")));
            }
        }
        Ok(Rows { schema, batches })
    }

    /// How many rows.
    pub fn len(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// Every row as a record, or the issue that keeps it out, with its row index.
    pub fn records(&self) -> impl Iterator<Item = (usize, Result<RecordRef<'_>, Issue>)> + '_ {
        let mut offset = 0;
        self.batches.iter().flat_map(move |batch| {
            let start = offset;
            offset += batch.num_rows();
            let cols = Cols::new(&self.schema, batch);
            let mut channels = HashMap::new();
            (0..batch.num_rows())
                .map(move |r| (start + r, cols.record(r, start + r, &mut channels)))
        })
    }

    /// The output batches, one per input batch: the input's `id` column as given,
    /// then `columns` (one value per row of every batch) sliced to each batch.
    pub fn output(&self, fields: Vec<Field>, columns: Vec<ArrayRef>) -> Result<Output, Error> {
        let id_field = self.schema.field_with_name("id").map_err(internal)?;
        let mut all = vec![Field::new("id", id_field.data_type().clone(), true)];
        all.extend(fields);
        let schema = Arc::new(Schema::new(all));
        let id = self.schema.index_of("id").map_err(internal)?;
        let mut batches = Vec::with_capacity(self.batches.len());
        let mut offset = 0;
        for batch in &self.batches {
            let n = batch.num_rows();
            let mut cols = vec![Arc::clone(batch.column(id))];
            cols.extend(columns.iter().map(|c| c.slice(offset, n)));
            offset += n;
            batches.push(RecordBatch::try_new(Arc::clone(&schema), cols).map_err(internal)?);
        }
        Ok(Output { schema, batches })
    }
}

/// Output batches and their schema.
#[derive(Debug)]
pub struct Output {
    /// The schema.
    pub schema: SchemaRef,
    /// One batch per input batch.
    pub batches: Vec<RecordBatch>,
}

fn internal(_: arrow_schema::ArrowError) -> Error {
    Error::InvalidInput(Issue::new(
        "IDENTITY_BAD_COLUMNS",
        "$",
        "the output columns could not be assembled",
    ))
}

/// The columns of one batch the resolver reads.
struct Cols<'a> {
    text: [Text<'a>; 12],
    prior: Option<Vec<Option<i128>>>,
    masked: Option<&'a BooleanArray>,
}

impl<'a> Cols<'a> {
    fn new(schema: &Schema, batch: &'a RecordBatch) -> Cols<'a> {
        let column = |name: &str| schema.index_of(name).ok().map(|i| batch.column(i));
        Cols {
            text: TEXT.map(|name| column(name).map_or(Text::Nulls, Text::of)),
            prior: column("customer_id").map(|a| integers(a.as_ref())),
            masked: column("masked").and_then(|a| a.as_boolean_opt()),
        }
    }

    /// Row `r` of the batch (row `row` of the table) as a record. A null id is
    /// the empty id, which the resolver reports; a null channel is `other`, as
    /// an absent channel is in a JSON record.
    fn record(
        &self,
        r: usize,
        row: usize,
        channels: &mut HashMap<&'a str, Result<Channel, Issue>>,
    ) -> Result<RecordRef<'a>, Issue> {
        let t = |k: usize| self.text[k].get(r);
        let channel = match t(1) {
            None => Channel::Other,
            Some(s) => channels
                .entry(s)
                .or_insert_with(|| decode_channel(s))
                .clone()
                .map_err(|issue| at_row(issue, row))?,
        };
        let customer_id = match self.prior.as_ref().and_then(|p| p[r]) {
            None => None,
            Some(v) => Some(u64::try_from(v).map_err(|_| prior_issue(v, row))?),
        };
        Ok(RecordRef {
            id: t(0).unwrap_or(""),
            channel,
            store: t(2).unwrap_or(""),
            name: t(3),
            kana: t(4),
            phone: t(5),
            email: t(6),
            postal_code: t(7),
            prefecture: t(8),
            address1: t(9),
            address2: t(10),
            member_id: t(11),
            customer_id,
            masked: self.masked.is_some_and(|m| m.is_valid(r) && m.value(r)),
        })
    }
}

/// The core's first issue for a record holding only `field`, or a fallback.
fn core_issue(field: &str, value: Value) -> Result<ichigen::identity::IdentityRecord, Issue> {
    interop::parse_identity_record(json!({ "id": "-", field: value })).map_err(|e| {
        e.issues().first().cloned().unwrap_or_else(|| {
            Issue::new(
                "IDENTITY_WRONG_TYPE",
                format!("$.{field}"),
                "unusable value",
            )
        })
    })
}

/// A channel name decoded as the core decodes a record's (`rakuten`, `amazon`, …).
fn decode_channel(s: &str) -> Result<Channel, Issue> {
    match Channel::from_name(s) {
        Some(c) => Ok(c),
        // The core's decoder words the issue for an unknown channel.
        None => core_issue("channel", Value::String(s.to_owned()))
            .map(|r| r.channel.unwrap_or(Channel::Other)),
    }
}

fn prior_issue(v: i128, row: usize) -> Issue {
    let value = i64::try_from(v).map_or(Value::Null, Value::from);
    let issue = core_issue("customer_id", value).err().unwrap_or_else(|| {
        Issue::new(
            "IDENTITY_WRONG_TYPE",
            "$.customer_id",
            "expected a customer id",
        )
    });
    at_row(issue, row)
}

/// `$.field` → `$[row].field`.
fn at_row(mut issue: Issue, row: usize) -> Issue {
    issue.path = format!("$[{row}]{}", issue.path.trim_start_matches('$'));
    issue
}

/// The index in `$[k]…`, if a path starts with one.
pub fn path_row(path: &str) -> Option<usize> {
    path.strip_prefix("$[")?.split(']').next()?.parse().ok()
}

/// `$[k]…` → `$[rows[k]]…`: the resolver numbers the records it was given.
pub fn renumber(mut issue: Issue, rows: &[usize]) -> Issue {
    if let Some(k) = path_row(&issue.path) {
        if let Some(&row) = rows.get(k) {
            let tail = issue.path.split_once(']').map_or("", |(_, t)| t).to_owned();
            issue.path = format!("$[{row}]{tail}");
        }
    }
    issue
}

/// Builds the batch output: per row a customer id, and the older record and rule
/// of the link that joined it (all null for a row left out).
#[derive(Debug)]
pub struct Assigned {
    customer: UInt64Builder,
    via: StringBuilder,
    rule: StringBuilder,
}

impl Assigned {
    /// For `n` rows.
    pub fn with_capacity(n: usize) -> Assigned {
        Assigned {
            customer: UInt64Builder::with_capacity(n),
            via: StringBuilder::with_capacity(n, 0),
            rule: StringBuilder::with_capacity(n, 0),
        }
    }

    /// The next row's customer and link.
    pub fn push(&mut self, customer: u64, link: Option<&Link>) {
        self.customer.append_value(customer);
        self.via.append_option(link.map(|l| l.records[0].as_str()));
        self.rule.append_option(link.map(|l| l.rule.as_str()));
    }

    /// The next row, left out.
    pub fn push_none(&mut self) {
        self.customer.append_null();
        self.via.append_null();
        self.rule.append_null();
    }

    /// The columns `customer_id`, `via_record`, `rule`.
    pub fn finish(mut self) -> (Vec<Field>, Vec<ArrayRef>) {
        (
            vec![
                Field::new("customer_id", DataType::UInt64, true),
                Field::new("via_record", DataType::Utf8, true),
                Field::new("rule", DataType::Utf8, true),
            ],
            vec![
                Arc::new(self.customer.finish()),
                Arc::new(self.via.finish()),
                Arc::new(self.rule.finish()),
            ],
        )
    }
}

/// Builds the incremental output: per row its customer (after the whole table),
/// whether it started a new customer, and the code of the issue that kept it out.
#[derive(Debug)]
pub struct Inserted {
    customer: UInt64Builder,
    new_customer: BooleanBuilder,
    issue: StringBuilder,
}

impl Inserted {
    /// For `n` rows.
    pub fn with_capacity(n: usize) -> Inserted {
        Inserted {
            customer: UInt64Builder::with_capacity(n),
            new_customer: BooleanBuilder::with_capacity(n),
            issue: StringBuilder::with_capacity(n, 0),
        }
    }

    /// A row placed.
    pub fn push(&mut self, customer: u64, new_customer: bool) {
        self.customer.append_value(customer);
        self.new_customer.append_value(new_customer);
        self.issue.append_null();
    }

    /// A row left out, with the code of its issue.
    pub fn push_refused(&mut self, code: &str) {
        self.customer.append_null();
        self.new_customer.append_null();
        self.issue.append_value(code);
    }

    /// The columns `customer_id`, `new_customer`, `issue`.
    pub fn finish(mut self) -> (Vec<Field>, Vec<ArrayRef>) {
        (
            vec![
                Field::new("customer_id", DataType::UInt64, true),
                Field::new("new_customer", DataType::Boolean, true),
                Field::new("issue", DataType::Utf8, true),
            ],
            vec![
                Arc::new(self.customer.finish()),
                Arc::new(self.new_customer.finish()),
                Arc::new(self.issue.finish()),
            ],
        )
    }
}
