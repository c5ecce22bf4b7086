"""CLV (BG/NBD + Gamma-Gamma): the ``lifetimes`` package against ichigen.

Two data sets:

- **CDNOW**: the 6,919 purchases of ``tests/fixtures/cdnow/CDNOW_sample.txt``
  (the sample ``lifetimes`` ships), summarized to 1997-09-30 in weeks
  (``summary_data_from_transaction_data(..., freq="D", freq_multiplier=7)``):
  2,357 customers;
- **synthetic**: ``clv_synthetic.arrow`` from ``measure analytics-data``, per-customer
  (frequency, recency, T, monetary_value) in days, drawn from BG/NBD and
  Gamma-Gamma processes with known parameters (``benches/src/analytics_data.rs``).

For each, "fit + predict" is: the BG/NBD fit (``BetaGeoFitter``, no penalizer),
the Gamma-Gamma fit on the repeat buyers (``GammaGammaFitter``), then for every
customer the expected purchases in the next ``periods`` (39 weeks for CDNOW, 30
days for the synthetic set), P(alive) and the expected value per purchase. The
CLV over 12 months at 1% a month is timed apart (``customer_lifetime_value``;
ichigen's ``predict_clv`` with ``months: 12``). ichigen runs through its Python
binding: ``ichigen.fit_clv(summary)`` and ``ichigen.predict_clv(summary, options)``
on the summary as a pyarrow Table; its Rust figures come from ``measure clv
--json`` (``--rust``).

Checked: every parameter of each fit agrees between the tools to 3 significant
digits (they differ by at most half a unit in the third significant digit), and
the predictions agree to 0.1% (relative). The script exits 1 otherwise. lifetimes
is also run with identical rows collapsed into weights (``--weights``, what
ichigen does inside its fit), to show how much of the gap that trick is.

Run it with ``benches/compare/analytics.sh``; alone::

    python clv_lifetimes.py target/analytics --rust target/analytics_clv.json
"""

import argparse
import json
import math
import pathlib
import statistics
import sys
import time
import warnings

ROOT = pathlib.Path(__file__).resolve().parents[2]
CDNOW = ROOT / "tests" / "fixtures" / "cdnow" / "CDNOW_sample.txt"
BG = ["r", "alpha", "a", "b"]
GG = ["p", "q", "v"]


def same3(a, b):
    """Whether a and b agree to 3 significant digits (within half a unit of the third)."""
    if a == b:
        return True
    if not (math.isfinite(a) and math.isfinite(b)) or b == 0:
        return False
    unit = 10 ** (math.floor(math.log10(abs(b))) - 2)
    return abs(a - b) <= 0.5 * unit


def max_rel(x, y):
    import numpy as np

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    denom = np.maximum(np.abs(y), 1e-12)
    return float(np.max(np.abs(x - y) / denom)) if len(x) else 0.0


def timed(repeat, f, first=None):
    """The median of `repeat` runs and the last answer; the first run's time is
    appended to `first` when given."""
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    if first is not None:
        first.append(times[0])
    return statistics.median(times), out


def cdnow_summary():
    import pandas as pd
    from lifetimes.utils import summary_data_from_transaction_data

    rows = []
    for line in CDNOW.read_text().splitlines():
        f = line.split()
        rows.append((int(f[1]), f[2], float(f[4])))
    tx = pd.DataFrame(rows, columns=["customer", "date", "amount"])
    tx["date"] = pd.to_datetime(tx["date"], format="%Y%m%d")
    secs, s = timed(
        3,
        lambda: summary_data_from_transaction_data(
            tx,
            "customer",
            "date",
            monetary_value_col="amount",
            observation_period_end="1997-09-30",
            freq="D",
            freq_multiplier=7,
        ),
    )
    return s.reset_index(), secs


# --------------------------------------------------------------------------
# lifetimes
# --------------------------------------------------------------------------


def lifetimes_fit_predict(s, periods, weights=False):
    """Fits both models and predicts for every customer; returns (params, predictions)."""
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    if weights:
        g = s.groupby(["frequency", "recency", "T"], sort=False).size().reset_index(name="w")
        bg = BetaGeoFitter(penalizer_coef=0.0)
        bg.fit(g["frequency"], g["recency"], g["T"], weights=g["w"])
        rep = s[s["frequency"] > 0]
        h = rep.groupby(["frequency", "monetary_value"], sort=False).size().reset_index(name="w")
        gg = GammaGammaFitter(penalizer_coef=0.0)
        gg.fit(h["frequency"], h["monetary_value"], weights=h["w"])
    else:
        bg = BetaGeoFitter(penalizer_coef=0.0)
        bg.fit(s["frequency"], s["recency"], s["T"])
        rep = s[s["frequency"] > 0]
        gg = GammaGammaFitter(penalizer_coef=0.0)
        gg.fit(rep["frequency"], rep["monetary_value"])
    f, r, t, m = s["frequency"], s["recency"], s["T"], s["monetary_value"]
    pred = {
        "expected_purchases": bg.conditional_expected_number_of_purchases_up_to_time(
            periods, f, r, t
        ).to_numpy(),
        "probability_alive": bg.conditional_probability_alive(f, r, t),
        "expected_average_value": gg.conditional_expected_average_profit(f, m).to_numpy(),
    }
    params = {
        "bgnbd": {k: float(bg.params_[k]) for k in BG},
        "gamma_gamma": {k: float(gg.params_[k]) for k in GG},
    }
    return params, pred, (bg, gg)


