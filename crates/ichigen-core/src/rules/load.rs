//! Loading a rule set: parse, validate everything (collecting every problem with its
//! path), then compile.
//!
//! serde stops at the first error, which would make a shop fix a rule set one typo
//! at a time. Instead each rule, each condition field and each action is decoded on
//! its own, so that every problem in the file is reported at once.

use std::collections::BTreeSet;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::eval::{CompiledRule, build_regex_set};
use super::{Action, Condition, RuleSet, RuleSetDef};
use crate::error::{Error, Issue, issue_from_serde, json_path, push_key};
use crate::lifecycle::Status;
use crate::text::{digits, fold};

/// The condition fields, in the order of [`Condition`]'s declaration.
pub(crate) const CONDITION_FIELDS: &[&str] = &[
    "remarks_present",
    "remarks_contains",
    "remarks_matches",
    "payment_method",
    "payment_status",
    "total",
    "line_amount",
    "cod_with_mail_packet",
    "gift",
    "recipient_differs",
    "contains_pre_order",
    "contains_made_to_order",
    "contains_needs_confirmation",
    "sku",
    "listing_code",
    "product_group",
    "temperature_zone",
    "multiple_temperature_zones",
    "customer_caution",
    "customer_vip",
    "first_purchase",
    "purchase_count",
    "prefecture",
    "postal_code_prefix",
    "remote_island",
    "address_invalid",
    "transit_days",
    "designated_date",
    "designated_date_infeasible",
    "awaiting_ship_date",
    "designated_date_in",
    "channel",
    "store",
    "marketplace_tag",
    "tag",
    "merge_candidate",
    "all_lines_reservable",
    "awaiting_stock",
    "mail_packet_fits",
    "mail_packets_needed",
    "shipping_method",
    "shipping_class",
    "carrier",
    "all",
    "any",
    "not",
];

/// The action kinds.
pub(crate) const ACTION_KINDS: &[&str] = &[
    "set_status",
    "add_hold",
    "remove_hold",
    "add_tags",
    "remove_tags",
    "set_sub_status",
    "set_shipping_method",
    "set_carrier",
    "hide_prices",
    "add_line",
    "set_ship_date",
    "set_mail_template",
    "request_split",
];

const SET_FIELDS: &[&str] = &["name", "mode", "description", "rules"];
const RULE_FIELDS: &[&str] = &["id", "name", "enabled", "when", "then"];

/// Statuses a rule may set: the holding statuses and ready.
const SETTABLE: &[Status] = &[
    Status::NeedsCheck,
    Status::AwaitingStock,
    Status::AwaitingPayment,
    Status::AwaitingRelease,
    Status::AwaitingShipDate,
    Status::Ready,
];

/// How far ahead `set_ship_date {"days_from_today": n}` may reach: a ship date more
/// than a year away is a typo, not a plan.
pub(crate) const MAX_DAYS_FROM_TODAY: u32 = 366;

/// How deep `all` / `any` / `not` may nest.
const MAX_DEPTH: usize = 32;

pub(crate) fn from_json(text: &str) -> Result<RuleSet, Error> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        Error::InvalidRuleSet(vec![Issue::new(
            "RULESET_PARSE",
            "$",
            format!(
                "not well-formed JSON (line {}, column {})",
                e.line(),
                e.column()
            ),
        )])
    })?;
    from_value(value)
}

