// The analytics vectors (tests/vectors/analytics/) through the public API: every
// op runs with results as the JSON face's rows (`{output: "rows"}`), which the
// vector's expectations read. A vector with a history runs again from a column
// object of typed arrays (results as column objects) and from Arrow IPC built with
// apache-arrow (results as Arrow IPC); a CLV vector runs again from Float64Array
// columns and from Arrow. Each twin must give the same rows, or fail with the same
// code and the same issues (a column path `$.orders.amount[3]` standing for the
// row path `$.orders[3].amount`).
import { createRequire } from 'node:module'

import ichigen from './load.mjs'

const require = createRequire(import.meta.url)
const arrow = require('apache-arrow')

const ROWS = { output: 'rows' }
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v)
const SENTINEL = '\u0000number:'

/** A vector value with the lossy-number sentinels of the runner read as numbers. */
export function plain(v) {
  if (typeof v === 'string' && v.startsWith(SENTINEL)) return Number(v.slice(SENTINEL.length))
  if (Array.isArray(v)) return v.map(plain)
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
  return v
}

// ---- Results as rows --------------------------------------------------------

const DAY_MS = 86_400_000

/** A column object's rows, as the JSON face writes them. */
export function columnRows(table) {
  if (!isObject(table) || !isObject(table.columns) || typeof table.rows !== 'number') {
    throw new Error(`not a column object: ${JSON.stringify(table)}`)
  }
  const entries = Object.entries(table.columns)
  for (const [name, values] of entries) {
    if (values.length !== table.rows) throw new Error(`column ${name} holds ${values.length} of ${table.rows} rows`)
    if (!(values instanceof Float64Array) && !Array.isArray(values)) throw new Error(`column ${name} is neither a Float64Array nor an array`)
    if (values instanceof Float64Array && values.some(Number.isNaN)) throw new Error(`column ${name} holds NaN`)
  }
  return Array.from({ length: table.rows }, (_, i) => Object.fromEntries(entries.map(([name, values]) => [name, values[i]])))
}

/** Minor units with `scale` digits as decimal text (`-5`, 2 → `-0.05`). */
function moneyText(minor, scale) {
  if (scale === 0) return minor.toString()
  const sign = minor < 0n ? '-' : ''
  const digits = (minor < 0n ? -minor : minor).toString().padStart(scale + 1, '0')
  return `${sign}${digits.slice(0, -scale)}.${digits.slice(-scale)}`
}

/** An Arrow IPC result's rows, as the JSON face writes them. */
export function arrowRows(bytes) {
  if (!(bytes instanceof Uint8Array)) throw new Error('an Arrow result is not a Buffer')
  const table = arrow.tableFromIPC(bytes)
  const fields = table.schema.fields
  const read = (field, v) => {
    if (v === null || v === undefined) return null
    const type = field.type
    if (arrow.DataType.isDecimal(type)) return moneyText(arrow.util.bigNumToBigInt(v), type.scale)
    if (arrow.DataType.isDate(type)) return new Date(Number(v)).toISOString().slice(0, 10)
    if (typeof v === 'bigint') {
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('an unsafe integer')
      return Number(v)
    }
    return v
  }
  const columns = fields.map((f) => [f, table.getChild(f.name)])
  return Array.from({ length: table.numRows }, (_, i) =>
    Object.fromEntries(columns.map(([f, c]) => [f.name, read(f, c.get(i))])),
  )
}

/** A method's result in `mode` as the JSON face's rows. */
function rowsOf(result, mode) {
  if (mode === 'rows') return result.rows
  return mode === 'arrow' ? arrowRows(result) : columnRows(result)
}

// ---- Histories ----------------------------------------------------------------

