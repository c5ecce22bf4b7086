"""Merge candidates (同梱候補): polars and pandas against ichigen's Planner.

Reads what ``measure shipment-data`` wrote into a folder:

- ``orders.csv``: one row per order, ``order`` numbering them from 0, with the
  first recipient's fields (``name,postal_code,prefecture,address1,address2``),
  the buyer's name and phone, store, phase, number of recipients, shipping method
  and class, ship date, desired date, time slot, gift and payment method;
- ``lines.csv``: ``order,line,sku,quantity,temperature,noshi,wrapping``;
- ``orders.jsonl``: the same orders as ichigen reads them (one JSON a line);
- ``policy.json``: the shipment policy.

and finds the orders that may ship together the way a data team would write it:
normalize the buyer's and the recipient's name and address with the library's
string operations (Unicode NFKC, lower case, every whitespace removed, hyphen-like
characters as ``-``; postal code and phone reduced to their digits), derive each
order's temperature zones and gift options from its lines, leave out the orders
that cannot merge (printed or later, several recipients, no name or street),
then group by the key columns (store, buyer, recipient, address, method, class,
ship date, desired date, time slot, zones, gift options, payment method) and keep
the groups of two or more. The parent is the earliest order of its group.

- polars: expressions (``str.normalize``, ``str.replace_all``), a ``group_by``
  of the lines, a join, a ``group_by`` on the key columns;
- pandas: the same with ``.str`` methods, ``groupby`` and ``merge``.

ichigen's answer comes from ``measure shipment-merge`` (``Planner::merge_candidates``
in Rust over the parsed orders: its groups as ``group,order,parent`` and its
seconds), and, when the installed ``ichigen`` module has ``ShipmentPlanner``, from
the Python binding too: ``ShipmentPlanner(policy).merge_candidates(text)`` with
the orders as one JSON text (parsing and checking every order is part of that
call, as is building the result's dicts) and from a list of dicts, on the first
``--binding-orders`` orders (100,000 by default, 0 for all), checked against
polars on the same orders. Every tool's groups and parents must be equal; the
script exits 1 on any difference.

The timings start from the tables in memory (reading the CSVs and the JSON is
timed apart), best of ``--repeat`` runs. polars uses its thread pool (the
machine's cores) unless ``--polars-threads`` says otherwise; pandas and ichigen
run on one thread.

Run it with ``benches/compare/shipment.sh``; alone::

    python shipment_dataframes.py target/shipment --ichigen target/shipment_ichigen.csv \\
        --ichigen-log target/shipment_ichigen.log
"""

import argparse
import json
import os
import pathlib
import re
import sys
import time

# Hyphen-like characters that NFKC leaves alone (ichigen's text::fold turns them
# into "-" too); U+FF0D, the full-width hyphen-minus, NFKC already maps to "-".
HYPHENS = "[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe63]"
CLOSED = ["printed", "shipped", "completed", "cancelled", "returned"]
ZONE_BIT = {"ambient": 1, "chilled": 2, "frozen": 4}
KEYS = [
    "store",
    "buyer_name_n",
    "buyer_phone_n",
    "name_n",
    "postal_code_n",
    "prefecture_n",
    "address1_n",
    "address2_n",
    "shipping_method",
    "shipping_class",
    "ship_date",
    "desired_date",
    "time_slot",
    "zones",
    "gift",
    "options",
    "payment_method",
]
TEXT = ["buyer_name", "name", "prefecture", "address1", "address2"]
DIGITS = ["buyer_phone", "postal_code"]
STRING_COLUMNS = [
    "id",
    "ordered_at",
    "store",
    "channel",
    "phase",
    "buyer_name",
    "buyer_phone",
    "name",
    "postal_code",
    "prefecture",
    "address1",
    "address2",
    "shipping_method",
    "shipping_class",
    "ship_date",
    "desired_date",
    "time_slot",
    "gift",
    "payment_method",
]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("dir", type=pathlib.Path)
    p.add_argument("--ichigen", type=pathlib.Path, help="measure shipment-merge's group,order,parent")
    p.add_argument("--ichigen-log", type=pathlib.Path, help="what measure shipment-merge printed")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--polars-threads", type=int, help="POLARS_MAX_THREADS for this run")
    p.add_argument(
        "--binding-orders",
        type=int,
        default=100_000,
        help="orders passed to the Python binding (the first ones; 0: all)",
    )
    p.add_argument(
        "--no-dicts",
        dest="dicts",
        action="store_false",
        help="pass them to the binding as JSON text only, not also as a list of dicts",
    )
    p.add_argument("--no-binding", action="store_true", help="leave the Python binding out")
    return p.parse_args()


