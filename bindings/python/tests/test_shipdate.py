"""Ship dates from Python: ShippingPolicy (one plan) and BatchPlanner (Arrow rows)."""

import datetime
import json
import random
import re
import threading
import time

import pyarrow as pa
import pyarrow.compute as pc
import pytest

import ichigen
import vectorlib
from conftest import VECTORS, sample_order
from ichigen import _native

D = datetime.date
UTC = datetime.timezone.utc
JST = datetime.timezone(datetime.timedelta(hours=9))

POLICY = {"origin": "東京都", "cutoff": "12:00", "handling_days": 1}
# Friday 2026-12-25 13:30 JST: after the cut-off.
FRIDAY_AFTERNOON = datetime.datetime(2026, 12, 25, 4, 30, tzinfo=UTC)
FRIDAY_SECONDS = 1_798_173_000
TODAY = D(2026, 12, 25)


@pytest.fixture
def policy():
    return ichigen.ShippingPolicy(POLICY)


@pytest.fixture
def planner():
    return ichigen.BatchPlanner([POLICY], ["yamato"])


# ShippingPolicy


def test_plan_dates_explanation_and_context(policy):
    plan = policy.plan(
        {"ordered_at": "2026-12-25T04:30:00Z", "destination": "大阪府"},
        now="2026-12-25T05:00:00Z",
    )
    assert plan["status"] == "ok"
    assert plan["ship_date"] == D(2026, 12, 29)
    assert plan["delivery_date"] == D(2026, 12, 30)
    assert plan["start_date"] == D(2026, 12, 28)
    assert plan["designated_date"] is None
    assert plan["transit_days"] == 1
    assert any("after the cut-off" in line for line in plan["explanation"])
    assert plan["context"] == {
        "transit_days": 1,
        "designated_date_infeasible": False,
        "awaiting_ship_date": False,
    }
    # Dates inside the steps are dates too; times stay text.
    ordered = plan["steps"][0]
    assert ordered["step"] == "ordered"
    assert ordered["date"] == D(2026, 12, 25)
    assert ordered["time"] == "13:30:00"


def test_plan_takes_python_values_and_json_text(policy):
    by_values = policy.plan(
        {
            "ordered_at": FRIDAY_AFTERNOON.astimezone(JST),
            "destination": "27",
            "designated_date": D(2027, 1, 8),
            "service": "chilled",
        },
        now=datetime.datetime(2026, 12, 25, 14, 0, tzinfo=JST),
    )
    assert by_values["status"] == "awaiting_ship_date"
    assert by_values["ship_date"] == D(2027, 1, 7)
    assert by_values["latest_ship_date"] == D(2027, 1, 7)
    assert by_values["delivery_date"] == D(2027, 1, 8)
    as_text = ichigen.ShippingPolicy(json.dumps(POLICY)).plan(
        json.dumps(
            {
                "ordered_at": "2026-12-25T04:30:00Z",
                "destination": "大阪府",
                "designated_date": "2027-01-08",
                "service": "chilled",
            }
        ),
        now="2026-12-25T05:00:00Z",
    )
    assert as_text == by_values


def test_plan_with_the_system_clock(policy):
    plan = policy.plan({"ordered_at": datetime.datetime.now(UTC), "destination": "大阪府"})
    assert isinstance(plan["ship_date"], D)


def test_plan_order(policy):
    order = sample_order()
    plan = policy.plan_order(order, now="2026-11-23T03:00:00Z")
    assert isinstance(plan["ship_date"], D)
    assert set(plan["context"]) == {"transit_days", "designated_date_infeasible", "awaiting_ship_date"}
    assert policy.plan_order(json.dumps(order), now="2026-11-23T03:00:00Z") == plan
    with pytest.raises(ichigen.OrderError):
        policy.plan_order({**order, "lines": []}, now="2026-11-23T03:00:00Z")


def test_plan_feeds_triage(policy):
    """A plan's context merges into triage's: the facts a rule set reads."""
    rules = ichigen.RuleSet.from_dict(
        {
            "name": "ship",
            "rules": [
                {"id": "far", "when": {"transit_days": {"min": 1}}, "then": [{"add_tags": ["遠方"]}]}
            ],
        }
    )
    order = sample_order()
    plan = policy.plan_order(order, now="2026-11-23T03:00:00Z")
    out = ichigen.triage(rules, order, plan["context"], now="2026-11-23T03:00:00Z")
    assert out["outcome"]["matched"] == ["far"]


