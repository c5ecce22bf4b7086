"""Holidays and BusinessCalendar through the FFI: the HolidaySource enum, every
question, dates as YYYY-MM-DD strings, and the errors (InvalidCalendar, OutOfRange,
InvalidInput)."""

import datetime
import json

import pytest

STORE = {
    "name": "store",
    "closed_weekdays": ["sat", "sun"],
    "holidays": ["japan"],
    "annual_closed": [{"from": "12-29", "to": "01-03", "reason": "年末年始"}],
}
WAREHOUSE = {"name": "warehouse", "closed_weekdays": ["wed"], "holidays": []}


def text(value):
    return json.dumps(value, ensure_ascii=False)


@pytest.fixture(scope="module")
def store(ffi):
    return ffi.BusinessCalendar.from_json(text(STORE))


def next_day(date):
    return (datetime.date.fromisoformat(date) + datetime.timedelta(days=1)).isoformat()


def test_holidays_japan_and_china(ffi):
    japan = ffi.holidays(ffi.HolidaySource.JAPAN(), 2026)
    assert (japan.holidays[0].date, japan.holidays[0].name) == ("2026-01-01", "元日")
    assert any(h.date == "2026-09-22" and h.name == "国民の休日" for h in japan.holidays)
    assert japan.workdays == []
    china = ffi.holidays(ffi.HolidaySource.CHINA(), 2026)
    assert len(china.holidays) > 20
    assert china.workdays
    assert all(h.date.startswith("2026-") for h in china.holidays + china.workdays)


def test_holidays_of_a_shop(ffi):
    listed = ffi.holidays(
        ffi.HolidaySource.LIST(
            holidays=[ffi.Holiday(date="2027-12-01", name="創業記念日"), ffi.Holiday(date="2026-12-01", name="創業記念日")]
        ),
        2026,
    )
    assert listed == ffi.HolidayList(holidays=[ffi.Holiday(date="2026-12-01", name="創業記念日")], workdays=[])
    csv = ffi.holidays(ffi.HolidaySource.CSV(text="date,name\n2026-08-13,夏季休業\n2025-08-13,夏季休業\n"), 2026)
    assert [(h.date, h.name) for h in csv.holidays] == [("2026-08-13", "夏季休業")]


def test_holidays_errors(ffi):
    for source, year in [(ffi.HolidaySource.JAPAN(), 1947), (ffi.HolidaySource.CHINA(), 2019)]:
        with pytest.raises(ffi.IchigenError.OutOfRange) as info:
            ffi.holidays(source, year)
        assert info.value.code == "CALENDAR_OUT_OF_RANGE"
        assert info.value.issues == []
    with pytest.raises(ffi.IchigenError.InvalidCalendar) as info:
        ffi.holidays(ffi.HolidaySource.CSV(text="date,name\n2026-13-01,x\n"), 2026)
    assert info.value.issues[0].code == "CALENDAR_BAD_DATE"
    with pytest.raises(ffi.IchigenError.InvalidInput) as info:
        ffi.holidays(ffi.HolidaySource.LIST(holidays=[ffi.Holiday(date="2026-02-30", name="x")]), 2026)
    assert info.value.issues[0].path == "$.source.list[0].date"


def test_every_question(ffi, store):
    assert store.name() == "store"
    assert (store.first(), store.last()) == ("1948-07-20", "2099-12-31")
    assert store.is_business_day("2026-12-25") is True
    assert store.is_business_day("2026-12-30") is False
    assert store.next_business_day("2026-12-25") == "2026-12-28"
    assert store.previous_business_day("2027-01-04") == "2026-12-28"
    assert store.on_or_after("2026-12-29") == "2027-01-04"
    assert store.on_or_before("2027-01-03") == "2026-12-28"
    assert store.add_business_days("2026-12-25", 3) == "2027-01-05"
    assert store.add_business_days("2027-01-05", -3) == "2026-12-25"
    assert store.add_business_days("2026-12-26", 0) == "2026-12-28"
    assert store.count_business_days("2026-12-28", "2027-01-05") == 2
    assert store.count_business_days("2027-01-05", "2026-12-28") == -2
    assert isinstance(store.count_business_days("2099-12-01", "2100-01-01"), int)


