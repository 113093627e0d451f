import { describe, expect, test } from 'vitest'
import fc from 'fast-check'
import { SearchText, compileLike } from '../src/gotrue/search.js'
import type { SearchKeys } from '../src/gotrue/search.js'
import { foldText } from '../src/gotrue/fold.js'

// filter= is GoTrue's FindUsersInAudience (gotrue:models/user.go): `email LIKE '%f%' OR
// full_name LIKE '%f%'`, f unescaped. The index must find exactly the records the plain
// per-record LIKE test finds, in the records' order, for any records and any pattern.
const rec = (email: string, name?: string): SearchKeys => ({ emailKey: foldText(email), nameKey: name === undefined ? undefined : foldText(name) })

describe('SearchText (filter= index)', () => {
  const records = [rec('ann@corp.test', 'Ann Smith'), rec('bob@example.com', 'Bob Jones'), rec('zoe@corp.test'), rec('x_y@ex.com', 'Zoë 100%'), rec('sm@ith.test', 'q')]
  const index = new SearchText(records)
  const find = (f: string) => index.find(compileLike(f)).map((r) => r.emailKey)

  test('substring of e-mail or name, folded, in record order', () => {
    expect(find('SMITH')).toEqual(['ann@corp.test'])
    expect(find('corp')).toEqual(['ann@corp.test', 'zoe@corp.test'])
    expect(find('zoe')).toEqual(['zoe@corp.test', 'x_y@ex.com'])
    expect(find('o')).toEqual(['ann@corp.test', 'bob@example.com', 'zoe@corp.test', 'x_y@ex.com'])
  })

  test('never matches across the e-mail/name boundary or across records', () => {
    expect(find('testann')).toEqual([])
    expect(find('.testq')).toEqual([])
    expect(find('comzoe')).toEqual([])
    expect(find('th.testq')).toEqual([])
  })

  test('LIKE wildcards and escapes: % any run, _ one character, \\ escapes', () => {
    expect(find('a%h')).toEqual(['ann@corp.test'])
    expect(find('s%h')).toEqual(['ann@corp.test', 'sm@ith.test'])
    expect(find('x_y')).toEqual(['x_y@ex.com'])
    expect(find('x\\_y')).toEqual(['x_y@ex.com'])
    expect(find('b_b')).toEqual(['bob@example.com'])
    expect(find('100\\%')).toEqual(['x_y@ex.com'])
    expect(find('%')).toHaveLength(records.length)
    expect(find('_')).toHaveLength(records.length)
    expect(find('nomatch')).toEqual([])
  })

  test('empty index', () => {
    expect(new SearchText<SearchKeys>([]).find(compileLike('a'))).toEqual([])
  })

  test('property: the index finds what a per-record LIKE test finds', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'A', 'é', '%', '_', '\\', '\u0000', ' ', '@', '😀'), maxLength: 8 })
    fc.assert(
      fc.property(fc.array(fc.tuple(text, fc.option(text, { nil: undefined })), { maxLength: 70 }), text, (rows, filter) => {
        const rs = rows.map(([e, n]) => rec(e, n))
        const pattern = compileLike(filter)
        expect(new SearchText(rs).find(pattern)).toEqual(rs.filter(pattern.test))
      }),
      { seed: 12, numRuns: 400 },
    )
  })
})
