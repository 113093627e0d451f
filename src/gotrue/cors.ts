/**
 * GoTrue's CORS middleware, the outermost layer of its router (gotrue `api/api.go`, `NewAPIWithVersion`):
 * `rs/cors` v1.11.0 with `AllowedMethods` GET, POST, PUT, DELETE, `AllowedHeaders` Accept,
 * Authorization, Content-Type, X-JWT-AUD, X-Use-Cookie, `AllowCredentials: true` and no
 * `AllowedOrigins` (so every origin). Transport-neutral: the msw handlers and the HTTP server
 * both go through it, as every request to GoTrue does.
 *
 * What rs/cors does with that configuration (`cors.go`, `handlePreflight`, `handleActualRequest`):
 * - a preflight (`OPTIONS` with a non-empty `Access-Control-Request-Method`) never reaches a
 *   route: 204, `Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers`,
 *   and — only with an `Origin`, an allowed method and allowed headers — `Access-Control-Allow-Origin: *`,
 *   `Access-Control-Allow-Methods: <the requested method>`, `Access-Control-Allow-Headers: <the
 *   requested headers>` and `Access-Control-Allow-Credentials: true`;
 * - every other request gets `Vary: Origin` and, with an `Origin` and an allowed method,
 *   `Access-Control-Allow-Origin: *` and `Access-Control-Allow-Credentials: true`.
 *
 * The origin is the literal `*` even with credentials allowed (rs/cors writes `*` whenever all
 * origins are allowed), so a browser refuses credentialed cross-origin calls; gotrue-js sends
 * `credentials: 'same-origin'`, and on Netlify the API is same-origin anyway.
 * @internal
 */

/** The methods GoTrue allows cross-origin (case-sensitive, as rs/cors compares them). */
export const CORS_ALLOWED_METHODS: readonly string[] = ['GET', 'POST', 'PUT', 'DELETE']

/** The request headers GoTrue allows, lower-case and sorted as rs/cors keeps them. */
export const CORS_ALLOWED_HEADERS: readonly string[] = ['accept', 'authorization', 'content-type', 'x-jwt-aud', 'x-use-cookie']

const PREFLIGHT_VARY = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers'

/** Whether rs/cors treats a request as a preflight: `OPTIONS` with a non-empty `Access-Control-Request-Method`. */
export function isPreflight(method: string, headers: Headers): boolean {
  return method === 'OPTIONS' && (headers.get('access-control-request-method') ?? '') !== ''
}

/** rs/cors `isMethodAllowed`: `OPTIONS` always, else an exact match. */
function methodAllowed(method: string): boolean {
  return method === 'OPTIONS' || CORS_ALLOWED_METHODS.includes(method)
}

/**
 * rs/cors `SortedSet.Subsumes`: the browser's comma-separated, lower-case, sorted header list
 * (Fetch standard) must name only allowed headers, each once, in sorted order; an empty list is fine.
 */
function headersAllowed(list: string): boolean {
  if (list === '') return true
  let last = -1
  for (const name of list.split(',')) {
    const at = CORS_ALLOWED_HEADERS.indexOf(name)
    if (at <= last) return false
    last = at
  }
  return true
}

/** The answer to a preflight: 204 with the headers rs/cors writes (see the module comment). */
export function preflightResponse(headers: Headers): Response {
  const out = new Headers({ vary: PREFLIGHT_VARY })
  const origin = headers.get('origin') ?? ''
  const method = headers.get('access-control-request-method') ?? ''
  const requested = headers.get('access-control-request-headers')
  if (origin !== '' && methodAllowed(method) && (requested === null || headersAllowed(requested))) {
    out.set('access-control-allow-origin', '*')
    out.set('access-control-allow-methods', method)
    if (requested) out.set('access-control-allow-headers', requested)
    out.set('access-control-allow-credentials', 'true')
  }
  return new Response(null, { status: 204, headers: out })
}

/** Adds what rs/cors adds to an actual (non-preflight) request's response, in place. */
export function addCorsHeaders(method: string, requestHeaders: Headers, responseHeaders: Headers): void {
  responseHeaders.append('vary', 'Origin')
  if ((requestHeaders.get('origin') ?? '') === '' || !methodAllowed(method)) return
  responseHeaders.set('access-control-allow-origin', '*')
  responseHeaders.set('access-control-allow-credentials', 'true')
}
