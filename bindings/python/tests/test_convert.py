"""Python values crossing into the core: Decimal, dates, datetimes, JSON text, numbers."""

import datetime as dt
import json
from decimal import Decimal

import pytest

import ichigen
from conftest import NOW, sample_order

JST = dt.timezone(dt.timedelta(hours=9))


def test_decimal_crosses_as_string():
    order = sample_order(shipping_fee=Decimal("550"))
    assert ichigen.parse_order(order)["shipping_fee"] == "550"


def test_decimal_with_exponent_is_written_fixed_point():
    order = sample_order(shipping_fee=Decimal("5.5E+2"))
    assert ichigen.parse_order(order)["shipping_fee"] == "550"


def test_decimal_amount_that_changes_the_total_is_reported():
    report = ichigen.validate_order(sample_order(shipping_fee=Decimal("551")))
    assert report["valid"] is False
    assert report["totals"]["shipping_fee"] == "551"
    assert {i["code"] for i in report["issues"]} == {"ORDER_TOTAL_MISMATCH"}


@pytest.mark.parametrize("bad", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_non_finite_decimal_is_an_input_error(bad):
    with pytest.raises(ichigen.InputError) as info:
        ichigen.parse_order(sample_order(shipping_fee=bad))
    assert info.value.code == "INPUT_BAD_AMOUNT"
    assert info.value.issues[0]["path"] == "$.order.shipping_fee"


def test_money_comes_back_as_strings():
    report = ichigen.validate_order(sample_order())
    totals = report["totals"]
    assert totals["total"] == "5390"
    assert all(isinstance(v, str) for k, v in totals.items() if k != "tax")


def test_float_amount_is_refused_with_a_code():
    report = ichigen.validate_order(sample_order(shipping_fee=550.0))
    assert report["valid"] is False
    assert [(i["code"], i["path"]) for i in report["issues"]] == [
        ("ORDER_BAD_AMOUNT", "$.shipping_fee")
    ]
    with pytest.raises(ichigen.OrderError) as info:
        ichigen.parse_order(sample_order(shipping_fee=550.0))
    assert info.value.issues[0]["code"] == "ORDER_BAD_AMOUNT"


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_float_is_an_input_error(bad):
    with pytest.raises(ichigen.InputError) as info:
        ichigen.validate_order(sample_order(shipping_fee=bad))
    assert info.value.code == "INPUT_BAD_NUMBER"
    assert info.value.issues[0]["path"] == "$.order.shipping_fee"


def test_aware_datetime_crosses_as_rfc3339_keeping_its_offset():
    order = sample_order(ordered_at=dt.datetime(2026, 11, 23, 10, 15, tzinfo=JST))
    # The core keeps instants in UTC.
    assert ichigen.parse_order(order)["ordered_at"] == "2026-11-23T01:15:00Z"


def test_aware_datetime_with_zoneinfo():
    import zoneinfo

    try:
        tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    except zoneinfo.ZoneInfoNotFoundError:  # no tz database: a fixed offset says the same
        tokyo = JST
    order = sample_order(ordered_at=dt.datetime(2026, 11, 23, 10, 15, 30, 250000, tzinfo=tokyo))
    assert ichigen.parse_order(order)["ordered_at"].startswith("2026-11-23T01:15:30.25")


def test_naive_datetime_is_refused():
    order = sample_order(ordered_at=dt.datetime(2026, 11, 23, 10, 15))
    with pytest.raises(ichigen.InputError) as info:
        ichigen.validate_order(order)
    err = info.value
    assert err.code == "INPUT_NAIVE_DATETIME"
    assert err.issues == [
        {
            "code": "INPUT_NAIVE_DATETIME",
            "path": "$.order.ordered_at",
            "message": err.issues[0]["message"],
        }
    ]


def test_date_crosses_as_iso_string():
    shipping = dict(sample_order()["shipping"], desired_date=dt.date(2026, 11, 26))
    parsed = ichigen.parse_order(sample_order(shipping=shipping))
    assert parsed["shipping"]["desired_date"] == "2026-11-26"


def test_json_text_and_dict_give_the_same_result():
    as_text = ichigen.parse_order(ichigen.SAMPLE_ORDER_JSON)
    as_dict = ichigen.parse_order(json.loads(ichigen.SAMPLE_ORDER_JSON))
    assert as_text == as_dict
    assert as_text["id"] == "ord-0001"


def test_malformed_json_text_is_an_input_error():
    with pytest.raises(ichigen.InputError) as info:
        ichigen.parse_order('{"id": "ord-1",')
    assert info.value.code == "INPUT_PARSE"
    assert info.value.issues[0]["path"] == "$.order"


def test_tuple_is_a_list():
    order = sample_order()
    order["lines"] = tuple(order["lines"])
    assert len(ichigen.parse_order(order)["lines"]) == 3


@pytest.mark.parametrize("bad", [{1, 2}, b"bytes", object(), dt.time(10, 0)])
def test_unsupported_types_are_refused_with_their_path(bad):
    order = sample_order()
    order["lines"][1]["sku"] = bad
    with pytest.raises(ichigen.InputError) as info:
        ichigen.validate_order(order)
    assert info.value.code == "INPUT_WRONG_TYPE"
    assert info.value.issues[0]["path"] == "$.order.lines[1].sku"


def test_non_string_keys_are_refused():
    with pytest.raises(ichigen.InputError) as info:
        ichigen.validate_order({1: "x"})
    assert info.value.code == "INPUT_WRONG_TYPE"


def test_integer_out_of_range_is_refused():
    order = sample_order()
    order["lines"][0]["quantity"] = 2**70
    with pytest.raises(ichigen.InputError) as info:
        ichigen.validate_order(order)
    assert info.value.code == "INPUT_OUT_OF_RANGE"
    assert info.value.issues[0]["path"] == "$.order.lines[0].quantity"


def test_bool_is_not_an_integer():
    order = sample_order()
    order["lines"][0]["quantity"] = True
    report = ichigen.validate_order(order)
    assert report["valid"] is False
    assert report["issues"][0]["path"] == "$.lines[0].quantity"


def test_self_containing_value_is_refused_not_crashing():
    loop = {}
    loop["again"] = loop
    with pytest.raises(ichigen.InputError) as info:
        ichigen.validate_order(loop)
    assert info.value.code == "INPUT_TOO_DEEP"


def test_unusual_keys_are_quoted_in_paths():
    with pytest.raises(ichigen.InputError) as info:
        ichigen.validate_order({"odd key": {"x": object()}})
    assert info.value.issues[0]["path"] == '$.order["odd key"].x'


def test_now_accepts_aware_datetime_and_string_alike(rules, order):
    by_text = ichigen.triage(rules, order, now=NOW)
    by_datetime = ichigen.triage(
        rules, order, now=dt.datetime(2026, 11, 23, 12, 0, tzinfo=JST)
    )
    assert by_text == by_datetime
    assert by_text["order"]["state"]["history"][0]["at"].startswith("2026-11-23T03:00:00")


def test_now_none_uses_the_system_clock(rules, order):
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    out = ichigen.triage(rules, order)
    after = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1)
    at = dt.datetime.fromisoformat(
        out["order"]["state"]["history"][0]["at"].replace("Z", "+00:00")
    )
    assert before <= at <= after


@pytest.mark.parametrize(
    "now, code",
    [
        (dt.datetime(2026, 11, 23, 3, 0), "INPUT_NAIVE_DATETIME"),
        ("2026-11-23 03:00", "INPUT_BAD_DATE"),
        ("2026-11-23", "INPUT_BAD_DATE"),
        (1764000000, "INPUT_WRONG_TYPE"),
        (dt.date(2026, 11, 23), "INPUT_WRONG_TYPE"),
    ],
)
def test_bad_now_is_an_input_error(rules, order, now, code):
    with pytest.raises(ichigen.InputError) as info:
        ichigen.triage(rules, order, now=now)
    assert info.value.code == code
    assert info.value.issues[0]["path"] == "$.now"


def test_numbers_come_back_as_int(order):
    parsed = ichigen.parse_order(order)
    quantity = parsed["lines"][0]["quantity"]
    assert quantity == 2 and type(quantity) is int


def test_input_is_not_mutated(rules, order):
    snapshot = json.dumps(order, sort_keys=True)
    ichigen.triage(rules, order, now=NOW)
    ichigen.apply_event(order, {"type": "add_tag", "tag": "VIP"}, now=NOW)
    assert json.dumps(order, sort_keys=True) == snapshot
