// Shipments: ShipmentPlanner (split with and without stock, the money adding up,
// one planner reused over a batch and splitAll against split, mail-packet
// judgements and their triage facts, merge candidates, checks, merges and unmerges),
// the errors (SHIPMENT_INVALID and ORDER_INVALID with .issues and paths, conversion
// problems, bad argument types), largestRemainder (edge cases, BigInts, refusals,
// against a reference on random inputs), builtinProfiles, and the README's example.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

import ichigen from './load.mjs'

const { ShipmentPlanner, largestRemainder, builtinProfiles } = ichigen

/** Calls `fn`, asserts it throws an ichigen error with `code`, and returns the error. */
function thrown(fn, code) {
  try {
    fn()
  } catch (e) {
    assert.ok(e instanceof Error, 'an Error instance')
    assert.ok(Array.isArray(e.issues), '.issues is an array')
    for (const issue of e.issues) assert.deepEqual(Object.keys(issue).sort(), ['code', 'message', 'path'])
    if (code !== undefined) assert.equal(e.code, code, e.message)
    return e
  }
  assert.fail('expected a throw')
}

const codesAndPaths = (issues) => issues.map((i) => [i.code, i.path])

/** The sample order (ord-0001: three lines, 5390 yen, credit card, takkyubin). */
const sample = () => JSON.parse(ichigen.SAMPLE_ORDER_JSON)

/** The sample order as another order of the same buyer, `minutes` later. */
function another(id, minutes) {
  const o = sample()
  o.id = id
  o.channel_order_number = `123456-20261123-${id}`
  o.ordered_at = new Date(Date.parse(o.ordered_at) + minutes * 60_000).toISOString()
  return o
}

/** Adds up amounts given as strings of whole yen. */
const yen = (amounts) => amounts.reduce((s, a) => s + Number(a), 0)

test('split: shipments by the policy keys, the money adding up to the order', () => {
  const order = sample()
  order.lines[1].temperature = 'chilled'
  const planner = new ShipmentPlanner()
  const plan = planner.split(order)
  assert.deepEqual(plan.orders, ['ord-0001'])
  assert.equal(plan.currency, 'JPY')
  assert.deepEqual(
    plan.shipments.map((s) => [s.temperature, s.lines.map((l) => [l.order, l.line, l.sku, l.quantity, l.amount])]),
    [
      ['ambient', [['ord-0001', 0, 'TEA-A', 2, '3300'], ['ord-0001', 2, 'CUP-01', 1, '660']]],
      ['chilled', [['ord-0001', 1, 'SWT-01', 1, '1080']]],
    ],
  )
  for (const s of plan.shipments) {
    assert.deepEqual(s.caused_by, ['temperature_zone'])
    assert.deepEqual(s.package, { number: 1, of: 1 })
    assert.equal(s.shipping_class, 'parcel')
    assert.equal(s.over_capacity, false)
  }
  // Fees and discounts on the first shipment by default.
  assert.deepEqual(
    plan.shipments.map((s) => [s.money.shipping_fee, s.money.coupon]),
    [['550', '200'], ['0', '0']],
  )
  assert.equal(yen(plan.shipments.map((s) => s.money.total)), 5390)
  assert.equal(plan.total.total, '5390')
  assert.deepEqual(
    plan.total.tax.map((t) => [t.rate, t.tax]),
    [['0.08', '80'], ['0.10', '410']],
  )
  // Shared in proportion to the merchandise: the shares still add up to the yen.
  const proportional = new ShipmentPlanner({ fees: 'proportional' }).split(order)
  const fees = proportional.shipments.map((s) => s.money.shipping_fee)
  assert.deepEqual(fees, largestRemainder(550, [3960, 1080]).map(String))
  assert.equal(yen(proportional.shipments.map((s) => s.money.total)), 5390)
  // JSON text for the order and the options gives the same plan.
  assert.deepEqual(new ShipmentPlanner('{"fees": "proportional"}').split(JSON.stringify(order)), proportional)
  // Without a key that tells the lines apart, one shipment.
  const one = new ShipmentPlanner({ split_by: ['shipping_method'] }).split(order)
  assert.equal(one.shipments.length, 1)
  assert.deepEqual(one.shipments[0].caused_by, [])
  assert.equal(one.shipments[0].temperature, 'chilled', 'the coldest of its lines')
})

