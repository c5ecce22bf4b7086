"""The Python mirror of the Rust vector runner (crates/ichigen-testkit/src/vectors.rs),
calling the uniffi-generated module. Format: tests/vectors/README.md."""

import collections
import datetime
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from vectorlib import expand_samples, subset_match, vector_files  # noqa: F401 (re-exported)

DEFAULT_NOW = "2026-11-23T03:00:00Z"
DEFAULT_ACTOR = {"kind": "user", "id": "vector"}

# The error case each top-level code belongs to (README: exceptions per kind).
ERROR_CASES = {
    "InvalidOrder": lambda code: code == "ORDER_INVALID",
    "InvalidRuleSet": lambda code: code == "RULESET_INVALID",
    "Lifecycle": lambda code: code.startswith("LIFECYCLE_"),
    "InvalidCalendar": lambda code: code == "CALENDAR_INVALID",
    "OutOfRange": lambda code: code == "CALENDAR_OUT_OF_RANGE",
    "InvalidShipping": lambda code: code == "SHIPDATE_INVALID",
    "InvalidIdentity": lambda code: code == "IDENTITY_INVALID",
    "InvalidStock": lambda code: code == "STOCK_INVALID",
    "InvalidShipment": lambda code: code == "SHIPMENT_INVALID",
    "InvalidAnalytics": lambda code: code == "ANALYTICS_INVALID",
    # A request or batch the core refuses is an input problem with a SHIPDATE_ code.
    "InvalidInput": lambda code: code.startswith("INPUT_")
    or (code.startswith("SHIPDATE_") and code != "SHIPDATE_INVALID"),
}

EPOCH = datetime.date(1970, 1, 1)
EPOCH_INSTANT = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
NO_DATE = -(2**31)
NO_TRANSIT_DAYS = 255
SERVICE_CODES = {"ambient": 0, "chilled": 1, "frozen": 2}


class NotExpressible(AssertionError):
    """A vector the typed Swift API cannot express (the Swift compiler would refuse
    the call): test_vectors.py lists each such vector with its reason."""


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
        if op == "holidays":
            r = ffi.holidays(holiday_source(ffi, inp.get("source")), inp.get("year", 0))
            return "ok", {
                "holidays": [{"date": h.date, "name": h.name} for h in r.holidays],
                "workdays": [{"date": h.date, "name": h.name} for h in r.workdays],
            }
        if op == "calendar":
            calendar = ffi.BusinessCalendar.from_json(_text(inp.get("calendar")))
            return "ok", {"answers": [ask_calendar(calendar, q) for q in inp.get("questions") or []]}
        if op == "ship_date":
            policy = ffi.ShippingPolicy.from_json(_text(inp.get("policy")))
            if "order" in inp:
                plan = policy.plan_order(_text(inp.get("order")), now)
            else:
                plan = policy.plan(_text(inp.get("request")), now)
            return "ok", plan_value(ffi, plan)
        if op == "ship_date_batch":
            planner = ffi.BatchPlanner(_text(inp.get("policies")), inp.get("carriers"), inp.get("zone"))
            today = now.astimezone(ZoneInfo(planner.zone())).date().isoformat()
            out = planner.plan(batch_columns(ffi, inp.get("columns") or {}), today)
            return "ok", json_columns(out)
        if op == "ship_date_triage":
            # The plan's facts join the given context, then triage reads them.
            policy = ffi.ShippingPolicy.from_json(_text(inp.get("policy")))
            plan = plan_value(ffi, policy.plan_order(_text(inp.get("order")), now))
            given = inp.get("context")
            context = {**(given if isinstance(given, dict) else {}), **plan["context"]}
            s = ffi.triage(rule_set(), _text(inp.get("order")), _text(context), now)
            return "ok", {"plan": plan, "outcome": json.loads(s.outcome_json), "order": json.loads(s.order_json)}
        if op == "identity_normalize":
            return "ok", normalize_value(ffi, inp.get("field"), inp.get("value"), inp.get("relays"))
        if op == "identity_config":
            return "ok", json.loads(ffi.describe_identity_config(_optional_text(inp.get("config"))))
        if op == "identity_resolve":
            out = ffi.resolve_customers(
                _text(inp.get("records")), _optional_text(inp.get("config")), _optional_text(inp.get("decisions"))
            )
            return "ok", json.loads(out)
        if op == "identity_session":
            return identity_session(ffi, inp.get("config"), inp.get("steps"))
        if op == "customer_summary":
            s = ffi.customer_summary(_text(inp))
            summary = json.loads(s.summary_json)
            for field in ["customer_id", "order_count", "spend", "tier", "cross_channel",
                          "repeat_candidate", "vip", "caution"]:
                assert getattr(s, field) == summary[field], field
            assert s.repeat_customer == summary["repeat"]
            return "ok", summary
        if op == "identity_mask":
            return "ok", {"records": [masked_value(m) for m in ffi.mask_customer(_text(inp))]}
        if op == "customer_triage":
            # The customer's facts become the triage context, as the record gives it.
            facts = ffi.customer_triage_facts(_text(inp))
            context = json.loads(facts.context_json)
            customer = context["customer"]
            assert (facts.caution, facts.vip, facts.purchase_count) == (
                customer["caution"], customer["vip"], customer["purchase_count"]
            )
            s = ffi.triage(rule_set(), _text(inp.get("order")), facts.context_json, now)
            return "ok", {"customer": customer, "outcome": json.loads(s.outcome_json)}
        if op == "stock_session":
            return stock_session(ffi, inp)
        if op == "stock_allocate":
            return stock_allocate(ffi, inp)
        if op == "stock_drop_ship":
            return stock_drop_ship(ffi, inp)
        if op == "stock_reorder_formula":
            return stock_reorder_formula(ffi, inp)
        if op == "stock_triage":
            return stock_triage(ffi, inp, now, rule_set)
        if op.startswith("shipment_"):
            return shipment_op(ffi, op, inp, now, rule_set)
        if op.startswith("analytics_"):
            return analytics_op(ffi, op, inp)
    except ffi.IchigenError as e:
        return "err", error_value(ffi, e)
    raise AssertionError(f"unknown op {op!r}")


