import type { Clock } from './clock.js'
import type { SeededRandom } from './random.js'
import type { AdminTokens } from './tokens/admin.js'
import type { SecretKey } from './tokens/key.js'


/**
 * The test runner's deadline for the test that uses an instance: `at` is `performance.now()`
 * when the runner will kill the test, `timeoutMs` the runner's timeout. @internal
 */
export interface TestDeadline {
  at: number
  timeoutMs: number
}

/** How function contexts are built: like production (default) or like `netlify dev`. */
export type ContextMode = 'production' | 'netlify-dev'

/**
 * The internals of one emulated Identity instance that every part reads. Parts never write to
 * each other's state through it.
 * @internal
 */
export interface Runtime {
  readonly siteUrl: string
  /** `${siteUrl}/.netlify/identity` */
  readonly url: string
  readonly instanceId: string
  readonly accountId: string
  readonly key: SecretKey
  readonly clock: Clock
  /** Request ids, error ids and other hot-path ids. */
  readonly ids: SeededRandom
  readonly adminTokens: AdminTokens
  readonly mode: ContextMode
  /** The test runner's deadline for the test using this instance (the Vitest fixture sets it). */
  readonly deadline?: TestDeadline | undefined
}
