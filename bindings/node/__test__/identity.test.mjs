// Customer identity: the normalizers, resolveCustomers and resolveCustomerColumns
// (bad rows, prior ids, the same answer both ways), CustomerResolver method by
// method, customer facts, and the errors (IDENTITY_INVALID with .issues, no
// personal data in any message, ids beyond Number.MAX_SAFE_INTEGER refused), and
// the README's example.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

import ichigen from './load.mjs'
import { identityColumns } from './vector-runner.mjs'

/** Calls `fn`, asserts it throws an ichigen error with `code`, and returns the error. */
function thrown(fn, code) {
  try {
    fn()
  } catch (e) {
    assert.ok(e instanceof Error, 'an Error instance')
    assert.ok(Array.isArray(e.issues), '.issues is an array')
    for (const issue of e.issues) assert.deepEqual(Object.keys(issue).sort(), ['code', 'message', 'path'])
    if (code !== undefined) assert.equal(e.code, code)
    return e
  }
  assert.fail('expected a throw')
}

const codesAndPaths = (issues) => issues.map((i) => [i.code, i.path])

const taro = (id, channel, extra = {}) => ({ id, channel, name: '山田 太郎', phone: '090-1234-5678', ...extra })

test('normalizers: names, readings, phones, e-mails, postal codes, addresses', () => {
  assert.equal(ichigen.normalizeName('髙橋　太郎'), '高橋太郎')
  assert.equal(ichigen.normalizeName('渡邊 純一'), ichigen.normalizeName('渡辺　純一'))
  assert.equal(ichigen.normalizeKana('ﾀｶﾊｼ たろう'), 'タカハシタロウ')
  assert.deepEqual(ichigen.normalizePhone('０９０ー１２３４ー５６７８'), { value: '+819012345678', kind: 'mobile' })
  assert.deepEqual(ichigen.normalizePhone('0120-123-456'), { value: '+81120123456', kind: 'toll_free' })
  assert.deepEqual(ichigen.normalizeEmail(' Taro＠Example。co。jp '), { value: 'taro@example.co.jp', kind: 'ordinary' })
  assert.equal(ichigen.normalizeEmail('abc@pc.fw.rakuten.ne.jp').kind, 'rakuten_relay')
  // A shop's own relay list replaces the defaults.
  const relays = [{ domain: 'relay.example.jp', kind: 'relay' }]
  assert.equal(ichigen.normalizeEmail('a@mail.relay.example.jp', relays).kind, 'relay')
  assert.equal(ichigen.normalizeEmail('abc@pc.fw.rakuten.ne.jp', relays).kind, 'ordinary')
  assert.equal(ichigen.normalizePostalCode('〒100－0001'), '1000001')
  assert.deepEqual(
    ichigen.normalizeAddress({ postal_code: '106-0032', address1: '東京都港区六本木一丁目２番地３号', address2: '森ビル 101' }),
    { postal_code: '1060032', prefecture: '東京都', prefecture_code: 13, street: '港区六本木1-2-3', building: '森ビル101' },
  )
  // Idempotent, as the core promises.
  for (const s of ['髙橋　太郎', 'John  SMITH', '山田太郎様']) {
    const once = ichigen.normalizeName(s)
    assert.equal(ichigen.normalizeName(once), once)
  }
  // The generic form gives the same answers.
  assert.deepEqual(ichigen.normalizeIdentity('phone', '09012345678'), ichigen.normalizePhone('09012345678'))
  assert.deepEqual(ichigen.normalizeIdentity('name', '髙橋'), { value: '高橋' })
})

