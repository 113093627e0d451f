import { setupServer } from 'msw/node'
import type { SetupServer } from 'msw/node'
import type { Identity } from './identity.js'
import { guardNetwork } from './functions/network-guard.js'
import { STRICT_LISTEN_OPTIONS } from './msw-options.js'

/**
 * Starts an msw server with no handlers and strict unhandled-request handling.
 * @internal
 */
export async function startIdentityServer(): Promise<SetupServer> {
  const server = setupServer()
  server.listen(STRICT_LISTEN_OPTIONS)
  // No connection leaves the machine while the server serves (functions/network-guard.ts).
  const release = guardNetwork()
  const close = server.close.bind(server)
  server.close = () => {
    release()
    close()
  }
  return server
}

const served = new WeakMap<SetupServer, Set<Identity>>()

/**
 * Serves an instance's handlers on a shared server (several instances may be active at once, as
 * with `test.concurrent`). Returns the cleanup: it stops serving the instance, drops handlers
 * added with `server.use` during the test, re-serves the instances still active, and resets the
 * instance's store and request log.
 * @internal
 */
export function serveIdentity(server: SetupServer, identity: Identity): () => void {
  let active = served.get(server)
  if (!active) served.set(server, (active = new Set()))
  active.add(identity)
  server.use(...identity.handlers)
  return () => {
    active.delete(identity)
    server.resetHandlers()
    for (const other of active) server.use(...other.handlers)
    identity.reset()
  }
}
