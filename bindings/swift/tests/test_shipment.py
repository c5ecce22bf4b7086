"""Shipments through the FFI: the ShipmentPlanner object (built once from options,
reused for many calls and from several threads), split and its batch form
splitAll, the typed mail judgement and merge check, merge candidates, merge and
unmerge, the stateless largestRemainder and builtinProfilesJson, triage on the
mail facts, and the InvalidShipment error (its code, issue paths, no personal data
in any message)."""

import json
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

# A stand-in for personal data: it must never show in an error.
SECRET = "Yamada-Taro-090-1234-5678-secret"

I64_MAX = 2**63 - 1
I64_MIN = -(2**63)

# The sample order: 2 × TEA-A, 1 × SWT-01, 1 × CUP-01.
FRACTIONS = {
    "items": [
        {"sku": "TEA-A", "mail_fraction": "1/3"},
        {"sku": "SWT-01", "mail_fraction": "1/2"},
        {"sku": "CUP-01", "mail_fraction": "1/2"},
    ]
}


def text(value):
    return json.dumps(value, ensure_ascii=False)


def sample(ffi, **overrides):
    order = json.loads(ffi.sample_order_json())
    order.update(overrides)
    return order


def second(ffi, **overrides):
    """Another order of the same buyer to the same address, an hour later."""
    return sample(ffi, id="ord-0002", ordered_at="2026-11-23T02:15:00Z", **overrides)


def chilled(ffi, line=1, **overrides):
    order = sample(ffi, **overrides)
    order["lines"][line]["temperature"] = "chilled"
    return order


def money(plan, key="total"):
    return sum(Decimal(s["money"][key]) for s in plan["shipments"])


def assert_no_secret(e):
    for part in [str(e), e.message, *(i.message for i in e.issues), *(i.path for i in e.issues)]:
        assert SECRET not in part, part


# --- the planner -----------------------------------------------------------------


def test_a_planner_with_defaults_and_with_options(ffi):
    default = ffi.ShipmentPlanner()
    assert isinstance(default, ffi.ShipmentPlanner)
    assert ffi.ShipmentPlanner(None).split(text(sample(ffi))) == default.split(text(sample(ffi)))
    # Default keys: temperature zone and shipping method; a chilled line splits.
    plan = json.loads(default.split(text(chilled(ffi))))
    assert [s["caused_by"] for s in plan["shipments"]] == [["temperature_zone"], ["temperature_zone"]]
    assert [s["temperature"] for s in plan["shipments"]] == ["ambient", "chilled"]
    # Without the temperature key, nothing splits the same order.
    by_method = ffi.ShipmentPlanner(text({"split_by": ["shipping_method"]}))
    assert len(json.loads(by_method.split(text(chilled(ffi))))["shipments"]) == 1


def test_split_plan_is_json_and_money_adds_up_to_the_order(ffi):
    planner = ffi.ShipmentPlanner(text({"fees": "proportional"}))
    plan = json.loads(planner.split(text(chilled(ffi))))
    assert set(plan) == {"orders", "currency", "shipments", "total"}
    assert (plan["orders"], plan["currency"]) == (["ord-0001"], "JPY")
    assert plan["total"]["total"] == "5390"  # the sample's stated total
    assert money(plan) == Decimal("5390")
    # Proportional fees: the shipping fee and the coupon are shared over both.
    assert all(Decimal(s["money"]["shipping_fee"]) > 0 for s in plan["shipments"])
    assert money(plan, "shipping_fee") == Decimal("550")
    assert money(plan, "coupon") == Decimal("200")
    line = plan["shipments"][1]["lines"][0]
    assert (line["order"], line["line"], line["listing_code"], line["sku"], line["quantity"]) == (
        "ord-0001", 1, "sweets-01", "SWT-01", 1,
    )
    # By default the fees stay on the first shipment.
    first = json.loads(ffi.ShipmentPlanner().split(text(chilled(ffi))))
    assert [s["money"]["shipping_fee"] for s in first["shipments"]] == ["550", "0"]