test('a value a normalizer refuses is IDENTITY_INVALID at $.value, never quoted', () => {
  const cases = [
    [() => ichigen.normalizePhone('000-0000-0000'), 'IDENTITY_PHONE_PLACEHOLDER', '0000'],
    [() => ichigen.normalizePhone('090-9999-88'), 'IDENTITY_PHONE_LENGTH', '9999'],
    [() => ichigen.normalizePhone('call taro'), 'IDENTITY_PHONE_INVALID', 'taro'],
    [() => ichigen.normalizeEmail('taro-secret@'), 'IDENTITY_EMAIL_INVALID', 'taro-secret'],
    [() => ichigen.normalizePostalCode('12-345'), 'IDENTITY_POSTAL_INVALID', '12-345'],
    [() => ichigen.normalizeAddress({ prefecture: '大阪府', address1: '東京都港区六本木1-2-3' }), 'IDENTITY_PREFECTURE_MISMATCH', '六本木'],
    [() => ichigen.normalizeName(42), 'IDENTITY_WRONG_TYPE', '42'],
    [() => ichigen.normalizeAddress('東京都港区'), 'IDENTITY_WRONG_TYPE', '港区'],
  ]
  for (const [fn, code, secret] of cases) {
    const e = thrown(fn, 'IDENTITY_INVALID')
    assert.deepEqual(codesAndPaths(e.issues), [[code, '$.value']])
    assert.ok(!JSON.stringify([e.message, e.issues]).includes(secret), `${code} quotes its input`)
  }
  const unknown = thrown(() => ichigen.normalizeIdentity('birthday', '2000-01-01'), 'IDENTITY_INVALID')
  assert.deepEqual(codesAndPaths(unknown.issues), [['IDENTITY_UNKNOWN_FIELD', '$.field']])
  assert.equal(thrown(() => ichigen.normalizeIdentity(7, 'x'), 'INPUT_WRONG_TYPE').issues[0].path, '$.field')
  const badRelay = thrown(() => ichigen.normalizeEmail('a@b.jp', [{ domain: 'x.jp', kind: 'secret' }]), 'IDENTITY_INVALID')
  assert.equal(badRelay.issues[0].path, '$.relays[0].kind')
})

test('describeIdentityConfig: the defaults, a shop configuration, every problem', () => {
  const defaults = ichigen.describeIdentityConfig()
  assert.deepEqual(
    defaults.rules.map((r) => r.name),
    ['member_id', 'name+phone', 'name+email', 'name+postal_code+address'],
  )
  assert.equal(defaults.max_key_records, 50)
  assert.deepEqual(ichigen.describeIdentityConfig(null), defaults)
  const shop = ichigen.describeIdentityConfig({ criteria: [['name', 'kana', 'phone']], max_key_records: 5 })
  assert.deepEqual(shop, { rules: [{ name: 'name+kana+phone', fields: ['name', 'kana', 'phone'] }], max_key_records: 5 })
  assert.deepEqual(ichigen.describeIdentityConfig(JSON.stringify({ max_key_records: 5 })).max_key_records, 5)
  const e = thrown(() => ichigen.describeIdentityConfig({ criteria: [['name'], ['name', 'shoe_size']] }), 'IDENTITY_INVALID')
  assert.ok(e.issues.length >= 2, 'every problem is listed')
  assert.ok(e.issues.every((i) => i.path.startsWith('$.criteria[')))
  thrown(() => new ichigen.CustomerResolver({ max_key_records: 'many' }), 'IDENTITY_INVALID')
})

const BATCH = [
  taro('r1', 'rakuten'),
  { id: 'y1', channel: 'yahoo', name: '山田太郎', phone: '09012345678', email: 'taro@' },
  { id: 'bad-channel', channel: 'mercari', name: '山田太郎' },
  { id: 'r1', channel: 'rakuten' },
  { channel: 'amazon', name: '名無し' },
  { id: 'a1', channel: 'amazon', name: '佐藤 花子', phone: '03-1111-2222', customer_id: 40 },
  { id: 'a2', channel: 'own_site', name: '佐藤花子', email: 'hanako@example.jp' },
  { id: 'a3', channel: 'yahoo', name: '佐藤花子', email: 'HANAKO@example.jp', phone: 12345 },
]

