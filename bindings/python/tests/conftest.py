"""Shared fixtures. The tests import the installed wheel (test.sh builds and installs it)."""

import copy
import json
import sys
from pathlib import Path

import pytest

import ichigen

REPO = Path(__file__).resolve().parents[3]
VECTORS = REPO / "tests" / "vectors"
# The runner parts shared by every Python runner live beside the vectors.
sys.path.insert(0, str(VECTORS))

_SAMPLE = json.loads(ichigen.SAMPLE_ORDER_JSON)


def sample_order(**overrides):
    """The bundled sample order as a dict, with top-level fields replaced (None removes)."""
    order = copy.deepcopy(_SAMPLE)
    for key, value in overrides.items():
        if value is None:
            order.pop(key, None)
        else:
            order[key] = value
    return order


@pytest.fixture
def order():
    return sample_order()


@pytest.fixture
def rules():
    return ichigen.RuleSet.from_json(ichigen.EXAMPLE_RULE_SET_JSON)


NOW = "2026-11-23T03:00:00Z"

# Every personal value in the sample order: none may appear in an error message.
PERSONAL = [
    _SAMPLE["buyer"][k]
    for k in ("name", "kana", "phone", "email", "postal_code", "address1", "address2")
]
