"""The exception hierarchy mirrors the core's Error enum; codes, issues, no personal data."""

import json
import pickle

import pytest

import ichigen
from conftest import NOW, PERSONAL, sample_order

SUBCLASSES = [
    ichigen.OrderError,
    ichigen.RuleSetError,
    ichigen.LifecycleError,
    ichigen.IdentityError,
    ichigen.StockError,
    ichigen.ShipmentError,
    ichigen.InputError,
]


def test_hierarchy():
    assert issubclass(ichigen.IchigenError, Exception)
    for cls in SUBCLASSES:
        assert issubclass(cls, ichigen.IchigenError)
        assert cls.__module__ == "ichigen"
    # Distinct classes: catching one does not catch another.
    for a in SUBCLASSES:
        for b in SUBCLASSES:
            assert issubclass(a, b) == (a is b)


def _raise(call):
    with pytest.raises(ichigen.IchigenError) as info:
        call()
    return info.value


CASES = {
    "order": (
        lambda: ichigen.parse_order(sample_order(currency="XXY", lines=[])),
        ichigen.OrderError,
        "ORDER_INVALID",
    ),
    "rule_set": (
        lambda: ichigen.RuleSet.from_dict({"name": "x", "rules": [{"id": "a", "then": "no"}]}),
        ichigen.RuleSetError,
        "RULESET_INVALID",
    ),
    "lifecycle": (
        lambda: ichigen.apply_event(sample_order(), {"type": "print"}, now=NOW),
        ichigen.LifecycleError,
        "LIFECYCLE_NOT_TRIAGED",
    ),
    "identity": (
        lambda: ichigen.normalize_phone("call me"),
        ichigen.IdentityError,
        "IDENTITY_INVALID",
    ),
    "stock": (
        lambda: ichigen.StockBook({"skus": [{"sku": "TEA"}]}).stock("NOPE"),
        ichigen.StockError,
        "STOCK_INVALID",
    ),
    "shipment": (
        lambda: ichigen.ShipmentPlanner({"capacity": {"max_units": 0}}),
        ichigen.ShipmentError,
        "SHIPMENT_INVALID",
    ),
    "input": (
        lambda: ichigen.apply_event(sample_order(), {"type": "no_such_event"}, now=NOW),
        ichigen.InputError,
        "INPUT_UNKNOWN_VALUE",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_variant_raises_its_class_with_code_issues_message(case):
    call, cls, code = CASES[case]
    err = _raise(call)
    assert type(err) is cls
    assert err.code == code
    assert isinstance(err.message, str) and err.message
    assert str(err) == err.message
    assert isinstance(err.issues, list)
    for issue in err.issues:
        assert set(issue) == {"code", "path", "message"}
        assert all(isinstance(v, str) for v in issue.values())
        assert issue["path"].startswith("$")


def test_order_error_lists_every_issue_with_paths():
    order = sample_order()
    order["lines"][0]["quantity"] = 0
    order["recipients"] = []
    err = _raise(lambda: ichigen.parse_order(order))
    paths = {i["path"] for i in err.issues}
    codes = {i["code"] for i in err.issues}
    assert "$.lines[0].quantity" in paths
    assert "ORDER_QUANTITY_ZERO" in codes
    assert len(err.issues) >= 2


def test_rule_set_error_from_json_toml_and_dict():
    for load, arg in [
        (ichigen.RuleSet.from_json, '{"name": "x", "rules": [{"id": "a"}]}'),
        (ichigen.RuleSet.from_toml, 'name = "x"\n[[rules]]\nid = "a"\n'),
        (ichigen.RuleSet.from_dict, {"name": "x", "rules": [{"id": "a"}]}),
    ]:
        err = _raise(lambda: load(arg))
        assert isinstance(err, ichigen.RuleSetError)
        assert err.code == "RULESET_INVALID"
        assert err.issues and err.issues[0]["path"].startswith("$.rules[0]")


def test_lifecycle_error_has_no_issues():
    err = _raise(CASES["lifecycle"][0])
    assert err.issues == []


def test_input_error_names_the_argument():
    err = _raise(
        lambda: ichigen.triage(
            ichigen.EXAMPLE_RULE_SET_JSON, sample_order(), {"no_such_fact": True}, now=NOW
        )
    )
    assert isinstance(err, ichigen.InputError)
    assert err.issues[0]["path"].startswith("$.context")


def test_validate_order_reports_instead_of_raising():
    report = ichigen.validate_order({"id": 5})
    assert report["valid"] is False
    assert report["totals"] is None
    assert report["issues"][0]["code"] == "ORDER_WRONG_TYPE"


def test_batch_error_names_the_order_index():
    good = sample_order()
    bad = sample_order(currency="XXY")
    err = _raise(lambda: ichigen.dry_run(ichigen.EXAMPLE_RULE_SET_JSON, [good, bad], now=NOW))
    assert isinstance(err, ichigen.OrderError)
    assert err.issues[0]["path"].startswith("$.orders[1]")


def test_errors_can_be_caught_by_the_base_class():
    try:
        ichigen.RuleSet.from_json("not json")
    except ichigen.IchigenError as e:
        assert isinstance(e, ichigen.RuleSetError)
    else:
        pytest.fail("no error raised")


def test_errors_survive_pickling():
    err = _raise(CASES["order"][0])
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is type(err)
    assert (again.code, again.issues, again.message) == (err.code, err.issues, err.message)


def _personal_order():
    """Personal data in every field that can go wrong. (Only values: an unknown *key* is
    named in its issue, as the core does for field names, clipped to 40 characters.)"""
    order = sample_order()
    order["buyer"]["email"] = {"not": "a string"}
    order["buyer"]["phone"] = 12345
    order["recipients"][0]["postal_code"] = "東京都渋谷区神宮前"
    order["recipients"][0]["prefecture"] = "山田 太郎"
    order["lines"][0]["quantity"] = "山田 太郎"
    order["lines"][1]["unit_price"] = "090-1234-5678"
    order["currency"] = "taro@example.jp"
    order["ordered_at"] = "渋谷区神宮前1-2-3"
    order["shop_zone"] = "サンプルビル101"
    return order


def _assert_clean(text):
    for value in PERSONAL + ["山田", "taro@example", "090-1234", "渋谷区", "サンプルビル"]:
        assert value not in text, f"personal data {value!r} in {text!r}"


def test_no_personal_data_in_error_messages():
    order = _personal_order()
    report = ichigen.validate_order(order)
    assert report["valid"] is False
    _assert_clean(json.dumps(report, ensure_ascii=False))
    for call in [
        lambda: ichigen.parse_order(order),
        lambda: ichigen.apply_event(order, {"type": "add_tag", "tag": "x"}, now=NOW),
        lambda: ichigen.triage(ichigen.EXAMPLE_RULE_SET_JSON, order, now=NOW),
        lambda: ichigen.apply_event(sample_order(), {"type": "山田 太郎"}, now=NOW),
        lambda: ichigen.triage(ichigen.EXAMPLE_RULE_SET_JSON, sample_order(), "山田 太郎"),
        lambda: ichigen.triage(ichigen.EXAMPLE_RULE_SET_JSON, sample_order(), now="山田 太郎"),
        lambda: ichigen.RuleSet.from_json('{"name": "山田 太郎", "rules": "090-1234-5678"}'),
        lambda: ichigen.normalize_phone("山田 太郎"),
        lambda: ichigen.normalize_phone("090-1234-567"),
        lambda: ichigen.normalize_email("taro@example"),
        lambda: ichigen.normalize_postal_code("渋谷区神宮前"),
        lambda: ichigen.normalize_address(postal_code="山田 太郎", address1="渋谷区神宮前1-2-3"),
        lambda: ichigen.normalize_address(prefecture="サンプルビル101", address1="渋谷区神宮前1-2-3"),
        lambda: ichigen.CustomerResolver().insert({"id": "a", "channel": "山田 太郎"}),
        lambda: ichigen.CustomerResolver().insert({"id": "a", "channel": "pos", "phone": 9012345678, "name": "山田 太郎"}),
        lambda: ichigen.CustomerResolver({"criteria": [["山田 太郎"]]}),
        lambda: ichigen.customer_summary(
            {"customer_id": 1, "orders": [], "profile": {"caution": 5, "notes": "山田 太郎"}, "as_of": NOW}
        ),
        lambda: ichigen.mask_customer(
            {"records": [{"record": "a", "channel": "amazon",
                          "party": {"name": "山田 太郎", "phone": ["090-1234-5678"]}}], "on": "2026-11-23"}
        ),
        lambda: ichigen.ShipmentPlanner().split(order),
        lambda: ichigen.ShipmentPlanner().split_all([sample_order(), order]),
        lambda: ichigen.ShipmentPlanner({"mail_profile": "山田 太郎"}),
        lambda: ichigen.ShipmentPlanner().merge(
            [sample_order(), sample_order(id="o2", recipients=[{**sample_order()["recipients"][0], "address1": "渋谷区神宮前9-9-9"}])]
        ),
        lambda: ichigen.ShipmentPlanner().unmerge(
            {"orders": ["ord-0001"], "shipments": [{"money": {"total": "山田 太郎"}}]}, [sample_order()]
        ),
        lambda: ichigen.ShipmentPlanner().split(sample_order(), [{"line": "山田 太郎", "quantity": 1}]),
    ]:
        err = _raise(call)
        _assert_clean(err.message)
        _assert_clean(str(err))
        _assert_clean(repr(err))
        _assert_clean(json.dumps(err.issues, ensure_ascii=False))


def test_personal_data_check_can_fail():
    with pytest.raises(AssertionError):
        _assert_clean("wrong type near 山田 太郎")
