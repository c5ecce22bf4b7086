"""The stock ops of the vector runner (test_vectors.py), through the binding's own
API: `stock_session` drives a StockBook method by method (the typed method of each
operation; `step` only for an argument the method's parameters cannot express),
and its results must equal both the core's own session (ichigen.stock_session)
and a StockBook driven by `step` alone; `stock_allocate` goes through
allocate_stock over pyarrow columns built from the JSON levels (checked against
the core's JSON allocation); `stock_drop_ship`, `stock_reorder_formula` and
`stock_triage` through drop_ship_totals, reorder_quantity and
StockBook.reserve_order + triage."""

import collections
import inspect
import json

import pyarrow as pa

import ichigen

# Operations whose method takes the whole argument as one value.
WHOLE = {"reserve", "check", "reserve_order"}
# Operations whose method takes no argument (the core ignores the step's).
NO_ARG = {"sync", "allocation", "forget_pushed", "reconcile", "movements"}
# Operations whose method takes the argument's fields as parameters; the JSON
# field -> parameter names that differ.
FIELDS = {
    "receive": {},
    "expect": {},
    "adjust": {},
    "set_level": {},
    "cancel": {},
    "ship": {},
    "stock": {},
    "listing_free": {},
    "queue": {},
    "order": {"order": "order_id"},
    "reorder": {},
}
# Steps run, by (operation, "method" | "step"): which way each went.
USED = collections.Counter()


def arg(value):
    """A vector value as an argument: a JSON string value is passed as its JSON text
    (a str argument is read as JSON text); None stays None."""
    return json.dumps(value) if isinstance(value, str) else value


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _kwargs(method, value, renames):
    """The keyword arguments that express `value` (a step's argument) for
    `method`, or None when its parameters cannot: not an object, an unknown or a
    missing field, or a value of the wrong type for a typed (bool or int)
    parameter. A null optional field is left out: the core reads it as absent."""
    if not isinstance(value, dict):
        return None
    params = inspect.signature(method).parameters
    kwargs = {}
    for key, v in value.items():
        name = renames.get(key, key)
        p = params.get(name)
        if p is None:
            return None
        default = p.default
        if default is not inspect.Parameter.empty:
            if v is None and default is None:
                continue
            if isinstance(default, bool) and not isinstance(v, bool):
                return None
            if _is_int(default) and not _is_int(v):
                return None
        kwargs[name] = v
    required = {n for n, p in params.items() if p.default is inspect.Parameter.empty}
    if not required <= set(kwargs):
        return None
    return kwargs


def _typed(book, op, value):
    """The step through its typed method, as the core's step returns it; None when
    the method cannot express the argument."""
    if op in NO_ARG:
        return (getattr(book, op)(),)
    if op in WHOLE:
        return (getattr(book, op)(arg(value)),)
    if op not in FIELDS:
        return None
    method = getattr(book, op)
    kwargs = _kwargs(method, value, FIELDS[op])
    if kwargs is None:
        return None
    out = method(**kwargs)
    if op == "listing_free":
        out = {"free": out}
    return (out,)


def _reroot(error, prefix):
    """The StockError's issue paths under `prefix` (`$.quantity` → prefix +
    `.quantity`), as the core's session reroots them."""
    error.issues = [
        {**i, "path": prefix + i["path"][1:]} if i["path"].startswith("$") else i
        for i in error.issues
    ]
    error.message = stock_message(error.issues)
    return error


def stock_message(issues):
    """The core's message of a stock error (its Display): the first five issues."""
    parts = [f"{i['code']} at {i['path']}: {i['message']}" for i in issues[:5]]
    if len(issues) > 5:
        parts.append(f"and {len(issues) - 5} more")
    return "invalid stock data: " + "; ".join(parts)


def run_step(book, step):
    """One step, its typed method when one expresses it (else `book.step`); a
    refused step raises with paths `$.<op>…`, as the core's `step` does."""
    if isinstance(step, dict) and len(step) == 1:
        ((op, value),) = step.items()
        try:
            out = _typed(book, op, value)
        except ichigen.StockError as e:
            raise _reroot(e, f"$.{op}") from None
        if out is not None:
            USED[op, "method"] += 1
            return out[0]
        USED[op, "step"] += 1
    return book.step(step)


def _error_value(e):
    return {"error": {"code": e.code, "message": e.message, "issues": e.issues}}


