"""ichigen (一元): the back office of shops selling on several marketplaces.

Orders, their lifecycle and triage rules, computed by the Rust core. Records cross
as plain dicts; money and dates as strings. See README.md for the API.
"""

from ichigen._native import (
    EXAMPLE_RULE_SET_JSON,
    SAMPLE_ORDER_JSON,
    IchigenError,
    InputError,
    LifecycleError,
    OrderError,
    RuleSet,
    RuleSetError,
    __version__,
    apply_event,
    dry_run,
    parse_order,
    triage,
    validate_order,
)

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