def holiday_source(ffi, source):
    """A vector's holiday source (`"japan"`, `{"csv": ...}` …) as the Swift enum."""
    if source == "japan":
        return ffi.HolidaySource.JAPAN()
    if source == "china":
        return ffi.HolidaySource.CHINA()
    if isinstance(source, dict) and len(source) == 1:
        (kind, value), = source.items()
        if kind == "csv":
            return ffi.HolidaySource.CSV(text=value)
        if kind == "china_schedule":
            return ffi.HolidaySource.CHINA_SCHEDULE(toml=value)
        if kind == "list":
            return ffi.HolidaySource.LIST(holidays=[ffi.Holiday(date=h["date"], name=h["name"]) for h in value])
    raise AssertionError(f"a holiday source the Swift enum cannot express: {source!r}")


def normalize_value(ffi, field, value, relays):
    """One typed normalizer, its result as the core's `{"value", "kind"?}` (an
    address: its parts)."""
    if field != "address" and not isinstance(value, str):
        raise NotExpressible(f"the {field} normalizer takes a String")
    if field == "name":
        return {"value": ffi.normalize_name(value)}
    if field == "kana":
        return {"value": ffi.normalize_kana(value)}
    if field == "phone":
        p = ffi.normalize_phone(value)
        return {"value": p.value, "kind": _enum_name(p.kind)}
    if field == "email":
        e = ffi.normalize_email(value, _optional_text(relays))
        return {"value": e.value, "kind": _enum_name(e.kind)}
    if field == "postal_code":
        return {"value": ffi.normalize_postal_code(value)}
    if field == "address":
        assert isinstance(value, dict), "an address is an object"
        unknown = set(value) - {"postal_code", "prefecture", "address1", "address2"}
        assert not unknown, f"address parts the function cannot take: {sorted(unknown)}"
        a = ffi.normalize_address(
            value.get("address1", ""), value.get("address2"), value.get("postal_code"), value.get("prefecture")
        )
        out = {"postal_code": a.postal_code, "prefecture": a.prefecture, "prefecture_code": a.prefecture_code,
               "street": a.street, "building": a.building}
        return {k: v for k, v in out.items() if v is not None}
    raise NotExpressible(f"no Swift normalizer for the field {field!r}: one function per field")


def _pair(arg, kind):
    if not (isinstance(arg, list) and len(arg) == 2 and all(isinstance(x, str) for x in arg)):
        raise NotExpressible(f"a {kind} step takes two record ids (two String arguments in Swift)")
    return arg