/** `$.options.zone` → `$.history.zone`, `$.orders…` → `$.history.orders…`. */
function historyPath(path) {
  return path
    .replace(/^\$\.options(?=$|[.[])/, '$.history')
    .replace(/^\$\.(orders|lines)(?=$|[.[])/, '$.history.$1')
}

/** An ichigen error with its issue paths as the JSON face writes them for a vector. */
function rerooted(e) {
  if (e instanceof Error && Array.isArray(e.issues)) {
    for (const issue of e.issues) issue.path = historyPath(issue.path)
  }
  return e
}

/** The OrderHistory of a vector's history (`{zone, currency, orders, lines}`). */
function historyFrom(history, orders, lines) {
  if (!isObject(history)) throw new Error(`a history the runner cannot pass: ${JSON.stringify(history)}`)
  const { zone, currency, orders: _o, lines: _l, ...rest } = history
  try {
    return new ichigen.OrderHistory(orders, lines ?? null, { zone, currency, ...rest })
  } catch (e) {
    throw rerooted(e)
  }
}

/** Runs a history op with results in `mode`; the value the JSON face gives. */
function historyOp(op, h, input, mode, arg) {
  const o = { output: mode }
  const config = arg(input.config)
  switch (op) {
    case 'analytics_history':
      return h.describe()
    case 'analytics_sales':
      return { rows: rowsOf(h.sales(arg(input.query), o), mode) }
    case 'analytics_rfm':
      return { customers: rowsOf(h.rfm(config, o), mode), grid: rowsOf(h.rfmGrid(config, o), mode) }
    case 'analytics_cpm': {
      const out = { customers: rowsOf(h.cpm(config, o), mode), segments: rowsOf(h.cpmSegments(config, o), mode) }
      const to = isObject(input.config) ? input.config.to : undefined
      if (to !== undefined && to !== null) out.flows = rowsOf(h.cpmFlows(config, null, o), mode)
      return out
    }
    case 'analytics_balance_sheet': {
      const sheet = h.balanceSheet(config, o)
      if (mode === 'rows') return sheet
      return Object.fromEntries(['classes', 'flows', 'projection'].map((k) => [k, rowsOf(sheet[k], mode)]))
    }
    case 'analytics_repeat':
      return {
        f2: rowsOf(h.f2(config, o), mode),
        repeat: rowsOf(h.repeatRates(config, o), mode),
        cohorts: rowsOf(h.cohorts(config, o), mode),
        channel_ltv: rowsOf(h.channelLtv(config, o), mode),
      }
    case 'analytics_clv_summary':
      return { rows: rowsOf(h.clvSummary(config, o), mode) }
    default:
      throw new Error(`unknown op ${op}`)
  }
}

const ATTRIBUTES = ['channel', 'store', 'payment_method', 'shipping_method', 'cancel_reason', 'age_band', 'gender']

/**
 * A vector's orders as JS columns of plain values, and its lines as columns with
 * `order` (and `at`: each line's place `[order, line]` in the rows); null when the
 * rows cannot be written as columns (a row that is not an object).
 */
export function columnsOf(history) {
  const orders = history.orders
  if (isObject(orders)) {
    const lines = isObject(history.lines) ? { ...history.lines } : null
    return { orders: { ...orders }, lines, rows: (orders.ordered_at ?? []).length, lineAt: null }
  }
  if (!Array.isArray(orders) || !orders.every(isObject)) return null
  const keys = new Set(['customer', 'ordered_at', 'amount'])
  for (const row of orders) for (const k of Object.keys(row)) if (k !== 'lines') keys.add(k)
  const columns = {}
  for (const k of keys) {
    // A row without units has none (0) when another row has them, as in row form.
    columns[k] = orders.map((row) => (k === 'units' ? (row.units ?? 0) : row[k] === undefined ? null : row[k]))
  }
  let lines = null
  const lineAt = []
  if (orders.some((row) => row.lines !== undefined && row.lines !== null)) {
    if (!orders.every((row) => row.lines === undefined || row.lines === null || (Array.isArray(row.lines) && row.lines.every(isObject)))) return null
    const all = orders.flatMap((row, i) => (row.lines ?? []).map((line, j) => ({ line, i, j })))
    lines = {
      order: all.map((x) => x.i),
      sku: all.map((x) => x.line.sku ?? null),
      quantity: all.map((x) => x.line.quantity ?? null),
      amount: all.map((x) => x.line.amount ?? null),
    }
    if (all.some((x) => x.line.product !== undefined)) lines.product = all.map((x) => x.line.product ?? null)
    for (const x of all) lineAt.push([x.i, x.j])
    for (const x of all) {
      for (const k of Object.keys(x.line)) if (!['sku', 'product', 'quantity', 'amount'].includes(k)) return null
    }
  }
  return { orders: columns, lines, rows: orders.length, lineAt }
}

const OFFSET = /(Z|[+-]\d\d:\d\d)$/i
const WHOLE_ID = /^(0|[1-9]\d{0,14})$/
const DECIMAL = /^-?\d+(\.\d+)?$/

/** Decimal text without trailing fractional zeros (`"12.30"` → `"12.3"`). */
const canonical = (s) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s).replace(/^-0$/, '0')

/** Amounts as a typed array when every one is a number JS holds exactly, else null. */
function typedAmounts(values) {
  const numbers = []
  for (const v of values) {
    if (typeof v === 'number') numbers.push(v)
    else if (typeof v === 'string' && DECIMAL.test(v) && canonical(String(Number(v))) === canonical(v)) numbers.push(Number(v))
    else return null
  }
  return numbers.every((n) => Number.isInteger(n) && n === (n | 0)) ? Int32Array.from(numbers) : Float64Array.from(numbers)
}

/** Whole numbers as a Float64Array when every one is a safe integer, else null. */
function typedWhole(values) {
  return values.every(Number.isSafeInteger) ? Float64Array.from(values) : null
}

/** Seconds since 1970 of an instant with an offset, or null. */
function epochSeconds(v) {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : null
  if (typeof v !== 'string' || !OFFSET.test(v)) return null
  const ms = Date.parse(v)
  return Number.isFinite(ms) && ms % 1000 === 0 ? ms / 1000 : null
}

/** The orders and lines of a history as typed arrays where they can be. */
function typedHistory(cols) {
  const orders = { ...cols.orders }
  const c = orders.customer
  if (Array.isArray(c) && c.length > 0 && c.every((x) => typeof x === 'string' && WHOLE_ID.test(x))) {
    orders.customer = Float64Array.from(c, Number)
  }
  if (Array.isArray(orders.ordered_at)) {
    const seconds = orders.ordered_at.map(epochSeconds)
    if (seconds.every((s) => s !== null)) orders.ordered_at = BigInt64Array.from(seconds, BigInt)
  }
  if (Array.isArray(orders.amount)) orders.amount = typedAmounts(orders.amount) ?? orders.amount
  if (Array.isArray(orders.units)) orders.units = typedWhole(orders.units) ?? orders.units
  let lines = cols.lines
  if (lines) {
    lines = { ...lines }
    if (Array.isArray(lines.order) && lines.order.every((o) => Number.isInteger(o) && o >= 0)) lines.order = Uint32Array.from(lines.order)
    if (Array.isArray(lines.quantity)) lines.quantity = typedWhole(lines.quantity) ?? lines.quantity
    if (Array.isArray(lines.amount)) lines.amount = typedAmounts(lines.amount) ?? lines.amount
  }
  return { orders, lines }
}

/** An Arrow vector of text, or null when a value is neither text nor null. */
function textVector(values, dictionary = false) {
  if (!values.every((v) => v === null || typeof v === 'string')) return null
  return arrow.vectorFromArray(values, dictionary ? new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()) : new arrow.Utf8())
}

