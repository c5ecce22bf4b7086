"""Runs every language-neutral vector under tests/vectors/ through the Python API.

Mirrors the Rust runner (crates/ichigen-testkit/src/vectors.rs): `$sample`
expansion, subset matching, the same ops and defaults. One pytest case per file.
"""

import json

import pytest

import ichigen
import vectorlib
from conftest import VECTORS
from vectorlib import subset_match

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
    assert {"lifecycle", "rules"} <= folders
    assert len(FILES) == len(list(VECTORS.rglob("*.json"))) - 1
