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
