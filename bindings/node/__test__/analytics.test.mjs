// Analytics: OrderHistory from rows, typed-array columns and Arrow IPC; the shop's
// day in its zone; every bad cell at its path; the result forms (columns, rows,
// Arrow); the option errors; damaged Arrow bytes; the CDNOW figures of Fader,
// Hardie & Lee (2005) and Fader & Hardie (2013) reproduced from the transactions
// through the binding; and the README's example.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { arrowRows, columnRows } from './analytics-runner.mjs'
import ichigen from './load.mjs'

const require = createRequire(import.meta.url)
const arrow = require('apache-arrow')
const { OrderHistory, fitClv, fitClvAsync, predictClv } = ichigen

/** Calls `fn`, asserts it throws an ichigen error with `code`, and returns the error. */
function thrown(fn, code) {
  try {
    fn()
  } catch (e) {
    assert.ok(e instanceof Error, 'an Error instance')
    assert.ok(Array.isArray(e.issues), '.issues is an array')
    assert.equal(e.code, code, e.message)
    return e
  }
  assert.fail('expected a throw')
}

const paths = (e) => e.issues.map((i) => `${i.code} ${i.path}`)

/** Seconds since 1970 of an RFC 3339 instant. */
const seconds = (s) => Date.parse(s) / 1000

test('an order at 23:30 in Tokyo is on its Tokyo day, from every form', () => {
  const at = ['2026-01-01T23:30:00+09:00', '2026-01-02T00:30:00+09:00']
  const expectDays = (h, days) => {
    const t = h.sales({ group_by: ['date'] })
    assert.deepEqual(t.columns.date, days)
    assert.deepEqual(Array.from(t.columns.orders), days.length === 2 ? [1, 1] : [2])
  }
  const typed = (zone) =>
    new OrderHistory(
      { customer: ['a', 'b'], ordered_at: BigInt64Array.from(at.map((s) => BigInt(seconds(s)))), amount: Int32Array.of(100, 200) },
      null,
      { zone },
    )
  expectDays(typed('Asia/Tokyo'), ['2026-01-01', '2026-01-02'])
  // The same instants in UTC are both on the 1st (14:30 and 15:30).
  expectDays(typed('UTC'), ['2026-01-01'])
  // Seconds in a Float64Array, and rows with text.
  expectDays(
    new OrderHistory({ customer: ['a', 'b'], ordered_at: Float64Array.from(at.map(seconds)), amount: Float64Array.of(100, 200) }),
    ['2026-01-01', '2026-01-02'],
  )
  expectDays(
    new OrderHistory(at.map((ordered_at, i) => ({ customer: 'a', ordered_at, amount: String(100 * (i + 1)) }))),
    ['2026-01-01', '2026-01-02'],
  )
  // Arrow: a zoned timestamp is the instant; one without a zone is the shop's wall
  // clock; Int64 is UTC seconds; Date32 is the local day.
  const ipc = (ordered_at) =>
    arrow.tableToIPC(
      new arrow.Table({
        customer: arrow.vectorFromArray(['a', 'b'], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())),
        ordered_at,
        amount: arrow.vectorFromArray([100n, 200n], new arrow.Int64()),
      }),
    )
  const ms = at.map((s) => Date.parse(s))
  expectDays(new OrderHistory(ipc(arrow.vectorFromArray(ms, new arrow.TimestampSecond('UTC')))), ['2026-01-01', '2026-01-02'])
  expectDays(new OrderHistory(ipc(arrow.vectorFromArray(ms, new arrow.TimestampMillisecond('America/New_York')))), [
    '2026-01-01',
    '2026-01-02',
  ])
  const wall = [Date.parse('2026-01-01T23:30:00Z'), Date.parse('2026-01-02T00:30:00Z')]
  expectDays(new OrderHistory(ipc(arrow.vectorFromArray(wall, new arrow.TimestampSecond()))), ['2026-01-01', '2026-01-02'])
  expectDays(new OrderHistory(ipc(arrow.vectorFromArray(ms.map((x) => BigInt(x / 1000)), new arrow.Int64()))), [
    '2026-01-01',
    '2026-01-02',
  ])
  const days = arrow.vectorFromArray([Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 2)], new arrow.DateDay())
  const h = new OrderHistory(ipc(days))
  expectDays(h, ['2026-01-01', '2026-01-02'])
  // Date32 is the local midnight: hour 0 in the shop's zone.
  assert.deepEqual(Array.from(h.sales({ group_by: ['hour'] }).columns.hour), [0])
})

