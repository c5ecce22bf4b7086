"""Type stubs for ichigen. Checked against the runtime module by tests/test_stubs.py."""

import datetime
import decimal
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, TypedDict, Union

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

class _Holiday(TypedDict):
    date: datetime.date
    name: str

class _Holidays(TypedDict):
    holidays: List[_Holiday]
    workdays: List[_Holiday]
    """Chinese adjusted working days (调休上班); empty for other sources."""

class _DayExplanation(TypedDict):
    date: datetime.date
    business_day: bool
    reasons: List[Dict[str, Any]]
    """Each {"kind": "weekly_closed" | "holiday" | "closed" | "special_open" |
    "adjusted_workday", "calendar": str, ...}."""
    text: List[str]

class _ShipPlan(TypedDict):
    status: str
    """ok | awaiting_ship_date | designated_infeasible | transit_missing"""
    start_date: datetime.date
    earliest_ship_date: datetime.date
    ship_date: datetime.date
    delivery_date: Optional[datetime.date]
    transit_days: Optional[int]
    designated_date: Optional[datetime.date]
    latest_ship_date: Optional[datetime.date]
    earliest_delivery_date: Optional[datetime.date]
    problems: List[_Issue]
    steps: List[Dict[str, Any]]
    """{"step": ..., ...}; their date fields are datetime.date too."""
    explanation: List[str]
    context: Dict[str, Any]
    """The triage facts the plan establishes (transit_days,
    designated_date_infeasible, awaiting_ship_date): merge into a triage context."""

class _Normalized(TypedDict):
    value: str
    kind: str
    """phone: mobile | landline | toll_free | ip | shared_cost | m2m | international;
    email: ordinary | rakuten_relay | amazon_anonymized | relay."""

class _Address(TypedDict, total=False):
    postal_code: str
    prefecture: str
    prefecture_code: int
    street: str
    building: str

class _Link(TypedDict, total=False):
    records: List[str]
    """[older, newer]"""
    rule: str
    """name+phone, ..., manual, retained, fuzzy:<rule>"""
    fields: List[str]
    score: float

class _Placement(TypedDict):
    customer_id: int
    new_customer: bool
    absorbed: List[int]
    links: List[_Link]
    issues: List[_Issue]
    recomputed: bool

class _GiantKey(TypedDict):
    rule: str
    fields: List[str]
    records: int
    sample: List[str]

class _Alias(TypedDict):
    alias: int
    customer_id: int

class _Candidate(TypedDict):
    records: List[str]
    customers: List[int]
    rule: str
    score: float

class _TriageFacts(TypedDict):
    caution: bool
    vip: bool
    purchase_count: int

class _Reservation(TypedDict):
    order: str
    line: int
    """The order line (0-based)."""
    sku: str
    """A set line has one reservation per component."""
    location: str
    quantity: int

class _Backorder(TypedDict):
    order: str
    line: int
    sku: str
    quantity: int

class _ReservationOutcome(TypedDict):
    reserved: List[_Reservation]
    backordered: List[_Backorder]
    completed_orders: List[str]
    """Orders whose every line is now reserved (served from the queue)."""

class _OrderReservation(_ReservationOutcome):
    facts: Dict[str, bool]
    """{"all_lines_reservable", "awaiting_stock"}: the stock facts of a triage context."""

class _Shipment(TypedDict):
    shipped: List[_Reservation]
    still_waiting: List[_Backorder]

class _Cell(TypedDict):
    sku: str
    location: str
    on_hand: int
    reserved: int
    incoming: int
    buffer: int
    free: int

class _StockView(TypedDict):
    sku: str
    on_hand: int
    reserved: int
    incoming: int
    free: int
    backordered: int
    locations: List[_Cell]

class _OrderStock(TypedDict):
    all_lines_reservable: bool
    awaiting_stock: bool
    reservations: List[_Reservation]

class _Reconciliation(TypedDict):
    ok: bool
    mismatches: List[Dict[str, Any]]
    """{"sku", "location", "counted", "from_records"}"""
    problems: List[str]
    reservations: int
    backordered_units: int

class _SyncDelta(TypedDict, total=False):
    channel: str
    store: str
    """Present when the rule names a store."""
    listing: str
    quantity: int
    previous: Optional[int]
    """The quantity last pushed; None the first time."""

class _ListingQuantity(TypedDict, total=False):
    channel: str
    store: str
    listing: str
    quantity: int