# ---------------------------------------------------------------------------
# polars
# ---------------------------------------------------------------------------


def polars_candidates(pl, orders, lines):
    def text(c):
        return (
            pl.col(c)
            .fill_null("")
            .str.normalize("NFKC")
            .str.to_lowercase()
            .str.replace_all(r"\s+", "")
            .str.replace_all(HYPHENS, "-")
        )

    def digits(c):
        return pl.col(c).fill_null("").str.normalize("NFKC").str.replace_all(r"[^0-9]", "")

    opt = (
        pl.when(pl.col("noshi").is_not_null() | pl.col("wrapping").is_not_null())
        .then(pl.concat_str([pl.lit("w:"), text("wrapping"), pl.lit("|n:"), text("noshi")]))
        .otherwise(None)
    )
    per_order = (
        lines.with_columns(bit=pl.col("temperature").replace_strict(ZONE_BIT), opt=opt)
        .group_by("order")
        .agg(
            zones=pl.col("bit").unique().sum(),
            options=pl.col("opt").drop_nulls().unique().sort().str.join("||"),
        )
    )
    prepared = orders.with_columns(
        [text(c).alias(f"{c}_n") for c in TEXT] + [digits(c).alias(f"{c}_n") for c in DIGITS]
    )
    mergeable = prepared.filter(
        ~pl.col("phase").is_in(CLOSED)
        & (pl.col("recipients") == 1)
        & (pl.col("name_n") != "")
        & (pl.col("address1_n") != "")
        & (pl.col("buyer_name_n") != "")
    ).join(per_order, on="order", how="left")
    groups = (
        mergeable.group_by(KEYS)
        .agg(
            parent=pl.col("order").sort_by(["ordered_at", "id"]).first(),
            orders=pl.col("order").sort(),
            n=pl.len(),
        )
        .filter(pl.col("n") > 1)
        .select("parent", "orders")
    )
    return groups


# ---------------------------------------------------------------------------
# pandas
# ---------------------------------------------------------------------------


def pandas_candidates(np, pd, orders, lines):
    def text(s):
        return (
            s.fillna("")
            .str.normalize("NFKC")
            .str.lower()
            .str.replace(r"\s+", "", regex=True)
            .str.replace(HYPHENS, "-", regex=True)
        )

    def digits(s):
        return s.fillna("").str.normalize("NFKC").str.replace(r"[^0-9]", "", regex=True)

    bits = lines["temperature"].map(ZONE_BIT)
    zones = (
        pd.DataFrame({"order": lines["order"], "bit": bits})
        .drop_duplicates()
        .groupby("order")["bit"]
        .sum()
        .rename("zones")
    )
    has_opt = lines["noshi"].notna() | lines["wrapping"].notna()
    with_opt = lines[has_opt]
    opt = "w:" + text(with_opt["wrapping"]) + "|n:" + text(with_opt["noshi"])
    options = (
        pd.DataFrame({"order": with_opt["order"], "opt": opt})
        .drop_duplicates()
        .sort_values(["order", "opt"])
        .groupby("order")["opt"]
        .agg("||".join)
        .rename("options")
    )
    df = orders.copy()
    for c in TEXT:
        df[f"{c}_n"] = text(df[c])
    for c in DIGITS:
        df[f"{c}_n"] = digits(df[c])
    keep = (
        ~df["phase"].isin(CLOSED)
        & (df["recipients"] == 1)
        & (df["name_n"] != "")
        & (df["address1_n"] != "")
        & (df["buyer_name_n"] != "")
    )
    df = df[keep].join(zones, on="order").join(options, on="order")
    df["options"] = df["options"].fillna("")
    gid = df.groupby(KEYS, sort=False, dropna=False).ngroup().to_numpy()
    size = np.bincount(gid)
    multi = size[gid] > 1
    sub = df.loc[multi, ["order", "ordered_at", "id"]].assign(gid=gid[multi])
    sub = sub.sort_values(["gid", "ordered_at", "id"], kind="stable")
    g = sub["gid"].to_numpy()
    order = sub["order"].to_numpy()
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    parts = np.split(order, starts[1:])
    return [(int(p[0]), sorted(int(x) for x in p)) for p in parts]


