"""Analytics through the FFI: the OrderHistory object (built once from the JSON
face's history, rows or columns, and shared between threads), the typed
per-customer records (RfmCustomer, CpmCustomer, ClvCustomer) against the JSON
face's rows, the summaries as JSON text, the CLV functions (fitClv, predictClv)
reproducing the published CDNOW figures from the raw transactions, and the
InvalidAnalytics error (its code, issue paths, no customer id in any message)."""

import datetime
import json
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from conftest import ROOT, VECTORS
import vector_runner
from vector_runner import run_file, vector_files

CDNOW = ROOT / "tests" / "fixtures" / "cdnow"

# A stand-in for a customer id (personal data): it must never show in an error.
SECRET = "Yamada-Taro-090-1234-5678-secret"


def text(value):
    return json.dumps(value, ensure_ascii=False)


def order(customer, at, amount, **more):
    return {"customer": customer, "ordered_at": at, "amount": amount, **more}


def history(ffi, orders, **more):
    return ffi.OrderHistory(text({"orders": orders, **more}))


def assert_no_secret(e):
    for part in [str(e), e.message, *(i.message for i in e.issues), *(i.path for i in e.issues)]:
        assert SECRET not in part, part


# --- the history -----------------------------------------------------------------


def test_rows_and_columns_make_the_same_history(ffi):
    rows = [
        order("a", "2026-01-01T23:30:00+09:00", "1200", channel="rakuten"),
        order("b", "2026-01-02T00:10:00", "800", channel=None, status="cancelled"),
        order("a", 1767398400, 500, channel="amazon"),
    ]
    columns = {key: [r.get(key) for r in rows] for key in ["customer", "ordered_at", "amount", "channel", "status"]}
    by_rows, by_columns = history(ffi, rows), ffi.OrderHistory(text({"orders": columns}))
    d = by_rows.describe()
    assert d == by_columns.describe()
    assert (d.orders, d.customers, d.cancelled, d.lines) == (3, 2, 1, 0)
    # 23:30 in Tokyo is that day, not UTC's; local text is read in the shop's zone.
    assert (d.first_date, d.last_date, d.zone, d.currency) == ("2026-01-01", "2026-01-03", "Asia/Tokyo", "JPY")
    query = text({"group_by": ["date", "channel"], "include_cancelled": True})
    assert json.loads(by_rows.sales(query)) == json.loads(by_columns.sales(query))


def test_an_empty_history_has_no_dates(ffi):
    d = history(ffi, []).describe()
    assert (d.orders, d.customers, d.first_date, d.last_date) == (0, 0, None, None)


def test_sales_without_a_query_is_the_total(ffi):
    h = history(ffi, [order("a", "2026-01-01T10:00:00+09:00", "1200"), order("b", "2026-01-02T10:00:00+09:00", 300)])
    rows = json.loads(h.sales())["rows"]
    assert len(rows) == 1
    assert (rows[0]["orders"], rows[0]["revenue"], rows[0]["customers"]) == (2, "1500", 2)


# --- per-customer records ----------------------------------------------------------


# Tenure 89, 90, 209, 210 days and spend around ¥70,000, as of 2026-10-31.
CPM_ORDERS = [
    order("early", "2026-01-01T12:00:00+09:00", "50000"),
    order("early", "2026-03-31T12:00:00+09:00", "50000"),  # 89 days: early, whatever the spend
    order("steady", "2026-01-01T12:00:00+09:00", "30000"),
    order("steady", "2026-04-01T12:00:00+09:00", "39999"),  # 90 days, ¥69,999
    order("trendy", "2026-01-01T12:00:00+09:00", "30000"),
    order("trendy", "2026-07-29T12:00:00+09:00", "40000"),  # 209 days, ¥70,000
    order("loyal", "2026-01-01T12:00:00+09:00", "30000"),
    order("loyal", "2026-07-30T12:00:00+09:00", "40000"),  # 210 days
    order("first", "2026-02-01T12:00:00+09:00", "1000"),  # 272 days ago: lapsed
    order("gone", "2026-05-05T12:00:00+09:00", "1000", status="cancelled"),
]