def run_step(ffi, resolver, step):
    """One step of an identity session, through the CustomerResolver's method."""
    if not (isinstance(step, dict) and len(step) == 1):
        raise NotExpressible(f"a step is an object with one key: {step!r}")
    (kind, arg), = step.items()
    if kind == "insert":
        placement = resolver.insert(_text(arg))
        value = json.loads(placement.placement_json)
        assert (placement.customer_id, placement.new_customer, placement.absorbed, placement.recomputed) == (
            value["customer_id"], value["new_customer"], value["absorbed"], value["recomputed"]
        )
        assert [_issue(i) for i in placement.issues] == value["issues"]
        return value
    if kind == "merge":
        return {"customer_id": resolver.merge(*_pair(arg, kind))}
    if kind == "unmerge":
        return {"customer_ids": resolver.unmerge(*_pair(arg, kind))}
    if kind in ("mask", "customer_of"):
        if not isinstance(arg, str):
            raise NotExpressible(f"a {kind} step takes a record id (a String in Swift)")
        if kind == "mask":
            return {"customer_id": resolver.mask(arg)}
        return {"customer_id": resolver.customer_of(arg)}
    if kind == "canonical":
        if not (isinstance(arg, int) and not isinstance(arg, bool) and 0 <= arg < 2**64):
            raise NotExpressible("a canonical step takes a customer id (a UInt64 in Swift)")
        return {"customer_id": resolver.canonical(arg)}
    if kind == "candidates":
        return {"candidates": json.loads(resolver.candidates_json())}
    if kind == "recompute":
        resolver.recompute()
        return json.loads(resolver.snapshot_json())
    if kind == "snapshot":
        return json.loads(resolver.snapshot_json())
    raise NotExpressible(f"no CustomerResolver method for the step {kind!r}")


def identity_session(ffi, config, steps):
    """Drives one CustomerResolver method by method; ("ok", {"results"}) or ("err",
    error JSON). The first step that throws is the error, with `$.steps[k]` in front
    of its paths, as the core's identity_session does (`$` → `$.steps[k]`, `$.id` →
    `$.steps[k].id`)."""
    resolver = ffi.CustomerResolver(_optional_text(config))
    if not isinstance(steps, list):
        raise NotExpressible("steps is an array of method calls")
    results = []
    for k, step in enumerate(steps):
        try:
            results.append(run_step(ffi, resolver, step))
        except ffi.IchigenError.InvalidIdentity as e:
            error = error_value(ffi, e)
            for issue in error["issues"]:
                assert issue["path"].startswith("$"), issue["path"]
                issue["path"] = f"$.steps[{k}]{issue['path'][1:]}"
            return "err", error
    # The object's counters agree with what the steps did.
    snapshot = json.loads(resolver.snapshot_json())
    assert resolver.count() == len(snapshot["customers"])
    assert resolver.next_customer_id() == snapshot["next_customer_id"]
    return "ok", {"results": results}


# --- stock -----------------------------------------------------------------------

I64 = (-(2**63), 2**63 - 1)
U32 = (0, 2**32 - 1)


# (operation, whether its typed method ran) → steps run, over every stock step
# this process ran: test_vectors.py checks that the vectors exercise the methods.
STOCK_CALLS = collections.Counter()


class Untyped(Exception):
    """A step whose argument does not fit the typed StockBook method's parameters
    (a missing or unknown key, a value of another type): Swift would not compile
    the call, so the step goes through `StockBook.step(stepJson:)`, which takes any
    JSON."""


def _int(value, bounds=I64):
    return isinstance(value, int) and not isinstance(value, bool) and bounds[0] <= value <= bounds[1]


def _str(value):
    return isinstance(value, str)


def _optional_str(value):
    return value is None or isinstance(value, str)


def _bool(value):
    return isinstance(value, bool)


def _u32_list_or_none(value):
    return value is None or (isinstance(value, list) and all(_int(v, U32) for v in value))


def _any(_value):
    return True


def _fields(arg, required, optional=None):
    """The argument as a dict, when it is an object with the required keys, no other
    keys than the optional ones, and each value of its parameter's type."""
    optional = optional or {}
    if not isinstance(arg, dict):
        raise Untyped
    if set(arg) - set(required) - set(optional) or not set(required) <= set(arg):
        raise Untyped
    for key, fits in {**required, **optional}.items():
        if key in arg and not fits(arg[key]):
            raise Untyped
    return arg


def reservation_value(r):
    return {"order": r.order, "line": r.line, "sku": r.sku, "location": r.location, "quantity": r.quantity}


def backorder_value(b):
    return {"order": b.order, "line": b.line, "sku": b.sku, "quantity": b.quantity}


def outcome_value(o):
    """A ReservationOutcome as the core's JSON."""
    return {
        "reserved": [reservation_value(r) for r in o.reserved],
        "backordered": [backorder_value(b) for b in o.backordered],
        "completed_orders": list(o.completed_orders),
    }


def facts_value(f):
    """OrderStockFacts as the core's JSON; its context is the same facts."""
    value = {"all_lines_reservable": f.all_lines_reservable, "awaiting_stock": f.awaiting_stock}
    assert json.loads(f.context_json) == value
    return value


def _with_store(value, store):
    if store is not None:
        value["store"] = store
    return value


def listing_quantity_value(q):
    return _with_store({"channel": q.channel, "listing": q.listing, "quantity": q.quantity}, q.store)


