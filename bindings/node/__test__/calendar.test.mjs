// holidays() and the Calendar class: every method, dates as YYYY-MM-DD strings,
// composed calendars, and the errors (CALENDAR_INVALID, CALENDAR_OUT_OF_RANGE, INPUT_*).
import assert from 'node:assert/strict'
import { test } from 'node:test'

import ichigen from './load.mjs'

const { Calendar } = ichigen

const STORE = {
  name: 'store',
  closed_weekdays: ['sat', 'sun'],
  holidays: ['japan'],
  annual_closed: [{ from: '12-29', to: '01-03', reason: '年末年始' }],
}

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

/** The day after a `YYYY-MM-DD` date. */
function nextDay(date) {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + 1)
  return d.toISOString().slice(0, 10)
}

test('holidays: Japan and China for a year, with names and adjusted working days', () => {
  const japan = ichigen.holidays('japan', 2026)
  assert.deepEqual(japan.holidays[0], { date: '2026-01-01', name: '元日' })
  assert.ok(japan.holidays.some((h) => h.date === '2026-09-22' && h.name === '国民の休日'))
  assert.deepEqual(japan.workdays, [])
  const china = ichigen.holidays('china', 2026)
  assert.ok(china.holidays.length > 20)
  assert.ok(china.workdays.length > 0)
  for (const h of [...china.holidays, ...china.workdays]) assert.match(h.date, /^2026-\d\d-\d\d$/)
  // A BigInt year is a whole number too.
  assert.deepEqual(ichigen.holidays('japan', 2026n), japan)
})

test("holidays: a shop's own list and CSV, filtered to the year", () => {
  const list = ichigen.holidays(
    {
      list: [
        { date: '2026-12-01', name: '創業記念日' },
        { date: '2027-12-01', name: '創業記念日' },
      ],
    },
    2026,
  )
  assert.deepEqual(list, { holidays: [{ date: '2026-12-01', name: '創業記念日' }], workdays: [] })
  const csv = ichigen.holidays({ csv: 'date,name\n2026-08-13,夏季休業\n2025-08-13,夏季休業\n' }, 2026)
  assert.deepEqual(csv.holidays, [{ date: '2026-08-13', name: '夏季休業' }])
})

test('holidays: errors', () => {
  assert.equal(thrown(() => ichigen.holidays('japan', 1947)).code, 'CALENDAR_OUT_OF_RANGE')
  assert.equal(thrown(() => ichigen.holidays('china', 2019)).code, 'CALENDAR_OUT_OF_RANGE')
  const source = thrown(() => ichigen.holidays('mars', 2026))
  assert.equal(source.code, 'INPUT_UNKNOWN_VALUE')
  assert.equal(source.issues[0].path, '$.source')
  for (const [year, code] of [
    ['2026', 'INPUT_WRONG_TYPE'],
    [2026.5, 'INPUT_BAD_VALUE'],
    [Number.NaN, 'INPUT_BAD_VALUE'],
    [2n ** 70n, 'INPUT_OUT_OF_RANGE'],
  ]) {
    const e = thrown(() => ichigen.holidays('japan', year))
    assert.equal(e.code, code, String(year))
    assert.equal(e.issues[0].path, '$.year')
  }
  const csv = thrown(() => ichigen.holidays({ csv: 'date,name\n2026-13-01,x\n' }, 2026))
  assert.equal(csv.code, 'CALENDAR_INVALID')
  assert.equal(csv.issues[0].code, 'CALENDAR_BAD_DATE')
})

test('Calendar: the getters and every question', () => {
  const store = new Calendar(STORE)
  assert.equal(store.name, 'store')
  assert.equal(store.first, '1948-07-20')
  assert.equal(store.last, '2099-12-31')
  assert.equal(store.isBusinessDay('2026-12-25'), true)
  assert.equal(store.isBusinessDay('2026-12-30'), false)
  assert.equal(store.nextBusinessDay('2026-12-25'), '2026-12-28')
  assert.equal(store.previousBusinessDay('2027-01-04'), '2026-12-28')
  assert.equal(store.onOrAfter('2026-12-29'), '2027-01-04')
  assert.equal(store.onOrAfter('2026-12-28'), '2026-12-28')
  assert.equal(store.onOrBefore('2027-01-03'), '2026-12-28')
  assert.equal(store.addBusinessDays('2026-12-25', 3), '2027-01-05')
  assert.equal(store.addBusinessDays('2027-01-05', -3), '2026-12-25')
  assert.equal(store.addBusinessDays('2026-12-26', 0), '2026-12-28')
  assert.equal(store.countBusinessDays('2026-12-28', '2027-01-05'), 2)
  assert.equal(store.countBusinessDays('2027-01-05', '2026-12-28'), -2)
  // `to` may be the day after the last covered date (half-open range).
  assert.equal(typeof store.countBusinessDays('2099-12-01', '2100-01-01'), 'number')
})

test('Calendar.explain: reasons as data and as sentences', () => {
  const store = new Calendar(STORE)
  assert.deepEqual(store.explain('2027-01-01'), {
    date: '2027-01-01',
    business_day: false,
    reasons: [
      { kind: 'holiday', calendar: 'store', name: '元日' },
      { kind: 'closed', calendar: 'store', reason: '年末年始' },
    ],
    text: ['store holiday (元日)', 'store closed (年末年始)'],
  })
  assert.deepEqual(store.explain('2026-12-25'), { date: '2026-12-25', business_day: true, reasons: [], text: [] })
})