test('resolveCustomers: aligned with the input, bad rows and fields reported, prior ids kept', () => {
  const out = ichigen.resolveCustomers(BATCH)
  assert.equal(out.customers.length, BATCH.length)
  const ids = out.customers.map((c) => c.customer_id)
  // r1 and y1 are one customer by name + phone; a1 keeps its prior id 40 and stays
  // alone (Amazon's phone is ignored by default), a2 is a new customer.
  assert.equal(ids[0], ids[1])
  assert.deepEqual([ids[2], ids[3], ids[4], ids[7]], [null, null, null, null])
  assert.equal(ids[5], 40, 'a prior customer id is kept')
  assert.notEqual(ids[6], 40)
  assert.equal(out.customers[1].via.rule, 'name+phone')
  assert.deepEqual(codesAndPaths(out.issues), [
    ['IDENTITY_EMAIL_INVALID', '$[1].email'],
    ['IDENTITY_UNKNOWN_VALUE', '$[2].channel'],
    ['IDENTITY_RECORD_DUPLICATE', '$[3].id'],
    ['IDENTITY_MISSING_FIELD', '$[4]'],
    ['IDENTITY_WRONG_TYPE', '$[7].phone'],
  ])
  assert.ok(out.next_customer_id > 40, 'new ids come after the prior ones')
  // The same records as JSON text give the same answer.
  assert.deepEqual(ichigen.resolveCustomers(JSON.stringify(BATCH)), out)
  // Nothing personal in the issues.
  assert.doesNotMatch(JSON.stringify(out.issues), /taro@|mercari|12345|山田|佐藤/)
})

test('resolveCustomers: decisions, and what throws', () => {
  const records = [taro('r1', 'rakuten'), taro('y1', 'yahoo'), { id: 'z1', channel: 'yahoo', name: '別人' }]
  const out = ichigen.resolveCustomers(records, null, [{ unmerge: ['r1', 'y1'] }, { merge: ['z1', 'r1'] }, { merge: ['r1', 'nope'] }])
  const [r1, y1, z1] = out.customers.map((c) => c.customer_id)
  assert.notEqual(r1, y1)
  assert.equal(z1, r1)
  assert.deepEqual(out.blocked, [{ records: ['r1', 'y1'], rule: 'name+phone' }])
  assert.deepEqual(codesAndPaths(out.issues), [['IDENTITY_DECISION_UNKNOWN_RECORD', '$.decisions[2][1]']])
  assert.equal(thrown(() => ichigen.resolveCustomers({ r1: 1 }), 'IDENTITY_INVALID').issues[0].path, '$.records')
  thrown(() => ichigen.resolveCustomers(records, null, [{ split: ['r1', 'y1'] }]), 'IDENTITY_INVALID')
  thrown(() => ichigen.resolveCustomers(records, { criteria: [] }), 'IDENTITY_INVALID')
  assert.equal(thrown(() => ichigen.resolveCustomers('[{"id": '), 'INPUT_PARSE').issues[0].path, '$.records')
  const fn = thrown(() => ichigen.resolveCustomers([{ id: 'x', name: () => 1 }]), 'INPUT_WRONG_TYPE')
  assert.equal(fn.issues[0].path, '$.records[0].name')
})

test('resolveCustomerColumns: the same customers, links and issues as resolveCustomers', () => {
  const columns = identityColumns(BATCH)
  assert.ok(columns.postalCode === undefined && Array.isArray(columns.customerId))
  const cols = ichigen.resolveCustomerColumns(columns)
  const out = ichigen.resolveCustomers(BATCH)
  assert.deepEqual(
    cols.customerId,
    out.customers.map((c) => c.customer_id),
  )
  assert.deepEqual(cols.rule, out.customers.map((c) => c.via?.rule ?? null))
  assert.deepEqual(cols.viaRecord, [null, 'r1', null, null, null, null, null, null])
  assert.deepEqual(cols.issues, out.issues)
  assert.equal(cols.nextCustomerId, out.next_customer_id)
  assert.deepEqual([cols.giantKeys, cols.blocked, cols.aliases], [out.giant_keys, out.blocked, out.aliases])
})

