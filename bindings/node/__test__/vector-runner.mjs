// The Node runner for the language-neutral vectors in tests/vectors/ (format:
// tests/vectors/README.md), mirroring crates/ichigen-testkit/src/vectors.rs.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { analyticsOp } from './analytics-runner.mjs'
import ichigen from './load.mjs'

/** The instant vectors run at unless they say otherwise. */
export const DEFAULT_NOW = '2026-11-23T03:00:00Z'

/** The folder holding the vectors (ICHIGEN_VECTORS overrides it). */
export const VECTORS_DIR =
  process.env.ICHIGEN_VECTORS ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'tests', 'vectors')

/** Every vector file below `dir`, sorted, without the sample order. */
export function vectorFiles(dir = VECTORS_DIR) {
  const out = []
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name)
      if (entry.isDirectory()) walk(p)
      else if (entry.name.endsWith('.json') && entry.name !== 'sample_order.json') out.push(p)
    }
  }
  walk(dir)
  return out.sort()
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v)

/** Expands `{"$sample": {...}}` into the sample order with overrides, anywhere in `v`. */
export function expandSamples(v, sample) {
  if (Array.isArray(v)) return v.map((x) => expandSamples(x, sample))
  if (!isObject(v)) return v
  const keys = Object.keys(v)
  if (keys.length === 1 && keys[0] === '$sample') {
    const base = structuredClone(sample)
    const overrides = v.$sample
    if (isObject(overrides)) {
      for (const [k, val] of Object.entries(overrides)) {
        if (val === null) delete base[k]
        else base[k] = val
      }
    }
    return base
  }
  return Object.fromEntries(Object.entries(v).map(([k, val]) => [k, expandSamples(val, sample)]))
}

