"""OrderHistory, fit_clv and predict_clv: Arrow inputs of every kind (pyarrow,
polars; dictionary, integer and string customers; timestamps with and without a
zone, dates, integer seconds; integer, decimal and float money), the errors of
bad cells, the result types, the GIL, and the CDNOW figures of the papers."""

import datetime
import decimal
import math
import threading
import time
import zoneinfo
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest

import ichigen
from analytics_vectors import face_rows, round_to

REPO = Path(__file__).resolve().parents[3]
CDNOW = REPO / "tests" / "fixtures" / "cdnow" / "CDNOW_sample.txt"
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
UTC = datetime.timezone.utc

# A small shop: local (Tokyo) wall-clock times, yen.
LOCAL = [
    datetime.datetime(2026, 1, 1, 23, 30),
    datetime.datetime(2026, 1, 2, 0, 30),
    datetime.datetime(2026, 1, 15, 12, 0),
    datetime.datetime(2026, 2, 3, 9, 15),
    datetime.datetime(2026, 3, 20, 18, 45),
    datetime.datetime(2026, 3, 21, 8, 0),
    datetime.datetime(2026, 4, 1, 21, 10),
]
CUSTOMERS = ["c-01", "c-02", "c-01", "c-03", "c-02", "c-01", "c-04"]
AMOUNTS = [1200, 800, 3000, 70000, 4500, 2500, 990]
CHANNELS = ["rakuten", "amazon", "rakuten", None, "yahoo", "rakuten", "amazon"]
STATUS = [None, None, None, None, "cancelled", None, "shipped"]

CONFIG = {"as_of": "2026-04-30"}


def analyses(h):
    """Every analysis of a history as the JSON face's rows."""
    repeat = {"as_of": "2026-04-30", "from": "2026-01-01"}
    return {
        "describe": h.describe(),
        "sales": h.sales({"group_by": ["date", "hour", "channel"]}, output="rows"),
        "sales_all": h.sales({"include_cancelled": True}, output="rows"),
        "rfm": h.rfm(CONFIG, output="rows"),
        "grid": h.rfm_grid(CONFIG, output="rows"),
        "cpm": h.cpm(CONFIG, output="rows"),
        "segments": h.cpm_segments(CONFIG, output="rows"),
        "flows": h.cpm_flows({"as_of": "2026-02-28"}, "2026-04-30", output="rows"),
        "balance": h.balance_sheet(CONFIG, output="rows"),
        "f2": h.f2(repeat, output="rows"),
        "repeat": h.repeat_rates(repeat, output="rows"),
        "cohorts": h.cohorts(repeat, output="rows"),
        "ltv": h.channel_ltv(repeat, output="rows"),
        "clv": h.clv_summary({"observation_end": "2026-04-30", "decimals": 6}, output="rows"),
    }


def json_history():
    rows = []
    for c, t, a, ch, s in zip(CUSTOMERS, LOCAL, AMOUNTS, CHANNELS, STATUS):
        rows.append(
            {"customer": c, "ordered_at": t.isoformat(), "amount": a, "channel": ch, "status": s}
        )
    return ichigen.OrderHistory(rows)


def pyarrow_table():
    instants = [t.replace(tzinfo=TOKYO).astimezone(UTC) for t in LOCAL]
    return pa.table(
        {
            "customer": pa.array(CUSTOMERS),
            "ordered_at": pa.array(instants, pa.timestamp("s", tz="UTC")),
            "amount": pa.array(AMOUNTS, pa.int64()),
            "channel": pa.array(CHANNELS),
            "status": pa.array(STATUS),
        }
    )


def polars_frame(zone):
    df = pl.DataFrame(
        {
            "customer": pl.Series(CUSTOMERS).cast(pl.Categorical),
            "ordered_at": pl.Series(LOCAL, dtype=pl.Datetime("us")),
            "amount": pl.Series(AMOUNTS, dtype=pl.Int32),
            "channel": pl.Series(CHANNELS),
            "status": pl.Series(STATUS),
        }
    )
    if zone:
        # The same local times as instants with a zone.
        df = df.with_columns(pl.col("ordered_at").dt.replace_time_zone(zone))
    return df


