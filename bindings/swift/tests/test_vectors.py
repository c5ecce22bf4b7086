"""Every vector under tests/vectors/, one case per file, through the uniffi FFI."""

import json

import pytest

from conftest import VECTORS
from vector_runner import NotExpressible, run_file, subset_match, vector_files

FILES = vector_files(VECTORS)

# Vectors whose call the typed Swift API cannot express (Swift would not compile
# it), with the reason. Each must still exist and be refused by the runner as
# such, so the list cannot go stale; every other vector must pass.
NOT_EXPRESSIBLE = {
    "identity/norm_unknown_field.json": "one normalizer function per field: no call names another field",
}


def test_vectors_are_found():
    assert VECTORS.is_dir(), VECTORS
    assert len(FILES) > 0
    every_json = [p for p in VECTORS.rglob("*.json") if p.name != "sample_order.json"]
    assert len(FILES) == len(every_json)


def test_sample_order_file_is_the_bundled_sample(ffi):
    on_disk = json.loads((VECTORS / "sample_order.json").read_text(encoding="utf-8"))
    assert on_disk == json.loads(ffi.sample_order_json())


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(VECTORS)) for p in FILES])
def test_vector(ffi, path):
    if str(path.relative_to(VECTORS)) in NOT_EXPRESSIBLE:
        with pytest.raises(NotExpressible):
            run_file(ffi, path)
    else:
        run_file(ffi, path)


def test_not_expressible_vectors_exist():
    names = {str(p.relative_to(VECTORS)) for p in FILES}
    assert set(NOT_EXPRESSIBLE) <= names


def test_subset_match_can_fail():
    # The matcher itself must reject what the README says does not match.
    for expected, actual in [
        ({"a": 1}, {}),
        ([1, 2], [1]),
        ({"a": True}, {"a": 1}),
        ({"a": "1"}, {"a": 1}),
        ({"a": None}, {"a": False}),
    ]:
        with pytest.raises(AssertionError):
            subset_match(expected, actual)
    subset_match({"a": 1}, {"a": 1.0, "b": 2})