test('split with stock: a StockBook reservation ships apart from what waits', () => {
  const order = sample()
  const catalog = {
    skus: order.lines.map((l) => ({ sku: l.sku })),
    locations: [{ id: 'tokyo' }, { id: 'osaka' }],
    listings: order.lines.map((l) => ({ channel: order.channel, code: l.listing_code, sku: l.sku })),
  }
  const book = new ichigen.StockBook(catalog, [
    { sku: 'TEA-A', location: 'tokyo', on_hand: 1 },
    { sku: 'TEA-A', location: 'osaka', on_hand: 5 },
    { sku: 'CUP-01', location: 'tokyo', on_hand: 3 },
  ])
  const reservation = book.reserveOrder(order)
  const planner = new ShipmentPlanner({ split_by: ['stock', 'location'] })
  const plan = planner.split(order, reservation.reserved)
  assert.deepEqual(
    plan.shipments.map((s) => [s.stock, s.location ?? null, s.lines.map((l) => [l.line, l.quantity])]),
    [
      ['reserved', 'osaka', [[0, 2]]],
      ['reserved', 'tokyo', [[2, 1]]],
      ['backordered', null, [[1, 1]]],
    ],
  )
  assert.equal(yen(plan.shipments.map((s) => s.money.total)), 5390)
  // Reservations without an order name the order planned.
  const bare = reservation.reserved.map(({ line, location, quantity }) => ({ line, location, quantity }))
  assert.deepEqual(planner.split(order, bare), plan)
  assert.deepEqual(planner.split(order, JSON.stringify(bare)), plan)
  // Without the stock key, stock changes nothing.
  assert.equal(new ShipmentPlanner().split(order, reservation.reserved).shipments.length, 1)
})

test('one planner serves a batch: splitAll equals split per order, and stops at the first bad order', () => {
  const planner = new ShipmentPlanner({ fees: 'proportional', split_by: ['temperature_zone'] })
  const orders = Array.from({ length: 40 }, (_, k) => {
    const o = another(`b-${k}`, k)
    if (k % 3 === 0) o.lines[k % o.lines.length].temperature = k % 2 ? 'frozen' : 'chilled'
    return o
  })
  const one = orders.map((o) => planner.split(o))
  const all = planner.splitAll(orders)
  assert.deepEqual(all, one)
  assert.deepEqual(planner.splitAll(JSON.stringify(orders)), one)
  // A fresh planner per order gives the same plans: the planner keeps no state.
  assert.deepEqual(
    orders.map((o) => new ShipmentPlanner({ fees: 'proportional', split_by: ['temperature_zone'] }).split(o)),
    one,
  )
  assert.deepEqual(
    all.map((p) => p.shipments.length),
    orders.map((_, k) => (k % 3 === 0 ? 2 : 1)),
  )
  assert.deepEqual(planner.splitAll([]), [])

  const bad = structuredClone(orders)
  bad[2].lines[1].quantity = 0
  bad[5].lines[0].unit_price = 12.5
  const e = thrown(() => planner.splitAll(bad), 'ORDER_INVALID')
  assert.ok(e.issues.length > 0)
  assert.ok(e.issues.every((i) => i.path.startsWith('$.orders[2].')), JSON.stringify(e.issues))
  assert.ok(codesAndPaths(e.issues).some(([c, p]) => c === 'ORDER_QUANTITY_ZERO' && p === '$.orders[2].lines[1].quantity'))
  const conversion = thrown(() => planner.splitAll([orders[0], { ...orders[1], id: () => 1 }]), 'INPUT_WRONG_TYPE')
  assert.deepEqual(codesAndPaths(conversion.issues), [['INPUT_WRONG_TYPE', '$.orders[1].id']])
  for (const notArray of [{}, 'null', 7]) {
    const wrong = thrown(() => planner.splitAll(notArray), 'SHIPMENT_INVALID')
    assert.deepEqual(codesAndPaths(wrong.issues), [['SHIPMENT_WRONG_TYPE', '$.orders']])
  }
})