test('resolveCustomerColumns: cells of other kinds are judged as resolveCustomers would', () => {
  const cols = ichigen.resolveCustomerColumns({
    id: ['a', 'b', 'c', 'd', 'e', 'f', null],
    channel: ['rakuten', 'yahoo', 'rakuten', undefined, 'rakuten', 'rakuten', 'yahoo'],
    name: ['山田太郎', '山田太郎', 7, '鈴木一郎', '鈴木一郎', '田中', '山田太郎'],
    phone: ['090-1234-5678', '090-1234-5678', null, '080-2222-3333', '080-2222-3333', null, null],
    customerId: [null, null, null, 5n, 1.5, -1, null],
    masked: [false, null, undefined, false, false, 'yes', null],
  })
  // A BigInt prior id within range is fine; a fraction, a negative id, a string
  // flag, a number name and a missing id are their rows' issues.
  assert.deepEqual(cols.customerId.slice(0, 2), [cols.customerId[0], cols.customerId[0]])
  assert.equal(cols.customerId[3], 5)
  assert.deepEqual([cols.customerId[2], cols.customerId[4], cols.customerId[5], cols.customerId[6]], [null, null, null, null])
  assert.deepEqual(codesAndPaths(cols.issues), [
    ['IDENTITY_WRONG_TYPE', '$[2].name'],
    ['IDENTITY_WRONG_TYPE', '$[4].customer_id'],
    ['IDENTITY_WRONG_TYPE', '$[5].customer_id'],
    ['IDENTITY_MISSING_FIELD', '$[6]'],
  ])
  // `masked: 'yes'` would be reported too, after the first problem of its row.
  const masked = ichigen.resolveCustomerColumns({ id: ['m'], channel: [null], masked: ['yes'] })
  assert.deepEqual(codesAndPaths(masked.issues), [['IDENTITY_WRONG_TYPE', '$[0].masked']])
})

test('resolveCustomerColumns: a bad column throws INPUT_* naming it', () => {
  const ok = { id: ['a', 'b'], channel: ['rakuten', 'yahoo'] }
  const cases = [
    [{ channel: ['rakuten'] }, 'INPUT_MISSING_FIELD', '$.columns.id'],
    [{ id: ['a'] }, 'INPUT_MISSING_FIELD', '$.columns.channel'],
    [{ ...ok, name: ['x'] }, 'INPUT_COLUMN_LENGTH', '$.columns.name'],
    [{ ...ok, postal_code: ['1', '2'] }, 'INPUT_UNKNOWN_FIELD', '$.columns["postal_code"]'],
    [{ ...ok, phone: '090' }, 'INPUT_WRONG_TYPE', '$.columns.phone'],
    [{ ...ok, phone: new Uint8Array(2) }, 'INPUT_WRONG_TYPE', '$.columns.phone'],
    [{ ...ok, email: ['x', () => 1] }, 'INPUT_WRONG_TYPE', '$.columns.email[1]'],
  ]
  for (const [columns, code, path] of cases) {
    const e = thrown(() => ichigen.resolveCustomerColumns(columns), code)
    assert.equal(e.issues[0].path, path)
  }
  assert.equal(thrown(() => ichigen.resolveCustomerColumns([ok]), 'INPUT_WRONG_TYPE').issues[0].path, '$.columns')
  thrown(() => ichigen.resolveCustomerColumns(ok, { criteria: 'name' }), 'IDENTITY_INVALID')
  // Absent optional columns may be null or undefined; an empty batch is fine.
  assert.deepEqual(ichigen.resolveCustomerColumns({ id: [], channel: [], name: null, phone: undefined }).customerId, [])
})

