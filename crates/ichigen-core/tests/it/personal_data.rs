//! Personal data never appears in Debug output or in any error: not in validation
//! issues (serde quotes wrong values; error.rs must strip them), not in lifecycle
//! errors, not in rule-set errors.

use ichigen_core::clock::FixedClock;
use ichigen_core::interop;
use ichigen_core::lifecycle::{Actor, OrderEvent, Phase, apply};
use ichigen_core::order::{OrderLine, Party, Remarks};
use ichigen_core::rules::RuleSet;
use ichigen_core::{Error, Issue};
use serde_json::{Value, json};

const NAME: &str = "比企谷八幡ZQX";
const KANA: &str = "ヒキガヤハチマンZQX";
const COMPANY: &str = "総武商事ZQX";
const PHONE: &str = "080-9137-4426";
const EMAIL: &str = "zqx.hikigaya@example.org";
const POSTAL: &str = "263-9137";
const PREFECTURE: &str = "千葉県ZQX";
const ADDRESS1: &str = "千葉市稲毛区轟町9-9-9 ZQX荘";
const ADDRESS2: &str = "ZQX号室";
const REMARKS: &str = "玄関前ZQXに置き配 電話080-9137-4426";
const MEMBER: &str = "member-zqx-9137";

/// Fragments any of which would betray the data above.
const MARKERS: &[&str] = &[
    "ZQX",
    "zqx",
    "9137",
    "4426",
    "比企谷",
    "ヒキガヤ",
    "総武",
    "稲毛",
    "轟町",
    "置き配",
    "hikigaya",
];

fn assert_clean(what: &str, text: &str) {
    for m in MARKERS {
        assert!(!text.contains(m), "{what} leaks `{m}`: {text}");
    }
}

fn assert_error_clean(what: &str, e: &Error) {
    assert_clean(what, &e.to_string());
    assert_clean(what, &format!("{e:?}"));
    assert_clean(what, &interop::error_value(e).to_string());
    for i in e.issues() {
        assert_clean(what, &i.message);
        assert_clean(what, &i.path);
    }
}

fn person() -> Party {
    Party {
        name: NAME.into(),
        kana: Some(KANA.into()),
        company: Some(COMPANY.into()),
        phone: Some(PHONE.into()),
        email: Some(EMAIL.into()),
        postal_code: Some(POSTAL.into()),
        prefecture: Some(PREFECTURE.into()),
        address1: Some(ADDRESS1.into()),
        address2: Some(ADDRESS2.into()),
        country: None,
        member_id: Some(MEMBER.into()),
    }
}

fn order_json() -> Value {
    let mut v: Value = serde_json::from_str(ichigen_core::sample::ORDER_JSON).unwrap();
    let p = serde_json::to_value(person()).unwrap();
    v["buyer"] = p.clone();
    v["recipients"] = json!([p]);
    v["remarks"] = json!(REMARKS);
    v
}

/// The order with one field replaced (by a JSON pointer).
fn with(pointer: &str, value: Value) -> Value {
    let mut v = order_json();
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    match v
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("no {parent}"))
    {
        Value::Object(m) => {
            m.insert(key.to_owned(), value);
        }
        Value::Array(a) => a[key.parse::<usize>().unwrap()] = value,
        _ => panic!("{parent} holds no fields"),
    }
    v
}

#[test]
fn the_marked_order_really_holds_the_data() {
    // Guards the test itself: the markers are in the serialized order.
    let text = order_json().to_string();
    for needle in [
        NAME, KANA, COMPANY, PHONE, EMAIL, POSTAL, PREFECTURE, ADDRESS1, ADDRESS2, REMARKS, MEMBER,
    ] {
        assert!(text.contains(needle), "{needle}");
    }
    let order = interop::parse_order(order_json()).unwrap();
    assert_eq!(order.buyer.name, NAME);
}