def test_cpm_records_carry_the_segment_as_an_enum(ffi):
    h = history(ffi, CPM_ORDERS)
    customers = {c.customer: c for c in h.cpm(text({"as_of": "2026-10-31"}))}
    assert set(customers) == {"early", "steady", "trendy", "loyal", "first"}
    S, C = ffi.CpmSegment, ffi.CpmClass
    assert customers["early"].segment == S.EARLY_ACTIVE and customers["early"].tenure == 89
    assert customers["steady"].segment == S.STEADY_ACTIVE and customers["steady"].spend == "69999"
    assert customers["trendy"].segment == S.TRENDY_ACTIVE and customers["trendy"].tenure == 209
    assert customers["loyal"].segment == S.LOYAL_ACTIVE and customers["loyal"].cpm_class == C.LOYAL
    first = customers["first"]
    assert (first.segment, first.cpm_class, first.active, first.label) == (S.FIRST_LAPSED, C.FIRST, False, "初回離脱")
    assert (first.purchases, first.days_since_last, first.first_purchase) == (1, 272, "2026-02-01")
    # The records are the JSON face's rows, in its order.
    rows = json.loads(h.cpm_json(text({"as_of": "2026-10-31"})))["customers"]
    assert [vector_runner.cpm_row(c) for c in h.cpm(text({"as_of": "2026-10-31"}))] == rows


def test_cpm_limits_are_configurable(ffi):
    h = history(ffi, CPM_ORDERS)
    config = {"as_of": "2026-10-31", "lapse_days": 300, "spend": "100000"}
    customers = {c.customer: c.segment for c in h.cpm(text(config))}
    assert customers["first"] == ffi.CpmSegment.FIRST_ACTIVE
    assert customers["loyal"] == ffi.CpmSegment.STEADY_ACTIVE


def test_rfm_records(ffi):
    orders = [order(c, f"2026-11-{d:02d}T12:00:00+09:00", str(1000 * n))
              for n, (c, d) in enumerate([("a", 20), ("a", 21), ("b", 1), ("c", 10), ("c", 11), ("c", 12)], 1)]
    h = history(ffi, orders)
    config = text({"as_of": "2026-11-23", "ranks": [{"name": "VIP", "f": [4, 5]}], "default_rank": "other"})
    records = {r.customer: r for r in h.rfm(config)}
    c = records["c"]
    assert (c.recency, c.frequency, c.monetary, c.first_purchase, c.last_purchase) == (
        11, 3, "15000", "2026-11-10", "2026-11-12"
    )
    assert all(r.score == f"{r.r}{r.f}{r.m}" for r in records.values())
    assert all(r.rank == ("VIP" if r.f >= 4 else "other") for r in records.values())
    assert {r.rank for r in records.values()} == {"VIP", "other"}
    # More purchases score higher; an older last purchase scores lower.
    assert records["c"].f > records["b"].f and records["b"].r < records["a"].r
    answer = json.loads(h.rfm_json(config))
    assert [vector_runner.rfm_row(r) for r in h.rfm(config)] == answer["customers"]
    assert len(answer["grid"]) == 25 and sum(cell["customers"] for cell in answer["grid"]) == 3


def test_summaries_are_json_text(ffi):
    h = history(ffi, CPM_ORDERS)
    sheet = json.loads(h.balance_sheet(text({"as_of": "2026-12-31"})))
    assert set(sheet) == {"classes", "flows", "projection"}
    repeat = json.loads(h.repeat_and_cohorts(text({"as_of": "2026-12-31"})))
    assert set(repeat) == {"f2", "repeat", "cohorts", "channel_ltv"}
    flows = json.loads(h.cpm_json(text({"as_of": "2026-03-01", "to": "2026-12-31"})))
    assert set(flows) == {"customers", "segments", "flows"}
    assert [s["segment"] for s in flows["segments"]] == [vector_runner._enum_name(s) for s in ffi.CpmSegment]


