// Stock: StockBook method by method (and against `step`), the errors
// (STOCK_INVALID with .issues and paths, atomic refusals, conversion problems,
// quantities beyond Number.MAX_SAFE_INTEGER), allocateStock over columns of every
// kind (against a book's allocation on generated rows; bad columns coded),
// dropShipTotals, reorderQuantity, stockSession, triage with the stock facts, and
// the README's example.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

import ichigen from './load.mjs'

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

const catalog = () => ({
  skus: [
    { sku: 'TEA', supplier: 'chaya', lot: 5, reorder_point: 10, target_level: 20 },
    { sku: 'CUP', supplier: 'toki' },
    { sku: 'BOOK', drop_ship: true, supplier: 'hon' },
  ],
  locations: [
    { id: 'tokyo', prefecture: '東京都' },
    { id: 'osaka', prefecture: '大阪府' },
  ],
  listings: [
    { channel: 'rakuten', code: 'tea', sku: 'TEA' },
    { channel: 'rakuten', code: 'cup', sku: 'CUP' },
    { channel: 'rakuten', code: 'gift', components: [{ sku: 'TEA', quantity: 2 }, { sku: 'CUP', quantity: 1 }] },
    { channel: 'rakuten', code: 'book', sku: 'BOOK' },
    { channel: 'amazon', code: 'B0TEA', sku: 'TEA' },
    { channel: 'yahoo', store: 'main', code: 'tea-y', sku: 'TEA' },
  ],
})

const allocation = () => ({
  channels: [
    { channel: 'rakuten', mode: 'uniform' },
    { channel: 'amazon', mode: 'percent', percent: '50', cap: 30 },
    { channel: 'yahoo', store: 'main', mode: 'fixed', quantity: 2 },
  ],
})

const levels = () => [
  { sku: 'TEA', location: 'tokyo', on_hand: 5 },
  { sku: 'TEA', location: 'osaka', on_hand: 3 },
  { sku: 'CUP', location: 'tokyo', on_hand: 4 },
]

const request = (order, lines, extra = {}) => ({
  order,
  channel: 'rakuten',
  lines: lines.map(([listing_code, quantity]) => ({ listing_code, quantity })),
  ...extra,
})

test('a book reserves, queues, receives, ships and counts, method by method', () => {
  const book = new ichigen.StockBook(catalog(), levels(), { strategy: 'priority' }, allocation())
  assert.deepEqual(book.movements(), [], 'the starting levels are not movements')
  const first = book.reserve(request('o1', [['tea', 6]]))
  assert.deepEqual(
    first.reserved.map((r) => [r.location, r.quantity]),
    [['tokyo', 5], ['osaka', 1]],
  )
  assert.deepEqual(first.backordered, [])
  // check changes nothing.
  const checked = book.check(request('o2', [['tea', 4]]))
  assert.deepEqual(checked.backordered, [{ order: 'o2', line: 0, sku: 'TEA', quantity: 2 }])
  assert.equal(book.stock('TEA').reserved, 6)
  const second = book.reserve(request('o2', [['tea', 4]]))
  assert.deepEqual(second, checked)
  assert.deepEqual(book.queue('TEA'), [{ order: 'o2', line: 0, sku: 'TEA', quantity: 2 }])
  assert.deepEqual(book.order('o2').all_lines_reservable, false)
  assert.deepEqual(book.order('o2').awaiting_stock, true)
  const tea = book.stock('TEA')
  assert.deepEqual(
    [tea.on_hand, tea.reserved, tea.free, tea.backordered, tea.locations.length],
    [8, 8, 0, 2, 2],
  )
  book.expect('TEA', 'tokyo', 10)
  assert.equal(book.stock('TEA').incoming, 10)
  const arrived = book.receive('TEA', 'tokyo', 4, true)
  assert.deepEqual(arrived.completed_orders, ['o2'])
  assert.deepEqual(book.queue('TEA'), [])
  assert.equal(book.stock('TEA').incoming, 6)
  const shipped = book.ship('o1')
  assert.equal(shipped.shipped.reduce((n, r) => n + r.quantity, 0), 6)
  assert.deepEqual(shipped.still_waiting, [])
  assert.equal(book.stock('TEA').on_hand, 6)
  const adjusted = book.adjust('CUP', 'tokyo', -1)
  assert.deepEqual(adjusted.reserved, [])
  assert.equal(book.stock('CUP').on_hand, 3)
  book.setLevel({ sku: 'CUP', location: 'osaka', on_hand: 2, buffer: 1 })
  assert.equal(book.stock('CUP').free, 4)
  assert.equal(book.listingFree('rakuten', 'gift'), 1)
  assert.equal(book.listingFree('yahoo', 'tea-y', 'main'), 2)
  const cancelled = book.cancel('o2', [0])
  assert.deepEqual(cancelled.completed_orders, [])
  assert.equal(book.stock('TEA').free, 6)
  assert.equal(book.listingFree('rakuten', 'gift'), 3)
  const kinds = new Set(book.movements().map((m) => m.kind))
  for (const k of ['reservation', 'backorder', 'incoming', 'receipt', 'shipment', 'adjustment', 'release']) {
    assert.ok(kinds.has(k), `a ${k} movement`)
  }
  assert.deepEqual(book.movements(), [], 'movements are taken once')
  const rec = book.reconcile()
  assert.equal(rec.ok, true)
  assert.deepEqual(rec.mismatches, [])
})

