/**
 * `netlify-identity-harness/vitest`: the identity matchers and the snapshot serializer on Vitest's
 * `expect`, and a `test` whose `identity` fixture gives every test a fresh, seeded instance
 * served by one msw server per file.
 *
 * ```ts
 * import { test, expect } from 'netlify-identity-harness/vitest'
 *
 * test('new users become members', async ({ identity }) => {
 *   const outcome = await identity.trigger(handler, 'signup', identity.fakeUser())
 *   expect(outcome).toAllowSignup()
 *   expect(outcome).toHaveRoles(['member'])
 * })
 * ```
 *
 * Importing this module (or listing it in `setupFiles`) registers the matchers; the types come
 * with the import (or add `"types": ["netlify-identity-harness/vitest"]` to your tsconfig).
 *
 * @packageDocumentation
 */
import type { SetupServer } from 'msw/node'
import { expect as vitestExpect, test as base } from 'vitest'
import { identityMatchers } from './assertions/matchers.js'
import type { IdentityMatcherResultType } from './assertions/matchers.js'
import type { MetadataOptions, NoDiagnosticsOptions } from './assertions/expect.js'
import { createIdentity } from './identity.js'
import type { Identity, IdentityOptions } from './identity.js'
import { hash32 } from './random.js'
import serializer from './serializer.js'
import { serveIdentity, startIdentityServer } from './runner-server.js'
import { assertSupportedPeer } from './runner-version.js'

/**
 * Carries the received type on an assertion, for the identity matchers' return types (a fetch
 * `Response` makes them async). Types only: no such property exists at run time.
 */
declare const receivedType: unique symbol

/** What an assertion's matchers return: `void`, or `Promise<void>` after `.resolves`/`.rejects` (Vitest 5). */
type AssertionReturnOf<This> = This extends { toBeTruthy: () => infer R } ? R : void

/** The received type an assertion carries under {@link receivedType} (`unknown` when it carries none). */
type ReceivedOf<This> = This extends { readonly [receivedType]?: infer S } ? S : unknown

/** An identity matcher's return type on the assertion `This`. */
type VitestIdentityResult<This> = IdentityMatcherResultType<AssertionReturnOf<This>, ReceivedOf<This>>

// One declaration both Vitest majors accept with skipLibCheck: false. Vitest 4 declares
// `Matchers<T = any>`, Vitest 5 `Matchers<R extends void | Promise<void> = void | Promise<void>, T = unknown>`;
// an augmentation that names type parameters must repeat them exactly (TS2428), so no such
// augmentation fits both. Every parameter has a default on both majors, so an augmentation with
// none is legal on both; its members read the assertion's return and received types from `this`
// (TypeScript's checker, areTypeParametersIdentical: a declaration may have fewer type
// parameters than the merged interface down to the number without defaults).
declare module 'vitest' {
  interface Matchers {
    /** See {@link IdentityMatchers.toAllowSignup}. */
    toAllowSignup(): VitestIdentityResult<this>
    /** See {@link IdentityMatchers.toBlockSignup}. */
    toBlockSignup(): VitestIdentityResult<this>
    /** See {@link IdentityMatchers.toAllowLogin}. */
    toAllowLogin(): VitestIdentityResult<this>
    /** See {@link IdentityMatchers.toBlockLogin}. */
    toBlockLogin(): VitestIdentityResult<this>
    /** See {@link IdentityMatchers.toAllow}. */
    toAllow(): VitestIdentityResult<this>
    /** See {@link IdentityMatchers.toBlock}. */
    toBlock(): VitestIdentityResult<this>
    /** See {@link IdentityMatchers.toSetAppMetadata}. */
    toSetAppMetadata(expected: Record<string, unknown>, options?: MetadataOptions): VitestIdentityResult<this>
    /** See {@link IdentityMatchers.toSetUserMetadata}. */
    toSetUserMetadata(expected: Record<string, unknown>, options?: MetadataOptions): VitestIdentityResult<this>
    /** See {@link IdentityMatchers.toHaveRoles}. */
    toHaveRoles(roles: readonly string[]): VitestIdentityResult<this>
    /** See {@link IdentityMatchers.toHaveStatus}. */
    toHaveStatus(status: number): VitestIdentityResult<this>
    /** See {@link IdentityMatchers.toHaveNoDiagnostics}. */
    toHaveNoDiagnostics(options?: NoDiagnosticsOptions): AssertionReturnOf<this>
  }
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    // Vitest 4's `Assertion<T>` extends `jest.Matchers<void, T>` (Vitest 5 no longer reads it):
    // the received type rides along here, so Vitest 4's own `expect` types it too.
    interface Matchers<R, T = {}> {
      /** Type-only: the received type, for the identity matchers' return types. */
      readonly [receivedType]?: T
    }
  }
}