def test_pyarrow_matches_the_json_face():
    assert analyses(ichigen.OrderHistory(pyarrow_table())) == analyses(json_history())


@pytest.mark.parametrize("zone", [None, "Asia/Tokyo"])
def test_polars_matches_pyarrow(zone):
    df = polars_frame(zone)
    schema = pa.table(df).schema
    assert pa.types.is_dictionary(schema.field("customer").type)
    assert schema.field("ordered_at").type.tz == zone
    assert analyses(ichigen.OrderHistory(df)) == analyses(ichigen.OrderHistory(pyarrow_table()))


def test_polars_reads_the_results():
    h = ichigen.OrderHistory(polars_frame("Asia/Tokyo"))
    df = pl.from_arrow(h.rfm(CONFIG))
    assert df.schema["customer"] == pl.Categorical
    assert df["customer"].to_list() == h.rfm(CONFIG).column("customer").to_pylist()


@pytest.mark.parametrize(
    "ids, arrow_type",
    [
        ([101, 7, 101, 3, 7, 101, 12], pa.int64()),
        ([101, 7, 101, 3, 7, 101, 12], pa.int32()),
        ([2**64 - 1, 7, 2**64 - 1, 3, 7, 2**64 - 1, 12], pa.uint64()),
    ],
)
def test_integer_customer_ids(ids, arrow_type):
    t = pyarrow_table().set_column(0, "customer", pa.array(ids, arrow_type))
    as_text = pyarrow_table().set_column(0, "customer", pa.array([str(i) for i in ids]))
    assert analyses(ichigen.OrderHistory(t)) == analyses(ichigen.OrderHistory(as_text))


def _dates(h):
    return [r["date"] for r in h.sales({"group_by": ["date"]}, output="rows")]


def test_a_tokyo_order_at_2330_lands_on_that_day():
    local = [datetime.datetime(2026, 1, 1, 23, 30), datetime.datetime(2026, 1, 2, 0, 30)]
    instants = [t.replace(tzinfo=TOKYO) for t in local]
    base = {"customer": ["a", "b"], "amount": [1, 1]}
    naive = pa.table(dict(base, ordered_at=pa.array(local, pa.timestamp("us"))))
    aware = pa.table(dict(base, ordered_at=pa.array(instants, pa.timestamp("ms", tz="UTC"))))
    seconds = pa.table(dict(base, ordered_at=[int(t.timestamp()) for t in instants]))
    for t in (naive, aware, seconds):
        assert _dates(ichigen.OrderHistory(t)) == ["2026-01-01", "2026-01-02"]
    # In UTC the first is still the 1st (14:30), the second too (15:30).
    assert _dates(ichigen.OrderHistory(aware, zone="UTC")) == ["2026-01-01"]
    # A date is the shop's local midnight.
    dates = pa.table(dict(base, ordered_at=pa.array([d.date() for d in local], pa.date32())))
    assert _dates(ichigen.OrderHistory(dates)) == ["2026-01-01", "2026-01-02"]


def test_sub_second_instants_are_floored():
    # Half a second before 1970 is still 1969-12-31 in UTC.
    t = pa.table(
        {
            "customer": ["a", "b"],
            "ordered_at": pa.array([-500_000_000, 500_000_000], pa.timestamp("ns", tz="UTC")),
            "amount": [1, 1],
        }
    )
    assert _dates(ichigen.OrderHistory(t, zone="UTC")) == ["1969-12-31", "1970-01-01"]


