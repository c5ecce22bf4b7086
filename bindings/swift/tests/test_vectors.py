"""Every vector under tests/vectors/, one case per file, through the uniffi FFI."""

import json

import pytest

from conftest import VECTORS
import vector_runner
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


# The StockBook methods, by the name of the step that calls them.
STOCK_BOOK_METHODS = {
    "reserve", "reserve_order", "check", "receive", "expect", "adjust", "set_level", "cancel", "ship", "sync",
    "allocation", "forget_pushed", "reconcile", "stock", "listing_free", "queue", "order", "movements", "reorder",
}


def test_stock_vectors_exercise_the_typed_methods(ffi):
    """The stock vectors drive StockBook's own methods: every method a step names
    ran through its typed method at least once (a step whose argument does not fit
    the method's parameters goes through `step(stepJson:)`; the runner checks every
    step against a second book driven by `step` alone)."""
    stock = [p for p in FILES if p.parent.name == "stock"]
    named = set()
    for path in stock:
        vector = json.loads(path.read_text(encoding="utf-8"))
        if vector["op"] == "stock_triage":
            named.add("reserve_order")
        for step in vector["input"].get("steps") or []:
            if isinstance(step, dict) and len(step) == 1:
                named |= set(step) & STOCK_BOOK_METHODS
    vector_runner.STOCK_CALLS.clear()
    for path in stock:
        if str(path.relative_to(VECTORS)) not in NOT_EXPRESSIBLE:
            run_file(ffi, path)
    typed = {op for (op, through_method), n in vector_runner.STOCK_CALLS.items() if through_method and n}
    assert named, "no stock vector names a StockBook method"
    assert named <= typed, sorted(named - typed)


# Every folder of vectors, each with the ops its files use: a folder or op added
# without this runner knowing it fails here rather than passing unseen.
FOLDERS = {
    "calendar": {"holidays", "calendar"},
    "identity": {"identity_normalize", "identity_config", "identity_resolve", "identity_session",
                 "customer_summary", "identity_mask", "customer_triage"},
    "lifecycle": {"apply_event", "validate_order"},
    "rules": {"validate_order", "load_rule_set", "triage", "dry_run"},
    "shipdate": {"ship_date", "ship_date_batch", "ship_date_triage"},
    "stock": {"stock_session", "stock_allocate", "stock_drop_ship", "stock_reorder_formula", "stock_triage"},
    "shipment": {"shipment_split", "shipment_mail", "shipment_merge_candidates", "shipment_merge_check",
                 "shipment_merge", "shipment_unmerge", "shipment_triage"},
    "analytics": {"analytics_history", "analytics_sales", "analytics_rfm", "analytics_cpm",
                  "analytics_balance_sheet", "analytics_repeat", "analytics_clv_summary", "analytics_clv_fit",
                  "analytics_clv_predict"},
}


def test_every_folder_and_op_is_known():
    found = {}
    for path in FILES:
        folder = str(path.relative_to(VECTORS).parent)
        found.setdefault(folder, set()).add(json.loads(path.read_text(encoding="utf-8"))["op"])
    assert set(found) == set(FOLDERS)
    for folder, ops in found.items():
        assert ops <= FOLDERS[folder], (folder, sorted(ops - FOLDERS[folder]))
    # Every shipment op has vectors, errors among them.
    assert found["shipment"] == FOLDERS["shipment"]
    shipment = [json.loads(p.read_text(encoding="utf-8")) for p in FILES if p.parent.name == "shipment"]
    assert any("expect_error" in v for v in shipment)
    # Every analytics op has vectors.
    assert found["analytics"] == FOLDERS["analytics"]


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
