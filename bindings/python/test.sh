#!/usr/bin/env bash
# Builds the Python binding (debug wheel), installs it into the test venv and runs
# pytest. Appends "python <passed> <failed>" to $TEST_TALLY when it is set.
# Usage: bindings/python/test.sh   (ICHIGEN_ROOT defaults to the repository root)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=${ICHIGEN_ROOT:-$(cd "$HERE/../.." && pwd)}
VENV="$ROOT/.venv"
WHEELS="$ROOT/target/python-wheels"
start=$(date +%s)

# The venv (maturin, pytest) is made by scripts/setup-venv; it is quick when up to date.
"$ROOT/scripts/setup-venv"

# A fresh wheel each run: clear the folder so that exactly one wheel is installed.
rm -rf "$WHEELS"
cd "$HERE"
"$VENV/bin/maturin" build --quiet --interpreter "$VENV/bin/python" --out "$WHEELS"
wheels=("$WHEELS"/ichigen-*.whl)
if [ "${#wheels[@]}" -ne 1 ] || [ ! -f "${wheels[0]}" ]; then
  echo "expected exactly one wheel in $WHEELS, found: ${wheels[*]}" >&2
  exit 1
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
  --force-reinstall --no-deps "${wheels[0]}"

# Run pytest from outside the source tree's python/ folder so that the installed
# package (with its native module) is the one imported.
report=$(mktemp)
trap 'rm -f "$report"' EXIT
set +e
"$VENV/bin/python" -m pytest -p no:cacheprovider --junitxml="$report" "$HERE/tests"
status=$?
set -e

# Counts from the JUnit report: passed = tests - failures - errors - skipped.
read -r passed failed < <("$VENV/bin/python" - "$report" <<'PY'
import sys
import xml.etree.ElementTree as ET

try:
    root = ET.parse(sys.argv[1]).getroot()
except (ET.ParseError, OSError):
    print(0, 1)
    raise SystemExit
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
n = lambda key: sum(int(s.get(key, 0)) for s in suites)
bad = n("failures") + n("errors") + n("skipped")
print(n("tests") - bad, bad)
PY
)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1  # pytest failed outside any test (collection, usage)
fi
if [ -n "${TEST_TALLY:-}" ]; then
  echo "python $passed $failed" >> "$TEST_TALLY"
fi
echo "python: $passed passed, $failed failed ($(( $(date +%s) - start ))s)"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