def test_local_times_across_daylight_saving_match_the_json_face():
    zone = "America/New_York"
    start = datetime.datetime(2026, 3, 7)
    local = []
    for day0 in (datetime.datetime(2026, 3, 7), datetime.datetime(2026, 10, 31)):
        for k in range(3 * 48):
            t = day0 + datetime.timedelta(minutes=30 * k)
            if not (t.date() == datetime.date(2026, 3, 8) and t.hour == 2):  # the gap
                local.append(t)
    n = len(local)
    rows = [
        {"customer": f"c{i % 5}", "ordered_at": t.isoformat(), "amount": "1.25"}
        for i, t in enumerate(local)
    ]
    expected = ichigen.OrderHistory(rows, zone=zone, currency="USD")
    t = pa.table(
        {
            "customer": [f"c{i % 5}" for i in range(n)],
            "ordered_at": pa.array(local, pa.timestamp("s")),
            "amount": pa.array([decimal.Decimal("1.25")] * n, pa.decimal128(5, 2)),
        }
    )
    got = ichigen.OrderHistory(t, zone=zone, currency="USD")
    query = {"group_by": ["date", "hour"]}
    assert got.sales(query, output="rows") == expected.sales(query, output="rows")
    assert start.date().isoformat() == got.describe()["first_date"]
    # A time in the gap does not exist.
    gap = pa.table(
        {
            "customer": ["a", "b"],
            "ordered_at": pa.array(
                [datetime.datetime(2026, 3, 8, 1, 59), datetime.datetime(2026, 3, 8, 2, 30)],
                pa.timestamp("s"),
            ),
            "amount": [1, 1],
        }
    )
    with pytest.raises(ichigen.AnalyticsError) as e:
        ichigen.OrderHistory(gap, zone=zone, currency="USD")
    assert [(i["code"], i["path"]) for i in e.value.issues] == [
        ("ANALYTICS_BAD_INSTANT", "$.orders.ordered_at[1]")
    ]


def _issues(orders, lines=None, **kw):
    with pytest.raises(ichigen.AnalyticsError) as e:
        ichigen.OrderHistory(orders, lines, **kw)
    assert e.value.code == "ANALYTICS_INVALID"
    assert isinstance(e.value, ichigen.IchigenError)
    return [(i["code"], i["path"]) for i in e.value.issues]


def _orders(amount, n=None, customer=None, ordered_at=None):
    n = len(amount) if n is None else n
    return pa.table(
        {
            "customer": customer if customer is not None else [f"c{i}" for i in range(n)],
            "ordered_at": ordered_at if ordered_at is not None else list(range(n)),
            "amount": amount,
        }
    )


@pytest.mark.parametrize(
    "amount, currency, bad",
    [
        (pa.array([100, 10**16, None, -5], pa.int64()), "JPY", [1, 2]),
        (pa.array([1200.0, 1200.5, math.nan, math.inf, -0.0], pa.float64()), "JPY", [1, 2, 3]),
        (pa.array([12.34, 12.345, 0.1 + 0.2, 0.1, 7.0], pa.float64()), "USD", [1, 2]),
        (pa.array([12.34, 12.5], pa.float32()), "USD", []),
        (
            pa.array([decimal.Decimal(x) for x in ["1200.00", "1200.50", "-3.00"]], pa.decimal128(8, 2)),
            "JPY",
            [1],
        ),
        (
            pa.array([decimal.Decimal(x) for x in ["12.340", "12.345"]], pa.decimal256(40, 3)),
            "USD",
            [1],
        ),
        (pa.array([10**13, 10**13 + 1], pa.int64()), "USD", [1]),
    ],
)
def test_bad_amounts_are_reported_at_every_row(amount, currency, bad):
    t = _orders(amount)
    if not bad:
        assert len(ichigen.OrderHistory(t, currency=currency)) == len(amount)
        return
    assert _issues(t, currency=currency) == [
        ("ANALYTICS_BAD_MONEY", f"$.orders.amount[{i}]") for i in bad
    ]


def test_amounts_read_exactly():
    usd = ichigen.OrderHistory(
        _orders(pa.array([12.34, 0.1, 1e9], pa.float64()), customer=["a", "a", "a"]),
        currency="USD",
    )
    assert usd.sales(output="rows")[0]["revenue"] == "1000000012.44"
    dec = ichigen.OrderHistory(
        _orders(
            pa.array([decimal.Decimal("1200.00"), decimal.Decimal("-200.00")], pa.decimal128(8, 2)),
            customer=["a", "a"],
        )
    )
    assert dec.sales(output="rows")[0]["revenue"] == "1000"


