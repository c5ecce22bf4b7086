// Orders through the binding: conversion of JS values, parseOrder, applyEvent.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import ichigen from './load.mjs'

const sample = () => JSON.parse(ichigen.SAMPLE_ORDER_JSON)
const NOW = '2026-11-23T03:00:00Z'

test('validateOrder: the sample is valid; money comes back as strings', () => {
  const report = ichigen.validateOrder(sample())
  assert.equal(report.valid, true)
  assert.deepEqual(report.issues, [])
  assert.equal(report.totals.total, '5390')
  assert.equal(report.totals.currency, 'JPY')
  for (const line of report.totals.tax) assert.equal(typeof line.tax, 'string')
})

test('parseOrder returns the normalized order; JSON text gives the same', () => {
  const parsed = ichigen.parseOrder(sample())
  assert.equal(parsed.id, 'ord-0001')
  assert.equal(parsed.lines.length, 3)
  assert.equal(typeof parsed.lines[0].unit_price, 'string')
  assert.deepEqual(ichigen.parseOrder(ichigen.SAMPLE_ORDER_JSON), parsed)
  // Normalizing twice changes nothing.
  assert.deepEqual(ichigen.parseOrder(parsed), parsed)
})

test('JS values: Date, BigInt, integer numbers and undefined properties convert', () => {
  const order = sample()
  order.ordered_at = new Date(order.ordered_at)
  order.lines[0].quantity = 2n
  order.lines[1].unit_price = 1080
  order.shipping = { ...order.shipping, carrier: order.shipping.carrier, ignored: undefined }
  const parsed = ichigen.parseOrder(order)
  assert.deepEqual(parsed, ichigen.parseOrder(sample()))
})

test('a fractional JS number as money is refused by the core', () => {
  const order = sample()
  order.lines[0].unit_price = 1650.5
  const report = ichigen.validateOrder(order)
  assert.equal(report.valid, false)
  assert.deepEqual(
    report.issues.map((i) => [i.code, i.path]),
    [['ORDER_BAD_AMOUNT', '$.lines[0].unit_price']],
  )
})

test('applyEvent: the actor defaults to the system; now is recorded', () => {
  const out = ichigen.applyEvent(sample(), { type: 'add_tag', tag: 'VIP' }, undefined, new Date(NOW))
  assert.equal(out.applied, 'changed')
  assert.equal(out.status, 'new')
  assert.deepEqual(out.order.state.tags, ['VIP'])
  const entry = out.order.state.history.at(-1)
  assert.deepEqual(entry.actor, { kind: 'system' })
  assert.equal(Date.parse(entry.at), Date.parse(NOW))
  const again = ichigen.applyEvent(out.order, { type: 'add_tag', tag: 'VIP' }, null, NOW)
  assert.equal(again.applied, 'unchanged')
})

test('applyEvent: an explicit actor, JSON text arguments, and a chain of events', () => {
  let order = sample()
  const user = { kind: 'user', id: 'clerk-7' }
  for (const event of [{ type: 'mark_triaged' }, { type: 'print' }, { type: 'ship', tracking_number: '1234-5678' }]) {
    const out = ichigen.applyEvent(JSON.stringify(order), JSON.stringify(event), JSON.stringify(user), NOW)
    assert.equal(out.applied, 'changed')
    order = out.order
  }
  assert.equal(ichigen.applyEvent(order, { type: 'complete' }, user, NOW).status, 'completed')
  assert.deepEqual(
    order.state.history.map((h) => [h.actor.kind, h.event.type]),
    [
      ['user', 'mark_triaged'],
      ['user', 'print'],
      ['user', 'ship'],
    ],
  )
})
