"""The generated Swift, Package.swift and the README's Swift snippets, checked with
tree-sitter-swift: there is no Swift compiler on the project's machines.

tree-sitter-swift 0.7.4 cannot parse an attribute standing alone inside
`#if swift(>=5.8) … #endif`, which uniffi 0.32 emits before many declarations:

    #if swift(>=5.8)
    @_documentation(visibility: private)
    #endif

Exactly those three-line blocks are blanked (replaced by spaces, keeping line
numbers) before the parse. The tests check that the workaround hides nothing
else: every blanked block is that exact text, every `#if swift(>=5.8)` and every
`@_documentation` of the file is in one, and every parse error of the unblanked
file lies in a blanked block, one per block.
"""

import re

import pytest
import tree_sitter
import tree_sitter_swift

from conftest import GENERATED_SWIFT, SWIFT_DIR

ATTRIBUTE_BLOCK = re.compile(
    r"^[ \t]*#if swift\(>=5\.8\)\n[ \t]*@_documentation\(visibility: private\)\n[ \t]*#endif\n",
    re.MULTILINE,
)

PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_swift.language()))


def parse(text):
    return PARSER.parse(text.encode("utf-8")).root_node


def nodes(node):
    yield node
    for child in node.children:
        yield from nodes(child)


def problems(root):
    """ERROR and MISSING nodes, as (first line, last line, kind), 0-based lines."""
    return [
        (n.start_point.row, n.end_point.row, "MISSING" if n.is_missing else "ERROR")
        for n in nodes(root)
        if n.type == "ERROR" or n.is_missing
    ]


def blank_attribute_blocks(text):
    """The text with the attribute blocks blanked, and the blocks' line ranges."""
    blocks = []

    def blank(m):
        first = text.count("\n", 0, m.start())
        blocks.append((first, first + 2))
        return re.sub(r"[^\n]", " ", m.group(0))

    return ATTRIBUTE_BLOCK.sub(blank, text), blocks


@pytest.fixture(scope="module")
def swift_text():
    return GENERATED_SWIFT.read_text(encoding="utf-8")


def test_blanking_touches_only_the_attribute_blocks(swift_text):
    blanked, blocks = blank_attribute_blocks(swift_text)
    assert len(blocks) > 0
    # Every occurrence of the directive and of the attribute is inside a blanked block.
    assert swift_text.count("#if swift(>=5.8)") == len(blocks)
    assert swift_text.count("@_documentation") == len(blocks)
    # Nothing but those 3 lines per block changed.
    changed = [
        i
        for i, (a, b) in enumerate(zip(swift_text.split("\n"), blanked.split("\n")))
        if a != b
    ]
    assert len(changed) == 3 * len(blocks)
    assert len(blanked) == len(swift_text)


def test_every_raw_parse_error_is_one_of_the_blanked_blocks(swift_text):
    _, blocks = blank_attribute_blocks(swift_text)
    raw = problems(parse(swift_text))

    def block_of(problem):
        first, last, _ = problem
        hits = [b for b in blocks if b[0] <= first and last <= b[1]]
        assert hits, f"parse problem outside the attribute blocks, lines {first + 1}-{last + 1}: {problem}"
        return hits[0]

    # One error per block, and no error elsewhere: the workaround hides exactly the
    # grammar's known gap.
    assert sorted(block_of(p) for p in raw) == sorted(blocks)


def test_generated_swift_parses_without_errors(swift_text):
    blanked, _ = blank_attribute_blocks(swift_text)
    assert problems(parse(blanked)) == []


def test_package_swift_parses_without_errors():
    text = (SWIFT_DIR / "Package.swift").read_text(encoding="utf-8")
    assert "IchigenFFI" in text and "Sources/Ichigen" in text
    assert problems(parse(text)) == []