test('bad amounts are reported at each row, with every other bad cell, in every form', () => {
  const ordered = ['2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', '2026-01-03T00:00:00Z', '2026-01-04T00:00:00Z']
  // Typed: ¥1.5 and ¥0.001 have digits past the yen; 1e16 is out of range.
  let e = thrown(
    () =>
      new OrderHistory({
        customer: ['a', 'b', 'c', 'd'],
        ordered_at: Float64Array.from(ordered.map(seconds)),
        amount: Float64Array.of(1.5, 100, 0.001, 1e16),
      }),
    'ANALYTICS_INVALID',
  )
  assert.deepEqual(paths(e), [
    'ANALYTICS_BAD_MONEY $.orders.amount[0]',
    'ANALYTICS_BAD_MONEY $.orders.amount[2]',
    'ANALYTICS_BAD_MONEY $.orders.amount[3]',
  ])
  // A JS array beside typed columns, in dollars: text, a third decimal, a number
  // whose shortest form has three digits; and a missing customer, a bad instant.
  e = thrown(
    () =>
      new OrderHistory(
        {
          customer: ['a', null, 'c', 'd'],
          ordered_at: ['2026-01-01T00:00:00Z', 'yesterday', '2026-01-03T00:00:00Z', '2026-01-04T00:00:00Z'],
          amount: ['abc', '1.50', '12.345', 0.125],
          units: Int32Array.of(1, 1, -1, 1),
        },
        null,
        { currency: 'USD' },
      ),
    'ANALYTICS_INVALID',
  )
  assert.deepEqual(paths(e).sort(), [
    'ANALYTICS_BAD_INSTANT $.orders.ordered_at[1]',
    'ANALYTICS_BAD_MONEY $.orders.amount[0]',
    'ANALYTICS_BAD_MONEY $.orders.amount[2]',
    'ANALYTICS_BAD_MONEY $.orders.amount[3]',
    'ANALYTICS_BAD_QUANTITY $.orders.units[2]',
    'ANALYTICS_MISSING_CUSTOMER $.orders.customer[1]',
  ])
  for (const issue of e.issues) assert.ok(!issue.message.includes('abc'), 'messages never quote the value')
  // Arrow: a decimal of three digits for dollars is exact only with a zero third
  // digit; rows are counted across record batches.
  const batch = (amounts) =>
    new arrow.RecordBatch({
      customer: arrow.vectorFromArray(['a', 'b'], new arrow.Utf8()).data[0],
      ordered_at: arrow.vectorFromArray([0, 1000], new arrow.TimestampSecond('UTC')).data[0],
      amount: arrow.makeData({
        type: new arrow.Decimal(3, 18, 128),
        length: 2,
        nullCount: 0,
        data: new Uint32Array(amounts.flatMap((a) => [a, 0, 0, 0])),
      }),
    })
  const table = new arrow.Table([batch([12_340, 12_345]), batch([5, 7_000])])
  e = thrown(() => new OrderHistory(arrow.tableToIPC(table), null, { currency: 'USD' }), 'ANALYTICS_INVALID')
  assert.deepEqual(paths(e), ['ANALYTICS_BAD_MONEY $.orders.amount[1]', 'ANALYTICS_BAD_MONEY $.orders.amount[2]'])
  // The good ones read exactly: 12.340 and 7.000 dollars.
  const good = new arrow.Table([batch([12_340, 7_000])])
  const h = new OrderHistory(arrow.tableToIPC(good), null, { currency: 'USD' })
  assert.deepEqual(h.sales(null, { output: 'rows' }).rows[0].revenue, '19.34')
})