def test_one_history_answers_from_many_threads(ffi):
    h = history(ffi, CPM_ORDERS)
    config = text({"as_of": "2026-12-31"})
    expected = [vector_runner.cpm_row(c) for c in h.cpm(config)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: [vector_runner.cpm_row(c) for c in h.cpm(config)], range(16)))
    assert all(a == expected for a in answers)


# --- CLV on CDNOW --------------------------------------------------------------------


def cdnow_history(ffi):
    """The 6,919 CDNOW purchases (master id, sample id, YYYYMMDD, CDs, dollars) as
    a history in columns: the sample id as customer, midnight UTC, dollars."""
    customer, at, amount = [], [], []
    for line in (CDNOW / "CDNOW_sample.txt").read_text(encoding="utf-8").splitlines():
        _, sample_id, day, _, dollars = line.split()
        customer.append(str(int(sample_id)))
        at.append(f"{day[:4]}-{day[4:6]}-{day[6:]}T00:00:00Z")
        amount.append(dollars)
    assert len(customer) == 6919
    return ffi.OrderHistory(text({"zone": "UTC", "currency": "USD",
                                  "orders": {"customer": customer, "ordered_at": at, "amount": amount}}))


CALIBRATION = text({"observation_end": "1997-09-30", "period_days": 7})


@pytest.fixture(scope="module")
def cdnow(ffi):
    h = cdnow_history(ffi)
    return h, h.clv_summary(CALIBRATION)


