"""ichigen (一元): the back office of shops selling on several marketplaces.

Orders, their lifecycle and triage rules, business calendars and ship dates,
computed by the Rust core. Records cross as plain dicts; money as strings; dates as
strings inside orders and rule results, as datetime.date from calendars and plans.
Bulk ship-date rows cross as Arrow (BatchPlanner). See README.md for the API.
"""

from ichigen._native import (
    EXAMPLE_RULE_SET_JSON,
    SAMPLE_ORDER_JSON,
    BatchPlanner,
    Calendar,
    CalendarError,
    IchigenError,
    InputError,
    LifecycleError,
    OrderError,
    RuleSet,
    RuleSetError,
    ShippingError,
    ShippingPolicy,
    __version__,
    apply_event,
    dry_run,
    holidays,
    parse_order,
    triage,
    validate_order,
)

__all__ = [
    "EXAMPLE_RULE_SET_JSON",
    "SAMPLE_ORDER_JSON",
    "BatchPlanner",
    "Calendar",
    "CalendarError",
    "IchigenError",
    "InputError",
    "LifecycleError",
    "OrderError",
    "RuleSet",
    "RuleSetError",
    "ShippingError",
    "ShippingPolicy",
    "__version__",
    "apply_event",
    "dry_run",
    "holidays",
    "parse_order",
    "triage",
    "validate_order",
]
