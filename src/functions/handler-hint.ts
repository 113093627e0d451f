/**
 * The msw handler that would serve a request nothing served, in the words a user pastes into a
 * test: `identityServer.use(http.get('https://api.example.com/v1/items', …))`, with the request's
 * own method (msw's `http` has one function per common method and `http.all` for the rest) and
 * its URL without the query (msw matches a handler's path and ignores the query; a handler URL
 * with a query only earns msw's warning). `undefined` for a raw connection (`host:port`), which no
 * msw handler serves.
 * @internal
 */
export function handlerHint(what: string): string | undefined {
  const space = what.indexOf(' ')
  if (space <= 0) return undefined
  const method = what.slice(0, space).toUpperCase() // fetch sends `patch` as given
  let url: URL
  try {
    url = new URL(what.slice(space + 1))
  } catch {
    return undefined
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
  const fn = MSW_METHODS.has(method) ? method.toLowerCase() : 'all'
  return `identityServer.use(http.${fn}('${(url.origin + url.pathname).replaceAll("'", "\\'")}', …))`
}

/** The methods msw's `http` namespace has a function of its own for (msw's src/core/http.ts: get, post, put, patch, delete, head, options, all). */
const MSW_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'])

/**
 * What to do about requests nothing served: the handler for the first HTTP one (and that each
 * needs its own when there are several), or, for raw connections only, to mock the client.
 * @internal
 */
export function serveAdvice(unserved: readonly string[]): string {
  const hints = unserved.map(handlerHint).filter((h): h is string => h !== undefined)
  if (hints.length === 0) return 'Mock the client, or run the service on localhost'
  const distinct = new Set(hints)
  return `Serve it with an msw handler, ${hints[0]}${othersNeedTheirs(distinct.size - 1)}, or identity.listen(handler)`
}

/** ` (and one for the other request)`, ` (and one for each of the 3 other requests)`, or nothing. @internal */
export function othersNeedTheirs(others: number): string {
  if (others <= 0) return ''
  return others === 1 ? ' (and one for the other request)' : ` (and one for each of the ${others} other requests)`
}