#[test]
fn debug_of_the_order_shows_no_personal_data() {
    let order = interop::parse_order(order_json()).unwrap();
    assert_clean("Debug of the order", &format!("{order:?}"));
    assert_clean("pretty Debug of the order", &format!("{order:#?}"));
    assert_clean("Debug of a party", &format!("{:?}", person()));
    assert_clean(
        "Debug of remarks",
        &format!("{:?}", Remarks(REMARKS.into())),
    );
}

#[test]
fn validation_issues_on_personal_fields_quote_nothing() {
    let cases: Vec<(&str, Value, &str)> = vec![
        // Wrong types: serde's messages quote the value found.
        ("/buyer/name", json!(9137_4426), "ORDER_WRONG_TYPE"),
        ("/buyer/phone", json!(8091374426_u64), "ORDER_WRONG_TYPE"),
        (
            "/buyer/email",
            json!(["zqx.hikigaya@example.org"]),
            "ORDER_WRONG_TYPE",
        ),
        (
            "/recipients/0/postal_code",
            json!(263.9137),
            "ORDER_WRONG_TYPE",
        ),
        ("/recipients/0/address1", json!(true), "ORDER_WRONG_TYPE"),
        ("/remarks", json!(-9137), "ORDER_WRONG_TYPE"),
        ("/lines/0/quantity", json!(NAME), "ORDER_WRONG_TYPE"),
        ("/lines/0/quantity", json!(PHONE), "ORDER_WRONG_TYPE"),
        ("/recipients/0/country", json!(4426), "ORDER_WRONG_TYPE"),
        ("/buyer", json!(ADDRESS1), "ORDER_WRONG_TYPE"),
        ("/gift", json!(REMARKS), "ORDER_WRONG_TYPE"),
        // Personal text where an enum, an amount, a date, a zone or a currency belongs.
        ("/channel", json!(NAME), "ORDER_UNKNOWN_VALUE"),
        ("/payment/method", json!(EMAIL), "ORDER_UNKNOWN_VALUE"),
        ("/lines/0/unit_price", json!(PHONE), "ORDER_BAD_AMOUNT"),
        ("/shipping_fee", json!(9137.5), "ORDER_BAD_AMOUNT"),
        ("/ordered_at", json!(ADDRESS1), "ORDER_BAD_DATE"),
        ("/shipping/desired_date", json!(POSTAL), "ORDER_BAD_DATE"),
        ("/shop_zone", json!("Asia/ZQX9137"), "ORDER_UNKNOWN_ZONE"),
        ("/currency", json!("ZQX"), "ORDER_UNKNOWN_CURRENCY"),
        ("/shipping/time_slot", json!(PHONE), "ORDER_UNKNOWN_VALUE"),
        // Semantic problems in personal fields.
        (
            "/recipients/0/postal_code",
            json!("ZQX-9137"),
            "ORDER_POSTAL_CODE_INVALID",
        ),
        (
            "/recipients/0/postal_code",
            json!("9137"),
            "ORDER_POSTAL_CODE_INVALID",
        ),
    ];
    for (pointer, value, code) in cases {
        let what = format!("{pointer} = {value}");
        let report = interop::validate_order(with(pointer, value.clone()));
        assert_eq!(report["valid"], json!(false), "{what}");
        let issues: Vec<Issue> = serde_json::from_value(report["issues"].clone()).unwrap();
        assert!(
            issues.iter().any(|i| i.code == code),
            "{what}: expected {code} in {issues:?}"
        );
        assert_clean(&what, &report.to_string());
        let err = interop::parse_order(with(pointer, value)).unwrap_err();
        assert_error_clean(&what, &err);
    }
}

#[test]
fn issues_in_a_batch_quote_nothing() {
    let err = interop::parse_orders(json!([
        order_json(),
        with("/buyer/phone", json!(8091374426_u64))
    ]))
    .unwrap_err();
    assert_eq!(err.issues()[0].path, "$.orders[1].buyer.phone");
    assert_error_clean("batch", &err);
}