/** Decimal text as a Decimal128 vector of `scale` digits. */
function decimalVector(values, scale) {
  const words = new Uint32Array(values.length * 4)
  values.forEach((v, i) => {
    const [whole, fraction = ''] = v.replace('-', '').split('.')
    let n = BigInt(whole + fraction.padEnd(scale, '0'))
    if (v.startsWith('-')) n = (1n << 128n) - n
    for (let k = 0; k < 4; k++) words[i * 4 + k] = Number((n >> BigInt(32 * k)) & 0xffffffffn)
  })
  return arrow.makeVector(arrow.makeData({ type: new arrow.Decimal(scale, 38, 128), length: values.length, nullCount: 0, data: words }))
}

/** Amounts as Arrow: Decimal128 for decimal text, Float64 for numbers, else text. */
function amountVector(values) {
  if (values.length > 0 && values.every((v) => typeof v === 'string' && DECIMAL.test(v))) {
    const scale = Math.max(...values.map((v) => (v.split('.')[1] ?? '').length))
    return decimalVector(values, scale)
  }
  if (values.every((v) => typeof v === 'number')) return arrow.vectorFromArray(values, new arrow.Float64())
  // Mixed: numbers as the text JS writes for them (the shortest that reads back).
  return textVector(values.map((v) => (typeof v === 'number' ? String(v) : v)))
}