def sync_delta_value(d):
    value = {"channel": d.channel, "listing": d.listing, "quantity": d.quantity, "previous": d.previous}
    return _with_store(value, d.store)


def cell_value(c):
    return {"sku": c.sku, "location": c.location, "on_hand": c.on_hand, "reserved": c.reserved,
            "incoming": c.incoming, "buffer": c.buffer, "free": c.free}


def movement_value(m):
    value = {"seq": m.seq, "kind": _enum_name(m.kind), "sku": m.sku}
    if m.location is not None:
        value["location"] = m.location
    value["quantity"] = m.quantity
    if m.order is not None:
        value["order"] = m.order
    if m.line is not None:
        value["line"] = m.line
    return value


def reconciliation_value(r):
    return {
        "ok": r.ok,
        "mismatches": [{"sku": m.sku, "location": m.location, "counted": m.counted, "from_records": m.from_records}
                       for m in r.mismatches],
        "problems": list(r.problems),
        "reservations": r.reservations,
        "backordered_units": r.backordered_units,
    }


def stock_view_value(v):
    return {"sku": v.sku, "on_hand": v.on_hand, "reserved": v.reserved, "incoming": v.incoming,
            "free": v.free, "backordered": v.backordered, "locations": [cell_value(c) for c in v.locations]}


def order_reservation_value(r):
    return {**outcome_value(r.outcome), "facts": facts_value(r.facts)}


def typed_step(book, op, arg):
    """One step through the StockBook's own method, its output as the core's JSON;
    raises Untyped when the argument does not fit the method."""
    if op == "reserve":
        return outcome_value(book.reserve(_text(arg)))
    if op == "check":
        return outcome_value(book.check(_text(arg)))
    if op == "reserve_order":
        return order_reservation_value(book.reserve_order(_text(arg)))
    if op == "set_level":
        return outcome_value(book.set_level(_text(arg)))
    if op == "receive":
        a = _fields(arg, {"sku": _str, "location": _str, "quantity": _int}, {"expected": _bool})
        return outcome_value(book.receive(a["sku"], a["location"], a["quantity"], a.get("expected", False)))
    if op == "expect":
        a = _fields(arg, {"sku": _str, "location": _str, "quantity": _int})
        return book.expect(a["sku"], a["location"], a["quantity"])
    if op == "adjust":
        a = _fields(arg, {"sku": _str, "location": _str, "delta": _int})
        return outcome_value(book.adjust(a["sku"], a["location"], a["delta"]))
    if op in ("cancel", "ship"):
        a = _fields(arg, {"order": _str}, {"lines": _u32_list_or_none})
        if op == "cancel":
            return outcome_value(book.cancel(a["order"], a.get("lines")))
        s = book.ship(a["order"], a.get("lines"))
        return {"shipped": [reservation_value(r) for r in s.shipped],
                "still_waiting": [backorder_value(b) for b in s.still_waiting]}
    # The core ignores the argument of the operations without one.
    if op == "sync":
        return [sync_delta_value(d) for d in book.sync()]
    if op == "allocation":
        return [listing_quantity_value(q) for q in book.allocation()]
    if op == "forget_pushed":
        return book.forget_pushed()
    if op == "reconcile":
        return reconciliation_value(book.reconcile())
    if op == "movements":
        return [movement_value(m) for m in book.movements()]
    if op in ("stock", "queue"):
        a = _fields(arg, {"sku": _str})
        if op == "stock":
            return stock_view_value(book.stock(a["sku"]))
        return [backorder_value(b) for b in book.queue(a["sku"])]
    if op == "listing_free":
        a = _fields(arg, {"channel": _str, "listing": _str}, {"store": _optional_str})
        return {"free": book.listing_free(a["channel"], a["listing"], a.get("store"))}
    if op == "order":
        a = _fields(arg, {"order": _str})
        o = book.order(a["order"])
        return {**facts_value(o.facts), "reservations": [reservation_value(r) for r in o.reservations]}
    if op == "reorder":
        a = _fields(arg, {"as_of": _str}, {"sales": _any, "forecast": _any})
        return json.loads(book.reorder(a["as_of"], _optional_text(a.get("sales")), _optional_text(a.get("forecast"))))
    raise Untyped


def _reroot(error, prefix):
    for issue in error["issues"]:
        assert issue["path"].startswith("$"), issue["path"]
        issue["path"] = prefix + issue["path"][1:]
    return error


