"""Customer identity (名寄せ): normalizers, batch resolution from Arrow (pyarrow and
polars) and as JSON, the incremental CustomerResolver, customer facts and masking."""

import datetime
import decimal
import threading
import time

import polars as pl
import pyarrow as pa
import pytest

import ichigen

# Personal values used below: none may appear in an error, an issue or a repr.
NAME, PHONE, EMAIL = "山田 太郎", "090-1234-5678", "taro@example.jp"


def table(rows, **types):
    """A pyarrow Table from dicts; string columns unless a type is given."""
    names = []
    for r in rows:
        names += [k for k in r if k not in names]
    return pa.table(
        {n: pa.array([r.get(n) for r in rows], types.get(n, pa.string())) for n in names}
    )


def customer_ids(res):
    return res.table.column("customer_id").to_pylist()


YAMADA = [
    {"id": "r1", "channel": "rakuten", "name": NAME, "phone": PHONE},
    {"id": "o1", "channel": "own_site", "name": "山田太郎", "email": EMAIL},
    {"id": "y1", "channel": "yahoo", "name": "山田 太郎", "phone": "09012345678", "email": "TARO@example.jp"},
    {"id": "x1", "channel": "yahoo", "name": "別人", "phone": "080-0000-1234"},
]


def synthetic(n, offset=0):
    """n records with shared names, phones and e-mails, deterministic."""
    channels = ["rakuten", "yahoo", "amazon", "own_site", "pos"]
    return [
        {
            "id": f"r{i}",
            "channel": channels[i % 5],
            "name": f"山田{i // 3}",
            "phone": f"090{(i // 3) % 100_000_000 + 1000:08d}",
            "email": f"u{i // 5}@example.jp",
        }
        for i in range(offset, offset + n)
    ]


def partition(ids):
    groups = {}
    for i, c in enumerate(ids):
        groups.setdefault(c, []).append(i)
    return sorted(groups.values())


# --- normalizers ---------------------------------------------------------------


def test_normalizers():
    assert ichigen.normalize_name("髙橋　太郎") == "高橋太郎"
    assert ichigen.normalize_kana("ﾀｶﾊｼ たろう") == "タカハシタロウ"
    assert ichigen.normalize_phone("０９０ー１２３４ー５６７８") == {
        "value": "+819012345678",
        "kind": "mobile",
    }
    assert ichigen.normalize_email(" Taro＠Example。co。jp ") == {
        "value": "taro@example.co.jp",
        "kind": "ordinary",
    }
    assert ichigen.normalize_email("abc@pc.fw.rakuten.ne.jp")["kind"] == "rakuten_relay"
    assert ichigen.normalize_postal_code("〒100－0001") == "1000001"
    address = ichigen.normalize_address(
        postal_code="106-0032", address1="東京都港区六本木3丁目1番1号", address2="六本木ビル 101"
    )
    assert address["postal_code"] == "1060032"
    assert address["prefecture_code"] == 13
    assert address["street"] == "港区六本木3-1-1"


def test_normalizers_are_idempotent():
    for fn, value in [
        (ichigen.normalize_name, "渡邊　純一様"),
        (ichigen.normalize_kana, "ﾔﾏﾀﾞ ﾀﾛｳ"),
        (ichigen.normalize_postal_code, "〒123-4567"),
    ]:
        once = fn(value)
        assert fn(once) == once


def test_email_relays_replace_the_defaults():
    relays = [{"domain": "relay.example.jp", "kind": "relay"}]
    assert ichigen.normalize_email("a@mail.relay.example.jp", relays)["kind"] == "relay"
    assert ichigen.normalize_email("abc@pc.fw.rakuten.ne.jp", relays)["kind"] == "ordinary"


