"""Stock: StockBook method by method, the stateless functions, allocate_stock over
Arrow (pyarrow and polars), and the errors (StockError, paths, InputError for
arguments and columns)."""

import datetime
import json
import threading

import polars as pl
import pyarrow as pa
import pytest

import ichigen
import stock_vectors
from conftest import VECTORS

CATALOG = {
    "skus": [
        {"sku": "TEA", "supplier": "chaya", "lot": 5, "reorder_point": 10, "target_level": 20},
        {"sku": "CUP", "supplier": "toki"},
        {"sku": "BOOK", "drop_ship": True, "supplier": "hon"},
    ],
    "locations": [
        {"id": "tokyo", "prefecture": "東京都"},
        {"id": "osaka", "prefecture": "大阪府"},
    ],
    "listings": [
        {"channel": "rakuten", "code": "tea", "sku": "TEA"},
        {"channel": "rakuten", "code": "cup", "sku": "CUP"},
        {
            "channel": "rakuten",
            "code": "gift",
            "components": [{"sku": "TEA", "quantity": 2}, {"sku": "CUP", "quantity": 1}],
        },
        {"channel": "rakuten", "code": "book", "sku": "BOOK"},
        {"channel": "yahoo", "store": "y1", "code": "tea-y", "sku": "TEA"},
    ],
}
LEVELS = [
    {"sku": "TEA", "location": "tokyo", "on_hand": 5},
    {"sku": "TEA", "location": "osaka", "on_hand": 3},
    {"sku": "CUP", "location": "tokyo", "on_hand": 2},
]
ALLOCATION = {
    "channels": [
        {"channel": "rakuten", "mode": "uniform"},
        {"channel": "yahoo", "store": "y1", "mode": "percent", "percent": "50"},
    ]
}


def book(**kw):
    return ichigen.StockBook(CATALOG, LEVELS, kw.get("policy"), kw.get("allocation", ALLOCATION))


def request(order, *lines, **extra):
    return {
        "order": order,
        "channel": "rakuten",
        "lines": [{"listing_code": code, "quantity": q} for code, q in lines],
        **extra,
    }


def _raise(cls, call):
    with pytest.raises(cls) as info:
        call()
    return info.value


# --- StockBook ---------------------------------------------------------------


def test_reserve_stock_and_queue():
    b = book()
    out = b.reserve(request("o1", ("tea", 6)))
    assert sum(r["quantity"] for r in out["reserved"]) == 6
    assert out["backordered"] == []
    view = b.stock("TEA")
    assert (view["on_hand"], view["reserved"], view["free"]) == (8, 6, 2)
    assert {c["location"] for c in view["locations"]} == {"tokyo", "osaka"}

    # More than is free waits in the queue, first come first served.
    out = b.reserve(request("o2", ("tea", 4)))
    assert out["backordered"] == [{"order": "o2", "line": 0, "sku": "TEA", "quantity": 2}]
    assert b.queue("TEA") == [{"order": "o2", "line": 0, "sku": "TEA", "quantity": 2}]
    assert b.order("o2")["awaiting_stock"] is True

    served = b.receive("TEA", "tokyo", 5)
    assert served["completed_orders"] == ["o2"]
    assert b.queue(sku="TEA") == []
    assert b.reconcile()["ok"] is True


def test_check_changes_nothing():
    b = book()
    before = b.stock("TEA")
    out = b.check(request("o1", ("gift", 2)))
    assert {r["sku"] for r in out["reserved"]} == {"TEA", "CUP"}
    assert b.stock("TEA") == before
    assert b.movements() == []


def test_keyword_methods_build_the_core_arguments():
    b = book()
    assert b.expect("TEA", "tokyo", 10) is None
    assert b.stock("TEA")["incoming"] == 10
    b.receive(sku="TEA", location="tokyo", quantity=4, expected=True)
    assert b.stock("TEA")["incoming"] == 6
    b.adjust("TEA", "osaka", delta=-1)
    b.set_level("CUP", "osaka", 7, buffer=2)
    cup = {c["location"]: c for c in b.stock("CUP")["locations"]}
    assert (cup["osaka"]["on_hand"], cup["osaka"]["buffer"], cup["osaka"]["free"]) == (7, 2, 5)
    kinds = [m["kind"] for m in b.movements()]
    assert "receipt" in kinds and "adjustment" in kinds
    assert b.movements() == []  # taken


