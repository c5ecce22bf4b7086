"""Shipments: ShipmentPlanner method by method (split, split_all, mail, merge
candidates, merge check, merge, unmerge), its reuse across a batch and threads,
largest_remainder and builtin_profiles, and the errors (ShipmentError, OrderError
and InputError with their codes and paths)."""

import copy
import decimal
import json
import threading

import pytest

import ichigen
import shipment_vectors
from conftest import NOW, VECTORS, sample_order
from test_identity import _gaps_while

ITEMS = [
    {"sku": "TEA-A", "mail_fraction": "[M便 1/3]", "weight_g": 200, "thickness_mm": 25},
    {"sku": "SWT-01", "mail_fraction": "1/2", "weight_g": 300},
    {"sku": "CUP-01", "mail_fraction": "1/100", "weight_g": 50},
]


def _raise(cls, call):
    with pytest.raises(cls) as info:
        call()
    err = info.value
    assert type(err) is cls
    return err


def chilled_sweets():
    """The sample order with its sweets chilled: two temperature zones."""
    order = sample_order()
    order["lines"][1]["temperature"] = "chilled"
    return order


def mail_order(quantity=2, **overrides):
    """One line of TEA-A (1/3 of a packet each) sent by nekopos."""
    line = dict(sample_order()["lines"][0], quantity=quantity)
    fields = {
        "lines": [line],
        "shipping": {"method": "nekopos", "class": "mail_packet", "carrier": "yamato"},
        "stated": {},
        "discounts": {},
        "shipping_fee": "0",
    }
    fields.update(overrides)
    return sample_order(**fields)


def second(order_id, ordered_at="2026-11-23T02:00:00Z", **overrides):
    """Another order of the same buyer to the same address, later."""
    return sample_order(
        id=order_id, channel_order_number=f"n-{order_id}", ordered_at=ordered_at, **overrides
    )


def money_sum(shipments, key):
    return sum(decimal.Decimal(s["money"][key]) for s in shipments)


# --- split -------------------------------------------------------------------


def test_split_by_temperature_keeps_the_order_total():
    plan = ichigen.ShipmentPlanner().split(chilled_sweets())
    assert plan["orders"] == ["ord-0001"]
    assert plan["currency"] == "JPY"
    ships = plan["shipments"]
    assert [s["temperature"] for s in ships] == ["ambient", "chilled"]
    assert [[ln["line"] for ln in s["lines"]] for s in ships] == [[0, 2], [1]]
    assert all(s["caused_by"] == ["temperature_zone"] for s in ships)
    # Amounts are strings; the default fee rule keeps the fee on the first shipment.
    assert [s["money"]["shipping_fee"] for s in ships] == ["550", "0"]
    assert money_sum(ships, "total") == decimal.Decimal("5390")
    assert plan["total"]["total"] == "5390"
    assert ships[0]["lines"][0] == {
        "order": "ord-0001",
        "line": 0,
        "listing_code": "tea-set-a",
        "sku": "TEA-A",
        "quantity": 2,
        "amount": "3300",
    }


def test_split_one_zone_is_one_shipment():
    plan = ichigen.ShipmentPlanner().split(sample_order())
    assert len(plan["shipments"]) == 1
    assert plan["shipments"][0]["caused_by"] == []


def test_options_shape_the_plan():
    planner = ichigen.ShipmentPlanner({"fees": "proportional"})
    ships = planner.split(chilled_sweets())["shipments"]
    fees = [decimal.Decimal(s["money"]["shipping_fee"]) for s in ships]
    assert all(f > 0 for f in fees) and sum(fees) == 550
    assert money_sum(ships, "total") == decimal.Decimal("5390")

    boxes = ichigen.ShipmentPlanner({"split_by": ["capacity"], "capacity": {"max_units": 1}})
    ships = boxes.split(sample_order())["shipments"]
    assert len(ships) == 4  # 2 + 1 + 1 units
    assert [s["package"] for s in ships] == [{"number": i, "of": 4} for i in range(1, 5)]