test('sync gives only what changed; allocation the whole table; forgetPushed resends', () => {
  const book = new ichigen.StockBook(catalog(), levels(), null, allocation())
  const first = book.sync()
  assert.deepEqual(
    first.map((d) => [d.channel, d.store ?? null, d.listing, d.quantity, d.previous]),
    [
      ['rakuten', null, 'tea', 8, null],
      ['rakuten', null, 'cup', 4, null],
      ['rakuten', null, 'gift', 4, null],
      ['rakuten', null, 'book', 0, null],
      ['amazon', null, 'B0TEA', 4, null],
      ['yahoo', 'main', 'tea-y', 2, null],
    ],
  )
  assert.deepEqual(book.sync(), [])
  book.reserve(request('o1', [['cup', 1]]))
  assert.deepEqual(
    book.sync().map((d) => [d.listing, d.previous, d.quantity]),
    [['cup', 4, 3], ['gift', 4, 3]],
  )
  assert.deepEqual(
    book.allocation().map((q) => q.quantity),
    [8, 3, 3, 0, 4, 2],
  )
  assert.equal(book.forgetPushed(), undefined)
  assert.equal(book.sync().length, 6)
})

test('every method agrees with step, and step reroots its issues under $.<op>', () => {
  const a = new ichigen.StockBook(catalog(), levels(), null, allocation())
  const b = new ichigen.StockBook(JSON.stringify(catalog()), JSON.stringify(levels()), 'null', JSON.stringify(allocation()))
  const pairs = [
    [() => a.reserve(request('o1', [['tea', 9]])), { reserve: request('o1', [['tea', 9]]) }],
    [() => a.check(request('o9', [['gift', 1]])), { check: request('o9', [['gift', 1]]) }],
    [() => a.receive('TEA', 'osaka', 2), { receive: { sku: 'TEA', location: 'osaka', quantity: 2 } }],
    [() => a.expect('CUP', 'tokyo', 3) ?? null, { expect: { sku: 'CUP', location: 'tokyo', quantity: 3 } }],
    [() => a.adjust('CUP', 'tokyo', 2), { adjust: { sku: 'CUP', location: 'tokyo', delta: 2 } }],
    [() => a.setLevel({ sku: 'CUP', location: 'osaka', on_hand: 1 }), { set_level: { sku: 'CUP', location: 'osaka', on_hand: 1 } }],
    [() => a.sync(), { sync: {} }],
    [() => a.stock('TEA'), { stock: { sku: 'TEA' } }],
    [() => ({ free: a.listingFree('rakuten', 'gift') }), { listing_free: { channel: 'rakuten', listing: 'gift' } }],
    [() => a.queue('TEA'), { queue: { sku: 'TEA' } }],
    [() => a.order('o1'), { order: { order: 'o1' } }],
    [() => a.ship('o1', [0]), { ship: { order: 'o1', lines: [0] } }],
    [() => a.reserve(request('o3', [['cup', 1], ['tea', 1]])), { reserve: request('o3', [['cup', 1], ['tea', 1]]) }],
    [() => a.cancel('o3', [1]), { cancel: { order: 'o3', lines: [1] } }],
    [() => a.cancel('o3'), { cancel: { order: 'o3' } }],
    [() => a.allocation(), { allocation: {} }],
    [() => a.reconcile(), { reconcile: {} }],
    [() => a.movements(), { movements: {} }],
    [() => a.reorder('2026-11-23'), { reorder: { as_of: '2026-11-23' } }],
    [() => a.forgetPushed() ?? null, { forget_pushed: {} }],
  ]
  for (const [method, step] of pairs) {
    assert.deepEqual(method(), b.step(step), JSON.stringify(step))
  }
  assert.deepEqual(
    b.step(JSON.stringify({ stock: { sku: 'CUP' } })),
    a.stock('CUP'),
    'a step as JSON text',
  )
  const direct = thrown(() => a.stock('NOPE'), 'STOCK_INVALID')
  const stepped = thrown(() => b.step({ stock: { sku: 'NOPE' } }), 'STOCK_INVALID')
  assert.deepEqual(codesAndPaths(direct.issues), [['STOCK_UNKNOWN_SKU', '$.sku']])
  assert.deepEqual(codesAndPaths(stepped.issues), [['STOCK_UNKNOWN_SKU', '$.stock.sku']])
  const bad = thrown(() => b.step({ explode: {} }), 'STOCK_INVALID')
  assert.deepEqual(codesAndPaths(bad.issues), [['STOCK_BAD_STEP', '$']])
  thrown(() => b.step({ sync: {}, stock: { sku: 'TEA' } }), 'STOCK_INVALID')
})

