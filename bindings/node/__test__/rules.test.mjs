// RuleSet, triage, dryRun and dryRunAsync through the binding.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import ichigen from './load.mjs'

const { RuleSet } = ichigen
const sample = () => JSON.parse(ichigen.SAMPLE_ORDER_JSON)
const NOW = '2026-11-23T03:00:00Z'

const TOML = `
name = "toml example"
mode = "first_match"

[[rules]]
id = "bank"
when = { payment_method = ["bank_transfer", "convenience_store"] }
then = [ { set_status = "awaiting_payment" } ]

[[rules]]
id = "rest"
then = [ { set_status = "ready" } ]
`

test('RuleSet.fromJson: getters and toJSON', () => {
  const rs = RuleSet.fromJson(ichigen.EXAMPLE_RULE_SET_JSON)
  const source = JSON.parse(ichigen.EXAMPLE_RULE_SET_JSON)
  assert.equal(rs.name, source.name)
  assert.equal(rs.mode, source.mode)
  assert.deepEqual(
    rs.ruleIds,
    source.rules.map((r) => r.id),
  )
  const def = rs.toJSON()
  assert.equal(def.name, source.name)
  assert.equal(def.rules.length, source.rules.length)
  assert.deepEqual(JSON.parse(JSON.stringify(rs)), def)
})

test('RuleSet.fromObject and fromJson agree; toJSON round-trips', () => {
  const a = RuleSet.fromJson(ichigen.EXAMPLE_RULE_SET_JSON)
  const b = RuleSet.fromObject(JSON.parse(ichigen.EXAMPLE_RULE_SET_JSON))
  const c = RuleSet.fromObject(a.toJSON())
  assert.deepEqual(b.toJSON(), a.toJSON())
  assert.deepEqual(c.toJSON(), a.toJSON())
})

test('RuleSet.fromToml, with the default and an explicit mode', () => {
  const rs = RuleSet.fromToml(TOML)
  assert.equal(rs.name, 'toml example')
  assert.equal(rs.mode, 'first_match')
  assert.deepEqual(rs.ruleIds, ['bank', 'rest'])
  const noMode = RuleSet.fromToml('name = "n"\n[[rules]]\nid = "x"\nthen = [ { set_status = "ready" } ]\n')
  assert.equal(noMode.mode, 'first_match')
})

test('RuleSet has no public constructor', () => {
  assert.throws(() => new RuleSet())
})

test('triage applies the rules and returns the triaged order', () => {
  const rs = RuleSet.fromToml(TOML)
  const order = sample()
  order.payment = { method: 'bank_transfer', status: 'unpaid' }
  const { order: out, outcome } = ichigen.triage(rs, order, null, NOW)
  assert.equal(outcome.order_id, order.id)
  assert.deepEqual(outcome.matched, ['bank'])
  assert.equal(outcome.status, 'awaiting_payment')
  assert.equal(out.id, order.id)
  assert.notEqual(out.state?.phase, 'new')
  // The input object is not modified.
  assert.equal(order.state, undefined)
})

test('triage: context as an object or JSON text, now as a Date or a string', () => {
  const rs = RuleSet.fromJson(ichigen.EXAMPLE_RULE_SET_JSON)
  const context = { customer: { caution: true, purchase_count: 3 } }
  const a = ichigen.triage(rs, sample(), context, NOW)
  const b = ichigen.triage(rs, ichigen.SAMPLE_ORDER_JSON, JSON.stringify(context), new Date(NOW))
  assert.deepEqual(b, a)
  assert.ok(a.outcome.matched.includes('caution-customer'))
  assert.equal(a.outcome.status, 'needs_check')
  // Without the customer fact the caution rule is unknown, never guessed.
  const unknown = ichigen.triage(rs, sample(), undefined, NOW).outcome
  assert.ok(unknown.unknown.some((u) => u.rule === 'caution-customer' && u.facts.includes('customer')))
})

test('absent now uses the system clock', () => {
  const rs = RuleSet.fromJson(ichigen.EXAMPLE_RULE_SET_JSON)
  const before = Date.now()
  const { order } = ichigen.triage(rs, sample())
  const after = Date.now()
  const at = Date.parse(order.state.history.at(-1).at)
  assert.ok(at >= before - 1000 && at <= after + 1000, `history time ${at} within [${before}, ${after}]`)
})

test('dryRun: one item per order, totals by status and rule', () => {
  const rs = RuleSet.fromToml(TOML)
  const bank = { ...sample(), id: 'ord-bank', payment: { method: 'bank_transfer', status: 'unpaid' } }
  const orders = [sample(), bank, { ...sample(), id: 'ord-3' }]
  const report = ichigen.dryRun(rs, orders, null, NOW)
  assert.equal(report.rule_set, 'toml example')
  assert.deepEqual(
    report.items.map((i) => [i.order_id, i.outcome.status]),
    [
      ['ord-0001', 'ready'],
      ['ord-bank', 'awaiting_payment'],
      ['ord-3', 'ready'],
    ],
  )
  assert.equal(report.totals.orders, 3)
  assert.deepEqual(report.totals.by_status, { awaiting_payment: 1, ready: 2 })
  assert.deepEqual(report.totals.by_rule, [
    { rule: 'bank', matched: 1 },
    { rule: 'rest', matched: 2 },
  ])
  // Each item is what triage of that order alone gives.
  for (const [i, order] of orders.entries()) {
    assert.deepEqual(report.items[i].outcome, ichigen.triage(rs, order, null, NOW).outcome)
  }
})

test('dryRun: contexts line up with orders; JSON text batches work', () => {
  const rs = RuleSet.fromJson(ichigen.EXAMPLE_RULE_SET_JSON)
  const orders = [sample(), { ...sample(), id: 'ord-2' }]
  const contexts = [{ customer: { caution: true, purchase_count: 2 } }, null]
  const report = ichigen.dryRun(rs, orders, contexts, NOW)
  assert.equal(report.items[0].outcome.status, 'needs_check')
  assert.equal(report.items[1].outcome.status, 'ready')
  assert.deepEqual(ichigen.dryRun(rs, JSON.stringify(orders), JSON.stringify(contexts), NOW), report)
})

test('dryRunAsync resolves to the dryRun report, also when many run at once', async () => {
  const rs = RuleSet.fromJson(ichigen.EXAMPLE_RULE_SET_JSON)
  const orders = Array.from({ length: 50 }, (_, i) => ({ ...sample(), id: `ord-${i}` }))
  const expected = ichigen.dryRun(rs, orders, null, NOW)
  const promise = ichigen.dryRunAsync(rs, orders, null, NOW)
  assert.ok(promise instanceof Promise)
  assert.deepEqual(await promise, expected)
  const all = await Promise.all(Array.from({ length: 8 }, () => ichigen.dryRunAsync(rs, orders, null, new Date(NOW))))
  for (const report of all) assert.deepEqual(report, expected)
})

test('the constants are the core sample and example', () => {
  assert.equal(JSON.parse(ichigen.SAMPLE_ORDER_JSON).id, 'ord-0001')
  assert.equal(JSON.parse(ichigen.EXAMPLE_RULE_SET_JSON).name, 'standard')
  assert.match(ichigen.VERSION, /^\d+\.\d+\.\d+/)
})
