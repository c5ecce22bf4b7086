"""Type stubs for ichigen. Checked against the runtime module by tests/test_stubs.py."""

import datetime
import decimal
from typing import Any, Dict, List, Mapping, Optional, Sequence, TypedDict, Union

__version__: str

EXAMPLE_RULE_SET_JSON: str
"""The example rule set shipped with ichigen, as JSON text."""

SAMPLE_ORDER_JSON: str
"""A typical order (three lines, two tax rates), as JSON text. The people are fictitious."""

# Names starting with an underscore exist for type checkers only.

# What may appear inside an argument: JSON values plus Decimal (crosses as a
# string), date (ISO string) and timezone-aware datetime (RFC 3339 string).
_JsonIn = Union[
    None,
    bool,
    int,
    float,
    str,
    decimal.Decimal,
    datetime.date,
    datetime.datetime,
    Mapping[str, Any],
    Sequence[Any],
]
# A record argument: a dict, or the same record as JSON text.
_Record = Union[Mapping[str, _JsonIn], str]
# `now`: an aware datetime, an RFC 3339 string, or None for the system clock.
_Now = Union[datetime.datetime, str, None]

class _Issue(TypedDict):
    code: str
    path: str
    message: str

class _ValidationReport(TypedDict):
    valid: bool
    issues: List[_Issue]
    totals: Optional[Dict[str, Any]]

class _EventResult(TypedDict):
    order: Dict[str, Any]
    status: str
    applied: str

class _TriageResult(TypedDict):
    order: Dict[str, Any]
    outcome: Dict[str, Any]

class IchigenError(Exception):
    """Base class of every ichigen error."""

    code: str
    issues: List[_Issue]
    message: str

class OrderError(IchigenError):
    """An order failed validation (code ORDER_INVALID)."""

class RuleSetError(IchigenError):
    """A rule set failed validation (code RULESET_INVALID)."""

class LifecycleError(IchigenError):
    """A lifecycle event was refused (code LIFECYCLE_*)."""

class InputError(IchigenError):
    """An argument is unusable or cannot be converted (code INPUT_*)."""

class RuleSet:
    """A validated, compiled rule set; immutable and safe to share between threads."""

    @staticmethod
    def from_json(text: str) -> RuleSet: ...
    @staticmethod
    def from_toml(text: str) -> RuleSet: ...
    @staticmethod
    def from_dict(obj: Mapping[str, _JsonIn]) -> RuleSet: ...
    @property
    def name(self) -> str: ...
    @property
    def mode(self) -> str: ...
    @property
    def rule_ids(self) -> List[str]: ...
    def to_dict(self) -> Dict[str, Any]: ...

def validate_order(order: _Record) -> _ValidationReport: ...
def parse_order(order: _Record) -> Dict[str, Any]: ...
def apply_event(
    order: _Record,
    event: _Record,
    actor: Optional[_Record] = None,
    now: _Now = None,
) -> _EventResult: ...
def triage(
    rule_set: Union[RuleSet, _Record],
    order: _Record,
    context: Optional[_Record] = None,
    now: _Now = None,
) -> _TriageResult: ...
def dry_run(
    rule_set: Union[RuleSet, _Record],
    orders: Union[Sequence[Mapping[str, _JsonIn]], str],
    contexts: Union[Sequence[Optional[Mapping[str, _JsonIn]]], str, None] = None,
    now: _Now = None,
) -> Dict[str, Any]: ...

__all__ = [
    "EXAMPLE_RULE_SET_JSON",
    "SAMPLE_ORDER_JSON",
    "IchigenError",
    "InputError",
    "LifecycleError",
    "OrderError",
    "RuleSet",
    "RuleSetError",
    "__version__",
    "apply_event",
    "dry_run",
    "parse_order",
    "triage",
    "validate_order",
]