#[test]
fn lifecycle_errors_quote_nothing() {
    let clock = FixedClock::parse("2026-11-23T03:00:00Z").unwrap();
    let mut order = interop::parse_order(order_json()).unwrap();
    let line: OrderLine = serde_json::from_value(json!({
        "listing_code": NAME, "name": ADDRESS1, "quantity": 0, "unit_price": "1", "tax_rate": "0.10"
    }))
    .unwrap();
    let refused = [
        (
            Phase::New,
            OrderEvent::AddLine {
                line: Box::new(line),
            },
        ),
        (Phase::New, OrderEvent::Cancel { reason: " ".into() }),
        (
            Phase::Cancelled,
            OrderEvent::Ship {
                tracking_number: Some(PHONE.into()),
            },
        ),
        (
            Phase::Printed,
            OrderEvent::SetShippingMethod {
                method: EMAIL.into(),
                class: None,
            },
        ),
        (
            Phase::Shipped,
            OrderEvent::Cancel {
                reason: REMARKS.into(),
            },
        ),
        (
            Phase::Completed,
            OrderEvent::Return {
                reason: REMARKS.into(),
            },
        ),
        (Phase::Triaged, OrderEvent::AddTag { tag: " ".into() }),
    ];
    for (phase, event) in refused {
        order.state.phase = phase;
        let e = apply(&mut order, &event, &Actor::user(NAME), &clock).unwrap_err();
        assert_clean(&format!("{event:?} error"), &e.to_string());
        assert_error_clean("lifecycle", &Error::from(e));
    }
    // Through the JSON face, a wrongly typed personal value in an event or an actor.
    let order = order_json();
    for (event, actor) in [
        (
            json!({"type": "cancel", "reason": 8091374426_u64}),
            json!({"kind": "system"}),
        ),
        (
            json!({"type": "ship", "tracking_number": ["zqx"]}),
            json!({"kind": "system"}),
        ),
        (json!({"type": NAME}), json!({"kind": "system"})),
        (
            json!({"type": "add_tag", "tag": "x"}),
            json!({"kind": "user", "id": 91374426}),
        ),
        (
            json!({"type": "add_tag", "tag": "x"}),
            json!({"kind": EMAIL}),
        ),
    ] {
        let e = interop::apply_event(order.clone(), event.clone(), actor, &clock).unwrap_err();
        assert!(e.code().starts_with("INPUT_"), "{event}: {}", e.code());
        assert_error_clean(&event.to_string(), &e);
    }
    let e = interop::triage(
        &RuleSet::from_json(ichigen_core::rules::EXAMPLE_RULE_SET_JSON).unwrap(),
        order,
        json!({"customer": {"purchase_count": NAME}}),
        &clock,
    )
    .unwrap_err();
    assert_error_clean("context", &e);
}

#[test]
fn rule_set_errors_quote_nothing() {
    // Shops put names and phone numbers of problem customers into rules; a rule set
    // with mistakes must not echo them.
    let bad = json!({
        "name": "x",
        "rules": [
            { "id": "a", "when": { "remarks_contains": [91374426], "prefecture": PREFECTURE }, "then": [ { "set_status": NAME } ] },
            { "id": "b", "when": { "remarks_matches": ["(ZQX9137"], "store": [ { "n": EMAIL } ] }, "then": [ { "add_hold": { "reason": PHONE } } ] },
            { "id": "c", "when": { "total": { "min": ADDRESS1 } }, "then": [ { "add_tags": [true] }, { "set_sub_status": 9137 } ] },
            { "id": "d", "when": { "channel": [REMARKS], "postal_code_prefix": ["ZQX"] }, "then": [ { "set_ship_date": PHONE } ] },
            { "id": "e", "name": 91374426, "enabled": "ZQX", "when": { "gift": "ZQX" }, "then": [ { "add_line": { "listing_code": "w", "name": "w", "unit_price": PHONE } } ] }
        ]
    });
    let e = RuleSet::from_value(bad).unwrap_err();
    assert!(e.issues().len() >= 12, "{:?}", e.issues());
    assert_error_clean("rule set", &e);

    let e = RuleSet::from_json(&format!("{{\"name\": \"{NAME}\", \"rules\": [ {PHONE} ] "))
        .unwrap_err();
    assert_error_clean("JSON text", &e);
    let e =
        RuleSet::from_toml(&format!("name = \"{NAME}\"\n[[rules]]\nid = {PHONE}\n")).unwrap_err();
    assert_error_clean("TOML text", &e);
    let e = RuleSet::from_toml(&format!("name = \"x\"\n[[rules]]\nid = \"a\"\nwhen = {{ remarks_contains = [\"{NAME}\", 9137] }}\nthen = [ {{ set_status = \"{EMAIL}\" }} ]\n")).unwrap_err();
    assert_error_clean("TOML values", &e);
}

