#!/usr/bin/env bash
# Channel allocation (在庫連携) side by side: ichigen's Allocator against the same
# rules written in polars and in pandas/numpy (benches/compare/stock_dataframes.py),
# on the same generated catalog and stock, every quantity checked to be equal.
#
#   benches/compare/stock.sh                        # 500,000 SKUs × 10 channels × 5 locations
#   benches/compare/stock.sh 100000                 # fewer SKUs
#   benches/compare/stock.sh 500000 --repeat 5
#   benches/compare/stock.sh 500000 --polars-threads 1
#   STOCK_REUSE_DATA=1 benches/compare/stock.sh     # keep target/stock/ if it is there
#
# Arguments after N go to the Python script. It calls two subcommands of
# benches/src/bin/measure.rs:
#   measure stock-data --skus N DIR
#       generates the catalog (N SKUs and 3% as many sets, each listed on 10
#       channels with its own code), the stock levels and the allocation policy
#       with ichigen_benches::stock_data (fixed seed) and writes skus.csv,
#       locations.csv, listings.csv (listing,channel,code,sku,quantity: one row
#       per component), levels.csv (sku,location,on_hand,reserved,buffer) and
#       policy.json. The exclusive channel of the benchmark policy is written as a
#       plain fixed channel: its carve-out is not part of this comparison.
#   measure stock-alloc DIR --out OUT
#       reads the files back, builds the catalog, allocates with ichigen on one
#       thread, writes channel,listing,quantity to OUT, and prints
#       `ichigen_snapshot_seconds: S` (free stock from the level rows +
#       Allocator::new + recompute_free: the same work from the same tables as the
#       dataframes) and `ichigen_seconds: S` (recompute_free alone, the steady
#       state of a kept allocator), each the best of 5 runs.
# What `measure stock-alloc` prints is kept in target/stock_ichigen.log, which the
# Python script reads. Not part of the test command.
#
# It uses the project venv (scripts/setup-venv) and installs the pinned packages
# below into it when missing.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY="$ROOT/.venv/bin/python"
# polars and pyarrow as scripts/requirements-test.txt pins them; pandas and numpy
# as identity.sh does (the newest for the venv's Python 3.11 that work together).
STACK=(polars==2.1.0 pyarrow==26.0.1 pandas==2.3.3 numpy==2.4.6)

N=500000
if [[ ${1:-} =~ ^[0-9]+$ ]]; then
  N=$1
  shift
fi

"$ROOT/scripts/setup-venv"
if ! "$PY" -c "import polars, pyarrow, pandas, numpy" 2>/dev/null; then
  "$PY" -m pip install --quiet --disable-pip-version-check "${STACK[@]}"
fi

DIR="$ROOT/target/stock"
OUT="$ROOT/target/stock_ichigen.csv"
LOG="$ROOT/target/stock_ichigen.log"
cd "$ROOT"
if [ "${STOCK_REUSE_DATA:-}" != 1 ] || [ ! -s "$DIR/listings.csv" ]; then
  cargo run --release --quiet -p ichigen-benches --bin measure -- stock-data --skus "$N" "$DIR"
fi
cargo run --release --quiet -p ichigen-benches --bin measure -- stock-alloc "$DIR" --out "$OUT" |
  tee "$LOG"

exec "$PY" "$ROOT/benches/compare/stock_dataframes.py" "$DIR" \
  --ichigen "$OUT" --ichigen-log "$LOG" "$@"