/**
 * A deterministic batch: buyers repeating across channels, some fields missing or
 * bad, some records with a prior customer id (unless `prior` is false).
 */
function generated(n, prior = true) {
  const channels = ['rakuten', 'yahoo', 'amazon', 'own_site', 'au_pay']
  const out = []
  for (let i = 0; i < n; i++) {
    const p = (i * 7919) % 997 // the buyer: about three records each
    const r = { id: `o-${i}`, channel: channels[i % 5], name: `顧客${p}`, kana: `コキャク${p}` }
    if (i % 3 !== 0) r.phone = `090-${String(1000 + p).padStart(4, '0')}-${String(p * 7).padStart(4, '0')}`
    if (i % 4 === 1) r.email = `buyer${p}@example.jp`
    if (i % 5 === 2) Object.assign(r, { postal_code: '106-0032', address1: `港区六本木${p % 9}-2-3` })
    if (i % 11 === 0) r.member_id = `m${p}`
    if (i % 97 === 0) r.phone = 'unknown'
    if (i % 101 === 0) r.channel = 'mercari'
    if (prior && i % 89 === 0) r.customer_id = 100000 + i
    out.push(r)
  }
  out.push({ ...out[5] }) // a duplicate id
  return out
}

test('resolveCustomerColumns agrees with resolveCustomers on 3000 generated rows', () => {
  const records = generated(3000)
  const out = ichigen.resolveCustomers(records)
  const cols = ichigen.resolveCustomerColumns(identityColumns(records))
  assert.deepEqual(cols.customerId, out.customers.map((c) => c.customer_id))
  assert.deepEqual(cols.rule, out.customers.map((c) => c.via?.rule ?? null))
  assert.deepEqual(cols.issues, out.issues)
  assert.equal(cols.nextCustomerId, out.next_customer_id)
  assert.ok(new Set(cols.customerId).size < records.length * 0.9, 'buyers were linked')
  assert.ok(cols.issues.some((i) => i.code === 'IDENTITY_RECORD_DUPLICATE'))
  // Prior ids survive: each record that had one keeps it, or its customer does.
  const prior = records.filter((r) => r.customer_id !== undefined && r.channel !== 'mercari').map((r) => r.customer_id)
  for (const id of prior) assert.ok(cols.customerId.includes(id) || cols.aliases.some((a) => a.alias === id))
  // Resolving again with the ids just found changes none of them.
  const again = identityColumns(records)
  again.customerId = cols.customerId
  assert.deepEqual(ichigen.resolveCustomerColumns(again).customerId, cols.customerId)
})

test('CustomerResolver: insert, merge, unmerge, mask, customerOf, canonical', () => {
  const r = new ichigen.CustomerResolver()
  assert.equal(r.length, 0)
  assert.equal(r.nextCustomerId, 1)
  const a = r.insert(taro('r1', 'rakuten'))
  assert.deepEqual(a, { customer_id: 1, new_customer: true, absorbed: [], links: [], issues: [], recomputed: false })
  const b = r.insert(JSON.stringify({ id: 'o1', channel: 'own_site', name: '山田太郎', email: 'taro@example.jp' }))
  assert.equal(b.customer_id, 2)
  // y1 shares the phone with r1 and the e-mail with o1: customer 2 merges into 1.
  const c = r.insert(taro('y1', 'yahoo', { email: 'TARO@example.jp', kana: 'やまだ' }))
  assert.equal(c.customer_id, 1)
  assert.deepEqual(c.absorbed, [2])
  assert.deepEqual(c.links.map((l) => l.rule).sort(), ['name+email', 'name+phone'])
  assert.equal(r.canonical(2), 1)
  assert.equal(r.canonical(99), null)
  assert.equal(r.customerOf('o1'), 1)
  assert.equal(r.customerOf('nobody'), null)
  assert.equal(r.length, 3)
  // Unmerge keeps r1 and o1 apart from now on, and survives recomputation.
  const [x, y] = r.unmerge('r1', 'o1')
  assert.notEqual(x, y)
  r.recompute()
  assert.notEqual(r.customerOf('r1'), r.customerOf('o1'))
  const z = r.insert({ id: 'z1', channel: 'yahoo', name: '別人', phone: '080-1111-0000' })
  assert.equal(r.merge('z1', 'r1'), r.customerOf('r1'))
  const refused = thrown(() => r.merge('z1', 'o1'), 'IDENTITY_INVALID')
  assert.deepEqual(codesAndPaths(refused.issues), [['IDENTITY_MERGE_REFUSED', '$']])
  assert.equal(z.new_customer, true)
  // Masking keeps the record with its customer.
  const before = r.customerOf('y1')
  assert.equal(r.mask('y1'), before)
  assert.equal(r.customerOf('y1'), before)
  const snap = r.snapshot()
  assert.deepEqual(snap.customers.map((s) => s.record), ['r1', 'o1', 'y1', 'z1'])
  assert.deepEqual(snap.issues, [])
  assert.ok(Array.isArray(r.candidates()))
})

