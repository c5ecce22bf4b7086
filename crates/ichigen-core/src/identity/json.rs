//! The JSON face of identity, shared by the bindings and the vectors (re-exported
//! from [`interop`](crate::interop)).

use serde_json::{Map, Value, json};

use super::customer::{self, CustomerOrder, MaskRule, MaskableRecord, Profile, TierPolicy};
use super::normalize::{self, RelayDomain};
use super::{Decision, IdentityConfig, IdentityRecord, Placement, Resolver, candidates};
use crate::error::{Error, Issue};

fn invalid(code: &str, path: &str, message: &str) -> Error {
    Error::InvalidIdentity(vec![Issue::new(code, path, message)])
}

fn decode<T: serde::de::DeserializeOwned>(value: Value, path: &str) -> Result<T, Error> {
    crate::error::decode_at(value, path, "IDENTITY").map_err(|i| Error::InvalidIdentity(vec![i]))
}

/// Normalizes one value of a field: `name`, `kana`, `phone`, `email`,
/// `postal_code` (a string) or `address` (`{postal_code, prefecture, address1,
/// address2}`). `relays` is null (the default relay domains) or a list of
/// `{domain, kind, channel}`. Returns `{"value": ...}` plus `kind` for phones and
/// e-mails, or the parts of an address; a value that is not a phone, e-mail or
/// postal code is the normalizer's coded error at `$.value`.
pub fn normalize_identity(field: &str, value: Value, relays: Value) -> Result<Value, Error> {
    let text = || -> Result<String, Error> {
        match &value {
            Value::String(s) => Ok(s.clone()),
            _ => Err(invalid(
                "IDENTITY_WRONG_TYPE",
                "$.value",
                "expected a string",
            )),
        }
    };
    let fail = |e: normalize::NormalizeError| invalid(e.code, "$.value", e.message);
    Ok(match field {
        "name" => json!({"value": normalize::name(&text()?)}),
        "kana" => json!({"value": normalize::kana(&text()?)}),
        "phone" => {
            let p = normalize::phone(&text()?).map_err(fail)?;
            json!({"value": p.e164, "kind": p.kind.as_str()})
        }
        "email" => {
            let relays: Vec<RelayDomain> = match relays {
                Value::Null => normalize::default_relays(),
                other => decode(other, "$.relays")?,
            };
            if let Some(i) = relays
                .iter()
                .position(|r| r.kind == normalize::EmailKind::Ordinary)
            {
                return Err(invalid(
                    "IDENTITY_RELAY_INVALID",
                    &format!("$.relays[{i}].kind"),
                    "a relay domain's kind is rakuten_relay, amazon_anonymized or relay",
                ));
            }
            let e = normalize::email(&text()?, &relays).map_err(fail)?;
            json!({"value": e.address, "kind": e.kind.as_str()})
        }
        "postal_code" => json!({"value": normalize::postal_code(&text()?).map_err(fail)?}),
        "address" => {
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Parts {
                #[serde(default)]
                postal_code: Option<String>,
                #[serde(default)]
                prefecture: Option<String>,
                #[serde(default)]
                address1: Option<String>,
                #[serde(default)]
                address2: Option<String>,
            }
            let p: Parts = decode(value.clone(), "$.value")?;
            let a = normalize::address(
                p.postal_code.as_deref(),
                p.prefecture.as_deref(),
                p.address1.as_deref().unwrap_or(""),
                p.address2.as_deref().unwrap_or(""),
            )
            .map_err(fail)?;
            serde_json::to_value(&a).unwrap_or(Value::Null)
        }
        _ => {
            return Err(invalid(
                "IDENTITY_UNKNOWN_FIELD",
                "$.field",
                "expected name, kana, phone, email, postal_code or address",
            ));
        }
    })
}

/// Loads a matching configuration (null: the defaults).
pub fn load_identity_config(config: Value) -> Result<IdentityConfig, Error> {
    match config {
        Value::Null => Ok(IdentityConfig::default()),
        other => IdentityConfig::from_json(other),
    }
}