class _Movement(TypedDict, total=False):
    seq: int
    kind: str
    """receipt | adjustment | reservation | release | shipment | backorder | incoming | buffer"""
    sku: str
    location: str
    quantity: int
    order: str
    line: int

class _Reorder(TypedDict):
    lines: List[Dict[str, Any]]
    """{"sku", "supplier"?, "position", "reorder_point", "target_level", "lot",
    "quantity", "basis", "daily_rate"?}"""
    purchase_orders: List[Dict[str, Any]]
    """{"supplier", "lines", "units"}"""

class _DropShip(TypedDict):
    totals: List[Dict[str, Any]]
    """{"supplier", "units", "lines": [{"sku", "quantity", "channels"}]}"""
    issues: List[_Issue]

class _ShipmentLine(TypedDict, total=False):
    order: str
    line: int
    """The order line (0-based)."""
    listing_code: str
    sku: str
    """Present when the order line has one."""
    quantity: int
    amount: str

class _TaxShare(TypedDict):
    rate: str
    taxable: str
    tax: str

class _ShipmentMoney(TypedDict):
    merchandise: str
    shipping_fee: str
    cod_fee: str
    coupon: str
    points: str
    tax_added: str
    total: str
    """What the buyer pays for this shipment (the amount to collect on COD)."""
    tax: List[_TaxShare]
    """Per rate, ascending: tax rounded once per rate per order, then shared out."""

class _PlannedShipment(TypedDict, total=False):
    lines: List[_ShipmentLine]
    temperature: str
    """ambient | chilled | frozen"""
    shipping_method: str
    shipping_class: str
    stock: str
    """reserved | backordered (when the stock key splits and stock was given)"""
    release_date: str
    location: str
    recipient: int
    package: Dict[str, int]
    """{"number", "of"}, counted from 1"""
    caused_by: List[str]
    """The split keys that made this shipment (temperature_zone, capacity, ...)."""
    over_capacity: bool
    money: _ShipmentMoney
    parts: List[Dict[str, Any]]
    """In a merged plan: {"order", "money"} per order."""

class _ShipmentPlan(TypedDict):
    orders: List[str]
    """The orders, the merge parent first."""
    currency: str
    shipments: List[_PlannedShipment]
    total: _ShipmentMoney
    """The sum of the shipments' money: the order's totals, to the yen."""

class _MailFacts(TypedDict):
    mail_packet_fits: bool
    mail_packets_needed: int

class _MailVerdict(TypedDict):
    profile: str
    eligible: bool
    load: str
    """The sum of the lines' fractions, as a fraction ("5/3")."""
    packets: int
    outcome: str
    """mail_packet | packets | box"""
    reasons: List[Dict[str, Any]]
    """{"code": "cod" | "not_mailable" | "temperature" | "too_large" |
    "too_heavy" | "time_slot" | "over_capacity", "line"?}"""
    facts: _MailFacts
    """The triage context facts of the verdict."""

class _MergeCandidates(TypedDict):
    groups: List[Dict[str, Any]]
    """{"parent", "orders"}: the parent first."""
    excluded: List[Dict[str, Any]]
    """{"order", "index", "reason", "issues"?}: the order's id (None for an
    invalid order without a readable id) and its place in the list; an order that
    does not decode is excluded with reason "invalid" and its issues."""
    context: Dict[str, Dict[str, bool]]
    """{order id: {"merge_candidate"}}, for a triage context."""
    merged: List[_ShipmentPlan]
    """With auto_merge: each group merged."""

class _MergeCheck(TypedDict):
    mergeable: bool
    differs: List[str]

class _Unmerged(TypedDict):
    plans: List[_ShipmentPlan]

# A matching configuration: a dict, JSON text, or None for the defaults.
_IdentityConfig = Union[Mapping[str, Any], str, None]
# Manual decisions: [{"merge": [a, b]} | {"unmerge": [a, b]}], JSON text, or None.
_Decisions = Union[Sequence[Mapping[str, Sequence[str]]], str, None]