test('CustomerResolver: inserting one by one gives what the batch gives', () => {
  // Without prior ids: a prior id arriving after its customer got a new one stays
  // an alias there, while a batch gives the customer the prior id.
  const records = generated(400, false)
  const r = new ichigen.CustomerResolver()
  for (const rec of records) {
    try {
      r.insert(rec)
    } catch (e) {
      assert.equal(e.code, 'IDENTITY_INVALID')
    }
  }
  const batch = ichigen.resolveCustomers(records)
  const byRecord = new Map(batch.customers.filter((c) => c.customer_id !== null).map((c) => [c.record, c.customer_id]))
  for (const c of r.snapshot().customers) {
    assert.equal(r.canonical(c.customer_id), c.customer_id)
    assert.equal(byRecord.get(c.record), c.customer_id, `record ${c.record}`)
  }
})

test('CustomerResolver errors: coded, nothing changed, no personal data', () => {
  const r = new ichigen.CustomerResolver()
  r.insert(taro('r1', 'rakuten'))
  const cases = [
    [() => r.insert(taro('r1', 'yahoo')), 'IDENTITY_RECORD_DUPLICATE', '$.id'],
    [() => r.insert({ id: '', channel: 'yahoo', name: '山田' }), 'IDENTITY_RECORD_NO_ID', '$.id'],
    [() => r.insert({ id: 'q', channel: 'mercari', name: '山田' }), 'IDENTITY_UNKNOWN_VALUE', '$.channel'],
    [() => r.insert({ id: 'q', nickname: '山田' }), 'IDENTITY_UNKNOWN_FIELD', '$.nickname'],
    [() => r.merge('r1', 'nobody'), 'IDENTITY_DECISION_UNKNOWN_RECORD', '$[1]'],
    [() => r.merge('r1', 'r1'), 'IDENTITY_DECISION_SAME_RECORD', '$'],
    [() => r.unmerge('ghost', 'r1'), 'IDENTITY_DECISION_UNKNOWN_RECORD', '$[0]'],
    [() => r.mask('nobody'), 'IDENTITY_RECORD_UNKNOWN', '$'],
  ]
  for (const [fn, code, path] of cases) {
    const e = thrown(fn, 'IDENTITY_INVALID')
    assert.deepEqual(codesAndPaths(e.issues), [[code, path]])
    assert.doesNotMatch(JSON.stringify([e.message, e.issues]), /山田|nobody|ghost|mercari|090/)
  }
  assert.equal(r.length, 1, 'a refused insert stores nothing')
  assert.equal(thrown(() => r.mask(5), 'INPUT_WRONG_TYPE').issues[0].path, '$.recordId')
  assert.equal(thrown(() => r.merge('r1', null), 'INPUT_WRONG_TYPE').issues[0].path, '$.b')
  assert.equal(thrown(() => r.canonical(-1), 'INPUT_BAD_VALUE').issues[0].path, '$.customerId')
  assert.equal(thrown(() => r.canonical('1'), 'INPUT_WRONG_TYPE').issues[0].path, '$.customerId')
  // A bad field is reported on the placement, not thrown.
  const p = r.insert({ id: 'y1', channel: 'yahoo', name: '山田太郎', phone: '090-1234-5678', email: 'secret@' })
  assert.equal(p.customer_id, 1)
  assert.deepEqual(codesAndPaths(p.issues), [['IDENTITY_EMAIL_INVALID', '$.email']])
  assert.doesNotMatch(JSON.stringify(p.issues), /secret/)
})

