#!/usr/bin/env bash
# Tests the Swift (uniffi) binding without a Swift compiler:
#   1. generate.sh: build the debug library, generate Swift (Sources/) and Python;
#   2. drift check: the committed Swift is what generation produces now;
#   3. pytest over the uniffi-generated Python module (the same FFI the Swift
#      module calls) and a tree-sitter parse of the generated Swift.
# Appends "swift <passed> <failed>" to $TEST_TALLY when set; exits non-zero on
# any failure. Usage: bindings/swift/test.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export ICHIGEN_ROOT=${ICHIGEN_ROOT:-$root}
python=$ICHIGEN_ROOT/.venv/bin/python
log=$(mktemp)
tallied=0
finish() {
  status=$?
  rm -f "$log"
  # A failure before the tests ran (build, generation) still counts as one.
  if [ "$tallied" -eq 0 ]; then
    [ -n "${TEST_TALLY:-}" ] && echo "swift 0 1" >> "$TEST_TALLY"
    echo "swift: 0 passed, 1 failed (stopped before the tests ran)"
    [ "$status" -ne 0 ] || status=1
  fi
  exit "$status"
}
trap finish EXIT

"$root/scripts/setup-venv" >/dev/null
"$here/generate.sh" >/dev/null

# Drift: generation wrote Sources/ just now; any difference from the commit (or a
# file git does not know) means the committed Swift is stale.
drift_failed=0
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  changed=$(git -C "$root" status --porcelain --untracked-files=all -- bindings/swift/Sources)
  if [ -n "$changed" ]; then
    echo "drift: the committed Swift differs from what generate.sh produces now:" >&2
    echo "$changed" >&2
    git -C "$root" --no-pager diff --stat -- bindings/swift/Sources >&2 || true
    echo "drift: commit bindings/swift/Sources (generate.sh has rewritten it)" >&2
    drift_failed=1
  else
    echo "drift: the committed Swift is up to date"
  fi
else
  echo "drift: not a git checkout, cannot compare with the committed Swift" >&2
  drift_failed=1
fi

status=0
(cd "$here" && "$python" -m pytest -p no:cacheprovider -q -rfEs tests) 2>&1 | tee "$log" || status=$?

summary=$(tail -n 1 "$log")
count() { { grep -Eo "[0-9]+ $1" <<<"$summary" || true; } | awk '{s+=$1} END {print s+0}'; }
passed=$(count passed)
failed=$(( $(count failed) + $(count "errors?") ))
skipped=$(( $(count skipped) + $(count xfailed) + $(count xpassed) ))
if [ "$skipped" -ne 0 ]; then
  echo "pytest skipped $skipped test(s): nothing may be skipped" >&2
  failed=$(( failed + skipped ))
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
# The drift check counts as one test.
if [ "$drift_failed" -ne 0 ]; then failed=$(( failed + 1 )); else passed=$(( passed + 1 )); fi

if [ -n "${TEST_TALLY:-}" ]; then echo "swift $passed $failed" >> "$TEST_TALLY"; fi
tallied=1
echo "swift: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
