"""RFM and CPM: polars, DuckDB and pandas against ichigen, on the same orders.

Reads what ``measure analytics-data`` wrote into a folder:

- ``orders.arrow``: an Arrow IPC file, one row per order: ``customer`` (text),
  ``ordered_at`` (timestamp in seconds, zone Asia/Tokyo), ``amount`` (int64 yen),
  ``cancelled`` (bool), ``channel`` (text);
- ``expected.json``: the as-of date, and what the plain reference of
  ``benches/src/analytics_data.rs`` found: customers, the ten CPM segment counts
  (in ichigen's ``Segment::ALL`` order) and the 125 RFM score triples.

Every tool computes the same thing, as a data team would write it:

- each order's day in Asia/Tokyo; cancelled orders and orders after the as-of
  date left out;
- per customer: the first and last day, the number of orders (frequency), their
  spend (monetary); recency = as-of − last day, tenure = last − first day;
- RFM quantile scores ``1 + floor(5 × (rank_min − 1) / n)``, rank 1 the worst:
  the most days for recency, the fewest orders and the least spend for
  frequency and monetary (``RANK()`` in SQL, ``rank("min")`` in polars,
  ``rank(method="min")`` in pandas);
- CPM with DOMAIN.md §8's defaults, as ``crates/ichigen-core/src/analytics/cpm.rs``
  decides: lapsed when recency ≥ 240; ``first`` one purchase, else ``early``
  with tenure < 90, else ``steady`` with spend < 70,000, else ``trendy`` with
  tenure < 210, else ``loyal``.

``polars-codes`` is polars with the customers turned into dense integer codes
before the timing (as an ichigen history holds them), to show what hashing the
customer text costs polars.

Each tool's answer is a per-customer table (customer, r, f, m, segment), built
in full in the timed part; the counts compared are taken from it afterwards.
ichigen runs through its Python binding: ``ichigen.OrderHistory(table)`` (the
Arrow table as it was read) and ``.rfm({"as_of": …})`` + ``.cpm({"as_of": …})``,
which return pyarrow Tables; building the history is timed apart. ichigen's Rust
figures come from ``measure analytics --json`` (``--rust``).

Each tool runs in a process of its own (``--worker``), so that polars' thread
pool is sized before polars is imported (``POLARS_MAX_THREADS``) and memory is
not shared; reading the file is not timed. Every tool's 10 segment counts and
125 score-triple counts must equal the reference's; the script exits 1 on any
difference.

Run it with ``benches/compare/analytics.sh``; alone::

    python analytics_dataframes.py target/analytics --rust target/analytics_rust.json
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

SEGMENTS = [
    "first_active",
    "first_lapsed",
    "early_active",
    "early_lapsed",
    "steady_active",
    "steady_lapsed",
    "trendy_active",
    "trendy_lapsed",
    "loyal_active",
    "loyal_lapsed",
]

# (tool, threads); 0 threads: the tool's default (every core).
RUNS = [
    ("ichigen", 1),
    ("polars", 1),
    ("polars", 0),
    ("polars-codes", 1),
    ("duckdb", 1),
    ("duckdb", 0),
    ("pandas", 1),
]


def read_table(folder):
    import pyarrow as pa

    with pa.memory_map(str(folder / "orders.arrow")) as source:
        return pa.ipc.open_file(source).read_all()


# --------------------------------------------------------------------------
# The tools. Each returns per-customer columns: r, f, m (scores), segment.
# --------------------------------------------------------------------------


def run_polars(df, as_of):
    import polars as pl

    n = pl.len()
    facts = (
        df.lazy()
        .filter(~pl.col("cancelled"))
        .with_columns(day=pl.col("ordered_at").dt.date())
        .filter(pl.col("day") <= as_of)
        .group_by("customer")
        .agg(
            first=pl.col("day").min(),
            last=pl.col("day").max(),
            frequency=pl.len(),
            monetary=pl.col("amount").sum(),
        )
        .with_columns(
            recency=(pl.lit(as_of) - pl.col("last")).dt.total_days(),
            tenure=(pl.col("last") - pl.col("first")).dt.total_days(),
        )
    )

    def score(col, worse_is_larger):
        rank = pl.col(col).rank("min", descending=worse_is_larger).cast(pl.Int64)
        return 1 + (5 * (rank - 1)) // n

    klass = (
        pl.when(pl.col("frequency") == 1)
        .then(pl.lit("first"))
        .when(pl.col("tenure") < 90)
        .then(pl.lit("early"))
        .when(pl.col("monetary") < 70000)
        .then(pl.lit("steady"))
        .when(pl.col("tenure") < 210)
        .then(pl.lit("trendy"))
        .otherwise(pl.lit("loyal"))
    )
    state = pl.when(pl.col("recency") >= 240).then(pl.lit("_lapsed")).otherwise(pl.lit("_active"))
    out = facts.select(
        "customer",
        r=score("recency", True),
        f=score("frequency", False),
        m=score("monetary", False),
        segment=klass + state,
    ).collect()
    return out


def run_duckdb(con, as_of):
    sql = f"""
    WITH facts AS (
        SELECT customer,
               MIN(day) AS first, MAX(day) AS last,
               COUNT(*) AS frequency, SUM(amount) AS monetary
        FROM (
            SELECT customer, amount,
                   CAST(timezone('Asia/Tokyo', ordered_at) AS DATE) AS day
            FROM orders
            WHERE NOT cancelled
        )
        WHERE day <= DATE '{as_of}'
        GROUP BY customer
    ), measured AS (
        SELECT *, DATE '{as_of}' - last AS recency, last - first AS tenure,
               COUNT(*) OVER () AS n
        FROM facts
    )
    SELECT customer,
           1 + (5 * (RANK() OVER (ORDER BY recency DESC) - 1)) // n AS r,
           1 + (5 * (RANK() OVER (ORDER BY frequency) - 1)) // n AS f,
           1 + (5 * (RANK() OVER (ORDER BY monetary) - 1)) // n AS m,
           CASE
               WHEN frequency = 1 THEN 'first'
               WHEN tenure < 90 THEN 'early'
               WHEN monetary < 70000 THEN 'steady'
               WHEN tenure < 210 THEN 'trendy'
               ELSE 'loyal'
           END || CASE WHEN recency >= 240 THEN '_lapsed' ELSE '_active' END AS segment
    FROM measured
    """
    return con.execute(sql).to_arrow_table()


def run_pandas(df, as_of):
    import numpy as np
    import pandas as pd

    kept = df[~df["cancelled"]]
    # The wall-clock time in Tokyo, then its day.
    day = kept["ordered_at"].dt.tz_localize(None).dt.floor("D")
    limit = pd.Timestamp(as_of)
    mask = day <= limit
    frame = pd.DataFrame(
        {"customer": kept["customer"][mask], "day": day[mask], "amount": kept["amount"][mask]}
    )
    facts = frame.groupby("customer", sort=False).agg(
        first=("day", "min"),
        last=("day", "max"),
        frequency=("day", "size"),
        monetary=("amount", "sum"),
    )
    recency = (limit - facts["last"]).dt.days
    tenure = (facts["last"] - facts["first"]).dt.days
    n = len(facts)

    def score(values, worse_is_larger):
        rank = values.rank(method="min", ascending=not worse_is_larger).astype("int64")
        return 1 + (5 * (rank - 1)) // n

    klass = np.select(
        [
            facts["frequency"] == 1,
            tenure < 90,
            facts["monetary"] < 70000,
            tenure < 210,
        ],
        ["first", "early", "steady", "trendy"],
        default="loyal",
    )
    state = np.where(recency >= 240, "_lapsed", "_active")
    return pd.DataFrame(
        {
            "r": score(recency, True),
            "f": score(facts["frequency"], False),
            "m": score(facts["monetary"], False),
            "segment": np.char.add(klass.astype(str), state),
        },
        index=facts.index,
    )


# --------------------------------------------------------------------------
# Counting an answer (outside the timing)
# --------------------------------------------------------------------------


def counts_of(r, f, m, segment):
    """The 125 score-triple counts and the 10 segment counts, from numpy arrays."""
    import numpy as np

    r, f, m = (np.asarray(x, dtype=np.int64) for x in (r, f, m))
    if len(r) and (min(r.min(), f.min(), m.min()) < 1 or max(r.max(), f.max(), m.max()) > 5):
        raise SystemExit("a score outside 1..5")
    scores = np.bincount((r - 1) * 25 + (f - 1) * 5 + (m - 1), minlength=125)
    values, n = np.unique(np.asarray(segment, dtype=object).astype(str), return_counts=True)
    seg = dict(zip(values.tolist(), n.tolist()))
    unknown = set(seg) - set(SEGMENTS)
    if unknown:
        raise SystemExit(f"unknown segments {sorted(unknown)}")
    return {
        "customers": int(len(r)),
        "scores": [int(x) for x in scores],
        "segments": [int(seg.get(s, 0)) for s in SEGMENTS],
    }


def arrow_column(table, name):
    col = table.column(name)
    return col.to_numpy() if hasattr(col, "to_numpy") else col


def worker(tool, threads, folder, repeat, as_of_text):
    """Runs one tool `repeat` times; prints one JSON line."""
    import datetime

    as_of = datetime.date.fromisoformat(as_of_text)
    table = read_table(folder)
    times, build_times = [], []
    result = None
    version = ""
    if tool in ("polars", "polars-codes"):
        import polars as pl

        version = pl.__version__
        df = pl.from_arrow(table)
        del table
        if tool == "polars-codes":
            # Customers as dense integer codes (untimed), as ichigen's history
            # holds them: the group-by no longer hashes text.
            df = df.with_columns(pl.col("customer").cast(pl.Categorical).to_physical())
        for _ in range(repeat):
            t0 = time.perf_counter()
            out = run_polars(df, as_of)
            times.append(time.perf_counter() - t0)
            result = out
        answer = counts_of(
            result["r"].to_numpy(),
            result["f"].to_numpy(),
            result["m"].to_numpy(),
            result["segment"].to_numpy(),
        )
        threads_used = pl.thread_pool_size()
    elif tool == "duckdb":
        import duckdb

        version = duckdb.__version__
        config = {"threads": threads} if threads else {}
        con = duckdb.connect(config=config)
        con.register("orders", table)
        for _ in range(repeat):
            t0 = time.perf_counter()
            out = run_duckdb(con, as_of_text)
            times.append(time.perf_counter() - t0)
            result = out
        answer = counts_of(*(arrow_column(result, c) for c in ("r", "f", "m", "segment")))
        threads_used = con.execute("SELECT current_setting('threads')").fetchone()[0]
    elif tool == "pandas":
        import pandas as pd

        version = pd.__version__
        df = table.to_pandas()
        del table
        for _ in range(repeat):
            t0 = time.perf_counter()
            out = run_pandas(df, as_of)
            times.append(time.perf_counter() - t0)
            result = out
        answer = counts_of(result["r"], result["f"], result["m"], result["segment"])
        threads_used = 1
    elif tool == "ichigen":
        import ichigen

        version = getattr(ichigen, "__version__", "")
        config = {"as_of": as_of_text}
        for _ in range(repeat):
            t0 = time.perf_counter()
            history = ichigen.OrderHistory(table)
            t1 = time.perf_counter()
            rfm = history.rfm(config)
            cpm = history.cpm(config)
            t2 = time.perf_counter()
            build_times.append(t1 - t0)
            times.append(t2 - t1)
            result = (rfm, cpm)
            del history
        rfm, cpm = result
        answer = counts_of(
            arrow_column(rfm, "r"),
            arrow_column(rfm, "f"),
            arrow_column(rfm, "m"),
            arrow_column(cpm, "segment"),
        )
        threads_used = 1
    else:
        raise SystemExit(f"unknown tool {tool}")
    print(
        json.dumps(
            {
                "tool": tool,
                "version": version,
                "threads": threads_used,
                "seconds": times,
                "build_seconds": build_times,
                **answer,
            }
        )
    )


def run_worker(tool, threads, folder, repeat, as_of):
    env = dict(os.environ)
    if tool.startswith("polars") and threads:
        env["POLARS_MAX_THREADS"] = str(threads)
    cmd = [
        sys.executable,
        __file__,
        str(folder),
        "--worker",
        tool,
        "--threads",
        str(threads),
        "--repeat",
        str(repeat),
        "--as-of",
        as_of,
    ]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        return None, done.stderr.strip().splitlines()[-1:] or ["failed"]
    return json.loads(done.stdout.strip().splitlines()[-1]), None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", type=pathlib.Path)
    ap.add_argument("--repeat", type=int, default=3, help="runs per tool; the median is compared")
    ap.add_argument("--rust", type=pathlib.Path, help="the JSON of `measure analytics --json`")
    ap.add_argument(
        "--tools",
        default=",".join(f"{t}:{n}" for t, n in RUNS),
        help="tool:threads list (threads 0: the tool's default)",
    )
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--threads", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--as-of", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        worker(a.worker, a.threads, a.folder, a.repeat, a.as_of)
        return 0

    expected = json.loads((a.folder / "expected.json").read_text())
    as_of = expected["as_of"]
    rust = json.loads(a.rust.read_text()) if a.rust and a.rust.exists() else None
    print(
        f"# RFM + CPM of {expected['orders']:,} orders ({expected['customers']:,} customers "
        f"with a purchase), as of {as_of}; {os.cpu_count()} cores; median of {a.repeat} runs"
    )
    rows = []
    bad = 0
    for item in a.tools.split(","):
        tool, _, threads = item.partition(":")
        threads = int(threads or 0)
        t0 = time.perf_counter()
        got, error = run_worker(tool, threads, a.folder, a.repeat, as_of)
        wall = time.perf_counter() - t0
        if got is None:
            print(f"- {tool} ({threads or 'default'} threads): FAILED: {error[0]}")
            if tool == "ichigen":
                print("  (the Python binding has no analytics yet? the comparison goes on without it)")
            else:
                bad += 1
            continue
        same = (
            got["customers"] == expected["customers"]
            and got["segments"] == expected["segments"]
            and got["scores"] == expected["scores"]
        )
        if not same:
            bad += 1
            print(f"- {tool}: DIFFERENT from the reference")
            for k in ("customers", "segments"):
                print(f"  {k}: got {got[k]}, expected {expected[k]}")
            diff = [i for i in range(125) if got["scores"][i] != expected["scores"][i]]
            print(f"  score triples that differ: {len(diff)} (first: {diff[:5]})")
        got["median"] = statistics.median(got["seconds"])
        got["best"] = min(got["seconds"])
        if got["build_seconds"]:
            got["build_median"] = statistics.median(got["build_seconds"])
        got["wall"] = wall
        got["ok"] = same
        got["label"] = f"{tool} {got['version']}".strip()
        if tool == "polars-codes":
            got["label"] = f"polars {got['version']}, integer customer codes"
        got["requested"] = threads
        rows.append(got)
        print(
            f"- {got['label']} ({got['threads']} threads): median {got['median']:.3f} s, "
            f"best {got['best']:.3f} s; {'same answer' if same else 'DIFFERENT'}"
        )

    seg = dict(zip(SEGMENTS, expected["segments"]))
    print("\nsegments: " + ", ".join(f"{k} {v:,}" for k, v in seg.items()))

    # The ratio table.
    py = next((r for r in rows if r["tool"] == "ichigen"), None)
    refs = []
    if rust:
        refs.append(("Rust rfm+cpm", rust["rfm_cpm_seconds"]))
        refs.append(("Rust build+rfm+cpm", rust["build_seconds"] + rust["rfm_cpm_seconds"]))
    if py:
        refs.append(("Python rfm+cpm", py["median"]))
        refs.append(("Python build+rfm+cpm", py["build_median"] + py["median"]))
    print("\n| tool | threads | seconds (median) | " + " | ".join(f"÷ ichigen {n}" for n, _ in refs) + " |")
    print("| --- | --- | --- | " + " | ".join("---" for _ in refs) + " |")
    for name, secs in refs:
        print(f"| ichigen: {name} | 1 | {secs:.3f} | " + " | ".join("" for _ in refs) + " |")
    for r in rows:
        if r["tool"] == "ichigen":
            continue
        ratios = " | ".join(f"{r['median'] / s:.1f}×" for _, s in refs)
        print(f"| {r['label']} | {r['threads']} | {r['median']:.3f} | {ratios} |")
    print(
        "\nThe ratios divide each tool's time by ichigen's: above 1× ichigen is faster. "
        "\"build\" is OrderHistory from the columns (checks, Tokyo days); the dataframes' "
        "times include their own day conversion."
    )
    if bad:
        print(f"\n{bad} tool(s) failed or differ", file=sys.stderr)
        return 1
    print("\nall tools: same customers, segment counts and RFM score distribution")
    return 0


if __name__ == "__main__":
    sys.exit(main())