test('errors: bad options, orders and reservations, each at its path, values never quoted', () => {
  const options = thrown(
    () =>
      new ShipmentPlanner({
        items: [{ sku: 'TEA-A' }, { sku: 'TEA-A' }],
        capacity: { max_units: 0 },
        fees: { coupon: 'carrier' },
        mail_profile: 'pigeon-post',
      }),
    'SHIPMENT_INVALID',
  )
  assert.deepEqual(codesAndPaths(options.issues), [
    ['SHIPMENT_DUPLICATE_ITEM', '$.items[1].sku'],
    ['SHIPMENT_CAPACITY_ZERO', '$.capacity.max_units'],
    ['SHIPMENT_FEE_RULE', '$.fees.coupon'],
    ['SHIPMENT_UNKNOWN_PROFILE', '$.mail_profile'],
  ])
  assert.doesNotMatch(options.message, /pigeon/)
  assert.deepEqual(codesAndPaths(thrown(() => new ShipmentPlanner({ nope: 1 }), 'SHIPMENT_INVALID').issues), [
    ['SHIPMENT_UNKNOWN_FIELD', '$.nope'],
  ])
  assert.deepEqual(codesAndPaths(thrown(() => new ShipmentPlanner({ mail_profile: 'takkyubin', profiles: [{ code: 'takkyubin' }] }), 'SHIPMENT_INVALID').issues), [
    ['SHIPMENT_NOT_MAIL_PROFILE', '$.mail_profile'],
  ])
  assert.equal(thrown(() => new ShipmentPlanner('{"split_by": '), 'INPUT_PARSE').issues[0].path, '$.options')
  assert.equal(thrown(() => new ShipmentPlanner(42), 'SHIPMENT_INVALID').issues[0].path, '$')
  // null and undefined are the defaults.
  assert.deepEqual(new ShipmentPlanner(null).split(sample()), new ShipmentPlanner(undefined).split(sample()))

  const planner = new ShipmentPlanner()
  const order = sample()
  order.lines[2].quantity = 0
  order.buyer.name = 'Secret Person'
  const bad = thrown(() => planner.split(order), 'ORDER_INVALID')
  assert.ok(bad.issues.every((i) => i.path.startsWith('$.order.')), JSON.stringify(bad.issues))
  assert.deepEqual(bad.issues[0].path, '$.order.lines[2].quantity')
  assert.doesNotMatch(JSON.stringify(bad), /Secret/)
  assert.doesNotMatch(bad.message, /Secret/)
  assert.ok(thrown(() => planner.split([sample()]), 'ORDER_INVALID').issues[0].path.startsWith('$.order'))
  for (const notOrder of [42, null, undefined]) {
    assert.deepEqual(codesAndPaths(thrown(() => planner.split(notOrder), 'ORDER_INVALID').issues), [
      ['ORDER_WRONG_TYPE', '$.order'],
    ])
  }
  assert.equal(thrown(() => planner.split({ ...sample(), id: Symbol('x') }), 'INPUT_WRONG_TYPE').issues[0].path, '$.order.id')
  assert.equal(thrown(() => planner.mail('{"id": '), 'INPUT_PARSE').issues[0].path, '$.order')

  const stock = (reservations) => thrown(() => planner.split(sample(), reservations), 'SHIPMENT_INVALID')
  assert.deepEqual(codesAndPaths(stock([{ line: 9, quantity: 1 }]).issues), [['SHIPMENT_RESERVATION_LINE', '$.stock[0].line']])
  assert.deepEqual(codesAndPaths(stock([{ line: 0, quantity: 1 }, { line: 0, quantity: 'two' }]).issues), [
    ['SHIPMENT_WRONG_TYPE', '$.stock[1].quantity'],
  ])
  assert.deepEqual(codesAndPaths(stock([{ order: 'other', line: 0, quantity: 1 }]).issues), [
    ['SHIPMENT_RESERVATION_ORDER', '$.stock[0].order'],
  ])
  assert.deepEqual(codesAndPaths(stock([{ line: 0, quantity: 3 }]).issues), [['SHIPMENT_RESERVATION_EXCEEDS', '$.stock[0].quantity']])
  assert.deepEqual(codesAndPaths(stock({ line: 0 }).issues), [['SHIPMENT_UNKNOWN_FIELD', '$.stock.line']])
  assert.equal(thrown(() => planner.split(sample(), [{ line: 0, quantity: 1.5 }]), 'SHIPMENT_INVALID').issues[0].path, '$.stock[0].quantity')
  assert.equal(thrown(() => planner.split(sample(), [{ line: 0, quantity: Number.NaN }]), 'INPUT_WRONG_TYPE').issues[0].path, '$.stock[0].quantity')
})

