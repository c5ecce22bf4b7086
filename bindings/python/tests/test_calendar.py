"""Calendars from Python: holidays, the Calendar class, its errors."""

import datetime
import json
import threading

import pytest

import ichigen

D = datetime.date

STORE = {
    "name": "store",
    "annual_closed": [{"from": "12-29", "to": "01-03", "reason": "年末年始"}],
}
WAREHOUSE = {"name": "warehouse", "closed_weekdays": ["wed"], "holidays": []}


@pytest.fixture
def store():
    return ichigen.Calendar(STORE)


# holidays


def test_japan_holidays_are_dates_with_names():
    out = ichigen.holidays("japan", 2026)
    assert set(out) == {"holidays", "workdays"}
    first = out["holidays"][0]
    assert first == {"date": D(2026, 1, 1), "name": "元日"}
    assert all(type(h["date"]) is D for h in out["holidays"])
    assert out["workdays"] == []
    # 2026-09-22 is a 国民の休日 between 敬老の日 and 秋分の日 (silver week).
    assert D(2026, 9, 22) in {h["date"] for h in out["holidays"]}


def test_china_holidays_have_adjusted_workdays():
    out = ichigen.holidays("china", 2026)
    assert out["holidays"] and out["workdays"]
    assert all(type(w["date"]) is D for w in out["workdays"])


def test_holidays_from_a_list_a_csv_and_a_schedule():
    listed = ichigen.holidays(
        {"list": [{"date": "2026-12-01", "name": "創業記念日"}, {"date": "2027-01-05", "name": "x"}]},
        2026,
    )
    assert listed["holidays"] == [{"date": D(2026, 12, 1), "name": "創業記念日"}]
    # Dates inside a source may be datetime.date too.
    as_dates = ichigen.holidays({"list": [{"date": D(2026, 12, 1), "name": "創業記念日"}]}, 2026)
    assert as_dates == listed
    csv = ichigen.holidays({"csv": "date,name\n2026-12-01,創業記念日\n"}, 2026)
    assert csv["holidays"] == listed["holidays"]
    toml = 'year = 2031\nsource = "test"\n\n[[holiday]]\nname = "元旦"\nfrom = "2031-01-01"\n'
    schedule = ichigen.holidays({"china_schedule": toml}, 2031)
    assert schedule["holidays"] == [{"date": D(2031, 1, 1), "name": "元旦"}]


def test_holidays_errors():
    with pytest.raises(ichigen.CalendarError) as e:
        ichigen.holidays("japan", 2100)
    assert e.value.code == "CALENDAR_OUT_OF_RANGE"
    assert e.value.issues == []
    with pytest.raises(ichigen.CalendarError) as e:
        ichigen.holidays({"csv": "date,name\nnot-a-date,x\n"}, 2026)
    assert e.value.code == "CALENDAR_INVALID"
    assert e.value.issues[0]["code"] == "CALENDAR_BAD_DATE"
    with pytest.raises(ichigen.InputError) as e:
        ichigen.holidays("atlantis", 2026)
    assert e.value.code.startswith("INPUT_")
    assert e.value.issues[0]["path"] == "$.source"
    with pytest.raises(ichigen.InputError) as e:
        ichigen.holidays("japan", 2**40)
    assert e.value.issues[0]["path"] == "$.year"


# building


def test_calendar_from_dict_json_text_and_list(store):
    assert store.name == "store"
    assert ichigen.Calendar(json.dumps(STORE)).name == "store"
    both = ichigen.Calendar([STORE, WAREHOUSE])
    assert both.name == "store+warehouse"
    # Composed: open only when both are open (Wednesday closes the warehouse).
    assert store.is_business_day(D(2026, 12, 2))
    assert not both.is_business_day(D(2026, 12, 2))
    assert both.is_business_day(D(2026, 12, 3))


def test_range_and_repr(store):
    # The default range, narrowed to what the Japanese holiday table covers.
    assert store.first == D(1948, 7, 20)
    assert store.last == D(2099, 12, 31)
    assert type(store.first) is D
    narrow = ichigen.Calendar(
        {"name": "n", "holidays": [], "range": {"from": "2026-01-01", "to": "2026-12-31"}}
    )
    assert (narrow.first, narrow.last) == (D(2026, 1, 1), D(2026, 12, 31))
    assert "store" in repr(store)


