// Errors: a thrown Error with the core's stable .code and .issues ({code, path,
// message}); a rejected promise for dryRunAsync; no input value in any message.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import ichigen from './load.mjs'

const sample = () => JSON.parse(ichigen.SAMPLE_ORDER_JSON)
const rules = () => ichigen.RuleSet.fromJson(ichigen.EXAMPLE_RULE_SET_JSON)
const NOW = '2026-11-23T03:00:00Z'

/** Calls `fn`, asserts it throws an ichigen error, and returns the error. */
function thrown(fn) {
  try {
    fn()
  } catch (e) {
    assert.ok(e instanceof Error, 'an Error instance')
    assert.equal(typeof e.code, 'string')
    assert.ok(Array.isArray(e.issues), '.issues is an array')
    for (const issue of e.issues) assert.deepEqual(Object.keys(issue).sort(), ['code', 'message', 'path'])
    return e
  }
  assert.fail('expected a throw')
}

test('ORDER_INVALID lists every issue with its path', () => {
  const order = sample()
  order.lines[0].quantity = 0
  order.currency = 'XXX-not-a-currency'
  const e = thrown(() => ichigen.parseOrder(order))
  assert.equal(e.code, 'ORDER_INVALID')
  assert.deepEqual(
    e.issues.map((i) => [i.code, i.path]),
    [['ORDER_UNKNOWN_CURRENCY', '$.currency']],
  )
  order.currency = 'JPY'
  const e2 = thrown(() => ichigen.parseOrder(order))
  assert.ok(e2.issues.some((i) => i.code === 'ORDER_QUANTITY_ZERO' && i.path === '$.lines[0].quantity'))
  assert.match(e2.message, /ORDER_QUANTITY_ZERO at \$\.lines\[0\]\.quantity/)
})

test('validateOrder reports a bad order instead of throwing', () => {
  const order = sample()
  order.lines[0].quantity = 0
  const report = ichigen.validateOrder(order)
  assert.equal(report.valid, false)
  assert.ok(report.issues.some((i) => i.code === 'ORDER_QUANTITY_ZERO' && i.path === '$.lines[0].quantity'))
  assert.equal(typeof report.totals.total, 'string')
  const undecodable = ichigen.validateOrder({ id: 5 })
  assert.equal(undecodable.valid, false)
  assert.equal(undecodable.totals, null)
})

test('a refused lifecycle event throws its LIFECYCLE_ code with no issues', () => {
  const order = { ...sample(), state: { phase: 'new', holds: [{ reason: 'needs_check' }] } }
  const e = thrown(() => ichigen.applyEvent(order, { type: 'print' }, null, NOW))
  assert.equal(e.code, 'LIFECYCLE_ON_HOLD')
  assert.deepEqual(e.issues, [])
  const e2 = thrown(() => ichigen.applyEvent(sample(), { type: 'ship' }, undefined, NOW))
  assert.equal(e2.code, 'LIFECYCLE_NOT_TRIAGED')
})

test('a bad event or actor is an INPUT_ error naming the argument', () => {
  const e = thrown(() => ichigen.applyEvent(sample(), { type: 'teleport' }, null, NOW))
  assert.equal(e.code, 'INPUT_UNKNOWN_VALUE')
  assert.equal(e.issues[0].path, '$.event.type')
  const e2 = thrown(() => ichigen.applyEvent(sample(), { type: 'mark_triaged' }, { kind: 'robot' }, NOW))
  assert.equal(e2.code, 'INPUT_UNKNOWN_VALUE')
  assert.equal(e2.issues[0].path, '$.actor.kind')
})

test('RULESET_INVALID lists every issue with its path', () => {
  const e = thrown(() =>
    ichigen.RuleSet.fromObject({
      name: 'bad',
      rules: [
        { id: 'a', then: [{ set_status: 'ready' }] },
        { id: 'a', then: [{ set_status: 'ready' }] },
      ],
    }),
  )
  assert.equal(e.code, 'RULESET_INVALID')
  assert.ok(e.issues.some((i) => i.code === 'RULESET_DUPLICATE_RULE_ID' && i.path.startsWith('$.rules[1]')))
  const parse = thrown(() => ichigen.RuleSet.fromJson('{"name": '))
  assert.equal(parse.code, 'RULESET_INVALID')
  assert.equal(parse.issues[0].code, 'RULESET_PARSE')
  const toml = thrown(() => ichigen.RuleSet.fromToml('name = '))
  assert.equal(toml.code, 'RULESET_INVALID')
})

