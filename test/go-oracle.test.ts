/**
 * Differential check of the Go semantics in src/go/ against real Go: the fixture holds the
 * answers of Go 1.19's `encoding/json` (`json.Unmarshal` into `interface{}`, `json.NewDecoder`
 * `Decode`, decoding into a struct with a promoted `exp int64` and string/map fields) and
 * `encoding/base64`'s `RawURLEncoding.DecodeString` for 602 inputs: hand-picked edge cases plus
 * fast-check JSON values and mutations of them. Columns: the Go-quoted input, then each error
 * (`<nil>` for none). The scanner and base64 code have not changed since; the struct-field path
 * of type errors did (Go 1.24 names promoted fields through their embedded struct), so the
 * struct column is compared with paths left out.
 */
import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { goDecodeFirst, goDecodeStruct, goKind, goUnmarshal } from '../src/go/json.js'
import { goRawUrlBase64 } from '../src/go/text.js'

const lines = readFileSync(new URL('./fixtures/go/json-base64-oracle.tsv', import.meta.url), 'utf8').trim().split('\n')

/** Go's %q of a string, read back: \xNN escapes are single bytes below 0x80 here. */
const unquote = (q: string): string => JSON.parse(q.replace(/\\x([0-9a-f]{2})/g, '\\u00$1').replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b')) as string

test(`src/go agrees with Go on ${lines.length} inputs`, () => {
  const mismatches: string[] = []
  for (const line of lines) {
    const [quoted, unmarshal, decoder, base64, struct] = line.split('\t') as [string, string, string, string, string]
    const input = unquote(quoted)
    const u = goUnmarshal(input)
    const d = goDecodeFirst(input)
    const b = goRawUrlBase64(input)
    let s = d.ok ? '<nil>' : d.error
    const typed = goDecodeFirst(input, { floats: false })
    if (typed.ok && typed.value !== null) {
      s = typeof typed.value !== 'object' || Array.isArray(typed.value)
        ? `json: cannot unmarshal ${goKind(typed.value)} into Go value of type main.GoTrueClaims`
        : goDecodeStruct(typed.source, 'GoTrueClaims', { aud: 'string', exp: 'int64', sub: 'string', email: 'string', app_metadata: 'map' }).error ?? '<nil>'
    } else if (!typed.ok) s = typed.error
    const got = [u.ok ? '<nil>' : u.error, d.ok ? '<nil>' : d.error, b.ok ? '<nil>' : b.error, s]
    const want = [unmarshal, decoder, base64, struct]
    if (got.join('\t') !== want.join('\t')) mismatches.push(`${quoted}\n  go: ${want.join(' | ')}\n  js: ${got.join(' | ')}`)
  }
  expect(mismatches).toEqual([])
})

const mailLines = readFileSync(new URL('./fixtures/go/mail-oracle.tsv', import.meta.url), 'utf8').trim().split('\n')

/**
 * `net/mail.ParseAddress` (gotrue:mailer/template.go `ValidateEmail`) against Go 1.19's answers for
 * hand-picked addresses, fast-check e-mail addresses and random strings of the grammar's special
 * characters (inputs with `[` are left out: Go 1.22 added domain literals, which 1.19 refuses).
 */
test(`net/mail.ParseAddress agrees with Go on ${mailLines.length} inputs`, async () => {
  const { parseAddressError } = await import('../src/go/mail.js')
  const mismatches: string[] = []
  for (const line of mailLines) {
    const [input, error] = line.split('\t') as [string, string]
    const want = error === '<nil>' ? undefined : (JSON.parse(error) as string)
    const got = parseAddressError(JSON.parse(input) as string)
    if (got !== want) mismatches.push(`${input}: go ${want} | js ${got}`)
  }
  expect(mismatches).toEqual([])
})

/**
 * The read of a whole text with JSON.parse (issue 12: a hook's answer is read on every trigger)
 * must give exactly what the Go scanner gives: value, source and error, with and without the
 * float64 check, on the oracle's inputs and on generated texts (padded, cut, over-deep, with
 * numbers beyond float64).
 */
test('the JSON.parse read of a whole text agrees with the scan on every input', async () => {
  const { default: fc } = await import('fast-check')
  const { goDecodeFirstScanned, MAX_JSON_DEPTH } = await import('../src/go/json.js')
  const same = (input: string): void => {
    for (const options of [{}, { floats: false }]) {
      expect({ input, options, got: goDecodeFirst(input, options) }).toEqual({ input, options, got: goDecodeFirstScanned(input, options) })
    }
  }
  for (const line of lines) same(unquote(line.split('\t')[0]!))
  const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n)
  for (const input of [deep(MAX_JSON_DEPTH), deep(MAX_JSON_DEPTH + 1), ` ${deep(MAX_JSON_DEPTH - 1)} `, '1e400', '[1e308, -1e309]', '{"a":{"b":[1E999]}}', ' {"app_metadata":{}} \n', '\t\r\n', '', '{"a":1} {"b":2}', '\ufeff{}', '"\\ud800"', '{"__proto__":{"x":1}}']) same(input)
  const space = fc.constantFrom('', ' ', '\n', '\t', '\r\n', '\u00a0')
  fc.assert(
    fc.property(fc.jsonValue(), space, space, fc.nat(40), fc.boolean(), (value, before, after, cut, huge) => {
      let text = JSON.stringify(value) ?? 'null'
      if (huge) text = text.replace(/\d+(\.\d+)?/, '9e999')
      same(before + text + after)
      same(text.slice(0, Math.max(0, text.length - cut)))
    }),
    { numRuns: 400, seed: 12 },
  )
})