def test_explain(ffi, store):
    e = store.explain("2027-01-01")
    assert (e.date, e.business_day) == ("2027-01-01", False)
    assert e.text == ["store holiday (元日)", "store closed (年末年始)"]
    assert json.loads(e.reasons_json) == [
        {"kind": "holiday", "calendar": "store", "name": "元日"},
        {"kind": "closed", "calendar": "store", "reason": "年末年始"},
    ]
    open_day = store.explain("2026-12-25")
    assert (open_day.business_day, open_day.text, open_day.reasons_json) == (True, [], "[]")


def test_composed_calendars(ffi):
    both = ffi.BusinessCalendar.from_json(text([STORE, WAREHOUSE]))
    assert both.name() == "store+warehouse"
    assert both.is_business_day("2026-12-23") is False  # a Wednesday
    assert both.next_business_day("2026-12-22") == "2026-12-24"
    assert json.loads(both.explain("2026-12-23").reasons_json) == [
        {"kind": "weekly_closed", "calendar": "warehouse", "weekday": "wed"}
    ]


def test_add_business_days_agrees_with_stepping(ffi, store):
    start = "2026-12-20"
    stepped = start
    for n in range(1, 41):
        stepped = store.next_business_day(stepped)
        assert store.add_business_days(start, n) == stepped, n
        assert store.count_business_days(start, next_day(stepped)) == n + store.is_business_day(start)


def test_invalid_definitions_list_every_issue(ffi):
    with pytest.raises(ffi.IchigenError.InvalidCalendar) as info:
        ffi.BusinessCalendar.from_json(
            text({"name": " ", "annual_closed": [{"from": "13-01", "reason": "x"}], "range": {"from": "2030-01-01", "to": "2029-01-01"}})
        )
    e = info.value
    assert e.code == "CALENDAR_INVALID"
    assert sorted((i.code, i.path) for i in e.issues) == [
        ("CALENDAR_BAD_DATE", "$.annual_closed[0].from"),
        ("CALENDAR_BAD_RANGE", "$.range"),
        ("CALENDAR_MISSING_NAME", "$.name"),
    ]
    with pytest.raises(ffi.IchigenError.InvalidCalendar) as info:
        ffi.BusinessCalendar.from_json(text([STORE, {"name": "x", "closed_weekdays": ["saturday"]}]))
    assert [(i.code, i.path) for i in info.value.issues] == [("CALENDAR_UNKNOWN_VALUE", "$[1].closed_weekdays[0]")]


def test_out_of_range(ffi):
    short = ffi.BusinessCalendar.from_json(text({"name": "short", "range": {"from": "2026-01-01", "to": "2026-12-31"}}))
    for ask in [
        lambda: short.is_business_day("2027-01-04"),
        lambda: short.next_business_day("2026-12-31"),
        lambda: short.previous_business_day("2026-01-01"),
        lambda: short.add_business_days("2026-12-30", 5),
        lambda: short.count_business_days("2025-12-31", "2026-02-01"),
        lambda: short.explain("2025-06-01"),
    ]:
        with pytest.raises(ffi.IchigenError.OutOfRange) as info:
            ask()
        assert info.value.code == "CALENDAR_OUT_OF_RANGE"
        assert "short" in info.value.message


def test_dates_must_be_iso(ffi, store):
    for bad in ["2026-13-01", "2026/12/01", "", "20261201"]:
        with pytest.raises(ffi.IchigenError.InvalidInput) as info:
            store.is_business_day(bad)
        assert (info.value.code, [i.path for i in info.value.issues]) == ("INPUT_BAD_DATE", ["$.date"])
    with pytest.raises(ffi.IchigenError.InvalidInput) as info:
        store.count_business_days("2026-12-01", "x")
    assert info.value.issues[0].path == "$.to_date"
    with pytest.raises(ffi.IchigenError.InvalidInput) as info:
        store.count_business_days("x", "2026-12-01")
    assert info.value.issues[0].path == "$.from_date"
