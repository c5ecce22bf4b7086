#!/usr/bin/env bash
# Builds the rules_eval fuzz target and runs it for ${FUZZ_SECONDS:-10} seconds,
# starting from the committed seeds (fuzz/seeds) and the local corpus
# (fuzz/corpus/rules_eval, not committed).
#
# Installs cargo-fuzz 0.13.2 when it is missing, and uses RUSTC_BOOTSTRAP=1 so
# that stable Rust accepts the sanitizer flags. When TEST_TALLY names a file,
# appends "fuzz 1 0" (passed) or "fuzz 0 1" (a crash or a failed build) to it.
# Exits non-zero on a crash; the crashing input is left in
# fuzz/artifacts/rules_eval/.
set -euo pipefail
cd "$(dirname "$0")"

seconds="${FUZZ_SECONDS:-10}"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version 2>/dev/null | grep -q ' 0\.13\.2'; then
    cargo install --locked cargo-fuzz --version 0.13.2
fi

tally() {
    if [ -n "${TEST_TALLY:-}" ]; then
        echo "fuzz $1 $2" >> "$TEST_TALLY"
    fi
}

start=$(date +%s)
if ! cargo fuzz build rules_eval; then
    tally 0 1
    echo "fuzz: 0 passed, 1 failed (the target did not build)"
    exit 1
fi
echo "fuzz: built rules_eval in $(( $(date +%s) - start )) s"

mkdir -p corpus/rules_eval
status=0
cargo fuzz run rules_eval corpus/rules_eval seeds -- \
    -max_total_time="$seconds" -timeout=30 -print_final_stats=1 || status=$?

if [ "$status" -eq 0 ]; then
    tally 1 0
    echo "fuzz: 1 passed, 0 failed"
else
    tally 0 1
    echo "fuzz: 0 passed, 1 failed (exit $status; see fuzz/artifacts/rules_eval/)"
    exit "$status"
fi