def test_split_by_stock_with_reservations(ffi):
    planner = ffi.ShipmentPlanner(text({"split_by": ["stock"]}))
    # One of the two teas is reserved; every other line is.
    stock = [{"line": 0, "quantity": 1, "location": "tokyo"}, {"line": 1, "quantity": 1}, {"line": 2, "quantity": 1}]
    plan = json.loads(planner.split(text(sample(ffi)), text(stock)))
    assert [[(l["line"], l["quantity"]) for l in s["lines"]] for s in plan["shipments"]] == [
        [(0, 1), (1, 1), (2, 1)],
        [(0, 1)],
    ]
    assert all(s["caused_by"] == ["stock"] for s in plan["shipments"])
    assert money(plan) == Decimal("5390")
    # Without reservations nothing is split by stock.
    assert len(json.loads(planner.split(text(sample(ffi))))["shipments"]) == 1
    assert planner.split(text(sample(ffi)), None) == planner.split(text(sample(ffi)))


def test_split_all_is_split_per_order(ffi):
    planner = ffi.ShipmentPlanner()
    orders = [sample(ffi), chilled(ffi, id="ord-0002"), chilled(ffi, line=0, id="ord-0003")]
    plans = json.loads(planner.split_all(text(orders)))
    assert plans == [json.loads(planner.split(text(o))) for o in orders]
    assert [p["orders"] for p in plans] == [["ord-0001"], ["ord-0002"], ["ord-0003"]]
    assert [len(p["shipments"]) for p in plans] == [1, 2, 2]
    assert json.loads(planner.split_all("[]")) == []


def test_split_all_stops_at_the_first_bad_order_with_its_index(ffi):
    planner = ffi.ShipmentPlanner()
    bad = sample(ffi, id="ord-0002", buyer=SECRET)
    worse = sample(ffi, id="ord-0003", currency=5)
    with pytest.raises(ffi.IchigenError.InvalidOrder) as info:
        planner.split_all(text([sample(ffi), bad, worse]))
    e = info.value
    assert e.code == "ORDER_INVALID"
    paths = [i.path for i in e.issues]
    assert paths and all(p.startswith("$.orders[1].buyer") for p in paths), paths
    assert_no_secret(e)
    with pytest.raises(ffi.IchigenError.InvalidShipment) as info:
        planner.split_all(text({"orders": [sample(ffi)]}))
    assert [(i.code, i.path) for i in info.value.issues] == [("SHIPMENT_WRONG_TYPE", "$.orders")]


def test_one_planner_serves_many_calls_and_threads(ffi):
    planner = ffi.ShipmentPlanner(text({**FRACTIONS, "max_packets": 2}))
    orders = [chilled(ffi, id=f"ord-{i:04d}") if i % 2 else sample(ffi, id=f"ord-{i:04d}") for i in range(40)]
    alone = [planner.split(text(o)) for o in orders]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda o: planner.split(text(o)), orders))
        mails = list(pool.map(lambda o: planner.mail(text(o)), orders))
    assert together == alone
    assert json.loads(planner.split_all(text(orders))) == [json.loads(p) for p in alone]
    assert all(m == mails[0] for m in mails[::2])
    # A failed call leaves the planner as it was.
    with pytest.raises(ffi.IchigenError.InvalidOrder):
        planner.split(text(sample(ffi, lines=[])))
    assert planner.split(text(orders[0])) == alone[0]


# --- the mail judgement ------------------------------------------------------------