/** Throws unless `actual` matches `expected` as a subset (see the README). */
export function subsetMatch(expected, actual, path = '$') {
  if (isObject(expected) && isObject(actual)) {
    for (const [k, ev] of Object.entries(expected)) {
      if (!Object.hasOwn(actual, k)) throw new Error(`${path}.${k}: missing in output`)
      subsetMatch(ev, actual[k], `${path}.${k}`)
    }
    return
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) {
      throw new Error(
        `${path}: expected ${expected.length} elements, got ${actual.length}: ${JSON.stringify(actual)}`,
      )
    }
    expected.forEach((ev, i) => subsetMatch(ev, actual[i], `${path}[${i}]`))
    return
  }
  // Numbers compare by value; JSON has no other kind of number. An expected number
  // JS cannot carry as written (see parseVector) compares by its value too: `1.0`
  // equals 1, and an integer beyond 2^53 equals the BigInt napi gives for it.
  if (expected === actual) return
  if (typeof expected === 'string' && expected.startsWith(SENTINEL)) {
    const token = expected.slice(SENTINEL.length)
    if (typeof actual === 'number' && /[.eE]/.test(token) && Number(token) === actual) return
    if (typeof actual === 'bigint' && !/[.eE]/.test(token) && BigInt(token) === actual) return
  }
  throw new Error(`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
}

// JSON numbers that a JS number cannot carry: `550.0` (a float in JSON, the integer
// 550 in JS) and integers beyond 2^53. A vector holding one is handed to the binding
// as JSON text (which every record argument accepts), so the core sees the token
// as written. The tokens are kept through JSON.parse as sentinel strings.
const SENTINEL = '\u0000number:'
const NUMBER = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y

function isLossy(token) {
  const n = Number(token)
  return /[.eE]/.test(token) ? Number.isInteger(n) : !Number.isSafeInteger(n)
}

/** Parses vector text, turning lossy number tokens into sentinel strings. */
export function parseVector(text) {
  let out = ''
  let lossy = false
  for (let i = 0; i < text.length; ) {
    const c = text[i]
    if (c === '"') {
      let j = i + 1
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1
      out += text.slice(i, j + 1)
      i = j + 1
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i
      const token = NUMBER.exec(text)[0]
      if (isLossy(token)) {
        lossy = true
        out += JSON.stringify(SENTINEL + token)
      } else {
        out += token
      }
      i += token.length
    } else {
      out += c
      i += 1
    }
  }
  return { vector: JSON.parse(out), lossy }
}

/** A record argument: the value itself, or JSON text with the lossy tokens restored. */
function recordArg(value, asText) {
  if (!asText || value === null || value === undefined) return value ?? null
  const text = JSON.stringify(value)
  return text.replace(/"\\u0000number:([^"]+)"/g, '$1')
}

/** The rule set of an input: `toml` text, or `rule_set` as an object. */
function ruleSet(input, asText) {
  return typeof input.toml === 'string'
    ? ichigen.RuleSet.fromToml(input.toml)
    : ichigen.RuleSet.fromObject(recordArg(input.rule_set, asText))
}

/**
 * Runs one operation and returns its output; a failure throws the ichigen error.
 * `asText` hands every record argument over as JSON text instead of a JS value.
 */
export async function runOp(op, input, now, asText = false) {
  const field = (k) => recordArg(input[k], asText)
  switch (op) {
    case 'validate_order':
      return ichigen.validateOrder(field('order'))
    case 'apply_event': {
      const actor = 'actor' in input ? field('actor') : { kind: 'user', id: 'vector' }
      return ichigen.applyEvent(field('order'), field('event'), actor, now)
    }
    case 'load_rule_set': {
      const rs = ruleSet(input, asText)
      return { name: rs.name, mode: rs.mode, rules: rs.ruleIds }
    }
    case 'triage':
      return ichigen.triage(ruleSet(input, asText), field('order'), field('context'), now)
    case 'dry_run': {
      const rs = ruleSet(input, asText)
      let sync
      try {
        sync = ichigen.dryRun(rs, field('orders'), field('contexts'), now)
      } catch (syncError) {
        // The async form must reject with the same error.
        const asyncError = await ichigen.dryRunAsync(rs, field('orders'), field('contexts'), now).then(
          () => new Error('dryRunAsync resolved where dryRun threw'),
          (e) => e,
        )
        const [a, b] = [errorValue(asyncError), errorValue(syncError)]
        if (a === null || JSON.stringify(a) !== JSON.stringify(b)) {
          throw new Error(`dryRunAsync rejected differently: ${asyncError}`)
        }
        throw syncError
      }
      const viaAsync = await ichigen.dryRunAsync(rs, field('orders'), field('contexts'), now)
      if (JSON.stringify(viaAsync) !== JSON.stringify(sync)) throw new Error('dryRunAsync differs from dryRun')
      return sync
    }
    case 'holidays':
      // `source` is a name ("japan") or an object, never JSON text.
      return ichigen.holidays(input.source, input.year ?? 0)
    case 'calendar': {
      const calendar = new ichigen.Calendar(field('calendar'))
      return { answers: (input.questions ?? []).map((q) => askCalendar(calendar, q)) }
    }
    case 'ship_date': {
      const policy = new ichigen.ShippingPolicy(field('policy'))
      return 'order' in input ? policy.planOrder(field('order'), now) : policy.plan(field('request'), now)
    }
    case 'ship_date_batch':
      return shipDateBatch(input, now, asText)
    case 'ship_date_triage': {
      // The plan's facts join the given context, then triage reads them.
      const policy = new ichigen.ShippingPolicy(field('policy'))
      const plan = policy.planOrder(field('order'), now)
      const context = { ...(isObject(input.context) ? input.context : {}), ...plan.context }
      const out = ichigen.triage(ruleSet(input, asText), field('order'), recordArg(context, asText), now)
      return { plan, outcome: out.outcome, order: out.order }
    }
    case 'identity_normalize':
      return normalizeIdentity(input)
    case 'identity_config':
      return ichigen.describeIdentityConfig(field('config'))
    case 'identity_resolve':
      return resolveIdentities(input, asText)
    case 'identity_session':
      return identitySession(input, asText)
    case 'customer_summary':
      return ichigen.customerSummary(recordArg(input, asText))
    case 'identity_mask':
      return ichigen.maskCustomer(recordArg(input, asText))
    case 'customer_triage': {
      // The customer's facts become the triage context's `customer`.
      const facts = ichigen.customerTriageFacts(recordArg(input, asText))
      const out = ichigen.triage(ruleSet(input, asText), field('order'), recordArg({ customer: facts }, asText), now)
      return { customer: facts, outcome: out.outcome }
    }
    case 'stock_session':
      return stockSession(input, asText)
    case 'stock_allocate':
      return stockAllocate(input, asText)
    case 'stock_drop_ship':
      return ichigen.dropShipTotals(field('catalog'), field('lines'))
    case 'stock_reorder_formula':
      return { quantity: reorderFormula(input) }
    case 'stock_triage':
      return stockTriage(input, now, asText)
    case 'shipment_split':
    case 'shipment_mail':
    case 'shipment_merge_candidates':
    case 'shipment_merge_check':
    case 'shipment_merge':
    case 'shipment_unmerge':
    case 'shipment_triage':
      return shipmentOp(op, input, now, asText)
    default:
      if (op.startsWith('analytics_')) return analyticsOp(op, input, (v) => recordArg(v, asText), asText)
      throw new Error(`unknown op ${op}`)
  }
}

/** Calls `fn` and returns `{value}` or `{error}` (an ichigen error as the vectors see it). */
function outcomeOf(fn) {
  try {
    return { value: fn() }
  } catch (e) {
    if (errorValue(e) === null) throw e
    return { error: e }
  }
}

/** Throws unless two outcomes are the same value or the same ichigen error. */
function assertSameOutcome(a, b, what) {
  const view = (o) => JSON.stringify('error' in o ? errorValue(o.error) : o.value)
  if (view(a) !== view(b)) throw new Error(`${what}: ${view(a)} differs from ${view(b)}`)
}

/** The specific normalizer of each field, answering as the generic one does. */
const NORMALIZERS = {
  name: (value) => ({ value: ichigen.normalizeName(value) }),
  kana: (value) => ({ value: ichigen.normalizeKana(value) }),
  phone: (value) => ichigen.normalizePhone(value),
  email: (value, relays) => ichigen.normalizeEmail(value, relays),
  postal_code: (value) => ({ value: ichigen.normalizePostalCode(value) }),
  address: (value) => ichigen.normalizeAddress(value),
}

/**
 * `identity_normalize` through the field's own function (`normalizePhone`…), which
 * must agree with `normalizeIdentity`; a field without a function goes through
 * `normalizeIdentity` alone (which refuses it).
 */
function normalizeIdentity(input) {
  const relays = input.relays ?? null
  const generic = outcomeOf(() => ichigen.normalizeIdentity(input.field, input.value, relays))
  const specific = Object.hasOwn(NORMALIZERS, input.field)
    ? outcomeOf(() => NORMALIZERS[input.field](input.value, relays))
    : generic
  assertSameOutcome(specific, generic, `normalize ${input.field} vs normalizeIdentity`)
  if ('error' in specific) throw specific.error
  return specific.value
}

/** The record fields and the `resolveCustomerColumns` columns they go to. */
const IDENTITY_COLUMNS = {
  id: 'id',
  channel: 'channel',
  store: 'store',
  name: 'name',
  kana: 'kana',
  phone: 'phone',
  email: 'email',
  postal_code: 'postalCode',
  prefecture: 'prefecture',
  address1: 'address1',
  address2: 'address2',
  member_id: 'memberId',
  customer_id: 'customerId',
  masked: 'masked',
}

/**
 * Records as the columns of `resolveCustomerColumns`, or null when some record
 * cannot be written as a row (not an object, a field columns do not have).
 */
export function identityColumns(records) {
  if (!Array.isArray(records)) return null
  const used = new Set(['id', 'channel'])
  for (const r of records) {
    if (!isObject(r)) return null
    for (const k of Object.keys(r)) {
      if (!Object.hasOwn(IDENTITY_COLUMNS, k)) return null
      used.add(k)
    }
  }
  const columns = {}
  for (const k of used) columns[IDENTITY_COLUMNS[k]] = records.map((r) => r[k] ?? null)
  return columns
}

/**
 * `identity_resolve` through `resolveCustomers`. With records as objects, the same
 * records as columns through `resolveCustomerColumns` must give every row the same
 * customer and link, the same issues (unless a record holds an explicit null `id`
 * or `masked`, which a column cannot tell from an absent one) and the same ids
 * handed out, or the same error.
 */
function resolveIdentities(input, asText) {
  const args = ['config', 'decisions'].map((k) => recordArg(input[k], asText))
  const batch = outcomeOf(() => ichigen.resolveCustomers(recordArg(input.records, asText), ...args))
  const columns = asText ? null : identityColumns(input.records)
  if (columns !== null) {
    const cols = outcomeOf(() => ichigen.resolveCustomerColumns(columns, ...args))
    if ('error' in batch || 'error' in cols) {
      assertSameOutcome(cols, batch, 'resolveCustomerColumns vs resolveCustomers')
    } else {
      const out = batch.value
      const rows = out.customers.map((c) => ({
        customer_id: c.customer_id,
        via: c.via === null ? null : [c.via.records.find((r) => r !== c.record), c.via.rule],
      }))
      const fromColumns = cols.value.customerId.map((id, i) => ({
        customer_id: id,
        via: cols.value.viaRecord[i] === null ? null : [cols.value.viaRecord[i], cols.value.rule[i]],
      }))
      assertSameOutcome({ value: fromColumns }, { value: rows }, 'resolveCustomerColumns rows')
      const explicitNull = input.records.some((r) => r.id === null || r.masked === null)
      const same = {
        next_customer_id: [cols.value.nextCustomerId, out.next_customer_id],
        giant_keys: [cols.value.giantKeys, out.giant_keys],
        blocked: [cols.value.blocked, out.blocked],
        aliases: [cols.value.aliases, out.aliases],
        issues: explicitNull ? [null, null] : [cols.value.issues, out.issues],
      }
      for (const [k, [a, b]] of Object.entries(same)) {
        assertSameOutcome({ value: a }, { value: b }, `resolveCustomerColumns ${k}`)
      }
    }
  }
  if ('error' in batch) throw batch.error
  return batch.value
}

/**
 * `identity_session` through a CustomerResolver, one method per step; the first
 * step that fails is the error, its issue paths under `$.steps[k]` as the core's
 * session writes them (`$.id` → `$.steps[k].id`).
 */
function identitySession(input, asText) {
  const resolver = new ichigen.CustomerResolver(recordArg(input.config, asText))
  const results = []
  for (const [k, step] of (input.steps ?? []).entries()) {
    try {
      results.push(sessionStep(resolver, step, asText))
    } catch (e) {
      if (errorValue(e) !== null && e.code === 'IDENTITY_INVALID') {
        e.issues = e.issues.map((i) => ({ ...i, path: `$.steps[${k}]${i.path.slice(1)}` }))
      }
      throw e
    }
  }
  return { results }
}

/** Runs one session step (one key, its argument) on the resolver. */
function sessionStep(resolver, step, asText) {
  const keys = isObject(step) ? Object.keys(step) : []
  if (keys.length !== 1) throw new Error(`a step has exactly one key: ${JSON.stringify(step)}`)
  const arg = step[keys[0]]
  switch (keys[0]) {
    case 'insert':
      return resolver.insert(recordArg(arg, asText))
    case 'merge':
      return { customer_id: resolver.merge(arg[0], arg[1]) }
    case 'unmerge':
      return { customer_ids: resolver.unmerge(arg[0], arg[1]) }
    case 'mask':
      return { customer_id: resolver.mask(arg) }
    case 'customer_of':
      return { customer_id: resolver.customerOf(arg) }
    case 'canonical':
      return { customer_id: resolver.canonical(arg) }
    case 'candidates':
      return { candidates: resolver.candidates() }
    case 'recompute':
      resolver.recompute()
      return resolver.snapshot()
    case 'snapshot':
      return resolver.snapshot()
    default:
      throw new Error(`unknown session step ${keys[0]}`)
  }
}

/** Whether `v` holds a number JS cannot carry (kept as a sentinel string). */
const holdsLossy = (v) =>
  typeof v === 'string'
    ? v.startsWith(SENTINEL)
    : Array.isArray(v)
      ? v.some(holdsLossy)
      : isObject(v) && Object.values(v).some(holdsLossy)

/**
 * The StockBook methods taking positional arguments: the step's keys in the order
 * of the method's parameters (`listing_free(channel, listing, store?)`).
 */
const STOCK_POSITIONAL = {
  receive: ['sku', 'location', 'quantity', 'expected'],
  expect: ['sku', 'location', 'quantity'],
  adjust: ['sku', 'location', 'delta'],
  cancel: ['order', 'lines'],
  ship: ['order', 'lines'],
  stock: ['sku'],
  queue: ['sku'],
  order: ['order'],
  listing_free: ['channel', 'listing', 'store'],
  reorder: ['as_of', 'sales', 'forecast'],
}
/** The StockBook methods taking the step's argument as one record. */
const STOCK_RECORD = { reserve: 'reserve', reserve_order: 'reserveOrder', check: 'check', set_level: 'setLevel' }
/** The StockBook methods taking nothing (the core ignores the step's argument). */
const STOCK_NULLARY = {
  sync: 'sync',
  allocation: 'allocation',
  forget_pushed: 'forgetPushed',
  reconcile: 'reconcile',
  movements: 'movements',
}
const camel = (op) => op.replace(/_([a-z])/g, (_, c) => c.toUpperCase())

/**
 * Runs one stock step (`{"<op>": arg}`) on a StockBook through the operation's own
 * method, with the output in the shape `step` gives (`listingFree`'s number as
 * `{free}`, nothing as null); a thrown STOCK_INVALID error has its paths under
 * `$.<op>`, as `step` writes them. A step no method can express as given (not one
 * key, an unknown operation, a key or a null or a number JS cannot carry that
 * positional arguments cannot pass on) goes through `book.step` itself; returns
 * `{value, via}` with `via` the method used.
 */
export function stockStep(book, step, asText) {
  const keys = isObject(step) ? Object.keys(step) : []
  const op = keys.length === 1 ? keys[0] : null
  const arg = op === null ? undefined : step[op]
  const run = (via, fn) => {
    try {
      return { value: fn(), via }
    } catch (e) {
      if (errorValue(e) !== null && e.code === 'STOCK_INVALID') {
        e.issues = e.issues.map((i) => ({ ...i, path: `$.${op}${i.path.slice(1)}` }))
        e.message = stockMessage(e.issues)
      }
      throw e
    }
  }
  if (Object.hasOwn(STOCK_NULLARY, op)) {
    return run(STOCK_NULLARY[op], () => book[STOCK_NULLARY[op]]() ?? null)
  }
  if (Object.hasOwn(STOCK_RECORD, op) && (asText || typeof arg !== 'string')) {
    return run(STOCK_RECORD[op], () => book[STOCK_RECORD[op]](recordArg(arg, asText)))
  }
  const params = Object.hasOwn(STOCK_POSITIONAL, op) ? STOCK_POSITIONAL[op] : null
  const positional =
    params !== null &&
    isObject(arg) &&
    !holdsLossy(arg) &&
    Object.entries(arg).every(([k, v]) => params.includes(k) && v !== null)
  if (positional) {
    const method = camel(op)
    const out = run(method, () => book[method](...params.map((k) => arg[k])))
    if (op === 'listing_free') out.value = { free: out.value }
    if (out.value === undefined) out.value = null
    return out
  }
  return { value: book.step(recordArg(step, asText)), via: 'step' }
}

/**
 * The message of a STOCK_INVALID error with these issues, as the core writes it
 * (the first five issues, then how many more): rerooted paths change it.
 */
function stockMessage(issues) {
  const shown = issues.slice(0, 5).map((i) => `${i.code} at ${i.path}: ${i.message}`)
  const more = issues.length > 5 ? `; and ${issues.length - 5} more` : ''
  return `invalid stock data: ${shown.join('; ')}${more}`
}

/** A STOCK_INVALID error's paths under `prefix` (`$.reserve.lines[0]` → `$.steps[2].reserve.lines[0]`). */
function underPrefix(error, prefix) {
  const issues = error.issues.map((i) => ({ ...i, path: `${prefix}${i.path.slice(1)}` }))
  return { ...error, message: stockMessage(issues), issues }
}

/**
 * `stock_session` through StockBook, one method call per step (see `stockStep`);
 * a refused step is `{error}` with its paths under `$.steps[i]` (STOCK_INVALID
 * only, as the core's session does) and the session goes on. A twin book driven by
 * `book.step` alone must give every step the same output or the same error, and
 * the methods must have carried every step they can express.
 */
function stockSession(input, asText) {
  const args = ['catalog', 'levels', 'policy', 'allocation'].map((k) => recordArg(input[k], asText))
  const book = new ichigen.StockBook(...args)
  const twin = new ichigen.StockBook(...args)
  const results = []
  for (const [i, step] of (input.steps ?? []).entries()) {
    const viaMethod = outcomeOf(() => stockStep(book, step, asText))
    const viaStep = outcomeOf(() => twin.step(recordArg(step, asText)))
    if ('value' in viaMethod) viaMethod.value = viaMethod.value.value
    assertSameOutcome(viaMethod, viaStep, `step ${i} by method vs book.step`)
    if ('error' in viaMethod) {
      const err = errorValue(viaMethod.error)
      results.push({ error: err.code === 'STOCK_INVALID' ? underPrefix(err, `$.steps[${i}]`) : err })
    } else {
      results.push(viaMethod.value)
    }
  }
  return { results }
}

/** The snapshot row keys and the `allocateStock` columns they go to. */
const STOCK_COLUMNS = { sku: 'sku', location: 'location', on_hand: 'onHand', reserved: 'reserved', buffer: 'buffer' }

/**
 * Snapshot rows as the columns of `allocateStock`, or null when some row cannot be
 * written as one (not an object, an unknown key, a SKU or location that is not a
 * string, a count that is not a whole number JS carries). With `typed`, the counts
 * go as typed arrays (Float64Array, Int32Array when they fit), else as arrays.
 */
export function stockColumns(levels, typed) {
  if (!Array.isArray(levels)) return null
  const used = new Set(['sku', 'location', 'on_hand'])
  for (const r of levels) {
    if (!isObject(r)) return null
    for (const [k, v] of Object.entries(r)) {
      if (!Object.hasOwn(STOCK_COLUMNS, k)) return null
      if ((k === 'sku' || k === 'location') && typeof v !== 'string') return null
      if (k !== 'sku' && k !== 'location' && !Number.isSafeInteger(v)) return null
      used.add(k)
    }
    if (typeof r.sku !== 'string' || typeof r.location !== 'string' || !Number.isSafeInteger(r.on_hand)) return null
  }
  const columns = {}
  for (const k of used) {
    const values = levels.map((r) => r[k] ?? 0)
    if (k === 'sku' || k === 'location' || !typed) columns[STOCK_COLUMNS[k]] = values
    else if (k === 'on_hand') columns[STOCK_COLUMNS[k]] = Float64Array.from(values)
    else if (values.every((v) => v === (v | 0))) columns[STOCK_COLUMNS[k]] = Int32Array.from(values)
    else columns[STOCK_COLUMNS[k]] = Float64Array.from(values)
  }
  return columns
}

/**
 * `stock_allocate` through `allocateStock`, the levels turned into columns (typed
 * arrays with records as objects, arrays of numbers with records as text); the
 * output columns back into `{quantities, issues}`, the rows' issue paths `$[i]`
 * under `$.levels` as the core's JSON face writes them.
 */
function stockAllocate(input, asText) {
  const columns = stockColumns(input.levels, !asText)
  if (columns === null) {
    throw new Error(`levels that cannot be written as columns: ${JSON.stringify(input.levels)}`)
  }
  const out = ichigen.allocateStock(recordArg(input.catalog, asText), recordArg(input.allocation, asText), columns)
  const lengths = [out.channel, out.store, out.listing, out.quantity].map((c) => c.length)
  if (new Set(lengths).size !== 1) throw new Error(`output columns of lengths ${lengths}`)
  if (!(out.quantity instanceof Float64Array)) throw new Error('quantity is not a Float64Array')
  const quantities = out.listing.map((listing, k) => ({
    channel: out.channel[k],
    ...(out.store[k] === null ? {} : { store: out.store[k] }),
    listing,
    quantity: out.quantity[k],
  }))
  const issues = out.issues.map((i) => ({ ...i, path: i.path.replace(/^\$/, '$.levels') }))
  return { quantities, issues }
}

/** `stock_reorder_formula` through `reorderQuantity`. */
function reorderFormula(input) {
  for (const k of Object.keys(input)) {
    if (!['position', 'point', 'target', 'lot'].includes(k)) throw new Error(`an input key reorderQuantity has no argument for: ${k}`)
  }
  return ichigen.reorderQuantity(input.position, input.point, input.target, input.lot)
}

/**
 * `stock_triage`: a StockBook (no allocation) runs the steps method by method (a
 * refused step is the vector's error, its paths under `$.<op>` as the core's
 * `step` writes them), reserves the order with `reserveOrder`, and triage reads
 * the reservation's `facts` as the context.
 */
function stockTriage(input, now, asText) {
  const book = new ichigen.StockBook(...['catalog', 'levels', 'policy'].map((k) => recordArg(input[k], asText)))
  for (const step of Array.isArray(input.steps) ? input.steps : []) stockStep(book, step, asText)
  const reservation = book.reserveOrder(recordArg(input.order, asText))
  const out = ichigen.triage(ruleSet(input, asText), recordArg(input.order, asText), recordArg(reservation.facts, asText), now)
  return { reservation, outcome: out.outcome }
}

/**
 * The shipment ops through one ShipmentPlanner built from `options` (default null).
 * `shipment_split` without stock also goes through `splitAll([order])`, which must
 * give the same plan, or the same error with the order's paths under `$.orders[0]`
 * instead of `$.order`.
 */
function shipmentOp(op, input, now, asText) {
  const field = (k) => recordArg(input[k], asText)
  const planner = new ichigen.ShipmentPlanner(field('options'))
  switch (op) {
    case 'shipment_split': {
      const single = outcomeOf(() => planner.split(field('order'), field('stock')))
      if (input.stock === undefined || input.stock === null) checkSplitAll(planner, field('order'), single, asText)
      if ('error' in single) throw single.error
      return single.value
    }
    case 'shipment_mail':
      return planner.mail(field('order'))
    case 'shipment_merge_candidates':
      return planner.mergeCandidates(field('orders'), field('facts'))
    case 'shipment_merge_check':
      return planner.mergeCheck(field('orders'), field('facts'))
    case 'shipment_merge':
      return planner.merge(field('orders'), field('facts'), field('stock'))
    case 'shipment_unmerge': {
      // Without a `merged` plan the orders are merged first.
      const merged = 'merged' in input ? input.merged : planner.merge(field('orders'), field('facts'), field('stock'))
      const out = planner.unmerge(recordArg(merged, asText), field('orders'), field('stock'))
      return { merged, plans: out.plans }
    }
    case 'shipment_triage': {
      // The mail judgement's facts (and, with `orders`, the order's merge-candidate
      // flag) join the given context, then triage reads them.
      const mail = planner.mail(field('order'))
      const context = { ...(isObject(input.context) ? input.context : {}), ...mail.facts }
      if ('orders' in input) {
        const found = planner.mergeCandidates(field('orders'), field('facts'))
        const id = isObject(input.order) ? input.order.id : undefined
        const flag = typeof id === 'string' ? found.context[id]?.merge_candidate : undefined
        context.merge_candidate = flag ?? false
      }
      const out = ichigen.triage(ruleSet(input, asText), field('order'), recordArg(context, asText), now)
      return { mail, outcome: out.outcome }
    }
    default:
      throw new Error(`unknown op ${op}`)
  }
}

/** `splitAll([order])` must agree with `split(order)` (see `shipmentOp`). */
function checkSplitAll(planner, order, single, asText) {
  const orders = asText ? `[${order}]` : [order]
  const batch = outcomeOf(() => planner.splitAll(orders))
  if ('value' in batch) {
    if (!Array.isArray(batch.value) || batch.value.length !== 1) {
      throw new Error(`splitAll([order]) gave ${JSON.stringify(batch.value)}`)
    }
    batch.value = batch.value[0]
  } else {
    const err = errorValue(batch.error)
    const reroot = (path) => (path.startsWith('$.orders[0]') ? `$.order${path.slice('$.orders[0]'.length)}` : path)
    batch.error = { code: err.code, issues: err.issues.map((i) => ({ ...i, path: reroot(i.path) })) }
  }
  const view = (o) => {
    if ('value' in o) return JSON.stringify(o.value)
    const err = errorValue(o.error) ?? o.error
    return JSON.stringify({ code: err.code, issues: err.issues })
  }
  if (view(batch) !== view(single)) throw new Error(`splitAll([order]): ${view(batch)} differs from split: ${view(single)}`)
}

/** Asks a Calendar one question of the `calendar` op (one key, its argument). */
function askCalendar(calendar, question) {
  const keys = isObject(question) ? Object.keys(question) : []
  if (keys.length !== 1) throw new Error(`a question has exactly one key: ${JSON.stringify(question)}`)
  const arg = question[keys[0]]
  switch (keys[0]) {
    case 'is_business_day':
      return calendar.isBusinessDay(arg)
    case 'next_business_day':
      return calendar.nextBusinessDay(arg)
    case 'previous_business_day':
      return calendar.previousBusinessDay(arg)
    case 'on_or_after':
      return calendar.onOrAfter(arg)
    case 'on_or_before':
      return calendar.onOrBefore(arg)
    case 'add_business_days':
      return calendar.addBusinessDays(arg.date, arg.days)
    case 'count_business_days':
      return calendar.countBusinessDays(arg.from, arg.to)
    case 'explain':
      return calendar.explain(arg)
    default:
      throw new Error(`unknown calendar question ${keys[0]}`)
  }
}

const DAY_MS = 86_400_000
const SERVICE_CODES = { ambient: 0, chilled: 1, frozen: 2 }
/** The vectors' snake_case column names and the binding's camelCase ones. */
const COLUMN_NAMES = {
  ordered_at: 'orderedAt',
  destination: 'destination',
  policy: 'policy',
  carrier: 'carrier',
  service: 'service',
  handling_days: 'handlingDays',
  designated: 'designated',
}

/** A `YYYY-MM-DD` date as days since 1970-01-01. */
export const epochDays = (date) => Date.parse(`${date}T00:00:00Z`) / DAY_MS
/** Days since 1970-01-01 as `YYYY-MM-DD`. */
export const isoDate = (days) => new Date(days * DAY_MS).toISOString().slice(0, 10)

/**
 * The JSON columns of a `ship_date_batch` vector as typed arrays: instants as
 * BigInt64Array seconds (or, with `millis`, Float64Array milliseconds), prefectures
 * as codes through `prefectureCode` (unknown: 0, which the core reports per row),
 * services as codes, designated dates as days with NO_DATE for none. An unknown
 * column is passed on as it is, for the binding to refuse.
 */
export function typedColumns(columns, millis = false) {
  const out = {}
  for (const [key, values] of Object.entries(columns)) {
    const name = COLUMN_NAMES[key] ?? key
    if (!(key in COLUMN_NAMES) || !Array.isArray(values)) {
      out[name] = values
      continue
    }
    switch (key) {
      case 'ordered_at':
        out[name] = millis
          ? Float64Array.from(values, (t) => Date.parse(t))
          : BigInt64Array.from(values, (t) => BigInt(Math.floor(Date.parse(t) / 1000)))
        break
      case 'destination':
        out[name] = Uint8Array.from(values, (d) => ichigen.prefectureCode(String(d)) ?? 0)
        break
      case 'service':
        out[name] = Uint8Array.from(values, (s) => SERVICE_CODES[s])
        break
      case 'designated':
        out[name] = Int32Array.from(values, (d) => (d === null ? ichigen.NO_DATE : epochDays(d)))
        break
      default:
        out[name] = Uint32Array.from(values)
    }
  }
  return out
}

/** A batch's typed output as the vectors' JSON columns. */
export function jsonColumns(plan) {
  const dates = (column) => Array.from(column, (d) => (d === ichigen.NO_DATE ? null : isoDate(d)))
  return {
    status: Array.from(plan.status, (s) => plan.statusNames[s]),
    ship_date: dates(plan.shipDate),
    delivery_date: dates(plan.deliveryDate),
    latest_ship_date: dates(plan.latestShipDate),
    transit_days: Array.from(plan.transitDays, (t) => (t === ichigen.NO_TRANSIT_DAYS ? null : t)),
  }
}

/**
 * `ship_date_batch` through BatchPlanner.plan, today being the vector's instant read in
 * the planner's zone; `planAsync` must give the same output or the same error. The
 * instants cross as seconds with records as objects and as milliseconds with records
 * as text, so that both column kinds meet every vector.
 */
async function shipDateBatch(input, now, asText) {
  const planner = new ichigen.BatchPlanner(
    recordArg(input.policies, asText),
    input.carriers ?? null,
    input.zone ?? null,
  )
  const columns = typedColumns(input.columns ?? {}, asText)
  const today = new Date(now)
  let sync
  try {
    sync = planner.plan(columns, today)
  } catch (syncError) {
    const asyncError = await planner.planAsync(columns, today).then(
      () => new Error('planAsync resolved where plan threw'),
      (e) => e,
    )
    const [a, b] = [errorValue(asyncError), errorValue(syncError)]
    if (a === null || JSON.stringify(a) !== JSON.stringify(b)) {
      throw new Error(`planAsync rejected differently: ${asyncError}`)
    }
    throw syncError
  }
  const out = jsonColumns(sync)
  const viaAsync = jsonColumns(await planner.planAsync(columns, today))
  if (JSON.stringify(viaAsync) !== JSON.stringify(out)) throw new Error('planAsync differs from plan')
  return out
}

/** An ichigen error as the vectors see it, or null for any other exception. */
export function errorValue(e) {
  if (!(e instanceof Error) || typeof e.code !== 'string' || !Array.isArray(e.issues)) return null
  return { code: e.code, message: e.message, issues: e.issues }
}

/** Runs one vector with its records as JS values or as JSON text; throws on failure. */
async function runVector(vector, asText) {
  const now = vector.now ?? DEFAULT_NOW
  const hasError = 'expect_error' in vector
  let output
  try {
    output = await runOp(vector.op, vector.input, now, asText)
  } catch (e) {
    const err = errorValue(e)
    if (err === null) throw e
    if (!hasError) throw new Error(`expected success, got error ${JSON.stringify(err)}`)
    subsetMatch(vector.expect_error, err, '$error')
    return
  }
  if (hasError) throw new Error(`expected an error, got ${JSON.stringify(output)}`)
  subsetMatch(vector.expect, output, '$')
}

/**
 * Runs one vector file twice: records as JS objects, then as JSON text; a vector
 * holding a number JS cannot carry runs as JSON text only. Returns the modes run.
 */
export async function runFile(path) {
  const sample = JSON.parse(ichigen.SAMPLE_ORDER_JSON)
  const parsed = parseVector(readFileSync(path, 'utf8'))
  const vector = expandSamples(parsed.vector, sample)
  if (typeof vector.op !== 'string') throw new Error('missing op')
  if (!isObject(vector.input)) throw new Error('missing input object')
  if (('expect' in vector) === ('expect_error' in vector)) {
    throw new Error('a vector has exactly one of expect and expect_error')
  }
  const modes = parsed.lossy ? ['text'] : ['object', 'text']
  for (const mode of modes) {
    try {
      await runVector(vector, mode === 'text')
    } catch (e) {
      e.message = `(records as ${mode}) ${e.message}`
      throw e
    }
  }
  return modes
}