def run_stock_step(ffi, book, step):
    """One step of a stock session on `book`: its typed method when the argument
    fits it, else `step(stepJson:)`. Returns ("ok", output) or ("err", error JSON),
    the error's paths as the core's step gives them (`$.reserve.lines[1]…`: a
    typed method's are relative to its argument, so the operation is put in
    front), and whether the typed method ran."""
    op, arg = next(iter(step.items())) if isinstance(step, dict) and len(step) == 1 else (None, None)
    try:
        out = typed_step(book, op, arg)
        STOCK_CALLS[(op, True)] += 1
        return "ok", out, True
    except Untyped:
        STOCK_CALLS[(op, False)] += 1
    except ffi.IchigenError as e:
        STOCK_CALLS[(op, True)] += 1
        return "err", _reroot(error_value(ffi, e), f"$.{op}"), True
    try:
        return "ok", json.loads(book.step(_text(step))), False
    except ffi.IchigenError as e:
        return "err", error_value(ffi, e), False


def _same_error(a, b):
    """Two errors agree on everything but the top-level message, which the core
    composes from the issues before they are rerooted."""
    return {k: v for k, v in a.items() if k != "message"} == {k: v for k, v in b.items() if k != "message"}


def stock_session(ffi, inp):
    """Drives a StockBook method by method (one call per step), and beside it a
    second StockBook through `step(stepJson:)` only; both must give the same
    output or error at every step, and the whole must be what the stateless
    `stockSession` gives. ("ok", {"results"}) or ("err", the construction error)."""
    steps = inp.get("steps")
    if steps is not None and not isinstance(steps, list):
        raise NotExpressible("steps is an array of method calls")
    args = (_text(inp.get("catalog")), _optional_text(inp.get("levels")), _optional_text(inp.get("policy")),
            _optional_text(inp.get("allocation")))
    try:
        whole = ("ok", json.loads(ffi.stock_session(_text(inp))))
    except ffi.IchigenError as e:
        whole = ("err", error_value(ffi, e))
    try:
        book, stepper = ffi.StockBook(*args), ffi.StockBook(*args)
    except ffi.IchigenError as e:
        error = error_value(ffi, e)
        assert whole == ("err", error), f"stockSession disagrees with the constructor: {whole}"
        return "err", error
    results = []
    for k, step in enumerate(steps or []):
        kind, out, typed = run_stock_step(ffi, book, step)
        if kind == "err":
            _reroot(out, f"$.steps[{k}]")
        try:
            step_out = ("ok", json.loads(stepper.step(_text(step))))
        except ffi.IchigenError as e:
            step_out = ("err", _reroot(error_value(ffi, e), f"$.steps[{k}]"))
        if kind == "err":
            assert step_out[0] == "err" and _same_error(out, step_out[1]), (k, out, step_out)
            results.append({"error": out})
        else:
            assert step_out == ("ok", out), (k, out, step_out)
            results.append(out)
    assert whole[0] == "ok", whole
    assert len(whole[1]["results"]) == len(results)
    for mine, core in zip(results, whole[1]["results"]):
        if isinstance(core, dict) and "error" in core and isinstance(mine, dict) and "error" in mine:
            assert _same_error(mine["error"], core["error"]), (mine, core)
        else:
            assert mine == core, (mine, core)
    return "ok", {"results": results}


def snapshot_rows(ffi, levels):
    """A snapshot's rows as StockSnapshotRow records."""
    if not isinstance(levels, list):
        raise NotExpressible("levels is an array of StockSnapshotRow records")
    rows = []
    for row in levels:
        try:
            r = _fields(row, {"sku": _str, "location": _str, "on_hand": _int}, {"reserved": _int, "buffer": _int})
        except Untyped:
            raise NotExpressible("a snapshot row is a StockSnapshotRow (sku, location: String; on_hand, "
                                 "reserved, buffer: Int64)") from None
        rows.append(ffi.StockSnapshotRow(sku=r["sku"], location=r["location"], on_hand=r["on_hand"],
                                         reserved=r.get("reserved", 0), buffer=r.get("buffer", 0)))
    return rows


def stock_allocate(ffi, inp):
    out = ffi.allocate_stock(_text(inp.get("catalog")), _text(inp.get("allocation")),
                             snapshot_rows(ffi, inp.get("levels")))
    return "ok", {"quantities": [listing_quantity_value(q) for q in out.quantities],
                  "issues": [_issue(i) for i in out.issues]}


def stock_drop_ship(ffi, inp):
    out = ffi.drop_ship_totals(_text(inp.get("catalog")), _text(inp.get("lines")))
    totals = [
        {
            "supplier": t.supplier,
            "lines": [{"sku": l.sku, "quantity": l.quantity, "channels": dict(l.channels)} for l in t.lines],
            "units": t.units,
        }
        for t in out.totals
    ]
    return "ok", {"totals": totals, "issues": [_issue(i) for i in out.issues]}