def test_split_with_stock_separates_backordered_lines():
    planner = ichigen.ShipmentPlanner({"split_by": ["stock"]})
    stock = [
        {"line": 0, "location": "tokyo", "quantity": 2},
        {"line": 2, "location": "tokyo", "quantity": 1},
    ]
    ships = planner.split(sample_order(), stock)["shipments"]
    assert [(s["stock"], [ln["line"] for ln in s["lines"]]) for s in ships] == [
        ("reserved", [0, 2]),
        ("backordered", [1]),
    ]
    # Without stock the key has nothing to split by.
    assert len(planner.split(sample_order())["shipments"]) == 1


def test_json_text_is_accepted_for_every_argument():
    planner = ichigen.ShipmentPlanner('{"fees": "proportional"}')
    order = chilled_sweets()
    assert planner.split(json.dumps(order), "[]") == planner.split(order)
    assert planner.split_all(json.dumps([order])) == [planner.split(order)]
    assert planner.mail(json.dumps(order)) == planner.mail(order)


def test_split_all_is_split_over_each_order():
    planner = ichigen.ShipmentPlanner({"split_by": ["temperature_zone", "capacity"],
                                       "capacity": {"max_units": 2}})
    orders = [sample_order(), chilled_sweets(), second("o3")]
    plans = planner.split_all(orders)
    assert plans == [planner.split(o) for o in orders]
    assert [p["orders"] for p in plans] == [["ord-0001"], ["ord-0001"], ["o3"]]
    assert planner.split_all(tuple(orders)) == plans
    assert planner.split_all([]) == []


def test_split_all_stops_at_the_first_bad_order_with_its_index():
    planner = ichigen.ShipmentPlanner()
    bad = sample_order(currency="XXY")
    worse = sample_order(lines=[])
    err = _raise(ichigen.OrderError, lambda: planner.split_all([sample_order(), bad, worse]))
    assert err.code == "ORDER_INVALID"
    paths = [i["path"] for i in err.issues]
    assert paths and all(p.startswith("$.orders[1]") for p in paths), paths
    assert "$.orders[1].currency" in paths

    err = _raise(ichigen.ShipmentError, lambda: planner.split_all({"orders": []}))
    assert (err.issues[0]["code"], err.issues[0]["path"]) == ("SHIPMENT_WRONG_TYPE", "$.orders")


def test_the_planner_is_reused_and_shared_between_threads():
    planner = ichigen.ShipmentPlanner({"fees": "proportional", "items": ITEMS})
    orders = [chilled_sweets(), sample_order(), mail_order(3)]
    expected = [ichigen.ShipmentPlanner({"fees": "proportional", "items": ITEMS}).split(o)
                for o in orders]
    # A planner keeps nothing from one call to the next.
    for _ in range(3):
        assert [planner.split(o) for o in orders] == expected
    results, errors = [], []

    def work():
        try:
            for _ in range(20):
                results.append(planner.split_all(orders))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 80 and all(r == expected for r in results)


def test_split_all_releases_the_gil():
    """While the core plans a batch, this thread keeps running Python: the longest
    pause (converting the orders in and the plans out) is a small part of the work
    (holding the GIL, it would be all of it). test_identity checks the check."""
    planner = ichigen.ShipmentPlanner({"split_by": ["capacity"], "capacity": {"max_units": 1}})
    for n in (100, 400, 1600, 6400):
        orders = [sample_order(id=f"o{i}") for i in range(n)]
        took, longest = _gaps_while(lambda orders=orders: planner.split_all(orders))
        if took > 0.2:
            break
    else:
        raise AssertionError("the work never took long enough to tell")
    assert longest < took / 3, (took, longest)


def test_repr_names_the_policy_not_the_orders():
    planner = ichigen.ShipmentPlanner({"split_by": ["location"], "items": ITEMS})
    assert repr(planner) == "ShipmentPlanner(split_by=['location'], items=3, profiles=4)"
    assert repr(ichigen.ShipmentPlanner()) == (
        "ShipmentPlanner(split_by=['temperature_zone', 'shipping_method'], items=0, profiles=4)"
    )


# --- mail packets ------------------------------------------------------------