def test_cdnow_summary_is_the_published_one(ffi, cdnow):
    _, summary = cdnow
    assert len(summary) == 2357
    by_id = {c.customer: c for c in summary}
    lines = (CDNOW / "cdnow_customers_summary_with_transactions.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "ID,x,t_x,T,zbar"
    for line in lines[1:]:
        cid, x, tx, t, zbar = line.split(",")
        c = by_id[cid]
        assert c.frequency == float(x), cid
        assert round(c.recency, 2) == float(tx) and round(c.t, 2) == float(t), cid
        # zbar is printed rounded half up from exact cents: within half a cent.
        assert abs(Decimal(repr(c.monetary_value)) - Decimal(zbar)) <= Decimal("0.005000001"), cid
    assert len(lines) - 1 == len(by_id)


def summary_columns(summary):
    return {"frequency": [c.frequency for c in summary], "recency": [c.recency for c in summary],
            "T": [c.t for c in summary], "monetary_value": [c.monetary_value for c in summary]}


def test_cdnow_fit_reproduces_the_papers(ffi, cdnow):
    h, summary = cdnow
    fit = ffi.fit_clv(text(summary_columns(summary)))
    b, g = fit.bgnbd, fit.gamma_gamma
    # Fader, Hardie & Lee (2005), section 5.
    assert b.diagnostics.converged, b.diagnostics.message
    assert [round(b.r, 3), round(b.alpha, 3), round(b.a, 3), round(b.b, 3)] == [0.243, 4.414, 0.793, 2.426]
    assert round(b.diagnostics.log_likelihood, 1) == -9582.4
    assert b.diagnostics.customers == 2357.0 and b.diagnostics.distinct_rows < 2357
    # Fader & Hardie (2013): the 946 customers with repeat purchases.
    assert g is not None and g.diagnostics.converged, g
    assert [round(g.p, 2), round(g.q, 2), round(g.v, 2)] == [6.25, 3.74, 15.44]
    assert g.diagnostics.customers == 946.0
    # The summary's JSON rows fit the same, to the last bit.
    rows = json.loads(h.clv_summary_json(CALIBRATION))["rows"]
    assert rows == [vector_runner.clv_row(c) for c in summary]
    assert ffi.fit_clv(text(rows)) == fit


def test_cdnow_worked_example(ffi, cdnow):
    _, summary = cdnow
    b = ffi.fit_clv(text(summary_columns(summary))).bgnbd
    options = {"bgnbd": {"r": b.r, "alpha": b.alpha, "a": b.a, "b": b.b}, "periods": 39}
    # FHL's worked example: x = 2, t_x = 30.43, T = 38.86 buys 1.226 times in 39 weeks.
    (p,) = ffi.predict_clv(text([{"frequency": 2, "recency": 30.43, "T": 38.86}]), text(options))
    assert round(p.expected_purchases, 3) == 1.226
    assert 0 < p.probability_alive < 1 and p.customer is None and p.clv is None


def test_predictions_name_their_customers(ffi, cdnow):
    _, summary = cdnow
    fit = ffi.fit_clv(text(summary_columns(summary)))
    b, g = fit.bgnbd, fit.gamma_gamma
    options = {"bgnbd": {"r": b.r, "alpha": b.alpha, "a": b.a, "b": b.b},
               "gamma_gamma": {"p": g.p, "q": g.q, "v": g.v}, "period_days": 7, "months": 12}
    first = [vector_runner.clv_row(c) for c in summary[:3]]
    numbered = [{**row, "customer": 1000 + k} for k, row in enumerate(first)]
    named = ffi.predict_clv(text(first), text(options))
    assert [p.customer for p in named] == [row["customer"] for row in first]
    # An id given as a number comes back as its decimal text.
    assert [p.customer for p in ffi.predict_clv(text(numbered), text(options))] == ["1000", "1001", "1002"]
    for p, row in zip(named, first):
        assert p.clv is not None and p.clv >= 0
        assert p.expected_average_value is not None
        if row["frequency"] == 0:
            assert p.probability_alive == 1.0


def test_gamma_gamma_without_a_finite_mean_is_none(ffi):
    options = {"bgnbd": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
               "gamma_gamma": {"p": 6.25, "q": 0.9, "v": 15.44}}
    (p,) = ffi.predict_clv(text([{"frequency": 2, "recency": 30.43, "T": 38.86, "monetary_value": 22.35}]),
                           text(options))
    assert p.expected_average_value is None and p.clv is None
    assert p.expected_purchases is not None


# --- errors ----------------------------------------------------------------------


def test_a_bad_history_lists_every_bad_cell(ffi):
    bad = [order(SECRET, SECRET, "12.5"), order("b", "2026-01-01T00:00:00Z", SECRET)]
    with pytest.raises(ffi.IchigenError.InvalidAnalytics) as info:
        history(ffi, bad)
    e = info.value
    assert e.code == "ANALYTICS_INVALID"
    paths = [(i.code, i.path) for i in e.issues]
    assert ("ANALYTICS_BAD_INSTANT", "$.history.orders[0].ordered_at") in paths
    assert ("ANALYTICS_BAD_MONEY", "$.history.orders[0].amount") in paths
    assert ("ANALYTICS_BAD_MONEY", "$.history.orders[1].amount") in paths
    assert_no_secret(e)


def test_bad_configurations_are_invalid_analytics(ffi):
    h = history(ffi, [order(SECRET, "2026-01-01T00:00:00Z", "100")])
    cases = [
        (lambda: h.rfm(text({"as_of": SECRET})), "$.config.as_of"),
        (lambda: h.rfm_json(text({"as_of": "2026-01-02", "colour": 1})), "$.config.colour"),
        (lambda: h.cpm(text({"as_of": "2026-01-02", "lapse_days": -1})), "$.config.lapse_days"),
        (lambda: h.clv_summary(text({"observation_end": "2026-01-02", "period_days": 0})), "$.config.period_days"),
        (lambda: h.sales(text({"group_by": [SECRET]})), None),
        (lambda: ffi.fit_clv(text([{"frequency": 1, "recency": 5, "T": 2}])), "$.summary.T[0]"),
        (lambda: ffi.fit_clv(text({"frequency": [1]}), text({"penalizer": -1})), None),
        (lambda: ffi.predict_clv("[]", text({"bgnbd": {"r": -1, "alpha": 1, "a": 1, "b": 1}})), "$.options"),
    ]
    for call, path in cases:
        with pytest.raises(ffi.IchigenError.InvalidAnalytics) as info:
            call()
        e = info.value
        assert e.code == "ANALYTICS_INVALID" and e.issues
        if path is not None:
            assert path in [i.path for i in e.issues], [(i.code, i.path) for i in e.issues]
        assert_no_secret(e)


def test_text_that_is_not_json_is_input_parse_at_the_argument(ffi):
    h = history(ffi, [])
    cases = [
        (lambda bad: ffi.OrderHistory(bad), "$.history"),
        (lambda bad: h.sales(bad), "$.query"),
        (lambda bad: h.rfm(bad), "$.config"),
        (lambda bad: h.rfm_json(bad), "$.config"),
        (lambda bad: h.cpm(bad), "$.config"),
        (lambda bad: h.cpm_json(bad), "$.config"),
        (lambda bad: h.balance_sheet(bad), "$.config"),
        (lambda bad: h.repeat_and_cohorts(bad), "$.config"),
        (lambda bad: h.clv_summary(bad), "$.config"),
        (lambda bad: h.clv_summary_json(bad), "$.config"),
        (lambda bad: ffi.fit_clv(bad), "$.summary"),
        (lambda bad: ffi.fit_clv("[]", bad), "$.options"),
        (lambda bad: ffi.predict_clv(bad, "{}"), "$.summary"),
        (lambda bad: ffi.predict_clv("[]", bad), "$.options"),
    ]
    for call, path in cases:
        with pytest.raises(ffi.IchigenError.InvalidInput) as info:
            call('{"customer": "' + SECRET + '"')
        e = info.value
        assert [(i.code, i.path) for i in e.issues] == [("INPUT_PARSE", path)]
        assert_no_secret(e)


def test_records_show_no_customer_id(ffi):
    # The generated Python records print their fields; the Rust side's Debug (in
    # logs) leaves the id out, which the crate's doc test checks. Here: an error
    # about one customer's cell names its row, never the customer.
    with pytest.raises(ffi.IchigenError.InvalidAnalytics) as info:
        history(ffi, [order(SECRET, "2026-01-01T00:00:00Z", "1"), order(SECRET, "2026-01-01T00:00:00Z", None)])
    assert [i.path for i in info.value.issues] == ["$.history.orders[1].amount"]
    assert_no_secret(info.value)


# --- the vectors reach every method -----------------------------------------------


ANALYTICS_METHODS = {
    "describe", "sales", "rfm", "rfm_json", "cpm", "cpm_json", "balance_sheet", "repeat_and_cohorts",
    "clv_summary", "clv_summary_json", "fit_clv", "predict_clv",
}


def test_analytics_vectors_exercise_every_method(ffi):
    files = [p for p in vector_files(VECTORS) if p.parent.name == "analytics"]
    assert len(files) >= 50
    vector_runner.ANALYTICS_CALLS.clear()
    for path in files:
        run_file(ffi, path)
    called = {m for m, n in vector_runner.ANALYTICS_CALLS.items() if n}
    assert called == ANALYTICS_METHODS
    # Every method the runner calls exists on the generated module.
    history = ffi.OrderHistory(text({"orders": []}))
    for method in ANALYTICS_METHODS - {"fit_clv", "predict_clv"}:
        assert callable(getattr(history, method)), method
    assert callable(ffi.fit_clv) and callable(ffi.predict_clv)


def test_dates_cross_as_iso_text(ffi):
    h = history(ffi, [order("a", "2026-01-01T23:30:00+09:00", "1")])
    (c,) = h.cpm(text({"as_of": "2026-01-02"}))
    assert datetime.date.fromisoformat(c.first_purchase) == datetime.date(2026, 1, 1)