def test_mail_judgement_is_typed(ffi):
    # 2 × 1/3 + 1/2 + 1/2 = 5/3 of a packet: two packets, one allowed, so a box.
    m = ffi.ShipmentPlanner(text(FRACTIONS)).mail(text(sample(ffi)))
    assert isinstance(m, ffi.MailJudgement)
    assert (m.profile, m.eligible, m.load, m.packets) == ("nekopos", True, "5/3", 2)
    assert m.outcome == ffi.MailOutcome.BOX
    assert [(r.code, r.line) for r in m.reasons] == [("over_capacity", None)]
    assert all(isinstance(r, ffi.MailReason) for r in m.reasons)
    assert (m.fits_one_packet, m.packets_needed) == (False, 2)
    assert json.loads(m.context_json) == {"mail_packet_fits": False, "mail_packets_needed": 2}

    # Two packets allowed: packets.
    m = ffi.ShipmentPlanner(text({**FRACTIONS, "max_packets": 2})).mail(text(sample(ffi)))
    assert (m.outcome, m.reasons, m.packets_needed) == (ffi.MailOutcome.PACKETS, [], 2)

    # One tea alone fits one packet.
    order = sample(ffi, lines=sample(ffi)["lines"][:1])
    order["lines"][0]["quantity"] = 1
    order.pop("stated")
    m = ffi.ShipmentPlanner(text(FRACTIONS)).mail(text(order))
    assert (m.load, m.packets, m.outcome, m.fits_one_packet, m.packets_needed) == (
        "1/3", 1, ffi.MailOutcome.MAIL_PACKET, True, 1,
    )
    assert json.loads(m.context_json) == {"mail_packet_fits": True, "mail_packets_needed": 1}


def test_mail_reasons_name_their_line(ffi):
    order = sample(ffi, payment={"method": "cod", "status": "unpaid"})
    order["lines"][2]["temperature"] = "frozen"
    items = {"items": FRACTIONS["items"][:2]}  # CUP-01 has no fraction
    m = ffi.ShipmentPlanner(text(items)).mail(text(order))
    assert not m.eligible and m.outcome == ffi.MailOutcome.BOX
    assert [(r.code, r.line) for r in m.reasons] == [("cod", None), ("temperature", 2), ("not_mailable", 2)]
    # Not eligible: no packet fits, none is needed.
    assert (m.fits_one_packet, m.packets_needed) == (False, 0)
    # Without item specs no line is mailable.
    m = ffi.ShipmentPlanner().mail(text(sample(ffi)))
    assert [(r.code, r.line) for r in m.reasons] == [("not_mailable", 0), ("not_mailable", 1), ("not_mailable", 2)]


def test_mail_profile_and_builtin_profiles(ffi):
    profiles = json.loads(ffi.builtin_profiles_json())
    assert [p["code"] for p in profiles] == ["nekopos", "yu_packet", "click_post", "dm_bin"]
    assert all(p["class"] == "mail_packet" and p["cod"] is False for p in profiles)
    assert (profiles[0]["max_thickness_mm"], profiles[3]["max_thickness_mm"]) == (30, 20)
    # A 25 mm item fits a nekopos, not a DM便.
    items = {"items": [{**i, "thickness_mm": 25} for i in FRACTIONS["items"]], "max_packets": 2}
    assert ffi.ShipmentPlanner(text(items)).mail(text(sample(ffi))).eligible
    m = ffi.ShipmentPlanner(text({**items, "mail_profile": "dm_bin"})).mail(text(sample(ffi)))
    assert m.profile == "dm_bin"
    assert [(r.code, r.line) for r in m.reasons] == [("too_large", 0), ("too_large", 1), ("too_large", 2)]
    # A shop's profile with a built-in code replaces it.
    thick = {**profiles[3], "max_thickness_mm": 30}
    m = ffi.ShipmentPlanner(text({**items, "mail_profile": "dm_bin", "profiles": [thick]})).mail(text(sample(ffi)))
    assert (m.profile, m.eligible) == ("dm_bin", True)


def test_mail_facts_feed_triage(ffi):
    rules = ffi.RuleSet.from_json(text({
        "name": "mail",
        "mode": "all_matching",
        "rules": [{"id": "mail", "when": {"mail_packet_fits": True}, "then": [{"add_tags": ["メール便"]}]}],
    }))
    order = sample(ffi, lines=sample(ffi)["lines"][:1])
    order.pop("stated")
    planner = ffi.ShipmentPlanner(text(FRACTIONS))
    fits = planner.mail(text(order))
    assert "メール便" in ffi.triage(rules, text(order), fits.context_json).tags
    box = planner.mail(text(sample(ffi)))
    assert "メール便" not in ffi.triage(rules, ffi.sample_order_json(), box.context_json).tags


# --- merging -----------------------------------------------------------------------