@pytest.mark.parametrize(
    "call, issue_code",
    [
        (lambda: ichigen.normalize_phone("090-1234-567"), "IDENTITY_PHONE_LENGTH"),
        (lambda: ichigen.normalize_phone("000-0000-0000"), "IDENTITY_PHONE_PLACEHOLDER"),
        (lambda: ichigen.normalize_phone("call me"), "IDENTITY_PHONE_INVALID"),
        (lambda: ichigen.normalize_email("taro@"), "IDENTITY_EMAIL_INVALID"),
        (lambda: ichigen.normalize_postal_code("12-345"), "IDENTITY_POSTAL_INVALID"),
        (
            lambda: ichigen.normalize_address(postal_code="12-345", address1="港区六本木1-2-3"),
            "IDENTITY_POSTAL_INVALID",
        ),
        (lambda: ichigen.normalize_name(123), "IDENTITY_WRONG_TYPE"),
    ],
)
def test_normalizer_errors_raise_identity_error(call, issue_code):
    with pytest.raises(ichigen.IdentityError) as info:
        call()
    e = info.value
    assert isinstance(e, ichigen.IchigenError)
    assert e.code == "IDENTITY_INVALID"
    assert e.issues[0]["code"] == issue_code
    assert e.issues[0]["path"] == "$.value"
    assert e.message == str(e)


def test_normalizer_errors_do_not_quote_the_value():
    for call in [
        lambda: ichigen.normalize_phone("090-9876-54"),
        lambda: ichigen.normalize_email("secret.person@"),
        lambda: ichigen.normalize_postal_code("98-7654"),
    ]:
        with pytest.raises(ichigen.IdentityError) as info:
            call()
        text = str(info.value) + repr(info.value.issues)
        for secret in ("9876", "secret.person", "98-7654", "987654"):
            assert secret not in text


def test_normalize_address_takes_keywords_only():
    with pytest.raises(TypeError):
        ichigen.normalize_address("106-0032")  # type: ignore[misc]
    with pytest.raises(ichigen.InputError) as info:
        ichigen.normalize_address(address1={1, 2})  # type: ignore[arg-type]
    assert info.value.issues[0]["path"] == "$.value.address1"


# --- configuration ---------------------------------------------------------------


def test_describe_identity_config():
    default = ichigen.describe_identity_config()
    assert [r["name"] for r in default["rules"]] == [
        "member_id",
        "name+phone",
        "name+email",
        "name+postal_code+address",
    ]
    assert default["max_key_records"] == 50
    custom = ichigen.describe_identity_config(
        '{"criteria": [["name", "kana"]], "max_key_records": 7}'
    )
    assert custom == {"rules": [{"name": "name+kana", "fields": ["name", "kana"]}], "max_key_records": 7}


def test_bad_config_raises_identity_error_with_paths():
    with pytest.raises(ichigen.IdentityError) as info:
        ichigen.describe_identity_config({"criteria": [["name", "shoe_size"]]})
    assert info.value.issues[0]["path"].startswith("$.criteria[0]")
    with pytest.raises(ichigen.IdentityError):
        ichigen.CustomerResolver({"max_key_records": "many"})
    with pytest.raises(ichigen.IdentityError):
        ichigen.resolve_customers(table(YAMADA), {"criteria": 3})


# --- batch resolution --------------------------------------------------------------


def test_resolve_customers_from_pyarrow():
    res = ichigen.resolve_customers(table(YAMADA))
    out = res.table
    assert isinstance(out, pa.Table)
    assert out.schema.field("customer_id").type == pa.uint64()
    d = out.to_pydict()
    assert d["id"] == ["r1", "o1", "y1", "x1"]
    assert d["customer_id"] == [1, 1, 1, 2]
    # o1 is joined through y1 (the link o1–y1 has o1 as the older record), so it
    # has no link to an older record of its own.
    assert d["via_record"] == [None, None, "r1", None]
    assert d["rule"] == [None, None, "name+phone", None]
    assert res.issues == []
    assert res.next_customer_id == 3
    assert {tuple(link["records"]) for link in res.links} >= {("r1", "y1"), ("o1", "y1")}
    assert res.giant_keys == []
    assert res.aliases == []
    assert res.candidates() == []


def test_resolve_customers_agrees_with_the_json_face():
    json_out = ichigen.resolve_customers_json(YAMADA)
    res = ichigen.resolve_customers(table(YAMADA))
    assert customer_ids(res) == [c["customer_id"] for c in json_out["customers"]]
    assert res.links == json_out["links"]
    # JSON text works too.
    import json

    assert ichigen.resolve_customers_json(json.dumps(YAMADA)) == json_out


