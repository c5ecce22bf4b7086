#!/usr/bin/env bash
# Analytics side by side, on the same generated data:
#   - RFM (quantile scores) + CPM (DOMAIN.md §8 defaults) of N orders: ichigen in
#     Rust and through its Python binding against polars, DuckDB and pandas
#     (benches/compare/analytics_dataframes.py), every segment count and RFM score
#     distribution checked to be equal;
#   - CLV (BG/NBD + Gamma-Gamma) fit + predict on CDNOW and on 1,000,000 synthetic
#     customers: ichigen against the lifetimes package
#     (benches/compare/clv_lifetimes.py), parameters checked to 3 significant digits.
#
#   benches/compare/analytics.sh                       # 10,000,000 orders (~1M customers)
#   benches/compare/analytics.sh 1000000               # fewer orders
#   benches/compare/analytics.sh 10000000 --repeat 5   # more runs per dataframe tool
#   benches/compare/analytics.sh 10000000 --tools polars:1,duckdb:1
#   ANALYTICS_REUSE_DATA=1 benches/compare/analytics.sh  # keep target/analytics/ if it is there
#   CLV_CUSTOMERS=100000 benches/compare/analytics.sh    # a smaller synthetic CLV set
#   COMPARE_SKIP_BUILD=1 benches/compare/analytics.sh    # reuse the last release wheel
#   ANALYTICS_SKIP=clv benches/compare/analytics.sh      # only RFM + CPM (or =rfm: only CLV)
#
# Arguments after N go to analytics_dataframes.py. It calls these subcommands of
# benches/src/bin/measure.rs:
#   measure analytics-data N DIR --customers M
#       generates N orders with ichigen_benches::analytics_data (fixed seed) and
#       writes DIR/orders.arrow (Arrow IPC), DIR/expected.json (the plain
#       reference's counts) and M synthetic CLV summaries, DIR/clv_synthetic.arrow;
#   measure analytics N --json target/analytics_rust.json
#       the same orders in Rust: history build, rfm + cpm on one thread (median);
#   measure clv --customers M --json target/analytics_clv.json
#       CDNOW and the same M synthetic customers: fit + predict in Rust.
#
# The Python side runs in a venv of its own, target/bench-venv, from
# benches/compare/requirements-analytics.txt (polars, DuckDB, pandas, pyarrow,
# lifetimes), made or refreshed here. As compare/run.sh does, this script builds a
# *release* wheel of bindings/python (with the project venv's maturin) into
# target/compare-wheels and installs it into target/compare-site, first on
# PYTHONPATH; if that build fails, the comparison goes on without the binding.
#
# Not part of the test command: at 10M orders it takes about 10 minutes (the
# lifetimes fit of 1M customers alone takes minutes) and peaks at about 3 GiB.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VENV="$ROOT/target/bench-venv"
PY="$VENV/bin/python"
REQ="$ROOT/benches/compare/requirements-analytics.txt"

N=10000000
if [[ ${1:-} =~ ^[0-9]+$ ]]; then
  N=$1
  shift
fi
M=${CLV_CUSTOMERS:-1000000}
SKIP=${ANALYTICS_SKIP:-}

# The project venv has maturin; the bench venv has the tools compared.
"$ROOT/scripts/setup-venv"
if [ ! -x "$PY" ] || ! cmp -s "$REQ" "$VENV/.requirements" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$PY" -m pip install --quiet --disable-pip-version-check -r "$REQ"
  cp "$REQ" "$VENV/.requirements"
fi

WHEELS="$ROOT/target/compare-wheels"
SITE="$ROOT/target/compare-site"
if [ "${COMPARE_SKIP_BUILD:-}" != 1 ] || [ ! -d "$SITE/ichigen" ]; then
  rm -rf "$WHEELS" "$SITE"
  if (cd "$ROOT/bindings/python" &&
    "$ROOT/.venv/bin/maturin" build --release --quiet --interpreter "$PY" --out "$WHEELS"); then
    "$PY" -m pip install --quiet --disable-pip-version-check --no-deps \
      --target "$SITE" "$WHEELS"/ichigen-*.whl
  else
    echo "building the release wheel failed: comparing without the Python binding" >&2
  fi
fi

DIR="$ROOT/target/analytics"
cd "$ROOT"
cargo build --release --quiet -p ichigen-benches --bin measure
MEASURE="$ROOT/target/release/measure"
if [ "${ANALYTICS_REUSE_DATA:-}" != 1 ] || [ ! -s "$DIR/orders.arrow" ]; then
  "$MEASURE" analytics-data "$N" "$DIR" --customers "$M"
fi
export PYTHONPATH="$SITE${PYTHONPATH:+:$PYTHONPATH}"

status=0
if [ "$SKIP" != rfm ]; then
  "$MEASURE" analytics "$N" --json "$ROOT/target/analytics_rust.json" |
    tee "$ROOT/target/analytics_rust.log"
  "$PY" "$ROOT/benches/compare/analytics_dataframes.py" "$DIR" \
    --rust "$ROOT/target/analytics_rust.json" "$@" || status=1
fi
if [ "$SKIP" != clv ]; then
  "$MEASURE" clv --customers "$M" --json "$ROOT/target/analytics_clv.json" |
    tee "$ROOT/target/analytics_clv.log"
  "$PY" "$ROOT/benches/compare/clv_lifetimes.py" "$DIR" \
    --rust "$ROOT/target/analytics_clv.json" --weights || status=1
fi
exit $status
