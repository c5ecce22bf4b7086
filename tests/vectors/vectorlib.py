"""The parts of a vector runner that are the same in every Python runner (the pyo3
binding's and the uniffi module's): finding the files, `$sample` expansion and
subset matching, as tests/vectors/README.md defines them. The Rust runner
(crates/ichigen-testkit/src/vectors.rs) and the Node runner implement the same."""

import copy
import json
from pathlib import Path


def vector_files(root: Path):
    """Every vector file below `root`, sorted; sample_order.json is data, not a vector."""
    return sorted(p for p in root.rglob("*.json") if p.name != "sample_order.json")


def expand_samples(value, sample):
    """Replaces every {"$sample": {...}} in `value` with the sample order plus the
    overrides (an override of None removes the field)."""
    if isinstance(value, dict):
        if len(value) == 1 and "$sample" in value:
            base = copy.deepcopy(sample)
            overrides = value["$sample"]
            if isinstance(base, dict) and isinstance(overrides, dict):
                for key, val in overrides.items():
                    if val is None:
                        base.pop(key, None)
                    else:
                        base[key] = val
            return base
        return {k: expand_samples(v, sample) for k, v in value.items()}
    if isinstance(value, list):
        return [expand_samples(v, sample) for v in value]
    return value


def _is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def subset_match(expected, actual, path="$"):
    """Raises AssertionError with the path unless `actual` matches `expected` as a
    subset: objects by expected keys, arrays by length and element, numbers by value,
    everything else by equality of type and value."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key, ev in expected.items():
            if key not in actual:
                raise AssertionError(f"{path}.{key}: missing in output")
            subset_match(ev, actual[key], f"{path}.{key}")
        return
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            raise AssertionError(
                f"{path}: expected {len(expected)} elements, got {len(actual)}: {json.dumps(actual)}"
            )
        for i, (ev, av) in enumerate(zip(expected, actual)):
            subset_match(ev, av, f"{path}[{i}]")
        return
    if _is_number(expected) and _is_number(actual):
        if float(expected) == float(actual):
            return
    elif type(expected) is type(actual) and expected == actual:
        return
    raise AssertionError(f"{path}: expected {json.dumps(expected)}, got {json.dumps(actual)}")


def dates_to_iso(value):
    """`value` with every datetime.date (not datetime) replaced by its ISO string, in
    nested dicts and lists: a binding that returns dates compares with the vectors'
    JSON this way."""
    import datetime

    if isinstance(value, dict):
        return {k: dates_to_iso(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [dates_to_iso(v) for v in value]
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def today_in(now, zone=None):
    """The date of the instant `now` (RFC 3339) in `zone` (IANA name; default
    Asia/Tokyo): what "today" is for a vector whose op takes a date."""
    import datetime
    import zoneinfo

    instant = datetime.datetime.fromisoformat(now.replace("Z", "+00:00"))
    return instant.astimezone(zoneinfo.ZoneInfo(zone or "Asia/Tokyo")).date()


def merge_context(context, facts):
    """A triage context (dict or None) with the facts of a plan set over it, as the
    `ship_date_triage` op does."""
    merged = dict(context) if isinstance(context, dict) else {}
    merged.update(facts or {})
    return merged
