"""Errors thrown through the FFI: the case, the stable code, the issues, and no
input value in any message."""

import json

import pytest

# A stand-in for personal data: it must never show in an error.
SECRET = "Yamada-Taro-090-1234-5678"


def sample(ffi, **overrides):
    order = json.loads(ffi.sample_order_json())
    order.update(overrides)
    return order


def text(value):
    return json.dumps(value, ensure_ascii=False)


def assert_no_secret(e):
    for part in [str(e), e.message, *(i.message for i in e.issues), *(i.path for i in e.issues)]:
        assert SECRET not in part, part


def test_every_case_is_an_ichigen_error(ffi):
    for case in [
        "InvalidOrder",
        "InvalidRuleSet",
        "Lifecycle",
        "InvalidCalendar",
        "OutOfRange",
        "InvalidShipping",
        "InvalidIdentity",
        "InvalidStock",
        "InvalidShipment",
        "InvalidAnalytics",
        "InvalidInput",
        "Unexpected",
    ]:
        assert issubclass(getattr(ffi.IchigenError, case), ffi.IchigenError)
        assert issubclass(getattr(ffi.IchigenError, case), Exception)


def test_invalid_order(ffi):
    with pytest.raises(ffi.IchigenError.InvalidOrder) as info:
        ffi.parse_order(text(sample(ffi, id=5)))
    e = info.value
    assert e.code == "ORDER_INVALID"
    assert [(i.code, i.path) for i in e.issues] == [("ORDER_WRONG_TYPE", "$.id")]
    assert e.issues[0].message
    assert e.message in str(e)


def test_invalid_order_lists_every_issue(ffi):
    order = sample(ffi)
    assert len(order["lines"]) >= 2
    for line in order["lines"][:2]:
        line["quantity"] = 0
    with pytest.raises(ffi.IchigenError.InvalidOrder) as info:
        ffi.parse_order(text(order))
    found = {(i.code, i.path) for i in info.value.issues}
    assert ("ORDER_QUANTITY_ZERO", "$.lines[0].quantity") in found
    assert ("ORDER_QUANTITY_ZERO", "$.lines[1].quantity") in found


def test_invalid_rule_set_json_and_toml(ffi):
    with pytest.raises(ffi.IchigenError.InvalidRuleSet) as info:
        ffi.RuleSet.from_json(text({"name": "t", "rules": [{"id": "a", "when": {}, "then": [{"set_status": "nope"}]}]}))
    assert info.value.code == "RULESET_INVALID"
    assert info.value.issues and all(i.code.startswith("RULESET_") for i in info.value.issues)

    with pytest.raises(ffi.IchigenError.InvalidRuleSet) as info:
        ffi.RuleSet.from_toml('name = "t"\n[[rules]\n')
    assert [(i.code, i.path) for i in info.value.issues] == [("RULESET_PARSE", "$")]

    with pytest.raises(ffi.IchigenError.InvalidRuleSet) as info:
        ffi.RuleSet.from_json("{")
    assert [(i.code, i.path) for i in info.value.issues] == [("RULESET_PARSE", "$")]


def test_lifecycle_refusal_has_code_and_no_issues(ffi):
    order = sample(ffi, state={"phase": "triaged", "holds": [{"reason": "awaiting_payment"}]})
    with pytest.raises(ffi.IchigenError.Lifecycle) as info:
        ffi.apply_event(text(order), text({"type": "print"}))
    assert info.value.code == "LIFECYCLE_ON_HOLD"
    assert info.value.issues == []


def test_text_that_is_not_json_is_input_parse_at_the_argument(ffi):
    cases = [
        (lambda bad: ffi.validate_order(bad), "$.order"),
        (lambda bad: ffi.parse_order(bad), "$.order"),
        (lambda bad: ffi.apply_event(ffi.sample_order_json(), bad), "$.event"),
        (lambda bad: ffi.apply_event(ffi.sample_order_json(), text({"type": "print"}), bad), "$.actor"),
        (lambda bad: ffi.triage(example(ffi), ffi.sample_order_json(), bad), "$.context"),
        (lambda bad: ffi.dry_run(example(ffi), bad), "$.orders"),
        (lambda bad: ffi.dry_run(example(ffi), "[]", bad), "$.contexts"),
        (lambda bad: ffi.BusinessCalendar.from_json(bad), "$.calendar"),
        (lambda bad: ffi.ShippingPolicy.from_json(bad), "$.policy"),
        (lambda bad: policy(ffi).plan(bad), "$.request"),
        (lambda bad: policy(ffi).plan_order(bad), "$.order"),
        (lambda bad: ffi.BatchPlanner(bad), "$.policies"),
    ]
    for call, path in cases:
        with pytest.raises(ffi.IchigenError.InvalidInput) as info:
            call('{"name": "' + SECRET + '"')
        e = info.value
        assert e.code == "INPUT_PARSE"
        assert [(i.code, i.path) for i in e.issues] == [("INPUT_PARSE", path)]
        assert "line 1" in e.issues[0].message
        assert_no_secret(e)