# A date argument: a datetime.date (not a datetime) or an ISO string.
_Date = Union[datetime.date, str]
# A holiday source: "japan", "china", or {"list": [...]}, {"csv": text},
# {"china_schedule": toml}.
_HolidaySource = Union[str, Mapping[str, Any]]
# A stock argument (a catalog, a policy, a request): a dict, or JSON text.
_StockArg = Union[Mapping[str, _JsonIn], str]
# A list of orders: dicts, or JSON text of an array.
_Orders = Union[Sequence[Mapping[str, _JsonIn]], str]
# Shipment facts per order id ({"ship_date"?, "location"?, "customer"?,
# "masked"?}), reservations ([{"order"?, "line", "location"?, "quantity"}]):
# a dict / list, JSON text, or None.
_Facts = Union[Mapping[str, Mapping[str, _JsonIn]], str, None]
_Stock = Union[Sequence[Mapping[str, _JsonIn]], str, None]
# Arrow rows: a pyarrow Table / RecordBatch, a polars DataFrame, any object with
# __arrow_c_stream__ or __arrow_c_array__, or a dict of column name -> Arrow array.
_ArrowRows = Any
# An analytics configuration or query: a dict of the JSON face's form (dates as
# datetime.date or ISO text, money as Decimal, int or text; `decimals` rounds the
# real numbers of the result), or the same as JSON text.
_AnalyticsConfig = Union[Mapping[str, _JsonIn], str]
# A result: a pyarrow.Table (output="table"), or with output="rows" the JSON face's
# rows (a list of dicts; money as decimal text, dates as ISO text).
_Result = Any

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

class CalendarError(IchigenError):
    """A calendar definition is invalid (CALENDAR_INVALID) or a calendar cannot
    answer (CALENDAR_OUT_OF_RANGE)."""

class ShippingError(IchigenError):
    """Ship-date data failed validation (code SHIPDATE_INVALID)."""

class IdentityError(IchigenError):
    """Identity data (a matching configuration, a customer record, a decision, a
    value to normalize, customer facts) failed validation, or a resolver refused an
    operation (code IDENTITY_INVALID; issue codes such as IDENTITY_PHONE_INVALID)."""

class StockError(IchigenError):
    """Stock data (a catalog, levels, a policy, an operation's argument) failed
    validation, or a stock operation was refused (code STOCK_INVALID; issue codes
    such as STOCK_UNKNOWN_LISTING, STOCK_ORDER_EXISTS)."""

class ShipmentError(IchigenError):
    """Shipment data (planner options, reservations, merge facts, a merged plan)
    failed validation, or a shipment operation was refused (orders that may not
    ship together) (code SHIPMENT_INVALID; issue codes such as
    SHIPMENT_CAPACITY_ZERO, SHIPMENT_MERGE_RECIPIENT_ADDRESS)."""

class AnalyticsError(IchigenError):
    """Analytics input (order columns, a query, a configuration, a CLV summary or
    its options) failed validation (code ANALYTICS_INVALID; issue codes such as
    ANALYTICS_BAD_MONEY at $.orders.amount[3], ANALYTICS_BAD_CONFIG at
    $.config.lapse_days, CLV_BAD_VALUE at $.summary.T[1]); every bad cell is listed."""

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

class Calendar:
    """A business calendar built from a definition (dict or JSON text), or from a
    list of definitions composed (a day is open only if open in all). Every question
    is an O(1) lookup; a date outside [first, last] raises CalendarError."""

    def __init__(
        self, definition: Union[Mapping[str, _JsonIn], Sequence[Mapping[str, _JsonIn]], str]
    ) -> None: ...
    @property
    def name(self) -> str: ...
    @property
    def first(self) -> datetime.date: ...
    @property
    def last(self) -> datetime.date: ...
    def is_business_day(self, date: _Date) -> bool: ...
    def next_business_day(self, date: _Date) -> datetime.date: ...
    def previous_business_day(self, date: _Date) -> datetime.date: ...
    def on_or_after(self, date: _Date) -> datetime.date: ...
    def on_or_before(self, date: _Date) -> datetime.date: ...
    def add_business_days(self, date: _Date, n: int) -> datetime.date: ...
    def count_business_days(self, start: _Date, end: _Date) -> int: ...
    def explain(self, date: _Date) -> _DayExplanation: ...

class ShippingPolicy:
    """A shop's shipping rules (cut-off, handling days, calendars, carriers,
    transit table, remote islands), from a definition (dict or JSON text)."""

    def __init__(self, definition: _Record) -> None: ...
    def plan(self, request: _Record, now: _Now = None) -> _ShipPlan: ...
    def plan_order(self, order: _Record, now: _Now = None) -> _ShipPlan: ...

