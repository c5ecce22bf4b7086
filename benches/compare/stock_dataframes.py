"""Channel allocation (在庫連携): polars and pandas/numpy against ichigen's Allocator.

Reads what ``measure stock-data`` wrote into a folder:

- ``listings.csv``: ``listing,channel,code,sku,quantity``, one row per component
  (a set's 2-3 rows together, ``listing`` numbering the listings);
- ``levels.csv``: ``sku,location,on_hand,reserved,buffer``, the cells with stock
  (a SKU with no row has nothing anywhere);
- ``locations.csv``: ``location,prefecture``;
- ``policy.json``: ichigen's allocation policy, one rule per channel.

and ichigen's answer for the same folder (``measure stock-alloc DIR --out OUT``:
``channel,listing,quantity``, plus the seconds it printed). Computes every
channel's quantity for every listing twice, the way a data team would write it:

- polars: free stock per cell, summed per SKU over each location set a rule sees,
  joined onto the component rows, floor(free / units), the minimum per listing,
  then the rules table joined on the channel and applied with ``when/then``;
- pandas/numpy: the same sums with ``groupby``, a ``merge`` onto the component
  rows, ``np.minimum.reduceat`` per listing (the rows of a listing are adjacent),
  and the rules applied per channel with numpy masks;

then checks both against ichigen's quantities, listing by listing, and prints the
seconds and the ratios. Exits 1 on any difference.

The rules (ichigen_core::stock::allocation): free = max(on_hand - reserved -
buffer, 0) per cell; a rule sees the sum over its locations (all, or the ones it
names); a set sees the minimum over its components of floor(free / units); then
``zero_below`` (free seen <= threshold: 0), the mode (``uniform``: all of it;
``percent``: floor(free x p / 100); ``fixed``: min(quantity, free)), then ``cap``.
An ``exclusive`` channel's carve-out (its units taken out of the pool before the
others look, in listing order) is not vectorizable in the same way and is left out:
``measure stock-data`` writes the policy with that channel as a plain fixed one,
and ichigen runs that same policy here.

The timings start from the tables in memory (reading the CSVs is timed apart),
best of ``--repeat`` runs. ichigen's figures are ``ichigen_snapshot_seconds``
(free stock from the rows, ``Allocator::new``, which resolves every rule's
listings, and ``recompute_free``: the same work from the same tables) and
``ichigen_seconds`` (``recompute_free`` alone, the steady state of an allocator
that is kept). ichigen runs on one thread; polars uses its thread pool (the
machine's cores) unless ``--polars-threads`` says otherwise.

Run it with ``benches/compare/stock.sh``; alone::

    python stock_dataframes.py target/stock --ichigen target/stock_ichigen.csv \\
        --ichigen-log target/stock_ichigen.log
"""

import argparse
import json
import os
import pathlib
import re
import sys
import time
from decimal import Decimal
from fractions import Fraction


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("dir", type=pathlib.Path)
    p.add_argument("--ichigen", type=pathlib.Path, help="ichigen's channel,listing,quantity")
    p.add_argument("--ichigen-log", type=pathlib.Path, help="what measure stock-alloc printed")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--polars-threads", type=int, help="POLARS_MAX_THREADS for this run")
    return p.parse_args()


def load_rules(policy, locations):
    """One dict per rule: channel, group (location tuple), mode, num/den, fixed,
    cap, zero_below."""
    rules = []
    for r in policy["channels"]:
        if r.get("store"):
            raise SystemExit("store rules are not part of this comparison")
        if r.get("overrides"):
            raise SystemExit("overrides are not part of this comparison")
        if r.get("exclusive"):
            raise SystemExit("exclusive carve-outs are not part of this comparison")
        frac = Fraction(Decimal(r["percent"])) / 100 if r["mode"] == "percent" else Fraction(1)
        rules.append(
            {
                "channel": r["channel"],
                "group": tuple(sorted(r.get("locations") or locations)),
                "mode": r["mode"],
                "num": frac.numerator,
                "den": frac.denominator,
                "fixed": r.get("quantity"),
                "cap": r.get("cap"),
                "zero_below": r.get("zero_below"),
            }
        )
    return rules


def groups_of(rules):
    groups = []
    for r in rules:
        if r["group"] not in groups:
            groups.append(r["group"])
    return groups


# ---------------------------------------------------------------------------
# polars
# ---------------------------------------------------------------------------