def _results(inp, run):
    """A StockBook over the input, each step through `run(book, step)`; a refused
    step's error (paths `$.steps[i]…`) is its result, as in the core's session."""
    book = ichigen.StockBook(
        arg(inp.get("catalog")),
        arg(inp.get("levels")),
        arg(inp.get("policy")),
        arg(inp.get("allocation")),
    )
    steps = inp.get("steps")
    if steps is not None and not isinstance(steps, list):
        return ichigen.stock_session(inp)  # the core refuses it (STOCK_WRONG_TYPE)
    results = []
    for i, step in enumerate(steps or []):
        try:
            results.append(run(book, step))
        except ichigen.StockError as e:
            results.append(_error_value(_reroot(e, f"$.steps[{i}]")))
        except ichigen.IchigenError as e:  # not rerooted by the core either
            results.append(_error_value(e))
    return {"results": results}


def session(inp):
    """`stock_session`: method by method; equal to the core's session and to a
    book driven by `step` alone."""
    out = _results(inp, run_step)
    assert out == ichigen.stock_session(inp)
    assert out == _results(inp, lambda book, step: book.step(step))
    return out


def _columnable(levels):
    """Whether Arrow columns hold the levels as the JSON path reads them (the JSON
    path refuses a null, a missing or unknown field, a value of the wrong type)."""
    if not isinstance(levels, list):
        return False
    for row in levels:
        if not isinstance(row, dict) or not {"sku", "location", "on_hand"} <= set(row):
            return False
        if not set(row) <= {"sku", "location", "on_hand", "reserved", "buffer"}:
            return False
        if not (isinstance(row["sku"], str) and isinstance(row["location"], str)):
            return False
        counts = [row[k] for k in ("on_hand", "reserved", "buffer") if k in row]
        if not all(_is_int(v) and -(2**63) <= v < 2**63 for v in counts):
            return False
    return True


def levels_table(levels):
    """The levels as a pyarrow Table: int64 counts, `reserved` and `buffer` only
    when some row gives them (0 for the rows that do not)."""
    arrays = {
        "sku": pa.array([r["sku"] for r in levels], pa.string()),
        "location": pa.array([r["location"] for r in levels], pa.string()),
        "on_hand": pa.array([r["on_hand"] for r in levels], pa.int64()),
    }
    for k in ("reserved", "buffer"):
        if any(k in r for r in levels):
            arrays[k] = pa.array([r.get(k, 0) for r in levels], pa.int64())
    return pa.table(arrays)


def allocate(inp):
    """`stock_allocate`: allocate_stock over Arrow columns, equal to the core's JSON
    allocation; levels that columns cannot hold go to the JSON allocation alone."""
    levels = inp.get("levels")
    if not _columnable(levels):
        return ichigen._native._stock_json("allocate", inp)
    table, issues = ichigen.allocate_stock(
        arg(inp.get("catalog")), arg(inp.get("allocation")), levels_table(levels)
    )
    assert table.schema.names == ["channel", "store", "listing", "quantity"]
    assert table.schema.field("quantity").type == pa.int64()
    quantities = [
        {k: v for k, v in row.items() if not (k == "store" and v is None)}
        for row in table.to_pylist()
    ]
    out = {"quantities": quantities, "issues": issues}
    assert out == ichigen._native._stock_json("allocate", inp)
    return out


def reorder_formula(inp):
    """`stock_reorder_formula`: reorder_quantity; inputs its int parameters cannot
    take go to the core's JSON function."""
    names = ("position", "point", "target")
    if set(inp) <= {*names, "lot"} and all(_is_int(inp.get(n)) for n in names):
        lot = inp.get("lot")
        if lot is None or _is_int(lot):
            extra = {} if lot is None else {"lot": lot}
            return {"quantity": ichigen.reorder_quantity(*(inp[n] for n in names), **extra)}
    return ichigen._native._stock_json("reorder_formula", inp)


def triage(inp, now, rule_set):
    """`stock_triage`: the steps, then reserve_order; the reservation's facts are
    the triage context."""
    book = ichigen.StockBook(
        arg(inp.get("catalog")), arg(inp.get("levels")), arg(inp.get("policy"))
    )
    steps = inp.get("steps")
    for step in steps if isinstance(steps, list) else []:
        run_step(book, step)
    reservation = book.reserve_order(arg(inp.get("order")))
    out = ichigen.triage(rule_set(inp), arg(inp.get("order")), reservation.get("facts"), now=now)
    return {"reservation": reservation, "outcome": out["outcome"]}


def run_op(op, inp, now, rule_set):
    """The stock ops; None for an op that is not one of them."""
    if op == "stock_session":
        return session(inp)
    if op == "stock_allocate":
        return allocate(inp)
    if op == "stock_drop_ship":
        return ichigen.drop_ship_totals(arg(inp.get("catalog")), arg(inp.get("lines")))
    if op == "stock_reorder_formula":
        return reorder_formula(inp)
    if op == "stock_triage":
        return triage(inp, now, rule_set)
    return None