def test_record_batch_polars_and_other_string_types():
    want = customer_ids(ichigen.resolve_customers(table(YAMADA)))
    batch = table(YAMADA).to_batches()[0]
    assert customer_ids(ichigen.resolve_customers(batch)) == want
    df = pl.DataFrame(YAMADA)
    res = ichigen.resolve_customers(df)
    assert customer_ids(res) == want
    assert res.table.column("id").to_pylist() == ["r1", "o1", "y1", "x1"]
    large = table(YAMADA).cast(pa.schema([(n, pa.large_string()) for n in table(YAMADA).column_names]))
    assert customer_ids(ichigen.resolve_customers(large)) == want
    views = table(YAMADA).cast(pa.schema([(n, pa.string_view()) for n in table(YAMADA).column_names]))
    assert customer_ids(ichigen.resolve_customers(views)) == want
    dictionary = table(YAMADA)
    dictionary = dictionary.set_column(1, "channel", dictionary.column("channel").dictionary_encode())
    assert customer_ids(ichigen.resolve_customers(dictionary)) == want
    categorical = df.with_columns(pl.col("channel").cast(pl.Categorical))
    assert customer_ids(ichigen.resolve_customers(categorical)) == want


def test_polars_with_prior_ids_and_masked_columns():
    df = pl.DataFrame(
        {
            "id": ["a", "b", "c"],
            "channel": ["rakuten", "yahoo", "amazon"],
            "name": [NAME, NAME, "別人"],
            "phone": [PHONE, PHONE, None],
            "customer_id": pl.Series([None, 7, 3], dtype=pl.Int64),
            "masked": [False, False, True],
        }
    )
    res = ichigen.resolve_customers(df)
    assert customer_ids(res) == [7, 7, 3]
    assert res.next_customer_id == 8


def test_batches_stay_aligned():
    records = synthetic(30)
    whole = ichigen.resolve_customers(table(records))
    chunked = pa.Table.from_batches(table(records).to_batches(max_chunksize=7))
    assert chunked.column("id").num_chunks == 5
    res = ichigen.resolve_customers(chunked)
    assert res.table.column("customer_id").num_chunks == 5
    assert customer_ids(res) == customer_ids(whole)


def test_bad_rows_are_reported_and_good_rows_resolved():
    rows = [
        {"id": "o1", "channel": "own_site", "name": NAME, "email": EMAIL},
        {"id": None, "channel": "yahoo", "name": NAME},
        {"id": "x1", "channel": "ebay", "name": NAME},
        {"id": "o2", "channel": "own_site", "name": NAME, "phone": "12345", "email": EMAIL},
        {"id": "o1", "channel": "yahoo", "name": NAME},
        {"id": "", "channel": "pos", "name": NAME},
        {"id": "n1", "channel": "pos", "name": NAME, "customer_id": -4},
        {"id": "p1", "channel": None, "name": NAME, "email": EMAIL},
    ]
    res = ichigen.resolve_customers(table(rows, customer_id=pa.int64()))
    assert customer_ids(res) == [1, None, None, 1, None, None, None, 1]
    assert [(i["code"], i["path"]) for i in res.issues] == [
        ("IDENTITY_RECORD_NO_ID", "$[1].id"),
        ("IDENTITY_UNKNOWN_VALUE", "$[2].channel"),
        ("IDENTITY_PHONE_INVALID", "$[3].phone"),
        ("IDENTITY_RECORD_DUPLICATE", "$[4].id"),
        ("IDENTITY_RECORD_NO_ID", "$[5].id"),
        ("IDENTITY_WRONG_TYPE", "$[6].customer_id"),
    ]
    assert "ebay" not in repr(res.issues)
    assert repr(res) == "CustomerResolution(rows=8, customers=1, issues=6)"


def test_decision_issues_and_decisions():
    decisions = [{"merge": ["r1", "x1"]}, {"unmerge": ["r1", "nope"]}]
    res = ichigen.resolve_customers(table(YAMADA), decisions=decisions)
    assert customer_ids(res) == [1, 1, 1, 1]
    assert res.table.column("rule").to_pylist()[3] == "manual"
    assert [(i["code"], i["path"]) for i in res.issues] == [
        ("IDENTITY_DECISION_UNKNOWN_RECORD", "$.decisions[1][1]")
    ]
    with pytest.raises(ichigen.IdentityError):
        ichigen.resolve_customers(table(YAMADA), decisions=[{"split": ["r1", "x1"]}])