test('results as columns, rows and Arrow hold the same table', () => {
  const h = new OrderHistory(
    {
      customer: Int32Array.of(1001, 7, 1001),
      ordered_at: Float64Array.from(['2026-01-05T10:00:00+09:00', '2026-01-06T10:00:00+09:00', '2026-02-01T10:00:00+09:00'].map(seconds)),
      amount: Int32Array.of(70_000, 500, 1_200),
      channel: ['rakuten', null, 'amazon'],
    },
    null,
  )
  const config = { as_of: '2026-03-01' }
  const columns = h.rfm(config)
  // Whole-number ids come back as their decimal text, in order of first appearance.
  assert.deepEqual(columns.columns.customer, ['1001', '7'])
  assert.ok(columns.columns.recency instanceof Float64Array)
  assert.deepEqual(columns.columns.monetary, ['71200', '500'])
  assert.deepEqual(columns.columns.first_purchase, ['2026-01-05', '2026-01-06'])
  const rows = h.rfm(config, { output: 'rows' }).rows
  assert.deepEqual(columnRows(columns), rows)
  assert.deepEqual(arrowRows(h.rfm(config, { output: 'arrow' })), rows)
  const fields = arrow.tableFromIPC(h.rfm(config, { output: 'arrow' })).schema.fields.map(String)
  assert.ok(fields.includes('customer: Dictionary<Uint32, Utf8>'), fields)
  assert.ok(fields.includes('monetary: Decimal[38e0]'), fields)
  // A column with a missing value is an array with null, never NaN.
  const sales = h.sales({ group_by: ['channel'] })
  assert.deepEqual(sales.columns.channel, ['amazon', 'rakuten', null])
  assert.deepEqual(sales.columns.units, [null, null, null])
  // The balance sheet: three tables, each in the form asked for.
  const sheet = h.balanceSheet({ as_of: '2026-12-31' })
  const sheetRows = h.balanceSheet({ as_of: '2026-12-31' }, { output: 'rows' })
  for (const k of ['classes', 'flows', 'projection']) assert.deepEqual(columnRows(sheet[k]), sheetRows[k])
  assert.equal(h.length, 3)
  assert.equal(h.zone, 'Asia/Tokyo')
  assert.equal(h.currency, 'JPY')
  assert.equal(h.describe().customers, 2)
})

test('lines from typed columns give what the rows give', () => {
  const rows = [
    { customer: 'a', ordered_at: '2026-01-01T10:00:00+09:00', amount: '1500', lines: [{ sku: 'S1', product: 'P', quantity: 2, amount: '1000' }, { sku: 'S2', quantity: 1, amount: '500' }] },
    { customer: 'b', ordered_at: '2026-01-02T10:00:00+09:00', amount: '500', lines: [{ sku: 'S2', quantity: 1, amount: '500' }] },
  ]
  const query = { group_by: ['sku'] }
  const fromRows = new OrderHistory(rows).sales(query, { output: 'rows' })
  const h = new OrderHistory(
    { customer: ['a', 'b'], ordered_at: Float64Array.from(rows.map((r) => seconds(r.ordered_at))), amount: Int32Array.of(1500, 500) },
    { order: Uint32Array.of(0, 0, 1), sku: ['S1', 'S2', 'S2'], product: ['P', null, null], quantity: Int32Array.of(2, 1, 1), amount: Float64Array.of(1000, 500, 500) },
  )
  assert.deepEqual(columnRows(h.sales(query)), fromRows.rows)
  assert.equal(h.describe().lines, 3)
  // A line pointing past the orders is refused at its path.
  const e = thrown(
    () => new OrderHistory({ customer: ['a'], ordered_at: Float64Array.of(0), amount: Int32Array.of(1) }, { order: Uint32Array.of(3), sku: ['S'] }),
    'ANALYTICS_INVALID',
  )
  assert.deepEqual(paths(e), ['ANALYTICS_UNKNOWN_ORDER $.lines.order[0]'])
})