test('a refused operation throws STOCK_INVALID with every issue and changes nothing', () => {
  const book = new ichigen.StockBook(catalog(), levels())
  const before = book.stock('TEA')
  const e = thrown(
    () => book.reserve(request('o1', [['tea', 1], ['nosuch-99', 1], ['cup', 0]])),
    'STOCK_INVALID',
  )
  assert.deepEqual(codesAndPaths(e.issues), [
    ['STOCK_UNKNOWN_LISTING', '$.lines[1].listing_code'],
    ['STOCK_BAD_QUANTITY', '$.lines[2].quantity'],
  ])
  assert.match(e.message, /^invalid stock data: STOCK_UNKNOWN_LISTING at \$\.lines\[1\]\.listing_code/)
  assert.deepEqual(book.stock('TEA'), before)
  assert.deepEqual(book.movements(), [])
  assert.deepEqual(codesAndPaths(thrown(() => book.order('o1'), 'STOCK_INVALID').issues), [
    ['STOCK_UNKNOWN_ORDER', '$.order'],
  ])
  book.reserve(request('o1', [['tea', 1]]))
  thrown(() => book.reserve(request('o1', [['tea', 1]])), 'STOCK_INVALID')
  assert.equal(book.stock('TEA').reserved, 1)
  const below = thrown(() => book.adjust('TEA', 'tokyo', -10), 'STOCK_INVALID')
  assert.deepEqual(codesAndPaths(below.issues), [['STOCK_BELOW_ZERO', '$.delta']])
  assert.equal(book.stock('TEA').on_hand, 8)
  const listing = thrown(() => book.listingFree('amazon', 'tea'), 'STOCK_INVALID')
  assert.deepEqual(codesAndPaths(listing.issues), [['STOCK_UNKNOWN_LISTING', '$.listing']])
  // Without an allocation policy.
  for (const call of [() => book.sync(), () => book.allocation(), () => book.forgetPushed()]) {
    assert.deepEqual(codesAndPaths(thrown(call, 'STOCK_INVALID').issues), [['STOCK_NO_ALLOCATION', '$']])
  }
  // A bad order for reserveOrder is the order's own error.
  thrown(() => book.reserveOrder({ id: 5 }), 'ORDER_INVALID')
  // A sale of an unknown SKU in reorder.
  const sales = thrown(
    () => book.reorder('2026-11-23', [{ sku: 'NOPE', date: '2026-11-20', quantity: 1 }]),
    'STOCK_INVALID',
  )
  assert.deepEqual(codesAndPaths(sales.issues), [['STOCK_UNKNOWN_SKU', '$.sales[0].sku']])
})