def test_merge_check_is_typed(ffi):
    planner = ffi.ShipmentPlanner()
    c = planner.merge_check(text([sample(ffi), second(ffi)]))
    assert isinstance(c, ffi.MergeCheck)
    assert (c.mergeable, c.differs) == (True, [])
    late = second(ffi)
    late["shipping"] = {**late["shipping"], "time_slot": "0812"}
    late["payment"] = {"method": "cod", "status": "unpaid"}
    c = planner.merge_check(text([sample(ffi), late]))
    assert (c.mergeable, c.differs) == (False, ["time_slot", "payment_method"])
    # Facts from other steps: a masked order never merges.
    c = planner.merge_check(text([sample(ffi), second(ffi)]), text({"ord-0002": {"masked": True}}))
    assert (c.mergeable, c.differs) == (False, ["masked"])
    c = planner.merge_check(text([sample(ffi), second(ffi)]), text({"ord-0002": {"location": "osaka"}}))
    assert (c.mergeable, c.differs) == (False, ["location"])


def test_merge_candidates_merge_and_unmerge(ffi):
    planner = ffi.ShipmentPlanner()
    other = sample(ffi, id="ord-0003", ordered_at="2026-11-23T03:00:00Z")
    other["recipients"] = [{**other["recipients"][0], "address1": "渋谷区神宮前9-9-9"}]
    orders = [sample(ffi), second(ffi), other, {"id": "broken"}]
    found = json.loads(planner.merge_candidates(text(orders)))
    assert found["groups"] == [{"parent": "ord-0001", "orders": ["ord-0001", "ord-0002"]}]
    assert [(e["order"], e["index"], e["reason"]) for e in found["excluded"]] == [("broken", 3, "invalid")]
    assert found["excluded"][0]["issues"][0]["path"].startswith("$.orders[3]")
    assert found["context"] == {
        "ord-0001": {"merge_candidate": True},
        "ord-0002": {"merge_candidate": True},
        "ord-0003": {"merge_candidate": False},
    }
    assert found["merged"] == []
    # With auto_merge every group is merged, and nobody needs to decide.
    auto = json.loads(ffi.ShipmentPlanner(text({"auto_merge": True})).merge_candidates(text(orders)))
    assert [m["orders"] for m in auto["merged"]] == [["ord-0001", "ord-0002"]]
    assert not any(v["merge_candidate"] for v in auto["context"].values())

    pair = [sample(ffi), second(ffi)]
    merged = json.loads(planner.merge(text(pair)))
    assert merged["orders"] == ["ord-0001", "ord-0002"]
    assert merged["total"]["total"] == "10780"
    assert {l["order"] for s in merged["shipments"] for l in s["lines"]} == {"ord-0001", "ord-0002"}
    assert auto["merged"][0] == merged
    back = json.loads(planner.unmerge(text(merged), text(pair)))
    assert [p["orders"] for p in back["plans"]] == [["ord-0001"], ["ord-0002"]]
    assert sum(Decimal(p["total"]["total"]) for p in back["plans"]) == Decimal("10780")


def test_merge_refusals_are_invalid_shipment_at_their_paths(ffi):
    planner = ffi.ShipmentPlanner()
    late = second(ffi)
    late["shipping"] = {**late["shipping"], "time_slot": "0812"}
    late["recipients"] = [{**late["recipients"][0], "name": SECRET}]
    with pytest.raises(ffi.IchigenError.InvalidShipment) as info:
        planner.merge(text([sample(ffi), late]))
    e = info.value
    assert e.code == "SHIPMENT_INVALID"
    found = [(i.code, i.path) for i in e.issues]
    assert ("SHIPMENT_MERGE_TIME_SLOT", "$.orders[1].shipping.time_slot") in found
    assert all(code.startswith("SHIPMENT_MERGE_") and path.startswith("$.orders[1]") for code, path in found)
    assert_no_secret(e)
    with pytest.raises(ffi.IchigenError.InvalidShipment) as info:
        planner.merge(text([sample(ffi)]))
    assert [(i.code, i.path) for i in info.value.issues] == [("SHIPMENT_MERGE_TOO_FEW", "$.orders")]


