import { inspect } from 'node:util'
import { withoutOwnFrames } from './own-frames.js'

/**
 * Stable codes for every error the harness itself throws. Branch on these, not on messages.
 *
 * - `ERR_INVALID_OPTION`: a bad option to `createIdentity()`/`useIdentity()` (seed, siteUrl,
 *   jwtSecret, now, mode, autoconfirm, requestLogLimit, auditLogLimit, testTimeout, a `functions` key that is
 *   not an event name), to `trigger()` (`timeoutMs`,
 *   `attempts`), to `invoke()` (two sources of the Authorization header, or `json` with `body`)
 *   or to `identity.signup()`; bad site settings (`providers`, `emailLogin`, `disableSignup`) or a
 *   bad fake-provider profile or failure (`identity.providers.github.next()`, `.fail()`).
 * - `ERR_EVENT_REQUIRED`: `trigger()` got no event and cannot read one from the function's name.
 * - `ERR_UNKNOWN_EVENT`: `trigger()` got an event that is not an identity event.
 * - `ERR_UNSUPPORTED_FUNCTION`: the value or module is no function Netlify can run (no `handler`,
 *   default export or typed handlers), or the file has no function extension.
 * - `ERR_FUNCTION_NOT_FOUND`: a function path, a function folder's entry file, a functions
 *   directory, or the site directory (`check`, `init`, `serve`) does not exist (or is a file).
 * - `ERR_FUNCTION_LOAD`: a function file failed to build (esbuild) or threw at module scope.
 * - `ERR_FUNCTION_FORMAT`: a CommonJS function file (`exports.handler`) would run as an ES module
 *   (`"type": "module"`), where Netlify fails too: rename it `.cjs` (a `{"type": "commonjs"}` package.json
 *   also works, but makes the folder's `.js` and `.ts` files CommonJS).
 * - `ERR_INVALID_USER`: not a GoTrue user object where one is needed (`token()`, `trigger()`,
 *   `users.add()`), or bad `fakeUser()` overrides.
 * - `ERR_INVALID_RESPONSE`: an assertion got neither a `HookOutcome` nor a function response
 *   (often a forgotten `await`).
 * - `ERR_ALREADY_LISTENING`: `identity.listen()` while this or another instance is listening.
 * - `ERR_NOT_LISTENING`: `identity.close()` without `identity.listen()`.
 * - `ERR_DUPLICATE_USER`: `users.add()`/`createUser()` with an id or e-mail already stored.
 * - `ERR_INVALID_FAULT`: a bad `identity.inject()` fault spec.
 * - `ERR_SITE_CONFIG`: a site's `netlify.toml` is not valid TOML, or a path in it leaves the site.
 * - `ERR_SERVE_LISTEN`: `serve`/`serveIdentity()` cannot listen on the host and port (in use, or
 *   not an address of this machine).
 * - `ERR_SERVE_FILE`: a `--users` or `--state` file is unreadable or not the JSON it should be.
 * - `ERR_UNSUPPORTED_RUNNER`: `netlify-identity-harness/vitest` or `/jest` was imported with a
 *   Vitest or `@jest/globals` outside the supported range (the message names the version found
 *   and the range supported).
 * - `ERR_MISSING_PEER`: msw (a peer dependency, loaded when an instance first serves: its
 *   `handlers`, `listen()`, a fixture) is not installed, or not a supported version; under Jest,
 *   an instance served without `netlify-identity-harness/jest` loaded (Jest's ESM registry is
 *   out of `require()`'s reach).
 */
export type HarnessErrorCode =
  | 'ERR_INVALID_OPTION'
  | 'ERR_EVENT_REQUIRED'
  | 'ERR_UNKNOWN_EVENT'
  | 'ERR_UNSUPPORTED_FUNCTION'
  | 'ERR_FUNCTION_NOT_FOUND'
  | 'ERR_FUNCTION_LOAD'
  | 'ERR_FUNCTION_FORMAT'
  | 'ERR_INVALID_USER'
  | 'ERR_INVALID_RESPONSE'
  | 'ERR_ALREADY_LISTENING'
  | 'ERR_NOT_LISTENING'
  | 'ERR_DUPLICATE_USER'
  | 'ERR_INVALID_FAULT'
  | 'ERR_SITE_CONFIG'
  | 'ERR_SERVE_LISTEN'
  | 'ERR_SERVE_FILE'
  | 'ERR_UNSUPPORTED_RUNNER'
  | 'ERR_MISSING_PEER'
  | (string & {})

/**
 * The error class for misuse of the harness (bad options, a function it cannot run). A user
 * function's own failures are never thrown: they become the production outcome plus a diagnostic.
 * Its stack starts at your call: the harness's own frames are left out.
 */
export class HarnessError extends Error {
  /** A stable, machine-readable code such as `ERR_EVENT_REQUIRED`. */
  readonly code: HarnessErrorCode

  /**
   * @param code - stable code
   * @param message - what went wrong and how to fix it
   * @param options - standard error options (`cause`)
   */
  constructor(code: HarnessErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'HarnessError'
    this.code = code
    trimOwnFrames(this)
  }
}

/**
 * Drops the harness's own frames from a `HarnessError`'s stack, so that the first frame (the
 * one Jest and Vitest show the code of) is the user's call that misused it.
 */
function trimOwnFrames(error: Error): void {
  const stack = error.stack
  if (typeof stack === 'string') error.stack = withoutOwnFrames(stack)
}

/**
 * `Name: message` for an `Error`, else the value as a string: how the harness names a failure in
 * messages. Never throws, whatever a function threw (a Symbol `name`, throwing getters, a Proxy,
 * `Object.create(null)`).
 * @internal
 */
export function errorLabel(error: unknown): string {
  try {
    return error instanceof Error ? `${String(error.name)}: ${String(error.message)}` : String(error)
  } catch {
    try {
      return inspect(error, { getters: false, customInspect: false, depth: 1, breakLength: Infinity })
    } catch {
      return '[a value that cannot be printed]'
    }
  }
}