/** Local date-time text (no offset) as wall-clock milliseconds read as UTC, or null. */
function wallClock(v) {
  if (typeof v !== 'string' || OFFSET.test(v)) return null
  const m = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d)(:\d\d)?$/.exec(v)
  if (!m) return null
  const ms = Date.parse(`${m[1]}T${m[2]}${m[3] ?? ':00'}Z`)
  return Number.isFinite(ms) ? ms : null
}

/** Instants as Arrow: a zoned timestamp, a wall-clock timestamp, Int64 seconds, or text. */
function instantVector(values) {
  const seconds = values.map(epochSeconds)
  if (values.every((v) => typeof v === 'string') && seconds.every((s) => s !== null)) {
    return arrow.vectorFromArray(seconds.map((s) => s * 1000), new arrow.TimestampSecond('UTC'))
  }
  if (values.every((v) => typeof v === 'number') && seconds.every((s) => s !== null)) {
    return arrow.vectorFromArray(seconds.map(BigInt), new arrow.Int64())
  }
  const local = values.map(wallClock)
  if (local.every((ms) => ms !== null && ms % 1000 === 0)) return arrow.vectorFromArray(local, new arrow.TimestampSecond())
  return textVector(values)
}

/** Whole numbers as Int64 (Float64 when one is not whole), or null. */
function wholeVector(values) {
  if (values.every(Number.isSafeInteger)) return arrow.vectorFromArray(values.map(BigInt), new arrow.Int64())
  if (values.every((v) => typeof v === 'number')) return arrow.vectorFromArray(values, new arrow.Float64())
  return null
}

/** A table of vectors as IPC bytes (stream format; file format when `file`), or null. */
function ipc(vectors, file) {
  if (Object.values(vectors).some((v) => v === null)) return null
  return arrow.tableToIPC(new arrow.Table(vectors), file ? 'file' : 'stream')
}

/** The orders and lines of a history as Arrow IPC bytes, or null when one cannot be written. */
function arrowHistory(cols, file) {
  // Arrow's columns are of one length: a vector about lengths has no Arrow twin.
  const sameLength = (table) => new Set(Object.values(table).map((v) => (Array.isArray(v) ? v.length : -1))).size <= 1
  if (!sameLength(cols.orders) || (cols.lines && !sameLength(cols.lines))) return null
  const vectors = {}
  for (const [k, values] of Object.entries(cols.orders)) {
    if (!Array.isArray(values)) return null
    switch (k) {
      case 'customer':
        vectors[k] = values.length > 0 && values.every((x) => typeof x === 'string' && WHOLE_ID.test(x))
          ? arrow.vectorFromArray(values.map(BigInt), new arrow.Int64())
          : textVector(values, true)
        break
      case 'ordered_at':
        vectors[k] = instantVector(values)
        break
      case 'amount':
        vectors[k] = amountVector(values)
        break
      case 'units':
        vectors[k] = wholeVector(values)
        break
      case 'cancelled':
        vectors[k] = values.every((v) => v === null || typeof v === 'boolean') ? arrow.vectorFromArray(values, new arrow.Bool()) : null
        break
      default:
        vectors[k] = textVector(values, k === 'channel')
    }
  }
  const orders = ipc(vectors, file)
  if (orders === null) return null
  if (!cols.lines) return { orders, lines: null }
  const lv = {}
  for (const [k, values] of Object.entries(cols.lines)) {
    if (!Array.isArray(values)) return null
    if (k === 'order') lv[k] = values.every((o) => Number.isInteger(o) && o >= 0) ? arrow.vectorFromArray(values, new arrow.Uint32()) : null
    else if (k === 'quantity') lv[k] = wholeVector(values)
    else if (k === 'amount') lv[k] = amountVector(values)
    else lv[k] = textVector(values)
  }
  const lines = ipc(lv, file)
  return lines === null ? null : { orders, lines }
}

