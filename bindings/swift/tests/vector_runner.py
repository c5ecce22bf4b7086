"""The Python mirror of the Rust vector runner (crates/ichigen-testkit/src/vectors.rs),
calling the uniffi-generated module. Format: tests/vectors/README.md."""

import datetime
import json
from pathlib import Path

from vectorlib import expand_samples, subset_match, vector_files  # noqa: F401 (re-exported)

DEFAULT_NOW = "2026-11-23T03:00:00Z"
DEFAULT_ACTOR = {"kind": "user", "id": "vector"}

# The error case each top-level code belongs to (README: exceptions per kind).
ERROR_CASES = {
    "InvalidOrder": lambda code: code == "ORDER_INVALID",
    "InvalidRuleSet": lambda code: code == "RULESET_INVALID",
    "Lifecycle": lambda code: code.startswith("LIFECYCLE_"),
    "InvalidInput": lambda code: code.startswith("INPUT_"),
}


def parse_now(text):
    """An RFC 3339 instant; an instant without an offset is refused, as in Rust."""
    now = datetime.datetime.fromisoformat(text)
    if now.tzinfo is None:
        raise ValueError("bad now: no UTC offset")
    return now


def _issue(i):
    return {"code": i.code, "path": i.path, "message": i.message}


def error_value(ffi, e):
    """The error as the Rust runner sees it (interop::error_value), after checking
    that the thrown case fits the code."""
    case = type(e).__name__
    assert isinstance(e, ffi.IchigenError), f"not an IchigenError: {e!r}"
    assert case in ERROR_CASES, f"unexpected error case {case}: {e.code} {e.message}"
    assert ERROR_CASES[case](e.code), f"error case {case} does not fit code {e.code}"
    assert str(e) == e.message or e.message in str(e)
    return {"code": e.code, "message": e.message, "issues": [_issue(i) for i in e.issues]}


def _text(value):
    return json.dumps(value, ensure_ascii=False)


def _optional_text(value):
    return None if value is None else _text(value)


def _enum_name(member):
    return member.name.lower()


def run_op(ffi, op, inp, now):
    """Runs one operation; returns ("ok", output) or ("err", error JSON)."""

    def rule_set():
        toml = inp.get("toml")
        if isinstance(toml, str):
            return ffi.RuleSet.from_toml(toml)
        return ffi.RuleSet.from_json(_text(inp.get("rule_set")))

    try:
        if op == "validate_order":
            r = ffi.validate_order(_text(inp.get("order")))
            totals = None if r.totals_json is None else json.loads(r.totals_json)
            return "ok", {"valid": r.valid, "issues": [_issue(i) for i in r.issues], "totals": totals}
        if op == "apply_event":
            actor = inp.get("actor", DEFAULT_ACTOR)
            r = ffi.apply_event(_text(inp.get("order")), _text(inp.get("event")), _text(actor), now)
            return "ok", {"order": json.loads(r.order_json), "status": r.status, "applied": _enum_name(r.applied)}
        if op == "load_rule_set":
            rs = rule_set()
            return "ok", {"name": rs.name(), "mode": _enum_name(rs.mode()), "rules": rs.rule_ids()}
        if op == "triage":
            s = ffi.triage(rule_set(), _text(inp.get("order")), _optional_text(inp.get("context")), now)
            outcome = json.loads(s.outcome_json)
            # The typed fields are the outcome's own.
            assert s.status == outcome["status"]
            assert s.holds == outcome["holds"]
            assert s.tags == outcome["tags"]
            assert s.matched_rules == outcome["matched"]
            return "ok", {"order": json.loads(s.order_json), "outcome": outcome}
        if op == "dry_run":
            report = ffi.dry_run(
                rule_set(), _text(inp.get("orders")), _optional_text(inp.get("contexts")), now
            )
            return "ok", json.loads(report)
    except ffi.IchigenError as e:
        return "err", error_value(ffi, e)
    raise AssertionError(f"unknown op {op!r}")


def run_file(ffi, path: Path):
    """Runs one vector file; raises AssertionError explaining a failure."""
    vector = json.loads(path.read_text(encoding="utf-8"))
    sample = json.loads(ffi.sample_order_json())
    vector = expand_samples(vector, sample)
    op = vector.get("op")
    assert isinstance(op, str), "missing op"
    now = parse_now(vector.get("now", DEFAULT_NOW))
    inp = vector.get("input")
    assert isinstance(inp, dict), "missing input object"
    kind, out = run_op(ffi, op, inp, now)
    has_expect, has_error = "expect" in vector, "expect_error" in vector
    assert has_expect != has_error, "a vector has exactly one of expect and expect_error"
    if has_expect:
        assert kind == "ok", f"expected success, got error {json.dumps(out, ensure_ascii=False)}"
        subset_match(vector["expect"], out, "$")
    else:
        assert kind == "err", f"expected an error, got {json.dumps(out, ensure_ascii=False)}"
        subset_match(vector["expect_error"], out, "$error")
