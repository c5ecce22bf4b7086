// ShippingPolicy (one request or order, with the explanation), BatchPlanner (typed
// array columns in and out, plan and planAsync), prefectureCode, and their errors.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import ichigen from './load.mjs'
import { epochDays, isoDate } from './vector-runner.mjs'

const { BatchPlanner, ShippingPolicy, NO_DATE, NO_TRANSIT_DAYS } = ichigen
const NOW = '2026-11-23T03:00:00Z'
const STATUS_NAMES = ['ok', 'awaiting_ship_date', 'designated_infeasible', 'transit_missing', 'out_of_range', 'bad_input']
const SERVICES = ['ambient', 'chilled', 'frozen']

/** Store A in Tokyo, yamato closed on Sundays and 1/1; store B in Osaka, closed on Wednesdays. */
const POLICIES = [
  {
    origin: '東京都',
    cutoff: '12:00',
    handling_days: 1,
    carrier_calendars: [
      { name: 'yamato', closed_weekdays: ['sun'], holidays: [], annual_closed: [{ from: '01-01', reason: '元日休配' }] },
    ],
    default_carrier: 'yamato',
  },
  {
    origin: '大阪府',
    cutoff: '15:30',
    handling_days: 0,
    calendars: [{ name: 'osaka', closed_weekdays: ['wed'], holidays: [] }],
  },
]
const CARRIERS = ['yamato', 'sagawa']
// Building a planner builds its calendars (a debug build takes a moment): share one.
let shared
const sharedPlanner = () => (shared ??= new BatchPlanner(POLICIES, CARRIERS))

/** Calls `fn`, asserts it throws an ichigen error, and returns the error. */
function thrown(fn) {
  try {
    fn()
  } catch (e) {
    assert.ok(e instanceof Error, 'an Error instance')
    assert.equal(typeof e.code, 'string')
    assert.ok(Array.isArray(e.issues), '.issues is an array')
    return e
  }
  assert.fail('expected a throw')
}

/** A small deterministic generator (mulberry32). */
function random(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** `n` rows of every column, spread over 2026-01-01 … 2027-06-30 at any time of day. */
function generateRows(n, seed = 7) {
  const rand = random(seed)
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1))
  const start = Date.parse('2026-01-01T00:00:00Z') / 1000
  const end = Date.parse('2027-06-30T00:00:00Z') / 1000
  const rows = {
    orderedAt: new BigInt64Array(n),
    destination: new Uint8Array(n),
    policy: new Uint32Array(n),
    carrier: new Uint32Array(n),
    service: new Uint8Array(n),
    handlingDays: new Uint32Array(n),
    designated: new Int32Array(n),
  }
  for (let i = 0; i < n; i++) {
    const at = int(start, end)
    rows.orderedAt[i] = BigInt(at)
    rows.destination[i] = int(1, 47)
    rows.policy[i] = int(0, 1)
    rows.carrier[i] = int(0, 1)
    rows.service[i] = int(0, 2)
    rows.handlingDays[i] = int(0, 5)
    rows.designated[i] = rand() < 0.4 ? NO_DATE : Math.floor(at / 86_400) + int(0, 30)
  }
  return rows
}

/** A plan's JSON as the batch's columns for one row. */
function planRow(plan) {
  return {
    status: plan.status,
    ship_date: plan.ship_date,
    delivery_date: plan.delivery_date,
    latest_ship_date: plan.latest_ship_date,
    transit_days: plan.transit_days,
  }
}

/** Row `i` of a batch output, as `planRow` writes a plan. */
function batchRow(out, i) {
  const date = (d) => (d === NO_DATE ? null : isoDate(d))
  return {
    status: out.statusNames[out.status[i]],
    ship_date: date(out.shipDate[i]),
    delivery_date: date(out.deliveryDate[i]),
    latest_ship_date: date(out.latestShipDate[i]),
    transit_days: out.transitDays[i] === NO_TRANSIT_DAYS ? null : out.transitDays[i],
  }
}