def test_mail_fits_one_packet():
    planner = ichigen.ShipmentPlanner({"items": ITEMS})
    verdict = planner.mail(mail_order(3))
    assert verdict["profile"] == "nekopos"
    assert (verdict["eligible"], verdict["load"], verdict["packets"]) == (True, "1/1", 1)
    assert verdict["outcome"] == "mail_packet"
    assert verdict["reasons"] == []
    assert verdict["facts"] == {"mail_packet_fits": True, "mail_packets_needed": 1}


def test_mail_over_one_packet_goes_in_a_box_unless_packets_are_allowed():
    verdict = ichigen.ShipmentPlanner({"items": ITEMS}).mail(mail_order(4))
    assert (verdict["load"], verdict["packets"], verdict["outcome"]) == ("4/3", 2, "box")
    assert verdict["reasons"] == [{"code": "over_capacity"}]
    assert verdict["facts"] == {"mail_packet_fits": False, "mail_packets_needed": 2}

    two = ichigen.ShipmentPlanner({"items": ITEMS, "max_packets": 2}).mail(mail_order(4))
    assert (two["outcome"], two["eligible"]) == ("packets", True)


def test_mail_reasons_name_the_line():
    planner = ichigen.ShipmentPlanner({"items": ITEMS[:1]})
    verdict = planner.mail(sample_order())  # SWT-01 and CUP-01 have no spec
    assert verdict["eligible"] is False
    assert verdict["reasons"] == [
        {"code": "not_mailable", "line": 1},
        {"code": "not_mailable", "line": 2},
    ]
    cod = planner.mail(mail_order(1, payment={"method": "cod"}, cod_fee="330"))
    assert {"code": "cod"} in cod["reasons"]


def test_mail_facts_feed_triage():
    rules = {
        "name": "mail",
        "mode": "first_match",
        "rules": [
            {"id": "box", "when": {"mail_packet_fits": False}, "then": [{"add_tags": ["box"]}]},
            {"id": "ok", "when": {}, "then": [{"set_status": "ready"}]},
        ],
    }
    planner = ichigen.ShipmentPlanner({"items": ITEMS})
    for quantity, matched in [(3, ["ok"]), (4, ["box"])]:
        order = mail_order(quantity)
        facts = planner.mail(order)["facts"]
        outcome = ichigen.triage(rules, order, facts, now=NOW)["outcome"]
        assert outcome["matched"] == matched


# --- merging -----------------------------------------------------------------


def test_merge_candidates_groups_and_exclusions():
    planner = ichigen.ShipmentPlanner()
    orders = [
        sample_order(),
        second("o2"),
        second("o3", recipients=[dict(sample_order()["recipients"][0], address2="別棟")]),
        sample_order(id="bad", lines=[]),
        second("o5", ordered_at="2026-11-23T03:00:00Z"),
    ]
    out = planner.merge_candidates(orders, {"o5": {"masked": True}})
    assert out["groups"] == [{"parent": "ord-0001", "orders": ["ord-0001", "o2"]}]
    excluded = {e["reason"]: e for e in out["excluded"]}
    assert set(excluded) == {"invalid", "masked"}
    assert (excluded["invalid"]["order"], excluded["invalid"]["index"]) == ("bad", 3)
    assert all(i["path"].startswith("$.orders[3]") for i in excluded["invalid"]["issues"])
    assert (excluded["masked"]["order"], excluded["masked"]["index"]) == ("o5", 4)
    assert out["context"] == {
        "ord-0001": {"merge_candidate": True},
        "o2": {"merge_candidate": True},
        "o3": {"merge_candidate": False},
        "o5": {"merge_candidate": False},
    }
    assert out["merged"] == []

    auto = ichigen.ShipmentPlanner({"auto_merge": True}).merge_candidates(orders[:2])
    assert [p["orders"] for p in auto["merged"]] == [["ord-0001", "o2"]]
    assert auto["context"]["o2"] == {"merge_candidate": False}


def test_merge_check_names_the_differences():
    planner = ichigen.ShipmentPlanner()
    assert planner.merge_check([sample_order(), second("o2")]) == {
        "mergeable": True,
        "differs": [],
    }
    other = second("o2", payment={"method": "bank_transfer"})
    assert planner.merge_check([sample_order(), other]) == {
        "mergeable": False,
        "differs": ["payment_method"],
    }
    # A fact about the order counts: a different planned ship date.
    facts = {"o2": {"ship_date": "2026-11-30"}}
    assert planner.merge_check([sample_order(), second("o2")], facts)["differs"] == ["ship_date"]
    err = _raise(ichigen.ShipmentError, lambda: planner.merge_check([sample_order()]))
    assert err.issues[0]["path"] == "$.orders"