/// The rules of a configuration in the order they are checked:
/// `{"rules": [{"name", "fields"}], "max_key_records"}`.
pub fn describe_identity_config(config: &IdentityConfig) -> Value {
    json!({
        "rules": config.rules().iter().map(|r| json!({"name": r.name, "fields": r.fields})).collect::<Vec<_>>(),
        "max_key_records": config.max_key_records(),
    })
}

/// Decodes one record.
pub fn parse_identity_record(record: Value) -> Result<IdentityRecord, Error> {
    decode(record, "$")
}

/// Decodes a list of records; a record that does not decode is reported with its
/// index and left out (`None` in its place), the others are kept.
pub fn parse_identity_records(
    records: Value,
) -> Result<(Vec<Option<IdentityRecord>>, Vec<Issue>), Error> {
    let Value::Array(items) = records else {
        return Err(invalid(
            "IDENTITY_WRONG_TYPE",
            "$.records",
            "expected an array of records",
        ));
    };
    let mut out = Vec::with_capacity(items.len());
    let mut issues = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        match decode::<IdentityRecord>(item, &format!("$[{i}]")) {
            Ok(r) => out.push(Some(r)),
            Err(e) => {
                issues.extend(e.issues().iter().cloned());
                out.push(None);
            }
        }
    }
    Ok((out, issues))
}

/// Decodes decisions: null or `[{"merge": [a, b]} | {"unmerge": [a, b]}]`.
pub fn parse_decisions(decisions: Value) -> Result<Vec<Decision>, Error> {
    match decisions {
        Value::Null => Ok(Vec::new()),
        other => decode(other, "$.decisions"),
    }
}

/// Resolves a batch: `records` a list of records, `decisions` null or a list.
/// Returns [`resolution_value`] with one `customers` entry per input record (null
/// customer for a record left out, whose problem is in `issues`).
pub fn resolve_identities(config: Value, records: Value, decisions: Value) -> Result<Value, Error> {
    let config = load_identity_config(config)?;
    let decisions = parse_decisions(decisions)?;
    // The id of a record that does not decode still names its entry.
    let raw_ids: Vec<Option<String>> = records.as_array().map_or_else(Vec::new, |a| {
        a.iter()
            .map(|v| v.get("id").and_then(Value::as_str).map(str::to_owned))
            .collect()
    });
    let (parsed, mut issues) = parse_identity_records(records)?;
    // Keep the input index of every record the resolver stores, so that issues
    // name the input position.
    let mut positions = Vec::with_capacity(parsed.len());
    let views: Vec<_> = parsed
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            r.as_ref().map(|r| {
                positions.push(i);
                r.view()
            })
        })
        .collect();
    let (mut resolver, resolve_issues) = Resolver::resolve(config, views, &decisions);
    for mut issue in resolve_issues {
        if let Some(rest) = issue.path.strip_prefix("$[") {
            if let Some((k, tail)) = rest.split_once(']') {
                if let Ok(k) = k.parse::<usize>() {
                    issue.path = format!("$[{}]{tail}", positions.get(k).copied().unwrap_or(k));
                }
            }
        }
        issues.push(issue);
    }
    issues.sort_by_key(|i| path_index(&i.path));
    let mut out = resolution_value(&mut resolver, &issues);
    // One entry per input record, aligned with the input.
    if let Some(Value::Array(assigned)) = out.get_mut("customers") {
        let mut stored = std::mem::take(assigned).into_iter();
        let mut aligned = Vec::with_capacity(parsed.len());
        for (i, r) in parsed.iter().enumerate() {
            let entry = r
                .as_ref()
                .and_then(|r| {
                    // A record the resolver refused (a duplicate id) has no entry.
                    let peek = stored.as_slice().first()?;
                    (peek["record"] == r.id.as_str()).then(|| stored.next())?
                })
                .unwrap_or_else(|| {
                    let id = r
                        .as_ref()
                        .map(|r| r.id.clone())
                        .or_else(|| raw_ids.get(i).cloned().flatten());
                    json!({"record": id, "customer_id": null, "via": null})
                });
            aligned.push(entry);
        }
        *assigned = aligned;
    }
    Ok(out)
}

fn path_index(path: &str) -> usize {
    path.strip_prefix("$[")
        .and_then(|r| r.split(']').next())
        .and_then(|k| k.parse().ok())
        .unwrap_or(usize::MAX)
}

