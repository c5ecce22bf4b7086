"""Ship dates through the FFI: ShippingPolicy and its typed plan, BatchPlanner over
a record of columns (checked row by row against single plans), prefecture_code, and
the errors."""

import datetime
import json
import random

import pytest

from vector_runner import NO_DATE, NO_TRANSIT_DAYS, epoch_days, iso_date

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
SERVICES = ["ambient", "chilled", "frozen"]
STATUS_NAMES = ["ok", "awaiting_ship_date", "designated_infeasible", "transit_missing", "out_of_range", "bad_input"]
POLICIES = [
    {
        "origin": "東京都",
        "cutoff": "12:00",
        "handling_days": 1,
        "carrier_calendars": [
            {"name": "yamato", "closed_weekdays": ["sun"], "holidays": [], "annual_closed": [{"from": "01-01", "reason": "元日休配"}]}
        ],
        "default_carrier": "yamato",
    },
    {
        "origin": "大阪府",
        "cutoff": "15:30",
        "handling_days": 0,
        "calendars": [{"name": "osaka", "closed_weekdays": ["wed"], "holidays": []}],
    },
]
CARRIERS = ["yamato", "sagawa"]


def text(value):
    return json.dumps(value, ensure_ascii=False)


@pytest.fixture(scope="module")
def planner(ffi):
    return ffi.BatchPlanner(text(POLICIES), CARRIERS, "Asia/Tokyo")


def seconds(instant):
    return int(datetime.datetime.fromisoformat(instant).timestamp())


def row(out, i):
    def date(d):
        return None if d == NO_DATE else iso_date(d)

    return {
        "status": out.status_names[out.status[i]],
        "ship_date": date(out.ship_date[i]),
        "delivery_date": date(out.delivery_date[i]),
        "latest_ship_date": date(out.latest_ship_date[i]),
        "transit_days": None if out.transit_days[i] == NO_TRANSIT_DAYS else out.transit_days[i],
    }


def test_prefecture_code(ffi):
    assert ffi.prefecture_code("東京都") == 13
    assert ffi.prefecture_code("東京") == 13
    assert ffi.prefecture_code("Tokyo") == 13
    assert ffi.prefecture_code("01") == 1
    assert ffi.prefecture_code("東京府") is None
    assert ffi.prefecture_code("48") is None


def test_plan_typed_fields(ffi):
    policy = ffi.ShippingPolicy.from_json(text({"origin": "東京都", "cutoff": "12:00", "handling_days": 1}))
    plan = policy.plan(text({"ordered_at": "2026-12-25T04:30:00Z", "destination": "大阪府"}), NOW)
    assert plan.status == ffi.PlanStatus.OK
    assert (plan.start_date, plan.ship_date, plan.delivery_date) == ("2026-12-28", "2026-12-29", "2026-12-30")
    assert plan.transit_days == 1
    assert plan.latest_ship_date is None and plan.designated_date is None
    assert plan.problems == []
    assert any("after the cut-off" in line for line in plan.explanation)
    assert json.loads(plan.context_json) == {"designated_date_infeasible": False, "transit_days": 1, "awaiting_ship_date": False}
    whole = json.loads(plan.plan_json)
    assert whole["ship_date"] == plan.ship_date
    assert [s["step"] for s in whole["steps"]][:2] == ["ordered", "skipped"]
    # Without `now`, the system clock: the dates do not depend on today here.
    assert policy.plan(text({"ordered_at": "2026-12-25T04:30:00Z", "destination": "27"})).ship_date == "2026-12-29"


def test_plan_designated_dates(ffi):
    policy = ffi.ShippingPolicy.from_json(text({"origin": "東京都"}))
    request = {"ordered_at": "2026-11-30T01:00:00Z", "destination": "大阪府", "designated_date": "2026-12-18"}
    now = datetime.datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    waits = policy.plan(text(request), now)
    assert waits.status == ffi.PlanStatus.AWAITING_SHIP_DATE
    assert (waits.ship_date, waits.latest_ship_date, waits.delivery_date) == ("2026-12-17", "2026-12-17", "2026-12-18")
    late = policy.plan(text({**request, "designated_date": "2026-12-01"}), now)
    assert late.status == ffi.PlanStatus.DESIGNATED_INFEASIBLE
    assert late.earliest_delivery_date == "2026-12-02"