def lifetimes_clv(models, s, freq):
    bg, gg = models
    return gg.customer_lifetime_value(
        bg,
        s["frequency"],
        s["recency"],
        s["T"],
        s["monetary_value"],
        time=12,
        discount_rate=0.01,
        freq=freq,
    ).to_numpy()


# --------------------------------------------------------------------------
# ichigen through its Python binding
# --------------------------------------------------------------------------


def ichigen_fit_predict(table, periods, period_days, months):
    import ichigen

    fit = ichigen.fit_clv(table)
    options = {
        "bgnbd": {k: fit["bgnbd"][k] for k in BG},
        "gamma_gamma": {k: fit["gamma_gamma"][k] for k in GG},
        "periods": periods,
        "months": months,
        "discount_rate": 0.01,
        "period_days": period_days,
    }
    pred = ichigen.predict_clv(table, options)
    params = {
        "bgnbd": {k: float(fit["bgnbd"][k]) for k in BG},
        "gamma_gamma": {k: float(fit["gamma_gamma"][k]) for k in GG},
    }
    return params, pred


def column(table, name):
    import numpy as np

    if hasattr(table, "column"):
        return np.asarray(table.column(name).to_numpy(zero_copy_only=False), dtype=float)
    return np.asarray([row[name] for row in table], dtype=float)


# --------------------------------------------------------------------------


def compare_params(name, got, ref, ref_name, failures):
    for model, keys in (("bgnbd", BG), ("gamma_gamma", GG)):
        for k in keys:
            a, b = got[model][k], ref[model][k]
            if not same3(a, b):
                failures.append(f"{name}: {model}.{k} = {a:.6g}, {ref_name} {b:.6g}")


def show_params(label, p):
    bg, gg = p["bgnbd"], p["gamma_gamma"]
    return (
        f"{label}: r {bg['r']:.4g}, alpha {bg['alpha']:.4g}, a {bg['a']:.4g}, b {bg['b']:.4g}; "
        f"p {gg['p']:.4g}, q {gg['q']:.4g}, v {gg['v']:.4g}"
    )