test('Calendar: JSON text and composed definitions', () => {
  const fromText = new Calendar(JSON.stringify(STORE))
  assert.equal(fromText.addBusinessDays('2026-12-25', 3), '2027-01-05')
  const warehouse = { name: 'warehouse', closed_weekdays: ['wed'], holidays: [] }
  const both = new Calendar([STORE, warehouse])
  assert.equal(both.name, 'store+warehouse')
  assert.equal(both.isBusinessDay('2026-12-23'), false) // a Wednesday
  assert.equal(both.nextBusinessDay('2026-12-22'), '2026-12-24')
  assert.deepEqual(
    both.explain('2026-12-23').reasons,
    [{ kind: 'weekly_closed', calendar: 'warehouse', weekday: 'wed' }],
  )
  assert.equal(new Calendar(JSON.stringify([STORE, warehouse])).name, 'store+warehouse')
})

test('Calendar: addBusinessDays agrees with stepping one business day at a time', () => {
  const store = new Calendar(STORE)
  let date = '2026-12-20'
  assert.equal(store.addBusinessDays(date, 0), store.onOrAfter(date))
  let stepped = date
  for (let n = 1; n <= 40; n++) {
    stepped = store.nextBusinessDay(stepped)
    assert.equal(store.addBusinessDays(date, n), stepped, `n = ${n}`)
    // Business days in [date, stepped]: the n after date, and date itself if open.
    assert.equal(store.countBusinessDays(date, nextDay(stepped)), n + (store.isBusinessDay(date) ? 1 : 0))
  }
  date = '2027-01-20'
  stepped = date
  for (let n = 1; n <= 40; n++) {
    stepped = store.previousBusinessDay(stepped)
    assert.equal(store.addBusinessDays(date, -n), stepped, `n = ${-n}`)
  }
})

test('Calendar: CALENDAR_INVALID lists every issue with its path', () => {
  const e = thrown(
    () =>
      new Calendar({
        name: ' ',
        annual_closed: [{ from: '13-01', reason: 'x' }],
        range: { from: '2030-01-01', to: '2029-01-01' },
      }),
  )
  assert.equal(e.code, 'CALENDAR_INVALID')
  const found = e.issues.map((i) => [i.code, i.path])
  assert.deepEqual(found.sort(), [
    ['CALENDAR_BAD_DATE', '$.annual_closed[0].from'],
    ['CALENDAR_BAD_RANGE', '$.range'],
    ['CALENDAR_MISSING_NAME', '$.name'],
  ])
  const weekday = thrown(() => new Calendar({ name: 'x', closed_weekdays: ['saturday'] }))
  assert.deepEqual(
    weekday.issues.map((i) => [i.code, i.path]),
    [['CALENDAR_UNKNOWN_VALUE', '$.closed_weekdays[0]']],
  )
  // In a composed calendar, the path names the definition.
  const composed = thrown(() => new Calendar([STORE, { name: 'x', closed_weekdays: ['saturday'] }]))
  assert.equal(composed.code, 'CALENDAR_INVALID')
  assert.equal(composed.issues[0].path, '$[1].closed_weekdays[0]')
  assert.equal(thrown(() => new Calendar([])).issues[0].code, 'CALENDAR_EMPTY_UNION')
  const text = thrown(() => new Calendar('{"name": '))
  assert.equal(text.code, 'INPUT_PARSE')
  assert.equal(text.issues[0].path, '$.calendar')
})

test('Calendar: a date outside the range is CALENDAR_OUT_OF_RANGE', () => {
  const short = new Calendar({ name: 'short', range: { from: '2026-01-01', to: '2026-12-31' } })
  assert.equal(short.first, '2026-01-01')
  assert.equal(short.last, '2026-12-31')
  for (const ask of [
    () => short.isBusinessDay('2027-01-04'),
    () => short.nextBusinessDay('2026-12-31'),
    () => short.previousBusinessDay('2026-01-01'),
    () => short.addBusinessDays('2026-12-30', 5),
    () => short.countBusinessDays('2025-12-31', '2026-02-01'),
    () => short.explain('2025-06-01'),
  ]) {
    const e = thrown(ask)
    assert.equal(e.code, 'CALENDAR_OUT_OF_RANGE')
    assert.deepEqual(e.issues, [])
    assert.match(e.message, /short/)
  }
})

test('Calendar: dates must be YYYY-MM-DD strings, days whole numbers', () => {
  const store = new Calendar(STORE)
  for (const bad of ['2026-13-01', '2026/12/01', '', new Date('2026-12-01'), 20261201, null, undefined]) {
    const e = thrown(() => store.isBusinessDay(bad))
    assert.equal(e.code, 'INPUT_BAD_DATE', String(bad))
    assert.equal(e.issues[0].path, '$.date')
  }
  assert.equal(thrown(() => store.countBusinessDays('2026-12-01', 'x')).issues[0].path, '$.to')
  assert.equal(thrown(() => store.countBusinessDays('x', '2026-12-01')).issues[0].path, '$.from')
  const days = thrown(() => store.addBusinessDays('2026-12-01', 1.5))
  assert.equal(days.code, 'INPUT_BAD_VALUE')
  assert.equal(days.issues[0].path, '$.days')
  assert.equal(thrown(() => store.addBusinessDays('2026-12-01', '1')).code, 'INPUT_WRONG_TYPE')
})