test('prefectureCode: codes, names, short names and romaji', () => {
  assert.equal(ichigen.prefectureCode('東京都'), 13)
  assert.equal(ichigen.prefectureCode('東京'), 13)
  assert.equal(ichigen.prefectureCode('Tokyo'), 13)
  assert.equal(ichigen.prefectureCode('01'), 1)
  assert.equal(ichigen.prefectureCode('47'), 47)
  assert.equal(ichigen.prefectureCode('東京府'), null)
  assert.equal(ichigen.prefectureCode('48'), null)
  assert.equal(thrown(() => ichigen.prefectureCode(13)).code, 'INPUT_WRONG_TYPE')
})

test('ShippingPolicy.plan: dates, steps, explanation and triage facts', () => {
  const policy = new ShippingPolicy({ origin: '東京都', cutoff: '12:00', handling_days: 1 })
  // Friday 13:30 JST, after the cut-off: work starts Monday 12/28, ships 12/29.
  const plan = policy.plan({ ordered_at: '2026-12-25T04:30:00Z', destination: '大阪府' }, '2026-12-25T05:00:00Z')
  assert.equal(plan.status, 'ok')
  assert.equal(plan.start_date, '2026-12-28')
  assert.equal(plan.ship_date, '2026-12-29')
  assert.equal(plan.delivery_date, '2026-12-30')
  assert.equal(plan.transit_days, 1)
  assert.equal(plan.latest_ship_date, null)
  assert.deepEqual(plan.problems, [])
  assert.equal(plan.steps[0].step, 'ordered')
  assert.equal(plan.steps[0].after_cutoff, true)
  assert.equal(plan.explanation.length, plan.steps.length)
  assert.ok(plan.explanation.some((line) => line.includes('after the cut-off')))
  assert.deepEqual(plan.context, { designated_date_infeasible: false, transit_days: 1, awaiting_ship_date: false })
  // The same request as JSON text, with `now` as a Date and ordered_at as a Date.
  const again = policy.plan(
    JSON.stringify({ ordered_at: '2026-12-25T04:30:00Z', destination: '27' }),
    new Date('2026-12-25T05:00:00Z'),
  )
  assert.deepEqual(again, plan)
  const withDate = policy.plan({ ordered_at: new Date('2026-12-25T04:30:00Z'), destination: 'osaka' }, NOW)
  assert.equal(withDate.ship_date, plan.ship_date)
})

test('ShippingPolicy.plan: a designated date waits, or cannot be met; today comes from now', () => {
  const policy = new ShippingPolicy({ origin: '東京都' })
  const request = { ordered_at: '2026-11-30T01:00:00Z', destination: '大阪府', designated_date: '2026-12-18' }
  const waits = policy.plan(request, '2026-11-30T01:00:00Z')
  assert.equal(waits.status, 'awaiting_ship_date')
  assert.equal(waits.ship_date, '2026-12-17')
  assert.equal(waits.latest_ship_date, '2026-12-17')
  assert.equal(waits.delivery_date, '2026-12-18')
  assert.equal(waits.context.awaiting_ship_date, true)
  // On the latest ship date itself the order no longer waits.
  assert.equal(policy.plan(request, '2026-12-17T01:00:00Z').status, 'ok')
  const late = policy.plan({ ...request, designated_date: '2026-12-01' }, '2026-11-30T01:00:00Z')
  assert.equal(late.status, 'designated_infeasible')
  assert.equal(late.earliest_delivery_date, '2026-12-02')
  assert.equal(late.context.designated_date_infeasible, true)
})

test('ShippingPolicy.planOrder: the sample order', () => {
  const policy = new ShippingPolicy(JSON.stringify({ origin: '東京都' }))
  const plan = policy.planOrder(ichigen.SAMPLE_ORDER_JSON, NOW)
  assert.match(plan.ship_date, /^\d{4}-\d\d-\d\d$/)
  assert.deepEqual(policy.planOrder(JSON.parse(ichigen.SAMPLE_ORDER_JSON), new Date(NOW)), plan)
  const bad = thrown(() => policy.planOrder({ ...JSON.parse(ichigen.SAMPLE_ORDER_JSON), id: 5 }, NOW))
  assert.equal(bad.code, 'ORDER_INVALID')
  assert.equal(bad.issues[0].path, '$.id')
})