# ---------------------------------------------------------------------------
# ichigen through the Python binding
# ---------------------------------------------------------------------------


def index_of(order_id):
    return int(order_id.rsplit("-", 1)[1])


def binding_groups(result):
    return [
        (index_of(g["parent"]), sorted(index_of(o) for o in g["orders"])) for g in result["groups"]
    ]


# ---------------------------------------------------------------------------


def best_of(repeat, f):
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - start)
    return best, out


def canonical(groups):
    """Groups as a set of (parent, tuple of sorted orders)."""
    return {(p, tuple(sorted(os))) for p, os in groups}


def ichigen_seconds(log):
    if log and log.exists():
        for line in log.read_text().splitlines():
            m = re.match(r"ichigen_seconds: ([0-9.]+)", line)
            if m:
                return float(m.group(1))
    return None


def read_ichigen_groups(path):
    groups = {}
    with open(path) as f:
        next(f)
        for row in f:
            g, o, p = row.strip().split(",")
            groups.setdefault(int(g), (int(p), []))[1].append(int(o))
    return [(p, sorted(os)) for p, os in groups.values()]


def diff(name_a, a, name_b, b):
    only_a, only_b = a - b, b - a
    if not only_a and not only_b:
        return False
    print(
        f"{name_a} and {name_b} disagree: {len(only_a)} groups only in {name_a}, "
        f"{len(only_b)} only in {name_b}; e.g. {sorted(only_a)[:3]} / {sorted(only_b)[:3]}"
    )
    return True


