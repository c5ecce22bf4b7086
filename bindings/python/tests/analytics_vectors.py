"""The analytics ops of the vector runner (test_vectors.py), through the binding's
public API: `OrderHistory` built from the vector's history in the JSON face's
form (rows or columns), then its methods with `output="rows"`, assembled into the
JSON face's value (`analytics_rfm` is `{"customers": rfm(...), "grid":
rfm_grid(...)}`, and so on); `fit_clv` and `predict_clv` for the CLV ops.

Every vector runs twice more:

- the same analyses with the default output (pyarrow Tables), whose rows, after
  the types are turned into the JSON face's (decimal → its text, date → ISO,
  floats rounded to `decimals`), must equal the rows;
- the same analyses on histories (or CLV summaries) built as pyarrow tables from
  the vector's JSON, in two layouts (plain columns in one batch; dictionary-encoded
  text, other units and two record batches whose dictionaries differ), which must
  give the same rows, or fail with the same error.

Issue paths of a history that fails to build are moved below `$.history`: the
binding reports them below its own argument (`$.orders[3].amount`), the vectors
below the op's input field (`$.history.orders[3].amount`)."""

import collections
import datetime
import decimal
import json
import re
import zoneinfo

import pyarrow as pa

import ichigen

# How often the Arrow forms were compared, by op and layout.
ARROW_RUNS = collections.Counter()

TEXT = {
    "customer",
    "status",
    "channel",
    "store",
    "payment_method",
    "shipping_method",
    "cancel_reason",
    "age_band",
    "gender",
    "id",
}
ORDER_FIELDS = TEXT | {"ordered_at", "amount", "cancelled", "units"}
LINE_FIELDS = {"order", "sku", "product", "quantity", "amount"}
SUMMARY_FIELDS = ["frequency", "recency", "T", "monetary_value", "weights"]

AWARE = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
NAIVE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?$")
DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?$")


def arg(value):
    """A vector value as an argument: a JSON string value is passed as its JSON text
    (a str argument is read as JSON text); None stays None."""
    return json.dumps(value) if isinstance(value, str) else value


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


# --- results as the JSON face renders them ------------------------------------


def round_to(x, d):
    """The core's rounding: half away from zero at `d` places (on the exact value)."""
    p = 10.0**d
    y = float(decimal.Decimal(x * p).quantize(decimal.Decimal(1), rounding=decimal.ROUND_HALF_UP))
    r = y / p
    return 0.0 if r == 0 else r


def face_value(v, decimals):
    """One Arrow cell as the JSON face writes it."""
    if isinstance(v, decimal.Decimal):
        return format(v, "f")
    if isinstance(v, datetime.date) and not isinstance(v, datetime.datetime):
        return v.isoformat()
    if isinstance(v, float):
        if v != v:  # NaN has no JSON form
            return None
        return round_to(v, decimals) if decimals is not None else v
    return v


def face_rows(result, decimals):
    """A method's Arrow result (a Table, or a dict of them) as the JSON face's rows."""
    if isinstance(result, pa.Table):
        return [
            {k: face_value(v, decimals) for k, v in row.items()} for row in result.to_pylist()
        ]
    if isinstance(result, dict):
        return {k: face_rows(v, decimals) for k, v in result.items()}
    raise AssertionError(f"expected a pyarrow.Table, got {type(result).__name__}")


# --- the ops ----------------------------------------------------------------


def _config(inp, key):
    return inp.get(key)


def _decimals(config):
    return config.get("decimals") if isinstance(config, dict) else None


def analyse(op, h, inp, output):
    """The op's value (`output="rows"`), or its parts as Arrow (`"table"`)."""
    if op == "analytics_history":
        return h.describe()
    if op == "analytics_sales":
        return {"rows": h.sales(arg(inp.get("query")), output=output)}
    if op == "analytics_rfm":
        c = arg(inp.get("config"))
        return {"customers": h.rfm(c, output=output), "grid": h.rfm_grid(c, output=output)}
    if op == "analytics_cpm":
        c = inp.get("config")
        to = None
        if isinstance(c, dict) and "to" in c:
            c = dict(c)
            to = c.pop("to")
        c = arg(c)
        out = {"customers": h.cpm(c, output=output), "segments": h.cpm_segments(c, output=output)}
        if to is not None:
            out["flows"] = h.cpm_flows(c, to, output=output)
        return out
    if op == "analytics_balance_sheet":
        return h.balance_sheet(arg(inp.get("config")), output=output)
    if op == "analytics_repeat":
        c = arg(inp.get("config"))
        return {
            "f2": h.f2(c, output=output),
            "repeat": h.repeat_rates(c, output=output),
            "cohorts": h.cohorts(c, output=output),
            "channel_ltv": h.channel_ltv(c, output=output),
        }
    if op == "analytics_clv_summary":
        return {"rows": h.clv_summary(arg(inp.get("config")), output=output)}
    raise AssertionError(f"unknown analytics op {op!r}")