def stock_reorder_formula(ffi, inp):
    unknown = set(inp) - {"position", "point", "target", "lot"}
    if unknown:
        raise NotExpressible(f"reorderQuantity has no parameter for {sorted(unknown)}")
    values = [inp.get(k) for k in ("position", "point", "target")]
    lot = inp.get("lot")
    if not all(_int(v) for v in values) or not (lot is None or _int(lot, U32)):
        raise NotExpressible("reorderQuantity takes Int64 position, point, target and a UInt32 lot")
    if lot is None:
        return "ok", {"quantity": ffi.reorder_quantity(*values)}
    return "ok", {"quantity": ffi.reorder_quantity(*values, lot)}


def stock_triage(ffi, inp, now, rule_set):
    """The steps, then reserveOrder; its facts' context goes to triage. A refused
    step is the vector's error, with the core's step paths (`$.reserve…`)."""
    book = ffi.StockBook(_text(inp.get("catalog")), _optional_text(inp.get("levels")),
                         _optional_text(inp.get("policy")))
    steps = inp.get("steps")
    for step in steps if isinstance(steps, list) else []:
        kind, out, _ = run_stock_step(ffi, book, step)
        if kind == "err":
            return "err", out
    reservation = book.reserve_order(_text(inp.get("order")))
    STOCK_CALLS[("reserve_order", True)] += 1
    s = ffi.triage(rule_set(), _text(inp.get("order")), reservation.facts.context_json, now)
    return "ok", {"reservation": order_reservation_value(reservation), "outcome": json.loads(s.outcome_json)}


# --- shipments -----------------------------------------------------------------


def mail_value(m):
    """A MailJudgement as the core's mail verdict JSON (with its `facts`), after
    checking that the typed facts are the ones `contextJson` carries."""
    facts = {"mail_packet_fits": m.fits_one_packet, "mail_packets_needed": m.packets_needed}
    assert json.loads(m.context_json) == facts, m.context_json
    reasons = [{"code": r.code} if r.line is None else {"code": r.code, "line": r.line} for r in m.reasons]
    return {
        "profile": m.profile,
        "eligible": m.eligible,
        "load": m.load,
        "packets": m.packets,
        "outcome": _enum_name(m.outcome),
        "reasons": reasons,
        "facts": facts,
    }


def shipment_op(ffi, op, inp, now, rule_set):
    """The shipment ops, through a ShipmentPlanner built from `options`, as the Rust
    runner's `shipment_op` does through the JSON face."""
    planner = ffi.ShipmentPlanner(_optional_text(inp.get("options")))

    def arg(key):
        return _text(inp.get(key))

    def optional(key):
        return _optional_text(inp.get(key))

    if op == "shipment_split":
        plan = json.loads(planner.split(arg("order"), optional("stock")))
        if inp.get("stock") is None:
            # The batch form is the same split, order by order.
            assert json.loads(planner.split_all(_text([inp.get("order")]))) == [plan]
        return "ok", plan
    if op == "shipment_mail":
        return "ok", mail_value(planner.mail(arg("order")))
    if op == "shipment_merge_candidates":
        return "ok", json.loads(planner.merge_candidates(arg("orders"), optional("facts")))
    if op == "shipment_merge_check":
        c = planner.merge_check(arg("orders"), optional("facts"))
        return "ok", {"mergeable": c.mergeable, "differs": list(c.differs)}
    if op == "shipment_merge":
        return "ok", json.loads(planner.merge(arg("orders"), optional("facts"), optional("stock")))
    if op == "shipment_unmerge":
        # Without a `merged` plan the orders are merged first.
        if "merged" in inp:
            merged = inp["merged"]
        else:
            merged = json.loads(planner.merge(arg("orders"), optional("facts"), optional("stock")))
        out = json.loads(planner.unmerge(_text(merged), arg("orders"), optional("stock")))
        return "ok", {"merged": merged, "plans": out["plans"]}
    if op == "shipment_triage":
        # The mail judgement's facts (and, with `orders`, the order's merge-candidate
        # flag) join the given context, then triage reads them.
        mail = planner.mail(arg("order"))
        given = inp.get("context")
        context = {**(given if isinstance(given, dict) else {}), **json.loads(mail.context_json)}
        if "orders" in inp:
            found = json.loads(planner.merge_candidates(arg("orders"), optional("facts")))
            order = inp.get("order")
            oid = order.get("id") if isinstance(order, dict) else None
            flag = False
            if isinstance(oid, str) and isinstance(found["context"].get(oid), dict):
                flag = found["context"][oid].get("merge_candidate", False)
            context["merge_candidate"] = flag
        s = ffi.triage(rule_set(), arg("order"), _text(context), now)
        return "ok", {"mail": mail_value(mail), "outcome": json.loads(s.outcome_json)}
    raise AssertionError(f"unknown op {op!r}")


# --- analytics -----------------------------------------------------------------


