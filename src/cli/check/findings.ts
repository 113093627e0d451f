/** How bad a finding is: `error` breaks production or is a security hole, `warning` loses data or hides a failure, `info` explains. */
export type Severity = 'error' | 'warning' | 'info'

/** Severities in order, for `--fail-on`. @internal */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { error: 3, warning: 2, info: 1 }

/**
 * Codes `check` adds on top of the harness's diagnostics (src/types.ts `DiagnosticCode`), found
 * by comparing scenarios of one function:
 * - `trusts-unverified-token`: 2xx to a forged or expired token where no token gets 401/403.
 * - `env-unset`: `process.env` variables read but unset.
 * - `blocks-every-scenario`: every user of the battery was blocked.
 * - `load-failed`: the file does not build, or throws at module scope.
 * - `unhandled-request`: a request to a host nothing serves (named with its URL); it failed closed.
 * @internal
 */
export type CheckCode = 'trusts-unverified-token' | 'env-unset' | 'blocks-every-scenario' | 'load-failed' | 'unhandled-request'

/** Severity and one-line fix per code; codes not listed are warnings. @internal */
export const RULES: Readonly<Record<string, { severity: Severity; fix: string }>> = {
  'undefined-response': { severity: 'error', fix: 'return (or await) a response object: { statusCode: 200, body: JSON.stringify(…) }' },
  'invalid-response': { severity: 'error', fix: 'return { statusCode, body } with a numeric statusCode and a string body' },
  'non-string-body': { severity: 'error', fix: 'wrap the body in JSON.stringify(…)' },
  'sync-return': { severity: 'error', fix: 'make the handler async (or call the callback); a plain return is ignored' },
  // Replaced per message by threwFix (run-check.ts) when the error is not a missing value.
  threw: { severity: 'error', fix: 'guard what can be missing (user_metadata may be null, full_name absent) and catch failures you can survive' },
  // A hook's; run-check.ts timeoutFix gives HTTP and background functions theirs, and a shorter budget's.
  timeout: { severity: 'error', fix: 'await every promise and answer within 5 s (GoTrue gives each of its 3 attempts 5 s, then blocks the user)' },
  'malformed-json': { severity: 'error', fix: 'answer with a JSON body (JSON.stringify) or an empty body' },
  'roles-not-array': { severity: 'error', fix: 'set app_metadata.roles to an array of strings' },
  'client-context-user-in-event': { severity: 'error', fix: 'read the user from JSON.parse(event.body).user' },
  'event-user-read': { severity: 'error', fix: 'read the user from JSON.parse(event.body).user' },
  'admin-token-leaked': { severity: 'error', fix: 'never put clientContext.identity.token in a response body or header' },
  'admin-token-logged': { severity: 'error', fix: 'do not log clientContext.identity.token (logs are readable by every site member)' },
  'multiple-completions': { severity: 'error', fix: 'complete once: return a promise or call the callback, not both' },
  'unreadable-response': { severity: 'error', fix: 'return a plain object (no getters or Proxy)' },
  'invalid-header': { severity: 'error', fix: 'header values must be strings, numbers or booleans' },
  'background-client-context': { severity: 'error', fix: 'background functions get no clientContext identity: pass what they need in the request' },
  'base64-body': { severity: 'error', fix: 'decode the body when event.isBase64Encoded is true' },
  'admin-roles-not-array': { severity: 'error', fix: 'send app_metadata.roles as an array of strings to the admin API' },
  'app-metadata-from-request': { severity: 'error', fix: 'decide app_metadata in the function (the caller\'s verified role, an allow-list of values); let users change only user_metadata' },
  'admin-malformed-id': { severity: 'warning', fix: 'put the stored user\'s id (a UUID) in /admin/users/<id>: no braces, and check it is present before the request' },
  'identity-not-served': { severity: 'error', fix: 'the function needs GoTrue: check its URL comes from clientContext.identity.url' },
  'trusts-unverified-token': { severity: 'error', fix: 'authorise with the user Netlify verified: context.clientContext.user in a handler(event, context), getUser() from @netlify/identity in a v2 function; or verify the JWT signature and exp yourself' },
  // Replaced per message by loadFailedFix (run-check.ts): build error, missing package, or module-scope throw.
  'load-failed': { severity: 'error', fix: 'make the file build and load (module-scope code must not throw; supply env with --env)' },
  'unhandled-request': { severity: 'warning', fix: 'serve the host with an msw handler in your tests (check cannot tell what the service would answer)' },
  'dropped-provider': { severity: 'warning', fix: 'spread the existing map: { app_metadata: { ...user.app_metadata, roles } }' },
  'changed-provider': { severity: 'warning', fix: 'keep app_metadata.provider as GoTrue set it' },
  'unserved-request': { severity: 'warning', fix: 'let a failed request fail the function, or mock the host in your tests' },
  'ignored-gotrue-error': { severity: 'warning', fix: 'check res.ok on GoTrue responses and fail instead of reporting success' },
  'array-header': { severity: 'warning', fix: 'put repeated headers in multiValueHeaders' },
  'late-request': { severity: 'warning', fix: 'await every request before answering' },
  'unbundled-file-read': { severity: 'warning', fix: 'import the file, move it beside the function or list it in included_files' },
  'unhandled-rejection': { severity: 'warning', fix: 'await or catch every promise' },
  'wait-until-rejected': { severity: 'warning', fix: 'catch failures of promises passed to waitUntil' },
  'typed-user-conflict': { severity: 'warning', fix: 'return the changed user from the typed handler, not stale fields' },
  'typed-no-handler': { severity: 'warning', fix: 'add a handler for the event or stop subscribing to it' },
  'v2-as-v1': { severity: 'warning', fix: 'export the v2 function as default (or a v1 handler)' },
  'response-stream-error': { severity: 'warning', fix: 'handle errors in the response stream' },
  'bundle-warning': { severity: 'warning', fix: 'follow the message: esbuild builds the deployed function the same way (in CommonJS, use __dirname instead of import.meta, or make the file .mjs)' },
  'missing-module': { severity: 'warning', fix: 'install the package where the function is, or keep the require()/import() in try/catch if it is optional' },
  'blocks-every-scenario': { severity: 'warning', fix: 'check the block is intended: every user in the battery was refused' },
  'ignored-keys': { severity: 'info', fix: 'GoTrue reads only app_metadata and user_metadata from the body' },
  'status-blocks': { severity: 'info', fix: 'intended? any status but 200/202/204 blocks the user after 3 attempts' },
  'non-blocking-event': { severity: 'info', fix: 'failures of this event are only logged by GoTrue' },
  background: { severity: 'info', fix: 'a background variant cannot change the user or block it' },
  'timeout-budget': { severity: 'info', fix: 'raise --timeout to give the function more time' },
  'env-unset': { severity: 'info', fix: 'set the variable in the site settings (and --env KEY=VALUE or --env-file .env here)' },
}

/** The rule for a code (unknown codes are warnings). @internal */
export function ruleFor(code: string): { severity: Severity; fix: string } {
  return Object.hasOwn(RULES, code) ? RULES[code]! : { severity: 'warning', fix: 'see the message' }
}