def _decimals_of(op, inp):
    key = "query" if op == "analytics_sales" else "config"
    return _decimals(inp.get(key))


def as_rows(op, inp, tables):
    """The Arrow results of `analyse(..., "table")` as the op's value."""
    if op == "analytics_history":
        return tables
    d = _decimals_of(op, inp)
    if op == "analytics_balance_sheet":
        assert set(tables) == {"classes", "flows", "projection"}, tables
        return face_rows(tables, d)
    return {k: face_rows(v, d) for k, v in tables.items()}


def history_kwargs(hist):
    kw = {}
    for key in ("zone", "currency"):
        if hist.get(key) is not None:
            kw[key] = hist[key]
    return kw


def json_history(hist):
    """The history in the JSON face's form; a failure's paths moved below $.history."""
    assert isinstance(hist, dict), "a history is an object"
    extra = set(hist) - {"zone", "currency", "orders", "lines"}
    assert not extra, f"a history field the API cannot express: {extra}"
    try:
        return ichigen.OrderHistory(hist.get("orders"), hist.get("lines"), **history_kwargs(hist))
    except ichigen.AnalyticsError as e:
        e.issues = [dict(i, path="$.history" + i["path"][1:]) for i in e.issues]
        raise


def error_of(call):
    """(None, result) or (the error's (type, code, issues), None)."""
    try:
        return None, call()
    except ichigen.IchigenError as e:
        return (type(e).__name__, e.code, e.issues), None


def run_history_op(op, inp):
    hist = inp.get("history")
    try:
        h = json_history(hist)
    except ichigen.AnalyticsError as e:
        arrow_history_fails_alike(hist, e)
        raise
    error, out = error_of(lambda: analyse(op, h, inp, "rows"))
    # The same analyses with Arrow output.
    t_error, tables = error_of(lambda: analyse(op, h, inp, "table"))
    assert t_error == error, f"Arrow output: {t_error} != rows: {error}"
    if error is None:
        assert as_rows(op, inp, tables) == out
    # The same analyses on the history built from Arrow tables.
    for layout in ("plain", "chunked"):
        built = arrow_history(hist, layout)
        if built is None:
            assert error is not None, f"the {layout} Arrow form of this history could not be built"
            continue
        orders, lines = built
        h2 = ichigen.OrderHistory(orders, lines, **history_kwargs(hist))
        assert len(h2) == len(h)
        assert h2.describe() == h.describe()
        a_error, a_tables = error_of(lambda: analyse(op, h2, inp, "table"))
        assert a_error == error, f"{layout} Arrow history: {a_error} != {error}"
        if error is None:
            assert as_rows(op, inp, a_tables) == out, layout
            assert analyse(op, h2, inp, "rows") == out, layout
        ARROW_RUNS[(op, layout)] += 1
    if error is not None:
        return analyse(op, h, inp, "rows")  # raises the error for the runner
    return out


def arrow_history_fails_alike(hist, error):
    """A history refused in JSON is refused from Arrow too, with the same issue
    codes (the paths differ: `$.orders.amount[3]` for a column)."""
    for layout in ("plain", "chunked"):
        built = arrow_history(hist, layout)
        if built is None:
            continue  # the bad cell has no Arrow form (text where a number goes)
        orders, lines = built
        try:
            ichigen.OrderHistory(orders, lines, **history_kwargs(hist))
        except ichigen.AnalyticsError as e:
            assert sorted(i["code"] for i in e.issues) == sorted(
                i["code"] for i in error.issues
            ), (e.issues, error.issues)
            ARROW_RUNS[("refused history", layout)] += 1
        else:
            raise AssertionError(f"the {layout} Arrow history was accepted: {error.issues}")


