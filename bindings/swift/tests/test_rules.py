"""Rule sets, triage and dry-run through the FFI: the RuleSet object and the typed
triage summary."""

import datetime
import json

NOW = datetime.datetime(2026, 11, 23, 3, 0, tzinfo=datetime.timezone.utc)
TOML = """
name = "first"
mode = "first_match"
[[rules]]
id = "bank"
when = { payment_method = ["bank_transfer", "convenience_store"] }
then = [ { set_status = "awaiting_payment" } ]
[[rules]]
id = "rest"
when = {}
then = [ { set_status = "ready" } ]
"""


def test_rule_set_accessors(ffi):
    rules = ffi.RuleSet.from_toml(TOML)
    assert rules.name() == "first"
    assert rules.mode() == ffi.MatchMode.FIRST_MATCH
    assert rules.rule_ids() == ["bank", "rest"]
    example = ffi.RuleSet.from_json(ffi.example_rule_set_json())
    assert example.mode() == ffi.MatchMode.ALL_MATCHING
    assert example.rule_ids() == [r["id"] for r in json.loads(ffi.example_rule_set_json())["rules"]]


def test_rule_set_to_json_loads_again(ffi):
    rules = ffi.RuleSet.from_toml(TOML)
    again = ffi.RuleSet.from_json(rules.to_json())
    assert (again.name(), again.mode(), again.rule_ids()) == (rules.name(), rules.mode(), rules.rule_ids())
    assert again.to_json() == rules.to_json()


def test_triage_summary_fields(ffi):
    order = json.loads(ffi.sample_order_json())
    order["payment"]["method"] = "bank_transfer"
    summary = ffi.triage(ffi.RuleSet.from_toml(TOML), json.dumps(order), None, NOW)
    assert summary.status == "awaiting_payment"
    assert summary.holds == ["awaiting_payment"]
    assert summary.matched_rules == ["bank"]
    outcome = json.loads(summary.outcome_json)
    assert outcome["matched"] == ["bank"]
    assert json.loads(summary.order_json)["state"]["phase"] == "triaged"


def test_triage_with_a_context(ffi):
    rules = ffi.RuleSet.from_json(
        json.dumps({"name": "t", "rules": [{"id": "first", "when": {"first_purchase": True}, "then": [{"add_tags": ["first"]}]}]})
    )
    context = json.dumps({"customer": {"purchase_count": 1}})
    with_ctx = ffi.triage(rules, ffi.sample_order_json(), context, NOW)
    without = ffi.triage(rules, ffi.sample_order_json(), None, NOW)
    assert with_ctx.tags == ["first"]
    assert without.tags == []
    assert json.loads(without.outcome_json)["unknown"][0]["rule"] == "first"


def test_dry_run_report(ffi):
    rules = ffi.RuleSet.from_json(ffi.example_rule_set_json())
    sample = json.loads(ffi.sample_order_json())
    report = json.loads(ffi.dry_run(rules, json.dumps([sample, sample]), None, NOW))
    assert report["totals"]["orders"] == 2
    same = json.loads(ffi.dry_run(rules, json.dumps([sample, sample]), json.dumps([None, {}]), NOW))
    assert same == report


def test_a_rule_set_is_shared_between_threads(ffi):
    from concurrent.futures import ThreadPoolExecutor

    rules = ffi.RuleSet.from_json(ffi.example_rule_set_json())
    with ThreadPoolExecutor(4) as pool:
        statuses = set(pool.map(lambda _: ffi.triage(rules, ffi.sample_order_json(), None, NOW).status, range(32)))
    assert statuses == {ffi.triage(rules, ffi.sample_order_json(), None, NOW).status}