pub(crate) fn from_toml(text: &str) -> Result<RuleSet, Error> {
    let value: Value = toml::from_str(text).map_err(|e| {
        let (line, col) = e.span().map(|s| line_col(text, s.start)).unwrap_or((0, 0));
        Error::InvalidRuleSet(vec![Issue::new(
            "RULESET_PARSE",
            "$",
            format!("not well-formed TOML (line {line}, column {col})"),
        )])
    })?;
    from_value(value)
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

pub(crate) fn from_value(value: Value) -> Result<RuleSet, Error> {
    let mut issues = Vec::new();
    check_set(&value, &mut issues);
    if !issues.is_empty() {
        return Err(Error::InvalidRuleSet(issues));
    }
    let def: RuleSetDef = decode(&value, "$").map_err(|i| Error::InvalidRuleSet(vec![i]))?;
    let mut compiled = Vec::with_capacity(def.rules.len());
    for (i, rule) in def.rules.iter().enumerate() {
        let c = CompiledRule::new(rule).map_err(|_| {
            Error::InvalidRuleSet(vec![Issue::new(
                "RULESET_BAD_PATTERN",
                format!("$.rules[{i}].when"),
                "a pattern could not be compiled",
            )])
        })?;
        compiled.push(c);
    }
    Ok(RuleSet { def, compiled })
}

fn decode<T: DeserializeOwned>(value: &Value, base: &str) -> Result<T, Issue> {
    serde_path_to_error::deserialize::<_, T>(value.clone()).map_err(|e| {
        let path = json_path(base, e.path());
        issue_from_serde("RULESET", &path, &e.inner().to_string())
    })
}

fn path_of(base: &str, key: &str) -> String {
    let mut p = base.to_owned();
    push_key(&mut p, key);
    p
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn expect_object<'v>(
    v: &'v Value,
    path: &str,
    what: &str,
    issues: &mut Vec<Issue>,
) -> Option<&'v Map<String, Value>> {
    match v {
        Value::Object(m) => Some(m),
        other => {
            issues.push(Issue::new(
                "RULESET_WRONG_TYPE",
                path,
                format!("{what} must be an object, found {}", type_name(other)),
            ));
            None
        }
    }
}

fn unknown_field(key: &str, known: &[&str], path: &str, code: &str) -> Issue {
    let best = known
        .iter()
        .map(|k| (strsim::jaro_winkler(key, k), *k))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let clipped = crate::error::clip(key);
    let msg = match best {
        Some((_, k)) => format!("unknown `{clipped}`; did you mean `{k}`?"),
        None => format!("unknown `{clipped}`; expected one of {}", known.join(", ")),
    };
    Issue::new(code, path, msg)
}

fn check_set(value: &Value, issues: &mut Vec<Issue>) {
    let Some(obj) = expect_object(value, "$", "a rule set", issues) else {
        return;
    };
    for (key, v) in obj {
        let p = path_of("$", key);
        match key.as_str() {
            "name" => match v.as_str() {
                Some(s) if s.trim().is_empty() => {
                    issues.push(Issue::new(
                        "RULESET_EMPTY_VALUE",
                        p,
                        "the name must not be empty",
                    ));
                }
                Some(_) => {}
                None => issues.push(Issue::new(
                    "RULESET_WRONG_TYPE",
                    p,
                    "the name must be a string",
                )),
            },
            "mode" => {
                if let Err(i) = decode::<super::MatchMode>(v, &p) {
                    issues.push(i);
                }
            }
            "description" => {
                if let Err(i) = decode::<Option<String>>(v, &p) {
                    issues.push(i);
                }
            }
            "rules" => check_rules(v, &p, issues),
            _ => issues.push(unknown_field(key, SET_FIELDS, &p, "RULESET_UNKNOWN_FIELD")),
        }
    }
    for required in ["name", "rules"] {
        if !obj.contains_key(required) {
            issues.push(Issue::new(
                "RULESET_MISSING_FIELD",
                "$",
                format!("missing field `{required}`"),
            ));
        }
    }
}