test('ShippingPolicy: errors', () => {
  const invalid = thrown(
    () =>
      new ShippingPolicy({
        origin: '東京府',
        cutoff: '25:00',
        calendars: [{ name: ' ' }],
      }),
  )
  assert.equal(invalid.code, 'SHIPDATE_INVALID')
  assert.deepEqual(
    invalid.issues.map((i) => [i.code, i.path]),
    [
      ['SHIPDATE_UNKNOWN_PREFECTURE', '$.origin'],
      ['SHIPDATE_BAD_VALUE', '$.cutoff'],
      ['CALENDAR_MISSING_NAME', '$.calendars[0].name'],
    ],
  )
  assert.equal(thrown(() => new ShippingPolicy({ origin: '東京都', cutof: '12:00' })).issues[0].code, 'SHIPDATE_UNKNOWN_FIELD')
  assert.equal(thrown(() => new ShippingPolicy('{')).code, 'INPUT_PARSE')
  const policy = new ShippingPolicy({ origin: '東京都' })
  const destination = thrown(() => policy.plan({ ordered_at: '2026-11-30T01:00:00Z', destination: '東京府' }, NOW))
  assert.equal(destination.code, 'SHIPDATE_UNKNOWN_PREFECTURE')
  assert.equal(destination.issues[0].path, '$.request.destination')
  const handling = thrown(() =>
    policy.plan({ ordered_at: '2026-11-30T01:00:00Z', destination: '大阪府', handling_days: 400 }, NOW),
  )
  assert.equal(handling.code, 'SHIPDATE_BAD_VALUE')
  const field = thrown(() => policy.plan({ ordered_at: '2026-11-30T01:00:00Z', destination: '大阪府', colour: 1 }, NOW))
  assert.equal(field.code, 'INPUT_UNKNOWN_FIELD')
  assert.equal(field.issues[0].path, '$.request.colour')
  const now = thrown(() => policy.plan({ ordered_at: '2026-11-30T01:00:00Z', destination: '大阪府' }, 'soon'))
  assert.equal(now.code, 'INPUT_BAD_DATE')
  assert.equal(now.issues[0].path, '$.now')
  const short = new ShippingPolicy({ origin: '東京都', calendars: [{ name: 'store', range: { from: '2026-01-01', to: '2026-12-31' } }] })
  assert.equal(
    thrown(() => short.plan({ ordered_at: '2026-12-31T04:00:00Z', destination: '大阪府' }, NOW)).code,
    'CALENDAR_OUT_OF_RANGE',
  )
})

test('BatchPlanner.plan: typed arrays in, typed arrays out', () => {
  const planner = new BatchPlanner([{ origin: '東京都' }], ['yamato'], 'Asia/Tokyo')
  assert.equal(planner.zone, 'Asia/Tokyo')
  const out = planner.plan(
    {
      orderedAt: BigInt64Array.from([Date.parse('2026-12-25T04:30:00Z') / 1000, Date.parse('2026-11-30T01:00:00Z') / 1000].map(BigInt)),
      destination: Uint8Array.from([27, 0]),
    },
    '2026-12-25',
  )
  assert.ok(out.status instanceof Uint8Array)
  assert.ok(out.shipDate instanceof Int32Array)
  assert.ok(out.deliveryDate instanceof Int32Array)
  assert.ok(out.latestShipDate instanceof Int32Array)
  assert.ok(out.transitDays instanceof Uint8Array)
  assert.deepEqual(out.statusNames, STATUS_NAMES)
  assert.deepEqual(batchRow(out, 0), {
    status: 'ok',
    ship_date: '2026-12-29',
    delivery_date: '2026-12-30',
    latest_ship_date: null,
    transit_days: 1,
  })
  // Prefecture code 0 is no prefecture: the row is bad_input, without dates.
  assert.deepEqual(batchRow(out, 1), {
    status: 'bad_input',
    ship_date: null,
    delivery_date: null,
    latest_ship_date: null,
    transit_days: null,
  })
  assert.equal(NO_DATE, -2147483648)
  assert.equal(NO_TRANSIT_DAYS, 255)
  assert.equal(epochDays('2026-12-29'), out.shipDate[0])
})