/// The state of a resolver as JSON: `customers` (per record: `record`,
/// `customer_id`, `via`: the link that joined it or null), `clusters`, `links`,
/// `blocked`, `giant_keys`, `candidates`, `aliases`, `decisions`, `issues`,
/// `next_customer_id`.
pub fn resolution_value(resolver: &mut Resolver, issues: &[Issue]) -> Value {
    let customers: Vec<Value> = resolver
        .assignments()
        .into_iter()
        .map(|(record, id, via)| json!({"record": record, "customer_id": id, "via": via}))
        .collect();
    let candidates = candidates(resolver);
    json!({
        "customers": customers,
        "clusters": resolver.clusters(),
        "links": resolver.links(),
        "blocked": resolver.blocked(),
        "giant_keys": resolver.giant_keys(),
        "candidates": candidates,
        "aliases": resolver.aliases().into_iter().map(|(a, c)| json!({"alias": a, "customer_id": c})).collect::<Vec<_>>(),
        "decisions": resolver.decisions(),
        "issues": issues,
        "next_customer_id": resolver.next_customer_id(),
    })
}

/// A placement as JSON.
pub fn placement_value(p: &Placement) -> Value {
    serde_json::to_value(p).unwrap_or(Value::Null)
}

/// Moves the paths of an error about a part of the input under that part's path.
fn under(prefix: &str, e: Error) -> Error {
    match e {
        Error::InvalidIdentity(issues) => {
            Error::InvalidIdentity(crate::error::issues_under(issues, prefix))
        }
        other => other,
    }
}

fn with_step_path(e: Error, k: usize) -> Error {
    match e {
        Error::InvalidIdentity(issues) => Error::InvalidIdentity(
            issues
                .into_iter()
                .map(|mut i| {
                    i.path = format!("$.steps[{k}]{}", i.path.trim_start_matches('$'));
                    i
                })
                .collect(),
        ),
        other => other,
    }
}

fn pair(v: &Value, path: &str) -> Result<[String; 2], Error> {
    decode(v.clone(), path)
}

/// Runs steps against one resolver (for vectors and scripts): each step is one of
/// `{"insert": record}`, `{"merge": [a, b]}`, `{"unmerge": [a, b]}`,
/// `{"mask": id}`, `{"customer_of": id}`, `{"canonical": customer_id}`,
/// `{"candidates": null}`, `{"recompute": null}`, `{"snapshot": null}`. Returns
/// `{"results": [...]}`, one per step; the first step that fails is the error,
/// with `$.steps[k]` in its paths.
pub fn identity_session(config: Value, steps: Value) -> Result<Value, Error> {
    let mut resolver = Resolver::new(load_identity_config(config)?);
    let Value::Array(steps) = steps else {
        return Err(invalid(
            "IDENTITY_WRONG_TYPE",
            "$.steps",
            "expected an array of steps",
        ));
    };
    let mut results = Vec::with_capacity(steps.len());
    for (k, step) in steps.into_iter().enumerate() {
        let out = run_step(&mut resolver, step).map_err(|e| with_step_path(e, k))?;
        results.push(out);
    }
    Ok(json!({"results": results}))
}

