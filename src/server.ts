/**
 * netlify-identity-harness/server: a local Netlify Identity on a real port, for a browser, a dev
 * server and end-to-end suites. The same GoTrue core and function runner as the library, behind
 * an HTTP front door.
 *
 * @packageDocumentation
 */
export { serveIdentity, DEFAULT_SERVE_PORT, DEFAULT_FUNCTION_TIMEOUT_MS } from './server/serve.js'
export type { ServeOptions, IdentityServer } from './server/serve.js'
export type { ServeEvent, ServeListener } from './server/events.js'
export { HARNESS_PREFIX } from './server/harness-api.js'
