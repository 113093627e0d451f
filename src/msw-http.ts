import type { http as HttpNamespace } from 'msw'

/**
 * msw's `http` handler factory, loaded from the narrowest entry point the installed msw offers:
 * `msw/http` (msw 3), `msw/core/http` (msw 2), else the root. The root entry also loads msw's
 * GraphQL support, which costs about 40 ms of import time that a GoTrue emulator never uses.
 * @internal
 */
export const http: typeof HttpNamespace = await loadHttp()

async function loadHttp(): Promise<typeof HttpNamespace> {
  for (const specifier of ['msw/http', 'msw/core/http']) {
    try {
      const mod = (await import(specifier)) as { http?: typeof HttpNamespace }
      if (mod.http) return mod.http
    } catch {
      // not exported by this msw major: try the next entry point
    }
  }
  return (await import('msw')).http
}
