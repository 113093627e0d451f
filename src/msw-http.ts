import { createRequire } from 'node:module'
import type { http as MswHttp } from 'msw'
import type { setupServer as MswSetupServer } from 'msw/node'
import { HarnessError } from './errors.js'

type Http = typeof MswHttp
type SetupServer = typeof MswSetupServer

let http: Http | undefined
let setupServer: SetupServer | undefined

/**
 * Hands msw's `http` and `setupServer` to the core, from a module that imports msw statically
 * (the Jest entry does: under Jest's ESM mode this is the copy of msw the test file itself
 * gets from Jest's module registry, so there is never a second one). The first provider wins.
 * @internal
 */
export function provideMsw(root: { http: Http }, node: { setupServer: SetupServer }): void {
  http ??= root.http
  setupServer ??= node.setupServer
}

/**
 * Loads msw when an instance first serves (its `handlers`, `listen()`, a fixture, a wired flow),
 * never at import: a test that only triggers hooks never pays for it (issue 12). Loaded with
 * `require()`, synchronously and without a top-level `await` anywhere (require(esm) of every entry
 * keeps working): msw's exports carry a `module-sync` condition, so on Node 20.19+ `require('msw')`
 * is msw's ESM build, the very module instance `import 'msw'` gives the test (one copy, one
 * interceptor); msw 2 and 3 both export `http` from the root and `setupServer` from `msw/node`.
 */
function load<T>(specifier: string, pick: (module: Record<string, unknown>) => T | undefined): T {
  let module: Record<string, unknown>
  try {
    module = createRequire(import.meta.url)(specifier) as Record<string, unknown>
  } catch (cause) {
    // Jest's ESM mode has its own module registry, which require() cannot reach: there the
    // runner entry hands msw over (provideMsw), and a test serving without it is told so.
    const hint = process.env.JEST_WORKER_ID !== undefined
      ? "under Jest, msw comes from Jest's own module registry: import 'netlify-identity-harness/jest' in this test file or list it in setupFilesAfterEnv"
      : 'msw is a peer dependency of netlify-identity-harness: npm install -D msw'
    throw new HarnessError('ERR_MISSING_PEER', `could not load ${specifier} (${hint})`, { cause })
  }
  const value = pick(module)
  if (value === undefined) throw new HarnessError('ERR_MISSING_PEER', `${specifier} has no export the harness needs: install a supported msw (^2.12.0 || ^3.0.0)`)
  return value
}

/** msw's `http` handler factory, loaded on first use (see {@link provideMsw}). @internal */
export function mswHttp(): Http {
  // The http-only subpath when there is one (msw 2: `msw/core/http`, msw 3: `msw/http`): the
  // same module the root re-exports, without loading the GraphQL and WebSocket APIs as well.
  if (http) return http
  for (const sub of ['msw/core/http', 'msw/http']) {
    try {
      const found = (createRequire(import.meta.url)(sub) as Record<string, unknown>).http as Http | undefined
      if (found) return (http = found)
    } catch {
      // Not exported by this major: the next one, then the root.
    }
  }
  return (http = load('msw', (m) => m.http as Http | undefined))
}

/** msw/node's `setupServer`, loaded on first use (see {@link provideMsw}). @internal */
export function mswSetupServer(): SetupServer {
  return (setupServer ??= load('msw/node', (m) => m.setupServer as SetupServer | undefined))
}
