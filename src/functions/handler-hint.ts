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
 * The handlers that would serve requests nothing served: the first HTTP one's, and that each of
 * the others needs its own (`… (and one for the other request)`); `undefined` when all are raw
 * connections, which no msw handler serves. @internal
 */
export function handlersFor(unserved: readonly string[]): string | undefined {
  const hints = [...new Set(unserved.map(handlerHint).filter((h): h is string => h !== undefined))]
  if (hints.length === 0) return undefined
  const others = hints.length - 1
  return `${hints[0]}${others === 0 ? '' : others === 1 ? ' (and one for the other request)' : ` (and one for each of the ${others} other requests)`}`
}

/**
 * What a test should do about requests nothing served: add {@link handlersFor} them, or, for raw
 * connections only, mock the client.
 * @internal
 */
export function serveAdvice(unserved: readonly string[]): string {
  const handlers = handlersFor(unserved)
  return handlers === undefined ? 'Mock the client, or run the service on localhost' : `Serve it with an msw handler, ${handlers}, or identity.listen(handler)`
}