# --- errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, code, path",
    [
        (lambda f, p: p.split(text(sample(f)), text([{"line": 7, "quantity": 1}])),
         "SHIPMENT_RESERVATION_LINE", "$.stock[0].line"),
        (lambda f, p: p.split(text(sample(f)), text([{"line": 0, "quantity": 3}])),
         "SHIPMENT_RESERVATION_EXCEEDS", "$.stock[0].quantity"),
        (lambda f, p: p.split(text(sample(f)), text([{"line": 0, "quantity": 1, "bin": "A"}])),
         "SHIPMENT_UNKNOWN_FIELD", "$.stock[0].bin"),
        (lambda f, p: p.merge_check(text([sample(f), second(f)]), text({"zz": {}})),
         "SHIPMENT_UNKNOWN_ORDER", "$.facts.zz"),
        (lambda f, p: p.merge_check(text([sample(f), second(f), sample(f, id="ord-0003")])),
         "SHIPMENT_WRONG_TYPE", "$.orders"),
        (lambda f, p: p.merge_candidates(text({"id": "x"})), "SHIPMENT_WRONG_TYPE", "$.orders"),
        (lambda f, p: p.unmerge("{}", text([sample(f), second(f)])), "SHIPMENT_WRONG_TYPE", "$.merged.orders"),
        (lambda f, p: p.unmerge(text({"orders": ["ord-0001"]}), text([sample(f)])),
         "SHIPMENT_MISSING_VALUE", "$.merged.shipments"),
    ],
    ids=["reservation-line", "reservation-exceeds", "reservation-field", "facts-unknown-order",
         "check-three", "candidates-object", "unmerge-no-orders", "unmerge-no-shipments"],
)
def test_shipment_problems_are_invalid_shipment(ffi, call, code, path):
    with pytest.raises(ffi.IchigenError.InvalidShipment) as info:
        call(ffi, ffi.ShipmentPlanner())
    e = info.value
    assert e.code == "SHIPMENT_INVALID"
    assert [(i.code, i.path) for i in e.issues] == [(code, path)]
    assert e.message in str(e)


@pytest.mark.parametrize(
    "options, issues",
    [
        ({"items": [{"sku": "A"}, {"sku": "A"}], "mail_profile": "nope"},
         [("SHIPMENT_DUPLICATE_ITEM", "$.items[1].sku"), ("SHIPMENT_UNKNOWN_PROFILE", "$.mail_profile")]),
        ({"max_packets": 0, "capacity": {"max_units": 0}},
         [("SHIPMENT_CAPACITY_ZERO", "$.capacity.max_units"), ("SHIPMENT_MAX_PACKETS_ZERO", "$.max_packets")]),
        ({"mail_profile": "sagawa", "profiles": [{"code": "sagawa", "class": "parcel"}]},
         [("SHIPMENT_NOT_MAIL_PROFILE", "$.mail_profile")]),
        ({"split_by": ["colour"]}, None),
        ({SECRET: 1}, None),
    ],
    ids=["items-and-profile", "zeros", "not-mail", "unknown-key", "unknown-field"],
)
def test_options_that_do_not_check_list_every_issue(ffi, options, issues):
    with pytest.raises(ffi.IchigenError.InvalidShipment) as info:
        ffi.ShipmentPlanner(text(options))
    e = info.value
    assert e.code == "SHIPMENT_INVALID"
    if issues is None:
        assert len(e.issues) == 1 and e.issues[0].code.startswith("SHIPMENT_")
    else:
        assert sorted((i.code, i.path) for i in e.issues) == sorted(issues)


def test_bad_orders_are_invalid_order_under_their_argument(ffi):
    planner = ffi.ShipmentPlanner()
    bad = sample(ffi, currency=SECRET)
    for call, path in [
        (lambda: planner.split(text(bad)), "$.order.currency"),
        (lambda: planner.mail(text(bad)), "$.order.currency"),
        (lambda: planner.merge_check(text([sample(ffi), bad])), "$.orders[1].currency"),
        (lambda: planner.merge(text([bad, second(ffi)])), "$.orders[0].currency"),
    ]:
        with pytest.raises(ffi.IchigenError.InvalidOrder) as info:
            call()
        assert info.value.code == "ORDER_INVALID"
        assert [i.path for i in info.value.issues] == [path]
        assert_no_secret(info.value)