def test_cancel_and_ship_lines():
    b = book()
    b.reserve(request("o1", ("tea", 1), ("cup", 1)))
    b.cancel("o1", lines=[1])
    assert [r["line"] for r in b.order("o1")["reservations"]] == [0]
    shipped = b.ship("o1")
    assert [r["sku"] for r in shipped["shipped"]] == ["TEA"]
    assert b.stock("TEA")["on_hand"] == 7


def test_listing_free_is_an_int():
    b = book()
    assert b.listing_free("rakuten", "gift") == 2  # min(8 // 2, 2 // 1)
    assert b.listing_free("yahoo", "tea-y", store="y1") == 8
    err = _raise(ichigen.StockError, lambda: b.listing_free("yahoo", "tea-y"))
    assert err.issues[0]["code"] == "STOCK_UNKNOWN_LISTING"
    assert err.issues[0]["path"] == "$.listing"


def test_sync_allocation_and_forget_pushed():
    b = book()
    first = b.sync()
    assert {(d["channel"], d.get("store"), d["listing"]): d["quantity"] for d in first}[
        ("yahoo", "y1", "tea-y")
    ] == 4
    assert all(d["previous"] is None for d in first)
    assert b.sync() == []
    b.reserve(request("o1", ("tea", 2)))
    changed = b.sync()
    tea = next(d for d in changed if d["listing"] == "tea")
    assert (tea["quantity"], tea["previous"]) == (6, 8)
    assert b.forget_pushed() is None
    assert len(b.sync()) == len(b.allocation()) == len(first)


def test_reorder_takes_a_date_or_iso_text():
    b = book()
    by_date = b.reorder(datetime.date(2026, 11, 23))
    assert by_date == b.reorder("2026-11-23")
    tea = next(line for line in by_date["lines"] if line["sku"] == "TEA")
    assert tea["quantity"] == 10  # position 8, point 10, target 20, lot 5
    assert by_date["purchase_orders"][0]["supplier"] == "chaya"
    err = _raise(
        ichigen.InputError,
        lambda: b.reorder(datetime.datetime(2026, 11, 23, tzinfo=datetime.timezone.utc)),
    )
    assert (err.code, err.issues[0]["path"]) == ("INPUT_WRONG_TYPE", "$.as_of")
    err = _raise(ichigen.StockError, lambda: b.reorder("23/11/2026"))
    assert err.issues[0]["path"] == "$.as_of"


def test_step_dispatches_and_prefixes_paths():
    b = book()
    assert b.step({"reserve": request("o1", ("tea", 1))})["reserved"][0]["quantity"] == 1
    assert b.step('{"stock": {"sku": "TEA"}}')["reserved"] == 1
    err = _raise(ichigen.StockError, lambda: b.step({"receive": {"sku": "TEA", "location": "tokyo", "quantity": 0}}))
    assert err.issues[0]["path"] == "$.receive.quantity"
    err = _raise(ichigen.StockError, lambda: b.step({"explode": {}}))
    assert err.issues[0]["code"] == "STOCK_BAD_STEP"


def test_reserve_order_gives_triage_facts(order):
    catalog = {
        "skus": [{"sku": line["sku"]} for line in order["lines"]],
        "locations": [{"id": "tokyo", "prefecture": "東京都"}],
        "listings": [
            {"channel": order["channel"], "code": line["sku"], "sku": line["sku"]}
            for line in order["lines"]
        ],
    }
    levels = [{"sku": line["sku"], "location": "tokyo", "on_hand": 100} for line in order["lines"]]
    b = ichigen.StockBook(json.dumps(catalog), json.dumps(levels))
    out = b.reserve_order(order)
    assert out["facts"] == {"all_lines_reservable": True, "awaiting_stock": False}
    assert out["backordered"] == []
    err = _raise(ichigen.StockError, lambda: b.reserve_order(order))
    assert err.issues[0]["code"] == "STOCK_ORDER_EXISTS"
    _raise(ichigen.OrderError, lambda: b.reserve_order({**order, "lines": []}))


def test_repr_and_sharing_between_threads():
    b = ichigen.StockBook(CATALOG, [{"sku": "TEA", "location": "tokyo", "on_hand": 1000}])
    assert repr(b) == "StockBook(skus=3, locations=2, listings=5, allocation=False)"

    def work(t):
        for i in range(50):
            b.reserve(request(f"t{t}-{i}", ("tea", 2)))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    view = b.stock("TEA")
    assert (view["reserved"], view["backordered"]) == (400, 0)
    assert b.reconcile()["ok"] is True