test('BatchPlanner: defaults (carriers, zone, today) and JSON text policies', () => {
  const planner = new BatchPlanner(JSON.stringify([{ origin: '東京都' }]))
  assert.equal(planner.zone, 'Asia/Tokyo')
  const columns = { orderedAt: new BigInt64Array([1_798_173_000n]), destination: new Uint8Array([27]) }
  const today = planner.plan(columns, '2026-12-25')
  for (const t of [undefined, null, new Date('2026-12-25T00:00:00Z')]) {
    assert.deepEqual(batchRow(planner.plan(columns, t), 0), batchRow(today, 0))
  }
  assert.deepEqual(batchRow(planner.plan(columns), 0), batchRow(today, 0))
  const empty = planner.plan({ orderedAt: new BigInt64Array(0), destination: new Uint8Array(0) })
  assert.equal(empty.status.length, 0)
})

test('BatchPlanner: a Date turns into today in the planner zone', () => {
  const tokyo = new BatchPlanner([{ origin: '東京都' }], null, 'Asia/Tokyo')
  const utc = new BatchPlanner([{ origin: '東京都', zone: 'UTC' }], null, 'UTC')
  const at = Date.parse('2026-11-30T01:00:00Z') / 1000
  // Designated 12/18: the latest ship date 12/17 is after today, so the row waits.
  const columns = {
    orderedAt: BigInt64Array.from([BigInt(at)]),
    destination: Uint8Array.from([27]),
    designated: Int32Array.from([epochDays('2026-12-18')]),
  }
  // 2026-12-16T20:00Z is 12/17 in Tokyo (on the latest ship date: ok) but 12/16 in UTC (waits).
  const evening = new Date('2026-12-16T20:00:00Z')
  assert.equal(batchRow(tokyo.plan(columns, evening), 0).status, 'ok')
  assert.equal(batchRow(utc.plan(columns, evening), 0).status, 'awaiting_ship_date')
})

test('BatchPlanner: the batch agrees with one plan per row (3000 generated rows)', () => {
  const planner = sharedPlanner()
  assert.equal(planner.zone, 'Asia/Tokyo')
  const policies = POLICIES.map((p) => new ShippingPolicy(p))
  const rows = generateRows(3000)
  const now = new Date(NOW)
  const out = planner.plan(rows, now)
  assert.equal(out.status.length, 3000)
  const seen = new Set()
  for (let i = 0; i < 3000; i++) {
    const request = {
      ordered_at: new Date(Number(rows.orderedAt[i]) * 1000).toISOString(),
      destination: String(rows.destination[i]),
      carrier: CARRIERS[rows.carrier[i]],
      service: SERVICES[rows.service[i]],
      handling_days: rows.handlingDays[i],
    }
    if (rows.designated[i] !== NO_DATE) request.designated_date = isoDate(rows.designated[i])
    let expected
    try {
      expected = planRow(policies[rows.policy[i]].plan(request, now))
    } catch (e) {
      assert.equal(e.code, 'CALENDAR_OUT_OF_RANGE', `row ${i}`)
      expected = { status: 'out_of_range', ship_date: null, delivery_date: null, latest_ship_date: null, transit_days: null }
    }
    assert.deepEqual(batchRow(out, i), expected, `row ${i}: ${JSON.stringify(request)}`)
    seen.add(expected.status)
  }
  // The generated rows reach the interesting statuses.
  for (const status of ['ok', 'awaiting_ship_date', 'designated_infeasible']) assert.ok(seen.has(status), status)
})