def test_merge_and_unmerge_round_trip():
    planner = ichigen.ShipmentPlanner({"fees": "proportional"})
    # The later order first: the parent (the earliest) leads the plan.
    later = second("o2", ordered_at="2026-11-23T04:00:00Z", lines=chilled_sweets()["lines"])
    orders = [later, chilled_sweets()]
    merged = planner.merge(orders)
    assert [s["temperature"] for s in merged["shipments"]] == ["ambient", "chilled"]
    assert merged["orders"] == ["ord-0001", "o2"]
    assert merged["total"]["total"] == "10780"
    for s in merged["shipments"]:
        assert {p["order"] for p in s["parts"]} <= {"ord-0001", "o2"}
        assert sum(decimal.Decimal(p["money"]["total"]) for p in s["parts"]) == decimal.Decimal(
            s["money"]["total"]
        )

    plans = planner.unmerge(merged, orders)["plans"]
    assert [p["orders"] for p in plans] == [["ord-0001"], ["o2"]]
    assert [p["total"]["total"] for p in plans] == ["5390", "5390"]
    # The merged plan may come back as JSON text (as it was stored).
    assert planner.unmerge(json.dumps(merged), orders)["plans"] == plans


def test_merge_refusals_name_each_difference():
    planner = ichigen.ShipmentPlanner()
    other = second(
        "o2",
        shipping={"method": "takkyubin", "carrier": "yamato", "time_slot": "1820"},
        payment={"method": "bank_transfer"},
    )
    err = _raise(ichigen.ShipmentError, lambda: planner.merge([sample_order(), other]))
    assert err.code == "SHIPMENT_INVALID"
    assert [(i["code"], i["path"]) for i in err.issues] == [
        ("SHIPMENT_MERGE_TIME_SLOT", "$.orders[1].shipping.time_slot"),
        ("SHIPMENT_MERGE_PAYMENT_METHOD", "$.orders[1].payment.method"),
    ]
    err = _raise(ichigen.ShipmentError, lambda: planner.merge([sample_order()]))
    assert err.issues[0]["code"] == "SHIPMENT_MERGE_TOO_FEW"


def test_unmerge_refuses_a_tampered_plan():
    planner = ichigen.ShipmentPlanner()
    orders = [sample_order(), second("o2")]
    merged = planner.merge(orders)
    tampered = copy.deepcopy(merged)
    tampered["shipments"][0]["money"]["total"] = "1"
    err = _raise(ichigen.ShipmentError, lambda: planner.unmerge(tampered, orders))
    assert err.issues[0]["code"] == "SHIPMENT_UNMERGE_MISMATCH"
    err = _raise(ichigen.ShipmentError, lambda: planner.unmerge({"orders": ["ord-0001"]}, orders))
    assert err.issues[0]["path"] == "$.merged.shipments"


# --- errors ------------------------------------------------------------------


def test_bad_options_raise_shipment_error_at_their_paths():
    err = _raise(
        ichigen.ShipmentError,
        lambda: ichigen.ShipmentPlanner(
            {"capacity": {"max_units": 0}, "max_packets": 0, "mail_profile": "takkyubin"}
        ),
    )
    assert err.code == "SHIPMENT_INVALID"
    assert {(i["code"], i["path"]) for i in err.issues} == {
        ("SHIPMENT_CAPACITY_ZERO", "$.capacity.max_units"),
        ("SHIPMENT_MAX_PACKETS_ZERO", "$.max_packets"),
        ("SHIPMENT_UNKNOWN_PROFILE", "$.mail_profile"),
    }
    err = _raise(ichigen.ShipmentError, lambda: ichigen.ShipmentPlanner({"split_by": ["colour"]}))
    assert err.issues[0]["path"].startswith("$.split_by")
    err = _raise(ichigen.ShipmentError, lambda: ichigen.ShipmentPlanner({"no_such_option": 1}))
    assert err.issues[0]["path"].startswith("$")