fn check_rules(v: &Value, path: &str, issues: &mut Vec<Issue>) {
    let Value::Array(rules) = v else {
        issues.push(Issue::new(
            "RULESET_WRONG_TYPE",
            path,
            format!("rules must be an array, found {}", type_name(v)),
        ));
        return;
    };
    if rules.is_empty() {
        issues.push(Issue::new(
            "RULESET_EMPTY_LIST",
            path,
            "a rule set needs at least one rule",
        ));
    }
    let mut ids = BTreeSet::new();
    for (i, rule) in rules.iter().enumerate() {
        let rp = format!("{path}[{i}]");
        let Some(obj) = expect_object(rule, &rp, "a rule", issues) else {
            continue;
        };
        for (key, v) in obj {
            let p = path_of(&rp, key);
            match key.as_str() {
                "id" => match v.as_str() {
                    Some(s) if s.trim().is_empty() => {
                        issues.push(Issue::new(
                            "RULESET_EMPTY_VALUE",
                            p,
                            "a rule id must not be empty",
                        ));
                    }
                    Some(s) => {
                        if !ids.insert(s.to_owned()) {
                            issues.push(Issue::new(
                                "RULESET_DUPLICATE_RULE_ID",
                                p,
                                "another rule has the same id",
                            ));
                        }
                    }
                    None => issues.push(Issue::new(
                        "RULESET_WRONG_TYPE",
                        p,
                        "a rule id must be a string",
                    )),
                },
                "name" => {
                    if let Err(i) = decode::<Option<String>>(v, &p) {
                        issues.push(i);
                    }
                }
                "enabled" => {
                    if !v.is_boolean() {
                        issues.push(Issue::new(
                            "RULESET_WRONG_TYPE",
                            p,
                            "enabled must be true or false",
                        ));
                    }
                }
                "when" => check_condition(v, &p, 0, issues),
                "then" => check_actions(v, &p, issues),
                _ => issues.push(unknown_field(key, RULE_FIELDS, &p, "RULESET_UNKNOWN_FIELD")),
            }
        }
        for required in ["id", "then"] {
            if !obj.contains_key(required) {
                issues.push(Issue::new(
                    "RULESET_MISSING_FIELD",
                    rp.clone(),
                    format!("missing field `{required}`"),
                ));
            }
        }
    }
}

fn check_condition(v: &Value, path: &str, depth: usize, issues: &mut Vec<Issue>) {
    if depth > MAX_DEPTH {
        issues.push(Issue::new(
            "RULESET_TOO_DEEP",
            path,
            format!("conditions nest deeper than {MAX_DEPTH} levels"),
        ));
        return;
    }
    let Some(obj) = expect_object(v, path, "a condition", issues) else {
        return;
    };
    for (key, value) in obj {
        let p = path_of(path, key);
        match key.as_str() {
            "all" | "any" => match value {
                Value::Array(items) if items.is_empty() => {
                    issues.push(Issue::new(
                        "RULESET_EMPTY_LIST",
                        p,
                        "a group needs at least one condition",
                    ));
                }
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        check_condition(item, &format!("{p}[{i}]"), depth + 1, issues);
                    }
                }
                other => issues.push(Issue::new(
                    "RULESET_WRONG_TYPE",
                    p,
                    format!(
                        "a group must be an array of conditions, found {}",
                        type_name(other)
                    ),
                )),
            },
            "not" => check_condition(value, &p, depth + 1, issues),
            k if CONDITION_FIELDS.contains(&k) => {
                check_condition_field(key, value, path, &p, issues)
            }
            _ => issues.push(unknown_field(
                key,
                CONDITION_FIELDS,
                &p,
                "RULESET_UNKNOWN_FIELD",
            )),
        }
    }
}