test('mail: the judgement, its reasons and facts; triage reads the facts', () => {
  const items = (fraction) => sample().lines.map((l) => ({ sku: l.sku, mail_fraction: fraction }))
  const planner = new ShipmentPlanner({ items: [...items('1/6').slice(1), { sku: 'TEA-A', mail_fraction: '[M便 1/3]' }] })
  // 2 × 1/3 + 1/6 + 1/6 = 1: one packet.
  const fits = planner.mail(sample())
  assert.deepEqual(fits, {
    profile: 'nekopos',
    eligible: true,
    load: '1/1',
    packets: 1,
    outcome: 'mail_packet',
    reasons: [],
    facts: { mail_packet_fits: true, mail_packets_needed: 1 },
  })
  // 4 × 1/2 = 2 packets: a box with the default max_packets of 1, packets with 3.
  assert.deepEqual(
    [new ShipmentPlanner({ items: items('1/2') }).mail(sample()), new ShipmentPlanner({ items: items('1/2'), max_packets: 3 }).mail(sample())].map(
      (v) => [v.load, v.packets, v.outcome, v.reasons, v.facts],
    ),
    [
      ['2/1', 2, 'box', [{ code: 'over_capacity' }], { mail_packet_fits: false, mail_packets_needed: 2 }],
      ['2/1', 2, 'packets', [], { mail_packet_fits: false, mail_packets_needed: 2 }],
    ],
  )
  // COD, a chilled line and a line without a fraction, each a reason.
  const order = sample()
  order.payment = { method: 'cod', status: 'unpaid' }
  order.cod_fee = '330'
  order.stated.total = '5720'
  order.stated.tax[0].tax = '440'
  order.lines[1].temperature = 'chilled'
  const refused = new ShipmentPlanner({ items: items('1/6').slice(1) }).mail(order)
  assert.equal(refused.eligible, false)
  assert.equal(refused.outcome, 'box')
  assert.deepEqual(refused.reasons, [{ code: 'cod' }, { code: 'not_mailable', line: 0 }, { code: 'temperature', line: 1 }])
  assert.deepEqual(refused.facts, { mail_packet_fits: false, mail_packets_needed: 0 })
  // A profile given with a built-in code replaces it: 25 mm is too thin for a 30 mm item.
  const thick = sample().lines.map((l) => ({ sku: l.sku, mail_fraction: '1/6', thickness_mm: 28 }))
  assert.equal(new ShipmentPlanner({ items: thick }).mail(sample()).eligible, true)
  const thin = new ShipmentPlanner({
    items: thick,
    profiles: [{ ...builtinProfiles()[0], max_thickness_mm: 25 }],
  }).mail(sample())
  assert.deepEqual(thin.reasons.map((r) => r.code), ['too_large', 'too_large', 'too_large'])

  const rules = ichigen.RuleSet.fromObject({
    name: 'mail',
    mode: 'first_match',
    rules: [
      { id: 'mail', when: { mail_packet_fits: true }, then: [{ set_shipping_method: { method: 'nekopos', class: 'mail_packet' } }, { set_status: 'ready' }] },
      { id: 'box', when: {}, then: [{ set_status: 'ready' }] },
    ],
  })
  const { outcome } = ichigen.triage(rules, sample(), fits.facts, '2026-11-23T03:00:00Z')
  assert.deepEqual(outcome.matched, ['mail'])
  assert.equal(ichigen.triage(rules, sample(), fits.facts, '2026-11-23T03:00:00Z').order.shipping.method, 'nekopos')
  const boxed = ichigen.triage(rules, order, refused.facts, '2026-11-23T03:00:00Z')
  assert.deepEqual(boxed.outcome.matched, ['box'])
})