class BatchPlanner:
    """Plans ship dates for many rows from Arrow columns, the GIL released.

    Columns in: ordered_at (timestamp of any unit, or int epoch seconds),
    destination (prefecture codes or names), optional policy and carrier (indexes
    into the constructor's lists), service (0/1/2 or ambient/chilled/frozen),
    handling_days, designated (date32; null = none). Out, as a pyarrow.Table:
    status (dictionary<int8, utf8>), ship_date, delivery_date, latest_ship_date
    (date32, null when absent), transit_days (uint8)."""

    def __init__(
        self,
        policies: Sequence[Union[Mapping[str, _JsonIn], str, ShippingPolicy]],
        carriers: Optional[Sequence[str]] = None,
        zone: Optional[str] = None,
    ) -> None: ...
    @property
    def zone(self) -> str: ...
    def plan(
        self, data: _ArrowRows, today: Optional[_Date] = None, threads: Optional[int] = None
    ) -> Any:
        """Returns a pyarrow.Table with one row per input row; `threads` (default: the
        machine's cores) does not change the result."""
        ...

class CustomerResolution:
    """The result of resolve_customers."""

    @property
    def table(self) -> Any:
        """A pyarrow.Table, one row per input row: id (the input's column),
        customer_id (uint64, null for a row left out), via_record (the older record
        of the first link that joined the row to a record before it, else null),
        rule (that link's rule)."""
        ...
    @property
    def links(self) -> List[_Link]: ...
    @property
    def giant_keys(self) -> List[_GiantKey]: ...
    @property
    def aliases(self) -> List[_Alias]: ...
    @property
    def issues(self) -> List[_Issue]:
        """Rows left out and fields that could not be used; paths $[row]..."""
        ...
    @property
    def next_customer_id(self) -> int: ...
    def candidates(self) -> List[_Candidate]:
        """Probable duplicates among different customers, computed on demand."""
        ...

class CustomerResolver:
    """An incremental resolver: insert records one at a time or a table at a time;
    merge, unmerge and mask recompute. Thread-safe; calls release the GIL."""

    def __init__(self, config: _IdentityConfig = None) -> None: ...
    def insert(self, record: _Record) -> _Placement: ...
    def insert_table(self, table: _ArrowRows) -> Any:
        """Returns a pyarrow.Table, one row per input row: id, customer_id (uint64,
        after the whole table; null for a row left out), new_customer (bool),
        issue (the code that left the row out, else null)."""
        ...
    def merge(self, a: str, b: str) -> int: ...
    def unmerge(self, a: str, b: str) -> Tuple[int, int]: ...
    def mask(self, record_id: str) -> int: ...
    def customer_of(self, record_id: str) -> Optional[int]: ...
    def canonical(self, customer_id: int) -> Optional[int]: ...
    def recompute(self) -> None: ...
    def candidates(self) -> List[_Candidate]: ...
    def snapshot(self) -> Dict[str, Any]:
        """{customers, clusters, links, blocked, giant_keys, candidates, aliases,
        decisions, issues, next_customer_id}"""
        ...
    @property
    def next_customer_id(self) -> int: ...
    def __len__(self) -> int: ...

