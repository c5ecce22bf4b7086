"""Stock through the FFI: the StockBook object (typed records out of each method,
the queue, allocation and sync deltas, movements, reconciliation, use from
several threads), the stateless functions (stockSession, allocateStock,
dropShipTotals, reorderQuantity), triage on an order's stock facts, and the
InvalidStock error (its code, issue paths, a refused call changing nothing, no
personal data in any message)."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

# A stand-in for personal data: it must never show in an error.
SECRET = "Yamada-Taro-090-1234-5678-secret"


def text(value):
    return json.dumps(value, ensure_ascii=False)


CATALOG = {
    "skus": [
        {"sku": "TEA", "supplier": "chaya", "lot": 5, "reorder_point": 10, "target_level": 20},
        {"sku": "CUP", "supplier": "toki"},
        {"sku": "BOOK", "drop_ship": True, "supplier": "hon"},
    ],
    "locations": [{"id": "tokyo", "prefecture": "東京都"}, {"id": "osaka", "prefecture": "大阪府"}],
    "listings": [
        {"channel": "rakuten", "code": "tea", "sku": "TEA"},
        {"channel": "rakuten", "code": "cup", "sku": "CUP"},
        {"channel": "rakuten", "code": "gift", "components": [{"sku": "TEA", "quantity": 2}, {"sku": "CUP", "quantity": 1}]},
        {"channel": "rakuten", "code": "book", "sku": "BOOK"},
        {"channel": "amazon", "code": "B0TEA", "sku": "TEA"},
        {"channel": "yahoo", "code": "book-y", "sku": "BOOK"},
    ],
}
LEVELS = [
    {"sku": "TEA", "location": "tokyo", "on_hand": 4},
    {"sku": "TEA", "location": "osaka", "on_hand": 3},
    {"sku": "CUP", "location": "tokyo", "on_hand": 2},
]
ALLOCATION = {"channels": [{"channel": "rakuten", "mode": "uniform"}, {"channel": "amazon", "mode": "percent", "percent": "50"}]}


def book(ffi, levels=LEVELS, policy=None, allocation=ALLOCATION):
    return ffi.StockBook(
        text(CATALOG),
        None if levels is None else text(levels),
        None if policy is None else text(policy),
        None if allocation is None else text(allocation),
    )


def request(order, *lines, **fields):
    return text({"order": order, "channel": "rakuten", "lines": [{"listing_code": c, "quantity": q} for c, q in lines], **fields})


def units(items, sku=None):
    return sum(i.quantity for i in items if sku is None or i.sku == sku)


# --- the book ------------------------------------------------------------------


def test_reserve_returns_typed_reservations_and_backorders(ffi):
    b = book(ffi)
    out = b.reserve(request("o1", ("gift", 2), ("tea", 5)))
    assert isinstance(out, ffi.ReservationOutcome)
    # The set expands to 2 TEA and 1 CUP per set; 7 TEA in all, 9 asked for.
    assert all(isinstance(r, ffi.StockReservation) for r in out.reserved)
    assert units(out.reserved, "TEA") == 7 and units(out.reserved, "CUP") == 2
    assert {(r.order, r.line) for r in out.reserved if r.sku == "CUP"} == {("o1", 0)}
    assert {r.location for r in out.reserved} <= {"tokyo", "osaka"}
    assert [(x.order, x.line, x.sku, x.quantity) for x in out.backordered] == [("o1", 1, "TEA", 2)]
    assert isinstance(out.backordered[0], ffi.StockBackorder)
    assert out.completed_orders == []
    # The queue holds what waits; the order's facts say so.
    assert [(x.order, x.line, x.quantity) for x in b.queue("TEA")] == [("o1", 1, 2)]
    o = b.order("o1")
    assert isinstance(o, ffi.OrderStock)
    assert (o.facts.all_lines_reservable, o.facts.awaiting_stock) == (False, True)
    assert json.loads(o.facts.context_json) == {"all_lines_reservable": False, "awaiting_stock": True}
    assert units(o.reservations) == units(out.reserved)


def test_check_changes_nothing(ffi):
    b = book(ffi)
    before = b.stock("TEA")
    checked = b.check(request("o1", ("tea", 9)))
    assert (units(checked.reserved), units(checked.backordered)) == (7, 2)
    assert b.stock("TEA") == before
    assert b.movements() == []
    with pytest.raises(ffi.IchigenError.InvalidStock):
        b.order("o1")


def test_receive_serves_the_queue_first_come_first_served(ffi):
    b = book(ffi, levels=[{"sku": "TEA", "location": "tokyo", "on_hand": 1}])
    b.reserve(request("o1", ("tea", 2)))
    b.reserve(request("o2", ("tea", 1)))
    assert [x.order for x in b.queue("TEA")] == ["o1", "o2"]
    # One unit serves the oldest waiting line.
    served = b.receive("TEA", "tokyo", 1)
    assert [(r.order, r.quantity) for r in served.reserved] == [("o1", 1)]
    assert served.completed_orders == ["o1"]
    assert b.order("o1").facts.all_lines_reservable
    # Announced units: expect, then receive them as expected.
    b.expect("TEA", "osaka", 3)
    assert b.stock("TEA").incoming == 3
    served = b.receive("TEA", "osaka", 3, True)
    assert served.completed_orders == ["o2"]
    view = b.stock("TEA")
    assert (view.incoming, view.backordered, view.on_hand, view.reserved, view.free) == (0, 0, 5, 3, 2)


def test_stock_view_has_every_location(ffi):
    b = book(ffi)
    b.reserve(request("o1", ("tea", 5)))
    v = b.stock("TEA")
    assert isinstance(v, ffi.StockView)
    assert (v.sku, v.on_hand, v.reserved, v.free, v.backordered) == ("TEA", 7, 5, 2, 0)
    assert [c.location for c in v.locations] == ["tokyo", "osaka"]
    assert all(isinstance(c, ffi.StockCell) and c.sku == "TEA" for c in v.locations)
    assert sum(c.on_hand for c in v.locations) == v.on_hand
    assert sum(c.reserved for c in v.locations) == v.reserved
    assert sum(c.free for c in v.locations) == v.free
    # A set's free stock: the least over its components of free ÷ per set.
    assert b.listing_free("rakuten", "gift") == min(2 // 2, 2 // 1)
    assert b.listing_free("amazon", "B0TEA", None) == 2


def test_adjust_and_set_level(ffi):
    b = book(ffi, levels=[{"sku": "TEA", "location": "tokyo", "on_hand": 2}])
    b.reserve(request("o1", ("tea", 3)))
    served = b.adjust("TEA", "tokyo", 1)
    assert served.completed_orders == ["o1"]
    # A count below what is reserved releases the latest reservations, which wait again.
    out = b.set_level(text({"sku": "TEA", "location": "tokyo", "on_hand": 1}))
    assert isinstance(out, ffi.ReservationOutcome)
    assert b.stock("TEA").backordered == 2
    assert b.order("o1").facts.awaiting_stock
    assert b.reconcile().ok


def test_cancel_and_ship(ffi):
    b = book(ffi, levels=[{"sku": "TEA", "location": "tokyo", "on_hand": 3}, {"sku": "CUP", "location": "tokyo", "on_hand": 5}])
    b.reserve(request("o1", ("tea", 2), ("cup", 1)))
    b.reserve(request("o2", ("tea", 2)))
    # Cancelling o1's first line releases 2 TEA, which serve o2's waiting unit.
    served = b.cancel("o1", [0])
    assert [(r.order, r.sku, r.quantity) for r in served.reserved] == [("o2", "TEA", 1)]
    assert served.completed_orders == ["o2"]
    shipped = b.ship("o2")
    assert isinstance(shipped, ffi.ShipmentOutcome)
    assert (units(shipped.shipped), shipped.still_waiting) == (2, [])
    assert b.stock("TEA").on_hand == 1
    # Cancelling the rest of o1 (no lines given) frees its CUP.
    b.cancel("o1")
    assert b.stock("CUP").reserved == 0
    assert b.reconcile().ok


def test_sync_gives_only_changes_and_allocation_the_whole_table(ffi):
    b = book(ffi)
    first = b.sync()
    assert all(isinstance(d, ffi.SyncDelta) for d in first)
    assert all(d.previous is None for d in first)
    shown = {(d.channel, d.listing): d.quantity for d in first}
    assert shown[("rakuten", "tea")] == 7 and shown[("amazon", "B0TEA")] == 3  # 50 %, rounded down
    assert b.sync() == []
    b.reserve(request("o1", ("tea", 1)))
    changed = {(d.channel, d.listing): (d.previous, d.quantity) for d in b.sync()}
    assert changed[("rakuten", "tea")] == (7, 6)
    assert ("rakuten", "cup") not in changed
    table = b.allocation()
    assert all(isinstance(q, ffi.ListingQuantity) and q.store is None for q in table)
    assert {(q.channel, q.listing): q.quantity for q in table}[("rakuten", "tea")] == 6
    b.forget_pushed()
    again = b.sync()
    assert {(d.channel, d.listing) for d in again} == {(q.channel, q.listing) for q in table}
    assert all(d.previous is None for d in again)


def test_movements_are_typed_and_returned_once(ffi):
    b = book(ffi, levels=[{"sku": "TEA", "location": "tokyo", "on_hand": 1}])
    assert b.movements() == []  # the starting levels are not movements
    b.reserve(request("o1", ("tea", 2)))
    b.receive("TEA", "tokyo", 4)
    moved = b.movements()
    assert all(isinstance(m, ffi.StockMovement) for m in moved)
    assert [m.seq for m in moved] == sorted(m.seq for m in moved)
    kinds = [m.kind for m in moved]
    K = ffi.StockMovementKind
    assert K.RESERVATION in kinds and K.BACKORDER in kinds and K.RECEIPT in kinds
    receipt = next(m for m in moved if m.kind == K.RECEIPT)
    assert (receipt.sku, receipt.location, receipt.quantity, receipt.order, receipt.line) == ("TEA", "tokyo", 4, None, None)
    waiting = next(m for m in moved if m.kind == K.BACKORDER and m.quantity > 0)
    assert (waiting.location, waiting.order, waiting.line) == (None, "o1", 0)
    assert b.movements() == []


def test_reconcile(ffi):
    b = book(ffi)
    b.reserve(request("o1", ("gift", 1), ("tea", 9)))
    r = b.reconcile()
    assert isinstance(r, ffi.Reconciliation)
    assert (r.ok, r.mismatches, r.problems) == (True, [], [])
    assert r.reservations >= 3
    assert r.backordered_units == units(b.queue("TEA"))


def test_reorder_is_json(ffi):
    b = book(ffi)
    b.reserve(request("o1", ("tea", 9)))
    out = json.loads(b.reorder("2026-11-01"))
    tea = next(line for line in out["lines"] if line["sku"] == "TEA")
    # Position 7 on hand − 7 reserved − 2 waiting = −2; up to the target 20, in lots of 5.
    assert (tea["position"], tea["quantity"], tea["basis"]) == (-2, 20, "configured")
    assert ffi.reorder_quantity(-2, 10, 20, 5) == tea["quantity"]
    assert [p["supplier"] for p in out["purchase_orders"]] == ["chaya"]
    sales = [{"sku": "CUP", "date": "2026-10-20", "quantity": 3}]
    forecast = json.loads(b.reorder("2026-11-01", text(sales), text({"window_days": 30})))
    assert any(line["basis"] == "forecast" for line in forecast["lines"])


def test_step_is_the_methods_with_paths_under_the_operation(ffi):
    typed, stepped = book(ffi), book(ffi)
    out = typed.reserve(request("o1", ("tea", 8)))
    value = json.loads(stepped.step(text({"reserve": json.loads(request("o1", ("tea", 8)))})))
    assert units(out.reserved) == sum(r["quantity"] for r in value["reserved"])
    assert [(b.sku, b.quantity) for b in out.backordered] == [(b["sku"], b["quantity"]) for b in value["backordered"]]
    assert json.loads(stepped.step(text({"stock": {"sku": "TEA"}})))["reserved"] == typed.stock("TEA").reserved
    with pytest.raises(ffi.IchigenError.InvalidStock) as info:
        stepped.step(text({"reserve": json.loads(request("o2", ("nope", 1)))}))
    assert [(i.code, i.path) for i in info.value.issues] == [("STOCK_UNKNOWN_LISTING", "$.reserve.lines[0].listing_code")]
    with pytest.raises(ffi.IchigenError.InvalidStock) as info:
        typed.reserve(request("o2", ("nope", 1)))
    assert [(i.code, i.path) for i in info.value.issues] == [("STOCK_UNKNOWN_LISTING", "$.lines[0].listing_code")]
    with pytest.raises(ffi.IchigenError.InvalidStock) as info:
        stepped.step(text({"explode": {}}))
    assert [(i.code, i.path) for i in info.value.issues] == [("STOCK_BAD_STEP", "$")]


# --- errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, code, path",
    [
        (lambda b: b.receive("NOPE", "tokyo", 1), "STOCK_UNKNOWN_SKU", "$.sku"),
        (lambda b: b.receive("TEA", "nowhere", 1), "STOCK_UNKNOWN_LOCATION", "$.location"),
        (lambda b: b.receive("TEA", "tokyo", 0), "STOCK_BAD_QUANTITY", "$.quantity"),
        (lambda b: b.expect("TEA", "tokyo", -1), "STOCK_BAD_QUANTITY", "$.quantity"),
        (lambda b: b.adjust("TEA", "tokyo", -100), "STOCK_BELOW_ZERO", "$.delta"),
        (lambda b: b.cancel("zz"), "STOCK_UNKNOWN_ORDER", "$.order"),
        (lambda b: b.ship("o1", [7]), "STOCK_UNKNOWN_LINE", "$.lines[0]"),
        (lambda b: b.listing_free("ebay", "tea"), "STOCK_UNKNOWN_VALUE", "$.channel"),
        (lambda b: b.listing_free("rakuten", "nope"), "STOCK_UNKNOWN_LISTING", "$.listing"),
        (lambda b: b.listing_free("amazon", "tea", "a-store"), "STOCK_UNKNOWN_LISTING", "$.listing"),
        (lambda b: b.stock("NOPE"), "STOCK_UNKNOWN_SKU", "$.sku"),
        (lambda b: b.queue("NOPE"), "STOCK_UNKNOWN_SKU", "$.sku"),
        (lambda b: b.order("zz"), "STOCK_UNKNOWN_ORDER", "$.order"),
        (lambda b: b.reorder("2026-13-01"), "STOCK_BAD_DATE", "$.as_of"),
        (lambda b: b.reserve(request("o1", ("tea", 1))), "STOCK_ORDER_EXISTS", "$.order"),
        (lambda b: b.reserve(request("o2", ("tea", 0))), "STOCK_BAD_QUANTITY", "$.lines[0].quantity"),
        (lambda b: b.set_level(text({"sku": "TEA", "location": "tokyo"})), None, "$"),
    ],
)
def test_refusals_are_invalid_stock_and_change_nothing(ffi, call, code, path):
    b = book(ffi)
    b.reserve(request("o1", ("tea", 1)))
    b.sync()
    b.movements()
    before = (b.stock("TEA"), b.stock("CUP"), b.queue("TEA"), b.reconcile())
    with pytest.raises(ffi.IchigenError.InvalidStock) as info:
        call(b)
    e = info.value
    assert e.code == "STOCK_INVALID"
    assert e.issues, e
    if code is not None:
        assert (e.issues[0].code, e.issues[0].path) == (code, path)
    else:
        assert e.issues[0].code.startswith("STOCK_") and e.issues[0].path.startswith(path)
    assert e.message in str(e)
    assert (b.stock("TEA"), b.stock("CUP"), b.queue("TEA"), b.reconcile()) == before
    assert b.movements() == [] and b.sync() == []


def test_without_an_allocation_policy_sync_is_refused(ffi):
    b = book(ffi, allocation=None)
    for call in (b.sync, b.allocation, b.forget_pushed):
        with pytest.raises(ffi.IchigenError.InvalidStock) as info:
            call()
        assert [(i.code, i.path) for i in info.value.issues] == [("STOCK_NO_ALLOCATION", "$")]


@pytest.mark.parametrize(
    "catalog, levels, policy, allocation, issues",
    [
        ({"skus": [{"sku": "A"}, {"sku": "A"}], "locations": [], "listings": []}, None, None, None,
         [("STOCK_DUPLICATE_SKU", "$.skus[1].sku"), ("STOCK_NO_LOCATIONS", "$.locations")]),
        (CATALOG, [LEVELS[0], {"sku": "TEA", "location": "tokyo", "on_hand": -1}], None, None,
         [("STOCK_NEGATIVE", "$[1].on_hand")]),
        (CATALOG, None, {"strategy": "whatever"}, None, [("STOCK_UNKNOWN_VALUE", "$.strategy")]),
        (CATALOG, None, None, {"channels": [{"channel": "rakuten", "mode": "percent"}]},
         [("STOCK_MODE_PARAMETER", "$.channels[0].percent")]),
    ],
    ids=["catalog", "levels", "policy", "allocation"],
)
def test_a_book_that_cannot_be_built_lists_every_issue_in_its_argument(ffi, catalog, levels, policy, allocation, issues):
    args = [None if v is None else text(v) for v in (levels, policy, allocation)]
    with pytest.raises(ffi.IchigenError.InvalidStock) as info:
        ffi.StockBook(text(catalog), *args)
    assert info.value.code == "STOCK_INVALID"
    assert [(i.code, i.path) for i in info.value.issues] == issues


def test_text_that_is_not_json_is_input_parse_at_the_argument(ffi):
    good = text(CATALOG)
    cases = [
        (lambda bad: ffi.StockBook(bad), "$.catalog"),
        (lambda bad: ffi.StockBook(good, bad), "$.levels"),
        (lambda bad: ffi.StockBook(good, None, bad), "$.policy"),
        (lambda bad: ffi.StockBook(good, None, None, bad), "$.allocation"),
        (lambda bad: book(ffi).reserve(bad), "$.request"),
        (lambda bad: book(ffi).check(bad), "$.request"),
        (lambda bad: book(ffi).reserve_order(bad), "$.order"),
        (lambda bad: book(ffi).set_level(bad), "$.level"),
        (lambda bad: book(ffi).reorder("2026-11-01", bad), "$.sales"),
        (lambda bad: book(ffi).reorder("2026-11-01", None, bad), "$.forecast"),
        (lambda bad: book(ffi).step(bad), "$.step"),
        (lambda bad: ffi.stock_session(bad), "$.input"),
        (lambda bad: ffi.allocate_stock(bad, text(ALLOCATION), []), "$.catalog"),
        (lambda bad: ffi.allocate_stock(good, bad, []), "$.allocation"),
        (lambda bad: ffi.drop_ship_totals(bad, "[]"), "$.catalog"),
        (lambda bad: ffi.drop_ship_totals(good, bad), "$.lines"),
    ]
    for call, path in cases:
        with pytest.raises(ffi.IchigenError.InvalidInput) as info:
            call('{"name": "' + SECRET + '"')
        e = info.value
        assert [(i.code, i.path) for i in e.issues] == [("INPUT_PARSE", path)], path
        assert e.code == "INPUT_PARSE"
        assert SECRET not in str(e) and SECRET not in e.issues[0].message


def test_no_personal_data_in_stock_errors(ffi):
    order = json.loads(ffi.sample_order_json())
    order["buyer"]["name"] = SECRET
    order["buyer"]["phone"] = SECRET
    for recipient in order.get("recipients", []):
        recipient["name"] = SECRET
    order["lines"][0]["listing_code"] = "unknown-listing"
    b = book(ffi)
    with pytest.raises(ffi.IchigenError.InvalidStock) as info:
        b.reserve_order(text(order))
    e = info.value
    assert ("STOCK_UNKNOWN_LISTING", "$.lines[0].listing_code") in [(i.code, i.path) for i in e.issues]
    with pytest.raises(ffi.IchigenError.InvalidStock) as info2:
        b.reserve(request("o9", ("tea", 1), destination=SECRET))
    assert [(i.code, i.path) for i in info2.value.issues] == [("STOCK_UNKNOWN_PREFECTURE", "$.destination")]
    for err in (e, info2.value):
        for part in [str(err), err.message, *(i.message for i in err.issues), *(i.path for i in err.issues)]:
            assert SECRET not in part, part


def test_an_order_that_does_not_validate_is_invalid_order(ffi):
    order = json.loads(ffi.sample_order_json())
    order["lines"][0]["quantity"] = 0
    with pytest.raises(ffi.IchigenError.InvalidOrder) as info:
        book(ffi).reserve_order(text(order))
    assert ("ORDER_QUANTITY_ZERO", "$.lines[0].quantity") in [(i.code, i.path) for i in info.value.issues]


# --- triage --------------------------------------------------------------------

TRIAGE_CATALOG = {
    "skus": [{"sku": "TEA-A"}, {"sku": "SWT-01"}, {"sku": "CUP-01"}],
    "locations": [{"id": "tokyo", "prefecture": "東京都"}],
    "listings": [
        {"channel": "rakuten", "code": "tea-set-a", "sku": "TEA-A"},
        {"channel": "rakuten", "code": "sweets-01", "sku": "SWT-01"},
        {"channel": "rakuten", "code": "cup-01", "sku": "CUP-01"},
    ],
}
STOCK_RULES = {
    "name": "stock",
    "mode": "all_matching",
    "rules": [
        {"id": "short", "when": {"awaiting_stock": True}, "then": [{"add_hold": {"reason": "awaiting_stock"}}]},
        {"id": "reserved", "when": {"all_lines_reservable": True}, "then": [{"add_tags": ["引当済"]}]},
        {"id": "rest", "when": {}, "then": [{"set_status": "ready"}]},
    ],
}


@pytest.mark.parametrize("cups, status, matched", [(1, "ready", ["reserved", "rest"]), (0, "awaiting_stock", ["short", "rest"])])
def test_reserve_order_facts_drive_triage(ffi, cups, status, matched):
    levels = [{"sku": "TEA-A", "location": "tokyo", "on_hand": 5}, {"sku": "SWT-01", "location": "tokyo", "on_hand": 5},
              {"sku": "CUP-01", "location": "tokyo", "on_hand": cups}]
    b = ffi.StockBook(text(TRIAGE_CATALOG), text(levels))
    r = b.reserve_order(ffi.sample_order_json())
    assert isinstance(r, ffi.OrderReservation)
    order_id = json.loads(ffi.sample_order_json())["id"]
    assert {x.order for x in r.outcome.reserved} == {order_id}
    assert r.facts.awaiting_stock == (cups == 0)
    assert r.facts.all_lines_reservable == (cups == 1)
    assert r.facts == b.order(order_id).facts
    rules = ffi.RuleSet.from_json(text(STOCK_RULES))
    s = ffi.triage(rules, ffi.sample_order_json(), r.facts.context_json)
    assert (s.status, s.matched_rules) == (status, matched)
    # The facts merge with other context, such as a customer's.
    context = {**json.loads(r.facts.context_json), "merge_candidate": False}
    assert ffi.triage(rules, ffi.sample_order_json(), text(context)).status == status


# --- stateless functions ---------------------------------------------------------


def test_stock_session_runs_steps_and_reports_refusals(ffi):
    out = json.loads(ffi.stock_session(text({
        "catalog": CATALOG,
        "levels": LEVELS,
        "steps": [{"reserve": json.loads(request("o1", ("tea", 2)))}, {"stock": {"sku": "NOPE"}}, {"stock": {"sku": "TEA"}}],
    })))
    first, refused, view = out["results"]
    assert sum(r["quantity"] for r in first["reserved"]) == 2
    assert refused["error"]["code"] == "STOCK_INVALID"
    assert [(i["code"], i["path"]) for i in refused["error"]["issues"]] == [("STOCK_UNKNOWN_SKU", "$.steps[1].stock.sku")]
    assert view["reserved"] == 2
    with pytest.raises(ffi.IchigenError.InvalidStock):
        ffi.stock_session(text({"catalog": {"skus": [], "locations": [], "listings": []}}))


def test_allocate_stock_from_a_snapshot_matches_the_book(ffi):
    b = book(ffi)
    b.reserve(request("o1", ("gift", 1)))
    cells = [c for sku in ("TEA", "CUP", "BOOK") for c in b.stock(sku).locations if c.on_hand or c.reserved]
    rows = [ffi.StockSnapshotRow(sku=c.sku, location=c.location, on_hand=c.on_hand, reserved=c.reserved) for c in cells]
    assert all(r.buffer == 0 for r in rows)  # the record's default
    out = ffi.allocate_stock(text(CATALOG), text(ALLOCATION), rows)
    assert isinstance(out, ffi.StockAllocation) and out.issues == []
    assert out.quantities == b.allocation()


def test_allocate_stock_reports_bad_rows_and_counts_the_rest(ffi):
    rows = [
        ffi.StockSnapshotRow(sku="TEA", location="tokyo", on_hand=6, reserved=1, buffer=1),
        ffi.StockSnapshotRow(sku="NOPE", location="tokyo", on_hand=1),
        ffi.StockSnapshotRow(sku="TEA", location="tokyo", on_hand=9),
        ffi.StockSnapshotRow(sku="CUP", location="osaka", on_hand=-1),
    ]
    out = ffi.allocate_stock(text(CATALOG), text(ALLOCATION), rows)
    assert [(i.code, i.path) for i in out.issues] == [
        ("STOCK_UNKNOWN_SKU", "$.levels[1].sku"),
        ("STOCK_DUPLICATE_ROW", "$.levels[2]"),
        ("STOCK_NEGATIVE", "$.levels[3]"),
    ]
    table = {(q.channel, q.listing): q.quantity for q in out.quantities}
    assert table[("rakuten", "tea")] == 4 and table[("amazon", "B0TEA")] == 2
    with pytest.raises(ffi.IchigenError.InvalidStock) as info:
        ffi.allocate_stock(text(CATALOG), text({"channels": [{"channel": "rakuten", "mode": "sideways"}]}), rows)
    assert info.value.issues[0].path == "$.channels[0].mode"


def test_drop_ship_totals_are_typed(ffi):
    lines = [
        {"channel": "rakuten", "listing_code": "book", "quantity": 2},
        {"channel": "yahoo", "listing_code": "book-y", "quantity": 1},
        {"channel": "rakuten", "listing_code": "tea", "quantity": 5},
        {"channel": "rakuten", "listing_code": "nope", "quantity": 1},
    ]
    out = ffi.drop_ship_totals(text(CATALOG), text(lines))
    assert isinstance(out, ffi.DropShipTotals)
    assert [(t.supplier, t.units) for t in out.totals] == [("hon", 3)]
    line = out.totals[0].lines[0]
    assert (line.sku, line.quantity, line.channels) == ("BOOK", 3, {"rakuten": 2, "yahoo": 1})
    assert [(i.code, i.path) for i in out.issues] == [("STOCK_UNKNOWN_LISTING", "$.lines[3].listing_code")]
    with pytest.raises(ffi.IchigenError.InvalidStock) as info:
        ffi.drop_ship_totals(text(CATALOG), text([{"channel": "rakuten", "listing_code": "book"}]))
    assert info.value.issues[0].path.startswith("$.lines[0]")


@pytest.mark.parametrize(
    "position, point, target, lot, quantity",
    [(11, 10, 20, 5, 0), (10, 10, 20, 5, 10), (8, 10, 20, 5, 10), (-3, 10, 20, 5, 20), (9, 10, 10, 5, 5),
     (5, 10, 0, 5, 0), (5, 10, 12, 0, 7)],
)
def test_reorder_quantity(ffi, position, point, target, lot, quantity):
    assert ffi.reorder_quantity(position, point, target, lot) == quantity


def test_reorder_quantity_lot_defaults_to_one(ffi):
    assert ffi.reorder_quantity(3, 5, 10) == 7


# --- threads -----------------------------------------------------------------------


def test_a_book_shared_between_threads_stays_consistent(ffi):
    b = ffi.StockBook(text(CATALOG), text([{"sku": "TEA", "location": "tokyo", "on_hand": 150}]), None, text(ALLOCATION))
    b.sync()

    def work(t):
        for i in range(25):
            b.reserve(request(f"t{t}-{i}", ("tea", 1)))
            if i % 5 == 0:
                b.sync()
        return t

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert sorted(pool.map(work, range(8))) == list(range(8))
    view = b.stock("TEA")
    assert (view.reserved, view.backordered, view.free) == (150, 50, 0)
    r = b.reconcile()
    assert r.ok and r.reservations == 150 and r.backordered_units == 50
    # Whatever the threads pushed, the last sync leaves nothing to push.
    b.sync()
    assert b.sync() == []
    assert {(q.channel, q.listing): q.quantity for q in b.allocation()}[("rakuten", "tea")] == 0


def test_the_readme_stock_example(ffi):
    """The README's Swift snippet, call for call, with the values its comments give."""
    catalog = text(TRIAGE_CATALOG)
    allocation = text({"channels": [{"channel": "rakuten", "mode": "uniform"}]})
    b = ffi.StockBook(catalog, text([{"sku": "TEA-A", "location": "tokyo", "on_hand": 2}]), None, allocation)
    out = b.reserve(text({"order": "o1", "channel": "rakuten", "lines": [{"listing_code": "tea-set-a", "quantity": 3}]}))
    assert ([r.quantity for r in out.reserved], [x.quantity for x in out.backordered]) == ([2], [1])
    first = b.sync()
    assert (first[0].channel, first[0].listing, first[0].quantity) == ("rakuten", "tea-set-a", 0)
    assert len(first) == len(TRIAGE_CATALOG["listings"])
    assert b.receive("TEA-A", "tokyo", 5).completed_orders == ["o1"]
    reservation = b.reserve_order(ffi.sample_order_json())
    assert reservation.facts.awaiting_stock
    table = ffi.allocate_stock(catalog, allocation, [ffi.StockSnapshotRow(sku="TEA-A", location="tokyo", on_hand=7, reserved=2)])
    assert (table.quantities[0].listing, table.quantities[0].quantity) == ("tea-set-a", 5)
    assert ffi.reorder_quantity(3, 5, 20, 6) == 12