test('bad arguments are coded: options, output, bytes, columns', () => {
  const orders = { customer: ['a'], ordered_at: Float64Array.of(0), amount: Int32Array.of(1) }
  let e = thrown(() => new OrderHistory(orders, null, { zone: 'Asia/Edo' }), 'ANALYTICS_INVALID')
  assert.deepEqual(paths(e), ['ANALYTICS_UNKNOWN_ZONE $.options.zone'])
  e = thrown(() => new OrderHistory(orders, null, { currency: 'XXX' }), 'ANALYTICS_INVALID')
  assert.deepEqual(paths(e), ['ANALYTICS_UNKNOWN_CURRENCY $.options.currency'])
  e = thrown(() => new OrderHistory(orders, null, { zone: 'UTC', colour: 'red' }), 'ANALYTICS_INVALID')
  assert.deepEqual(paths(e), ['ANALYTICS_UNKNOWN_FIELD $.options.colour'])
  e = thrown(() => new OrderHistory(Buffer.from('not arrow')), 'ANALYTICS_INVALID')
  assert.deepEqual(paths(e), ['ANALYTICS_BAD_ARROW $.orders'])
  // A message announcing 2 GB in a few bytes, and a stream cut short.
  thrown(() => new OrderHistory(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 1, 2, 3)), 'ANALYTICS_INVALID')
  const ipc = arrow.tableToIPC(new arrow.Table({ customer: arrow.vectorFromArray(['a']), ordered_at: arrow.vectorFromArray([0n]), amount: arrow.vectorFromArray([1n]) }))
  assert.equal(new OrderHistory(ipc).length, 1)
  e = thrown(() => new OrderHistory(ipc.subarray(0, ipc.length - 40)), 'ANALYTICS_INVALID')
  assert.deepEqual(paths(e), ['ANALYTICS_BAD_ARROW $.orders'])
  e = thrown(() => new OrderHistory(orders, ipc.buffer.slice(0, 16)), 'ANALYTICS_INVALID')
  assert.deepEqual(paths(e), ['ANALYTICS_BAD_ARROW $.lines'])
  e = thrown(() => new OrderHistory({ customer: ['a'], ordered_at: Float64Array.of(0) }), 'ANALYTICS_INVALID')
  assert.deepEqual(paths(e), ['ANALYTICS_MISSING_COLUMN $.orders.amount'])
  e = thrown(() => new OrderHistory({ ...orders, amount: Int32Array.of(1, 2) }), 'ANALYTICS_INVALID')
  assert.deepEqual(paths(e), ['ANALYTICS_COLUMN_LENGTH $.orders.amount'])
  e = thrown(() => new OrderHistory({ ...orders, colour: ['red'] }), 'ANALYTICS_INVALID')
  assert.deepEqual(paths(e), ['ANALYTICS_UNKNOWN_FIELD $.orders.colour'])
  const h = new OrderHistory(orders)
  thrown(() => h.sales(null, { output: 'xml' }), 'INPUT_BAD_VALUE')
  thrown(() => h.sales(null, { format: 'rows' }), 'INPUT_UNKNOWN_FIELD')
  // A configuration the core cannot read fails with the JSON face's issue, in any form.
  for (const output of ['columns', 'rows', 'arrow']) {
    e = thrown(() => h.cpm({ as_of: '2026-01-01', lapse: 1 }, { output }), 'ANALYTICS_INVALID')
    assert.deepEqual(paths(e), ['ANALYTICS_UNKNOWN_FIELD $.config.lapse'])
    e = thrown(() => h.cpmFlows({ as_of: '2026-01-01' }, 'soon', { output }), 'ANALYTICS_INVALID')
    assert.equal(e.issues[0].path, '$.config.to')
  }
})

