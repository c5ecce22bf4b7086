// Every vector under tests/vectors/ (recursively), one test per file. Each runs with
// its records as JS objects and again as JSON text (see vector-runner.mjs); an
// analytics vector also runs from typed arrays and from Arrow IPC
// (analytics-runner.mjs).
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { relative, sep } from 'node:path'
import { test } from 'node:test'

import { twinRuns } from './analytics-runner.mjs'
import { VECTORS_DIR, parseVector, runFile, vectorFiles } from './vector-runner.mjs'

const files = vectorFiles()

test('the vector folder holds vectors', () => {
  assert.ok(files.length > 0, `no vector found under ${VECTORS_DIR}`)
})

test('every capability has its vector folder', () => {
  const folders = new Set(files.map((f) => relative(VECTORS_DIR, f).split(sep)[0]))
  for (const folder of ['lifecycle', 'rules', 'calendar', 'shipdate', 'identity', 'stock', 'shipment', 'analytics']) {
    assert.ok(folders.has(folder), `no vector under ${folder}/`)
  }
})

test('numbers JS cannot carry are kept as written', () => {
  const { vector, lossy } = parseVector('{"a": 550.0, "b": "1.0", "c": [1, 2.5, 9007199254740993], "d": "x\\"1.0"}')
  assert.equal(lossy, true)
  assert.deepEqual(vector, {
    a: '\u0000number:550.0',
    b: '1.0',
    c: [1, 2.5, '\u0000number:9007199254740993'],
    d: 'x"1.0',
  })
  assert.equal(parseVector('{"a": 1, "b": 2.5, "c": -3e-2}').lossy, false)
})

for (const file of files) {
  test(`vector ${relative(VECTORS_DIR, file)}`, async (t) => {
    const modes = await runFile(file)
    if (modes.length === 1) t.diagnostic(`holds a number JS cannot carry: ran with records as ${modes[0]} only`)
  })
}

// After the vectors (node:test runs a file's tests in order): the typed-array twin
// ran for every analytics vector, and the Arrow twin for all but those Arrow cannot
// hold (columns of different lengths, a column mixing numbers and text).
test('every analytics vector ran from typed arrays, and most from Arrow', () => {
  const ops = files
    .filter((f) => relative(VECTORS_DIR, f).split(sep)[0] === 'analytics')
    .map((f) => JSON.parse(readFileSync(f, 'utf8')).op)
  const clv = ops.filter((op) => op === 'analytics_clv_fit' || op === 'analytics_clv_predict').length
  const histories = ops.length - clv
  assert.equal(twinRuns.typedHistory, histories)
  assert.equal(twinRuns.typedSummary, clv)
  assert.equal(twinRuns.arrowSummary, clv)
  assert.ok(twinRuns.arrowHistory >= 0.9 * histories, `the Arrow twin ran for ${twinRuns.arrowHistory} of ${histories}`)
})