class StockBook:
    """A stock book (on hand, reserved, incoming, buffer per SKU and location;
    reservations; the backorder queue; movements), with an allocator when an
    allocation policy is given. Thread-safe; calls release the GIL."""

    def __init__(
        self,
        catalog: _StockArg,
        levels: Union[Sequence[Mapping[str, _JsonIn]], str, None] = None,
        policy: Optional[_StockArg] = None,
        allocation: Optional[_StockArg] = None,
    ) -> None: ...
    def reserve(self, request: _StockArg) -> _ReservationOutcome:
        """request: {"order", "channel", "store"?, "lines": [{"listing_code"?,
        "sku"?, "quantity"}], "destination"?, "locations"?, "all_or_nothing"?}"""
        ...
    def reserve_order(self, order: _Record) -> _OrderReservation: ...
    def check(self, request: _StockArg) -> _ReservationOutcome:
        """Like reserve, without changing anything."""
        ...
    def receive(
        self, sku: str, location: str, quantity: int, expected: bool = False
    ) -> _ReservationOutcome: ...
    def expect(self, sku: str, location: str, quantity: int) -> None: ...
    def adjust(self, sku: str, location: str, delta: int) -> _ReservationOutcome: ...
    def set_level(
        self, sku: str, location: str, on_hand: int, incoming: int = 0, buffer: int = 0
    ) -> _ReservationOutcome: ...
    def cancel(self, order: str, lines: Optional[Sequence[int]] = None) -> _ReservationOutcome: ...
    def ship(self, order: str, lines: Optional[Sequence[int]] = None) -> _Shipment: ...
    def sync(self) -> List[_SyncDelta]:
        """What changed since the last sync (everything the first time)."""
        ...
    def allocation(self) -> List[_ListingQuantity]: ...
    def forget_pushed(self) -> None: ...
    def reconcile(self) -> _Reconciliation: ...
    def stock(self, sku: str) -> _StockView: ...
    def listing_free(self, channel: str, listing: str, store: Optional[str] = None) -> int: ...
    def queue(self, sku: str) -> List[_Backorder]: ...
    def order(self, order_id: str) -> _OrderStock: ...
    def movements(self) -> List[_Movement]:
        """The movements since the last call."""
        ...
    def reorder(
        self,
        as_of: _Date,
        sales: Optional[Sequence[Mapping[str, _JsonIn]]] = None,
        forecast: Optional[Mapping[str, _JsonIn]] = None,
    ) -> _Reorder: ...
    def step(self, step: _StockArg) -> Any:
        """One operation as {"<operation>": argument}, as in stock_session."""
        ...

class ShipmentPlanner:
    """A shipment policy (split keys, capacity, fees, items, carrier profiles,
    mail profile, max packets, auto merge), checked once; reuse it for a batch.
    Immutable and thread-safe; calls release the GIL."""

    def __init__(self, options: Optional[_Record] = None) -> None: ...
    def split(self, order: _Record, stock: _Stock = None) -> _ShipmentPlan: ...
    def split_all(self, orders: _Orders) -> List[_ShipmentPlan]:
        """split over each order, without stock; the first bad order raises
        (paths $.orders[i]...)."""
        ...
    def mail(self, order: _Record) -> _MailVerdict: ...
    def merge_candidates(self, orders: _Orders, facts: _Facts = None) -> _MergeCandidates: ...
    def merge_check(self, orders: _Orders, facts: _Facts = None) -> _MergeCheck:
        """Exactly two orders."""
        ...
    def merge(self, orders: _Orders, facts: _Facts = None, stock: _Stock = None) -> _ShipmentPlan: ...
    def unmerge(self, merged: _Record, orders: _Orders, stock: _Stock = None) -> _Unmerged: ...