test('BatchPlanner: milliseconds (Float64Array, JS Date values) equal seconds; views are read at their offset', () => {
  const planner = sharedPlanner()
  const rows = generateRows(500, 11)
  const seconds = planner.plan(rows, NOW.slice(0, 10))
  const millis = planner.plan(
    { ...rows, orderedAt: Float64Array.from(rows.orderedAt, (s) => Number(s) * 1000 + 999) },
    NOW.slice(0, 10),
  )
  assert.deepEqual(millis, seconds)
  // Subarrays of larger buffers: only the view's rows are read.
  const padded = (Type, column) => {
    const big = new Type(column.length + 7)
    big.set(column, 3)
    return big.subarray(3, 3 + column.length)
  }
  const views = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, padded(v.constructor, v)]))
  assert.deepEqual(planner.plan(views, NOW.slice(0, 10)), seconds)
  // Instants before 1970 round down to the second.
  const early = planner.plan(
    { orderedAt: Float64Array.from([-1, -1000, -1001]), destination: Uint8Array.from([13, 13, 13]) },
    '1970-01-01',
  )
  assert.equal(early.status.length, 3)
})

test('BatchPlanner.planAsync: the same output, on the pool; JS may reuse its arrays meanwhile', async () => {
  const planner = sharedPlanner()
  const rows = generateRows(2000, 3)
  const sync = planner.plan(rows, NOW.slice(0, 10))
  const promise = planner.planAsync(rows, NOW.slice(0, 10))
  assert.ok(promise instanceof Promise)
  // The columns were copied when the call was made.
  rows.destination.fill(0)
  rows.orderedAt.fill(0n)
  const viaAsync = await promise
  assert.deepEqual(viaAsync, sync)
  assert.ok(viaAsync.shipDate instanceof Int32Array)
  // Many at once.
  const all = await Promise.all([1, 2, 3, 4].map((seed) => planner.planAsync(generateRows(1000, seed), new Date(NOW))))
  all.forEach((out, k) => assert.deepEqual(out, planner.plan(generateRows(1000, k + 1), new Date(NOW))))
})

test('BatchPlanner: a column of another length is SHIPDATE_BAD_COLUMNS naming it, sync and async', async () => {
  const planner = sharedPlanner()
  const rows = generateRows(10)
  for (const [key, name] of [
    ['destination', 'destination'],
    ['policy', 'policy'],
    ['carrier', 'carrier'],
    ['service', 'service'],
    ['handlingDays', 'handling_days'],
    ['designated', 'designated'],
  ]) {
    const columns = { ...rows, [key]: rows[key].subarray(0, 9) }
    const e = thrown(() => planner.plan(columns, '2026-11-23'))
    assert.equal(e.code, 'SHIPDATE_BAD_COLUMNS', key)
    assert.deepEqual(
      e.issues.map((i) => [i.code, i.path]),
      [['SHIPDATE_BAD_COLUMNS', `$.${name}`]],
    )
    let promise
    assert.doesNotThrow(() => {
      promise = planner.planAsync(columns, '2026-11-23')
    })
    await assert.rejects(promise, (err) => {
      assert.equal(err.code, 'SHIPDATE_BAD_COLUMNS')
      assert.deepEqual(err.issues, e.issues)
      return true
    })
  }
})

