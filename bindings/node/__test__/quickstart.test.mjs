// examples/quickstart.mjs runs and prints the status of the sample order.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'

test('examples/quickstart.mjs prints the triaged status', () => {
  const script = fileURLToPath(new URL('../examples/quickstart.mjs', import.meta.url))
  const out = execFileSync(process.execPath, [script], { encoding: 'utf8' })
  assert.match(out, /^rule set standard \(all_matching\): \d+ rules$/m)
  assert.match(out, /^order ord-0001: valid=true, total 5390 JPY$/m)
  assert.match(out, /^matched remarks, everything-else$/m)
  assert.match(out, /^status: needs_check$/m)
})
