"""apply_event: results, defaults, refusals."""

import pytest

import ichigen
from conftest import NOW, sample_order


def _ready(rules, order):
    return ichigen.triage(rules, order, now=NOW)["order"]


def test_add_tag_changes_and_records_history(order):
    out = ichigen.apply_event(order, {"type": "add_tag", "tag": "VIP"}, now=NOW)
    assert out["applied"] == "changed"
    assert out["status"] == "new"
    assert out["order"]["state"]["tags"] == ["VIP"]
    entry = out["order"]["state"]["history"][-1]
    assert entry["at"] == "2026-11-23T03:00:00Z"
    assert entry["actor"] == {"kind": "system"}  # the default actor


def test_same_event_twice_is_unchanged(order):
    once = ichigen.apply_event(order, {"type": "add_tag", "tag": "VIP"}, now=NOW)
    twice = ichigen.apply_event(once["order"], {"type": "add_tag", "tag": "VIP"}, now=NOW)
    assert twice["applied"] == "unchanged"
    assert twice["order"] == once["order"]


def test_actor_is_recorded(order):
    actor = {"kind": "user", "id": "staff-7"}
    out = ichigen.apply_event(order, {"type": "add_tag", "tag": "x"}, actor, NOW)
    assert out["order"]["state"]["history"][-1]["actor"] == actor


def test_bad_actor_is_an_input_error(order):
    with pytest.raises(ichigen.InputError) as info:
        ichigen.apply_event(order, {"type": "add_tag", "tag": "x"}, {"kind": "robot"}, NOW)
    assert info.value.issues[0]["path"].startswith("$.actor")


def test_print_then_ship_then_complete(rules, order):
    ready = _ready(rules, order)
    printed = ichigen.apply_event(ready, {"type": "print"}, now=NOW)
    assert printed["status"] == "printed"
    shipped = ichigen.apply_event(
        printed["order"], {"type": "ship", "tracking_number": "1234"}, now=NOW
    )
    assert shipped["status"] == "shipped"
    done = ichigen.apply_event(shipped["order"], '{"type": "complete"}', now=NOW)
    assert done["status"] == "completed"
    assert [h["to"] for h in done["order"]["state"]["history"]] == [
        "ready",
        "printed",
        "shipped",
        "completed",
    ]


def test_refused_event_raises_lifecycle_error(rules, order):
    printed = ichigen.apply_event(_ready(rules, order), {"type": "print"}, now=NOW)["order"]
    with pytest.raises(ichigen.LifecycleError) as info:
        ichigen.apply_event(printed, {"type": "print"}, now=NOW)
    assert info.value.code.startswith("LIFECYCLE_")


def test_event_on_invalid_order_raises_order_error():
    with pytest.raises(ichigen.OrderError):
        ichigen.apply_event(sample_order(lines=[]), {"type": "add_tag", "tag": "x"}, now=NOW)