// ---- Comparing outcomes -----------------------------------------------------------

function outcome(fn) {
  try {
    return { value: fn() }
  } catch (e) {
    if (!(e instanceof Error) || typeof e.code !== 'string' || !Array.isArray(e.issues)) throw e
    return { error: e }
  }
}

/**
 * An issue as `code table.field[row]`, a row path (`$.history.orders[3].amount`,
 * `…orders[0].lines[1].quantity`) and a column path (`$.history.orders.amount[3]`,
 * `…lines.quantity[k]`) of the same cell alike; a column-level path has no row.
 */
function issueKey(issue, lineAt) {
  const p = issue.path
  let m = /^\$\.history\.orders\[(\d+)\]\.lines\[(\d+)\]\.(\w+)$/.exec(p)
  if (m) {
    const k = lineAt ? lineAt.findIndex(([i, j]) => i === Number(m[1]) && j === Number(m[2])) : -1
    return `${issue.code} lines.${m[3]}[${k}]`
  }
  m = /^\$\.history\.orders\[(\d+)\]\.(\w+)$/.exec(p)
  if (m) return `${issue.code} orders.${m[2]}[${m[1]}]`
  m = /^\$\.history\.(orders|lines)\.(\w+)(\[(\d+)\])?$/.exec(p)
  if (m) return `${issue.code} ${m[1]}.${m[2]}${m[3] ?? ''}`
  return `${issue.code} ${p}`
}

/** Throws unless the twin's outcome is the main one's (see the file's head). */
function assertTwin(main, twin, what, lineAt = null) {
  if ('value' in main) {
    if ('error' in twin) throw new Error(`${what}: failed (${twin.error.code} ${JSON.stringify(twin.error.issues)}) where rows succeed`)
    const [a, b] = [JSON.stringify(main.value), JSON.stringify(twin.value)]
    if (a !== b) throw new Error(`${what}: ${b} differs from the rows ${a}`)
    return
  }
  if ('value' in twin) throw new Error(`${what}: succeeded where rows fail with ${main.error.code}`)
  if (twin.error.code !== main.error.code) throw new Error(`${what}: ${twin.error.code} where rows fail with ${main.error.code}`)
  const mainKeys = main.error.issues.map((i) => issueKey(i, lineAt))
  const twinKeys = twin.error.issues.map((i) => issueKey(i, lineAt))
  // A column-level issue (no row) covers the same issue on any row.
  const covers = (k, other) => other === k || (!/\]$/.test(k) && other.startsWith(`${k}[`)) || (!/\]$/.test(other) && k.startsWith(`${other}[`))
  const missing = mainKeys.filter((k) => !twinKeys.some((t) => covers(k, t)))
  const extra = twinKeys.filter((t) => !mainKeys.some((k) => covers(k, t)))
  if (missing.length || extra.length) {
    throw new Error(`${what}: issues differ (missing ${JSON.stringify(missing)}, extra ${JSON.stringify(extra)}; twin ${JSON.stringify(twin.error.issues)})`)
  }
}

/** How many vectors each twin ran for (a twin that cannot be built is skipped). */
export const twinRuns = { typedHistory: 0, arrowHistory: 0, typedSummary: 0, arrowSummary: 0 }