class OrderHistory:
    """An order history in columns (one row per order; SKU lines optional) with each
    order's day in the shop's zone, for sales, RFM, CPM, the customer balance
    sheet, repeat and cohort analyses and CLV summaries. Immutable and thread-safe;
    building it and every analysis release the GIL.

    orders: an Arrow table (pyarrow Table / RecordBatch / RecordBatchReader, polars
    DataFrame, anything with __arrow_c_stream__ or __arrow_c_array__), read straight
    from its buffers, with columns
      customer (strings or dictionary, or integers; required),
      ordered_at (required: timestamp with a zone = an instant; without one = the
        shop's local time; date = local midnight; integers = UTC seconds; floored
        to the second),
      amount (required, in currency units: integers, decimal128/256 with no more
        digits than the currency, or floats that are whole minor units),
      status (strings; "cancelled"/"canceled") or cancelled (bool), units (ints),
      channel, store, payment_method, shipping_method, cancel_reason, age_band,
      gender (strings), id (strings or integers, which lines' order_id refers to);
    or the JSON face's forms: a list of row dicts (each with its "lines"), a dict of
    column lists, or either as JSON text. lines: an Arrow table of order (the order's row) or order_id,
    sku, product, quantity, amount; or with column-form orders a dict of column
    lists with order. Other columns are ignored. Every bad cell raises together
    (AnalyticsError, issues at $.orders.<column>[row] or $.lines.<column>[row]).

    Results: a pyarrow.Table with int64, float64, decimal128(38, scale) for money,
    utf8, dictionary<int32, utf8> for customer ids, date32 and bool columns (floats
    rounded to the config's `decimals`); with output="rows", the JSON face's rows."""

    def __init__(
        self,
        orders: Union[
            _ArrowRows, Sequence[Mapping[str, _JsonIn]], Mapping[str, Sequence[_JsonIn]], str
        ],
        lines: Union[_ArrowRows, Mapping[str, Sequence[_JsonIn]], str, None] = None,
        *,
        zone: str = "Asia/Tokyo",
        currency: str = "JPY",
    ) -> None: ...
    def __len__(self) -> int: ...
    def describe(self) -> Dict[str, Any]:
        """{"orders", "customers", "lines", "cancelled", "first_date", "last_date"
        (ISO text, None when empty), "zone", "currency"}"""
        ...
    def sales(self, query: Optional[_AnalyticsConfig] = None, *, output: str = "table") -> _Result:
        """query: {"group_by": [axes], "from"?, "to"?, "include_cancelled"?,
        "decimals"?}; axes: date, year_month, year, month, day, weekday, hour,
        channel, store, product, sku, payment_method, cancel_reason,
        shipping_method, age_band, gender. Columns: the axes, orders, units,
        revenue, average_order_value, customers."""
        ...
    def rfm(self, config: _AnalyticsConfig, *, output: str = "table") -> _Result:
        """config: {"as_of", "scoring"?, "ranks"?, "default_rank"?}. One row per
        customer: customer, recency, frequency, monetary, first_purchase,
        last_purchase, r, f, m, score, rank."""
        ...
    def rfm_grid(self, config: _AnalyticsConfig, *, output: str = "table") -> _Result:
        """The 5x5 grid: r, f, customers, monetary, share."""
        ...
    def cpm(self, config: _AnalyticsConfig, *, output: str = "table") -> _Result:
        """config: {"as_of", "lapse_days"?, "early_tenure_days"?,
        "loyal_tenure_days"?, "spend"?}. One row per customer with its segment."""
        ...
    def cpm_segments(self, config: _AnalyticsConfig, *, output: str = "table") -> _Result:
        """The ten segments with their customers and spend."""
        ...
    def cpm_flows(
        self, config: _AnalyticsConfig, to: _Date, *, output: str = "table"
    ) -> _Result:
        """Customers by (segment at config["as_of"], segment at `to`)."""
        ...
    def balance_sheet(self, config: _AnalyticsConfig, *, output: str = "table") -> Dict[str, _Result]:
        """{"classes", "flows", "projection"}: three tables (or three row lists)."""
        ...
    def f2(self, config: _AnalyticsConfig, *, output: str = "table") -> _Result: ...
    def repeat_rates(self, config: _AnalyticsConfig, *, output: str = "table") -> _Result: ...
    def cohorts(self, config: _AnalyticsConfig, *, output: str = "table") -> _Result: ...
    def channel_ltv(self, config: _AnalyticsConfig, *, output: str = "table") -> _Result: ...
    def clv_summary(self, config: _AnalyticsConfig, *, output: str = "table") -> _Result:
        """config: {"observation_end", "period_days"?}. Columns: customer, frequency,
        recency, T, monetary_value (as the lifetimes package defines them); the
        table is a summary fit_clv and predict_clv take."""
        ...

def holidays(source: _HolidaySource, year: int) -> _Holidays: ...
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
def normalize_name(value: str) -> str: ...
def normalize_kana(value: str) -> str: ...
def normalize_phone(value: str) -> _Normalized: ...
def normalize_email(
    value: str, relays: Optional[Sequence[Mapping[str, Optional[str]]]] = None
) -> _Normalized: ...
def normalize_postal_code(value: str) -> str: ...
def normalize_address(
    *,
    postal_code: Optional[str] = None,
    prefecture: Optional[str] = None,
    address1: Optional[str] = None,
    address2: Optional[str] = None,
) -> _Address: ...
def describe_identity_config(config: _IdentityConfig = None) -> Dict[str, Any]:
    """{"rules": [{"name", "fields"}], "max_key_records"}"""
    ...
def resolve_customers(
    table: _ArrowRows, config: _IdentityConfig = None, decisions: _Decisions = None
) -> CustomerResolution:
    """Columns: id, channel (strings, required); store, name, kana, phone, email,
    postal_code, prefecture, address1, address2, member_id (strings); customer_id
    (integers, prior ids kept); masked (booleans). Resolved with the GIL released."""
    ...
def resolve_customers_json(
    records: Union[Sequence[Mapping[str, _JsonIn]], str],
    config: _IdentityConfig = None,
    decisions: _Decisions = None,
) -> Dict[str, Any]: ...
def customer_summary(input: _Record) -> Dict[str, Any]:
    """birthday is a datetime.date; first_order_at / last_order_at RFC 3339 strings;
    spend a string."""
    ...
