/**
 * `netlify-identity-harness/jest`: list it in `setupFilesAfterEnv` to register the identity
 * matchers and the snapshot serializer on Jest's `expect`; call {@link useIdentity} in a test
 * file for an instance whose msw server the file's hooks start, reset and stop.
 *
 * Jest must run in ESM mode (`NODE_OPTIONS=--experimental-vm-modules`): jose, faker and msw are
 * ESM-only, and Jest's CommonJS loader cannot `require()` them on Node 20 (toolchain-and-peers.md §0.4).
 *
 * ```js
 * // jest.config.mjs
 * export default { testEnvironment: 'node', setupFilesAfterEnv: ['netlify-identity-harness/jest'] }
 * ```
 *
 * @packageDocumentation
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect as jestExpect } from '@jest/globals'
import { http } from 'msw'
import { setupServer } from 'msw/node'
import type { SetupServer } from 'msw/node'
import { identityMatchers } from './assertions/matchers.js'
import type { IdentityMatchers } from './assertions/matchers.js'
import { HarnessError } from './errors.js'
import { createIdentity } from './identity.js'
import { hash32 } from './random.js'
import type { Identity, IdentityOptions } from './identity.js'
import { serveIdentity, startIdentityServer } from './runner-server.js'
import serializer from './serializer.js'
import { assertSupportedPeer } from './runner-version.js'
import { provideMsw } from './msw-http.js'

// Jest's ESM mode has its own module registry, out of require()'s reach: this entry imports msw
// statically (the copy the test file gets from that registry) and hands it to the core.
provideMsw({ http }, { setupServer })

declare module 'expect' {
  interface Matchers<R extends void | Promise<void>, T = unknown> extends IdentityMatchers<R, T> {}
}

declare global {
  // For `@types/jest` users: the global `expect` reads `jest.Matchers`.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R, T = {}> extends IdentityMatchers<R, T> {}
  }
}

assertSupportedPeer('@jest/globals', 'netlify-identity-harness/jest')

jestExpect.extend(identityMatchers)
jestExpect.addSnapshotSerializer(serializer)

/**
 * Jest's `expect` (from `@jest/globals`), with the identity matchers and the snapshot serializer
 * registered.
 */
export const expect: typeof jestExpect = jestExpect

/** Options for {@link useIdentity}: the instance's options, plus your own msw server if you have one. */
export interface UseIdentityOptions extends IdentityOptions {
  /**
   * Serve the instance on this msw server (you `listen()` and `close()` it) instead of the one
   * `useIdentity` starts for the file.
   */
  server?: SetupServer
}

const seedForTest = (name: string): number => hash32(name)

// One server per test file (Jest gives every file its own module registry), shared by every
// `useIdentity` call in it: msw allows one listening server per process.
let fileServer: { server: Promise<SetupServer>; users: number } | undefined

/**
 * Creates an instance for the current test file (or `describe` block) and registers Jest hooks:
 * `beforeAll` starts the file's msw server (unhandled requests are errors), `beforeEach` serves
 * the instance's handlers, `afterEach` drops handlers added during the test and empties the
 * store and request log, `afterAll` stops the server. Call it at the top level of a test file
 * or of a `describe`, never inside a test.
 */
export function useIdentity(options: UseIdentityOptions = {}): Identity {
  if (options === null || typeof options !== 'object') {
    throw new HarnessError('ERR_INVALID_OPTION', 'useIdentity() takes an options object')
  }
  const { server: own, ...identityOptions } = options
  const identity = createIdentity(identityOptions)
  let server: SetupServer | undefined
  let stop: (() => void) | undefined

  beforeAll(async () => {
    if (own) {
      server = own
      return
    }
    if (!fileServer) fileServer = { server: startIdentityServer(), users: 0 }
    fileServer.users++
    server = await fileServer.server
  })
  beforeEach(() => {
    // Seeded by the test's name, like the Vitest fixture, so that order never changes a value.
    if (identityOptions.seed === undefined) identity.reseed(seedForTest(jestExpect.getState().currentTestName ?? ''))
    // `testTimeout` is a per-test budget: it starts again with every test, not once per file.
    identity.restartTestDeadline()
    if (server) stop = serveIdentity(server, identity)
  })
  afterEach(() => {
    stop?.()
    stop = undefined
  })
  afterAll(() => {
    if (own || !fileServer) return
    if (--fileServer.users === 0) {
      const { server: closing } = fileServer
      fileServer = undefined
      return closing.then((s) => s.close())
    }
  })
  return identity
}

export { identityMatchers } from './assertions/matchers.js'
export type { IdentityMatchers, IdentityMatcherFunctions, IdentityMatcherResult, IdentityMatcherSubject, MatcherContextLike } from './assertions/matchers.js'