test('positional arguments are checked by the core at their keys; conversions are coded', () => {
  const book = new ichigen.StockBook(catalog(), levels())
  const fraction = thrown(() => book.receive('TEA', 'tokyo', 1.5), 'STOCK_INVALID')
  assert.equal(fraction.issues[0].path, '$.quantity')
  assert.doesNotMatch(fraction.message, /1\.5/)
  const text = thrown(() => book.receive('TEA', 'tokyo', '3'), 'STOCK_INVALID')
  assert.equal(text.issues[0].path, '$.quantity')
  const missing = thrown(() => book.receive('TEA', 'tokyo'), 'STOCK_INVALID')
  assert.equal(missing.issues[0].path, '$')
  assert.match(missing.issues[0].message, /quantity/)
  const nan = thrown(() => book.adjust('TEA', 'tokyo', Number.NaN), 'INPUT_WRONG_TYPE')
  assert.equal(nan.issues[0].path, '$.delta')
  const lines = thrown(() => book.cancel('o1', ['x']), 'STOCK_INVALID')
  assert.equal(lines.issues[0].path, '$.lines[0]')
  const date = thrown(() => book.reorder('23/11/2026'), 'STOCK_INVALID')
  assert.equal(date.issues[0].path, '$.as_of')
  const channel = thrown(() => book.listingFree('ebay', 'tea'), 'STOCK_INVALID')
  assert.equal(channel.issues[0].path, '$.channel')
  const parse = thrown(() => book.reserve('{"order": '), 'INPUT_PARSE')
  assert.equal(parse.issues[0].path, '$.request')
  const fn = thrown(() => book.setLevel({ sku: 'TEA', location: 'tokyo', on_hand: () => 1 }), 'INPUT_WRONG_TYPE')
  assert.equal(fn.issues[0].path, '$.level.on_hand')
  // BigInt counts are whole numbers.
  assert.equal(book.receive('CUP', 'osaka', 2n).reserved.length, 0)
  assert.equal(book.stock('CUP').on_hand, 6)
})

test('the constructor reports every issue at its path within its own argument', () => {
  const bad = catalog()
  bad.skus.push({ sku: 'TEA' })
  bad.listings.push({ channel: 'rakuten', code: 'ghost', sku: 'GHOST' })
  const e = thrown(() => new ichigen.StockBook(bad), 'STOCK_INVALID')
  assert.ok(e.issues.length >= 2, JSON.stringify(e.issues))
  assert.ok(e.issues.every((i) => i.path.startsWith('$.skus[') || i.path.startsWith('$.listings[')))
  const level = thrown(
    () => new ichigen.StockBook(catalog(), [...levels(), { sku: 'NOPE', location: 'tokyo', on_hand: 1 }]),
    'STOCK_INVALID',
  )
  assert.deepEqual(codesAndPaths(level.issues), [['STOCK_UNKNOWN_SKU', '$[3].sku']])
  const policy = thrown(() => new ichigen.StockBook(catalog(), null, { strategy: 'fastest' }), 'STOCK_INVALID')
  assert.equal(policy.issues[0].path, '$.strategy')
  const alloc = thrown(
    () => new ichigen.StockBook(catalog(), null, null, { channels: [{ channel: 'rakuten', mode: 'percent' }] }),
    'STOCK_INVALID',
  )
  assert.ok(alloc.issues[0].path.startsWith('$.channels[0]'), alloc.issues[0].path)
  assert.equal(thrown(() => new ichigen.StockBook('{"skus": ['), 'INPUT_PARSE').issues[0].path, '$.catalog')
})

