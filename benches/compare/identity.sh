#!/usr/bin/env bash
# Customer identity (名寄せ) side by side: ichigen's resolver against the
# recordlinkage package (and splink on DuckDB, when it installs), on the same
# generated records, scored by pairwise precision, recall and F1 against the
# persons the generator made (benches/compare/identity_recordlinkage.py).
#
#   benches/compare/identity.sh                        # 1,000,000 records
#   benches/compare/identity.sh 200000                 # fewer
#   benches/compare/identity.sh 1000000 --rows 200000  # the Python tools on the first 200,000 only
#   benches/compare/identity.sh 1000000 --no-splink
#   IDENTITY_REUSE_CSV=1 benches/compare/identity.sh   # keep target/identity.csv if it is there
#
# Arguments after N go to the Python script. Both sides run on the same N by
# default: on 1,000,000 records recordlinkage took 73 s and splink 67 s on this
# 2-core machine (62 s of each is the pandas normalization they share; measured
# while other builds ran, as was ichigen's 12.4 s in the same run), far from the
# 10 minutes that would call for a smaller size. All three gave the same 753,989
# clusters (pairwise precision 0.99976, recall 0.97836). Not part of the test
# command.
#
# It calls two subcommands of benches/src/bin/measure.rs:
#   measure identity-data N OUT.csv
#       generates N records with ichigen_benches::identity_data::generate (fixed
#       seed) and writes them with write_csv: id,channel,store,name,kana,phone,
#       email,postal_code,prefecture,address1,address2,member_id,truth
#   measure identity --csv IN --out OUT
#       resolves IN with ichigen's default criteria, writes `id,customer_id` to
#       OUT, and prints its time as a line `ichigen_seconds: S` (`seconds: S` or a
#       JSON line with a "seconds" key would do too): the best of 3 batch
#       resolves (normalization, index, clusters), without parsing or writing the
#       CSV, as the Python side times its tools from the DataFrame in memory
#       (`--repeat 3` gives them a best of 3 as well).
# What `measure identity` prints is kept in target/identity_ichigen.log, which the
# Python script reads.
#
# It uses the project venv (scripts/setup-venv) and installs the pinned packages
# below into it when missing (splink is optional: the comparison runs without it
# if it cannot be installed).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY="$ROOT/.venv/bin/python"
# The newest that install on the venv's Python 3.11 and work together
# (recordlinkage 0.16 needs pandas < 3; scipy 1.18 needs Python 3.12).
RECORDLINKAGE=(recordlinkage==0.16 pandas==2.3.3 numpy==2.4.6 scipy==1.17.1
  scikit-learn==1.9.1 jellyfish==1.3.0 joblib==1.6.0 threadpoolctl==3.8.0)
SPLINK=(splink==5.0.0 duckdb==2.0.0 sqlglot==30.30.0)

N=1000000
if [[ ${1:-} =~ ^[0-9]+$ ]]; then
  N=$1
  shift
fi

"$ROOT/scripts/setup-venv"
pip_install() {
  "$PY" -m pip install --quiet --disable-pip-version-check "$@"
}
if ! "$PY" -c "import recordlinkage, pandas, scipy" 2>/dev/null; then
  pip_install "${RECORDLINKAGE[@]}"
fi
if ! "$PY" -c "import splink, duckdb" 2>/dev/null; then
  pip_install "${SPLINK[@]}" ||
    echo "splink could not be installed; the comparison runs without it" >&2
fi

CSV="$ROOT/target/identity.csv"
OUT="$ROOT/target/identity_ichigen.csv"
LOG="$ROOT/target/identity_ichigen.log"
cd "$ROOT"
if [ "${IDENTITY_REUSE_CSV:-}" != 1 ] || [ ! -s "$CSV" ]; then
  cargo run --release --quiet -p ichigen-benches --bin measure -- identity-data "$N" "$CSV"
fi
cargo run --release --quiet -p ichigen-benches --bin measure -- identity --csv "$CSV" --out "$OUT" |
  tee "$LOG"

exec "$PY" "$ROOT/benches/compare/identity_recordlinkage.py" "$CSV" \
  --ichigen "$OUT" --ichigen-log "$LOG" "$@"