test('damaged Arrow bytes are refused, never a crash', () => {
  // In a child process (a crash would take the runner down; arrow's reader reports
  // the damage it panics on to stderr, which is left out): 2,000 copies of a stream
  // and of a file with bytes overwritten or cut short.
  const script = `
    const ichigen = require(${JSON.stringify(fileURLToPath(new URL('../index.js', import.meta.url)))})
    const arrow = require('apache-arrow')
    const t = new arrow.Table({
      customer: arrow.vectorFromArray(['a', 'b', 'a'], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())),
      ordered_at: arrow.vectorFromArray([0, 1000, 2000], new arrow.TimestampSecond('UTC')),
      amount: arrow.vectorFromArray([1n, 2n, 3n], new arrow.Int64()),
    })
    let seed = 7
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
    const seen = {}
    for (const kind of ['stream', 'file']) {
      const good = arrow.tableToIPC(t, kind)
      for (let k = 0; k < 1000; k++) {
        const b = Buffer.from(good)
        for (let j = 0; j < 1 + Math.floor(rand() * 4); j++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256)
        const bytes = rand() < 0.2 ? b.subarray(0, Math.floor(rand() * b.length)) : b
        let outcome
        try { new ichigen.OrderHistory(bytes); outcome = 'read' } catch (e) { outcome = String(e.code) }
        seen[outcome] = (seen[outcome] ?? 0) + 1
      }
    }
    process.stdout.write(JSON.stringify(seen))
  `
  const out = execFileSync(process.execPath, ['-e', script], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'ignore'],
    encoding: 'utf8',
  })
  const seen = JSON.parse(out)
  assert.deepEqual(Object.keys(seen).sort(), ['ANALYTICS_INVALID', 'read'], out)
  assert.equal(seen.ANALYTICS_INVALID + seen.read, 2000)
  assert.ok(seen.ANALYTICS_INVALID > 1000, out)
})

// ---- CDNOW ----------------------------------------------------------------------

const fixture = (name) => readFileSync(fileURLToPath(new URL(`../../../tests/fixtures/cdnow/${name}`, import.meta.url)), 'utf8')

/** The 6,919 purchases (sample id, YYYYMMDD, CDs, dollars) as typed columns. */
function cdnowColumns() {
  const lines = fixture('CDNOW_sample.txt').trim().split('\n')
  const n = lines.length
  const customer = new Int32Array(n)
  const orderedAt = new Float64Array(n)
  const amount = new Float64Array(n)
  const units = new Int32Array(n)
  lines.forEach((line, i) => {
    const [, id, day, cds, dollars] = line.trim().split(/\s+/)
    customer[i] = Number(id)
    orderedAt[i] = Date.UTC(Number(day.slice(0, 4)), Number(day.slice(4, 6)) - 1, Number(day.slice(6, 8))) / 1000
    amount[i] = Number(dollars)
    units[i] = Number(cds)
  })
  return { customer, ordered_at: orderedAt, amount, units }
}

const round = (x, d) => Math.round(x * 10 ** d) / 10 ** d