test('a quantity a JS number cannot carry is refused, not rounded', () => {
  const huge = '[{"sku": "TEA", "location": "tokyo", "on_hand": 9007199254740993}]'
  const book = new ichigen.StockBook(catalog(), huge, null, allocation())
  const e = thrown(() => book.stock('TEA'), 'INPUT_OUT_OF_RANGE')
  assert.equal(e.issues[0].path, '$.on_hand')
  assert.equal(thrown(() => book.listingFree('rakuten', 'tea'), 'INPUT_OUT_OF_RANGE').issues[0].path, '$')
  assert.equal(thrown(() => book.allocation(), 'INPUT_OUT_OF_RANGE').issues[0].path, '$[0].quantity')
  // Within range, the same book answers.
  assert.equal(book.stock('CUP').on_hand, 0)
})

test('reserveOrder gives the triage facts; triage reads them', () => {
  const order = JSON.parse(ichigen.SAMPLE_ORDER_JSON)
  const stocked = {
    skus: order.lines.map((l) => ({ sku: l.sku })),
    locations: [{ id: 'tokyo' }],
    listings: order.lines.map((l) => ({ channel: order.channel, code: l.listing_code ?? l.sku, sku: l.sku })),
  }
  const book = new ichigen.StockBook(stocked, [{ sku: order.lines[0].sku, location: 'tokyo', on_hand: 100 }])
  const reservation = book.reserveOrder(order)
  assert.deepEqual(reservation.facts, { all_lines_reservable: false, awaiting_stock: true })
  const rules = ichigen.RuleSet.fromObject({
    name: 'stock',
    mode: 'all_matching',
    rules: [
      { id: 'short', when: { awaiting_stock: true }, then: [{ add_hold: { reason: 'awaiting_stock' } }] },
      { id: 'rest', when: {}, then: [{ set_status: 'ready' }] },
    ],
  })
  const { outcome } = ichigen.triage(rules, order, reservation.facts, '2026-11-23T03:00:00Z')
  assert.deepEqual(outcome.matched, ['short', 'rest'])
  assert.equal(outcome.status, 'awaiting_stock')
})

/** Snapshot rows for `catalog` and the columns of them, counts in `kind`. */
function snapshot(rows, kind) {
  const counts = (key) => {
    const values = rows.map((r) => r[key] ?? 0)
    switch (kind) {
      case 'Int32Array':
        return Int32Array.from(values)
      case 'Uint32Array':
        return Uint32Array.from(values)
      case 'Float64Array':
        return Float64Array.from(values)
      case 'BigInt64Array':
        return BigInt64Array.from(values, BigInt)
      default:
        return values
    }
  }
  return {
    sku: rows.map((r) => r.sku),
    location: rows.map((r) => r.location),
    onHand: counts('on_hand'),
    reserved: counts('reserved'),
    buffer: counts('buffer'),
  }
}

/** allocateStock's columns as the rows of the allocation table. */
const rowsOf = (out) =>
  out.listing.map((listing, k) => ({
    channel: out.channel[k],
    ...(out.store[k] === null ? {} : { store: out.store[k] }),
    listing,
    quantity: out.quantity[k],
  }))