def run_set(name, s, table, periods, period_days, freq, repeat, rust, args, failures, results):
    """One data set: lifetimes (plain, and with weights), ichigen Python, Rust."""
    n = len(s)
    print(f"\n## {name}: {n:,} customers, periods of {period_days:g} day(s)")
    lt_secs, (lt_params, lt_pred, models) = timed(
        repeat, lambda: lifetimes_fit_predict(s, periods)
    )
    print(f"- lifetimes fit + predict: {lt_secs:.3f} s")
    print("  " + show_params("lifetimes", lt_params))
    clv_secs, lt_clv = timed(1, lambda: lifetimes_clv(models, s, freq))
    print(f"- lifetimes CLV 12 months (freq={freq!r}): {clv_secs:.3f} s")
    ltw_secs = None
    if args.weights:
        ltw_secs, (ltw_params, _, _) = timed(
            repeat, lambda: lifetimes_fit_predict(s, periods, weights=True)
        )
        print(f"- lifetimes fit + predict, identical rows as weights: {ltw_secs:.3f} s")
        compare_params(f"{name} lifetimes with weights", ltw_params, lt_params, "lifetimes", failures)

    row = {"set": name, "customers": n, "lifetimes": lt_secs, "lifetimes_weights": ltw_secs,
           "lifetimes_clv": clv_secs}
    try:
        import ichigen  # noqa: F401

        has_binding = hasattr(ichigen, "fit_clv")
    except ImportError:
        has_binding = False
    if has_binding:
        # At least 3 runs: the first call in a process is slower (fresh memory,
        # threads); its time is shown too.
        runs, first = max(repeat, 3), []
        py_secs, (py_params, py_pred) = timed(
            runs, lambda: ichigen_fit_predict(table, periods, period_days, 0), first
        )
        py_clv_secs, (_, py_pred_clv) = timed(
            runs, lambda: ichigen_fit_predict(table, periods, period_days, 12)
        )
        print(
            f"- ichigen (Python) fit + predict: {py_secs:.4f} s (median of {runs}; the first "
            f"call {first[0]:.4f} s); with CLV 12 months: {py_clv_secs:.4f} s"
        )
        print("  " + show_params("ichigen", py_params))
        compare_params(f"{name} ichigen (Python)", py_params, lt_params, "lifetimes", failures)
        for k in ("expected_purchases", "probability_alive", "expected_average_value"):
            d = max_rel(column(py_pred, k), lt_pred[k])
            print(f"  {k}: largest relative difference from lifetimes {d:.2e}")
            if d > 1e-3:
                failures.append(f"{name}: {k} differs from lifetimes by {d:.2e} (relative)")
        d = max_rel(column(py_pred_clv, "clv"), lt_clv)
        print(
            f"  clv: largest relative difference from lifetimes {d:.2e}"
            + ("" if freq == "D" else " (lifetimes steps 4.345 weeks a month, ichigen 30/7)")
        )
        if freq == "D" and d > 1e-3:
            failures.append(f"{name}: clv differs from lifetimes by {d:.2e} (relative)")
        row.update(python=py_secs, python_first=first[0], python_clv=py_clv_secs)
    else:
        print("- ichigen (Python): the installed module has no fit_clv; left out")
    if rust:
        rp = {"bgnbd": rust["bgnbd"], "gamma_gamma": rust["gamma_gamma"]}
        print(f"- ichigen (Rust, measure clv) fit + predict: {rust['fit_predict_seconds']:.4f} s")
        print("  " + show_params("ichigen Rust", rp))
        compare_params(f"{name} ichigen (Rust)", rp, lt_params, "lifetimes", failures)
        row["rust"] = rust["fit_predict_seconds"]
    results.append(row)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", type=pathlib.Path, help="holds clv_synthetic.arrow")
    ap.add_argument("--rust", type=pathlib.Path, help="the JSON of `measure clv --json`")
    ap.add_argument("--repeat", type=int, default=5, help="runs on CDNOW (median)")
    ap.add_argument(
        "--synthetic-repeat", type=int, default=1, help="lifetimes runs on the synthetic set"
    )
    ap.add_argument("--no-synthetic", action="store_true")
    ap.add_argument("--weights", action="store_true", help="also run lifetimes on weighted rows")
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    import lifetimes
    import pyarrow as pa
    import pyarrow.feather as feather

    rust = json.loads(a.rust.read_text()) if a.rust and a.rust.exists() else {}
    print(f"# CLV fit + predict: lifetimes {lifetimes.__version__} against ichigen")
    failures, results = [], []

    s, summary_secs = cdnow_summary()
    print(f"\nCDNOW summary by lifetimes from the transactions: {summary_secs * 1e3:.1f} ms (not in the times below)")
    table = pa.table(
        {k: pa.array(s[k].to_numpy(dtype=float)) for k in ("frequency", "recency", "T", "monetary_value")}
    )
    if rust.get("cdnow", {}).get("customers") not in (None, len(s)):
        failures.append("the Rust CDNOW summary has another number of customers")
    run_set("CDNOW", s, table, 39, 7, "W", a.repeat, rust.get("cdnow"), a, failures, results)

    if not a.no_synthetic:
        table = feather.read_table(str(a.folder / "clv_synthetic.arrow"))
        s = table.to_pandas()
        summary = table.select(["frequency", "recency", "T", "monetary_value"])
        run_set("synthetic", s, summary, 30, 1, "D", a.synthetic_repeat, rust.get("synthetic"), a,
                failures, results)

    print("\n| data | customers | lifetimes | lifetimes, weights | ichigen Python | ichigen Python, first call | ichigen Rust | lifetimes ÷ Python | lifetimes ÷ Rust |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        def cell(k, fmt="{:.4f} s"):
            return fmt.format(r[k]) if r.get(k) is not None else ""
        ratio_py = f"{r['lifetimes'] / r['python']:.0f}×" if r.get("python") else ""
        ratio_rs = f"{r['lifetimes'] / r['rust']:.0f}×" if r.get("rust") else ""
        print(f"| {r['set']} | {r['customers']:,} | {cell('lifetimes')} | {cell('lifetimes_weights')} | "
              f"{cell('python')} | {cell('python_first')} | {cell('rust')} | {ratio_py} | {ratio_rs} |")
    print("\n(fit + predict: both fits, then expected purchases, P(alive) and expected value for "
          "every customer; CLV apart; target: ichigen ≥ 25× faster)")
    if failures:
        print("\nDIFFERENCES:", file=sys.stderr)
        for f in failures:
            print(f"- {f}", file=sys.stderr)
        return 1
    print("\nparameters agree to 3 significant digits, predictions to 0.1%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