def test_policy_errors():
    with pytest.raises(ichigen.ShippingError) as e:
        ichigen.ShippingPolicy({"origin": "東京府", "cutoff": "25:00"})
    assert e.value.code == "SHIPDATE_INVALID"
    assert [(i["code"], i["path"]) for i in e.value.issues] == [
        ("SHIPDATE_UNKNOWN_PREFECTURE", "$.origin"),
        ("SHIPDATE_BAD_VALUE", "$.cutoff"),
    ]
    assert isinstance(e.value, ichigen.IchigenError)
    with pytest.raises(ichigen.ShippingError) as e:
        ichigen.ShippingPolicy({"origin": "東京都", "cutof": "12:00"})
    assert e.value.issues[0]["code"] == "SHIPDATE_UNKNOWN_FIELD"
    with pytest.raises(ichigen.InputError):
        ichigen.ShippingPolicy("{oops")


def test_plan_errors(policy):
    with pytest.raises(ichigen.InputError) as e:
        policy.plan({"ordered_at": "2026-12-25T04:30:00Z", "destination": "東京府"}, now="2026-12-25T05:00:00Z")
    assert e.value.code == "SHIPDATE_UNKNOWN_PREFECTURE"
    assert e.value.issues[0]["path"] == "$.request.destination"
    with pytest.raises(ichigen.InputError) as e:
        policy.plan({"ordered_at": FRIDAY_AFTERNOON, "destination": "大阪府"}, now=datetime.datetime(2026, 12, 25))
    assert e.value.code == "INPUT_NAIVE_DATETIME"
    with pytest.raises(ichigen.InputError) as e:
        policy.plan({"ordered_at": datetime.datetime(2026, 12, 25), "destination": "大阪府"})
    assert e.value.code == "INPUT_NAIVE_DATETIME"
    assert e.value.issues[0]["path"] == "$.request.ordered_at"
    with pytest.raises(ichigen.CalendarError) as e:
        policy.plan({"ordered_at": "2099-12-30T01:00:00Z", "destination": "大阪府"}, now="2099-12-30T01:00:00Z")
    assert e.value.code == "CALENDAR_OUT_OF_RANGE"


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date_strings(value, path="$"):
    """Paths of string values that look like ISO dates (a date field left as text)."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _date_strings(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _date_strings(v, f"{path}[{i}]")]
    return [path] if isinstance(value, str) and ISO_DATE.match(value) else []


def test_every_date_of_every_vector_plan_is_a_date():
    """The plan's date fields cross as datetime.date: none is left as text when the
    core adds one (a guard on the binding's list of date fields)."""
    sample = json.loads(ichigen.SAMPLE_ORDER_JSON)
    checked = 0
    for path in vectorlib.vector_files(VECTORS / "shipdate"):
        vector = vectorlib.expand_samples(json.loads(path.read_text(encoding="utf-8")), sample)
        if vector["op"] != "ship_date" or "expect" not in vector:
            continue
        inp = vector["input"]
        policy = ichigen.ShippingPolicy(inp["policy"])
        now = vector.get("now", "2026-11-23T03:00:00Z")
        if "order" in inp:
            plan = policy.plan_order(inp["order"], now=now)
        else:
            plan = policy.plan(inp["request"], now=now)
        assert _date_strings(plan) == [], path.name
        checked += 1
    assert checked > 20


# BatchPlanner: construction


def test_planner_construction(policy):
    p = ichigen.BatchPlanner([POLICY, json.dumps({"origin": "大阪府"}), policy], zone="Asia/Shanghai")
    assert p.zone == "Asia/Shanghai"
    assert ichigen.BatchPlanner((POLICY,)).zone == "Asia/Tokyo"
    assert "Asia/Tokyo" in repr(ichigen.BatchPlanner([POLICY]))


def test_planner_errors():
    with pytest.raises(ichigen.InputError) as e:
        ichigen.BatchPlanner([])
    assert e.value.code == "SHIPDATE_BAD_COLUMNS"
    with pytest.raises(ichigen.ShippingError) as e:
        ichigen.BatchPlanner([POLICY, {"origin": "東京府"}])
    assert e.value.issues[0]["path"] == "$.policies[1].origin"
    with pytest.raises(ichigen.InputError) as e:
        ichigen.BatchPlanner(POLICY)
    assert e.value.issues[0]["path"] == "$.policies"
    with pytest.raises(ichigen.InputError) as e:
        ichigen.BatchPlanner([POLICY], carriers="yamato")
    assert e.value.issues[0]["path"] == "$.carriers"
    with pytest.raises(ichigen.InputError) as e:
        ichigen.BatchPlanner([POLICY], zone="Mars/Olympus")
    assert e.value.issues[0]["path"] == "$.zone"


# BatchPlanner: Arrow in and out


def rows(planner, data, today=TODAY):
    return planner.plan(data, today=today).to_pylist()


def test_output_schema(planner):
    out = planner.plan(
        pa.table({"ordered_at": pa.array([FRIDAY_SECONDS], pa.int64()), "destination": pa.array([27], pa.uint8())}),
        today=TODAY,
    )
    assert isinstance(out, pa.Table)
    assert out.schema == pa.schema(
        [
            pa.field("status", pa.dictionary(pa.int8(), pa.utf8()), nullable=False),
            pa.field("ship_date", pa.date32()),
            pa.field("delivery_date", pa.date32()),
            pa.field("latest_ship_date", pa.date32()),
            pa.field("transit_days", pa.uint8()),
        ]
    )
    assert out.to_pylist() == [
        {
            "status": "ok",
            "ship_date": D(2026, 12, 29),
            "delivery_date": D(2026, 12, 30),
            "latest_ship_date": None,
            "transit_days": 1,
        }
    ]
    # The status dictionary holds every name, in code order.
    assert out.column("status").chunk(0).dictionary.to_pylist() == [
        "ok",
        "awaiting_ship_date",
        "designated_infeasible",
        "transit_missing",
        "out_of_range",
        "bad_input",
    ]


INSTANTS = [FRIDAY_SECONDS, FRIDAY_SECONDS - 3 * 3600, 1_798_137_000, -86_400 * 365 * 30]


@pytest.mark.parametrize(
    "column",
    [
        pa.array(INSTANTS, pa.int64()),
        pa.array(INSTANTS, pa.int32()),
        pa.array(INSTANTS, pa.timestamp("s")),
        pa.array([s * 1000 for s in INSTANTS], pa.timestamp("ms", tz="Asia/Tokyo")),
        pa.array([s * 1_000_000 + 999_999 for s in INSTANTS], pa.timestamp("us", tz="UTC")),
        pa.array([s * 1_000_000_000 for s in INSTANTS], pa.timestamp("ns", tz="America/New_York")),
    ],
    ids=["int64", "int32", "ts-s", "ts-ms-tz", "ts-us-floor", "ts-ns-tz"],
)
def test_instants_of_any_unit(planner, column):
    """Every instant type gives the plan of the same seconds (a timestamp's zone is
    display only; sub-second parts are floored, before 1970 too)."""
    dest = pa.array([27] * len(INSTANTS), pa.uint8())
    expected = rows(planner, pa.table({"ordered_at": pa.array(INSTANTS, pa.int64()), "destination": dest}))
    assert rows(planner, pa.table({"ordered_at": column, "destination": dest})) == expected
    assert [r["status"] for r in expected] == ["ok", "ok", "ok", "out_of_range"]


@pytest.mark.parametrize(
    "column",
    [
        pa.array([27, 1, 47, 0, 48, None], pa.int64()),
        pa.array([27, 1, 47, 0, 48, None], pa.uint8()),
        pa.array([27, 1, 47, 0, -1, None], pa.int16()),
        pa.array([27, 1, 47, 0, 300, None], pa.uint64()),
        pa.array(["大阪府", "北海道", "沖縄", "東京府", "", None]),
        pa.array(["osaka", "Hokkaido", "OKINAWA", "x", "48", None], pa.large_string()),
        pa.array(["27", "01", "47", "0", "48", None], pa.string_view()),
        pa.array(["大阪府", "北海道", "沖縄県", "東京府", "48", None]).dictionary_encode(),
    ],
    ids=["int64", "uint8", "int16", "uint64", "names", "romaji-large", "codes-view", "dictionary"],
)
def test_destinations(planner, column):
    """Codes or names of any Arrow type; unknown, out of range or null: bad_input."""
    n = len(column)
    out = rows(planner, pa.table({"ordered_at": pa.array([FRIDAY_SECONDS] * n, pa.int64()), "destination": column}))
    assert [r["status"] for r in out] == ["ok", "ok", "ok", "bad_input", "bad_input", "bad_input"]
    assert [r["transit_days"] for r in out][:3] == [1, 2, 3]
    assert out[3] == {
        "status": "bad_input",
        "ship_date": None,
        "delivery_date": None,
        "latest_ship_date": None,
        "transit_days": None,
    }


def test_optional_columns(planner):
    n = 6
    table = pa.table(
        {
            "ordered_at": pa.array([FRIDAY_SECONDS] * n, pa.int64()),
            "destination": pa.array([27] * n, pa.uint8()),
            "policy": pa.array([0, 0, 0, 1, None, 0], pa.int64()),
            "carrier": pa.array([0, 0, 0, 0, 0, None], pa.uint32()),
            "service": pa.array(["ambient", "frozen", "chilled", "ambient", "ambient", "ambient"]),
            "handling_days": pa.array([0, 1, 2, 1, 1, 1], pa.int8()),
            "designated": pa.array([None, D(2027, 1, 8), None, None, None, None], pa.date32()),
        }
    )
    out = rows(planner, table)
    assert [r["status"] for r in out] == ["ok", "awaiting_ship_date", "ok", "bad_input", "bad_input", "bad_input"]
    assert out[0]["ship_date"] == D(2026, 12, 28)  # 0 handling days: the start day
    assert out[1]["ship_date"] == D(2027, 1, 7)
    assert out[2]["ship_date"] == D(2026, 12, 30)
    # The same through per-row plans.
    policy = ichigen.ShippingPolicy(POLICY)
    single = policy.plan(
        {"ordered_at": FRIDAY_AFTERNOON, "destination": "27", "service": "frozen", "handling_days": 1, "designated_date": D(2027, 1, 8)},
        now=FRIDAY_AFTERNOON,
    )
    assert (single["status"], single["ship_date"], single["delivery_date"]) == (
        out[1]["status"],
        out[1]["ship_date"],
        out[1]["delivery_date"],
    )


def test_service_codes_and_names(planner):
    n = 5
    base = {"ordered_at": pa.array([FRIDAY_SECONDS] * n, pa.int64()), "destination": pa.array([27] * n, pa.uint8())}
    by_code = rows(planner, pa.table({**base, "service": pa.array([0, 1, 2, 3, None], pa.uint8())}))
    by_name = rows(planner, pa.table({**base, "service": pa.array(["ambient", "chilled", "frozen", "hot", None])}))
    assert by_code == by_name
    assert [r["status"] for r in by_code] == ["ok", "ok", "ok", "bad_input", "bad_input"]


def test_designated_date64_and_today(planner):
    base = {"ordered_at": pa.array([FRIDAY_SECONDS] * 2, pa.int64()), "destination": pa.array([27] * 2, pa.uint8())}
    d32 = pa.table({**base, "designated": pa.array([D(2027, 1, 8), None], pa.date32())})
    d64 = pa.table({**base, "designated": pa.array([D(2027, 1, 8), None], pa.date64())})
    assert rows(planner, d32) == rows(planner, d64)
    # Once today reaches the latest ship date, the row no longer waits.
    assert rows(planner, d32, today=D(2027, 1, 7))[0]["status"] == "ok"
    assert rows(planner, d32, today="2026-12-25")[0]["status"] == "awaiting_ship_date"
    # Today defaults to the system clock: it runs.
    assert planner.plan(d32).num_rows == 2


def test_record_batch_reader_chunks_and_empty(planner):
    table = pa.table(
        {"ordered_at": pa.array(INSTANTS[:3] * 4, pa.int64()), "destination": pa.array([27, 1, 47] * 4, pa.uint8())}
    )
    expected = rows(planner, table)
    chunked = pa.Table.from_batches(table.to_batches(max_chunksize=5))
    assert chunked.column("ordered_at").num_chunks == 3
    out = planner.plan(chunked, today=TODAY)
    assert out.column("status").num_chunks == 3  # one output batch per input batch
    assert out.to_pylist() == expected
    assert rows(planner, table.to_batches()[0]) == expected
    assert rows(planner, pa.RecordBatchReader.from_batches(table.schema, chunked.to_batches())) == expected
    # Other columns are ignored.
    assert rows(planner, table.append_column("note", pa.array(["x"] * 12))) == expected
    empty = planner.plan(table.slice(0, 0), today=TODAY)
    assert empty.num_rows == 0
    assert empty.schema.names == ["status", "ship_date", "delivery_date", "latest_ship_date", "transit_days"]


def test_a_sliced_table(planner):
    table = pa.table(
        {"ordered_at": pa.array(INSTANTS[:3] * 4, pa.int64()), "destination": pa.array([27, 1, 47] * 4, pa.uint8())}
    )
    assert rows(planner, table.slice(4, 5)) == rows(planner, table)[4:9]
    ms = table.set_column(0, "ordered_at", table.column("ordered_at").cast(pa.timestamp("s")).cast(pa.timestamp("ms")))
    assert rows(planner, ms.slice(4, 5)) == rows(planner, table)[4:9]


def test_a_dict_of_arrays(planner):
    cols = {"ordered_at": pa.array([FRIDAY_SECONDS] * 2, pa.int64()), "destination": pa.chunked_array([["大阪府"], ["北海道"]])}
    assert [r["transit_days"] for r in rows(planner, cols)] == [1, 2]
    with pytest.raises(ichigen.InputError) as e:
        planner.plan({"ordered_at": pa.array([1, 2], pa.int64()), "destination": pa.array([27], pa.uint8())})
    assert (e.value.code, e.value.issues[0]["path"]) == ("SHIPDATE_BAD_COLUMNS", "$.destination")
    with pytest.raises(ichigen.InputError) as e:
        planner.plan({**cols, "destinaton": pa.array([1, 2])})
    assert e.value.issues[0]["path"] == "$.destinaton"
    with pytest.raises(ichigen.InputError) as e:
        planner.plan({**cols, "policy": [0, 0]})
    assert (e.value.code, e.value.issues[0]["path"]) == ("INPUT_WRONG_TYPE", "$.policy")


def test_column_errors(planner):
    ok = {"ordered_at": pa.array([FRIDAY_SECONDS], pa.int64()), "destination": pa.array([27], pa.uint8())}

    def error(table):
        with pytest.raises(ichigen.InputError) as e:
            planner.plan(table, today=TODAY)
        assert e.value.code == "SHIPDATE_BAD_COLUMNS"
        return e.value.issues[0]["path"], e.value.issues[0]["message"]

    assert error(pa.table({"ordered_at": ok["ordered_at"]})) == ("$.destination", "missing required column")
    assert error(pa.table({"destination": ok["destination"]}))[0] == "$.ordered_at"
    assert error(pa.table({**ok, "ordered_at": pa.array([1.5])}))[0] == "$.ordered_at"
    assert error(pa.table({**ok, "ordered_at": pa.array([None], pa.int64())}))[0] == "$.ordered_at"
    assert error(pa.table({**ok, "destination": pa.array([27.0])}))[0] == "$.destination"
    assert error(pa.table({**ok, "designated": pa.array(["2027-01-08"])}))[0] == "$.designated"
    assert error(pa.table({**ok, "handling_days": pa.array(["1"])}))[0] == "$.handling_days"
    assert error(pa.table({**ok, "service": pa.array([True])}))[0] == "$.service"
    with pytest.raises(ichigen.InputError) as e:
        planner.plan([{"ordered_at": 1, "destination": 27}])
    assert (e.value.code, e.value.issues[0]["path"]) == ("INPUT_WRONG_TYPE", "$.data")
    with pytest.raises(ichigen.InputError) as e:
        planner.plan(pa.table(ok), today=datetime.datetime(2026, 12, 25, tzinfo=UTC))
    assert e.value.issues[0]["path"] == "$.today"


def test_zero_copy_where_the_type_is_the_cores(planner):
    """A column already of the core's type, in one chunk and without nulls, is read
    from the Arrow buffer itself; others are converted once."""
    n = 1000
    table = pa.table(
        {
            "ordered_at": pa.array([FRIDAY_SECONDS] * n, pa.int64()),
            "destination": pa.array([27] * n, pa.uint8()),
            "policy": pa.array([0] * n, pa.uint32()),
            "carrier": pa.array([0] * n, pa.int64()),
            "designated": pa.array([D(2027, 1, 8)] * n, pa.date32()),
        }
    )
    seen = _native._column_addresses(table)

    def buffer(name):
        return table.column(name).chunk(0).buffers()[1].address

    for name in ["ordered_at", "destination", "policy", "designated"]:
        assert seen[name] == (buffer(name), True), name
    assert seen["carrier"][1] is False  # int64 → u32: converted
    with_nulls = table.set_column(4, "designated", pa.array([None] * n, pa.date32()))
    assert _native._column_addresses(with_nulls)["designated"][1] is False
    ts = table.set_column(0, "ordered_at", pa.array([FRIDAY_SECONDS] * n, pa.timestamp("s", tz="UTC")))
    assert _native._column_addresses(ts)["ordered_at"] == (ts.column("ordered_at").chunk(0).buffers()[1].address, True)
    # A slice of a uint8 column is still the same buffer, at the slice's offset.
    sliced = table.slice(10, 100)
    assert _native._column_addresses(sliced)["destination"] == (buffer("destination") + 10, True)


# polars


def test_polars_dataframe(planner):
    pl = pytest.importorskip("polars")
    df = pl.DataFrame(
        {
            "ordered_at": [FRIDAY_AFTERNOON, FRIDAY_AFTERNOON, FRIDAY_AFTERNOON],
            "destination": ["大阪府", "hokkaido", "沖縄県"],
            "service": pl.Series(["ambient", "chilled", "frozen"], dtype=pl.Enum(["ambient", "chilled", "frozen"])),
            "handling_days": pl.Series([1, 1, 2], dtype=pl.UInt16),
            "designated": [None, D(2027, 1, 10), None],
        }
    )
    assert df.schema["ordered_at"] == pl.Datetime("us", "UTC")
    expected_table = pa.table(
        {
            "ordered_at": pa.array([FRIDAY_SECONDS] * 3, pa.int64()),
            "destination": pa.array([27, 1, 47], pa.uint8()),
            "service": pa.array([0, 1, 2], pa.uint8()),
            "handling_days": pa.array([1, 1, 2], pa.uint32()),
            "designated": pa.array([None, D(2027, 1, 10), None], pa.date32()),
        }
    )
    out = planner.plan(df, today=TODAY)
    assert out.to_pylist() == rows(planner, expected_table)
    assert [r["status"] for r in out.to_pylist()] == ["ok", "awaiting_ship_date", "ok"]
    # Categorical destinations, integer seconds, uint8 codes; and back into polars.
    df2 = pl.DataFrame(
        {
            "ordered_at": pl.Series([FRIDAY_SECONDS] * 3, dtype=pl.Int64),
            "destination": pl.Series(["大阪府", "北海道", "沖縄県"], dtype=pl.Categorical),
        }
    )
    assert planner.plan(df2, today=TODAY).to_pylist() == rows(
        planner, expected_table.select(["ordered_at", "destination"])
    )
    as_polars = pl.from_arrow(planner.plan(df2, today=TODAY))
    assert as_polars["ship_date"].to_list() == [D(2026, 12, 29), D(2026, 12, 29), D(2026, 12, 29)]
    codes = pl.DataFrame({"ordered_at": [FRIDAY_SECONDS], "destination": pl.Series([27], dtype=pl.UInt8)})
    assert _native._column_addresses(codes)["destination"][1] is True


# a million rows


POLICY_1M = {
    "origin": "東京都",
    "cutoff": "14:00",
    "default_carrier": "yamato",
    "carrier_calendars": [
        {
            "name": "yamato",
            "closed_weekdays": [],
            "holidays": [],
            "annual_closed": [{"from": "01-01", "to": "01-02", "reason": "正月"}],
        }
    ],
    "calendars": [
        {"name": "store", "annual_closed": [{"from": "12-29", "to": "01-03", "reason": "年末年始"}]}
    ],
}
SERVICES = ["ambient", "chilled", "frozen"]


def million_rows(n=1_000_000, seed=20261123):
    """Seeded rows over 2026-2027: instants, destinations, services, handling days,
    and a designated date on about a third of them."""
    rng = random.Random(seed)
    start = 1_767_225_600  # 2026-01-01T00:00:00Z
    at = [start + rng.randrange(0, 86_400 * 700) for _ in range(n)]
    designated = [
        None if rng.random() < 0.67 else D.fromordinal(D(1970, 1, 1).toordinal() + s // 86_400 + rng.randrange(0, 12))
        for s in at
    ]
    return pa.table(
        {
            "ordered_at": pa.array(at, pa.int64()),
            "destination": pa.array([rng.randrange(1, 48) for _ in range(n)], pa.uint8()),
            "service": pa.array([rng.randrange(0, 3) for _ in range(n)], pa.uint8()),
            "handling_days": pa.array([rng.randrange(0, 4) for _ in range(n)], pa.uint32()),
            "designated": pa.array(designated, pa.date32()),
        }
    )


@pytest.fixture(scope="module")
def million():
    return million_rows()


def test_a_million_rows_agree_with_single_plans(million):
    planner = ichigen.BatchPlanner([POLICY_1M])
    policy = ichigen.ShippingPolicy(POLICY_1M)
    today = D(2026, 11, 23)
    now = datetime.datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # 12:00 JST on that day
    out = planner.plan(million, today=today)
    assert out.num_rows == million.num_rows
    counts = pc.value_counts(out.column("status").combine_chunks().dictionary_decode()).to_pylist()
    statuses = {c["values"]: c["counts"] for c in counts}
    assert statuses["ok"] > 500_000 and "bad_input" not in statuses
    rng = random.Random(7)
    for i in sorted(rng.sample(range(million.num_rows), 300)):
        row = million.slice(i, 1).to_pylist()[0]
        request = {
            "ordered_at": datetime.datetime.fromtimestamp(row["ordered_at"], UTC),
            "destination": str(row["destination"]),
            "service": SERVICES[row["service"]],
            "handling_days": row["handling_days"],
        }
        if row["designated"] is not None:
            request["designated_date"] = row["designated"]
        got = out.slice(i, 1).to_pylist()[0]
        try:
            plan = policy.plan(request, now=now)
        except ichigen.CalendarError:
            assert got["status"] == "out_of_range", (i, row, got)
            continue
        assert got == {
            "status": plan["status"],
            "ship_date": plan["ship_date"],
            "delivery_date": plan["delivery_date"] if plan["status"] != "designated_infeasible" else plan["earliest_delivery_date"],
            "latest_ship_date": plan["latest_ship_date"],
            "transit_days": plan["transit_days"],
        }, (i, row, plan)


def test_threads_do_not_change_the_result(million):
    planner = ichigen.BatchPlanner([POLICY_1M])
    one = planner.plan(million, today=D(2026, 11, 23), threads=1)
    for threads in (2, 5):
        assert planner.plan(million, today=D(2026, 11, 23), threads=threads).equals(one)
    assert planner.plan(million, today=D(2026, 11, 23)).equals(one)


def test_the_gil_is_released_while_planning(million):
    """Another Python thread keeps running while a large batch is planned."""
    planner = ichigen.BatchPlanner([POLICY_1M])
    big = million
    started = time.perf_counter()
    planner.plan(big, today=TODAY)
    alone = time.perf_counter() - started
    done = threading.Event()

    def work():
        planner.plan(big, today=TODAY)
        done.set()

    worker = threading.Thread(target=work)
    last = time.perf_counter()
    longest = 0.0
    ticks = 0
    worker.start()
    while not done.is_set():
        now = time.perf_counter()
        longest = max(longest, now - last)
        last = now
        ticks += 1
    worker.join()
    # Held, the GIL would stall this loop for the whole plan.
    assert ticks > 1000
    assert longest < alone / 2, (longest, alone)
