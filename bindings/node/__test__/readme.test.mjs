// The project README's Node example runs and prints what its comments promise.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'

test('the README Node example runs and prints what it says', () => {
  const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8')
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1])
  assert.equal(blocks.length, 1)
  const binding = fileURLToPath(new URL('../index.js', import.meta.url))
  // The example is an ES module with top-level await that requires 'ichigen'.
  const source =
    "import { createRequire } from 'node:module'\nconst require = createRequire(import.meta.url)\n" +
    blocks[0].replace("require('ichigen')", `require(${JSON.stringify(binding)})`)
  const file = join(mkdtempSync(join(tmpdir(), 'ichigen-readme-')), 'readme.mjs')
  writeFileSync(file, source)
  const printed = execFileSync(process.execPath, [file], { encoding: 'utf8' }).split('\n')
  const promised = [...blocks[0].matchAll(/console\.log\([^\n]*\)\s*\/\/\s*(\S[^\n]*)$/gm)].map((m) => m[1].trim())
  assert.ok(promised.length >= 2, 'the example promises some output')
  for (const want of promised) {
    assert.ok(printed.some((line) => line.startsWith(want)), `${want} not in ${printed.join(' | ')}`)
  }
})