def run_clv(op, inp):
    summary = inp.get("summary")
    options = inp.get("options")
    if op == "analytics_clv_fit":
        call = lambda s: ichigen.fit_clv(s, arg(options))  # noqa: E731
        error, out = error_of(lambda: call(arg(summary)))
        convert = lambda r: r  # noqa: E731
    else:
        error, out = error_of(
            lambda: {"rows": ichigen.predict_clv(arg(summary), arg(options), output="rows")}
        )
        # Arrow output (of the JSON summary) matches the rows.
        t_error, table = error_of(lambda: ichigen.predict_clv(arg(summary), arg(options)))
        assert t_error == error, (t_error, error)
        if error is None:
            assert {"rows": face_rows(table, None)} == out
        call = lambda s: ichigen.predict_clv(s, arg(options))  # noqa: E731
        convert = lambda t: {"rows": face_rows(t, None)}  # noqa: E731
    for layout in ("plain", "chunked"):
        table = arrow_summary(summary, layout)
        if table is None:
            assert error is not None, f"the {layout} Arrow form of this summary could not be built"
            continue
        a_error, a_out = error_of(lambda: call(table))
        assert a_error == error, f"{layout} Arrow summary: {a_error} != {error}"
        if error is None:
            assert convert(a_out) == out, layout
        ARROW_RUNS[(op, layout)] += 1
    if error is not None:
        call(arg(summary))  # raises the error for the runner
    return out


def run_op(op, inp, now, rule_set):
    """The analytics ops; None for an op that is not one of them."""
    if not op.startswith("analytics_"):
        return None
    if op in ("analytics_clv_fit", "analytics_clv_predict"):
        return run_clv(op, inp)
    return run_history_op(op, inp)


# --- JSON histories as Arrow tables -------------------------------------------


class Unbuildable(Exception):
    """A JSON value with no faithful Arrow form."""


def _texts(values, layout):
    if not all(v is None or isinstance(v, str) for v in values):
        raise Unbuildable

    def build(vs):
        a = pa.array(vs, pa.string())
        return a.dictionary_encode() if layout == "chunked" else a

    return build


def _instants(values, layout, zone):
    present = [v for v in values if v is not None]
    if all(_is_int(v) for v in present):
        return lambda vs: pa.array(vs, pa.int64())
    if not all(isinstance(v, str) or _is_int(v) for v in present):
        raise Unbuildable
    if all(isinstance(v, str) and AWARE.match(v) for v in present):
        unit = "ns" if layout == "chunked" else "us"
        tz = "Asia/Tokyo" if layout == "chunked" else "UTC"

        def parse(v):
            return None if v is None else datetime.datetime.fromisoformat(v.replace("Z", "+00:00"))

        return lambda vs: pa.array([parse(v) for v in vs], pa.timestamp(unit, tz=tz))
    if all(isinstance(v, str) and NAIVE.match(v) for v in present):
        unit = "ms" if layout == "chunked" else "s"

        def parse(v):
            return None if v is None else datetime.datetime.fromisoformat(v)

        return lambda vs: pa.array([parse(v) for v in vs], pa.timestamp(unit))
    # Mixed forms: each one's instant, a local time read in the shop's zone when it
    # is neither in a gap nor repeated.
    tz = zoneinfo.ZoneInfo(zone or "Asia/Tokyo")

    def instant(v):
        if v is None:
            return None
        if _is_int(v):
            return datetime.datetime.fromtimestamp(v, datetime.timezone.utc)
        if AWARE.match(v):
            return datetime.datetime.fromisoformat(v.replace("Z", "+00:00"))
        if not NAIVE.match(v):
            raise Unbuildable
        local = datetime.datetime.fromisoformat(v)
        early, late = local.replace(tzinfo=tz, fold=0), local.replace(tzinfo=tz, fold=1)
        if early.utcoffset() != late.utcoffset():
            raise Unbuildable
        return early

    return lambda vs: pa.array([instant(v) for v in vs], pa.timestamp("us", tz="UTC"))


def _decimal(v):
    if v is None:
        return None
    if isinstance(v, str):
        if not DECIMAL.match(v.strip()):
            raise Unbuildable
        return decimal.Decimal(v.strip())
    if _is_int(v):
        return decimal.Decimal(v)
    if isinstance(v, float):
        return decimal.Decimal(repr(v))
    raise Unbuildable


def _money(values, layout):
    ds = [_decimal(v) for v in values]
    present = [d for d in ds if d is not None]
    scale = max([max(-d.as_tuple().exponent, 0) for d in present] + [0])
    digits = max([len(d.as_tuple().digits) for d in present] + [0])
    if layout == "chunked" and digits <= 15:
        # Floats: the binding reads the decimal each one stands for.
        return lambda vs: pa.array([None if v is None else float(_decimal(v)) for v in vs], pa.float64())
    if scale == 0:
        return lambda vs: pa.array([None if v is None else int(_decimal(v)) for v in vs], pa.int64())
    return lambda vs: pa.array([_decimal(v) for v in vs], pa.decimal128(38, scale))


def _counts(values, _layout):
    if not all(v is None or _is_int(v) for v in values):
        raise Unbuildable
    return lambda vs: pa.array(vs, pa.int64())


def _bools(values, _layout):
    if not all(v is None or isinstance(v, bool) for v in values):
        raise Unbuildable
    return lambda vs: pa.array(vs, pa.bool_())