# --- errors ------------------------------------------------------------------


def test_stock_error_class_code_and_issues():
    assert issubclass(ichigen.StockError, ichigen.IchigenError)
    assert ichigen.StockError.__module__ == "ichigen"
    b = book()
    err = _raise(
        ichigen.StockError,
        lambda: b.reserve(request("o1", ("tea", 1), ("nosuch", 1), ("cup", 0))),
    )
    assert err.code == "STOCK_INVALID"
    assert str(err) == err.message and err.message.startswith("invalid stock data")
    assert [(i["code"], i["path"]) for i in err.issues] == [
        ("STOCK_UNKNOWN_LISTING", "$.lines[1].listing_code"),
        ("STOCK_BAD_QUANTITY", "$.lines[2].quantity"),
    ]
    assert b.stock("TEA")["reserved"] == 0  # nothing of the order reserved


def test_method_errors_name_the_parameter():
    b = book()
    for call, path in [
        (lambda: b.receive("TEA", "tokyo", 0), "$.quantity"),
        (lambda: b.receive("NOPE", "tokyo", 1), "$.sku"),
        (lambda: b.adjust("TEA", "kyoto", 1), "$.location"),
        (lambda: b.adjust("TEA", "tokyo", -99), "$.delta"),
        (lambda: b.stock("NOPE"), "$.sku"),
        (lambda: b.order("o404"), "$.order"),
        (lambda: b.cancel("o404"), "$.order"),
        (lambda: b.receive("TEA", "tokyo", "3"), "$.quantity"),
    ]:
        err = _raise(ichigen.StockError, call)
        assert err.issues[0]["path"] == path, (path, err.issues)
    err = _raise(ichigen.InputError, lambda: b.receive("TEA", "tokyo", {1, 2}))
    assert err.issues[0]["path"] == "$.quantity"
    with pytest.raises(TypeError):
        b.set_level("TEA", "tokyo", 1, buffer="2")


def test_no_allocation_policy():
    b = book(allocation=None)
    for call in (b.sync, b.allocation, b.forget_pushed):
        err = _raise(ichigen.StockError, call)
        assert err.issues[0]["code"] == "STOCK_NO_ALLOCATION"


def test_construction_errors_by_argument():
    err = _raise(ichigen.StockError, lambda: ichigen.StockBook({"skus": [{"sku": "A"}, {"sku": "A"}]}))
    assert err.issues[0]["path"].startswith("$.skus")
    err = _raise(
        ichigen.StockError,
        lambda: ichigen.StockBook(CATALOG, [LEVELS[0], {"sku": "NOPE", "location": "tokyo", "on_hand": 1}]),
    )
    assert err.issues[0]["path"].startswith("$[1]")
    err = _raise(ichigen.StockError, lambda: ichigen.StockBook(CATALOG, policy={"strategy": "random"}))
    assert err.issues[0]["path"] == "$.strategy"
    err = _raise(ichigen.InputError, lambda: ichigen.StockBook("{not json"))
    assert err.code == "INPUT_PARSE"


# --- stateless ---------------------------------------------------------------


def test_stock_session_reports_refused_steps():
    out = ichigen.stock_session(
        {
            "catalog": CATALOG,
            "levels": LEVELS,
            "steps": [{"reserve": request("o1", ("tea", 1))}, {"reserve": request("o1", ("tea", 1))}],
        }
    )
    assert out["results"][0]["reserved"][0]["quantity"] == 1
    assert out["results"][1]["error"]["code"] == "STOCK_INVALID"
    assert out["results"][1]["error"]["issues"][0]["path"] == "$.steps[1].reserve.order"


def test_drop_ship_totals():
    lines = [
        {"channel": "rakuten", "listing_code": "book", "quantity": 2},
        {"channel": "rakuten", "listing_code": "tea", "quantity": 1},
        {"channel": "rakuten", "listing_code": "nosuch", "quantity": 1},
    ]
    out = ichigen.drop_ship_totals(CATALOG, lines)
    assert out["totals"] == [
        {"supplier": "hon", "units": 2, "lines": [{"sku": "BOOK", "quantity": 2, "channels": {"rakuten": 2}}]}
    ]
    assert [(i["code"], i["path"]) for i in out["issues"]] == [("STOCK_UNKNOWN_LISTING", "$.lines[2].listing_code")]


