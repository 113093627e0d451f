// Every diagnostic code the harness can give has a row in README's "Diagnostics from function
// calls" (what the function did, the fix) and a rule in check (severity, fix): a new code cannot
// ship undocumented.
import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { RULES } from '../src/cli/check/findings.js'

const types = readFileSync(new URL('../src/types.ts', import.meta.url), 'utf8')
const union = types.slice(types.indexOf('export type DiagnosticCode ='), types.indexOf('(string & {})'))
const codes = [...union.matchAll(/\| '([a-z0-9-]+)'/g)].map((m) => m[1]!)

test('the codes are read from the DiagnosticCode union', () => {
  expect(codes.length).toBeGreaterThanOrEqual(40)
  expect(codes).toContain('undefined-response')
  expect(codes).toContain('missing-module')
})

test('each code has a row in the README table and its TSDoc line', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const from = readme.indexOf('## Diagnostics from function calls')
  const section = readme.slice(from, readme.indexOf('\n## ', from + 1))
  const rows = new Set([...section.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]!))
  expect(codes.filter((c) => !rows.has(c))).toEqual([])
  expect([...rows].filter((c) => !codes.includes(c))).toEqual([])
  const tsdoc = types.slice(0, types.indexOf('export type DiagnosticCode ='))
  expect(codes.filter((c) => !tsdoc.includes(` * - \`${c}\`:`))).toEqual([])
})

test('check has a severity and a fix for each code (none falls back to "see the message")', () => {
  expect(codes.filter((c) => !Object.hasOwn(RULES, c))).toEqual([])
})
