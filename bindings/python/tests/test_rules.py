"""RuleSet loading and properties, triage and dry_run."""

import json
import threading

import pytest

import ichigen
from conftest import NOW, sample_order

TOML = """
name = "toml example"
mode = "first_match"
[[rules]]
id = "bank"
when = { payment_method = ["bank_transfer", "convenience_store"] }
then = [ { set_status = "awaiting_payment" } ]
[[rules]]
id = "rest"
then = [ { set_status = "ready" } ]
"""


def test_example_rule_set_properties(rules):
    example = json.loads(ichigen.EXAMPLE_RULE_SET_JSON)
    assert rules.name == example["name"]
    assert rules.mode in ("first_match", "all_matching")
    assert rules.rule_ids == [r["id"] for r in example["rules"]]
    assert rules.name in repr(rules)


def test_from_toml():
    rs = ichigen.RuleSet.from_toml(TOML)
    assert (rs.name, rs.mode, rs.rule_ids) == ("toml example", "first_match", ["bank", "rest"])


def test_to_dict_round_trips(rules):
    again = ichigen.RuleSet.from_dict(rules.to_dict())
    assert again.to_dict() == rules.to_dict()
    assert again.rule_ids == rules.rule_ids


def test_triage_sample_is_ready(rules, order):
    out = ichigen.triage(rules, order, now=NOW)
    assert out["outcome"]["status"] == "ready"
    assert out["order"]["state"]["phase"] == "triaged"


def test_triage_accepts_rule_set_as_object_text_or_dict(rules, order):
    expected = ichigen.triage(rules, order, now=NOW)
    assert ichigen.triage(ichigen.EXAMPLE_RULE_SET_JSON, order, now=NOW) == expected
    assert ichigen.triage(json.loads(ichigen.EXAMPLE_RULE_SET_JSON), order, now=NOW) == expected


def test_triage_bank_transfer_awaits_payment():
    rs = ichigen.RuleSet.from_toml(TOML)
    order = sample_order(payment={"method": "bank_transfer", "status": "unpaid"})
    assert ichigen.triage(rs, order, now=NOW)["outcome"]["status"] == "awaiting_payment"


def test_triage_context_is_used(rules, order):
    caution = {"customer": {"caution": True, "purchase_count": 3}}
    out = ichigen.triage(rules, order, caution, NOW)
    assert out["outcome"]["status"] == "needs_check"
    assert "caution-customer" in out["outcome"]["matched"]
    same = ichigen.triage(rules, order, json.dumps(caution), NOW)
    assert same == out


def test_dry_run_counts(rules):
    orders = [
        sample_order(id="ord-1"),
        sample_order(id="ord-2", payment={"method": "bank_transfer", "status": "unpaid"}),
    ]
    report = ichigen.dry_run(rules, orders, now=NOW)
    assert report["totals"]["orders"] == 2
    assert [i["order_id"] for i in report["items"]] == ["ord-1", "ord-2"]
    assert sum(report["totals"]["by_status"].values()) == 2


def test_dry_run_with_contexts_and_json_text(rules):
    orders = [sample_order(id="ord-1"), sample_order(id="ord-2")]
    contexts = [None, {"customer": {"caution": True, "purchase_count": 1}}]
    report = ichigen.dry_run(rules, json.dumps(orders), contexts, NOW)
    statuses = [i["outcome"]["status"] for i in report["items"]]
    assert statuses == ["ready", "needs_check"]


def test_dry_run_orders_must_be_a_list(rules):
    with pytest.raises(ichigen.InputError) as info:
        ichigen.dry_run(rules, {"id": "x"}, now=NOW)
    assert info.value.issues[0]["path"] == "$.orders"


def test_dry_run_from_threads(rules):
    """The GIL is released for the core work; results are the same from every thread."""
    orders = [sample_order(id=f"ord-{i}") for i in range(200)]
    expected = ichigen.dry_run(rules, orders, now=NOW)
    results, errors = [], []

    def work():
        try:
            results.append(ichigen.dry_run(rules, orders, now=NOW))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert results == [expected] * 4


def test_rule_set_is_immutable(rules):
    with pytest.raises(AttributeError):
        rules.name = "other"