/// Noshi inscriptions, engravings (名入れ), hold notes and cancel reasons are free
/// text that staff and buyers fill with names; Debug of the order after they were
/// set, and of the history entries recording them, shows none of it.
#[test]
fn debug_hides_free_text_in_options_notes_and_reasons() {
    let mut v = order_json();
    v["lines"][0]["options"] = json!({
        "noshi": format!("御歳暮 {NAME}"),
        "wrapping": format!("{NAME}様へ"),
        "other": { "engraving": format!("Dear {EMAIL}") }
    });
    let mut order = interop::parse_order(v).unwrap();
    let clock = FixedClock::parse("2026-11-23T03:00:00Z").unwrap();
    let staff = Actor::user("staff-1");
    let note = OrderEvent::AddHold {
        reason: ichigen_core::lifecycle::HoldReason::NeedsCheck,
        message: Some(format!("{NAME}様から電話 {PHONE}").into()),
    };
    apply(&mut order, &note, &staff, &clock).unwrap();
    let cancel = OrderEvent::Cancel {
        reason: format!("{NAME}様の依頼 {ADDRESS1}").into(),
    };
    apply(&mut order, &cancel, &staff, &clock).unwrap();
    assert_eq!(order.state.phase, Phase::Cancelled);
    // The data is there, only Debug hides it.
    assert!(serde_json::to_string(&order).unwrap().contains(NAME));
    assert_clean("Debug of an order with free text", &format!("{order:?}"));
    assert_clean(
        "Debug of its history",
        &format!("{:#?}", order.state.history),
    );
    assert_clean("Debug of the events", &format!("{note:?} {cancel:?}"));
}

/// A malformed input can use a name as a key; unknown keys are described, not quoted,
/// in messages and in paths alike.
#[test]
fn unknown_keys_are_described_not_quoted() {
    let clock = FixedClock::parse("2026-11-23T03:00:00Z").unwrap();
    let event = json!({ "type": "ship", NAME: 1 });
    let e =
        interop::apply_event(order_json(), event, json!({"kind": "system"}), &clock).unwrap_err();
    assert_eq!(e.code(), "INPUT_UNKNOWN_FIELD");
    assert_error_clean("unknown key in an event", &e);

    let mut order = order_json();
    order[EMAIL] = json!("x");
    let e = interop::parse_order(order).unwrap_err();
    assert_eq!(e.issues()[0].code, "ORDER_UNKNOWN_FIELD");
    assert_error_clean("unknown key in an order", &e);

    let rules = json!({ "name": "t", "rules": [ { "id": "a", "when": { PHONE: true }, "then": [ { ADDRESS1: 1 } ] } ] });
    let e = interop::load_rule_set(rules).unwrap_err();
    assert_eq!(e.issues().len(), 2, "{:?}", e.issues());
    assert_error_clean("unknown keys in a rule set", &e);
}