test('merge: candidates, checks, a merge with each order\'s part, and its undoing', () => {
  const planner = new ShipmentPlanner()
  const a = another('m-1', 0)
  const b = another('m-2', 30)
  const late = another('m-3', 60)
  late.shipping.time_slot = '1820'
  const masked = another('m-4', 90)
  const invalid = another('m-5', 120)
  invalid.lines[0].quantity = 0

  const found = planner.mergeCandidates([b, late, a, masked, invalid], { 'm-4': { masked: true } })
  assert.deepEqual(found.groups, [{ parent: 'm-1', orders: ['m-1', 'm-2'] }])
  assert.deepEqual(found.excluded.map((e) => [e.order, e.index, e.reason]), [['m-4', 3, 'masked'], ['m-5', 4, 'invalid']])
  assert.ok(found.excluded[1].issues.every((i) => i.path.startsWith('$.orders[4].')))
  assert.deepEqual(found.context, {
    'm-2': { merge_candidate: true },
    'm-3': { merge_candidate: false },
    'm-1': { merge_candidate: true },
    'm-4': { merge_candidate: false },
  })
  assert.deepEqual(found.merged, [])

  assert.deepEqual(planner.mergeCheck([a, b]), { mergeable: true, differs: [] })
  assert.deepEqual(planner.mergeCheck([a, late]), { mergeable: false, differs: ['time_slot'] })
  assert.deepEqual(planner.mergeCheck([a, masked], { 'm-4': { masked: true } }), { mergeable: false, differs: ['masked'] })
  for (const orders of [[a], [a, b, late]]) {
    assert.deepEqual(codesAndPaths(thrown(() => planner.mergeCheck(orders), 'SHIPMENT_INVALID').issues), [
      ['SHIPMENT_WRONG_TYPE', '$.orders'],
    ])
  }

  const merged = planner.merge([b, a])
  assert.deepEqual(merged.orders, ['m-1', 'm-2'], 'the parent first')
  assert.equal(merged.shipments.length, 1)
  const [box] = merged.shipments
  assert.deepEqual(box.parts.map((p) => [p.order, p.money.total]), [['m-1', '5390'], ['m-2', '5390']])
  assert.equal(box.money.total, '10780')
  assert.equal(merged.total.total, '10780')
  assert.deepEqual(
    box.lines.map((l) => l.order),
    ['m-1', 'm-1', 'm-1', 'm-2', 'm-2', 'm-2'],
  )

  const undone = planner.unmerge(merged, [a, b])
  assert.deepEqual(undone.plans, [planner.split(a), planner.split(b)])
  assert.deepEqual(planner.unmerge(JSON.stringify(merged), JSON.stringify([b, a])), undone)
  const changed = structuredClone(merged)
  changed.shipments[0].money.total = '10000'
  assert.deepEqual(codesAndPaths(thrown(() => planner.unmerge(changed, [a, b]), 'SHIPMENT_INVALID').issues), [
    ['SHIPMENT_UNMERGE_MISMATCH', '$.merged'],
  ])
  assert.deepEqual(codesAndPaths(thrown(() => planner.unmerge(merged, [a]), 'SHIPMENT_INVALID').issues), [
    ['SHIPMENT_UNMERGE_MISMATCH', '$.orders'],
  ])

  const refused = thrown(() => planner.merge([a, late, masked], { 'm-4': { masked: true } }), 'SHIPMENT_INVALID')
  assert.deepEqual(codesAndPaths(refused.issues), [
    ['SHIPMENT_MERGE_MASKED', '$.orders[2]'],
    ['SHIPMENT_MERGE_TIME_SLOT', '$.orders[1].shipping.time_slot'],
  ])
  assert.deepEqual(codesAndPaths(thrown(() => planner.merge([a]), 'SHIPMENT_INVALID').issues), [
    ['SHIPMENT_MERGE_TOO_FEW', '$.orders'],
  ])
  assert.deepEqual(codesAndPaths(thrown(() => planner.merge([a, b], { nobody: {} }), 'SHIPMENT_INVALID').issues), [
    ['SHIPMENT_UNKNOWN_ORDER', '$.facts.nobody'],
  ])
  assert.deepEqual(codesAndPaths(thrown(() => planner.merge([a, invalid]), 'ORDER_INVALID').issues)[0], [
    'ORDER_QUANTITY_ZERO',
    '$.orders[1].lines[0].quantity',
  ])

  // With auto_merge every group is merged and nobody needs to decide.
  const auto = new ShipmentPlanner({ auto_merge: true }).mergeCandidates([a, b])
  assert.deepEqual(auto.merged, [merged])
  assert.deepEqual(auto.context, { 'm-1': { merge_candidate: false }, 'm-2': { merge_candidate: false } })

  // triage reads the merge-candidate flag from the context.
  const rules = ichigen.RuleSet.fromObject({
    name: 'merge',
    mode: 'first_match',
    rules: [
      { id: 'merge', when: { merge_candidate: true }, then: [{ add_tags: ['同梱候補'] }] },
      { id: 'rest', when: {}, then: [{ set_status: 'ready' }] },
    ],
  })
  const held = ichigen.triage(rules, a, found.context['m-1'], '2026-11-23T03:00:00Z')
  assert.deepEqual(held.outcome.matched, ['merge'])
  assert.deepEqual(held.outcome.tags, ['同梱候補'])
  const free = ichigen.triage(rules, late, found.context['m-3'], '2026-11-23T03:00:00Z')
  assert.deepEqual(free.outcome.matched, ['rest'])
})