def policy(ffi):
    return ffi.ShippingPolicy.from_json(text({"origin": "東京都"}))


def example(ffi):
    return ffi.RuleSet.from_json(ffi.example_rule_set_json())


def test_arguments_of_the_wrong_shape_are_invalid_input(ffi):
    with pytest.raises(ffi.IchigenError.InvalidInput) as info:
        ffi.apply_event(ffi.sample_order_json(), text({"type": SECRET}))
    assert info.value.code == "INPUT_UNKNOWN_VALUE"
    assert info.value.issues[0].path.startswith("$.event")
    assert_no_secret(info.value)

    with pytest.raises(ffi.IchigenError.InvalidInput) as info:
        ffi.apply_event(ffi.sample_order_json(), text({"type": "add_tag", "tag": "x"}), text({"kind": SECRET}))
    assert info.value.issues[0].path.startswith("$.actor")
    assert_no_secret(info.value)

    with pytest.raises(ffi.IchigenError.InvalidInput) as info:
        ffi.triage(example(ffi), ffi.sample_order_json(), text({SECRET: True}))
    assert info.value.issues[0].path.startswith("$.context")

    with pytest.raises(ffi.IchigenError.InvalidInput) as info:
        ffi.dry_run(example(ffi), text({"orders": []}))
    assert (info.value.code, info.value.issues[0].path) == ("INPUT_WRONG_TYPE", "$.orders")

    with pytest.raises(ffi.IchigenError.InvalidInput) as info:
        ffi.dry_run(example(ffi), text([json.loads(ffi.sample_order_json())]), "[null, null]")
    assert info.value.code == "INPUT_CONTEXT_LENGTH"


def test_a_bad_order_in_a_batch_names_its_index(ffi):
    batch = [json.loads(ffi.sample_order_json()), sample(ffi, currency=SECRET)]
    with pytest.raises(ffi.IchigenError.InvalidOrder) as info:
        ffi.dry_run(example(ffi), text(batch))
    assert [i.path for i in info.value.issues] == ["$.orders[1].currency"]
    assert_no_secret(info.value)


@pytest.mark.parametrize(
    "overrides",
    [
        {"id": SECRET, "currency": SECRET},
        {"ordered_at": SECRET},
        {"shop_zone": SECRET},
        {"channel": SECRET},
        {"shipping_fee": SECRET},
        {"buyer": SECRET},
    ],
    ids=["currency", "ordered_at", "shop_zone", "channel", "amount", "buyer"],
)
def test_no_input_value_in_order_errors(ffi, overrides):
    order = sample(ffi, **overrides)
    with pytest.raises(ffi.IchigenError.InvalidOrder) as info:
        ffi.parse_order(text(order))
    assert_no_secret(info.value)
    report = ffi.validate_order(text(order))
    assert not report.valid
    for issue in report.issues:
        assert SECRET not in issue.message and SECRET not in issue.path


def test_no_input_value_in_rule_set_errors(ffi):
    bad = {"name": SECRET, "rules": [{"id": "a", "when": {"payment_method": [SECRET]}, "then": [{"set_status": SECRET}]}]}
    with pytest.raises(ffi.IchigenError.InvalidRuleSet) as info:
        ffi.RuleSet.from_json(text(bad))
    assert_no_secret(info.value)
    with pytest.raises(ffi.IchigenError.InvalidRuleSet) as info:
        ffi.RuleSet.from_toml(f'name = "{SECRET}"\nrules = {SECRET}\n')
    assert_no_secret(info.value)


def test_no_input_value_in_calendar_and_shipping_errors(ffi):
    with pytest.raises(ffi.IchigenError.InvalidCalendar) as info:
        ffi.BusinessCalendar.from_json(text({"name": "x", "closed_weekdays": [SECRET], "holidays": [SECRET]}))
    assert_no_secret(info.value)
    with pytest.raises(ffi.IchigenError.InvalidShipping) as info:
        ffi.ShippingPolicy.from_json(text({"origin": SECRET, "cutoff": SECRET, "zone": SECRET}))
    assert_no_secret(info.value)
    with pytest.raises(ffi.IchigenError.InvalidInput) as info:
        policy(ffi).plan(text({"ordered_at": "2026-11-30T01:00:00Z", "destination": SECRET, "postal_code": SECRET}))
    assert info.value.code == "SHIPDATE_UNKNOWN_PREFECTURE"
    assert_no_secret(info.value)
    with pytest.raises(ffi.IchigenError.InvalidInput) as info:
        ffi.BusinessCalendar.from_json(text({"name": "x"})).is_business_day(SECRET)
    assert (info.value.code, info.value.issues[0].path) == ("INPUT_BAD_DATE", "$.date")
    assert_no_secret(info.value)