test('allocateStock: columns of every kind give the table a book gives', () => {
  const rows = [
    { sku: 'TEA', location: 'tokyo', on_hand: 10, reserved: 2, buffer: 1 },
    { sku: 'TEA', location: 'osaka', on_hand: 5 },
    { sku: 'CUP', location: 'tokyo', on_hand: 3, buffer: 1 },
  ]
  // The same stock in a book: reservations for the reserved units, buffers as levels.
  const book = new ichigen.StockBook(
    catalog(),
    rows.map((r) => ({ sku: r.sku, location: r.location, on_hand: r.on_hand, buffer: r.buffer ?? 0 })),
    null,
    allocation(),
  )
  book.reserve({ order: 'r', channel: 'rakuten', lines: [{ sku: 'TEA', quantity: 2 }] })
  const expected = book.allocation()
  for (const kind of ['Int32Array', 'Uint32Array', 'Float64Array', 'BigInt64Array', 'Array']) {
    const out = ichigen.allocateStock(catalog(), allocation(), snapshot(rows, kind))
    assert.ok(out.quantity instanceof Float64Array, kind)
    assert.deepEqual(rowsOf(out), expected, kind)
    assert.deepEqual(out.issues, [], kind)
  }
  // JSON text for the catalog and the policy; optional columns left out.
  const bare = ichigen.allocateStock(JSON.stringify(catalog()), JSON.stringify(allocation()), {
    sku: ['TEA'],
    location: ['tokyo'],
    onHand: [7],
  })
  assert.deepEqual(
    rowsOf(bare).map((q) => q.quantity),
    [7, 0, 0, 0, 3, 2],
  )
  assert.deepEqual(bare.store, [null, null, null, null, null, 'main'])
  // A missing count is refused, never read as 0 (that would offer reserved units).
  for (const [key, cell] of [['reserved', null], ['buffer', undefined]]) {
    const e = thrown(
      () => ichigen.allocateStock(catalog(), allocation(), { sku: ['TEA'], location: ['tokyo'], onHand: [7], [key]: [cell] }),
      'INPUT_BAD_VALUE',
    )
    assert.equal(e.issues[0].path, `$.columns.${key}[0]`)
  }
  // An empty snapshot: every listing at 0.
  const empty = ichigen.allocateStock(catalog(), allocation(), { sku: [], location: [], onHand: new Int32Array(0) })
  assert.deepEqual(Array.from(empty.quantity), [0, 0, 0, 0, 0, 0])
})

test('allocateStock reports the rows it leaves out at $[i] and counts the others', () => {
  const rows = [
    { sku: 'TEA', location: 'tokyo', on_hand: 10 },
    { sku: 'NOPE', location: 'tokyo', on_hand: 1 },
    { sku: 'TEA', location: 'nagoya', on_hand: 1 },
    { sku: 'TEA', location: 'tokyo', on_hand: 4 },
    { sku: 'CUP', location: 'osaka', on_hand: -1 },
  ]
  const out = ichigen.allocateStock(catalog(), allocation(), snapshot(rows, 'Int32Array'))
  assert.deepEqual(codesAndPaths(out.issues), [
    ['STOCK_UNKNOWN_SKU', '$[1].sku'],
    ['STOCK_UNKNOWN_LOCATION', '$[2].location'],
    ['STOCK_DUPLICATE_ROW', '$[3]'],
    ['STOCK_NEGATIVE', '$[4]'],
  ])
  // The rows that count: TEA at tokyo, 10 (the later duplicate left out).
  assert.deepEqual(Array.from(out.quantity), [10, 0, 0, 0, 5, 2])
})