def test_order_errors_carry_the_argument_path():
    planner = ichigen.ShipmentPlanner()
    order = sample_order()
    order["lines"][1]["quantity"] = 0
    for call, prefix in [
        (lambda: planner.split(order), "$.order."),
        (lambda: planner.mail(order), "$.order."),
        (lambda: planner.merge([sample_order(), order]), "$.orders[1]."),
        (lambda: planner.merge_check([order, sample_order()]), "$.orders[0]."),
    ]:
        err = _raise(ichigen.OrderError, call)
        assert f"{prefix}lines[1].quantity" in [i["path"] for i in err.issues]


def test_bad_stock_and_facts_raise_shipment_error():
    planner = ichigen.ShipmentPlanner()
    err = _raise(
        ichigen.ShipmentError, lambda: planner.split(sample_order(), [{"line": 7, "quantity": 1}])
    )
    assert err.issues[0]["path"].startswith("$.stock[0]")
    err = _raise(
        ichigen.ShipmentError,
        lambda: planner.merge([sample_order(), second("o2")], {"nobody": {}}),
    )
    assert (err.issues[0]["code"], err.issues[0]["path"]) == (
        "SHIPMENT_UNKNOWN_ORDER",
        "$.facts.nobody",
    )


def test_arguments_that_do_not_convert_raise_input_error():
    planner = ichigen.ShipmentPlanner()
    for call, path in [
        (lambda: ichigen.ShipmentPlanner(object()), "$.options"),
        (lambda: planner.split({**sample_order(), "lines": {1, 2}}), "$.order.lines"),
        (lambda: planner.split_all([sample_order(), {"id": b"x"}]), "$.orders[1].id"),
        (lambda: planner.merge([sample_order()], {"o": {"ship_date": object()}}), "$.facts.o.ship_date"),
        (lambda: planner.split(sample_order(), [{"line": float("nan")}]), "$.stock[0].line"),
        (lambda: planner.split("{not json"), "$.order"),
    ]:
        err = _raise(ichigen.InputError, call)
        assert err.code.startswith("INPUT_")
        assert err.issues[0]["path"] == path


# --- largest_remainder and builtin_profiles ------------------------------------


@pytest.mark.parametrize(
    "total, weights, shares",
    [
        (100, [1, 1, 1], [34, 33, 33]),
        (550, [3000, 1000], [413, 137]),
        (10, [1, 2, 1, 2], [2, 3, 2, 3]),  # ties go to the earlier index
        (5, [], []),  # nothing to share to
        (0, [3, 4], [0, 0]),
        (7, [0, 0], [7, 0]),  # all zero: the first takes it all
        (7, [-5, 0, 0], [7, 0, 0]),
        (10, [-5, 1, 1], [0, 5, 5]),  # negative weights count as zero
        (-100, [1, 1, 1], [-34, -33, -33]),  # a negative total, negated
        (-7, [0, 0], [-7, 0]),
        (2**100, [1, 1], [2**99, 2**99]),  # beyond 64 bits
    ],
)
def test_largest_remainder(total, weights, shares):
    out = ichigen.largest_remainder(total, weights)
    assert out == shares
    assert sum(out) == (total if weights else 0)
    assert all(type(s) is int for s in out)


def test_largest_remainder_takes_a_tuple_and_keywords():
    assert ichigen.largest_remainder(weights=(1, 3), total=8) == [2, 6]