def _numbers(values, _layout):
    if not all(_is_int(v) or isinstance(v, float) for v in values):
        raise Unbuildable
    if all(_is_int(v) for v in values):
        return lambda vs: pa.array(vs, pa.int64())
    return lambda vs: pa.array([float(v) for v in vs], pa.float64())


def _builder(name, values, layout, zone):
    if name in TEXT or name in ("sku", "product", "order_id"):
        return _texts(values, layout)
    if name == "ordered_at":
        return _instants(values, layout, zone)
    if name == "amount":
        return _money(values, layout)
    if name in ("units", "quantity", "order"):
        return _counts(values, layout)
    if name == "cancelled":
        return _bools(values, layout)
    if name in SUMMARY_FIELDS:
        return _numbers(values, layout)
    raise Unbuildable


def table(columns, layout, zone=None):
    """A pyarrow Table of JSON columns ({name: values}); in the chunked layout two
    record batches (split in the middle), each with its own dictionaries."""
    lengths = {len(v) for v in columns.values()}
    if len(lengths) > 1:
        raise Unbuildable
    n = lengths.pop() if lengths else 0
    cut = n // 2 if layout == "chunked" else n
    arrays = {}
    for name, values in columns.items():
        build = _builder(name, values, layout, zone)
        if layout == "chunked" and 0 < cut < n:
            arrays[name] = pa.chunked_array([build(values[:cut]), build(values[cut:])])
        else:
            arrays[name] = build(values)
    return pa.table(arrays)


def _row_columns(rows, fields):
    if not all(isinstance(r, dict) for r in rows):
        raise Unbuildable
    names = []
    for r in rows:
        for k in r:
            if k not in fields:
                raise Unbuildable
            if k not in names:
                names.append(k)
    return {k: [r.get(k) for r in rows] for k in names}


def arrow_history(hist, layout):
    """(orders, lines) as pyarrow Tables, or None when the JSON has no faithful
    Arrow form. Lines point at their order by row (`order`), or in the chunked
    layout by an `order_id` matched to an `id` column given to the orders."""
    try:
        orders = hist.get("orders")
        lines = None
        if isinstance(orders, list):
            with_lines = [r for r in orders if isinstance(r, dict) and "lines" in r]
            rows = [{k: v for k, v in r.items() if k != "lines"} if isinstance(r, dict) else r for r in orders]
            columns = _row_columns(rows, ORDER_FIELDS)
            if with_lines:
                line_rows = []
                for i, r in enumerate(orders):
                    ls = r.get("lines")
                    if ls is None:
                        continue
                    if not isinstance(ls, list) or not all(isinstance(l, dict) for l in ls):
                        raise Unbuildable
                    line_rows += [dict(l, order=i) for l in ls]
                lines = _row_columns(line_rows, LINE_FIELDS)
                lines.setdefault("order", [])
        elif isinstance(orders, dict):
            if not set(orders) <= ORDER_FIELDS or not all(isinstance(v, list) for v in orders.values()):
                raise Unbuildable
            columns = dict(orders)
            lines = hist.get("lines")
            if lines is not None:
                if not isinstance(lines, dict) or not set(lines) <= LINE_FIELDS:
                    raise Unbuildable
                lines = dict(lines)
        else:
            raise Unbuildable
        n = max([len(v) for v in columns.values()] + [0])
        # The required columns, typed, even with no rows.
        for name in ("customer", "ordered_at", "amount"):
            if name not in columns:
                if n:
                    raise Unbuildable
                columns[name] = []
        if lines is not None and layout == "chunked" and "id" not in columns:
            order = lines.get("order") or []
            if not all(_is_int(o) for o in order):
                raise Unbuildable
            columns["id"] = [f"o{i}" for i in range(n)]
            lines = {k: v for k, v in lines.items() if k != "order"}
            lines["order_id"] = [f"o{o}" for o in order]
        zone = hist.get("zone")
        return table(columns, layout, zone), None if lines is None else table(lines, layout)
    except Unbuildable:
        return None


def arrow_summary(summary, layout):
    """A CLV summary (rows or columns) as a pyarrow Table, or None."""
    try:
        if isinstance(summary, list):
            columns = _row_columns(summary, set(SUMMARY_FIELDS) | {"customer"})
        elif isinstance(summary, dict):
            if not set(summary) <= set(SUMMARY_FIELDS) | {"customer"}:
                raise Unbuildable
            columns = dict(summary)
        else:
            raise Unbuildable
        if "customer" in columns and not all(isinstance(c, str) for c in columns["customer"]):
            raise Unbuildable
        return table(columns, layout)
    except Unbuildable:
        return None