test('allocateStock on generated rows matches a book row for row', () => {
  const skus = Array.from({ length: 400 }, (_, i) => ({ sku: `SKU-${i}` }))
  const locations = ['east', 'west', 'south'].map((id) => ({ id }))
  const listings = skus.flatMap(({ sku }, i) => [
    { channel: 'rakuten', code: `r-${i}`, sku },
    { channel: 'amazon', code: `a-${i}`, sku },
    ...(i % 7 === 0 ? [{ channel: 'rakuten', code: `set-${i}`, components: [{ sku, quantity: 2 }, { sku: 'SKU-1', quantity: 1 }] }] : []),
  ])
  const big = { skus, locations, listings }
  const policy = {
    channels: [
      { channel: 'rakuten', mode: 'uniform', cap: 50, locations: ['east', 'west'] },
      { channel: 'amazon', mode: 'percent', percent: '33.3', zero_below: 2 },
    ],
  }
  let seed = 7
  const next = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed % n
  }
  const rows = []
  for (const { sku } of skus) {
    for (const { id } of locations) {
      if (next(4) === 0) continue
      rows.push({ sku, location: id, on_hand: next(120), buffer: next(3) })
    }
  }
  const book = new ichigen.StockBook(big, rows, null, policy)
  const out = ichigen.allocateStock(big, policy, snapshot(rows, 'Float64Array'))
  assert.deepEqual(out.issues, [])
  assert.deepEqual(rowsOf(out), book.allocation())
})

test('allocateStock refuses bad columns with a coded error naming the column', () => {
  const good = () => ({ sku: ['TEA', 'CUP'], location: ['tokyo', 'tokyo'], onHand: new Int32Array([1, 2]) })
  const cases = [
    [{ ...good(), sku: undefined }, 'INPUT_MISSING_FIELD', '$.columns.sku'],
    [{ ...good(), onHand: null }, 'INPUT_MISSING_FIELD', '$.columns.onHand'],
    [{ ...good(), location: ['tokyo'] }, 'INPUT_COLUMN_LENGTH', '$.columns.location'],
    [{ ...good(), buffer: new Int32Array(3) }, 'INPUT_COLUMN_LENGTH', '$.columns.buffer'],
    [{ ...good(), sku: ['TEA', 7] }, 'INPUT_WRONG_TYPE', '$.columns.sku[1]'],
    [{ ...good(), location: 'tokyo' }, 'INPUT_WRONG_TYPE', '$.columns.location'],
    [{ ...good(), onHand: new Int8Array([1, 2]) }, 'INPUT_WRONG_TYPE', '$.columns.onHand'],
    [{ ...good(), onHand: new Float64Array([1, 2.5]) }, 'INPUT_BAD_VALUE', '$.columns.onHand[1]'],
    [{ ...good(), onHand: new Float64Array([Number.NaN, 2]) }, 'INPUT_BAD_VALUE', '$.columns.onHand[0]'],
    [{ ...good(), onHand: [1, 2 ** 60] }, 'INPUT_BAD_VALUE', '$.columns.onHand[1]'],
    [{ ...good(), onHand: [1, null] }, 'INPUT_BAD_VALUE', '$.columns.onHand[1]'],
    [{ ...good(), reserved: [1, '2'] }, 'INPUT_WRONG_TYPE', '$.columns.reserved[1]'],
    [{ ...good(), onHand: [1, 2n ** 70n] }, 'INPUT_OUT_OF_RANGE', '$.columns.onHand[1]'],
    [{ ...good(), on_hand: [1, 2] }, 'INPUT_UNKNOWN_FIELD', '$.columns["on_hand"]'],
    [[], 'INPUT_WRONG_TYPE', '$.columns'],
    [null, 'INPUT_WRONG_TYPE', '$.columns'],
  ]
  for (const [columns, code, path] of cases) {
    const e = thrown(() => ichigen.allocateStock(catalog(), allocation(), columns), code)
    assert.deepEqual(codesAndPaths(e.issues), [[code, path]], JSON.stringify(path))
    assert.doesNotMatch(e.message, /2\.5|tokyo|TEA/)
  }
  const policy = thrown(
    () => ichigen.allocateStock(catalog(), { channels: [{ channel: 'rakuten', mode: 'sometimes' }] }, good()),
    'STOCK_INVALID',
  )
  assert.ok(policy.issues[0].path.startsWith('$.channels[0]'), policy.issues[0].path)
  thrown(() => ichigen.allocateStock({ skus: 'TEA' }, allocation(), good()), 'STOCK_INVALID')
})