def main():
    args = parse_args()
    if args.polars_threads:
        os.environ["POLARS_MAX_THREADS"] = str(args.polars_threads)
    import numpy as np
    import pandas as pd
    import polars as pl

    d = args.dir
    start = time.perf_counter()
    schema = {c: pl.String for c in STRING_COLUMNS}
    schema.update({"order": pl.Int64, "recipients": pl.Int64})
    orders = pl.read_csv(d / "orders.csv", schema_overrides=schema)
    lines = pl.read_csv(
        d / "lines.csv",
        schema_overrides={
            "order": pl.Int64,
            "line": pl.Int64,
            "sku": pl.String,
            "quantity": pl.Int64,
            "temperature": pl.String,
            "noshi": pl.String,
            "wrapping": pl.String,
        },
    )
    read_polars = time.perf_counter() - start
    start = time.perf_counter()
    # "string", not "str": with the pyarrow engine, "str" turns a missing value into
    # the text "None".
    dtypes = {c: "string" for c in STRING_COLUMNS}
    dtypes.update({"order": "int64", "recipients": "int64"})
    orders_pd = pd.read_csv(d / "orders.csv", dtype=dtypes, engine="pyarrow")
    lines_pd = pd.read_csv(
        d / "lines.csv",
        dtype={"order": "int64", "line": "int64", "sku": "string", "quantity": "int64",
               "temperature": "string", "noshi": "string", "wrapping": "string"},
        engine="pyarrow",
    )
    read_pandas = time.perf_counter() - start
    n = orders.height
    print(f"# merge candidates: {n:,} orders, {lines.height:,} lines")
    print(
        f"polars {pl.__version__} ({pl.thread_pool_size()} threads), pandas {pd.__version__}, "
        f"numpy {np.__version__}; ichigen on one thread"
    )
    print(f"reading the CSVs (not in the timings): polars {read_polars:.2f} s, pandas {read_pandas:.2f} s")

    t_polars, g_polars = best_of(args.repeat, lambda: polars_candidates(pl, orders, lines))
    g_polars = canonical(zip(g_polars["parent"].to_list(), g_polars["orders"].to_list()))
    t_pandas, g_pandas = best_of(args.repeat, lambda: pandas_candidates(np, pd, orders_pd, lines_pd))
    g_pandas = canonical(g_pandas)
    print(f"polars: {len(g_polars):,} groups; pandas: {len(g_pandas):,} groups")

    failed = diff("polars", g_polars, "pandas", g_pandas)
    rust = ichigen_seconds(args.ichigen_log)
    if args.ichigen:
        g_rust = canonical(read_ichigen_groups(args.ichigen))
        print(f"ichigen (Rust, measure shipment-merge): {len(g_rust):,} groups")
        failed |= diff("polars", g_polars, "ichigen", g_rust)

    binding = None
    try:
        import ichigen
    except ImportError:
        ichigen = None
    if args.no_binding:
        print("the Python binding is left out (--no-binding)")
    elif ichigen is None or not hasattr(ichigen, "ShipmentPlanner"):
        print(
            "the installed ichigen module has no ShipmentPlanner: comparing with the Rust "
            "measure only"
        )
    else:
        k = n if args.binding_orders == 0 else min(args.binding_orders, n)
        policy = json.loads((d / "policy.json").read_text())
        planner = ichigen.ShipmentPlanner(policy)
        start = time.perf_counter()
        with open(d / "orders.jsonl") as f:
            raw = [line for _, line in zip(range(k), f)]
        text = "[" + ",".join(raw) + "]"
        dicts = [json.loads(x) for x in raw] if args.dicts else None
        del raw
        print(
            f"the first {k:,} orders as JSON text{' and as dicts' if dicts else ''} "
            f"(not in the timings): {time.perf_counter() - start:.2f} s"
        )
        sub_orders = orders.filter(pl.col("order") < k)
        sub_lines = lines.filter(pl.col("order") < k)
        t_sub_polars, g_sub = best_of(
            args.repeat, lambda: polars_candidates(pl, sub_orders, sub_lines)
        )
        g_sub = canonical(zip(g_sub["parent"].to_list(), g_sub["orders"].to_list()))
        t_text, res = best_of(args.repeat, lambda: planner.merge_candidates(text))
        g_text = canonical(binding_groups(res))
        del res, text
        print(f"ichigen (Python binding, JSON text, {k:,} orders): {len(g_text):,} groups")
        failed |= diff("polars", g_sub, "ichigen binding (JSON text)", g_text)
        t_dicts = None
        if dicts:
            t_dicts, res = best_of(args.repeat, lambda: planner.merge_candidates(dicts))
            failed |= diff("polars", g_sub, "ichigen binding (dicts)", canonical(binding_groups(res)))
            del res, dicts
        binding = (k, t_sub_polars, t_text, t_dicts)

    print()
    print(f"{n:,} orders:\n")
    print(f"| tool | seconds (best of {args.repeat}) | ichigen (Rust) faster |")
    print("| --- | --- | --- |")
    for name, t in [("polars", t_polars), ("pandas", t_pandas)]:
        r1 = f"{t / rust:.1f}×" if rust else "n/a"
        print(f"| {name} | {t:.3f} | {r1} |")
    if rust:
        print(f"| ichigen, Rust: `Planner::merge_candidates` over parsed orders | {rust:.3f} | |")
    if binding:
        k, t_sub_polars, t_text, t_dicts = binding
        print(f"\nthe first {k:,} orders, through the Python binding:\n")
        print(f"| tool | seconds (best of {args.repeat}) | µs an order | × polars's time |")
        print("| --- | --- | --- | --- |")
        rows = [("polars", t_sub_polars), ("ichigen `ShipmentPlanner.merge_candidates(json_text)`", t_text)]
        if t_dicts is not None:
            rows.append(("ichigen `ShipmentPlanner.merge_candidates(list_of_dicts)`", t_dicts))
        for name, t in rows:
            print(f"| {name} | {t:.3f} | {t / k * 1e6:.1f} | {t / t_sub_polars:.2f} |")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