def test_bad_columns_raise_input_error():
    with pytest.raises(ichigen.InputError) as info:
        ichigen.resolve_customers(pa.table({"id": ["a"]}))
    assert (info.value.code, info.value.issues[0]["path"]) == ("IDENTITY_BAD_COLUMNS", "$.channel")
    with pytest.raises(ichigen.InputError) as info:
        ichigen.resolve_customers(pa.table({"id": ["a"], "channel": ["pos"], "phone": [9012345678]}))
    assert info.value.issues[0]["path"] == "$.phone"
    with pytest.raises(ichigen.InputError) as info:
        ichigen.resolve_customers(
            pa.table({"id": ["a"], "channel": ["pos"], "customer_id": pa.array([1.5])})
        )
    assert info.value.issues[0]["path"] == "$.customer_id"
    with pytest.raises(ichigen.InputError) as info:
        ichigen.resolve_customers(YAMADA)
    assert info.value.code == "INPUT_WRONG_TYPE"
    # Columns the resolver does not read are ignored, whatever their type.
    extra = table(YAMADA).append_column("amount", pa.array([1.5, 2.5, 3.5, 4.5]))
    assert customer_ids(ichigen.resolve_customers(extra)) == [1, 1, 1, 2]


def test_empty_table():
    empty = pa.table({"id": pa.array([], pa.string()), "channel": pa.array([], pa.string())})
    res = ichigen.resolve_customers(empty)
    assert res.table.num_rows == 0
    assert res.next_customer_id == 1


def test_prior_customer_ids_keep_ids():
    first = synthetic(60)
    res = ichigen.resolve_customers(table(first))
    prior = customer_ids(res)
    # A later run: the same records in another order, with their ids, plus new ones.
    again = [dict(r, customer_id=c) for r, c in zip(first, prior)][::-1] + synthetic(30, offset=60)
    res2 = ichigen.resolve_customers(table(again, customer_id=pa.uint64()))
    by_id = dict(zip(res2.table.column("id").to_pylist(), customer_ids(res2)))
    assert [by_id[r["id"]] for r in first] == prior
    new_ids = {by_id[r["id"]] for r in synthetic(30, offset=60)}
    assert new_ids - set(prior)  # new customers get ids never given out
    assert min(new_ids - set(prior)) >= res.next_customer_id


# --- incremental ---------------------------------------------------------------------


def test_customer_resolver_methods():
    r = ichigen.CustomerResolver()
    assert len(r) == 0 and r.next_customer_id == 1
    p = r.insert(YAMADA[0])
    assert p == {
        "customer_id": 1,
        "new_customer": True,
        "absorbed": [],
        "links": [],
        "issues": [],
        "recomputed": False,
    }
    assert r.insert(YAMADA[1])["customer_id"] == 2
    p = r.insert(YAMADA[2])
    assert (p["customer_id"], p["absorbed"]) == (1, [2])
    assert r.canonical(2) == 1 and r.canonical(99) is None
    assert r.customer_of("o1") == 1 and r.customer_of("nope") is None
    assert r.insert(YAMADA[3])["customer_id"] == 3
    split = r.unmerge("r1", "y1")
    assert isinstance(split, tuple) and split[0] != split[1]
    assert split == (r.customer_of("r1"), r.customer_of("y1"))
    assert r.merge("x1", "r1") == 1
    assert r.mask("x1") == 1
    assert r.recompute() is None
    snap = r.snapshot()
    assert set(snap) >= {"customers", "clusters", "links", "aliases", "decisions", "next_customer_id"}
    assert r.candidates() == snap["candidates"]
    assert len(r) == 4
    assert repr(r) == f"CustomerResolver(records=4, next_customer_id={r.next_customer_id})"


def test_customer_resolver_errors():
    r = ichigen.CustomerResolver()
    r.insert(YAMADA[0])
    with pytest.raises(ichigen.IdentityError) as info:
        r.insert(YAMADA[0])
    assert (info.value.issues[0]["code"], info.value.issues[0]["path"]) == (
        "IDENTITY_RECORD_DUPLICATE",
        "$.id",
    )
    with pytest.raises(ichigen.IdentityError) as info:
        r.insert({"id": "z", "channel": "ebay", "name": NAME})
    assert info.value.issues[0]["path"] == "$.channel"
    with pytest.raises(ichigen.IdentityError) as info:
        r.merge("r1", "nope")
    assert info.value.issues[0]["code"] == "IDENTITY_DECISION_UNKNOWN_RECORD"
    with pytest.raises(ichigen.IdentityError) as info:
        r.mask("nope")
    assert info.value.issues[0]["code"] == "IDENTITY_RECORD_UNKNOWN"
    for e in [info.value]:
        assert NAME not in str(e) and PHONE not in str(e)
    assert len(r) == 1