test('dropShipTotals, reorderQuantity and stockSession', () => {
  const totals = ichigen.dropShipTotals(catalog(), [
    { channel: 'rakuten', listing_code: 'book', quantity: 2 },
    { channel: 'rakuten', listing_code: 'nosuch', quantity: 1 },
    { channel: 'rakuten', listing_code: 'tea', quantity: 3 },
  ])
  assert.deepEqual(totals.totals, [
    { supplier: 'hon', lines: [{ sku: 'BOOK', quantity: 2, channels: { rakuten: 2 } }], units: 2 },
  ])
  assert.deepEqual(codesAndPaths(totals.issues), [['STOCK_UNKNOWN_LISTING', '$.lines[1].listing_code']])
  thrown(() => ichigen.dropShipTotals(catalog(), [{ channel: 'rakuten' }]), 'STOCK_INVALID')

  assert.equal(ichigen.reorderQuantity(4, 10, 20, 5), 15)
  assert.equal(ichigen.reorderQuantity(4, 10, 20), 16)
  assert.equal(ichigen.reorderQuantity(4, 10, 20, 0), 16)
  assert.equal(ichigen.reorderQuantity(11, 10, 20, 5), 0)
  assert.equal(ichigen.reorderQuantity(9, 10, 10, 6), 6)
  assert.equal(ichigen.reorderQuantity(-3n, 0, 0, null), 3)
  assert.equal(thrown(() => ichigen.reorderQuantity(4.5, 10, 20), 'STOCK_INVALID').issues[0].path, '$.position')
  assert.equal(thrown(() => ichigen.reorderQuantity(4, 10, 20, -1), 'STOCK_INVALID').issues[0].path, '$.lot')
  assert.equal(
    thrown(() => ichigen.reorderQuantity(-(2 ** 53 - 1), 0, 2 ** 53 - 1), 'INPUT_OUT_OF_RANGE').code,
    'INPUT_OUT_OF_RANGE',
  )

  const session = ichigen.stockSession({
    catalog: catalog(),
    levels: levels(),
    steps: [{ reserve: request('o1', [['nosuch', 1]]) }, { stock: { sku: 'TEA' } }],
  })
  assert.deepEqual(codesAndPaths(session.results[0].error.issues), [
    ['STOCK_UNKNOWN_LISTING', '$.steps[0].reserve.lines[0].listing_code'],
  ])
  assert.equal(session.results[1].free, 8)
  thrown(() => ichigen.stockSession({ catalog: { nope: true }, steps: [] }), 'STOCK_INVALID')
})

test("the README's stock example runs and prints what it says", () => {
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8')
  const section = readme.slice(readme.indexOf('### Stock'))
  const block = section.match(/```js\n([\s\S]*?)```/)[1]
  const binding = fileURLToPath(new URL('../index.js', import.meta.url))
  const source =
    "import { createRequire } from 'node:module'\nconst require = createRequire(import.meta.url)\n" +
    block.replace("require('ichigen')", `require(${JSON.stringify(binding)})`)
  const file = join(mkdtempSync(join(tmpdir(), 'ichigen-stock-')), 'example.mjs')
  writeFileSync(file, source)
  const printed = execFileSync(process.execPath, [file], { encoding: 'utf8' }).trimEnd().split('\n')
  const promised = [...block.matchAll(/console\.log\([^\n]*\)\s*\/\/\s*(\S[^\n]*)$/gm)].map((m) => m[1].trim())
  assert.ok(promised.length >= 5)
  assert.deepEqual(printed, promised)
})
