// Quickstart: load the example rule set, triage the sample order, print the status.
// Run it from bindings/node after `npm run build:debug`: node examples/quickstart.mjs
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { EXAMPLE_RULE_SET_JSON, RuleSet, SAMPLE_ORDER_JSON, triage, validateOrder } = require('../index.js')

const rules = RuleSet.fromJson(EXAMPLE_RULE_SET_JSON)
console.log(`rule set ${rules.name} (${rules.mode}): ${rules.ruleIds.length} rules`)

const order = JSON.parse(SAMPLE_ORDER_JSON)
const report = validateOrder(order)
console.log(`order ${order.id}: valid=${report.valid}, total ${report.totals.total} ${report.totals.currency}`)

// A remark from the buyer: the example rules hold the order for a person to check.
order.remarks = 'Please deliver in the evening'
const { outcome } = triage(rules, order, { customer: { purchase_count: 1 } })
console.log(`matched ${outcome.matched.join(', ')}`)
console.log(`status: ${outcome.status}`)
