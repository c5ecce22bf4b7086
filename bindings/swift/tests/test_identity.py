"""Customer identity through the FFI: the typed normalizers, resolveCustomers, the
CustomerResolver object (a round trip against the batch, ids carried over, use
from several threads), the per-customer functions, and the InvalidIdentity error
(its code, issues and no personal data in any message)."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

# Stand-ins for personal data: they must never show in an error.
SECRET_NAME = "Yamada-Taro-Secret"
SECRET_PHONE = "090-1234-5678-0000-secret"
SECRET_EMAIL = "yamada.secret@@example.jp"


def text(value):
    return json.dumps(value, ensure_ascii=False)


def assert_no_personal_data(e):
    parts = [str(e), e.message, *(i.message for i in e.issues), *(i.path for i in e.issues)]
    for secret in (SECRET_NAME, SECRET_PHONE, SECRET_EMAIL, "Yamada", "secret"):
        for part in parts:
            assert secret not in part, part


def record(id, channel, name, **fields):
    return {"id": id, "channel": channel, "name": name, **fields}


RECORDS = [
    record("r1", "rakuten", "山田 太郎", phone="090-1234-5678"),
    record("o1", "own_site", "山田太郎", email="taro@example.jp"),
    record("y1", "yahoo", "山田 太郎", phone="09012345678", email="TARO@example.jp"),
    record("x1", "yahoo", "別人", phone="080-0000-1234"),
    record("p1", "pos", "山田太朗", phone="090-1234-5678"),
    record("a1", "amazon", "佐藤 花子", email="x@marketplace.amazon.co.jp", postal_code="150-0001",
           address1="東京都渋谷区神宮前1-1-1", address2="101"),
    record("s1", "shopify", "佐藤花子", postal_code="1500001", address1="渋谷区神宮前一丁目１番１号",
           address2="101", prefecture="東京都"),
]


# --- normalizers ---------------------------------------------------------------


def test_normalize_name_and_kana(ffi):
    assert ffi.normalize_name("髙橋　様") == ffi.normalize_name("高橋")
    assert ffi.normalize_kana("ﾔﾏﾀﾞ ﾀﾛｳ") == ffi.normalize_kana("やまだたろう")
    # Idempotent.
    for value in ["髙橋　様", "ＹＡＭＡＤＡ Taro"]:
        once = ffi.normalize_name(value)
        assert ffi.normalize_name(once) == once


@pytest.mark.parametrize(
    "phone, e164, kind",
    [
        ("090-1234-5678", "+819012345678", "MOBILE"),
        ("(03)1234-5678", "+81312345678", "LANDLINE"),
        ("0120-123-456", "+81120123456", "TOLL_FREE"),
        ("050-1234-5678", "+815012345678", "IP"),
        ("0570-012-345", "+81570012345", "SHARED_COST"),
        ("020-1234-5678", "+812012345678", "M2M"),
        ("+1 212 555 0199", "+12125550199", "INTERNATIONAL"),
    ],
)
def test_normalize_phone_every_kind(ffi, phone, e164, kind):
    p = ffi.normalize_phone(phone)
    assert p.value == e164
    assert p.kind == getattr(ffi.PhoneKind, kind)
    assert ffi.normalize_phone(p.value) == p


@pytest.mark.parametrize(
    "email, kind",
    [
        ("Taro@Example.JP", "ORDINARY"),
        ("abc@pc.fw.rakuten.ne.jp", "RAKUTEN_RELAY"),
        ("abc@marketplace.amazon.co.jp", "AMAZON_ANONYMIZED"),
        ("abc@privaterelay.appleid.com", "RELAY"),
    ],
)
def test_normalize_email_every_kind(ffi, email, kind):
    e = ffi.normalize_email(email)
    assert e.value == email.lower()
    assert e.kind == getattr(ffi.EmailKind, kind)


def test_normalize_email_with_a_shops_relays(ffi):
    relays = text([{"domain": "relay.example.jp", "kind": "relay"}])
    assert ffi.normalize_email("a@mail.relay.example.jp", relays).kind == ffi.EmailKind.RELAY
    # The list replaces the defaults.
    assert ffi.normalize_email("a@pc.fw.rakuten.ne.jp", relays).kind == ffi.EmailKind.ORDINARY
    with pytest.raises(ffi.IchigenError.InvalidIdentity) as info:
        ffi.normalize_email("a@example.jp", text([{"domain": "x.jp", "kind": "nope"}]))
    assert info.value.issues[0].path.startswith("$.relays")


def test_normalize_postal_code_and_address(ffi):
    assert ffi.normalize_postal_code("〒106-0032") == "1060032"
    a = ffi.normalize_address("東京都港区六本木一丁目２番地３号", "森ビル 101", "106-0032")
    assert (a.postal_code, a.prefecture, a.prefecture_code) == ("1060032", "東京都", 13)
    assert (a.street, a.building) == ("港区六本木1-2-3", "森ビル101")
    # The prefecture from its field; no postal code.
    b = ffi.normalize_address(address1="港区六本木1-2-3", prefecture="東京")
    assert (b.postal_code, b.prefecture_code, b.street, b.building) == (None, 13, "港区六本木1-2-3", "")


@pytest.mark.parametrize(
    "call, code",
    [
        (lambda f: f.normalize_phone(SECRET_PHONE), "IDENTITY_PHONE_"),
        (lambda f: f.normalize_phone("000-0000-0000"), "IDENTITY_PHONE_PLACEHOLDER"),
        (lambda f: f.normalize_email(SECRET_EMAIL), "IDENTITY_EMAIL_INVALID"),
        (lambda f: f.normalize_postal_code(SECRET_NAME), "IDENTITY_POSTAL_INVALID"),
        (lambda f: f.normalize_address(SECRET_NAME, postal_code=SECRET_PHONE), "IDENTITY_POSTAL_INVALID"),
        (lambda f: f.normalize_address(SECRET_NAME, prefecture=SECRET_NAME), "IDENTITY_PREFECTURE_UNKNOWN"),
        (lambda f: f.normalize_address("東京都港区" + SECRET_NAME, prefecture="大阪府"), "IDENTITY_PREFECTURE_MISMATCH"),
    ],
    ids=["phone", "placeholder", "email", "postal", "address_postal", "prefecture", "mismatch"],
)
def test_normalizer_errors(ffi, call, code):
    with pytest.raises(ffi.IchigenError.InvalidIdentity) as info:
        call(ffi)
    e = info.value
    assert isinstance(e, ffi.IchigenError)
    assert e.code == "IDENTITY_INVALID"
    assert len(e.issues) == 1
    assert e.issues[0].code.startswith(code)
    assert e.issues[0].path == "$.value"
    assert e.issues[0].message
    assert_no_personal_data(e)


# --- configuration and batch ---------------------------------------------------


def test_describe_identity_config(ffi):
    defaults = json.loads(ffi.describe_identity_config())
    assert [r["name"] for r in defaults["rules"]][:2] == ["member_id", "name+phone"]
    assert defaults["max_key_records"] > 0
    custom = json.loads(ffi.describe_identity_config(text({"criteria": [["name", "kana"]], "max_key_records": 5})))
    assert custom == {"rules": [{"name": "name+kana", "fields": ["name", "kana"]}], "max_key_records": 5}


def test_bad_configuration_lists_every_problem(ffi):
    bad = {"max_key_records": 1, "fuzzy": {"name_similarity": 1.5}, "criteria": [[SECRET_NAME, "name"]]}
    for call in (ffi.describe_identity_config, ffi.CustomerResolver, lambda c: ffi.resolve_customers("[]", c)):
        with pytest.raises(ffi.IchigenError.InvalidIdentity) as info:
            call(text(bad))
        e = info.value
        assert e.code == "IDENTITY_INVALID"
        paths = {i.path for i in e.issues}
        assert {"$.max_key_records", "$.fuzzy.name_similarity", "$.criteria[0]"} <= paths, paths
        assert_no_personal_data(e)


def test_resolve_customers(ffi):
    out = json.loads(ffi.resolve_customers(text(RECORDS)))
    by_record = {c["record"]: c["customer_id"] for c in out["customers"]}
    assert [c["record"] for c in out["customers"]] == [r["id"] for r in RECORDS]
    assert by_record["r1"] == by_record["o1"] == by_record["y1"]
    assert by_record["x1"] != by_record["r1"]
    assert by_record["a1"] == by_record["s1"]
    # 山田太朗 with the same phone is a candidate, not a link.
    assert by_record["p1"] != by_record["r1"]
    assert any(set(c["records"]) == {"r1", "p1"} for c in out["candidates"])
    assert out["issues"] == []


def test_resolve_customers_keeps_going_past_bad_records(ffi):
    records = [
        record("a", "rakuten", "山田 太郎", phone=SECRET_PHONE),
        {"id": "b", "channel": "rakuten", "phone": 12345},
        record("a", "yahoo", "山田 太郎"),
        record("c", "yahoo", "山田 太郎", phone="090-1234-5678"),
    ]
    out = json.loads(ffi.resolve_customers(text(records)))
    assert len(out["customers"]) == 4
    assert [c["customer_id"] is None for c in out["customers"]] == [False, True, True, False]
    found = [(i["code"], i["path"]) for i in out["issues"]]
    assert ("IDENTITY_RECORD_DUPLICATE", "$[2].id") in found
    assert any(path == "$[0].phone" and code.startswith("IDENTITY_PHONE_") for code, path in found)
    assert any(path.startswith("$[1]") for _, path in found)
    for issue in out["issues"]:
        assert "secret" not in issue["message"] and "12345" not in issue["message"]


def test_resolve_customers_with_decisions(ffi):
    decisions = [{"unmerge": ["r1", "o1"]}, {"merge": ["x1", "r1"]}]
    out = json.loads(ffi.resolve_customers(text(RECORDS), None, text(decisions)))
    by_record = {c["record"]: c["customer_id"] for c in out["customers"]}
    assert by_record["x1"] == by_record["r1"]
    assert by_record["o1"] != by_record["r1"]
    assert out["decisions"] == decisions
    with pytest.raises(ffi.IchigenError.InvalidIdentity) as info:
        ffi.resolve_customers(text(RECORDS), None, text([{"merge": [SECRET_NAME]}]))
    assert info.value.issues[0].path.startswith("$.decisions")
    assert_no_personal_data(info.value)
    # A decision naming an unknown record is an issue of the resolution.
    out = json.loads(ffi.resolve_customers(text(RECORDS), None, text([{"merge": ["r1", "nope"]}])))
    assert [(i["code"], i["path"]) for i in out["issues"]] == [("IDENTITY_DECISION_UNKNOWN_RECORD", "$.decisions[0][1]")]


# --- the incremental resolver --------------------------------------------------


def snapshot(resolver):
    return json.loads(resolver.snapshot_json())


def partition(resolution):
    """The customers as sets of records, without their ids."""
    return sorted(sorted(c["records"]) for c in resolution["clusters"])


def test_resolver_equals_the_batch(ffi):
    resolver = ffi.CustomerResolver()
    for r in RECORDS:
        p = resolver.insert(text(r))
        whole = json.loads(p.placement_json)
        assert (p.customer_id, p.new_customer, p.absorbed, p.recomputed) == (
            whole["customer_id"], whole["new_customer"], whole["absorbed"], whole["recomputed"]
        )
        assert resolver.customer_of(r["id"]) == resolver.canonical(p.customer_id)
    # The same customers, links and candidates as the batch; the ids may differ,
    # since an insert can give a record its own id before a later record joins it
    # to an older customer (the absorbed id becomes an alias).
    batch = json.loads(ffi.resolve_customers(text(RECORDS)))
    live = snapshot(resolver)
    assert partition(live) == partition(batch)
    assert live["links"] == batch["links"]
    pairs = lambda out: [c["records"] for c in out["candidates"]]  # noqa: E731
    assert pairs(live) == pairs(batch)
    assert [c["record"] for c in live["customers"]] == [r["id"] for r in RECORDS]
    assert resolver.count() == len(RECORDS)
    assert resolver.next_customer_id() == live["next_customer_id"]
    assert json.loads(resolver.candidates_json()) == live["candidates"]
    for alias in live["aliases"]:
        assert resolver.canonical(alias["alias"]) == alias["customer_id"]


def test_placement_tells_new_customers_links_and_absorbed_ids(ffi):
    resolver = ffi.CustomerResolver()
    first = resolver.insert(text(RECORDS[0]))
    assert first.new_customer and first.customer_id == 1 and first.absorbed == []
    second = resolver.insert(text(RECORDS[1]))
    assert second.new_customer and second.customer_id == 2
    # y1 shares r1's phone and o1's e-mail: it joins the two, the older id survives.
    third = resolver.insert(text(RECORDS[2]))
    assert (third.customer_id, third.new_customer, third.absorbed) == (1, False, [2])
    assert {link["rule"] for link in json.loads(third.placement_json)["links"]} == {"name+phone", "name+email"}
    assert resolver.canonical(2) == 1
    assert resolver.canonical(99) is None
    assert resolver.customer_of("nope") is None
    # A field that cannot be used is an issue of the placement, not an error.
    fourth = resolver.insert(text(record("z1", "yahoo", "別人", phone="090-1234-5678", email=SECRET_EMAIL)))
    assert [(i.code, i.path) for i in fourth.issues] == [("IDENTITY_EMAIL_INVALID", "$.email")]
    assert SECRET_EMAIL not in fourth.issues[0].message


def test_merge_unmerge_mask_and_recompute(ffi):
    resolver = ffi.CustomerResolver()
    for r in RECORDS:
        resolver.insert(text(r))
    x1, r1 = resolver.customer_of("x1"), resolver.customer_of("r1")
    assert x1 != r1
    merged = resolver.merge("x1", "r1")
    assert merged == min(x1, r1) and resolver.customer_of("x1") == merged
    ids = resolver.unmerge("r1", "o1")
    assert len(ids) == 2 and ids[0] != ids[1]
    assert ids == [resolver.customer_of("r1"), resolver.customer_of("o1")]
    assert snapshot(resolver)["decisions"] == [{"merge": ["x1", "r1"]}, {"unmerge": ["r1", "o1"]}]
    # x1 is r1's customer now, which the unmerge keeps apart from o1's.
    with pytest.raises(ffi.IchigenError.InvalidIdentity) as info:
        resolver.merge("x1", "o1")
    assert [(i.code, i.path) for i in info.value.issues] == [("IDENTITY_MERGE_REFUSED", "$")]
    assert resolver.customer_of("x1") == resolver.customer_of("r1") != resolver.customer_of("o1")
    # Masking keeps the record with its customer.
    before = resolver.customer_of("a1")
    assert resolver.mask("a1") == before == resolver.customer_of("a1")
    state = snapshot(resolver)
    resolver.recompute()
    assert snapshot(resolver) == state


def test_resolver_errors_have_codes_paths_and_no_personal_data(ffi):
    resolver = ffi.CustomerResolver()
    resolver.insert(text(RECORDS[0]))
    cases = [
        (lambda: resolver.insert(text(RECORDS[0])), "IDENTITY_RECORD_DUPLICATE", "$.id"),
        (lambda: resolver.insert(text({"id": "", "name": SECRET_NAME})), "IDENTITY_RECORD_NO_ID", "$.id"),
        (lambda: resolver.insert(text({"id": "q", "phone": 9012345678})), "IDENTITY_WRONG_TYPE", "$.phone"),
        (lambda: resolver.insert(text({"id": "q", "channel": SECRET_NAME})), "IDENTITY_UNKNOWN_VALUE", "$.channel"),
        (lambda: resolver.merge("r1", SECRET_NAME), "IDENTITY_DECISION_UNKNOWN_RECORD", "$[1]"),
        (lambda: resolver.unmerge(SECRET_NAME, "r1"), "IDENTITY_DECISION_UNKNOWN_RECORD", "$[0]"),
        (lambda: resolver.merge("r1", "r1"), "IDENTITY_DECISION_SAME_RECORD", "$"),
        (lambda: resolver.mask(SECRET_NAME), "IDENTITY_RECORD_UNKNOWN", "$"),
    ]
    for call, code, path in cases:
        with pytest.raises(ffi.IchigenError.InvalidIdentity) as info:
            call()
        e = info.value
        assert e.code == "IDENTITY_INVALID"
        assert [(i.code, i.path) for i in e.issues] == [(code, path)]
        assert_no_personal_data(e)
    # Nothing above changed the resolver.
    assert resolver.count() == 1
    assert snapshot(resolver)["decisions"] == []


def test_ids_carry_over_into_a_new_resolver(ffi):
    first = ffi.CustomerResolver()
    for r in RECORDS:
        first.insert(text(r))
    first.merge("x1", "p1")
    before = {c["record"]: c["customer_id"] for c in snapshot(first)["customers"]}
    # Stored the other way round, with their ids: every customer keeps its id.
    again = ffi.CustomerResolver()
    for r in reversed(RECORDS):
        again.insert(text({**r, "customer_id": before[r["id"]]}))
    again.merge("x1", "p1")
    assert {c["record"]: c["customer_id"] for c in snapshot(again)["customers"]} == before
    assert again.next_customer_id() >= first.next_customer_id()
    new = again.insert(text(record("n1", "pos", "新規 客", phone="03-1111-2222")))
    assert new.new_customer and new.customer_id not in before.values()


def test_a_resolver_is_shared_between_threads(ffi):
    resolver = ffi.CustomerResolver()
    records = [record(f"t{i}", "pos", f"客{i % 50}", phone=f"03-1234-{i % 50:04d}") for i in range(400)]
    with ThreadPoolExecutor(4) as pool:
        placements = list(pool.map(lambda r: resolver.insert(text(r)), records))
    assert resolver.count() == 400
    assert len({resolver.customer_of(r["id"]) for r in records}) == 50
    for r, p in zip(records, placements):
        assert resolver.canonical(p.customer_id) == resolver.customer_of(r["id"])
    # The same records as a batch give the same customers (up to the ids, which
    # follow the order of arrival).
    batch = json.loads(ffi.resolve_customers(text(records)))
    assert partition(snapshot(resolver)) == partition(batch)


# --- per customer --------------------------------------------------------------

ORDERS = [
    {"record": "r1", "channel": "rakuten", "ordered_at": "2026-01-10T01:00:00Z", "amount": "12000"},
    {"record": "o1", "channel": "own_site", "ordered_at": "2026-02-01T00:00:00Z", "amount": "500", "cancelled": True},
    {"record": "y1", "channel": "yahoo", "ordered_at": "2026-03-02T01:00:00Z", "amount": 25000},
]


def test_customer_summary(ffi):
    s = ffi.customer_summary(
        text(
            {
                "customer_id": 7,
                "orders": ORDERS,
                "profile": {"vip": True, "points": 120},
                "tiers": {"tiers": [{"name": "silver", "min_spend": 30000}, {"name": "gold", "min_orders": 5}]},
                "as_of": "2026-11-23T00:00:00Z",
            }
        )
    )
    assert (s.customer_id, s.order_count, s.spend, s.tier) == (7, 2, "37000", "silver")
    assert s.repeat_customer and s.cross_channel and s.vip
    assert not s.repeat_candidate and not s.caution
    whole = json.loads(s.summary_json)
    assert whole["repeat"] is True and whole["cancelled_count"] == 1 and whole["points"] == 120
    assert set(whole["channels"]) == {"rakuten", "yahoo", "own_site"}


def test_customer_summary_errors(ffi):
    bad_amount = {"customer_id": 7, "orders": [{**ORDERS[0], "amount": SECRET_NAME}], "as_of": "2026-11-23T00:00:00Z"}
    bad_tier = {"customer_id": 7, "orders": [], "tiers": {"tiers": [{"name": "silver"}]}, "as_of": "2026-11-23T00:00:00Z"}
    bad_profile = {"customer_id": 7, "orders": [], "profile": {"caution": 5}, "as_of": "2026-11-23T00:00:00Z"}
    for bad, code, path in [
        (bad_amount, "IDENTITY_BAD_AMOUNT", "$.orders"),
        (bad_tier, "IDENTITY_TIER_EMPTY", "$.tiers"),
        (bad_profile, "IDENTITY_WRONG_TYPE", "$.profile"),
        ({"orders": []}, "IDENTITY_WRONG_TYPE", "$.customer_id"),
    ]:
        with pytest.raises(ffi.IchigenError.InvalidIdentity) as info:
            ffi.customer_summary(text(bad))
        issue = info.value.issues[0]
        assert issue.code == code and issue.path.startswith(path), (issue.code, issue.path)
        assert_no_personal_data(info.value)


def test_customer_triage_facts_feed_triage(ffi):
    facts = ffi.customer_triage_facts(text({"orders": ORDERS, "profile": {"caution": SECRET_NAME}, "record": "y1"}))
    # The cancelled order does not count: y1 is the second purchase.
    assert (facts.caution, facts.vip, facts.purchase_count) == (True, False, 2)
    assert json.loads(facts.context_json) == {"customer": {"caution": True, "vip": False, "purchase_count": 2}}
    rules = ffi.RuleSet.from_json(
        text({"name": "t", "rules": [{"id": "caution", "when": {"customer_caution": True}, "then": [{"set_status": "needs_check"}]}]})
    )
    summary = ffi.triage(rules, ffi.sample_order_json(), facts.context_json)
    assert summary.status == "needs_check" and summary.matched_rules == ["caution"]
    with pytest.raises(ffi.IchigenError.InvalidIdentity) as info:
        ffi.customer_triage_facts(text({"orders": ORDERS, "record": SECRET_NAME}))
    assert [(i.code, i.path) for i in info.value.issues] == [("IDENTITY_ORDER_UNKNOWN", "$.record")]
    assert_no_personal_data(info.value)


def test_mask_customer(ffi):
    party = {"name": "井上 翼", "phone": "090-6060-7070", "prefecture": "東京都", "address1": "渋谷区神宮前1-1-1"}
    records = [
        {"record": "a1", "channel": "amazon", "party": party, "shipped_on": "2026-10-24"},
        {"record": "a2", "channel": "amazon", "party": party, "shipped_on": "2026-10-25"},
        {"record": "a3", "channel": "amazon", "party": party},
        {"record": "r1", "channel": "rakuten", "party": party, "shipped_on": "2026-01-01"},
    ]
    out = ffi.mask_customer(text({"records": records, "on": "2026-11-23"}))
    assert [(m.record, m.masked, m.due_on) for m in out] == [
        ("a1", True, "2026-11-23"),
        ("a2", False, "2026-11-24"),
        ("a3", False, None),
        ("r1", False, None),
    ]
    masked = json.loads(out[0].party_json)
    assert masked.get("prefecture") == "東京都"
    assert not masked.get("name") and "phone" not in masked and "address1" not in masked
    assert set(out[0].removed) == {"name", "phone", "address1"}
    assert out[1].removed == [] and json.loads(out[1].party_json)["name"] == "井上 翼"
    with pytest.raises(ffi.IchigenError.InvalidIdentity) as info:
        ffi.mask_customer(text({"records": records, "on": SECRET_NAME}))
    assert info.value.issues[0].path == "$.on"
    assert_no_personal_data(info.value)


# --- JSON text ----------------------------------------------------------------


def test_text_that_is_not_json_is_input_parse_at_the_argument(ffi):
    resolver = ffi.CustomerResolver()
    cases = [
        (lambda bad: ffi.normalize_email("a@example.jp", bad), "$.relays"),
        (lambda bad: ffi.describe_identity_config(bad), "$.config"),
        (lambda bad: ffi.resolve_customers(bad), "$.records"),
        (lambda bad: ffi.resolve_customers("[]", bad), "$.config"),
        (lambda bad: ffi.resolve_customers("[]", None, bad), "$.decisions"),
        (lambda bad: ffi.CustomerResolver(bad), "$.config"),
        (lambda bad: resolver.insert(bad), "$.record"),
        (lambda bad: ffi.customer_summary(bad), "$.input"),
        (lambda bad: ffi.customer_triage_facts(bad), "$.input"),
        (lambda bad: ffi.mask_customer(bad), "$.input"),
    ]
    for call, path in cases:
        with pytest.raises(ffi.IchigenError.InvalidInput) as info:
            call('{"name": "' + SECRET_NAME + '"')
        e = info.value
        assert e.code == "INPUT_PARSE"
        assert [(i.code, i.path) for i in e.issues] == [("INPUT_PARSE", path)]
        assert_no_personal_data(e)


def test_json_of_the_wrong_shape_is_invalid_identity(ffi):
    with pytest.raises(ffi.IchigenError.InvalidIdentity) as info:
        ffi.resolve_customers(text({"records": []}))
    assert [(i.code, i.path) for i in info.value.issues] == [("IDENTITY_WRONG_TYPE", "$.records")]
    with pytest.raises(ffi.IchigenError.InvalidIdentity) as info:
        ffi.CustomerResolver().insert("[]")
    assert info.value.issues[0].code == "IDENTITY_WRONG_TYPE"
    for call in (ffi.customer_summary, ffi.customer_triage_facts, ffi.mask_customer):
        with pytest.raises(ffi.IchigenError.InvalidIdentity) as info:
            call("[]")
        assert [(i.code, i.path) for i in info.value.issues] == [("IDENTITY_WRONG_TYPE", "$")]
