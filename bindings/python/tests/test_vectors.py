"""Runs every language-neutral vector under tests/vectors/ through the Python API.

Mirrors the Rust runner (crates/ichigen-testkit/src/vectors.rs): `$sample`
expansion, subset matching, the same ops and defaults. One pytest case per file.
"""

import copy
import json

import pytest

import ichigen
from conftest import VECTORS

DEFAULT_NOW = "2026-11-23T03:00:00Z"
SAMPLE = json.loads(ichigen.SAMPLE_ORDER_JSON)

FILES = sorted(p for p in VECTORS.rglob("*.json") if p.name != "sample_order.json")
if not FILES:  # an empty parametrization would be reported as skipped, not failed
    raise RuntimeError(f"no vector files found under {VECTORS}")


def expand_samples(value):
    """Replaces every {"$sample": {...}} with the sample order plus overrides."""
    if isinstance(value, dict):
        if len(value) == 1 and "$sample" in value:
            base = copy.deepcopy(SAMPLE)
            overrides = value["$sample"]
            if isinstance(overrides, dict):
                for key, val in overrides.items():
                    if val is None:
                        base.pop(key, None)
                    else:
                        base[key] = val
            return base
        return {k: expand_samples(v) for k, v in value.items()}
    if isinstance(value, list):
        return [expand_samples(v) for v in value]
    return value


def _is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def subset_match(expected, actual, path="$"):
    """Raises AssertionError with the path when `actual` does not match `expected`."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key, ev in expected.items():
            if key not in actual:
                raise AssertionError(f"{path}.{key}: missing in output")
            subset_match(ev, actual[key], f"{path}.{key}")
        return
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            raise AssertionError(
                f"{path}: expected {len(expected)} elements, got {len(actual)}: {actual!r}"
            )
        for i, (ev, av) in enumerate(zip(expected, actual)):
            subset_match(ev, av, f"{path}[{i}]")
        return
    if _is_number(expected) and _is_number(actual):
        if float(expected) == float(actual):
            return
    elif type(expected) is type(actual) and expected == actual:
        return
    raise AssertionError(f"{path}: expected {expected!r}, got {actual!r}")


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
