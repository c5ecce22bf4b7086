"""Runs every language-neutral vector under tests/vectors/ through the Python API.

Mirrors the Rust runner (crates/ichigen-testkit/src/vectors.rs): `$sample`
expansion, subset matching, the same ops and defaults. One pytest case per file.
"""

import datetime
import json

import pyarrow as pa
import pytest

import analytics_vectors
import identity_vectors
import ichigen
import shipment_vectors
import stock_vectors
import vectorlib
from conftest import VECTORS
from vectorlib import dates_to_iso, subset_match

DEFAULT_NOW = "2026-11-23T03:00:00Z"
SAMPLE = json.loads(ichigen.SAMPLE_ORDER_JSON)

FILES = vectorlib.vector_files(VECTORS)
if not FILES:  # an empty parametrization would be reported as skipped, not failed
    raise RuntimeError(f"no vector files found under {VECTORS}")


def expand_samples(value):
    """Replaces every {"$sample": {...}} with the sample order plus overrides."""
    return vectorlib.expand_samples(value, SAMPLE)


def arg(value):
    """A vector value as an argument. The binding reads a str argument as JSON text,
    so a JSON string value is passed as its JSON text; None stays None."""
    return json.dumps(value) if isinstance(value, str) else value


def rule_set(inp):
    if isinstance(inp.get("toml"), str):
        return ichigen.RuleSet.from_toml(inp["toml"])
    return ichigen.RuleSet.from_dict(inp.get("rule_set"))


def _date(text):
    return datetime.date.fromisoformat(text)


def calendar_answers(cal, questions):
    """Asks a Calendar each question of a `calendar` vector, as the core's
    calendar_answers does; dates go in as datetime.date and come back as ISO text."""
    answers = []
    for q in questions:
        ((kind, arg_),) = q.items()
        if kind == "add_business_days":
            answer = cal.add_business_days(_date(arg_["date"]), arg_["days"])
        elif kind == "count_business_days":
            answer = cal.count_business_days(_date(arg_["from"]), _date(arg_["to"]))
        else:
            answer = getattr(cal, kind)(_date(arg_))
        answers.append(dates_to_iso(answer))
    return {"answers": answers}


def arrow_rows(columns):
    """The JSON columns of a `ship_date_batch` vector as Arrow: a pyarrow Table, or,
    when the columns differ in length (which a table cannot hold), a dict of arrays."""
    arrays = {}
    for name, values in columns.items():
        if name == "ordered_at":
            instants = [datetime.datetime.fromisoformat(v.replace("Z", "+00:00")) for v in values]
            arrays[name] = pa.array(instants, type=pa.timestamp("s", tz="UTC"))
        elif name == "destination":
            ints = all(isinstance(v, int) and not isinstance(v, bool) for v in values)
            arrays[name] = pa.array(values, type=pa.int64() if ints else pa.string())
        elif name == "service":
            arrays[name] = pa.array(values, type=pa.string())
        elif name == "designated":
            dates = [None if v is None else _date(v) for v in values]
            arrays[name] = pa.array(dates, type=pa.date32())
        else:
            arrays[name] = pa.array(values, type=pa.int64())
    if len({len(a) for a in arrays.values()}) <= 1:
        return pa.table(arrays)
    return arrays


def plan_batch(inp, now):
    planner = ichigen.BatchPlanner(inp.get("policies"), inp.get("carriers"), inp.get("zone"))
    today = vectorlib.today_in(now, inp.get("zone"))
    table = planner.plan(arrow_rows(inp.get("columns") or {}), today=today)
    return dates_to_iso(table.to_pydict())