#[test]
fn a_refused_event_reports_the_event_and_the_unchanged_status() {
    let clock = FixedClock::parse("2026-11-23T03:00:00Z").unwrap();
    let e = interop::apply_event(
        order_json(),
        json!({"type": "print"}),
        json!({"kind": "system"}),
        &clock,
    )
    .unwrap_err();
    let v = interop::error_value(&e);
    assert_eq!(v["code"], "LIFECYCLE_NOT_TRIAGED");
    assert_eq!(v["event"], "print");
    assert_eq!(v["status"], "new");
}

/// A wrong value inside an event is reported at its field, though serde buffers
/// tagged enums and forgets where it was.
#[test]
fn a_wrong_value_inside_an_event_is_reported_at_its_field() {
    let clock = FixedClock::parse("2026-11-23T03:00:00Z").unwrap();
    let system = json!({"kind": "system"});
    let e = interop::apply_event(
        order_json(),
        json!({"type": "add_tag", "tag": 5}),
        system.clone(),
        &clock,
    )
    .unwrap_err();
    assert_eq!(
        (e.issues()[0].code.as_str(), e.issues()[0].path.as_str()),
        ("INPUT_WRONG_TYPE", "$.event.tag")
    );
    let e = interop::apply_event(
        order_json(),
        json!({"type": "release_hold", "reason": "lunch"}),
        system.clone(),
        &clock,
    )
    .unwrap_err();
    assert_eq!(e.issues()[0].path, "$.event.reason");
    let e = interop::apply_event(
        order_json(),
        json!({"type": "print"}),
        json!({"kind": "user", "id": 7}),
        &clock,
    )
    .unwrap_err();
    assert_eq!(e.issues()[0].path, "$.actor.id");
    // An unknown type is reported at the type itself.
    let e = interop::apply_event(order_json(), json!({"type": "teleport"}), system, &clock)
        .unwrap_err();
    assert_eq!(e.issues()[0].path, "$.event.type");
}

#[test]
fn ship_date_plans_and_their_errors_quote_nothing() {
    use ichigen_core::shipdate::{PlanRequest, ShippingPolicy};
    let clock = FixedClock::parse("2026-11-23T03:00:00Z").unwrap();
    let policy =
        ShippingPolicy::from_value(json!({"origin": "東京都", "remote_islands": "example"}))
            .unwrap();
    // The marked prefecture is not a prefecture: refused without quoting it.
    let e = interop::plan_order_ship_date(&policy, order_json(), &clock).unwrap_err();
    assert_eq!(e.code(), "SHIPDATE_UNKNOWN_PREFECTURE");
    assert_error_clean("plan of an unknown prefecture", &e);
    // With a real prefecture the plan and its explanation carry no personal data.
    let order = with("/recipients/0/prefecture", json!("千葉県"));
    let plan = interop::plan_order_ship_date(&policy, order, &clock).unwrap();
    assert_clean("plan", &plan.to_string());
    let request: PlanRequest = serde_json::from_value(json!({
        "ordered_at": "2026-11-23T01:00:00Z", "destination": "千葉県", "postal_code": POSTAL
    }))
    .unwrap();
    assert_clean("request debug", &format!("{request:?}"));
    // A policy whose remote-island list has a malformed row does not quote the row.
    let e = ShippingPolicy::from_value(json!({
        "origin": "東京都",
        "remote_islands": {"csv": format!("postal_prefix,extra_days,note\n{POSTAL}ZQX,1,{ADDRESS1}\n")}
    }))
    .unwrap_err();
    assert_eq!(e.code(), "SHIPDATE_INVALID");
    assert_error_clean("island list", &e);
}