def test_every_bad_cell_of_every_column_at_once():
    t = pa.table(
        {
            "customer": ["a", None, "c", "d"],
            "ordered_at": pa.array([0, 1, None, 3], pa.int64()),
            "amount": pa.array([1.5, 1.0, 2.0, None], pa.float64()),
            "units": pa.array([1, -1, None, 2], pa.int64()),
        }
    )
    assert _issues(t) == [
        ("ANALYTICS_MISSING_CUSTOMER", "$.orders.customer[1]"),
        ("ANALYTICS_BAD_INSTANT", "$.orders.ordered_at[2]"),
        ("ANALYTICS_BAD_MONEY", "$.orders.amount[0]"),
        ("ANALYTICS_BAD_MONEY", "$.orders.amount[3]"),
        ("ANALYTICS_BAD_QUANTITY", "$.orders.units[1]"),
        ("ANALYTICS_BAD_QUANTITY", "$.orders.units[2]"),
    ]


def test_rows_are_counted_across_batches():
    first = _orders(pa.array([1, 2], pa.int64()))
    second = _orders(pa.array([3, None], pa.int64()))
    reader = pa.RecordBatchReader.from_batches(
        first.schema, first.to_batches() + second.to_batches()
    )
    assert _issues(reader) == [("ANALYTICS_BAD_MONEY", "$.orders.amount[3]")]


def test_at_most_100_bad_cells_are_listed():
    issues = _issues(_orders(pa.array([0.5] * 130, pa.float64())))
    assert len(issues) == 101
    assert issues[99] == ("ANALYTICS_BAD_MONEY", "$.orders.amount[99]")
    assert issues[100] == ("ANALYTICS_MORE_ISSUES", "$")


def test_columns_of_the_wrong_type_or_missing():
    t = pa.table({"customer": [1.5], "ordered_at": ["2026-01-01"], "channel": [1]})
    assert _issues(t) == [
        ("ANALYTICS_WRONG_TYPE", "$.orders.customer"),
        ("ANALYTICS_WRONG_TYPE", "$.orders.ordered_at"),
        ("ANALYTICS_MISSING_COLUMN", "$.orders.amount"),
        ("ANALYTICS_WRONG_TYPE", "$.orders.channel"),
    ]


def test_no_customer_id_in_errors_or_repr():
    secret = "taro.yamada@example.jp"
    t = _orders(pa.array([0.5], pa.float64()), customer=[secret])
    with pytest.raises(ichigen.AnalyticsError) as e:
        ichigen.OrderHistory(t)
    assert secret not in str(e.value) and secret not in repr(e.value.issues)
    h = ichigen.OrderHistory(_orders(pa.array([5], pa.int64()), customer=[secret]))
    assert secret not in repr(h)


def test_zone_and_currency_errors_are_the_json_face_s():
    t = _orders(pa.array([1], pa.int64()))
    assert _issues(t, zone="Asia/Edo") == [("ANALYTICS_UNKNOWN_ZONE", "$.zone")]
    assert _issues(t, currency="XXX") == [("ANALYTICS_UNKNOWN_CURRENCY", "$.currency")]


def _lines_history(lines, with_id=True):
    orders = {
        "customer": ["a", "b", "a"],
        "ordered_at": [0, 86_400, 2 * 86_400],
        "amount": [3000, 1500, 500],
    }
    if with_id:
        orders["id"] = ["o-1", "o-2", "o-3"]
    return ichigen.OrderHistory(pa.table(orders), pa.table(lines))


