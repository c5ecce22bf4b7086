"""Quickstart: load the example rule set, triage the sample order, print the result."""

import json

import ichigen

rules = ichigen.RuleSet.from_json(ichigen.EXAMPLE_RULE_SET_JSON)
print(f"rule set {rules.name!r} ({rules.mode}): {', '.join(rules.rule_ids)}")

order = json.loads(ichigen.SAMPLE_ORDER_JSON)
report = ichigen.validate_order(order)
print(f"order {order['id']}: valid={report['valid']} total={report['totals']['total']}")

result = ichigen.triage(rules, order, now="2026-11-23T03:00:00Z")
outcome = result["outcome"]
print(f"status: {outcome['status']} (matched: {', '.join(outcome['matched'])})")

try:
    ichigen.apply_event(result["order"], {"type": "complete"})
except ichigen.LifecycleError as e:
    print(f"refused: {e.code}")
