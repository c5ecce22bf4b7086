// The Node runner for the language-neutral vectors in tests/vectors/ (format:
// tests/vectors/README.md), mirroring crates/ichigen-testkit/src/vectors.rs.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

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
  // Numbers compare by value; JSON has no other kind of number.
  if (expected === actual) return
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
    default:
      throw new Error(`unknown op ${op}`)
  }
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