test('an order whose amounts overflow the core\'s sharing throws instead of ending the process', () => {
  // A valid order of 10^25 yen per line: proportional sharing multiplies two such
  // amounts, beyond 128 bits. The core overflows there (a debug build panics); the
  // methods catch a panic, so the caller gets an Error and the process lives on.
  const huge = '10000000000000000000000000'
  const order = sample()
  order.lines = [
    { listing_code: 'a', sku: 'A', name: 'a', quantity: 1, unit_price: huge, tax_rate: '0.10' },
    { listing_code: 'b', sku: 'B', name: 'b', quantity: 1, unit_price: huge, tax_rate: '0.10', temperature: 'chilled' },
  ]
  order.shipping_fee = huge
  delete order.stated
  delete order.discounts
  assert.equal(ichigen.validateOrder(order).valid, true)
  let plan = null
  try {
    plan = new ShipmentPlanner({ fees: 'proportional' }).split(order)
  } catch (e) {
    assert.ok(e instanceof Error)
  }
  // If the core answers, the shares must add up exactly.
  if (plan !== null) {
    const sum = plan.shipments.reduce((s, x) => s + BigInt(x.money.total), 0n)
    assert.equal(sum, BigInt(plan.total.total))
    assert.equal(plan.total.total, ichigen.validateOrder(order).totals.total)
  }
  assert.equal(new ShipmentPlanner().split(sample()).total.total, '5390', 'the module still works')
})