#[test]
fn identity_debug_and_errors_quote_nothing() {
    use ichigen_core::identity::customer::{Entry, Profile};
    use ichigen_core::identity::normalize;
    use ichigen_core::identity::{IdentityConfig, IdentityRecord, Resolver};
    let p = person();
    let record = IdentityRecord {
        id: "rec-1".into(),
        channel: Some(ichigen_core::order::Channel::Rakuten),
        name: Some(p.name.clone()),
        kana: p.kana.clone(),
        phone: Some(PHONE.into()),
        email: Some(EMAIL.into()),
        postal_code: Some(POSTAL.into()),
        address1: Some(ADDRESS1.into()),
        address2: Some(ADDRESS2.into()),
        member_id: Some(MEMBER.into()),
        ..Default::default()
    };
    assert!(serde_json::to_string(&record).unwrap().contains("ZQX"));
    assert_clean("IdentityRecord Debug", &format!("{record:?}"));
    assert_clean("RecordRef Debug", &format!("{:?}", record.view()));
    let mut resolver = Resolver::new(IdentityConfig::default());
    let placement = resolver.insert(&record).unwrap();
    assert_clean("Placement Debug", &format!("{placement:?}"));
    assert_clean("Resolver Debug", &format!("{resolver:?}"));
    let dup = resolver.insert(&record).unwrap_err();
    assert_error_clean("duplicate record", &dup);
    assert_clean(
        "phone Debug",
        &format!("{:?}", normalize::phone(PHONE).unwrap()),
    );
    assert_clean(
        "email Debug",
        &format!(
            "{:?}",
            normalize::email(EMAIL, &normalize::default_relays()).unwrap()
        ),
    );
    assert_clean(
        "address Debug",
        &format!(
            "{:?}",
            normalize::address(Some(POSTAL), None, ADDRESS1, ADDRESS2).unwrap()
        ),
    );
    for bad in [
        interop::normalize_identity("phone", json!("ZQX 9137-4426"), Value::Null),
        interop::normalize_identity("email", json!("zqx.hikigaya@"), Value::Null),
        interop::normalize_identity("postal_code", json!("9137-ZQX"), Value::Null),
        interop::normalize_identity(
            "address",
            json!({"prefecture": PREFECTURE, "address1": ADDRESS1}),
            Value::Null,
        ),
    ] {
        assert_error_clean("normalizer error", &bad.unwrap_err());
    }
    // Bad rows are reported by path and code, never by value.
    let out = interop::resolve_identities(
        Value::Null,
        json!([{"id": "a", "channel": "ZQXshop", "name": NAME}, {"id": "b", "channel": "yahoo", "phone": "ZQX 9137", "email": "zqx@"}]),
        Value::Null,
    )
    .unwrap();
    assert_clean("resolution issues", &out["issues"].to_string());
    let profile = Profile {
        caution: Some(REMARKS.into()),
        notes: vec![Entry {
            at: "2026-01-01T00:00:00Z".parse().unwrap(),
            kind: None,
            text: REMARKS.into(),
        }],
        ..Default::default()
    };
    assert_clean("Profile Debug", &format!("{profile:?}"));
}

/// A stock reservation built from an order carries the destination prefecture (for
/// the nearest warehouse) but neither its Debug output nor a refusal shows it.
#[test]
fn stock_requests_and_errors_quote_nothing() {
    use ichigen_core::stock::{Catalog, ReservationPolicy, ReserveRequest, StockBook};
    let order = interop::parse_order(order_json()).unwrap();
    let req = ReserveRequest::from_order(&order);
    assert_eq!(req.destination.as_deref(), Some(PREFECTURE));
    assert_clean("ReserveRequest Debug", &format!("{req:?}"));
    let catalog =
        Catalog::from_json(json!({"skus": [{"sku": "X"}], "locations": [{"id": "w"}]})).unwrap();
    let book = StockBook::new(std::sync::Arc::new(catalog), ReservationPolicy::default());
    let e = book.check(&req).unwrap_err();
    assert_eq!(e.issues()[0].code, "STOCK_UNKNOWN_LISTING");
    assert_error_clean("stock refusal", &e);
    let bad = ReserveRequest {
        destination: Some(format!("{PREFECTURE}{ADDRESS1}")),
        ..req
    };
    let e = book.check(&bad).unwrap_err();
    assert!(
        e.issues()
            .iter()
            .any(|i| i.code == "STOCK_UNKNOWN_PREFECTURE")
    );
    assert_error_clean("stock prefecture refusal", &e);
}