def test_insert_table_equals_batch():
    records = synthetic(300)
    batch = ichigen.resolve_customers(table(records))
    r = ichigen.CustomerResolver()
    out = r.insert_table(table(records))
    assert out.column_names == ["id", "customer_id", "new_customer", "issue"]
    got = out.column("customer_id").to_pylist()
    # The same customers; ids may differ where an insert merged two customers (the
    # absorbed id becomes an alias), as inserting one record at a time does.
    assert partition(got) == partition(customer_ids(batch))
    one_by_one = ichigen.CustomerResolver()
    for rec in records:
        one_by_one.insert(rec)
    assert got == [one_by_one.customer_of(rec["id"]) for rec in records]
    # Recomputing keeps the ids; a batch over the records with those ids agrees.
    r.recompute()
    assert [r.customer_of(rec["id"]) for rec in records] == got
    with_prior = [dict(rec, customer_id=c) for rec, c in zip(records, got)]
    assert customer_ids(ichigen.resolve_customers(table(with_prior, customer_id=pa.uint64()))) == got


def test_insert_table_in_parts_and_bad_rows():
    records = synthetic(40)
    r = ichigen.CustomerResolver()
    first = r.insert_table(table(records[:25]))
    assert first.column("new_customer").to_pylist()[0] is True
    second = r.insert_table(pl.DataFrame(records[25:] + [records[3], {"id": "q", "channel": "ebay"}]))
    assert second.column("issue").to_pylist()[-2:] == [
        "IDENTITY_RECORD_DUPLICATE",
        "IDENTITY_UNKNOWN_VALUE",
    ]
    assert second.column("customer_id").to_pylist()[-2:] == [None, None]
    assert len(r) == 40
    whole = ichigen.resolve_customers(table(records))
    assert partition([r.customer_of(rec["id"]) for rec in records]) == partition(customer_ids(whole))


def test_customer_resolver_is_shared_between_threads():
    r = ichigen.CustomerResolver()
    records = synthetic(400)
    parts = [records[i::4] for i in range(4)]
    threads = [threading.Thread(target=lambda p=p: [r.insert(x) for x in p]) for p in parts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(r) == 400
    whole = ichigen.resolve_customers(table(records))
    assert partition([r.customer_of(x["id"]) for x in records]) == partition(customer_ids(whole))


def _gaps_while(work):
    """Runs `work` on a thread and counts on this one: (seconds the work took, the
    longest pause between two counting steps)."""
    done = threading.Event()
    took = []

    def run():
        start = time.perf_counter()
        work()
        took.append(time.perf_counter() - start)
        done.set()

    worker = threading.Thread(target=run)
    last = time.perf_counter()
    longest = 0.0
    worker.start()
    while not done.is_set():
        now = time.perf_counter()
        longest = max(longest, now - last)
        last = now
        sum(range(200))  # Python work that needs the GIL
    worker.join()
    return took[0], longest


def _long_enough(make_work):
    """(took, longest) of the first of growing inputs whose work takes over 0.2 s."""
    for n in (20_000, 80_000, 320_000):
        took, longest = _gaps_while(make_work(n))
        if took > 0.2:
            return took, longest
    raise AssertionError("the work never took long enough to tell")


def test_the_gil_check_can_fail():
    """A call that holds the GIL (sorting floats) stops this thread for all of it."""
    took, longest = _long_enough(lambda n: lambda: sorted([(i * 7919) % n * 0.5 for i in range(n)] * 40))
    assert longest > took / 3, (took, longest)


def test_resolution_releases_the_gil():
    """While the core resolves, this thread keeps running Python: the longest pause
    is a small part of the work (holding the GIL, it would be all of it)."""
    tables = {}

    def rows(n):
        if n not in tables:
            tables[n] = table(synthetic(n))
        return tables[n]

    took, longest = _long_enough(lambda n: lambda t=rows(n): ichigen.resolve_customers(t))
    assert longest < took / 3, (took, longest)
    took, longest = _long_enough(
        lambda n: lambda t=rows(n): ichigen.CustomerResolver().insert_table(t)
    )
    assert longest < took / 3, (took, longest)


def test_no_personal_data_in_reprs_and_issues():
    bad = [
        {"id": "b1", "channel": NAME, "name": NAME},
        {"id": "b2", "channel": "pos", "name": NAME, "phone": EMAIL, "email": PHONE},
        {"id": "b3", "channel": "pos", "name": NAME, "postal_code": NAME, "address1": "渋谷区神宮前1-2-3"},
    ]
    res = ichigen.resolve_customers(table(YAMADA + bad))
    assert len(res.issues) >= 3
    r = ichigen.CustomerResolver()
    r.insert_table(table(YAMADA + bad))
    for text in (repr(res), repr(r), repr(res.issues), repr(res.table.schema)):
        for secret in (NAME, "山田", PHONE, "1234", EMAIL, "taro", "渋谷区"):
            assert secret not in text


# --- customer facts ---------------------------------------------------------------

ORDERS = [
    {"record": "r1", "channel": "rakuten", "ordered_at": "2026-01-10T01:00:00Z", "amount": "12000"},
    {
        "record": "y1",
        "channel": "yahoo",
        "ordered_at": datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=9))),
        "amount": decimal.Decimal("25000"),
        "shipped_on": datetime.date(2026, 3, 3),
    },
    {"record": "o1", "channel": "own_site", "ordered_at": "2026-04-01T00:00:00Z", "amount": 500, "cancelled": True},
]