def test_plan_order(ffi):
    policy = ffi.ShippingPolicy.from_json(text({"origin": "東京都"}))
    plan = policy.plan_order(ffi.sample_order_json(), NOW)
    assert plan.status in (ffi.PlanStatus.OK, ffi.PlanStatus.AWAITING_SHIP_DATE)
    datetime.date.fromisoformat(plan.ship_date)
    with pytest.raises(ffi.IchigenError.InvalidOrder):
        policy.plan_order(text({**json.loads(ffi.sample_order_json()), "id": 5}), NOW)


def test_policy_errors(ffi):
    with pytest.raises(ffi.IchigenError.InvalidShipping) as info:
        ffi.ShippingPolicy.from_json(text({"origin": "東京府", "cutoff": "25:00", "calendars": [{"name": " "}]}))
    assert info.value.code == "SHIPDATE_INVALID"
    assert [(i.code, i.path) for i in info.value.issues] == [
        ("SHIPDATE_UNKNOWN_PREFECTURE", "$.origin"),
        ("SHIPDATE_BAD_VALUE", "$.cutoff"),
        ("CALENDAR_MISSING_NAME", "$.calendars[0].name"),
    ]
    policy = ffi.ShippingPolicy.from_json(text({"origin": "東京都"}))
    with pytest.raises(ffi.IchigenError.InvalidInput) as info:
        policy.plan(text({"ordered_at": "2026-11-30T01:00:00Z", "destination": "東京府"}), NOW)
    assert (info.value.code, info.value.issues[0].path) == ("SHIPDATE_UNKNOWN_PREFECTURE", "$.request.destination")
    with pytest.raises(ffi.IchigenError.InvalidInput) as info:
        policy.plan(text({"ordered_at": "2026-11-30T01:00:00Z", "destination": "大阪府", "handling_days": 400}), NOW)
    assert info.value.code == "SHIPDATE_BAD_VALUE"
    short = ffi.ShippingPolicy.from_json(
        text({"origin": "東京都", "calendars": [{"name": "store", "range": {"from": "2026-01-01", "to": "2026-12-31"}}]})
    )
    with pytest.raises(ffi.IchigenError.OutOfRange):
        short.plan(text({"ordered_at": "2026-12-31T04:00:00Z", "destination": "大阪府"}), NOW)


def test_batch_record_in_record_out(ffi):
    planner = ffi.BatchPlanner(text([{"origin": "東京都"}]))
    assert planner.zone() == "Asia/Tokyo"
    columns = ffi.BatchColumns(ordered_at=[seconds("2026-12-25T04:30:00Z"), 0], destination=bytes([27, 0]))
    out = planner.plan(columns, "2026-12-25")
    assert out.status_names == STATUS_NAMES
    assert row(out, 0) == {
        "status": "ok",
        "ship_date": "2026-12-29",
        "delivery_date": "2026-12-30",
        "latest_ship_date": None,
        "transit_days": 1,
    }
    assert row(out, 1)["status"] == "bad_input"
    assert out.ship_date[0] == epoch_days("2026-12-29")
    # Without `today`, the system clock's date in the planner's zone.
    assert row(planner.plan(columns), 0) == row(out, 0)
    assert planner.plan(ffi.BatchColumns(ordered_at=[], destination=b""), "2026-12-25").status == b""