def test_reorder_quantity():
    assert ichigen.reorder_quantity(9, 10, 20, 5) == 10
    assert ichigen.reorder_quantity(-3, 0, 10) == 13
    assert ichigen.reorder_quantity(position=11, point=10, target=20, lot=5) == 0
    err = _raise(ichigen.StockError, lambda: ichigen.reorder_quantity(1, 2, 3, -1))
    assert err.issues[0]["path"] == "$.lot"
    with pytest.raises(TypeError):
        ichigen.reorder_quantity("9", 10, 20)


# --- allocate_stock over Arrow -----------------------------------------------

SNAPSHOT = {
    "sku": ["TEA", "TEA", "CUP"],
    "location": ["tokyo", "osaka", "tokyo"],
    "on_hand": [10, 5, 3],
    "reserved": [2, 0, 0],
    "buffer": [1, 0, 0],
}


def quantities(table):
    return {(r["channel"], r["store"], r["listing"]): r["quantity"] for r in table.to_pylist()}


def test_allocate_stock_pyarrow():
    table, issues = ichigen.allocate_stock(CATALOG, ALLOCATION, pa.table(SNAPSHOT))
    assert issues == []
    assert table.schema == pa.schema(
        [
            pa.field("channel", pa.string(), nullable=False),
            pa.field("store", pa.string()),
            pa.field("listing", pa.string(), nullable=False),
            pa.field("quantity", pa.int64(), nullable=False),
        ]
    )
    assert quantities(table) == {
        ("rakuten", None, "tea"): 12,
        ("rakuten", None, "cup"): 3,
        ("rakuten", None, "gift"): 3,
        ("rakuten", None, "book"): 0,
        ("yahoo", "y1", "tea-y"): 6,
    }
    # The same as the core's JSON allocation.
    rows = [dict(zip(SNAPSHOT, values)) for values in zip(*SNAPSHOT.values())]
    core = ichigen._native._stock_json(
        "allocate", {"catalog": CATALOG, "allocation": ALLOCATION, "levels": rows}
    )
    assert [q["quantity"] for q in core["quantities"]] == table.column("quantity").to_pylist()


def test_allocate_stock_other_producers_and_types():
    want = quantities(ichigen.allocate_stock(CATALOG, ALLOCATION, pa.table(SNAPSHOT))[0])
    int32 = pa.table(SNAPSHOT).cast(
        pa.schema(
            [("sku", pa.large_string()), ("location", pa.string_view())]
            + [(k, pa.int32()) for k in ("on_hand", "reserved", "buffer")]
        )
    )
    unsigned = pa.table(SNAPSHOT).cast(
        pa.schema([("sku", pa.string()), ("location", pa.string())] + [(k, pa.uint16()) for k in ("on_hand", "reserved", "buffer")])
    )
    dictionary = pa.table(SNAPSHOT)
    dictionary = dictionary.set_column(0, "sku", dictionary.column("sku").dictionary_encode())
    chunked = pa.Table.from_batches(pa.table(SNAPSHOT).to_batches(max_chunksize=1))
    assert chunked.column("sku").num_chunks == 3
    for levels in [
        int32,
        unsigned,
        dictionary,
        chunked,
        pa.table(SNAPSHOT).to_batches()[0],
        pl.DataFrame(SNAPSHOT),
        pl.DataFrame(SNAPSHOT).with_columns(pl.col("sku").cast(pl.Categorical), pl.col("on_hand").cast(pl.Int32)),
    ]:
        table, issues = ichigen.allocate_stock(json.dumps(CATALOG), ALLOCATION, levels)
        assert quantities(table) == want
        assert issues == []


def test_allocate_stock_optional_columns_and_ignored_ones():
    levels = pa.table({"note": ["x"], "sku": ["TEA"], "location": ["tokyo"], "on_hand": [4]})
    table, issues = ichigen.allocate_stock(CATALOG, ALLOCATION, levels)
    assert issues == []
    assert quantities(table)[("rakuten", None, "tea")] == 4