def test_customer_summary():
    s = ichigen.customer_summary(
        {
            "customer_id": 7,
            "orders": ORDERS,
            "profile": {"vip": True, "birthday": "1990-05-01", "points": 120},
            "tiers": {"tiers": [{"name": "silver", "min_spend": 30000}]},
            "as_of": "2026-11-23T00:00:00Z",
        }
    )
    assert s["customer_id"] == 7
    assert (s["order_count"], s["cancelled_count"], s["spend"]) == (2, 1, "37000")
    assert s["tier"] == "silver"
    assert s["repeat"] and s["cross_channel"] and s["vip"]
    assert s["birthday"] == datetime.date(1990, 5, 1)
    assert s["first_order_at"] == "2026-01-10T01:00:00Z"


def test_customer_summary_errors():
    with pytest.raises(ichigen.IdentityError) as info:
        ichigen.customer_summary({"customer_id": 7, "orders": [{"record": "x"}], "as_of": "2026-11-23T00:00:00Z"})
    assert info.value.issues[0]["code"] == "IDENTITY_MISSING_FIELD"
    assert info.value.issues[0]["path"].startswith("$.orders")
    with pytest.raises(ichigen.InputError) as info:
        ichigen.customer_summary({"customer_id": 7, "orders": [{"amount": 1.5j}]})
    assert info.value.issues[0]["path"] == "$.orders[0].amount"


def test_customer_triage_facts_feed_triage(rules, order):
    facts = ichigen.customer_triage_facts(
        {"orders": ORDERS + [{"record": order["id"], "channel": "rakuten", "ordered_at": "2026-05-01T00:00:00Z", "amount": "3000"}],
         "profile": {"caution": "未払い"},
         "record": order["id"]}
    )
    assert facts == {"caution": True, "vip": False, "purchase_count": 3}
    out = ichigen.triage(rules, order, {"customer": facts}, now="2026-11-23T03:00:00Z")
    assert "caution-customer" in out["outcome"]["matched"]
    assert out["outcome"]["status"] == "needs_check"
    with pytest.raises(ichigen.IdentityError) as info:
        ichigen.customer_triage_facts({"orders": ORDERS, "record": "nope"})
    assert info.value.issues[0]["code"] == "IDENTITY_ORDER_UNKNOWN"


def test_mask_customer():
    party = {"name": NAME, "phone": PHONE, "prefecture": "東京都"}
    out = ichigen.mask_customer(
        {
            "records": [
                {"record": "a1", "channel": "amazon", "shipped_on": datetime.date(2026, 10, 1), "party": party},
                {"record": "r1", "channel": "rakuten", "shipped_on": "2026-10-01", "party": party},
            ],
            "on": datetime.date(2026, 11, 23),
        }
    )
    a1, r1 = out["records"]
    assert a1["masked"] and a1["due_on"] == datetime.date(2026, 10, 31)
    assert a1["party"] == {"name": "", "prefecture": "東京都"}
    assert a1["removed"] == ["name", "phone"]
    assert not r1["masked"] and r1["party"]["name"] == NAME
