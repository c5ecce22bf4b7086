#!/usr/bin/env bash
# Builds the fuzz targets and runs each for ${FUZZ_SECONDS:-10} seconds, starting
# from its committed seeds and its local corpus (fuzz/corpus/<target>, not committed):
#   rules_eval       rule sets and orders          seeds: fuzz/seeds
#   shipdate_inputs  calendar and ship-date texts  seeds: fuzz/seeds-shipdate
#
# Installs cargo-fuzz 0.13.2 when it is missing, and uses RUSTC_BOOTSTRAP=1 so
# that stable Rust accepts the sanitizer flags. When TEST_TALLY names a file,
# appends "fuzz <passed> <failed>" (one per target) to it. Exits non-zero on a
# crash; the crashing input is left in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")"

seconds="${FUZZ_SECONDS:-10}"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version 2>/dev/null | grep -q ' 0\.13\.2'; then
    cargo install --locked cargo-fuzz --version 0.13.2
fi

passed=0
failed=0
targets=(rules_eval shipdate_inputs)
declare -A seeds=([rules_eval]=seeds [shipdate_inputs]=seeds-shipdate)

start=$(date +%s)
if ! cargo fuzz build; then
    failed=${#targets[@]}
else
    echo "fuzz: built ${targets[*]} in $(( $(date +%s) - start )) s"
    for target in "${targets[@]}"; do
        mkdir -p "corpus/$target"
        status=0
        cargo fuzz run "$target" "corpus/$target" "${seeds[$target]}" -- \
            -max_total_time="$seconds" -timeout=30 -print_final_stats=1 || status=$?
        if [ "$status" -eq 0 ]; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
            echo "fuzz: $target failed (exit $status; see fuzz/artifacts/$target/)"
        fi
    done
fi

if [ -n "${TEST_TALLY:-}" ]; then
    echo "fuzz $passed $failed" >> "$TEST_TALLY"
fi
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