test('a customer id beyond Number.MAX_SAFE_INTEGER is refused, never rounded', () => {
  const r = new ichigen.CustomerResolver()
  assert.equal(r.insert({ id: 'a', customer_id: Number.MAX_SAFE_INTEGER }).customer_id, Number.MAX_SAFE_INTEGER)
  // The next id would be 2^53.
  assert.equal(thrown(() => r.nextCustomerId, 'INPUT_OUT_OF_RANGE').issues[0].path, '$.nextCustomerId')
  assert.equal(thrown(() => r.snapshot(), 'INPUT_OUT_OF_RANGE').issues[0].path, '$.next_customer_id')
  const big = [{ id: 'a', customer_id: 2n ** 60n }]
  const e = thrown(() => ichigen.resolveCustomers(big), 'INPUT_OUT_OF_RANGE')
  assert.equal(e.issues[0].path, '$.customers[0].customer_id')
  thrown(() => ichigen.resolveCustomers('[{"id": "a", "customer_id": 9007199254740993}]'), 'INPUT_OUT_OF_RANGE')
  const cols = thrown(() => ichigen.resolveCustomerColumns({ id: ['a'], channel: [null], customerId: [2n ** 60n] }), 'INPUT_OUT_OF_RANGE')
  assert.equal(cols.issues[0].path, '$.customerId[0]')
  assert.equal(r.canonical(2n ** 60n), null, 'never given out')
})

test('a resolution of more than a million JSON values is returned whole', () => {
  // napi's own JSON conversion stops at 1,000,000 values; 130,000 records make
  // about 1,040,000 (customers and clusters), which the binding converts itself.
  const n = 130_000
  const records = JSON.stringify(Array.from({ length: n }, (_, i) => ({ id: `o${i}` })))
  const out = ichigen.resolveCustomers(records)
  assert.equal(out.customers.length, n)
  assert.equal(out.clusters.length, n)
  assert.deepEqual(out.customers[n - 1], { record: `o${n - 1}`, customer_id: n, via: null })
})

const ORDERS = [
  { record: 'r1', channel: 'rakuten', ordered_at: '2026-01-10T01:00:00Z', amount: '12000' },
  { record: 'y1', channel: 'yahoo', ordered_at: new Date('2026-03-02T01:00:00Z'), amount: 25000 },
  { record: 'y2', channel: 'yahoo', ordered_at: '2026-04-02T01:00:00Z', amount: '9000', cancelled: true },
]