// ---- The ops ----------------------------------------------------------------------

/** A CLV summary as columns of Float64Arrays (other columns as they are), or null. */
function typedSummary(summary) {
  const cols = summaryColumns(summary)
  if (cols === null) return null
  const out = {}
  for (const [k, values] of Object.entries(cols)) {
    out[k] = values.every((v) => typeof v === 'number') ? Float64Array.from(values) : values
  }
  return out
}

/** A CLV summary (rows or columns) as plain columns, or null. */
function summaryColumns(summary) {
  if (isObject(summary)) return Object.values(summary).every(Array.isArray) ? summary : null
  if (!Array.isArray(summary) || summary.length === 0 || !summary.every(isObject)) return null
  const keys = Object.keys(summary[0])
  if (!summary.every((r) => Object.keys(r).length === keys.length && keys.every((k) => k in r))) return null
  return Object.fromEntries(keys.map((k) => [k, summary.map((r) => r[k])]))
}

/** A CLV summary as Arrow IPC (numbers as Float64, text as Utf8), or null. */
function arrowSummary(summary) {
  const cols = summaryColumns(summary)
  if (cols === null) return null
  const vectors = {}
  for (const [k, values] of Object.entries(cols)) {
    vectors[k] = values.every((v) => typeof v === 'number') ? arrow.vectorFromArray(values, new arrow.Float64()) : textVector(values)
  }
  return ipc(vectors, false)
}

function clvOp(op, input, arg, summary, mode) {
  if (op === 'analytics_clv_fit') return ichigen.fitClv(summary, arg(input.options))
  const out = ichigen.predictClv(summary, arg(input.options), { output: mode })
  return { rows: rowsOf(out, mode) }
}

/**
 * Runs one analytics op (see the file's head) and returns the JSON face's value; a
 * failure throws the ichigen error with the vector's paths. `arg` turns a record
 * argument into what the binding gets (a value, or JSON text); the twins run only
 * when `twins` (records as values).
 */
export function analyticsOp(op, input, arg, twins) {
  if (op === 'analytics_clv_fit' || op === 'analytics_clv_predict') {
    const main = outcome(() => clvOp(op, input, arg, arg(input.summary), 'rows'))
    if (twins) {
      const summary = plain(input.summary)
      const typed = typedSummary(summary)
      if (typed !== null) {
        assertTwin(main, outcome(() => clvOp(op, input, arg, typed, 'columns')), 'typed-array summary')
        twinRuns.typedSummary += 1
      }
      const bytes = arrowSummary(summary)
      if (bytes !== null) {
        assertTwin(main, outcome(() => clvOp(op, input, arg, bytes, 'arrow')), 'Arrow summary')
        twinRuns.arrowSummary += 1
      }
    }
    if ('error' in main) throw main.error
    return main.value
  }
  const history = input.history
  const main = outcome(() => {
    const h = historyFrom(history, arg(history?.orders), arg(history?.lines))
    return historyOp(op, h, input, 'rows', arg)
  })
  if (twins && isObject(history)) {
    const cols = columnsOf(plain(history))
    if (cols !== null) {
      const typed = typedHistory(cols)
      const viaTyped = outcome(() => historyOp(op, historyFrom(history, typed.orders, typed.lines), input, 'columns', arg))
      assertTwin(main, viaTyped, 'typed-array history, results as columns', cols.lineAt)
      twinRuns.typedHistory += 1
      for (const file of [false, true]) {
        const bytes = arrowHistory(cols, file)
        if (bytes === null) continue
        const viaArrow = outcome(() => historyOp(op, historyFrom(history, bytes.orders, bytes.lines), input, 'arrow', arg))
        assertTwin(main, viaArrow, `Arrow ${file ? 'file' : 'stream'} history, results as Arrow`, cols.lineAt)
        if (!file) twinRuns.arrowHistory += 1
      }
    }
  }
  if ('error' in main) throw main.error
  return main.value
}