fn check_condition_field(
    key: &str,
    value: &Value,
    base: &str,
    path: &str,
    issues: &mut Vec<Issue>,
) {
    if value.is_null() {
        issues.push(Issue::new(
            "RULESET_WRONG_TYPE",
            path,
            "a condition value must not be null",
        ));
        return;
    }
    let mut single = Map::new();
    single.insert(key.to_owned(), value.clone());
    let cond: Condition = match decode(&Value::Object(single), base) {
        Ok(c) => c,
        Err(issue) => {
            issues.push(issue);
            return;
        }
    };
    if let Value::Array(items) = value {
        if items.is_empty() {
            issues.push(Issue::new(
                "RULESET_EMPTY_LIST",
                path,
                "a value list needs at least one value",
            ));
        }
        for (i, item) in items.iter().enumerate() {
            let Some(s) = item.as_str() else { continue };
            // Keywords and prefectures are compared folded, postal prefixes by their
            // digits: a value that folds to nothing would match every order.
            let empty = match key {
                "remarks_contains" | "prefecture" => fold(s).is_empty(),
                _ => s.trim().is_empty(),
            };
            if empty {
                issues.push(Issue::new(
                    "RULESET_EMPTY_VALUE",
                    format!("{path}[{i}]"),
                    "a value must not be empty",
                ));
            } else if key == "postal_code_prefix" && !is_postal_prefix(s) {
                issues.push(Issue::new(
                    "RULESET_BAD_VALUE",
                    format!("{path}[{i}]"),
                    "a postal-code prefix is one or more digits, such as \"900\" or \"100-00\"",
                ));
            }
        }
    }
    if let Some(patterns) = &cond.remarks_matches {
        for (i, pat) in patterns.iter().enumerate() {
            if build_regex_set(std::slice::from_ref(pat)).is_err() {
                issues.push(Issue::new(
                    "RULESET_BAD_PATTERN",
                    format!("{path}[{i}]"),
                    "not a valid regular expression (or too large)",
                ));
            }
        }
    }
    let range = |min: bool, max: bool, inverted: bool, issues: &mut Vec<Issue>| {
        if !min && !max {
            issues.push(Issue::new(
                "RULESET_BAD_RANGE",
                path,
                "a range needs `min`, `max` or both",
            ));
        } else if inverted {
            issues.push(Issue::new(
                "RULESET_BAD_RANGE",
                path,
                "`min` is greater than `max`",
            ));
        }
    };
    for r in [&cond.total, &cond.line_amount].into_iter().flatten() {
        let inverted = matches!((r.min, r.max), (Some(a), Some(b)) if a > b);
        range(r.min.is_some(), r.max.is_some(), inverted, issues);
    }
    for r in [&cond.purchase_count, &cond.transit_days]
        .into_iter()
        .flatten()
    {
        let inverted = matches!((r.min, r.max), (Some(a), Some(b)) if a > b);
        range(r.min.is_some(), r.max.is_some(), inverted, issues);
    }
}

/// Digits with optional hyphens (full-width forms and a leading 〒 allowed), at least one digit.
fn is_postal_prefix(s: &str) -> bool {
    let folded = fold(s);
    let body = folded.trim_start_matches('〒');
    !digits(body).is_empty() && body.chars().all(|c| c.is_ascii_digit() || c == '-')
}

fn check_actions(v: &Value, path: &str, issues: &mut Vec<Issue>) {
    let Value::Array(actions) = v else {
        issues.push(Issue::new(
            "RULESET_WRONG_TYPE",
            path,
            format!("then must be an array, found {}", type_name(v)),
        ));
        return;
    };
    if actions.is_empty() {
        issues.push(Issue::new(
            "RULESET_EMPTY_LIST",
            path,
            "a rule needs at least one action",
        ));
    }
    for (i, action) in actions.iter().enumerate() {
        let ap = format!("{path}[{i}]");
        let Some(obj) = expect_object(action, &ap, "an action", issues) else {
            continue;
        };
        if obj.len() != 1 {
            issues.push(Issue::new(
                "RULESET_BAD_ACTION",
                ap,
                "an action is an object with exactly one key, such as {\"set_status\": \"ready\"}",
            ));
            continue;
        }
        let Some((kind, arg)) = obj.iter().next() else {
            continue;
        };
        let kp = path_of(&ap, kind);
        if !ACTION_KINDS.contains(&kind.as_str()) {
            issues.push(unknown_field(
                kind,
                ACTION_KINDS,
                &kp,
                "RULESET_UNKNOWN_ACTION",
            ));
            continue;
        }
        match decode::<Action>(action, &ap) {
            Err(mut issue) => {
                let about_status =
                    matches!(kind.as_str(), "set_status" | "add_hold" | "remove_hold");
                if about_status && issue.code == "RULESET_UNKNOWN_VALUE" {
                    issue.code = "RULESET_UNKNOWN_STATUS".into();
                }
                issues.push(issue);
            }
            Ok(action) => check_action(&action, arg, &kp, issues),
        }
    }
}