/** The largest-remainder shares computed with BigInts, as the docs describe them. */
function reference(total, weights) {
  const t = BigInt(total)
  const ws = weights.map((w) => (BigInt(w) > 0n ? BigInt(w) : 0n))
  if (ws.length === 0) return []
  const neg = t < 0n
  const abs = neg ? -t : t
  const sum = ws.reduce((s, w) => s + w, 0n)
  let out
  if (sum === 0n) {
    out = ws.map((_, i) => (i === 0 ? abs : 0n))
  } else {
    out = ws.map((w) => (abs * w) / sum)
    let left = abs - out.reduce((s, v) => s + v, 0n)
    const order = ws.map((w, i) => [(abs * w) % sum, i]).sort((x, y) => (x[0] === y[0] ? x[1] - y[1] : x[0] > y[0] ? -1 : 1))
    for (const [, i] of order) {
      if (left === 0n) break
      out[i] += 1n
      left -= 1n
    }
  }
  return out.map((v) => (neg ? -v : v))
}

test('largestRemainder: the shares add up, edge cases, BigInts', () => {
  assert.deepEqual(largestRemainder(100, [1, 1, 1]), [34, 33, 33])
  assert.deepEqual(largestRemainder(550, [3000, 1000]), [413, 137])
  assert.deepEqual(largestRemainder(10, [1, 1, 1, 1]), [3, 3, 2, 2], 'ties go to the earlier')
  // Empty weights: nothing to share to.
  assert.deepEqual(largestRemainder(7, []), [])
  assert.deepEqual(largestRemainder(7n, []), [])
  // Zero weights: everything to the first; negative weights count as zero.
  assert.deepEqual(largestRemainder(7, [0, 0]), [7, 0])
  assert.deepEqual(largestRemainder(7, [-5, 0, -1]), [7, 0, 0])
  assert.deepEqual(largestRemainder(9, [-3, 1, 2]), [0, 3, 6])
  // A negative total is shared as its absolute value and negated.
  assert.deepEqual(largestRemainder(-100, [1, 1, 1]), [-34, -33, -33])
  assert.deepEqual(largestRemainder(-7, [0, 0]), [-7, 0])
  assert.deepEqual(largestRemainder(0, [1, 2]), [0, 0])
  // A BigInt total gives BigInts; weights may mix numbers and BigInts.
  assert.deepEqual(largestRemainder(100n, [1, 1n, 1]), [34n, 33n, 33n])
  const big = 2n ** 70n + 1n
  const shares = largestRemainder(big, [3, 2n ** 50n])
  assert.equal(shares[0] + shares[1], big)
  assert.deepEqual(shares, reference(big, [3, 2n ** 50n]))
  // The largest number total: shares are exact numbers.
  const max = Number.MAX_SAFE_INTEGER
  const halves = largestRemainder(max, [1, 1])
  assert.deepEqual(halves, [2 ** 52, 2 ** 52 - 1])
  assert.equal(typeof halves[0], 'number')
  // The extremes of i128 that the sharing can still carry.
  const top = 2n ** 127n - 1n
  assert.deepEqual(largestRemainder(-top, [1, 0]), [-top, 0n])

  let seed = 11
  const next = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed % n
  }
  for (let k = 0; k < 500; k++) {
    const weights = Array.from({ length: 1 + next(6) }, () => next(5) - 1 + (next(3) === 0 ? next(100000) : 0))
    const total = next(2000000) - 1000000
    const got = largestRemainder(total, weights)
    assert.deepEqual(got.map(BigInt), reference(total, weights), `${total} by ${weights}`)
    assert.equal(got.reduce((s, v) => s + v, 0), total)
  }
})