fn run_step(resolver: &mut Resolver, step: Value) -> Result<Value, Error> {
    let Value::Object(m) = step else {
        return Err(invalid(
            "IDENTITY_STEP_INVALID",
            "$",
            "expected an object with one key",
        ));
    };
    let Some((kind, arg)) = m.into_iter().next() else {
        return Err(invalid("IDENTITY_STEP_INVALID", "$", "expected one key"));
    };
    let id_arg = |v: &Value| -> Result<String, Error> {
        v.as_str().map(str::to_owned).ok_or_else(|| {
            invalid(
                "IDENTITY_WRONG_TYPE",
                &format!("$.{kind}"),
                "expected a record id",
            )
        })
    };
    Ok(match kind.as_str() {
        "insert" => {
            // Paths are the record's own, as for the resolver's checks (`$.id`).
            let record = decode::<IdentityRecord>(arg, "$")?;
            placement_value(&resolver.insert(&record)?)
        }
        "merge" => {
            let [a, b] = pair(&arg, "$.merge")?;
            json!({"customer_id": resolver.merge(&a, &b)?})
        }
        "unmerge" => {
            let [a, b] = pair(&arg, "$.unmerge")?;
            json!({"customer_ids": resolver.unmerge(&a, &b)?})
        }
        "mask" => json!({"customer_id": resolver.mask(&id_arg(&arg)?)?}),
        "customer_of" => json!({"customer_id": resolver.customer_of(&id_arg(&arg)?)}),
        "canonical" => {
            let id = arg.as_u64().ok_or_else(|| {
                invalid(
                    "IDENTITY_WRONG_TYPE",
                    "$.canonical",
                    "expected a customer id",
                )
            })?;
            json!({"customer_id": resolver.canonical(id)})
        }
        "candidates" => json!({"candidates": candidates(resolver)}),
        "recompute" => {
            resolver.recompute();
            resolution_value(resolver, &[])
        }
        "snapshot" => resolution_value(resolver, &[]),
        _ => {
            return Err(invalid(
                "IDENTITY_STEP_INVALID",
                "$",
                "expected insert, merge, unmerge, mask, customer_of, canonical, candidates, recompute or snapshot",
            ));
        }
    })
}

fn field(input: &Map<String, Value>, key: &str) -> Value {
    input.get(key).cloned().unwrap_or(Value::Null)
}

fn object(input: Value) -> Result<Map<String, Value>, Error> {
    match input {
        Value::Object(m) => Ok(m),
        _ => Err(invalid("IDENTITY_WRONG_TYPE", "$", "expected an object")),
    }
}

/// A customer's facts: input `{customer_id, orders, profile?, tiers?, as_of,
/// has_candidate?}`; output the [`CustomerSummary`](customer::CustomerSummary).
pub fn customer_summary(input: Value) -> Result<Value, Error> {
    let m = object(input)?;
    let id = m
        .get("customer_id")
        .and_then(Value::as_u64)
        .ok_or_else(|| {
            invalid(
                "IDENTITY_WRONG_TYPE",
                "$.customer_id",
                "expected a customer id",
            )
        })?;
    let orders: Vec<CustomerOrder> = decode(field(&m, "orders"), "$.orders")?;
    let profile: Profile = match field(&m, "profile") {
        Value::Null => Profile::default(),
        v => decode(v, "$.profile")?,
    };
    let tiers = match field(&m, "tiers") {
        Value::Null => TierPolicy::default(),
        v => TierPolicy::from_json(v).map_err(|e| under("$.tiers", e))?,
    };
    let as_of = decode(field(&m, "as_of"), "$.as_of")?;
    let has_candidate = m
        .get("has_candidate")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let s = customer::summarize(id, &orders, &profile, &tiers, as_of, has_candidate);
    Ok(serde_json::to_value(s).unwrap_or(Value::Null))
}

/// The triage facts of one order of a customer: input `{orders, profile?, record}`;
/// output `{"caution", "vip", "purchase_count"}`, the `customer` of a triage
/// context.
pub fn customer_triage_facts(input: Value) -> Result<Value, Error> {
    let m = object(input)?;
    let orders: Vec<CustomerOrder> = decode(field(&m, "orders"), "$.orders")?;
    let profile: Profile = match field(&m, "profile") {
        Value::Null => Profile::default(),
        v => decode(v, "$.profile")?,
    };
    let record = m
        .get("record")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("IDENTITY_WRONG_TYPE", "$.record", "expected a record id"))?;
    let facts = customer::triage_facts(&orders, &profile, record)?;
    Ok(serde_json::to_value(facts).unwrap_or(Value::Null))
}

/// The masking rule applied to a customer's records: input `{records, on, rule?}`
/// (`rule` defaults to Amazon, 30 days); output `{"records": [{record, masked,
/// due_on, party}]}`.
pub fn mask_customer(input: Value) -> Result<Value, Error> {
    let m = object(input)?;
    let records: Vec<MaskableRecord> = decode(field(&m, "records"), "$.records")?;
    let on = decode(field(&m, "on"), "$.on")?;
    let rule = match field(&m, "rule") {
        Value::Null => MaskRule::default(),
        v => decode(v, "$.rule")?,
    };
    Ok(json!({"records": customer::mask_customer(&records, on, rule)}))
}