def test_lines_by_order_id_or_row_match_the_json_face():
    expected = ichigen.OrderHistory(
        {
            "customer": ["a", "b", "a"],
            "ordered_at": [0, 86_400, 2 * 86_400],
            "amount": ["3000", "1500", "500"],
        },
        {
            "order": [0, 0, 1, 2],
            "sku": ["TEA-1", "CUP-1", "TEA-1", "CUP-1"],
            "product": ["tea", "cup", "tea", "cup"],
            "quantity": [2, 1, 1, 1],
            "amount": ["2000", "1000", "1500", "500"],
        },
    )
    lines = {
        "sku": pa.array(["TEA-1", "CUP-1", "TEA-1", "CUP-1"]).dictionary_encode(),
        "product": ["tea", "cup", "tea", "cup"],
        "quantity": pa.array([2, 1, 1, 1], pa.int16()),
        "amount": pa.array([decimal.Decimal(x) for x in [2000, 1000, 1500, 500]], pa.decimal128(6, 0)),
    }
    by_id = _lines_history(dict(lines, order_id=["o-1", "o-1", "o-2", "o-3"]))
    by_row = _lines_history(dict(lines, order=pa.array([0, 0, 1, 2], pa.uint32())), with_id=False)
    for query in ({"group_by": ["sku"]}, {"group_by": ["product", "date"]}, {}):
        want = expected.sales(query, output="rows")
        assert by_id.sales(query, output="rows") == want
        assert by_row.sales(query, output="rows") == want
    assert by_id.describe()["lines"] == 4


def test_bad_line_references():
    lines = {"sku": ["X", "Y", "Z"], "quantity": [1, 1, 1], "amount": [1, 1, 1]}
    with pytest.raises(ichigen.AnalyticsError) as e:
        _lines_history(dict(lines, order_id=["o-1", "o-9", None]))
    assert [(i["code"], i["path"]) for i in e.value.issues] == [
        ("ANALYTICS_UNKNOWN_ORDER", "$.lines.order_id[1]"),
        ("ANALYTICS_UNKNOWN_ORDER", "$.lines.order_id[2]"),
    ]
    with pytest.raises(ichigen.AnalyticsError) as e:
        _lines_history(dict(lines, order_id=[1, 2, 3]))
    assert e.value.issues[0]["path"] == "$.lines.order_id"
    with pytest.raises(ichigen.AnalyticsError) as e:
        _lines_history(dict(lines, order=[0, 3, -1]), with_id=False)
    # -1 is refused while reading; 3 (past the last order) by the core, after.
    assert [(i["code"], i["path"]) for i in e.value.issues] == [
        ("ANALYTICS_UNKNOWN_ORDER", "$.lines.order[2]")
    ]
    with pytest.raises(ichigen.AnalyticsError) as e:
        _lines_history(dict(lines, order=[0, 3, 1]), with_id=False)
    assert [(i["code"], i["path"]) for i in e.value.issues] == [
        ("ANALYTICS_UNKNOWN_ORDER", "$.lines.order[1]")
    ]
    dup = pa.table(
        {"customer": ["a", "b"], "ordered_at": [0, 1], "amount": [1, 1], "id": ["o", "o"]}
    )
    with pytest.raises(ichigen.AnalyticsError) as e:
        ichigen.OrderHistory(dup, pa.table({"order_id": ["o"], "sku": ["X"]}))
    assert [(i["code"], i["path"]) for i in e.value.issues] == [
        ("ANALYTICS_DUPLICATE_ORDER", "$.lines.order_id[0]")
    ]


def test_result_types():
    h = ichigen.OrderHistory(pyarrow_table(), currency="JPY")
    rfm = h.rfm(CONFIG)
    assert isinstance(rfm, pa.Table)
    assert rfm.schema.field("customer").type == pa.dictionary(pa.int32(), pa.string())
    assert rfm.schema.field("monetary").type == pa.decimal128(38, 0)
    assert rfm.schema.field("first_purchase").type == pa.date32()
    assert rfm.schema.field("recency").type == pa.int64()
    # Scores, ranks, segments and classes take few values: dictionaries.
    assert rfm.schema.field("score").type == pa.dictionary(pa.int32(), pa.string())
    cpm = h.cpm(CONFIG)
    assert cpm.schema.field("active").type == pa.bool_()
    assert cpm.schema.field("segment").type == pa.dictionary(pa.int32(), pa.string())
    assert face_rows(cpm, None) == h.cpm(CONFIG, output="rows")
    sales = h.sales({"group_by": ["channel"]})
    assert sales.schema.field("average_order_value").type == pa.decimal128(38, 2)
    classes = h.balance_sheet(CONFIG)["classes"]
    assert classes.schema.field("retention").type == pa.float64()
    # The rows are the Arrow table's, in the JSON face's types.
    assert face_rows(rfm, None) == h.rfm(CONFIG, output="rows")
    with pytest.raises(ichigen.InputError):
        h.rfm(CONFIG, output="dict")