def test_text_that_is_not_json_is_input_parse_at_the_argument(ffi):
    planner = ffi.ShipmentPlanner()
    order, pair = text(sample(ffi)), text([sample(ffi), second(ffi)])
    merged = planner.merge(pair)
    cases = [
        (lambda bad: ffi.ShipmentPlanner(bad), "$.options"),
        (lambda bad: planner.split(bad), "$.order"),
        (lambda bad: planner.split(order, bad), "$.stock"),
        (lambda bad: planner.split_all(bad), "$.orders"),
        (lambda bad: planner.mail(bad), "$.order"),
        (lambda bad: planner.merge_candidates(bad), "$.orders"),
        (lambda bad: planner.merge_candidates(pair, bad), "$.facts"),
        (lambda bad: planner.merge_check(bad), "$.orders"),
        (lambda bad: planner.merge(pair, None, bad), "$.stock"),
        (lambda bad: planner.unmerge(bad, pair), "$.merged"),
        (lambda bad: planner.unmerge(merged, bad), "$.orders"),
    ]
    for call, path in cases:
        with pytest.raises(ffi.IchigenError.InvalidInput) as info:
            call('{"name": "' + SECRET + '"')
        e = info.value
        assert e.code == "INPUT_PARSE"
        assert [(i.code, i.path) for i in e.issues] == [("INPUT_PARSE", path)]
        assert_no_secret(e)


def test_arguments_of_the_wrong_type_are_refused_before_the_call(ffi):
    planner = ffi.ShipmentPlanner()
    for call in [
        lambda: planner.split(sample(ffi)),  # a dict, not JSON text
        lambda: planner.split_all([ffi.sample_order_json()]),
        lambda: ffi.ShipmentPlanner(5),
        lambda: ffi.largest_remainder("100", [1]),
        lambda: ffi.largest_remainder(100, [1.5]),
        lambda: ffi.largest_remainder(100, None),
    ]:
        with pytest.raises(TypeError):
            call()
    # Swift's Int64: out of range is refused, not wrapped.
    with pytest.raises(ValueError):
        ffi.largest_remainder(2**63, [1])
    with pytest.raises(ValueError):
        ffi.largest_remainder(1, [I64_MIN - 1])


# --- largest remainder -----------------------------------------------------------


@pytest.mark.parametrize(
    "total, weights, shares",
    [
        (100, [1, 1, 1], [34, 33, 33]),
        (550, [3000, 1000], [413, 137]),
        (10, [1, 2, 3], [2, 3, 5]),
        (5, [], []),
        (0, [1, 2], [0, 0]),
        (7, [0, 0], [7, 0]),  # every weight zero: the first takes it all
        (5, [-3, 1], [0, 5]),  # a negative weight counts as zero
        (-100, [1, 1, 1], [-34, -33, -33]),  # a negative total: shared, then negated
        (-7, [0, 0, 0], [-7, 0, 0]),
        (1, [1, 1], [1, 0]),  # a tie goes to the earlier index
    ],
)
def test_largest_remainder(ffi, total, weights, shares):
    out = ffi.largest_remainder(total, weights)
    assert out == shares
    assert sum(out) == (total if weights else 0)


def test_largest_remainder_at_the_ends_of_int64(ffi):
    for total, weights in [
        (I64_MAX, [1, 1]),
        (I64_MAX, [I64_MAX, I64_MAX, 1]),
        (I64_MIN, [1, 2, 3]),
        (I64_MIN, [I64_MAX]),
        (I64_MAX, [I64_MIN, 0, 1]),
    ]:
        out = ffi.largest_remainder(total, weights)
        assert sum(out) == total
        assert all(I64_MIN <= s <= I64_MAX for s in out)
        assert all((s >= 0) if total > 0 else (s <= 0) for s in out)
    assert ffi.largest_remainder(I64_MIN, [1]) == [I64_MIN]