test('largestRemainder refuses what is not a whole number, coded at its path', () => {
  const cases = [
    [() => largestRemainder(1.5, [1]), 'INPUT_BAD_VALUE', '$.total'],
    [() => largestRemainder(Number.NaN, [1]), 'INPUT_BAD_VALUE', '$.total'],
    [() => largestRemainder(Infinity, [1]), 'INPUT_BAD_VALUE', '$.total'],
    [() => largestRemainder(2 ** 53, [1]), 'INPUT_BAD_VALUE', '$.total'],
    [() => largestRemainder(10, [1, 0.5]), 'INPUT_BAD_VALUE', '$.weights[1]'],
    [() => largestRemainder('10', [1]), 'INPUT_WRONG_TYPE', '$.total'],
    [() => largestRemainder(null, [1]), 'INPUT_WRONG_TYPE', '$.total'],
    [() => largestRemainder(10, [1, '2']), 'INPUT_WRONG_TYPE', '$.weights[1]'],
    [() => largestRemainder(10, [1, null]), 'INPUT_WRONG_TYPE', '$.weights[1]'],
    [() => largestRemainder(10, { 0: 1, length: 1 }), 'INPUT_WRONG_TYPE', '$.weights'],
    [() => largestRemainder(10, '[1, 2]'), 'INPUT_WRONG_TYPE', '$.weights'],
    [() => largestRemainder(10), 'INPUT_WRONG_TYPE', '$.weights'],
    [() => largestRemainder(2n ** 127n, [1]), 'INPUT_OUT_OF_RANGE', '$.total'],
    [() => largestRemainder(1, [-(2n ** 128n)]), 'INPUT_OUT_OF_RANGE', '$.weights[0]'],
  ]
  for (const [fn, code, path] of cases) {
    const e = thrown(fn, code)
    assert.deepEqual(codesAndPaths(e.issues), [[code, path]], fn.toString())
  }
  // Huge totals are shared exactly; weights whose sum passes 2^63 are halved
  // together first. The shares always add up to the total.
  assert.deepEqual(largestRemainder(2n ** 127n - 1n, [1n, 0n]), [2n ** 127n - 1n, 0n])
  assert.deepEqual(largestRemainder(2n ** 100n, [3n, 1n]), [3n * 2n ** 98n, 2n ** 98n])
  assert.deepEqual(largestRemainder(2n ** 64n, [2n ** 63n, 2n ** 63n]), [2n ** 63n, 2n ** 63n])
  assert.deepEqual(largestRemainder(1n, [2n ** 126n, 2n ** 126n]), [1n, 0n])
  assert.deepEqual(largestRemainder(-(2n ** 127n), [1n, 1n]), [-(2n ** 126n) - 1n, -(2n ** 126n) + 1n])
})

test('builtinProfiles: the mail-packet services known without configuration', () => {
  const profiles = builtinProfiles()
  assert.deepEqual(
    profiles.map((p) => [p.code, p.carrier, p.class, p.max_thickness_mm, p.max_weight_g, p.cod, p.cool, p.time_slot]),
    [
      ['nekopos', 'yamato', 'mail_packet', 30, 1000, false, false, false],
      ['yu_packet', 'japan_post', 'mail_packet', 30, 1000, false, false, false],
      ['click_post', 'japan_post', 'mail_packet', 30, 1000, false, false, false],
      ['dm_bin', 'yamato', 'mail_packet', 20, 1000, false, false, false],
    ],
  )
  assert.equal(profiles[1].max_three_sides_mm, 600)
  assert.ok(profiles.every((p) => !('fee' in p)), 'fees depend on the contract')
  // Each is accepted back as a profile, and judges when named.
  const planner = new ShipmentPlanner({ profiles, mail_profile: 'dm_bin' })
  assert.equal(planner.mail(sample()).profile, 'dm_bin')
  assert.notStrictEqual(builtinProfiles(), profiles, 'a fresh array each call')
})

test("the README's shipment example runs and prints what it says", () => {
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8')
  const section = readme.slice(readme.indexOf('### Shipments'))
  const block = section.match(/```js\n([\s\S]*?)```/)[1]
  const binding = fileURLToPath(new URL('../index.js', import.meta.url))
  const source =
    "import { createRequire } from 'node:module'\nconst require = createRequire(import.meta.url)\n" +
    block.replace("require('ichigen')", `require(${JSON.stringify(binding)})`)
  const file = join(mkdtempSync(join(tmpdir(), 'ichigen-shipment-')), 'example.mjs')
  writeFileSync(file, source)
  const printed = execFileSync(process.execPath, [file], { encoding: 'utf8' }).trimEnd().split('\n')
  const promised = [...block.matchAll(/console\.log\([^\n]*\)\s*\/\/\s*(\S[^\n]*)$/gm)].map((m) => m[1].trim())
  assert.ok(promised.length >= 5)
  assert.deepEqual(printed, promised)
})
