#!/usr/bin/env bash
# Runs benches/compare/shipdate_numpy.py: numpy against ichigen's BatchPlanner on
# the same generated rows (10,000,000 by default; arguments are passed on, e.g.
# `--rows 1000000 --repeat 1`). Not part of the test command: it takes minutes.
#
# It uses the project venv (scripts/setup-venv), installs numpy into it when
# missing, and builds a *release* wheel of the Python binding into target/ and
# installs it into a folder of its own (target/compare-site, put first on
# PYTHONPATH), so the debug wheel that bindings/python/test.sh installs into the
# venv stays as it is.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY="$ROOT/.venv/bin/python"
NUMPY="numpy==2.4.6"   # the newest numpy for the venv's Python 3.11

"$ROOT/scripts/setup-venv"
if ! "$PY" -c "import numpy" 2>/dev/null; then
  "$PY" -m pip install --quiet --disable-pip-version-check "$NUMPY"
fi

WHEELS="$ROOT/target/compare-wheels"
SITE="$ROOT/target/compare-site"
if [ "${COMPARE_SKIP_BUILD:-}" != 1 ] || [ ! -d "$SITE/ichigen" ]; then
  rm -rf "$WHEELS" "$SITE"
  (cd "$ROOT/bindings/python" &&
    "$ROOT/.venv/bin/maturin" build --release --quiet --interpreter "$PY" --out "$WHEELS")
  "$PY" -m pip install --quiet --disable-pip-version-check --no-deps \
    --target "$SITE" "$WHEELS"/ichigen-*.whl
fi

PYTHONPATH="$SITE${PYTHONPATH:+:$PYTHONPATH}" exec "$PY" "$ROOT/benches/compare/shipdate_numpy.py" "$@"