test('values JSON cannot hold are refused with the path inside the argument', () => {
  const order = sample()
  order.lines[1].sku = () => 'x'
  const e = thrown(() => ichigen.validateOrder(order))
  assert.equal(e.code, 'INPUT_WRONG_TYPE')
  assert.equal(e.issues[0].path, '$.order.lines[1].sku')
  order.lines[1].sku = Symbol('s')
  assert.equal(thrown(() => ichigen.parseOrder(order)).issues[0].path, '$.order.lines[1].sku')
  order.lines[1].sku = 'SWT-01'
  order.lines[1].quantity = Number.NaN
  assert.equal(thrown(() => ichigen.parseOrder(order)).issues[0].path, '$.order.lines[1].quantity')
  const cyclic = sample()
  cyclic.self = cyclic
  assert.equal(thrown(() => ichigen.validateOrder(cyclic)).code, 'INPUT_TOO_DEEP')
})

test('JSON text arguments: malformed text is INPUT_PARSE without the text', () => {
  const e = thrown(() => ichigen.parseOrder('{"id": "ord-secret-山田", '))
  assert.equal(e.code, 'INPUT_PARSE')
  assert.equal(e.issues[0].path, '$.order')
  assert.doesNotMatch(e.message, /secret|山田/)
  assert.equal(ichigen.parseOrder(ichigen.SAMPLE_ORDER_JSON).id, 'ord-0001')
})

test('now: a bad string, an invalid Date or another type is refused', () => {
  const rs = rules()
  for (const now of ['yesterday', '2026-11-23', new Date('nope'), 12345, {}]) {
    const e = thrown(() => ichigen.triage(rs, sample(), null, now))
    assert.match(e.code, /^INPUT_(BAD_DATE|WRONG_TYPE)$/)
    assert.equal(e.issues[0].path, '$.now')
  }
})

test('text arguments of RuleSet must be strings', () => {
  const e = thrown(() => ichigen.RuleSet.fromJson({ name: 'x' }))
  assert.equal(e.code, 'INPUT_WRONG_TYPE')
  assert.equal(e.issues[0].path, '$.text')
})

test('no message quotes personal data from the input', () => {
  const order = sample()
  const secret = '090-9999-0000'
  order.buyer.phone = { number: secret }
  order.recipients[0].name = 42
  order.lines[0].unit_price = `${secret} yen`
  order.buyer.email = ['taro-secret@example.jp']
  const report = ichigen.validateOrder(order)
  assert.equal(report.valid, false)
  const e = thrown(() => ichigen.parseOrder(order))
  const everything = JSON.stringify({ report, message: e.message, issues: e.issues })
  assert.doesNotMatch(everything, /9999|taro-secret/)
})

test('dryRunAsync rejects (never throws) with the same error as dryRun', async () => {
  const rs = rules()
  const bad = [sample(), { ...sample(), id: 7 }]
  const syncError = thrown(() => ichigen.dryRun(rs, bad, null, NOW))
  let promise
  assert.doesNotThrow(() => {
    promise = ichigen.dryRunAsync(rs, bad, null, NOW)
  })
  assert.ok(promise instanceof Promise)
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof Error)
    assert.equal(e.code, 'ORDER_INVALID')
    assert.deepEqual(e.issues, syncError.issues)
    assert.equal(e.issues[0].path, '$.orders[1].id')
    return true
  })
  // A conversion problem also arrives as a rejection, not a synchronous throw.
  await assert.rejects(ichigen.dryRunAsync(rs, [sample()], null, 'not a date'), { code: 'INPUT_BAD_DATE' })
  await assert.rejects(ichigen.dryRunAsync(rs, { not: 'an array' }, null, NOW), { code: 'INPUT_WRONG_TYPE' })
  await assert.rejects(ichigen.dryRunAsync(rs, [sample()], [null, null], NOW), { code: 'INPUT_CONTEXT_LENGTH' })
})
