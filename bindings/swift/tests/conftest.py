"""Shared setup: the uniffi-generated Python module (the same FFI the Swift module
calls), loaded from bindings/swift/generated/python beside the debug cdylib that
generate.sh copied there."""

import sys
from pathlib import Path

import pytest

SWIFT_DIR = Path(__file__).resolve().parents[1]
ROOT = SWIFT_DIR.parents[1]
GENERATED_PYTHON = SWIFT_DIR / "generated" / "python"
GENERATED_SWIFT = SWIFT_DIR / "Sources" / "Ichigen" / "Ichigen.swift"
VECTORS = ROOT / "tests" / "vectors"

if not (GENERATED_PYTHON / "ichigen_ffi.py").is_file():
    raise pytest.UsageError(
        f"{GENERATED_PYTHON}/ichigen_ffi.py is missing: run bindings/swift/generate.sh first"
    )
sys.path.insert(0, str(GENERATED_PYTHON))
# The runner parts shared by every Python runner live beside the vectors.
sys.path.insert(0, str(VECTORS))


@pytest.fixture(scope="session")
def ffi():
    """The uniffi-generated module."""
    import ichigen_ffi

    return ichigen_ffi