test('customerSummary, customerTriageFacts and maskCustomer', () => {
  const s = ichigen.customerSummary({
    customer_id: 7,
    orders: ORDERS,
    profile: { vip: true, notes: [{ at: '2026-02-01T00:00:00Z', text: '贈答用' }] },
    tiers: { tiers: [{ name: 'silver', min_spend: '30000' }, { name: 'gold', min_orders: 5 }] },
    as_of: new Date('2026-11-23T00:00:00Z'),
  })
  assert.equal(s.customer_id, 7)
  assert.deepEqual(
    [s.order_count, s.cancelled_count, s.spend, s.tier, s.repeat, s.cross_channel, s.vip, s.notes],
    [2, 1, '37000', 'silver', true, true, true, 1],
  )
  assert.deepEqual(s.channels, ['rakuten', 'yahoo'])
  assert.equal(s.first_order_at, '2026-01-10T01:00:00Z')
  assert.deepEqual(ichigen.customerTriageFacts({ orders: ORDERS, record: 'y1' }), { caution: false, vip: false, purchase_count: 2 })
  assert.deepEqual(
    ichigen.customerTriageFacts(JSON.stringify({ orders: ORDERS.slice(0, 1), profile: { caution: '返品多数' }, record: 'r1' })),
    { caution: true, vip: false, purchase_count: 1 },
  )
  const masked = ichigen.maskCustomer({
    records: [
      { record: 'a1', channel: 'amazon', shipped_on: '2026-10-01', party: { name: '山田太郎', phone: '090-1234-5678', prefecture: '東京都' } },
      { record: 'r1', channel: 'rakuten', shipped_on: '2026-10-01', party: { name: '山田太郎' } },
      { record: 'a2', channel: 'amazon', party: { name: '山田太郎' } },
    ],
    on: '2026-11-23',
  })
  const [a1, r1, a2] = masked.records
  assert.equal(a1.masked, true)
  assert.equal(a1.due_on, '2026-10-31')
  assert.equal(a1.party.prefecture, '東京都')
  assert.ok(!JSON.stringify(a1.party).includes('山田'))
  assert.deepEqual([r1.masked, r1.party.name, a2.masked], [false, '山田太郎', false])
})

test('customer facts errors are IDENTITY_INVALID with paths, without the data', () => {
  const unknown = thrown(() => ichigen.customerTriageFacts({ orders: ORDERS, record: 'order-of-someone' }), 'IDENTITY_INVALID')
  assert.deepEqual(codesAndPaths(unknown.issues), [['IDENTITY_ORDER_UNKNOWN', '$.record']])
  const tier = thrown(
    () => ichigen.customerSummary({ customer_id: 1, orders: [], tiers: { tiers: [{ name: 'gold' }] }, as_of: '2026-11-23T00:00:00Z' }),
    'IDENTITY_INVALID',
  )
  assert.deepEqual(codesAndPaths(tier.issues), [['IDENTITY_TIER_EMPTY', '$.tiers.tiers[0]']])
  const amount = thrown(
    () => ichigen.customerSummary({ customer_id: 1, orders: [{ ...ORDERS[0], amount: '12,000円' }], as_of: '2026-11-23T00:00:00Z' }),
    'IDENTITY_INVALID',
  )
  assert.equal(amount.issues[0].path, '$.orders[0].amount')
  assert.doesNotMatch(amount.message, /12,000/)
  const on = thrown(() => ichigen.maskCustomer({ records: [], on: 'tomorrow' }), 'IDENTITY_INVALID')
  assert.equal(on.issues[0].path, '$.on')
  assert.equal(thrown(() => ichigen.customerSummary('{"customer_id": '), 'INPUT_PARSE').issues[0].path, '$.input')
})

test("the README's customer identity example runs and prints what it says", () => {
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8')
  const section = readme.slice(readme.indexOf('### Customer identity'))
  const block = section.match(/```js\n([\s\S]*?)```/)[1]
  const binding = fileURLToPath(new URL('../index.js', import.meta.url))
  const source =
    "import { createRequire } from 'node:module'\nconst require = createRequire(import.meta.url)\n" +
    block.replace("require('ichigen')", `require(${JSON.stringify(binding)})`)
  const file = join(mkdtempSync(join(tmpdir(), 'ichigen-identity-')), 'example.mjs')
  writeFileSync(file, source)
  const printed = execFileSync(process.execPath, [file], { encoding: 'utf8' }).trimEnd().split('\n')
  const promised = [...block.matchAll(/console\.log\([^\n]*\)\s*\/\/\s*(\S[^\n]*)$/gm)].map((m) => m[1].trim())
  assert.deepEqual(printed, promised)
})
