"""The identity ops of the vector runner (test_vectors.py), through the binding's
own API: the typed normalizers, both batch paths (resolve_customers_json and
resolve_customers over Arrow rows, which must agree), and CustomerResolver driven
method by method for `identity_session`."""

import json

import pyarrow as pa

import ichigen
from vectorlib import dates_to_iso

# The string columns of a record, as resolve_customers reads them.
TEXT = (
    "id",
    "channel",
    "store",
    "name",
    "kana",
    "phone",
    "email",
    "postal_code",
    "prefecture",
    "address1",
    "address2",
    "member_id",
)
ADDRESS_PARTS = {"postal_code", "prefecture", "address1", "address2"}


def arg(value):
    """A vector value as an argument: a JSON string value is passed as its JSON text
    (a str argument is read as JSON text); None stays None."""
    return json.dumps(value) if isinstance(value, str) else value


def normalize(inp):
    """`identity_normalize` through the typed function of the field; what they
    cannot express (an unknown field, an address that is not an object of its four
    parts) goes to the core's normalizer by name."""
    field, value, relays = inp.get("field"), inp.get("value"), inp.get("relays")
    if field == "name":
        return {"value": ichigen.normalize_name(value)}
    if field == "kana":
        return {"value": ichigen.normalize_kana(value)}
    if field == "postal_code":
        return {"value": ichigen.normalize_postal_code(value)}
    if field == "phone":
        return ichigen.normalize_phone(value)
    if field == "email":
        return ichigen.normalize_email(value, relays)
    if field == "address" and isinstance(value, dict) and set(value) <= ADDRESS_PARTS:
        return ichigen.normalize_address(**value)
    return ichigen._native._normalize_identity(field if isinstance(field, str) else "", value, relays)


def _columnable(record):
    """Whether Arrow columns can hold the record as the JSON path reads it."""
    if not isinstance(record, dict) or not set(record) <= set(TEXT) | {"customer_id", "masked"}:
        return False
    if not all(isinstance(record.get(k), (str, type(None))) for k in TEXT):
        return False
    prior = record.get("customer_id")
    if prior is not None and (
        isinstance(prior, bool) or not isinstance(prior, int) or not 0 <= prior < 2**64
    ):
        return False
    return isinstance(record.get("masked", False), bool)


def records_table(records):
    """The records as a pyarrow Table. A record the columns cannot hold (not an
    object, an unknown field, a value of the wrong type), which the JSON path
    leaves out, becomes a row without an id, which the resolver leaves out."""
    rows = [r if _columnable(r) else {} for r in records]
    arrays = {k: pa.array([r.get(k) for r in rows], pa.string()) for k in TEXT}
    arrays["customer_id"] = pa.array([r.get("customer_id") for r in rows], pa.uint64())
    arrays["masked"] = pa.array([r.get("masked") for r in rows], pa.bool_())
    return pa.table(arrays)


def _rows_with_issues(issues):
    rows = []
    for issue in issues:
        path = issue["path"]
        if path.startswith("$["):
            rows.append(int(path[2 : path.index("]")]))
    return sorted(rows)


def check_table_path(records, config, decisions, expected):
    """resolve_customers over the same records as Arrow rows gives every row the
    customer (and link) the JSON path gives its record, and the same evidence."""
    res = ichigen.resolve_customers(records_table(records), config, decisions)
    table = res.table.to_pydict()
    customers = expected["customers"]
    assert table["customer_id"] == [c["customer_id"] for c in customers]
    assert table["via_record"] == [c["via"] and c["via"]["records"][0] for c in customers]
    assert table["rule"] == [c["via"] and c["via"]["rule"] for c in customers]
    assert table["id"] == [r.get("id") if _columnable(r) else None for r in records]
    assert res.links == expected["links"]
    assert res.giant_keys == expected["giant_keys"]
    assert res.aliases == expected["aliases"]
    assert res.next_customer_id == expected["next_customer_id"]
    assert res.candidates() == expected["candidates"]
    # The same rows have problems (a record the JSON path cannot decode is a row
    # without an id here, so the codes may differ; the rows may not).
    assert _rows_with_issues(res.issues) == _rows_with_issues(expected["issues"])


def resolve(inp):
    """`identity_resolve`: resolve_customers_json, checked against resolve_customers."""
    records = inp.get("records")
    config, decisions = arg(inp.get("config")), arg(inp.get("decisions"))
    out = ichigen.resolve_customers_json(arg(records), config, decisions)
    if isinstance(records, list):
        check_table_path(records, config, decisions, out)
    return out


def _step(resolver, step):
    assert isinstance(step, dict) and len(step) == 1, "a step is an object with one key"
    ((kind, value),) = step.items()
    if kind == "insert":
        return resolver.insert(arg(value))
    if kind == "merge":
        return {"customer_id": resolver.merge(*value)}
    if kind == "unmerge":
        return {"customer_ids": list(resolver.unmerge(*value))}
    if kind == "mask":
        return {"customer_id": resolver.mask(value)}
    if kind == "customer_of":
        return {"customer_id": resolver.customer_of(value)}
    if kind == "canonical":
        return {"customer_id": resolver.canonical(value)}
    if kind == "candidates":
        return {"candidates": resolver.candidates()}
    if kind == "recompute":
        assert resolver.recompute() is None
        return resolver.snapshot()
    if kind == "snapshot":
        return resolver.snapshot()
    raise AssertionError(f"unknown step {kind!r}")


def session(inp):
    """`identity_session`: one CustomerResolver, a method call per step; the first
    failing step's error gets `$.steps[k]` in its paths, as the core's session does."""
    resolver = ichigen.CustomerResolver(arg(inp.get("config")))
    results = []
    for k, step in enumerate(inp.get("steps") or []):
        try:
            results.append(_step(resolver, step))
        except ichigen.IdentityError as e:
            e.issues = [{**i, "path": f"$.steps[{k}]{i['path'][1:]}"} for i in e.issues]
            raise
    assert len(resolver) == sum("insert" in s for s in inp.get("steps") or [])
    return {"results": results}


def run_op(op, inp, now, rule_set):
    """The identity ops; None for an op that is not one of them."""
    if op == "identity_normalize":
        return normalize(inp)
    if op == "identity_config":
        return ichigen.describe_identity_config(arg(inp.get("config")))
    if op == "identity_resolve":
        return resolve(inp)
    if op == "identity_session":
        return session(inp)
    if op == "customer_summary":
        return dates_to_iso(ichigen.customer_summary(inp))
    if op == "identity_mask":
        return dates_to_iso(ichigen.mask_customer(inp))
    if op == "customer_triage":
        # The customer's facts become the triage context's `customer`.
        facts = ichigen.customer_triage_facts(inp)
        out = ichigen.triage(rule_set(inp), arg(inp.get("order")), {"customer": facts}, now=now)
        return {"customer": facts, "outcome": out["outcome"]}
    return None