def polars_allocate(pl, listings, levels, rules):
    groups = groups_of(rules)
    names = [f"g{i}" for i in range(len(groups))]
    free = levels.with_columns(
        free=(pl.col("on_hand") - pl.col("reserved") - pl.col("buffer")).clip(lower_bound=0)
    )
    sums = free.group_by("sku").agg(
        [
            pl.col("free").filter(pl.col("location").is_in(list(g))).sum().alias(n)
            for g, n in zip(groups, names)
        ]
    )
    visible = (
        listings.join(sums, on="sku", how="left")
        .with_columns([(pl.col(n).fill_null(0) // pl.col("quantity")).alias(n) for n in names])
        .group_by("listing")
        .agg(pl.col("channel").first(), pl.col("code").first(), *[pl.col(n).min() for n in names])
    )
    table = pl.DataFrame(
        {
            "channel": [r["channel"] for r in rules],
            "group": [groups.index(r["group"]) for r in rules],
            "mode": [r["mode"] for r in rules],
            "num": [r["num"] for r in rules],
            "den": [r["den"] for r in rules],
            "fixed": [r["fixed"] for r in rules],
            "cap": [r["cap"] for r in rules],
            "zero_below": [r["zero_below"] for r in rules],
        },
        schema={
            "channel": pl.String,
            "group": pl.Int64,
            "mode": pl.String,
            "num": pl.Int64,
            "den": pl.Int64,
            "fixed": pl.Int64,
            "cap": pl.Int64,
            "zero_below": pl.Int64,
        },
    )
    v = pl.col(names[0])
    for i, n in enumerate(names[1:], start=1):
        v = pl.when(pl.col("group") == i).then(pl.col(n)).otherwise(v)
    q = (
        pl.when(pl.col("mode") == "uniform")
        .then(pl.col("v"))
        .when(pl.col("mode") == "percent")
        .then(pl.col("v") * pl.col("num") // pl.col("den"))
        .otherwise(pl.min_horizontal(pl.col("fixed"), pl.col("v")))
    )
    q = pl.when(pl.col("cap").is_not_null()).then(pl.min_horizontal(q, pl.col("cap"))).otherwise(q)
    q = (
        pl.when(pl.col("zero_below").is_not_null() & (pl.col("v") <= pl.col("zero_below")))
        .then(0)
        .otherwise(q)
        .clip(lower_bound=0)
    )
    return (
        visible.join(table, on="channel")
        .with_columns(v=v)
        .select("channel", pl.col("code").alias("listing"), q.alias("quantity"))
    )


# ---------------------------------------------------------------------------
# pandas / numpy
# ---------------------------------------------------------------------------


def pandas_allocate(np, pd, listings, levels, rules):
    groups = groups_of(rules)
    free = (levels["on_hand"] - levels["reserved"] - levels["buffer"]).clip(lower=0)
    levels = levels.assign(free=free)
    sums = pd.DataFrame(
        {
            f"g{i}": levels[levels["location"].isin(g)].groupby("sku")["free"].sum()
            for i, g in enumerate(groups)
        }
    )
    rows = listings.merge(sums, left_on="sku", right_index=True, how="left", sort=False)
    listing = rows["listing"].to_numpy()
    starts = np.flatnonzero(np.r_[True, listing[1:] != listing[:-1]])
    units = rows["quantity"].to_numpy()
    visible = []
    for i in range(len(groups)):
        per_row = rows[f"g{i}"].fillna(0).to_numpy(dtype=np.int64) // units
        visible.append(np.minimum.reduceat(per_row, starts))
    channel = rows["channel"].to_numpy()[starts]
    code = rows["code"].to_numpy()[starts]
    quantity = np.zeros(len(starts), dtype=np.int64)
    for r in rules:
        mask = channel == r["channel"]
        v = visible[groups.index(r["group"])][mask]
        if r["mode"] == "uniform":
            q = v.copy()
        elif r["mode"] == "percent":
            q = v * r["num"] // r["den"]
        else:
            q = np.minimum(v, r["fixed"])
        if r["cap"] is not None:
            q = np.minimum(q, r["cap"])
        if r["zero_below"] is not None:
            q[v <= r["zero_below"]] = 0
        quantity[mask] = np.maximum(q, 0)
    return pd.DataFrame({"channel": channel, "listing": code, "quantity": quantity})


# ---------------------------------------------------------------------------


def best_of(repeat, f):
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - start)
    return best, out


def ichigen_seconds(log):
    found = {}
    if log and log.exists():
        for line in log.read_text().splitlines():
            m = re.match(r"(ichigen_seconds|ichigen_snapshot_seconds): ([0-9.]+)", line)
            if m:
                found[m.group(1)] = float(m.group(2))
    return found


def mismatches(pl, ours, theirs):
    joined = ours.join(theirs, on=["channel", "listing"], how="full", suffix="_ichigen")
    bad = joined.filter(
        pl.col("quantity").is_null()
        | pl.col("quantity_ichigen").is_null()
        | (pl.col("quantity") != pl.col("quantity_ichigen"))
    )
    return bad


def main():
    args = parse_args()
    if args.polars_threads:
        os.environ["POLARS_MAX_THREADS"] = str(args.polars_threads)
    import numpy as np
    import pandas as pd
    import polars as pl

    d = args.dir
    policy = json.loads((d / "policy.json").read_text())
    start = time.perf_counter()
    locations = pl.read_csv(d / "locations.csv")["location"].to_list()
    listings = pl.read_csv(
        d / "listings.csv",
        schema={
            "listing": pl.Int64,
            "channel": pl.String,
            "code": pl.String,
            "sku": pl.String,
            "quantity": pl.Int64,
        },
    )
    levels = pl.read_csv(
        d / "levels.csv",
        schema={
            "sku": pl.String,
            "location": pl.String,
            "on_hand": pl.Int64,
            "reserved": pl.Int64,
            "buffer": pl.Int64,
        },
    )
    read_polars = time.perf_counter() - start
    start = time.perf_counter()
    dtypes = {"listing": "int64", "channel": "str", "code": "str", "sku": "str", "quantity": "int64"}
    listings_pd = pd.read_csv(d / "listings.csv", dtype=dtypes, engine="pyarrow")
    levels_pd = pd.read_csv(
        d / "levels.csv",
        dtype={"sku": "str", "location": "str", "on_hand": "int64", "reserved": "int64", "buffer": "int64"},
        engine="pyarrow",
    )
    read_pandas = time.perf_counter() - start
    rules = load_rules(policy, locations)
    n_listings = listings["listing"].n_unique()
    print(
        f"# channel allocation: {n_listings:,} listings ({listings.height:,} component rows), "
        f"{levels.height:,} level rows, {len(rules)} channel rules, {len(locations)} locations"
    )
    print(
        f"polars {pl.__version__} ({pl.thread_pool_size()} threads), pandas {pd.__version__}, "
        f"numpy {np.__version__}; ichigen on one thread"
    )
    print(f"reading the CSVs (not in the timings): polars {read_polars:.2f} s, pandas {read_pandas:.2f} s")

    t_polars, q_polars = best_of(args.repeat, lambda: polars_allocate(pl, listings, levels, rules))
    t_pandas, q_pandas = best_of(
        args.repeat, lambda: pandas_allocate(np, pd, listings_pd, levels_pd, rules)
    )

    failed = False
    agree_pp = mismatches(pl, q_polars, pl.from_pandas(q_pandas))
    if agree_pp.height:
        failed = True
        print(f"polars and pandas disagree on {agree_pp.height} listings, e.g.\n{agree_pp.head(5)}")
    secs = ichigen_seconds(args.ichigen_log)
    if args.ichigen:
        theirs = pl.read_csv(
            args.ichigen,
            schema={"channel": pl.String, "listing": pl.String, "quantity": pl.Int64},
        )
        for name, ours in [("polars", q_polars), ("pandas/numpy", pl.from_pandas(q_pandas))]:
            bad = mismatches(pl, ours, theirs)
            if bad.height:
                failed = True
                print(f"{name} and ichigen disagree on {bad.height} listings, e.g.\n{bad.head(5)}")
            else:
                print(f"{name}: all {ours.height:,} quantities equal ichigen's")
    print()
    snap = secs.get("ichigen_snapshot_seconds")
    steady = secs.get("ichigen_seconds")
    print("| tool | seconds (best of %d) | ichigen faster, from the same tables | ichigen faster, steady state |" % args.repeat)
    print("| --- | --- | --- | --- |")
    for name, t in [("polars", t_polars), ("pandas/numpy", t_pandas)]:
        r1 = f"{t / snap:.1f}×" if snap else "n/a"
        r2 = f"{t / steady:.1f}×" if steady else "n/a"
        print(f"| {name} | {t:.3f} | {r1} | {r2} |")
    if snap:
        print(f"| ichigen: rows → free cells, Allocator::new, recompute_free | {snap:.3f} | | |")
    if steady:
        print(f"| ichigen: recompute_free alone | {steady:.3f} | | |")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
