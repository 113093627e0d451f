// Type test for `netlify-identity-harness/vitest`: the one augmentation both Vitest 4.1 (`Matchers<T = any>`)
// and Vitest 5 (`Matchers<R, T>`) accept; the version matrix (scripts/matrix.mjs) checks this file on
// both majors with skipLibCheck: false.
// Checked by `tsc -p test/types/tsconfig.vitest.json` (npm run test:types; test/types/tsc.test.ts):
// every `@ts-expect-error` line must be an error, every other line must compile.
import type { HookOutcome, RawFunctionResponse } from 'netlify-identity-harness'
import { expectNoDiagnostics } from 'netlify-identity-harness'
import { expect, test } from 'netlify-identity-harness/vitest'
import { expect as vitestExpect } from 'vitest'

declare const outcome: HookOutcome
declare const raw: RawFunctionResponse

test('matchers are typed on the entry expect and on vitest expect', async ({ identity }) => {
  const seed: number = identity.seed
  void seed
  expect(outcome).toAllowSignup()
  expect(outcome).not.toBlockSignup()
  expect(outcome).toAllowLogin()
  expect(outcome).toBlockLogin()
  expect(raw).toAllow()
  expect(raw).toBlock()
  expect(outcome).toSetAppMetadata({ roles: expect.arrayContaining(['admin']), provider: expect.any(String) })
  expect(outcome).toSetUserMetadata({ full_name: 'Ada' }, { exact: true })
  expect(outcome).toHaveRoles(['admin'])
  vitestExpect(outcome).toHaveRoles(['admin'])
  expect(raw).toHaveStatus(200)
  vitestExpect(await identity.invoke(async () => ({ statusCode: 204 }))).not.toHaveStatus(500)
  vitestExpect(outcome).not.toAllowSignup()
  expect(outcome).toHaveNoDiagnostics()
  // Never a promise, not even for a fetch Response (which fails at once as a misuse).
  const noDiagnostics: void = expect(new Response('{}')).toHaveNoDiagnostics()
  void noDiagnostics
  vitestExpect(await identity.invoke(async () => ({ statusCode: 204 }))).toHaveNoDiagnostics({ except: [] })
  expectNoDiagnostics(outcome, { except: ['unserved-request'] })
  // @ts-expect-error a raw response carries no diagnostics: expectNoDiagnostics takes an outcome or an invoke response
  expectNoDiagnostics(raw)

  // A fetch Response makes the matcher async: its return is a promise to await.
  const pending: Promise<void> = expect(new Response('{}')).toAllow()
  await pending
  const sync: void = expect(outcome).toAllow()
  void sync

  // `.resolves` makes every matcher async; `.not` keeps the received type.
  const resolved: Promise<void> = expect(Promise.resolve(outcome)).resolves.toAllowSignup()
  await resolved
  const negated: Promise<void> = expect(new Response('{}')).not.toAllow()
  await negated
  expect({ roles: ['admin'] }).toEqual({ roles: expect.arrayContaining(['admin']) })

  // @ts-expect-error a misspelled matcher does not exist
  expect(outcome).toAllowSignUp()
  // @ts-expect-error roles are an array of strings, not a number
  expect(outcome).toHaveRoles(5)
  // @ts-expect-error a misspelled matcher does not exist on vitest's expect either
  vitestExpect(outcome).toHaveRole(['admin'])
  // @ts-expect-error roles are an array of strings
  expect(outcome).toHaveRoles('admin')
  // @ts-expect-error roles are strings
  expect(outcome).toHaveRoles([1])
  // @ts-expect-error a status is a number
  expect(raw).toHaveStatus('200')
  // @ts-expect-error expected metadata is an object
  expect(outcome).toSetAppMetadata('admin')
  // @ts-expect-error options are { exact?: boolean }
  expect(outcome).toSetUserMetadata({}, { exact: 'yes' })
  // @ts-expect-error allow/block matchers take no argument
  expect(outcome).toAllowSignup(422)
  // @ts-expect-error a sync subject's matcher returns void, not a promise
  const notAPromise: Promise<void> = expect(outcome).toAllow()
  void notAPromise
})

// @ts-expect-error the fixture is named `identity`
test('unknown fixture', ({ identities }) => identities)

// The exported test type is a named interface (no Vitest builder internals on hover) that keeps
// the fixtures' types for override and extend.
describeOverrides()
function describeOverrides(): void {
  test.override('identityOptions', { autoconfirm: true })
  // @ts-expect-error autoconfirm is a boolean
  test.override('identityOptions', { autoconfirm: 'yes' })
  const extended = test.extend('admin', async ({ identity }) => identity.fakeUser())
  extended('extended fixtures see identity', async ({ admin, identity }) => {
    void admin.email
    void identity.seed
  })
}
