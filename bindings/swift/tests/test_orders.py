"""Orders through the FFI: the typed records, and what the binding itself decides
(the default actor, the clock)."""

import datetime
import json

EVENT = json.dumps({"type": "add_tag", "tag": "VIP"})
UTC = datetime.timezone.utc


def test_validation_report_of_a_valid_order(ffi):
    report = ffi.validate_order(ffi.sample_order_json())
    assert report.valid is True
    assert report.issues == []
    totals = json.loads(report.totals_json)
    assert totals["currency"] == "JPY"
    assert isinstance(totals["total"], str)


def test_validation_report_of_an_undecodable_order_has_no_totals(ffi):
    report = ffi.validate_order(json.dumps({"id": 5}))
    assert report.valid is False
    assert report.totals_json is None
    assert [i.code for i in report.issues] == ["ORDER_WRONG_TYPE"]


def test_parse_order_round_trips(ffi):
    parsed = ffi.parse_order(ffi.sample_order_json())
    assert json.loads(parsed)["id"] == json.loads(ffi.sample_order_json())["id"]
    assert ffi.parse_order(parsed) == parsed


def test_apply_event_records_now_and_the_default_actor(ffi):
    now = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    result = ffi.apply_event(ffi.sample_order_json(), EVENT, None, now)
    assert result.applied == ffi.Applied.CHANGED
    order = json.loads(result.order_json)
    assert result.status == "new"
    entry = order["state"]["history"][-1]
    assert entry["at"] == "2026-01-02T03:04:05Z"
    assert entry["actor"] == {"kind": "system"}
    assert order["state"]["tags"] == ["VIP"]


def test_apply_event_with_an_actor_and_an_offset_instant(ffi):
    now = datetime.datetime(2026, 1, 2, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=9)))
    actor = json.dumps({"kind": "user", "id": "u1"})
    result = ffi.apply_event(ffi.sample_order_json(), EVENT, actor, now)
    entry = json.loads(result.order_json)["state"]["history"][-1]
    assert entry["actor"] == {"kind": "user", "id": "u1"}
    assert entry["at"] == "2026-01-02T03:00:00Z"


def test_apply_event_without_now_reads_the_system_clock(ffi):
    before = datetime.datetime.now(UTC).replace(microsecond=0)
    result = ffi.apply_event(ffi.sample_order_json(), EVENT)
    after = datetime.datetime.now(UTC)
    at = datetime.datetime.fromisoformat(json.loads(result.order_json)["state"]["history"][-1]["at"])
    assert before <= at <= after


def test_an_event_with_nothing_to_do_is_unchanged(ffi):
    once = ffi.apply_event(ffi.sample_order_json(), EVENT)
    twice = ffi.apply_event(once.order_json, EVENT)
    assert twice.applied == ffi.Applied.UNCHANGED
    assert json.loads(twice.order_json)["state"]["tags"] == ["VIP"]