/// Merge keys hold normalized names and addresses; neither their Debug output nor a
/// refused merge shows them.
#[test]
fn merge_keys_and_refusals_quote_nothing() {
    use ichigen_core::shipment::{OrderFacts, Planner, ShipmentPolicy};
    let mut v = with("/recipients/0/prefecture", json!("千葉県"));
    v["buyer"]["prefecture"] = json!("千葉県");
    let a = interop::parse_order(v.clone()).unwrap();
    let planner = Planner::new(ShipmentPolicy::default()).unwrap();
    let key = planner.merge_key(&a, &OrderFacts::default()).unwrap();
    assert_clean("MergeKey Debug", &format!("{key:?}"));
    let mut b = a.clone();
    b.id = "ord-0002".into();
    b.recipients[0].name = format!("{NAME}二");
    b.recipients[0].address2 = Some(format!("{ADDRESS2}B"));
    let facts = [OrderFacts::default(), OrderFacts::default()];
    let e = planner.merge(&[&a, &b], &facts, &[]).unwrap_err();
    assert_eq!(e.issues().len(), 2, "{e:?}");
    assert_error_clean("merge refusal", &e);
    let plan = planner.merge(&[&a, &a.clone()], &facts, &[]);
    assert!(plan.is_err(), "the same order twice is refused");
    assert_error_clean("duplicate merge", &plan.unwrap_err());
    let plan = planner.split(&a, &[]).unwrap();
    assert_clean("ShipmentPlan Debug", &format!("{plan:?}"));
}

#[test]
fn analytics_debug_and_errors_quote_no_customer() {
    use ichigen_core::analytics::{CpmConfig, OrderHistory, RfmConfig, json as an};
    // Customer ids may be e-mail addresses or names.
    let history = json!({"orders": [
        {"customer": EMAIL, "ordered_at": "2026-01-01T10:00:00+09:00", "amount": "1000", "channel": "rakuten"},
        {"customer": NAME, "ordered_at": "2026-02-01T10:00:00+09:00", "amount": "2000"}
    ]});
    let h = an::history(history.clone(), "$.history").unwrap();
    assert_clean("history debug", &format!("{h:?}"));
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let rfm = h
        .rfm(&RfmConfig {
            as_of,
            scoring: Default::default(),
            ranks: vec![],
            default_rank: None,
        })
        .unwrap();
    let table = rfm.table(&h);
    assert!(table.rows_json(None).iter().any(|r| r["customer"] == EMAIL));
    assert_clean("rfm table debug", &format!("{table:?}"));
    assert_clean(
        "cpm debug",
        &format!("{:?}", h.cpm(&CpmConfig::new(as_of)).unwrap()),
    );
    assert_clean(
        "cpm table debug",
        &format!("{:?}", h.cpm(&CpmConfig::new(as_of)).unwrap().table(&h)),
    );
    // Bad cells next to personal values are reported without them.
    let mut bad = history.clone();
    bad["orders"][0]["amount"] = json!(PHONE);
    bad["orders"][1]["ordered_at"] = json!(ADDRESS1);
    bad["orders"][1][NAME] = json!(EMAIL);
    let e = an::history(bad, "$.history").unwrap_err();
    assert_eq!(e.issues().len(), 3);
    assert_error_clean("analytics history error", &e);
    let e = an::sales(&h, json!({"group_by": [EMAIL]})).unwrap_err();
    assert_error_clean("analytics query error", &e);
    let summary =
        an::summary_columns(json!([{"customer": EMAIL, "frequency": 1, "recency": 9, "T": 2}]))
            .unwrap();
    assert_clean("summary debug", &format!("{summary:?}"));
    let _ = OrderHistory::from_orders(&[], &[]).unwrap();
}
