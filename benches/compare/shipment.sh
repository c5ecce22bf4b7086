#!/usr/bin/env bash
# Merge candidates (同梱候補) side by side: ichigen's Planner::merge_candidates
# against the same grouping written in polars and in pandas
# (benches/compare/shipment_dataframes.py), on the same generated orders, every
# group and parent checked to be equal.
#
#   benches/compare/shipment.sh                          # 1,000,000 orders
#   benches/compare/shipment.sh 100000                   # fewer
#   benches/compare/shipment.sh 1000000 --repeat 5
#   benches/compare/shipment.sh 1000000 --polars-threads 1
#   benches/compare/shipment.sh 1000000 --binding-orders 0   # all orders through the binding
#   SHIPMENT_REUSE_DATA=1 benches/compare/shipment.sh    # keep target/shipment/ if it is there
#   COMPARE_SKIP_BUILD=1 benches/compare/shipment.sh     # reuse the last release wheel
#
# Arguments after N go to the Python script. It calls two subcommands of
# benches/src/bin/measure.rs:
#   measure shipment-data N DIR
#       generates the orders with ichigen_benches::shipment_data (fixed seed; ~20%
#       of the buyers order two or three times, their names and addresses written
#       in varied widths and spaces) and writes orders.jsonl (ichigen's JSON),
#       orders.csv and lines.csv (the same orders as tables) and policy.json.
#   measure shipment-merge DIR --out OUT
#       reads orders.jsonl back (parsed and validated, untimed), runs
#       Planner::merge_candidates on one thread, writes group,order,parent to OUT
#       and prints `ichigen_seconds: S` (best of 3).
# What `measure shipment-merge` prints is kept in target/shipment_ichigen.log,
# which the Python script reads.
#
# The Python script also runs ichigen through its Python binding
# (ShipmentPlanner.merge_candidates) when the module has it. As compare/run.sh
# does, this script builds a *release* wheel of bindings/python into
# target/compare-wheels and installs it into target/compare-site (first on
# PYTHONPATH), so the debug wheel of the test command stays in the venv; if that
# build fails, the comparison goes on with the Rust figure only.
#
# It uses the project venv (scripts/setup-venv) and installs the pinned packages
# below into it when missing. Not part of the test command: at 1,000,000 orders it
# takes about 8 minutes; the Python side peaks at 4.6 GiB, measure at 2.6 GiB.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY="$ROOT/.venv/bin/python"
# polars and pyarrow as scripts/requirements-test.txt pins them; pandas and numpy
# as stock.sh and identity.sh do.
STACK=(polars==2.1.0 pyarrow==26.0.1 pandas==2.3.3 numpy==2.4.6)

N=1000000
if [[ ${1:-} =~ ^[0-9]+$ ]]; then
  N=$1
  shift
fi

"$ROOT/scripts/setup-venv"
if ! "$PY" -c "import polars, pyarrow, pandas, numpy" 2>/dev/null; then
  "$PY" -m pip install --quiet --disable-pip-version-check "${STACK[@]}"
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
    echo "building the release wheel failed: comparing with the Rust measure only" >&2
  fi
fi

DIR="$ROOT/target/shipment"
OUT="$ROOT/target/shipment_ichigen.csv"
LOG="$ROOT/target/shipment_ichigen.log"
cd "$ROOT"
if [ "${SHIPMENT_REUSE_DATA:-}" != 1 ] || [ ! -s "$DIR/orders.jsonl" ]; then
  cargo run --release --quiet -p ichigen-benches --bin measure -- shipment-data "$N" "$DIR"
fi
cargo run --release --quiet -p ichigen-benches --bin measure -- shipment-merge "$DIR" --out "$OUT" |
  tee "$LOG"

PYTHONPATH="$SITE${PYTHONPATH:+:$PYTHONPATH}" exec "$PY" "$ROOT/benches/compare/shipment_dataframes.py" "$DIR" \
  --ichigen "$OUT" --ichigen-log "$LOG" "$@"