def run_op(op, inp, now):
    if op == "validate_order":
        return ichigen.validate_order(arg(inp.get("order")))
    if op == "apply_event":
        actor = inp["actor"] if "actor" in inp else {"kind": "user", "id": "vector"}
        return ichigen.apply_event(
            arg(inp.get("order")), arg(inp.get("event")), arg(actor), now=now
        )
    if op == "load_rule_set":
        rs = rule_set(inp)
        return {"name": rs.name, "mode": rs.mode, "rules": rs.rule_ids}
    if op == "triage":
        # A rule set given as a value goes through triage's own loading.
        rs = ichigen.RuleSet.from_toml(inp["toml"]) if "toml" in inp else arg(inp.get("rule_set"))
        return ichigen.triage(rs, arg(inp.get("order")), arg(inp.get("context")), now=now)
    if op == "dry_run":
        return ichigen.dry_run(
            rule_set(inp), arg(inp.get("orders")), arg(inp.get("contexts")), now=now
        )
    if op == "holidays":
        return dates_to_iso(ichigen.holidays(inp.get("source"), inp.get("year", 0)))
    if op == "calendar":
        cal = ichigen.Calendar(arg(inp.get("calendar")))
        return calendar_answers(cal, inp.get("questions") or [])
    if op == "ship_date":
        policy = ichigen.ShippingPolicy(arg(inp.get("policy")))
        if "order" in inp:
            return dates_to_iso(policy.plan_order(arg(inp["order"]), now=now))
        return dates_to_iso(policy.plan(arg(inp.get("request")), now=now))
    if op == "ship_date_batch":
        return plan_batch(inp, now)
    if op == "ship_date_triage":
        # The plan's facts join the given context, then triage reads them.
        policy = ichigen.ShippingPolicy(arg(inp.get("policy")))
        plan = policy.plan_order(arg(inp.get("order")), now=now)
        context = vectorlib.merge_context(inp.get("context"), plan["context"])
        rs = ichigen.RuleSet.from_toml(inp["toml"]) if "toml" in inp else arg(inp.get("rule_set"))
        out = ichigen.triage(rs, arg(inp.get("order")), context, now=now)
        return dates_to_iso({"plan": plan, "outcome": out["outcome"], "order": out["order"]})
    for runner in (identity_vectors, stock_vectors, shipment_vectors, analytics_vectors):
        out = runner.run_op(op, inp, now, rule_set)
        if out is not None:
            return out
    raise AssertionError(f"unknown op {op!r}")


@pytest.mark.parametrize(
    "path", FILES, ids=[p.relative_to(VECTORS).as_posix() for p in FILES]
)
def test_vector(path):
    vector = expand_samples(json.loads(path.read_text(encoding="utf-8")))
    assert ("expect" in vector) != ("expect_error" in vector), (
        "a vector has exactly one of expect and expect_error"
    )
    op = vector["op"]
    now = vector.get("now", DEFAULT_NOW)
    inp = vector["input"]
    assert isinstance(inp, dict), "missing input object"
    try:
        out = run_op(op, inp, now)
    except ichigen.IchigenError as e:
        if "expect" in vector:
            pytest.fail(f"expected success, got {type(e).__name__} {e.code}: {e.message}")
        err = {"code": e.code, "message": e.message, "issues": e.issues}
        subset_match(vector["expect_error"], err, "$error")
        return
    if "expect_error" in vector:
        pytest.fail(f"expected an error, got {out!r}")
    subset_match(vector["expect"], out, "$")


def test_subset_match_can_fail():
    """The matcher itself rejects mismatches (so a passing vector means something)."""
    subset_match({"a": 1, "b": [True]}, {"a": 1.0, "b": [True], "c": 3})
    for expected, actual in [
        ({"a": 1}, {"a": 2}),
        ({"a": 1}, {}),
        ([1, 2], [1]),
        ({"a": True}, {"a": 1}),
        ({"a": "5"}, {"a": 5}),
        ({"a": None}, {"a": False}),
    ]:
        with pytest.raises(AssertionError):
            subset_match(expected, actual)


def test_vector_count():
    """Every vector file is collected, in both folders."""
    folders = {p.relative_to(VECTORS).parts[0] for p in FILES}
    assert {
        "lifecycle",
        "rules",
        "calendar",
        "shipdate",
        "identity",
        "stock",
        "shipment",
        "analytics",
    } <= folders
    assert len(FILES) == len(list(VECTORS.rglob("*.json"))) - 1