def readme_snippets():
    text = (SWIFT_DIR / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```swift\n(.*?)```", text, re.DOTALL)


# What the README's snippets call besides the generated API.
SWIFT_STANDARD = {"print", "Date", "Data", "Int"}
# Constructors of the generated API, with their labels (a record's memberwise init).
INITIALIZERS = {
    "BatchPlanner": ["policiesJson", "carriers", "zone"],
    "BatchColumns": ["orderedAt", "destination", "policy", "carrier", "service", "handlingDays", "designated"],
    "CustomerResolver": ["configJson"],
    "StockBook": ["catalogJson", "levelsJson", "policyJson", "allocationJson"],
    "StockSnapshotRow": ["sku", "location", "onHand", "reserved", "buffer"],
    "ShipmentPlanner": ["optionsJson"],
    "OrderHistory": ["historyJson"],
}


def own_nodes(node):
    """The nodes under `node` that do not belong to a nested call (whose labels are
    that call's own)."""
    yield node
    for child in node.children:
        if child.type != "call_expression":
            yield from own_nodes(child)


def calls(root):
    """(callee, argument labels) of every call expression."""
    out = []
    for n in nodes(root):
        if n.type != "call_expression":
            continue
        labels = [
            text_of(label).rstrip(":").strip()
            for arg in own_nodes(n.children[1])
            if arg.type == "value_argument"
            for label in arg.children
            if label.type == "value_argument_label"
        ]
        out.append((text_of(n.children[0]), labels))
    return out


def test_readme_swift_snippets_parse_and_call_the_generated_api(swift_text):
    snippets = readme_snippets()
    assert snippets
    root = parse(blank_attribute_blocks(swift_text)[0])
    api = {name: params for name, params, _ in functions(root) if name in TOP_LEVEL}
    api.update(
        {
            f"RuleSet.{name}": params
            for name, params, _ in functions(declaration(root, "RuleSet"))
            if name in RULE_SET
        }
    )
    for obj, methods in OBJECTS.items():
        api.update(
            {f"{obj}.{name}": params for name, params, _ in functions(declaration(root, obj)) if name in methods}
        )
    api.update(INITIALIZERS)
    checked = 0
    for snippet in snippets:
        snippet_root = parse(snippet)
        assert problems(snippet_root) == [], snippet
        for callee, labels in calls(snippet_root):
            if callee in SWIFT_STANDARD or "." in callee and callee.split(".")[0] not in {"RuleSet", *OBJECTS}:
                continue
            assert callee in api, f"README calls {callee}, which the generated Swift lacks"
            assert set(labels) <= set(api[callee]), f"README calls {callee} with labels {labels}"
            checked += 1
    assert checked >= 5


def text_of(node):
    return node.text.decode("utf-8")


def functions(root):
    """(name, parameter names, throws) of every function declaration."""
    out = []
    for n in nodes(root):
        if n.type != "function_declaration":
            continue
        name = n.child_by_field_name("name")
        params = [
            text_of(next(c for c in p.children if c.type == "simple_identifier"))
            for p in n.children
            if p.type == "parameter"
        ]
        throws = any(c.type == "throws" for c in n.children)
        out.append((text_of(name), params, throws))
    return out


def declaration(root, name):
    for n in nodes(root):
        if n.type in ("class_declaration", "protocol_declaration"):
            type_name = n.child_by_field_name("name")
            if type_name is not None and text_of(type_name) == name and n.type == "class_declaration":
                return n
    raise AssertionError(f"no declaration of {name}")


def members(decl):
    body = decl.child_by_field_name("body")
    props, entries = [], []
    for c in body.children:
        if c.type == "property_declaration":
            pattern = c.child_by_field_name("name")
            props.append(text_of(pattern))
        if c.type == "enum_entry":
            entries.append(text_of(c.child_by_field_name("name")))
    return props, entries


TOP_LEVEL = {
    "validateOrder": (["orderJson"], True),
    "parseOrder": (["orderJson"], True),
    "applyEvent": (["orderJson", "eventJson", "actorJson", "now"], True),
    "triage": (["ruleSet", "orderJson", "contextJson", "now"], True),
    "dryRun": (["ruleSet", "ordersJson", "contextsJson", "now"], True),
    "sampleOrderJson": ([], False),
    "exampleRuleSetJson": ([], False),
    "holidays": (["source", "year"], True),
    "prefectureCode": (["text"], False),
    "normalizeName": (["value"], False),
    "normalizeKana": (["value"], False),
    "normalizePhone": (["value"], True),
    "normalizeEmail": (["value", "relaysJson"], True),
    "normalizePostalCode": (["value"], True),
    "normalizeAddress": (["address1", "address2", "postalCode", "prefecture"], True),
    "describeIdentityConfig": (["configJson"], True),
    "resolveCustomers": (["recordsJson", "configJson", "decisionsJson"], True),
    "customerSummary": (["inputJson"], True),
    "customerTriageFacts": (["inputJson"], True),
    "maskCustomer": (["inputJson"], True),
    "stockSession": (["inputJson"], True),
    "allocateStock": (["catalogJson", "allocationJson", "levels"], True),
    "dropShipTotals": (["catalogJson", "linesJson"], True),
    "reorderQuantity": (["position", "point", "target", "lot"], False),
    "largestRemainder": (["total", "weights"], False),
    "builtinProfilesJson": ([], False),
    "fitClv": (["summaryJson", "optionsJson"], True),
    "predictClv": (["summaryJson", "optionsJson"], True),
}
RULE_SET = {
    "fromJson": (["text"], True),
    "fromToml": (["text"], True),
    "name": ([], False),
    "mode": ([], False),
    "ruleIds": ([], False),
    "toJson": ([], False),
}
# The methods of the other objects (Foundation has a `Calendar`, hence BusinessCalendar).
OBJECTS = {
    "BusinessCalendar": {
        "fromJson": (["text"], True),
        "name": ([], False),
        "first": ([], False),
        "last": ([], False),
        "isBusinessDay": (["date"], True),
        "nextBusinessDay": (["date"], True),
        "previousBusinessDay": (["date"], True),
        "onOrAfter": (["date"], True),
        "onOrBefore": (["date"], True),
        "addBusinessDays": (["date", "days"], True),
        "countBusinessDays": (["fromDate", "toDate"], True),
        "explain": (["date"], True),
    },
    "ShippingPolicy": {
        "fromJson": (["text"], True),
        "plan": (["requestJson", "now"], True),
        "planOrder": (["orderJson", "now"], True),
    },
    "BatchPlanner": {
        "zone": ([], False),
        "plan": (["columns", "today"], True),
    },
    "CustomerResolver": {
        "insert": (["recordJson"], True),
        "merge": (["recordA", "recordB"], True),
        "unmerge": (["recordA", "recordB"], True),
        "mask": (["recordId"], True),
        "customerOf": (["recordId"], False),
        "canonical": (["customerId"], False),
        "recompute": ([], False),
        "candidatesJson": ([], False),
        "snapshotJson": ([], False),
        "count": ([], False),
        "nextCustomerId": ([], False),
    },
    "StockBook": {
        "reserve": (["requestJson"], True),
        "reserveOrder": (["orderJson"], True),
        "check": (["requestJson"], True),
        "receive": (["sku", "location", "quantity", "expected"], True),
        "expect": (["sku", "location", "quantity"], True),
        "adjust": (["sku", "location", "delta"], True),
        "setLevel": (["levelJson"], True),
        "cancel": (["order", "lines"], True),
        "ship": (["order", "lines"], True),
        "sync": ([], True),
        "allocation": ([], True),
        "forgetPushed": ([], True),
        "reconcile": ([], False),
        "stock": (["sku"], True),
        "listingFree": (["channel", "listing", "store"], True),
        "queue": (["sku"], True),
        "order": (["orderId"], True),
        "movements": ([], False),
        "reorder": (["asOf", "salesJson", "forecastJson"], True),
        "step": (["stepJson"], True),
    },
    "ShipmentPlanner": {
        "split": (["orderJson", "stockJson"], True),
        "splitAll": (["ordersJson"], True),
        "mail": (["orderJson"], True),
        "mergeCandidates": (["ordersJson", "factsJson"], True),
        "mergeCheck": (["ordersJson", "factsJson"], True),
        "merge": (["ordersJson", "factsJson", "stockJson"], True),
        "unmerge": (["mergedJson", "ordersJson", "stockJson"], True),
    },
    "OrderHistory": {
        "describe": ([], True),
        "sales": (["queryJson"], True),
        "rfm": (["configJson"], True),
        "rfmJson": (["configJson"], True),
        "cpm": (["configJson"], True),
        "cpmJson": (["configJson"], True),
        "balanceSheet": (["configJson"], True),
        "repeatAndCohorts": (["configJson"], True),
        "clvSummary": (["configJson"], True),
        "clvSummaryJson": (["configJson"], True),
    },
}
RECORDS = {
    "Issue": ["code", "path", "message"],
    "ValidationReport": ["valid", "issues", "totalsJson"],
    "EventResult": ["status", "applied", "orderJson"],
    "TriageSummary": ["status", "holds", "tags", "matchedRules", "outcomeJson", "orderJson"],
    "Holiday": ["date", "name"],
    "HolidayList": ["holidays", "workdays"],
    "DayExplanation": ["date", "businessDay", "text", "reasonsJson"],
    "ShipDatePlan": [
        "status",
        "startDate",
        "earliestShipDate",
        "shipDate",
        "deliveryDate",
        "transitDays",
        "designatedDate",
        "latestShipDate",
        "earliestDeliveryDate",
        "problems",
        "explanation",
        "contextJson",
        "planJson",
    ],
    "BatchColumns": ["orderedAt", "destination", "policy", "carrier", "service", "handlingDays", "designated"],
    "BatchPlan": ["status", "shipDate", "deliveryDate", "latestShipDate", "transitDays", "statusNames"],
    "NormalizedPhone": ["value", "kind"],
    "NormalizedEmail": ["value", "kind"],
    "NormalizedAddress": ["postalCode", "prefecture", "prefectureCode", "street", "building"],
    "CustomerPlacement": ["customerId", "newCustomer", "absorbed", "issues", "recomputed", "placementJson"],
    "CustomerSummary": [
        "customerId",
        "orderCount",
        "spend",
        "tier",
        "repeatCustomer",
        "crossChannel",
        "repeatCandidate",
        "vip",
        "caution",
        "summaryJson",
    ],
    "CustomerFacts": ["caution", "vip", "purchaseCount", "contextJson"],
    "MaskedRecord": ["record", "masked", "dueOn", "partyJson", "removed"],
    "StockReservation": ["order", "line", "sku", "location", "quantity"],
    "StockBackorder": ["order", "line", "sku", "quantity"],
    "ReservationOutcome": ["reserved", "backordered", "completedOrders"],
    "OrderStockFacts": ["allLinesReservable", "awaitingStock", "contextJson"],
    "OrderReservation": ["outcome", "facts"],
    "OrderStock": ["facts", "reservations"],
    "ShipmentOutcome": ["shipped", "stillWaiting"],
    "SyncDelta": ["channel", "store", "listing", "quantity", "previous"],
    "ListingQuantity": ["channel", "store", "listing", "quantity"],
    "StockMismatch": ["sku", "location", "counted", "fromRecords"],
    "Reconciliation": ["ok", "mismatches", "problems", "reservations", "backorderedUnits"],
    "StockCell": ["sku", "location", "onHand", "reserved", "incoming", "buffer", "free"],
    "StockView": ["sku", "onHand", "reserved", "incoming", "free", "backordered", "locations"],
    "StockMovement": ["seq", "kind", "sku", "location", "quantity", "order", "line"],
    "StockSnapshotRow": ["sku", "location", "onHand", "reserved", "buffer"],
    "StockAllocation": ["quantities", "issues"],
    "DropShipLine": ["sku", "quantity", "channels"],
    "DropShipTotal": ["supplier", "lines", "units"],
    "DropShipTotals": ["totals", "issues"],
    "MailReason": ["code", "line"],
    "MailJudgement": [
        "profile",
        "eligible",
        "load",
        "packets",
        "outcome",
        "reasons",
        "fitsOnePacket",
        "packetsNeeded",
        "contextJson",
    ],
    "MergeCheck": ["mergeable", "differs"],
    "HistoryDescription": ["orders", "customers", "lines", "cancelled", "firstDate", "lastDate", "zone", "currency"],
    "RfmCustomer": [
        "customer", "recency", "frequency", "monetary", "firstPurchase", "lastPurchase", "r", "f", "m", "score", "rank"
    ],
    "CpmCustomer": [
        "customer", "segment", "label", "cpmClass", "active", "purchases", "spend", "tenure", "daysSinceLast",
        "firstPurchase", "lastPurchase",
    ],
    "ClvCustomer": ["customer", "frequency", "recency", "t", "monetaryValue"],
    "FitDiagnostics": [
        "converged", "iterations", "evaluations", "logLikelihood", "gradientNorm", "customers", "distinctRows",
        "message",
    ],
    "BgNbdFit": ["r", "alpha", "a", "b", "diagnostics"],
    "GammaGammaFit": ["p", "q", "v", "diagnostics"],
    "ClvFit": ["bgnbd", "gammaGamma"],
    "ClvPrediction": ["customer", "expectedPurchases", "probabilityAlive", "expectedAverageValue", "clv"],
}
ENUMS = {
    "Applied": ["changed", "unchanged"],
    "MatchMode": ["firstMatch", "allMatching"],
    "IchigenError": [
        "InvalidOrder",
        "InvalidRuleSet",
        "Lifecycle",
        "InvalidCalendar",
        "OutOfRange",
        "InvalidShipping",
        "InvalidIdentity",
        "InvalidStock",
        "InvalidShipment",
        "InvalidAnalytics",
        "InvalidInput",
        "Unexpected",
    ],
    "PhoneKind": ["mobile", "landline", "tollFree", "ip", "sharedCost", "m2m", "international"],
    "EmailKind": ["ordinary", "rakutenRelay", "amazonAnonymized", "relay"],
    "PlanStatus": ["ok", "awaitingShipDate", "designatedInfeasible", "transitMissing"],
    "HolidaySource": ["japan", "china", "chinaSchedule", "list", "csv"],
    "MailOutcome": ["mailPacket", "packets", "box"],
    "StockMovementKind": [
        "receipt", "adjustment", "reservation", "release", "shipment", "backorder", "incoming", "buffer"
    ],
    "CpmSegment": [
        "firstActive", "firstLapsed", "earlyActive", "earlyLapsed", "steadyActive", "steadyLapsed", "trendyActive",
        "trendyLapsed", "loyalActive", "loyalLapsed",
    ],
    "CpmClass": ["first", "early", "steady", "trendy", "loyal"],
}


def test_the_swift_api(swift_text):
    root = parse(blank_attribute_blocks(swift_text)[0])
    top = {name: (params, throws) for name, params, throws in functions(root) if name in TOP_LEVEL}
    assert top == TOP_LEVEL
    rule_set = {
        name: (params, throws)
        for name, params, throws in functions(declaration(root, "RuleSet"))
        if name in RULE_SET
    }
    assert rule_set == RULE_SET
    for obj, methods in OBJECTS.items():
        found = {
            name: (params, throws)
            for name, params, throws in functions(declaration(root, obj))
            if name in methods
        }
        assert found == methods, obj
    # The constructors, with their defaults.
    planner = text_of(declaration(root, "BatchPlanner"))
    assert "public convenience init(policiesJson: String, carriers: [String]? = nil, zone: String? = nil)" in planner
    resolver = text_of(declaration(root, "CustomerResolver"))
    assert "public convenience init(configJson: String? = nil)" in resolver
    book = text_of(declaration(root, "StockBook"))
    assert (
        "public convenience init(catalogJson: String, levelsJson: String? = nil, policyJson: String? = nil, "
        "allocationJson: String? = nil)"
    ) in book
    shipments = text_of(declaration(root, "ShipmentPlanner"))
    assert "public convenience init(optionsJson: String? = nil)throws" in shipments
    # The defaults Swift callers may leave out.
    assert "expected: Bool = false" in book
    assert "lines: [UInt32]? = nil" in book
    assert "store: String? = nil" in book
    assert "salesJson: String? = nil, forecastJson: String? = nil" in book
    assert "lot: UInt32 = UInt32(1)" in swift_text
    assert "split(orderJson: String, stockJson: String? = nil)" in shipments
    assert "mergeCandidates(ordersJson: String, factsJson: String? = nil)" in shipments
    assert "mergeCheck(ordersJson: String, factsJson: String? = nil)" in shipments
    assert "merge(ordersJson: String, factsJson: String? = nil, stockJson: String? = nil)" in shipments
    assert "unmerge(mergedJson: String, ordersJson: String, stockJson: String? = nil)" in shipments
    assert "largestRemainder(total: Int64, weights: [Int64]) -> [Int64]" in swift_text
    history = text_of(declaration(root, "OrderHistory"))
    assert "public convenience init(historyJson: String)throws" in history
    assert "sales(queryJson: String? = nil)" in history
    assert "fitClv(summaryJson: String, optionsJson: String? = nil)throws  -> ClvFit" in swift_text
    assert "predictClv(summaryJson: String, optionsJson: String)throws  -> [ClvPrediction]" in swift_text
    row = text_of(declaration(root, "StockSnapshotRow"))
    assert "reserved: Int64 = Int64(0)" in row and "buffer: Int64 = Int64(0)" in row
    for record, fields in RECORDS.items():
        props, _ = members(declaration(root, record))
        assert props[: len(fields)] == fields, record
    for enum, cases in ENUMS.items():
        _, entries = members(declaration(root, enum))
        assert entries == cases, enum
    # Errors are thrown as a Swift Error.
    error = declaration(root, "IchigenError")
    assert "Swift.Error" in text_of(error).split("{", 1)[0]