test('BatchPlanner: columns of the wrong kind, missing or unknown are INPUT_ errors at the column', async () => {
  const planner = sharedPlanner()
  const rows = generateRows(4)
  const cases = [
    [{ ...rows, orderedAt: Array.from(rows.orderedAt) }, 'INPUT_WRONG_TYPE', '$.columns.orderedAt'],
    [{ ...rows, orderedAt: new Int32Array(4) }, 'INPUT_WRONG_TYPE', '$.columns.orderedAt'],
    [{ ...rows, destination: new Uint32Array(4) }, 'INPUT_WRONG_TYPE', '$.columns.destination'],
    [{ ...rows, destination: [13, 13, 13, 13] }, 'INPUT_WRONG_TYPE', '$.columns.destination'],
    [{ ...rows, policy: new Int32Array(4) }, 'INPUT_WRONG_TYPE', '$.columns.policy'],
    [{ ...rows, service: new Uint32Array(4) }, 'INPUT_WRONG_TYPE', '$.columns.service'],
    [{ ...rows, handlingDays: new Float64Array(4) }, 'INPUT_WRONG_TYPE', '$.columns.handlingDays'],
    [{ ...rows, designated: new Uint32Array(4) }, 'INPUT_WRONG_TYPE', '$.columns.designated'],
    [{ ...rows, orderedAt: undefined }, 'INPUT_MISSING_FIELD', '$.columns.orderedAt'],
    [{ orderedAt: rows.orderedAt }, 'INPUT_MISSING_FIELD', '$.columns.destination'],
    [{ ...rows, handling_days: rows.handlingDays }, 'INPUT_UNKNOWN_FIELD', '$.columns["handling_days"]'],
    [{ ...rows, orderedAt: Float64Array.from([0, Number.NaN, 0, 0]) }, 'INPUT_BAD_DATE', '$.columns.orderedAt[1]'],
    [{ ...rows, orderedAt: Float64Array.from([0, 0, 9e15, 0]) }, 'INPUT_BAD_DATE', '$.columns.orderedAt[2]'],
    [[rows.orderedAt, rows.destination], 'INPUT_WRONG_TYPE', '$.columns'],
    ['columns', 'INPUT_WRONG_TYPE', '$.columns'],
  ]
  for (const [columns, code, path] of cases) {
    const e = thrown(() => planner.plan(columns, '2026-11-23'))
    assert.equal(e.code, code, path)
    assert.equal(e.issues[0].path, path)
    await assert.rejects(planner.planAsync(columns, '2026-11-23'), { code })
  }
  // Absent optional columns may be undefined or null.
  const out = planner.plan({ ...rows, policy: null, carrier: undefined }, '2026-11-23')
  assert.equal(out.status.length, 4)
  for (const today of ['23/11/2026', 20261123, {}]) {
    const e = thrown(() => planner.plan(rows, today))
    assert.match(e.code, /^INPUT_(BAD_DATE|WRONG_TYPE)$/)
    assert.equal(e.issues[0].path, '$.today')
    await assert.rejects(planner.planAsync(rows, today), { code: e.code })
  }
})

test('BatchPlanner: bad rows only mark their row', () => {
  const planner = sharedPlanner()
  const at = BigInt(Date.parse('2026-11-30T01:00:00Z') / 1000)
  const out = planner.plan(
    {
      orderedAt: BigInt64Array.from([at, at, at, at, at, at]),
      destination: Uint8Array.from([27, 48, 27, 27, 27, 27]),
      policy: Uint32Array.from([0, 0, 2, 0, 0, 0]),
      carrier: Uint32Array.from([0, 0, 0, 2, 0, 0]),
      service: Uint8Array.from([0, 0, 0, 0, 3, 0]),
      handlingDays: Uint32Array.from([1, 1, 1, 1, 1, 366]),
    },
    '2026-11-30',
  )
  assert.deepEqual(
    Array.from(out.status, (s) => out.statusNames[s]),
    ['ok', 'bad_input', 'bad_input', 'bad_input', 'bad_input', 'bad_input'],
  )
})

test('BatchPlanner: constructor errors', () => {
  assert.equal(thrown(() => new BatchPlanner([])).code, 'SHIPDATE_BAD_COLUMNS')
  const policy = thrown(() => new BatchPlanner([{ origin: '東京都' }, { origin: '東京府' }]))
  assert.equal(policy.code, 'SHIPDATE_INVALID')
  assert.deepEqual(
    policy.issues.map((i) => [i.code, i.path]),
    [['SHIPDATE_UNKNOWN_PREFECTURE', '$.policies[1].origin']],
  )
  const zone = thrown(() => new BatchPlanner([{ origin: '東京都' }], null, 'Mars/Olympus'))
  assert.match(zone.code, /^INPUT_/)
  assert.equal(zone.issues[0].path, '$.zone')
  const carriers = thrown(() => new BatchPlanner([{ origin: '東京都' }], 'yamato'))
  assert.match(carriers.code, /^INPUT_/)
  assert.equal(carriers.issues[0].path, '$.carriers')
  assert.equal(thrown(() => new BatchPlanner('[')).code, 'INPUT_PARSE')
})
