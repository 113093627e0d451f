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
import type { IdentityMatchers } from './assertions/matchers.js'
import { createIdentity } from './identity.js'
import type { Identity, IdentityOptions } from './identity.js'
import { hash32 } from './random.js'
import serializer from './serializer.js'
import { serveIdentity, startIdentityServer } from './runner-server.js'
import { assertSupportedPeer } from './runner-version.js'

declare module 'vitest' {
  // Vitest 4 declares `Matchers<T = any>`; an augmentation must repeat its type parameters exactly.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends IdentityMatchers<void, T> {}
}

// Before anything touches Vitest's API: an older Vitest fails here, naming its version, instead
// of with an undefined fixture (`test.extend` builder form and `test.override` are Vitest 4.1's).
assertSupportedPeer('vitest', 'netlify-identity-harness/vitest')

vitestExpect.extend(identityMatchers)
vitestExpect.addSnapshotSerializer(serializer)

/**
 * Vitest's own `expect`, with the identity matchers and the snapshot serializer registered (the
 * same object as `import { expect } from 'vitest'`).
 */
export const expect: typeof vitestExpect = vitestExpect

/** The seed the `identity` fixture uses for a test: a hash of its full name (suites included, file excluded). */
export function seedForTest(fullTestName: string): number {
  return hash32(fullTestName)
}

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
export const test = base
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

/** Alias of {@link test}. */
export const it = test

export { identityMatchers } from './assertions/matchers.js'
export type { IdentityMatchers, IdentityMatcherFunctions, IdentityMatcherResult, IdentityMatcherSubject, MatcherContextLike } from './assertions/matchers.js'