def test_decimals_round_the_arrow_floats_too():
    h = ichigen.OrderHistory(pyarrow_table())
    full = h.repeat_rates({"as_of": "2026-04-30"})
    rounded = h.repeat_rates({"as_of": "2026-04-30", "decimals": 2})
    for name in full.column_names:
        if pa.types.is_floating(full.schema.field(name).type):
            want = [None if x is None else round_to(x, 2) for x in full.column(name).to_pylist()]
            assert rounded.column(name).to_pylist() == want
    with pytest.raises(ichigen.AnalyticsError) as e:
        h.repeat_rates({"as_of": "2026-04-30", "decimals": 16})
    assert e.value.issues[0]["path"] == "$.decimals"


def test_configuration_errors_are_the_core_s():
    h = ichigen.OrderHistory(pyarrow_table())
    with pytest.raises(ichigen.AnalyticsError) as e:
        h.cpm({"as_of": "2026-04-30", "lapse": 10})
    assert [(i["code"], i["path"]) for i in e.value.issues] == [
        ("ANALYTICS_UNKNOWN_FIELD", "$.config.lapse")
    ]
    with pytest.raises(ichigen.AnalyticsError) as e:
        h.sales({"group_by": ["colour"]})
    assert e.value.issues[0]["path"] == "$.query.group_by[0]"
    with pytest.raises(ichigen.AnalyticsError) as e:
        h.cpm_flows(CONFIG, datetime.date(2026, 1, 1))
    assert e.value.issues[0]["code"] == "ANALYTICS_BAD_PERIOD"


def _gaps_while(work):
    """Runs `work` on a thread and counts on this one: (seconds the work took, the
    longest pause between two counting steps)."""
    done = threading.Event()
    took = []

    def run():
        start = time.perf_counter()
        work()
        took.append(time.perf_counter() - start)
        done.set()

    worker = threading.Thread(target=run)
    last = time.perf_counter()
    longest = 0.0
    worker.start()
    while not done.is_set():
        now = time.perf_counter()
        longest = max(longest, now - last)
        last = now
        sum(range(200))  # Python work that needs the GIL
    worker.join()
    return took[0], longest