def test_invalid_definition_reports_every_problem():
    with pytest.raises(ichigen.CalendarError) as e:
        ichigen.Calendar({"name": "x", "closed_weekdays": ["caturday"]})
    assert e.value.code == "CALENDAR_INVALID"
    assert [(i["code"], i["path"]) for i in e.value.issues] == [
        ("CALENDAR_UNKNOWN_VALUE", "$.closed_weekdays[0]")
    ]
    assert isinstance(e.value, ichigen.IchigenError)
    # In a composed list, the path names the member.
    with pytest.raises(ichigen.CalendarError) as e:
        ichigen.Calendar([STORE, {"name": "w", "closed_weekdays": ["caturday"]}])
    assert e.value.issues[0]["path"] == "$[1].closed_weekdays[0]"
    with pytest.raises(ichigen.CalendarError) as e:
        ichigen.Calendar([])
    assert e.value.issues[0]["code"] == "CALENDAR_EMPTY_UNION"
    with pytest.raises(ichigen.InputError) as e:
        ichigen.Calendar("{not json")
    assert e.value.code == "INPUT_PARSE"


# questions


def test_every_question(store):
    fri, sat, mon = D(2026, 12, 25), D(2026, 12, 26), D(2026, 12, 28)
    assert store.is_business_day(fri) is True
    assert store.is_business_day(sat) is False
    assert store.next_business_day(fri) == mon
    assert store.next_business_day(mon) == D(2027, 1, 4)  # 12/29–1/3 closed
    assert store.previous_business_day(mon) == fri
    assert store.on_or_after(sat) == mon
    assert store.on_or_after(fri) == fri
    assert store.on_or_before(sat) == fri
    assert store.add_business_days(fri, 3) == D(2027, 1, 5)
    assert store.add_business_days(D(2027, 1, 5), -3) == fri
    assert store.add_business_days(sat, 0) == mon
    assert store.count_business_days(mon, D(2027, 1, 5)) == 2
    assert store.count_business_days(D(2027, 1, 5), mon) == -2
    assert type(store.next_business_day(fri)) is D


def test_explain(store):
    e = store.explain(D(2027, 1, 2))
    assert e["date"] == D(2027, 1, 2)
    assert e["business_day"] is False
    assert e["reasons"] == [
        {"kind": "weekly_closed", "calendar": "store", "weekday": "sat"},
        {"kind": "closed", "calendar": "store", "reason": "年末年始"},
    ]
    assert e["text"] == ["store closed on 土曜日", "store closed (年末年始)"]
    assert store.explain(D(2026, 12, 28)) == {
        "date": D(2026, 12, 28),
        "business_day": True,
        "reasons": [],
        "text": [],
    }


def test_dates_as_iso_strings_are_accepted(store):
    assert store.next_business_day("2026-12-25") == D(2026, 12, 28)
    assert store.count_business_days("2026-12-28", D(2027, 1, 5)) == 2


def test_bad_date_arguments(store):
    with pytest.raises(ichigen.InputError) as e:
        store.is_business_day(datetime.datetime(2026, 12, 25, tzinfo=datetime.timezone.utc))
    assert e.value.code == "INPUT_WRONG_TYPE"
    assert e.value.issues[0]["path"] == "$.date"
    with pytest.raises(ichigen.InputError) as e:
        store.is_business_day("25/12/2026")
    assert e.value.code == "INPUT_BAD_DATE"
    with pytest.raises(ichigen.InputError) as e:
        store.count_business_days(D(2026, 1, 1), 5)
    assert e.value.issues[0]["path"] == "$.end"
    with pytest.raises(TypeError):
        store.add_business_days(D(2026, 1, 1), "3")


def test_out_of_range_is_a_calendar_error(store):
    with pytest.raises(ichigen.CalendarError) as e:
        store.is_business_day(D(2100, 1, 1))
    assert e.value.code == "CALENDAR_OUT_OF_RANGE"
    assert "2100-01-01" in e.value.message
    with pytest.raises(ichigen.CalendarError):
        store.add_business_days(D(2099, 12, 30), 5)
    with pytest.raises(ichigen.CalendarError):
        store.explain(D(1900, 1, 1))
    # The day after the last is a valid end of a count (12/31 is in the closure).
    assert store.count_business_days(D(2099, 12, 31), D(2100, 1, 1)) == 0
    with pytest.raises(ichigen.CalendarError):
        store.count_business_days(D(2099, 12, 31), D(2100, 1, 2))


def test_a_calendar_is_shared_between_threads(store):
    results = []

    def work():
        results.append(store.add_business_days(D(2026, 12, 25), 3))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [D(2027, 1, 5)] * 8