def generated(ffi, n, seed):
    rand = random.Random(seed)
    start, end = seconds("2026-01-01T00:00:00+00:00"), seconds("2027-06-30T00:00:00+00:00")
    at = [rand.randint(start, end) for _ in range(n)]
    return ffi.BatchColumns(
        ordered_at=at,
        destination=bytes(rand.randint(1, 47) for _ in range(n)),
        policy=[rand.randint(0, 1) for _ in range(n)],
        carrier=[rand.randint(0, 1) for _ in range(n)],
        service=bytes(rand.randint(0, 2) for _ in range(n)),
        handling_days=[rand.randint(0, 5) for _ in range(n)],
        designated=[NO_DATE if rand.random() < 0.4 else t // 86_400 + rand.randint(0, 30) for t in at],
    )


def test_batch_agrees_with_single_plans(ffi, planner):
    policies = [ffi.ShippingPolicy.from_json(text(p)) for p in POLICIES]
    n = 2000
    columns = generated(ffi, n, 5)
    out = planner.plan(columns, NOW.astimezone(datetime.timezone(datetime.timedelta(hours=9))).date().isoformat())
    seen = set()
    for i in range(n):
        request = {
            "ordered_at": datetime.datetime.fromtimestamp(columns.ordered_at[i], UTC).isoformat(),
            "destination": str(columns.destination[i]),
            "carrier": CARRIERS[columns.carrier[i]],
            "service": SERVICES[columns.service[i]],
            "handling_days": columns.handling_days[i],
        }
        if columns.designated[i] != NO_DATE:
            request["designated_date"] = iso_date(columns.designated[i])
        try:
            plan = policies[columns.policy[i]].plan(text(request), NOW)
            expected = {
                "status": json.loads(plan.plan_json)["status"],
                "ship_date": plan.ship_date,
                "delivery_date": plan.delivery_date,
                "latest_ship_date": plan.latest_ship_date,
                "transit_days": plan.transit_days,
            }
        except ffi.IchigenError.OutOfRange:
            expected = {"status": "out_of_range", "ship_date": None, "delivery_date": None, "latest_ship_date": None, "transit_days": None}
        assert row(out, i) == expected, (i, request)
        seen.add(expected["status"])
    assert {"ok", "awaiting_ship_date", "designated_infeasible"} <= seen


def test_batch_column_length_mismatch(ffi, planner):
    base = generated(ffi, 10, 1)
    for field, path in [
        ("destination", "$.destination"),
        ("policy", "$.policy"),
        ("carrier", "$.carrier"),
        ("service", "$.service"),
        ("handling_days", "$.handling_days"),
        ("designated", "$.designated"),
    ]:
        columns = generated(ffi, 10, 1)
        setattr(columns, field, getattr(base, field)[:9])
        with pytest.raises(ffi.IchigenError.InvalidInput) as info:
            planner.plan(columns, "2026-11-23")
        assert info.value.code == "SHIPDATE_BAD_COLUMNS"
        assert [(i.code, i.path) for i in info.value.issues] == [("SHIPDATE_BAD_COLUMNS", path)]


def test_batch_bad_rows_and_today(ffi, planner):
    at = seconds("2026-11-30T01:00:00+00:00")
    out = planner.plan(
        ffi.BatchColumns(
            ordered_at=[at] * 6,
            destination=bytes([27, 48, 27, 27, 27, 27]),
            policy=[0, 0, 2, 0, 0, 0],
            carrier=[0, 0, 0, 2, 0, 0],
            service=bytes([0, 0, 0, 0, 3, 0]),
            handling_days=[1, 1, 1, 1, 1, 366],
        ),
        "2026-11-30",
    )
    assert [out.status_names[s] for s in out.status] == ["ok"] + ["bad_input"] * 5
    with pytest.raises(ffi.IchigenError.InvalidInput) as info:
        planner.plan(ffi.BatchColumns(ordered_at=[at], destination=bytes([27])), "30/11/2026")
    assert (info.value.code, info.value.issues[0].path) == ("INPUT_BAD_DATE", "$.today")


def test_planner_errors(ffi):
    with pytest.raises(ffi.IchigenError.InvalidInput) as info:
        ffi.BatchPlanner("[]")
    assert info.value.code == "SHIPDATE_BAD_COLUMNS"
    with pytest.raises(ffi.IchigenError.InvalidShipping) as info:
        ffi.BatchPlanner(text([{"origin": "東京都"}, {"origin": "東京府"}]))
    assert [(i.code, i.path) for i in info.value.issues] == [("SHIPDATE_UNKNOWN_PREFECTURE", "$.policies[1].origin")]
    with pytest.raises(ffi.IchigenError.InvalidInput) as info:
        ffi.BatchPlanner(text([{"origin": "東京都"}]), None, "Mars/Olympus")
    assert info.value.issues[0].path == "$.zone"
    with pytest.raises(ffi.IchigenError.InvalidInput) as info:
        ffi.BatchPlanner(text({"origin": "東京都"}))
    assert info.value.issues[0].path.startswith("$.policies")


def test_objects_are_shared_across_threads(ffi, planner):
    from concurrent.futures import ThreadPoolExecutor

    columns = [generated(ffi, 300, seed) for seed in range(6)]
    expected = [planner.plan(c, "2026-11-23") for c in columns]
    with ThreadPoolExecutor(max_workers=3) as pool:
        got = list(pool.map(lambda c: planner.plan(c, "2026-11-23"), columns))
    assert got == expected