def test_allocate_stock_reports_bad_rows_and_counts_the_rest():
    levels = pl.DataFrame(
        {
            "sku": ["TEA", None, "TEA", "NOPE", "TEA", "CUP", "CUP"],
            "location": ["tokyo", "tokyo", "osaka", "tokyo", "tokyo", "osaka", "tokyo"],
            "on_hand": [10, 1, None, 1, 4, -1, 3],
            "reserved": pl.Series([2, 0, 0, 0, 0, 0, None], dtype=pl.Int64),
        }
    )
    table, issues = ichigen.allocate_stock(CATALOG, ALLOCATION, levels)
    assert [(i["code"], i["path"]) for i in issues] == [
        ("STOCK_MISSING_VALUE", "$.levels[1].sku"),
        ("STOCK_MISSING_VALUE", "$.levels[2].on_hand"),
        ("STOCK_UNKNOWN_SKU", "$.levels[3].sku"),
        ("STOCK_DUPLICATE_ROW", "$.levels[4]"),
        ("STOCK_NEGATIVE", "$.levels[5]"),
        ("STOCK_MISSING_VALUE", "$.levels[6].reserved"),
    ]
    # Only row 0 counts: a null is never read as 0.
    assert quantities(table)[("rakuten", None, "tea")] == 8
    assert quantities(table)[("rakuten", None, "cup")] == 0


def test_allocate_stock_out_of_range_count():
    levels = pa.table(
        {"sku": ["TEA"], "location": ["tokyo"], "on_hand": pa.array([2**63], pa.uint64())}
    )
    _, issues = ichigen.allocate_stock(CATALOG, ALLOCATION, levels)
    assert [(i["code"], i["path"]) for i in issues] == [("STOCK_OUT_OF_RANGE", "$.levels[0].on_hand")]


@pytest.mark.parametrize(
    "levels, path",
    [
        (pa.table({"sku": ["TEA"], "location": ["tokyo"]}), "$.levels.on_hand"),
        (pa.table({"location": ["tokyo"], "on_hand": [1]}), "$.levels.sku"),
        (pa.table({"sku": ["TEA"], "location": ["tokyo"], "on_hand": [1.5]}), "$.levels.on_hand"),
        (pa.table({"sku": [1], "location": ["tokyo"], "on_hand": [1]}), "$.levels.sku"),
        (
            pa.table({"sku": ["TEA"], "location": ["tokyo"], "on_hand": [1], "buffer": ["0"]}),
            "$.levels.buffer",
        ),
    ],
)
def test_allocate_stock_bad_columns(levels, path):
    err = _raise(ichigen.InputError, lambda: ichigen.allocate_stock(CATALOG, ALLOCATION, levels))
    assert err.code == "STOCK_BAD_COLUMNS"
    assert err.issues[0]["path"] == path


def test_allocate_stock_bad_arguments():
    err = _raise(ichigen.InputError, lambda: ichigen.allocate_stock(CATALOG, ALLOCATION, [{"sku": "TEA"}]))
    assert (err.code, err.issues[0]["path"]) == ("INPUT_WRONG_TYPE", "$.levels")
    err = _raise(
        ichigen.StockError,
        lambda: ichigen.allocate_stock(CATALOG, {"channels": [{"channel": "rakuten"}]}, pa.table(SNAPSHOT)),
    )
    assert err.issues[0]["code"] == "STOCK_MISSING_FIELD"


def test_allocate_stock_empty_levels():
    empty = pa.table(
        {"sku": pa.array([], pa.string()), "location": pa.array([], pa.string()), "on_hand": pa.array([], pa.int64())}
    )
    table, issues = ichigen.allocate_stock(CATALOG, ALLOCATION, empty)
    assert issues == [] and set(table.column("quantity").to_pylist()) == {0}


# --- the vector runner -------------------------------------------------------


def test_vector_steps_go_through_the_typed_methods():
    """Every operation of the stock_session vectors runs through its own method at
    least once (`step` is only the fallback for arguments a method cannot take)."""
    ops = set()
    for path in sorted((VECTORS / "stock").glob("*.json")):
        vector = json.loads(path.read_text(encoding="utf-8"))
        if vector["op"] != "stock_session":
            continue
        steps = vector["input"].get("steps") or []
        ops |= {op for s in steps if isinstance(s, dict) and len(s) == 1 for op in s}
        try:
            stock_vectors.session(vector["input"])
        except ichigen.StockError:
            assert "expect_error" in vector
    known = stock_vectors.WHOLE | stock_vectors.NO_ARG | set(stock_vectors.FIELDS)
    assert ops & known, "the vectors exercise stock operations"
    for op in ops & known:
        assert stock_vectors.USED[op, "method"] > 0, op