def description_value(d):
    return {"orders": d.orders, "customers": d.customers, "lines": d.lines, "cancelled": d.cancelled,
            "first_date": d.first_date, "last_date": d.last_date, "zone": d.zone, "currency": d.currency}


def rfm_row(c):
    """An RfmCustomer as the JSON face's row."""
    return {"customer": c.customer, "recency": c.recency, "frequency": c.frequency, "monetary": c.monetary,
            "first_purchase": c.first_purchase, "last_purchase": c.last_purchase, "r": c.r, "f": c.f,
            "m": c.m, "score": c.score, "rank": c.rank}


def cpm_row(c):
    """A CpmCustomer as the JSON face's row (`cpmClass` is the row's `class`)."""
    return {"customer": c.customer, "segment": _enum_name(c.segment), "label": c.label,
            "class": _enum_name(c.cpm_class), "active": c.active, "purchases": c.purchases, "spend": c.spend,
            "tenure": c.tenure, "days_since_last": c.days_since_last, "first_purchase": c.first_purchase,
            "last_purchase": c.last_purchase}


def clv_row(c):
    """A ClvCustomer as the JSON face's row."""
    return {"customer": c.customer, "frequency": c.frequency, "recency": c.recency, "T": c.t,
            "monetary_value": c.monetary_value}


def diagnostics_value(d):
    return {"converged": d.converged, "iterations": d.iterations, "evaluations": d.evaluations,
            "log_likelihood": d.log_likelihood, "gradient_norm": d.gradient_norm, "customers": d.customers,
            "distinct_rows": d.distinct_rows, "message": d.message}


def fit_value(f):
    """A ClvFit as the JSON face's `{bgnbd, gamma_gamma}`."""
    b, g = f.bgnbd, f.gamma_gamma
    return {
        "bgnbd": {"r": b.r, "alpha": b.alpha, "a": b.a, "b": b.b, "diagnostics": diagnostics_value(b.diagnostics)},
        "gamma_gamma": None if g is None else {
            "p": g.p, "q": g.q, "v": g.v, "diagnostics": diagnostics_value(g.diagnostics)
        },
    }


def prediction_row(p):
    """A ClvPrediction as the JSON face's row (the customer only when named)."""
    row = {} if p.customer is None else {"customer": p.customer}
    row.update({"expected_purchases": p.expected_purchases, "probability_alive": p.probability_alive,
                "expected_average_value": p.expected_average_value, "clv": p.clv})
    return row


# The per-customer analyses: (JSON method, typed method, table the records are
# the rows of, record → row).
TYPED_ANALYSES = {
    "analytics_rfm": ("rfm_json", "rfm", "customers", rfm_row),
    "analytics_cpm": ("cpm_json", "cpm", "customers", cpm_row),
    "analytics_clv_summary": ("clv_summary_json", "clv_summary", "rows", clv_row),
}
# The summaries, JSON text only.
JSON_ANALYSES = {
    "analytics_sales": ("sales", "query"),
    "analytics_balance_sheet": ("balance_sheet", "config"),
    "analytics_repeat": ("repeat_and_cohorts", "config"),
}
# Analytics calls this process made, by method name: test_analytics.py checks
# that the vectors reach every method.
ANALYTICS_CALLS = collections.Counter()


def _typed_and_json(ffi, history, json_method, typed_method, table, to_row, config):
    """The JSON answer; the typed records must be its table's rows exactly, and a
    refusal must be the same error from both."""
    ANALYTICS_CALLS[json_method] += 1
    ANALYTICS_CALLS[typed_method] += 1
    try:
        out = json.loads(getattr(history, json_method)(config))
    except ffi.IchigenError as e:
        error = error_value(ffi, e)
        try:
            records = getattr(history, typed_method)(config)
        except ffi.IchigenError as typed_error:
            assert error_value(ffi, typed_error) == error, (error, typed_error)
            raise
        raise AssertionError(f"{typed_method} returned {len(records)} records where {json_method} threw {error}")
    rows = [to_row(r) for r in getattr(history, typed_method)(config)]
    assert rows == out[table], (rows, out[table])
    return out


