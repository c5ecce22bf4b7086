#!/usr/bin/env bash
# Builds the Node binding (debug) and runs its tests with node's built-in runner.
#   1. npm install from the committed lock, and check the lock did not change;
#   2. napi build --platform, and check the generated index.js / index.d.ts did not
#      drift from the committed ones (a drift is left in place for review);
#   3. node --test over __test__/ (vectors, orders, rules, errors, quickstart,
#      calendar, shipdate, identity, stock, shipment).
# Appends "node <passed> <failed>" to $TEST_TALLY when set; exits non-zero on failure.
# Usage: bindings/node/test.sh
set -euo pipefail
cd "$(dirname "$0")"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "--- npm install (committed lock)"
cp package-lock.json "$tmp/package-lock.json"
npm install --no-audit --no-fund --loglevel=error
if ! cmp -s package-lock.json "$tmp/package-lock.json"; then
  echo "package-lock.json changed during npm install:" >&2
  diff -u "$tmp/package-lock.json" package-lock.json | head -40 >&2 || true
  exit 1
fi

echo "--- napi build --platform (debug)"
for f in index.d.ts index.js; do cp "$f" "$tmp/$f"; done
npx napi build --platform
drift=0
for f in index.d.ts index.js; do
  if ! cmp -s "$f" "$tmp/$f"; then
    echo "$f drifted from what the build generates (the new one is in place; review and commit it):" >&2
    diff -u "$tmp/$f" "$f" | head -60 >&2 || true
    drift=1
  fi
done
if [ "$drift" -ne 0 ]; then exit 1; fi

echo "--- node --test"
status=0
node --test \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tmp/tap" \
  __test__/*.test.mjs || status=$?

passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tmp/tap" | tail -1)
failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tmp/tap" | tail -1)
passed=${passed:-0}
failed=${failed:-0}
# A run that failed without a failed test (a crash, a file that did not load) counts one.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "no test ran" >&2
  failed=1
fi
if [ -n "${TEST_TALLY:-}" ]; then echo "node $passed $failed" >> "$TEST_TALLY"; fi
echo "node: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