/** What the harness's `expect(x)` returns: Vitest's assertion for `x`, carrying `x`'s type for the identity matchers on every Vitest major. */
export type HarnessAssertion<T> = ReturnType<typeof vitestExpect<T>> & HarnessAssertionExtras<T>

/** The part of {@link HarnessAssertion} the harness adds: the received type, kept under `.not`. */
export interface HarnessAssertionExtras<T> {
  /** Type-only: the received type. */
  readonly [receivedType]?: T
  /** Vitest's `.not`, keeping the received type. */
  readonly not: HarnessAssertion<T>
}

/** The harness's `expect`: Vitest's `expect` whose assertions type the identity matchers' returns from the received value on Vitest 4.1 and 5. */
export type HarnessExpect = (<T>(actual: T, message?: string) => HarnessAssertion<T>) & typeof vitestExpect

// Before anything touches Vitest's API: an older Vitest fails here, naming its version, instead
// of with an undefined fixture (`test.extend` builder form and `test.override` are Vitest 4.1's).
assertSupportedPeer('vitest', 'netlify-identity-harness/vitest')

vitestExpect.extend(identityMatchers)
vitestExpect.addSnapshotSerializer(serializer)

/**
 * Vitest's own `expect`, with the identity matchers and the snapshot serializer registered (the
 * same object as `import { expect } from 'vitest'`; its type also carries the received type, so
 * a fetch `Response` makes the identity matchers async on Vitest 5 too).
 */
export const expect: HarnessExpect = vitestExpect as HarnessExpect

/** The seed the `identity` fixture uses for a test: a hash of its full name (suites included, file excluded). */
export function seedForTest(fullTestName: string): number {
  return hash32(fullTestName)
}

const identityTest = base
  .extend('identityServer', { scope: 'file' }, async ({}, { onCleanup }): Promise<SetupServer> => {
    const server = await startIdentityServer()
    onCleanup(() => server.close())
    return server
  })
  .extend('identityOptions', {} as IdentityOptions)
  .extend('identity', async ({ identityServer, identityOptions, task }, { onCleanup }): Promise<Identity> => {
    const name = task.fullTestName ?? task.name
    // testTimeout: hooks and invokes report a hang before Vitest's own timeout (task.timeout, Vitest ≥ 4).
    const testTimeout = identityOptions.testTimeout ?? (task as { timeout?: number }).timeout
    const identity = createIdentity({ ...identityOptions, seed: identityOptions.seed ?? seedForTest(name), ...(testTimeout ? { testTimeout } : {}) })
    onCleanup(serveIdentity(identityServer, identity))
    return identity
  })

type IdentityTestBase = typeof identityTest

/**
 * The type of {@link test}: Vitest's test API with the `identity`, `identityOptions` and
 * `identityServer` fixtures (a named interface, so that hovering `test` shows this name rather
 * than Vitest's builder internals).
 */
export interface IdentityTestAPI extends IdentityTestBase {}

/**
 * The test API with the harness's fixtures:
 *
 * - `identity`: a fresh {@link Identity} per test, seeded from a hash of the test's full name (so
 *   test order, `--shard` and `.concurrent` never change a value), its handlers served by the
 *   file's msw server and reset after the test. Lazy: a test that does not destructure it pays
 *   nothing and starts no server.
 * - `identityOptions`: the options `identity` is created with (default `{}`); change them per
 *   suite with `test.override('identityOptions', { autoconfirm: true })`. A `seed` here wins over
 *   the name-derived one.
 * - `identityServer`: the file's msw server (file-scoped; unhandled requests are errors). Add
 *   your own handlers with `identityServer.use(…)`; they are dropped after each test that uses `identity`.
 */
export const test: IdentityTestAPI = identityTest

/** Alias of {@link test}. */
export const it: IdentityTestAPI = test

export { identityMatchers } from './assertions/matchers.js'
export type { IdentityMatchers, IdentityMatcherFunctions, IdentityMatcherResult, IdentityMatcherSubject, MatcherContextLike } from './assertions/matchers.js'