def analytics_op(ffi, op, inp):
    """The analytics ops through an OrderHistory built from `history` and the free
    CLV functions, as the Rust runner's `analytics_op` does through the JSON face."""
    if op == "analytics_clv_fit":
        ANALYTICS_CALLS["fit_clv"] += 1
        return "ok", fit_value(ffi.fit_clv(_text(inp.get("summary")), _optional_text(inp.get("options"))))
    if op == "analytics_clv_predict":
        ANALYTICS_CALLS["predict_clv"] += 1
        rows = ffi.predict_clv(_text(inp.get("summary")), _text(inp.get("options")))
        return "ok", {"rows": [prediction_row(p) for p in rows]}
    history = ffi.OrderHistory(_text(inp.get("history")))
    if op == "analytics_history":
        ANALYTICS_CALLS["describe"] += 1
        return "ok", description_value(history.describe())
    if op in TYPED_ANALYSES:
        return "ok", _typed_and_json(ffi, history, *TYPED_ANALYSES[op], _text(inp.get("config")))
    if op in JSON_ANALYSES:
        method, key = JSON_ANALYSES[op]
        ANALYTICS_CALLS[method] += 1
        argument = _optional_text(inp.get(key)) if key == "query" else _text(inp.get(key))
        return "ok", json.loads(getattr(history, method)(argument))
    raise AssertionError(f"unknown op {op!r}")


def masked_value(m):
    out = {
        "record": m.record,
        "masked": m.masked,
        "due_on": m.due_on,
        "party": json.loads(m.party_json),
        "removed": m.removed,
    }
    if m.due_on is None:
        del out["due_on"]
    return out


def ask_calendar(calendar, question):
    """Asks a BusinessCalendar one question of the `calendar` op."""
    assert isinstance(question, dict) and len(question) == 1, f"a question has one key: {question!r}"
    (kind, arg), = question.items()
    if kind == "is_business_day":
        return calendar.is_business_day(arg)
    if kind == "next_business_day":
        return calendar.next_business_day(arg)
    if kind == "previous_business_day":
        return calendar.previous_business_day(arg)
    if kind == "on_or_after":
        return calendar.on_or_after(arg)
    if kind == "on_or_before":
        return calendar.on_or_before(arg)
    if kind == "add_business_days":
        return calendar.add_business_days(arg["date"], arg["days"])
    if kind == "count_business_days":
        return calendar.count_business_days(arg["from"], arg["to"])
    if kind == "explain":
        e = calendar.explain(arg)
        return {"date": e.date, "business_day": e.business_day, "reasons": json.loads(e.reasons_json), "text": e.text}
    raise AssertionError(f"unknown calendar question {kind!r}")


def plan_value(ffi, plan):
    """The plan as the core's JSON, after checking that the typed fields are its own."""
    value = json.loads(plan.plan_json)
    assert _enum_name(plan.status) == value["status"]
    for field in [
        "start_date",
        "earliest_ship_date",
        "ship_date",
        "delivery_date",
        "transit_days",
        "designated_date",
        "latest_ship_date",
        "earliest_delivery_date",
        "explanation",
    ]:
        assert getattr(plan, field) == value[field], field
    assert [_issue(i) for i in plan.problems] == value["problems"]
    assert json.loads(plan.context_json) == value["context"]
    return value


def epoch_days(date_text):
    return (datetime.date.fromisoformat(date_text) - EPOCH).days


def epoch_seconds(instant_text):
    """An RFC 3339 instant as whole seconds since the epoch, rounding down."""
    instant = parse_now(instant_text)
    return (instant - EPOCH_INSTANT) // datetime.timedelta(seconds=1)


def iso_date(days):
    return (EPOCH + datetime.timedelta(days=days)).isoformat()


def batch_columns(ffi, columns):
    """A vector's JSON columns as the BatchColumns record: instants as seconds,
    prefectures as codes through prefecture_code (unknown: 0, which the core reports
    per row), services as codes, designated dates as days (NO_DATE for none)."""
    unknown = set(columns) - {
        "ordered_at", "destination", "policy", "carrier", "service", "handling_days", "designated"
    }
    assert not unknown, f"columns the record cannot carry: {sorted(unknown)}"

    def optional(key, convert):
        values = columns.get(key)
        return None if values is None else convert(values)

    return ffi.BatchColumns(
        ordered_at=[epoch_seconds(t) for t in columns.get("ordered_at", [])],
        destination=bytes(ffi.prefecture_code(str(d)) or 0 for d in columns.get("destination", [])),
        policy=optional("policy", list),
        carrier=optional("carrier", list),
        service=optional("service", lambda v: bytes(SERVICE_CODES[s] for s in v)),
        handling_days=optional("handling_days", list),
        designated=optional("designated", lambda v: [NO_DATE if d is None else epoch_days(d) for d in v]),
    )


def json_columns(out):
    """A BatchPlan as the vectors' JSON columns."""
    def dates(column):
        return [None if d == NO_DATE else iso_date(d) for d in column]

    return {
        "status": [out.status_names[s] for s in out.status],
        "ship_date": dates(out.ship_date),
        "delivery_date": dates(out.delivery_date),
        "latest_ship_date": dates(out.latest_ship_date),
        "transit_days": [None if t == NO_TRANSIT_DAYS else t for t in out.transit_days],
    }


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