test('CDNOW: the summary, BG/NBD and Gamma-Gamma reproduce the papers from the transactions', async () => {
  const h = new OrderHistory(cdnowColumns(), null, { zone: 'UTC', currency: 'USD' })
  assert.equal(h.length, 6919)
  const config = { observation_end: '1997-09-30', period_days: 7 }
  const summary = h.clvSummary(config)
  assert.equal(summary.rows, 2357)
  // The published calibration summary: x exactly, t_x and T to two decimals.
  const published = fixture('cdnow_customers_summary_with_transactions.csv').trim().split('\n').slice(1)
  const row = new Map(summary.columns.customer.map((id, i) => [id, i]))
  for (const line of published) {
    const [id, x, tx, T] = line.split(',')
    const i = row.get(id)
    assert.notEqual(i, undefined, `customer ${id} in the summary`)
    assert.equal(summary.columns.frequency[i], Number(x))
    assert.equal(round(summary.columns.recency[i], 2), Number(tx))
    assert.equal(round(summary.columns.T[i], 2), Number(T))
  }
  // Fader, Hardie & Lee (2005): r 0.243, α 4.414, a 0.793, b 2.426; Fader & Hardie
  // (2013): p 6.25, q 3.74, γ 15.44.
  const fit = fitClv(summary.columns)
  assert.equal(fit.bgnbd.diagnostics.converged, true)
  const { r, alpha, a, b } = fit.bgnbd
  assert.deepEqual([r, alpha, a, b].map((x) => round(x, 3)), [0.243, 4.414, 0.793, 2.426])
  assert.equal(round(fit.bgnbd.diagnostics.log_likelihood, 1), -9582.4)
  const { p, q, v } = fit.gamma_gamma
  assert.deepEqual([p, q, v].map((x) => round(x, 2)), [6.25, 3.74, 15.44])
  // The same fit from the summary as Arrow and as rows.
  assert.deepEqual(fitClv(h.clvSummary(config, { output: 'arrow' })), fit)
  assert.deepEqual(fitClv(h.clvSummary(config, { output: 'rows' }).rows), fit)
  // On the thread pool: the same fit; a bad option rejects as fitClv throws.
  assert.deepEqual(await fitClvAsync(summary.columns), fit)
  const sync = thrown(() => fitClv(summary.columns, { penalizer: -1 }), 'ANALYTICS_INVALID')
  const rejected = await fitClvAsync(summary.columns, { penalizer: -1 }).then(
    () => assert.fail('fitClvAsync resolved'),
    (e) => e,
  )
  assert.equal(rejected.code, sync.code)
  assert.deepEqual(rejected.issues, sync.issues)
  // FHL's worked example: x = 2, t_x = 30.43, T = 38.86 buys 1.226 times in 39 weeks.
  const predicted = predictClv(
    { frequency: Float64Array.of(2), recency: Float64Array.of(30.43), T: Float64Array.of(38.86) },
    { bgnbd: { r, alpha, a, b }, periods: 39 },
  )
  assert.equal(round(predicted.columns.expected_purchases[0], 3), 1.226)
})

test('CDNOW from Arrow: ids as integers, dollars as decimals', () => {
  const c = cdnowColumns()
  const cents = Array.from(c.amount, (x) => Math.round(x * 100))
  const words = new Uint32Array(cents.flatMap((x) => [x, 0, 0, 0]))
  const ipc = arrow.tableToIPC(
    new arrow.Table({
      customer: arrow.vectorFromArray(Array.from(c.customer), new arrow.Int32()),
      ordered_at: arrow.vectorFromArray(Array.from(c.ordered_at, (s) => s * 1000), new arrow.TimestampSecond('UTC')),
      amount: arrow.makeVector(arrow.makeData({ type: new arrow.Decimal(2, 10, 128), length: cents.length, nullCount: 0, data: words })),
      units: arrow.vectorFromArray(Array.from(c.units), new arrow.Int32()),
    }),
    'file',
  )
  const config = { observation_end: '1997-09-30', period_days: 7, decimals: 6 }
  const fromArrow = new OrderHistory(ipc, null, { zone: 'UTC', currency: 'USD' })
  const fromTyped = new OrderHistory(c, null, { zone: 'UTC', currency: 'USD' })
  assert.deepEqual(fromArrow.clvSummary(config, { output: 'rows' }), fromTyped.clvSummary(config, { output: 'rows' }))
  assert.deepEqual(fromArrow.describe(), fromTyped.describe())
})

test("the README's analytics example runs and prints what it says", () => {
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8')
  const section = readme.slice(readme.indexOf('### Analytics'))
  const block = section.match(/```js\n([\s\S]*?)```/)[1]
  const binding = fileURLToPath(new URL('../index.js', import.meta.url))
  const source =
    "import { createRequire } from 'node:module'\nconst require = createRequire(import.meta.url)\n" +
    block.replace("require('ichigen')", `require(${JSON.stringify(binding)})`)
  const file = join(mkdtempSync(join(tmpdir(), 'ichigen-analytics-')), 'example.mjs')
  writeFileSync(file, source)
  const printed = execFileSync(process.execPath, [file], { encoding: 'utf8' }).trimEnd().split('\n')
  const promised = [...block.matchAll(/console\.log\([^\n]*\)\s*\/\/\s*(\S[^\n]*)$/gm)].map((m) => m[1].trim())
  assert.ok(promised.length >= 5)
  assert.deepEqual(printed, promised)
})
