#!/usr/bin/env bash
# Builds the Rust library (debug) and generates, with the uniffi-bindgen of the
# same uniffi version, in library mode:
#   - the Swift module into Sources/ (committed; the paths Package.swift expects):
#       Sources/Ichigen/Ichigen.swift            the Swift API
#       Sources/IchigenFFI/IchigenFFI.h          the C declarations it calls
#       Sources/IchigenFFI/module.modulemap      uniffi's IchigenFFI.modulemap, renamed
#   - the Python module over the same FFI into generated/python/ (gitignored),
#     beside a copy of the shared library, for the tests.
# Usage: bindings/swift/generate.sh [OUT_DIR]   (OUT_DIR defaults to bindings/swift)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$(mkdir -p "${1:-$here}" && cd "${1:-$here}" && pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}
case "$(uname -s)" in
  Darwin) lib_file=libichigen_ffi.dylib ;;
  *) lib_file=libichigen_ffi.so ;;
esac

(cd "$root" && cargo build --quiet -p ichigen-swift --features bindgen)
lib="$target_dir/debug/$lib_file"
bindgen="$target_dir/debug/uniffi-bindgen"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# --no-format: the output must not depend on which formatters a machine has.
(cd "$root" && "$bindgen" generate --no-format "$lib" --language swift --out-dir "$tmp/swift" >/dev/null)
for f in Ichigen.swift IchigenFFI.h IchigenFFI.modulemap; do
  [ -f "$tmp/swift/$f" ] || { echo "generate.sh: uniffi did not write $f" >&2; exit 1; }
done
mkdir -p "$out/Sources/Ichigen" "$out/Sources/IchigenFFI"
cp "$tmp/swift/Ichigen.swift" "$out/Sources/Ichigen/Ichigen.swift"
cp "$tmp/swift/IchigenFFI.h" "$out/Sources/IchigenFFI/IchigenFFI.h"
# SwiftPM's system library targets and xcframework headers want this exact name.
cp "$tmp/swift/IchigenFFI.modulemap" "$out/Sources/IchigenFFI/module.modulemap"

py="$out/generated/python"
rm -rf "$py"
mkdir -p "$py"
(cd "$root" && "$bindgen" generate --no-format "$lib" --language python --out-dir "$py" >/dev/null)
cp "$lib" "$py/"
echo "generated: $out/Sources (Swift), $py (Python)"