def customer_triage_facts(input: _Record) -> _TriageFacts: ...
def mask_customer(input: _Record) -> Dict[str, Any]:
    """{"records": [{"record", "masked", "due_on": datetime.date, "party", "removed"}]}"""
    ...

def stock_session(input: _StockArg) -> Dict[str, Any]:
    """{"catalog", "levels"?, "policy"?, "allocation"?, "steps"} -> {"results": [...]};
    a refused step's result is {"error": {"code", "message", "issues"}}."""
    ...
def allocate_stock(
    catalog: _StockArg, allocation: _StockArg, levels: _ArrowRows
) -> Tuple[Any, List[_Issue]]:
    """levels columns: sku, location (strings), on_hand, reserved?, buffer?
    (integers). Returns (pyarrow.Table[channel, store, listing, quantity: int64],
    issues at $.levels[row]...). Computed with the GIL released."""
    ...
def drop_ship_totals(
    catalog: _StockArg, lines: Union[Sequence[Mapping[str, _JsonIn]], str]
) -> _DropShip: ...
def reorder_quantity(position: int, point: int, target: int, lot: int = 1) -> int: ...

def largest_remainder(total: int, weights: Sequence[int]) -> List[int]:
    """Shares total out in proportion to weights by largest remainder; the shares
    add up to total exactly."""
    ...
def builtin_profiles() -> List[Dict[str, Any]]:
    """The built-in mail-packet profiles: nekopos, yu_packet, click_post, dm_bin."""
    ...

def fit_clv(
    summary: Union[_ArrowRows, Sequence[Mapping[str, _JsonIn]], Mapping[str, Sequence[_JsonIn]], str],
    options: Optional[_AnalyticsConfig] = None,
) -> Dict[str, Any]:
    """Fits BG/NBD, and Gamma-Gamma when the summary has monetary_value, by maximum
    likelihood. summary: an Arrow table (OrderHistory.clv_summary's, pyarrow,
    polars) with frequency, recency, T, monetary_value?, weights? (floats or
    integers), or the JSON face's rows or columns. options: penalizer, tolerance,
    max_iterations, decimals. Returns {"bgnbd": {"r", "alpha", "a", "b",
    "diagnostics"}, "gamma_gamma": {"p", "q", "v", "diagnostics"} or None}."""
    ...
def predict_clv(
    summary: Union[_ArrowRows, Sequence[Mapping[str, _JsonIn]], Mapping[str, Sequence[_JsonIn]], str],
    options: _AnalyticsConfig,
    *,
    output: str = "table",
) -> _Result:
    """Per summary row: expected_purchases (over options["periods"]),
    probability_alive, and with options["gamma_gamma"] and monetary_value,
    expected_average_value and clv (over "months", "discount_rate" per month,
    "period_days" per period). options["bgnbd"] is fit_clv's model. A pyarrow.Table
    (the summary's customer column first when it has one), or the JSON face's rows."""
    ...

__all__ = [
    "EXAMPLE_RULE_SET_JSON",
    "SAMPLE_ORDER_JSON",
    "AnalyticsError",
    "BatchPlanner",
    "Calendar",
    "CalendarError",
    "CustomerResolution",
    "CustomerResolver",
    "IchigenError",
    "IdentityError",
    "InputError",
    "LifecycleError",
    "OrderError",
    "OrderHistory",
    "RuleSet",
    "RuleSetError",
    "ShipmentError",
    "ShipmentPlanner",
    "ShippingError",
    "ShippingPolicy",
    "StockBook",
    "StockError",
    "__version__",
    "allocate_stock",
    "apply_event",
    "builtin_profiles",
    "customer_summary",
    "customer_triage_facts",
    "describe_identity_config",
    "drop_ship_totals",
    "dry_run",
    "fit_clv",
    "holidays",
    "largest_remainder",
    "mask_customer",
    "normalize_address",
    "normalize_email",
    "normalize_kana",
    "normalize_name",
    "normalize_phone",
    "normalize_postal_code",
    "parse_order",
    "predict_clv",
    "reorder_quantity",
    "resolve_customers",
    "resolve_customers_json",
    "stock_session",
    "triage",
    "validate_order",
]
