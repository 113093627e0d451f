import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { cloneJson } from '../src/users/json.js'

// cloneJson is the copy the store hands out (users.get/all, createUser): its result must be
// structuredClone's for every value, the fast walk being only a shortcut for plain JSON.
describe('cloneJson', () => {
  test('plain JSON: an equal, unshared copy', () => {
    const v = { a: 1, b: [1, { c: 'x' }, null], d: { e: true }, n: null }
    const c = cloneJson(v)
    expect(c).toEqual(v)
    expect(c).not.toBe(v)
    expect(c.b[1]).not.toBe(v.b[1])
    expect(c.d).not.toBe(v.d)
  })

  test('anything else is structuredClone: dates, maps, cycles, holes, own __proto__', () => {
    const cyclic: Record<string, unknown> = { a: 1 }
    cyclic.self = cyclic
    const sparse = [1, , 3] // eslint-disable-line no-sparse-arrays
    const proto = JSON.parse('{"__proto__": {"x": 1}}') as Record<string, unknown>
    const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { k: [1] })
    for (const v of [{ d: new Date(5) }, { m: new Map([[1, 2]]) }, cyclic, { sparse }, proto, nullProto, { deep: JSON.parse('['.repeat(80) + ']'.repeat(80)) }]) {
      expect(cloneJson(v)).toStrictEqual(structuredClone(v))
    }
    const c = cloneJson(cyclic)
    expect(c.self).toBe(c)
    expect(Object.getPrototypeOf(cloneJson(proto))).toBe(Object.prototype)
    expect(Object.keys(cloneJson(proto))).toEqual(['__proto__'])
  })

  test('values structuredClone refuses are refused the same way', () => {
    expect(() => cloneJson({ f: () => 1 })).toThrow(expect.objectContaining({ name: 'DataCloneError' }))
    expect(() => cloneJson({ s: Symbol('x') })).toThrow(expect.objectContaining({ name: 'DataCloneError' }))
  })
})

// serializeUser's literal fast path (a confirmed user with no other optional timestamp) must give
// exactly what the general rule gives: GoTrue's key order, empty optional timestamps omitted
// (gotrue.md §3), metadata copied.
describe('serializeUser', () => {
  const ORDER = ['id', 'aud', 'role', 'email', 'confirmed_at', 'invited_at', 'confirmation_sent_at', 'recovery_sent_at', 'new_email', 'email_change_sent_at', 'last_sign_in_at', 'app_metadata', 'user_metadata', 'created_at', 'updated_at']
  const OPTIONAL = new Set(ORDER.slice(4, 11))
  const reference = (u: Record<string, unknown>) => {
    const out: Record<string, unknown> = {}
    for (const k of ORDER) {
      const v = u[k]
      if (OPTIONAL.has(k) && (v === undefined || v === null || v === '')) continue
      out[k] = k === 'app_metadata' ? (v == null ? {} : v) : k === 'user_metadata' ? (v === undefined ? null : v) : (v ?? '')
    }
    return out
  }
  test('property: same keys, order and values as the general rule', async () => {
    const { serializeUser } = await import('../src/users/json.js')
    const value = fc.constantFrom(undefined, null, '', '2024-01-01T00:00:00.000Z', 'x')
    fc.assert(
      fc.property(fc.record(Object.fromEntries(ORDER.map((k) => [k, k.endsWith('metadata') ? fc.constantFrom(undefined, null, { a: [1] }) : value])), { requiredKeys: [] }), (u) => {
        const got = serializeUser(u as never) as unknown as Record<string, unknown>
        expect(JSON.stringify(got)).toBe(JSON.stringify(reference(u)))
        expect(Object.keys(got)).toEqual(Object.keys(reference(u)))
        if (u.app_metadata && typeof u.app_metadata === 'object') expect(got.app_metadata).not.toBe(u.app_metadata)
      }),
      { seed: 5, numRuns: 500 },
    )
  })
})