def _big_orders(n):
    customers = pa.array([(i * 7919) % (n // 8 + 1) for i in range(n)], pa.int64())
    return pa.table(
        {
            "customer": customers,
            "ordered_at": pa.array([1_700_000_000 + (i * 104_729) % 50_000_000 for i in range(n)]),
            "amount": pa.array([100 + (i * 31) % 9000 for i in range(n)], pa.int64()),
            "channel": pa.array(["rakuten", "amazon", "yahoo"] * (n // 3) + ["own"] * (n % 3)),
        }
    )


def _analysis(t):
    h = ichigen.OrderHistory(t)
    h.rfm({"as_of": "2026-01-01"})
    h.cpm({"as_of": "2026-01-01"})
    h.sales({"group_by": ["year_month", "channel"]})


def _long_enough(make_work):
    for n in (50_000, 200_000, 800_000):
        took, longest = _gaps_while(make_work(n))
        if took > 0.2:
            return took, longest
    raise AssertionError("the work never took long enough to tell")


def test_the_gil_check_can_fail():
    """A call that holds the GIL stops this thread for all of it."""
    took, longest = _long_enough(lambda n: lambda: sorted([(i * 7919) % n * 0.5 for i in range(n)] * 8))
    assert longest > took / 3, (took, longest)


def test_building_and_analysing_release_the_gil():
    """While the core builds and analyses, this thread keeps running Python."""
    tables = {}

    def work(n):
        if n not in tables:
            tables[n] = _big_orders(n)
        return lambda t=tables[n]: _analysis(t)

    took, longest = _long_enough(work)
    assert longest < took / 3, (took, longest)


def cdnow_history():
    """The 6,919 CDNOW purchases: integer customer ids, dates (midnight in the
    shop's zone, UTC), dollars as floats."""
    ids, days, dollars = [], [], []
    for line in CDNOW.read_text().splitlines():
        _master, sample, day, _cds, value = line.split()
        ids.append(int(sample))
        days.append(datetime.datetime.strptime(day, "%Y%m%d").date())
        dollars.append(float(value))
    t = pa.table(
        {
            "customer": pa.array(ids, pa.int32()),
            "ordered_at": pa.array(days, pa.date32()),
            "amount": pa.array(dollars, pa.float64()),
        }
    )
    return ichigen.OrderHistory(t, zone="UTC", currency="USD")


def test_cdnow_reproduces_the_papers():
    """Fader, Hardie & Lee (2005) and Fader & Hardie (2013), as printed (see
    tests/fixtures/cdnow/PROVENANCE.md), from the transactions through Arrow."""
    h = cdnow_history()
    assert len(h) == 6919
    summary = h.clv_summary({"observation_end": "1997-09-30", "period_days": 7})
    assert summary.num_rows == 2357
    fit = ichigen.fit_clv(summary)
    bg, gg = fit["bgnbd"], fit["gamma_gamma"]
    assert bg["diagnostics"]["converged"], bg
    assert [round_to(bg[k], 3) for k in ("r", "alpha", "a", "b")] == [0.243, 4.414, 0.793, 2.426]
    assert round_to(bg["diagnostics"]["log_likelihood"], 1) == -9582.4
    assert gg["diagnostics"]["converged"], gg
    assert gg["diagnostics"]["customers"] == 946
    assert [round_to(gg[k], 2) for k in ("p", "q", "v")] == [6.25, 3.74, 15.44]
    # The same fit from the JSON face's rows of the summary, and from polars.
    assert ichigen.fit_clv(h.clv_summary({"observation_end": "1997-09-30", "period_days": 7}, output="rows")) == fit
    assert ichigen.fit_clv(pl.from_arrow(summary)) == fit


def test_predict_keeps_the_summary_customer_column():
    h = cdnow_history()
    summary = h.clv_summary({"observation_end": "1997-09-30", "period_days": 7})
    fit = ichigen.fit_clv(summary)
    options = {
        "bgnbd": {k: fit["bgnbd"][k] for k in ("r", "alpha", "a", "b")},
        "gamma_gamma": {k: fit["gamma_gamma"][k] for k in ("p", "q", "v")},
        "periods": 39,
        "period_days": 7,
    }
    out = ichigen.predict_clv(summary, options)
    assert out.column_names == [
        "customer",
        "expected_purchases",
        "probability_alive",
        "expected_average_value",
        "clv",
    ]
    assert out.column("customer").to_pylist() == summary.column("customer").to_pylist()
    rows = ichigen.predict_clv(summary, options, output="rows")
    assert face_rows(out.drop_columns(["customer"]), None) == rows
    # Without monetary values there is nothing to value.
    plain = ichigen.predict_clv(summary.drop_columns(["monetary_value"]), options)
    assert plain.column_names == ["customer", "expected_purchases", "probability_alive"]


def test_summary_errors():
    t = pa.table({"frequency": [1.0, None], "recency": [1.0, 1.0]})
    with pytest.raises(ichigen.AnalyticsError) as e:
        ichigen.fit_clv(t)
    assert [(i["code"], i["path"]) for i in e.value.issues] == [
        ("CLV_BAD_VALUE", "$.summary.frequency[1]"),
        ("ANALYTICS_MISSING_COLUMN", "$.summary.T"),
    ]
    with pytest.raises(ichigen.InputError):
        ichigen.fit_clv(42)