@pytest.mark.parametrize(
    "total, weights, code, path",
    [
        (1.0, [1], "INPUT_WRONG_TYPE", "$.total"),
        ("100", [1], "INPUT_WRONG_TYPE", "$.total"),
        (True, [1], "INPUT_WRONG_TYPE", "$.total"),
        (decimal.Decimal(5), [1], "INPUT_WRONG_TYPE", "$.total"),
        (100, [1, 2.5], "INPUT_WRONG_TYPE", "$.weights[1]"),
        (100, [1, None], "INPUT_WRONG_TYPE", "$.weights[1]"),
        (100, [False], "INPUT_WRONG_TYPE", "$.weights[0]"),
        (100, "12", "INPUT_WRONG_TYPE", "$.weights"),
        (100, {1: 1}, "INPUT_WRONG_TYPE", "$.weights"),
        (100, None, "INPUT_WRONG_TYPE", "$.weights"),
        (2**127, [1], "INPUT_OUT_OF_RANGE", "$.total"),
        (1, [-(2**128)], "INPUT_OUT_OF_RANGE", "$.weights[0]"),
    ],
)
def test_largest_remainder_refuses_bad_arguments(total, weights, code, path):
    err = _raise(ichigen.InputError, lambda: ichigen.largest_remainder(total, weights))
    assert (err.issues[0]["code"], err.issues[0]["path"]) == (code, path)


@pytest.mark.parametrize(
    "total, weights, shares",
    [
        (2**100, [2**30], [2**100]),  # |total| × Σ weights passes 2^127: exact
        (2**100, [3, 1], [3 * 2**98, 2**98]),
        (2**64, [2**63, 2**63], [2**63, 2**63]),  # Σ weights past 2^63: halved
        (-(2**127), [1, 1], [-(2**126) - 1, -(2**126) + 1]),  # no absolute value in i128
        (1, [2**126, 2**126], [1, 0]),  # the sum passes 2^127
    ],
)
def test_largest_remainder_scales_huge_weights(total, weights, shares):
    """Huge totals are shared exactly; weights whose sum passes 2^63 are halved
    together first. The shares always add up to the total."""
    assert ichigen.largest_remainder(total, weights) == shares


def test_builtin_profiles():
    profiles = ichigen.builtin_profiles()
    assert [p["code"] for p in profiles] == ["nekopos", "yu_packet", "click_post", "dm_bin"]
    for p in profiles:
        assert p["class"] == "mail_packet"
        assert (p["cod"], p["cool"], p["time_slot"]) == (False, False, False)
        assert p["max_weight_g"] == 1000
    assert profiles[1]["max_three_sides_mm"] == 600
    assert profiles[3]["max_thickness_mm"] == 20
    # A fresh list each call.
    profiles.clear()
    assert len(ichigen.builtin_profiles()) == 4


def test_a_builtin_profile_judges_by_its_limits():
    nekopos = next(p for p in ichigen.builtin_profiles() if p["code"] == "nekopos")
    thick = [dict(ITEMS[0], thickness_mm=nekopos["max_thickness_mm"] + 1)]
    verdict = ichigen.ShipmentPlanner({"items": thick}).mail(mail_order(1))
    assert verdict["reasons"] == [{"code": "too_large", "line": 0}]
    # The same item fits a shop profile with the same code and a thicker limit.
    wider = dict(nekopos, max_thickness_mm=40)
    verdict = ichigen.ShipmentPlanner({"items": thick, "profiles": [wider]}).mail(mail_order(1))
    assert verdict["outcome"] == "mail_packet"


# --- the vector runner ---------------------------------------------------------


def test_vector_runner_uses_every_method():
    """Every shipment vector runs through the planner's own methods, and together
    they call each of them."""
    files = sorted((VECTORS / "shipment").glob("*.json"))
    assert files, "the shipment vectors are present"
    ops = set()
    shipment_vectors.USED.clear()
    rule_set = lambda inp: (  # noqa: E731
        ichigen.RuleSet.from_toml(inp["toml"])
        if isinstance(inp.get("toml"), str)
        else ichigen.RuleSet.from_dict(inp.get("rule_set"))
    )
    sample = json.loads(ichigen.SAMPLE_ORDER_JSON)
    import vectorlib

    for path in files:
        vector = vectorlib.expand_samples(json.loads(path.read_text(encoding="utf-8")), sample)
        ops.add(vector["op"])
        try:
            shipment_vectors.run_op(vector["op"], vector["input"], NOW, rule_set)
        except ichigen.IchigenError:
            assert "expect_error" in vector, path.name
    assert ops <= {*shipment_vectors.OPS, "shipment_triage"}
    for method in ["split", "split_all", "mail", "merge_candidates", "merge_check", "merge",
                   "unmerge", "triage"]:
        assert shipment_vectors.USED[method] > 0, method