fn check_action(action: &Action, arg: &Value, path: &str, issues: &mut Vec<Issue>) {
    match action {
        Action::SetStatus(s) if !SETTABLE.contains(s) => issues.push(Issue::new(
            "RULESET_STATUS_NOT_SETTABLE",
            path,
            "a rule may set only ready or a holding status (needs_check, awaiting_stock, awaiting_payment, awaiting_release, awaiting_ship_date)",
        )),
        Action::AddTags(tags) | Action::RemoveTags(tags) => {
            if tags.is_empty() {
                issues.push(Issue::new("RULESET_EMPTY_LIST", path, "a tag list needs at least one tag"));
            }
            for (i, t) in tags.iter().enumerate() {
                if t.as_str().trim().is_empty() {
                    issues.push(Issue::new("RULESET_EMPTY_VALUE", format!("{path}[{i}]"), "a tag must not be empty"));
                }
            }
        }
        Action::RequestSplit(keys) if keys.is_empty() => {
            issues.push(Issue::new("RULESET_EMPTY_LIST", path, "a split needs at least one key"));
        }
        Action::SetSubStatus(s) if s.as_str().trim().is_empty() => {
            issues.push(Issue::new("RULESET_EMPTY_VALUE", path, "a sub-status must not be empty"));
        }
        Action::SetCarrier(c) if c.as_str().trim().is_empty() => {
            issues.push(Issue::new("RULESET_EMPTY_VALUE", path, "a carrier must not be empty"));
        }
        Action::SetMailTemplate(t) if t.as_str().trim().is_empty() => {
            issues.push(Issue::new("RULESET_EMPTY_VALUE", path, "a template id must not be empty"));
        }
        Action::SetShippingMethod(m) if m.method.as_str().trim().is_empty() => {
            issues.push(Issue::new("RULESET_EMPTY_VALUE", format!("{path}.method"), "a method must not be empty"));
        }
        Action::AddLine(line) => {
            if line.quantity == 0 {
                issues.push(Issue::new("RULESET_BAD_VALUE", format!("{path}.quantity"), "quantity must be at least 1"));
            }
            if line.unit_price.is_sign_negative() && !line.unit_price.is_zero() {
                issues.push(Issue::new("RULESET_BAD_VALUE", format!("{path}.unit_price"), "must not be negative"));
            }
            if line.tax_rate.is_sign_negative() || line.tax_rate >= rust_decimal::Decimal::ONE {
                issues.push(Issue::new("RULESET_BAD_VALUE", format!("{path}.tax_rate"), "a rate is a fraction from 0 up to 1"));
            }
            if line.listing_code.as_str().trim().is_empty() {
                issues.push(Issue::new("RULESET_EMPTY_VALUE", format!("{path}.listing_code"), "must not be empty"));
            }
        }
        Action::SetShipDate(_) if arg.is_object() && arg.as_object().is_some_and(|o| o.len() != 1) => {
            issues.push(Issue::new("RULESET_BAD_VALUE", path, "give a date or {\"days_from_today\": n}"));
        }
        Action::SetShipDate(super::ShipDateSpec::DaysFromToday { days_from_today })
            if *days_from_today > MAX_DAYS_FROM_TODAY =>
        {
            issues.push(Issue::new(
                "RULESET_BAD_VALUE",
                format!("{path}.days_from_today"),
                format!("a ship date at most {MAX_DAYS_FROM_TODAY} days ahead"),
            ));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn condition_field_list_matches_the_struct() {
        for name in CONDITION_FIELDS {
            let v: Value = serde_json::json!({ *name: null });
            assert!(
                serde_json::from_value::<Condition>(v).is_ok(),
                "{name} is not a Condition field"
            );
        }
        let err = serde_json::from_value::<Condition>(serde_json::json!({"zzz": 1}))
            .unwrap_err()
            .to_string();
        let listed = err.matches('`').count() / 2 - 1;
        assert_eq!(listed, CONDITION_FIELDS.len(), "{err}");
    }

    #[test]
    fn action_kind_list_matches_the_enum() {
        let err = serde_json::from_value::<Action>(serde_json::json!({"zzz": 1}))
            .unwrap_err()
            .to_string();
        for kind in ACTION_KINDS {
            assert!(
                err.contains(&format!("`{kind}`")),
                "{kind} missing from {err}"
            );
        }
        assert_eq!(
            err.matches('`').count() / 2 - 1,
            ACTION_KINDS.len(),
            "{err}"
        );
    }
}
