import http from 'node:http'
import { createRequire } from 'node:module'
import net from 'node:net'
import { currentCall } from './call-scope.js'
import { serveAdvice } from './handler-hint.js'

/**
 * No network, really (issue 10 §4). msw 2 intercepts `http`/`https`/`fetch` requests, but raw
 * TCP (`net.connect`: Postgres, MySQL, SMTP), TLS and HTTP/2 (`http2.connect`, faunadb's default
 * transport) go around it to DNS and real sockets. While the harness serves (the Vitest fixture's
 * server, Jest's `useIdentity`, `identity.listen()`), every outbound connection to a host that
 * is not loopback fails with an error that names the host and port — and, for a request msw had
 * no handler for, its method and URL. Loopback (`localhost`, `127.0.0.0/8`, `::1`) and Unix
 * sockets stay allowed, so a local database or service still works.
 *
 * The single patch point is `net.Socket.prototype.connect`, which `net.connect`, `tls.connect`
 * (TLSSocket inherits it), `http.Agent`, `https.Agent`, undici (global `fetch`) and
 * `http2.connect` all go through. msw 3 intercepts at the socket level itself (on Node ≥ 22): the
 * harness's `onUnhandledFrame` fails an unhandled HTTP request, and the guard refuses the real
 * socket msw opens for traffic no handler took (raw TCP), see `isMswPassthrough`.
 */

let guards = 0
let patched = false
/** `host:port` → `METHOD URL` of requests msw found no handler for, waiting for their connection. */
const unhandled = new Map<string, string[]>()

const LOOPBACK = /^(?:localhost|.*\.localhost|127(?:\.\d{1,3}){3}|::1|0:0:0:0:0:0:0:1|::ffff:127(?:\.\d{1,3}){3})$/i

/** Whether a host is this machine (connections to it stay allowed). @internal */
export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host.replace(/^\[|\]$/g, ''))
}

let msw3: boolean | undefined

/**
 * Whether the msw in use is 3 or later, asked on the first guarded connection to another host
 * (never at import: resolving msw's package.json through `require` cost ~3 ms of every test file's
 * import, issue 12).
 */
function underMsw3(): boolean {
  msw3 ??= mswMajor() >= 3
  return msw3
}

function mswMajor(): number {
  try {
    const version = (createRequire(import.meta.url)('msw/package.json') as { version?: string }).version ?? '2'
    return Number.parseInt(version, 10) || 2
  } catch {
    return 2
  }
}

/** The host and port a `socket.connect(...)` call targets; `undefined` for a Unix socket or pipe. */
function targetOf(args: unknown[]): { host: string; port: number } | undefined {
  let first = args[0]
  // net.connect() passes its normalised arguments as one array: [options, callback].
  if (Array.isArray(first)) first = first[0]
  if (first !== null && typeof first === 'object') {
    const o = first as { path?: unknown; host?: unknown; port?: unknown }
    if (o.path) return undefined // a Unix socket or pipe, as net decides (`!!options.path`)
    return { host: typeof o.host === 'string' && o.host ? o.host : 'localhost', port: Number(o.port) }
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    return { host: typeof args[1] === 'string' && args[1] ? args[1] : 'localhost', port: Number(first) }
  }
  return undefined
}

function refusal(host: string, port: number, url: string | undefined): Error {
  const what = url ? `${url} has no msw handler, and` : `a connection to ${host}:${port} was refused:`
  const error = new Error(
    `[netlify-identity-harness] ${what} tests never reach the network (connection to ${host}:${port} refused; loopback stays allowed). ${serveAdvice(url ? [url] : [])}.`,
  )
  return Object.assign(error, { code: 'ECONNREFUSED', errno: -111, syscall: 'connect', address: host, host, port })
}

function patch(): void {
  if (patched) return
  patched = true
  const connect = net.Socket.prototype.connect as (this: net.Socket, ...args: unknown[]) => net.Socket
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]): net.Socket {
    const target = guards > 0 || unhandled.size > 0 ? targetOf(args) : undefined
    if (target !== undefined) {
      const key = `${target.host.replace(/^\[|\]$/g, '')}:${target.port}`
      const pending = unhandled.get(key)
      const url = pending?.shift()
      if (pending && pending.length === 0) unhandled.delete(key)
      if (url !== undefined || (guards > 0 && !isLoopback(target.host) && (!underMsw3() || isMswPassthrough()))) {
        const error = refusal(target.host, target.port, url)
        // (An unhandled request was recorded on its call already, by onUnhandledRequest.)
        if (url === undefined) currentCall()?.unservedRequest(`a connection to ${target.host}:${target.port}`)
        process.nextTick(() => this.destroy(error))
        return this
      }
    }
    return connect.apply(this, args)
  } as typeof net.Socket.prototype.connect
  patchMockSocketConnect()
}

/**
 * Under msw 3 (Node ≥ 22) every socket's first `connect` is msw's: it answers the socket itself,
 * and only when no handler takes the traffic (raw TCP such as Postgres, or a frame let through)
 * does `@mswjs/interceptors` open a real socket from its `createRealSocket`, which the guard must
 * refuse. The stack is the only place that says which of the two a `connect` is; it is read only
 * for non-loopback connections while the harness serves.
 */
function isMswPassthrough(): boolean {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 40
  const stack = new Error().stack ?? ''
  Error.stackTraceLimit = limit
  return /\bcreateRealSocket\b|TcpSocketController\.createConnection/.test(stack)
}

/**
 * The Stripe SDK (stripe-node ≤ 22, `NodeHttpClient.makeRequest`) writes its request body only
 * after the socket's `connect`/`secureConnect` when `socket.connecting` is true. msw 2's mock
 * socket (`@mswjs/interceptors` `MockHttpSocket`) reports `connecting` until msw has a response,
 * and msw needs the whole request before it looks for one: neither side moves, so the SDK never
 * settles, with or without a handler (mswjs/msw#2259, #941, #2507; stripe/stripe-node#2211).
 * A mock socket has nothing to connect to, so it is marked connected as soon as a request gets
 * it; msw still emits `connect` when it answers. msw 3 intercepts sockets differently and does
 * not have the problem.
 */
function patchMockSocketConnect(): void {
  const proto = http.ClientRequest.prototype as unknown as { onSocket: (socket: net.Socket, err?: unknown) => void }
  const onSocket = proto.onSocket
  proto.onSocket = function (this: http.ClientRequest, socket: net.Socket, err?: unknown) {
    if (socket?.constructor?.name === 'MockHttpSocket' && socket.connecting) {
      ;(socket as { connecting: boolean }).connecting = false
    }
    return onSocket.call(this, socket, err)
  }
}

/**
 * Turns the guard on until the returned function is called (reference-counted: the fixture's
 * file server and `identity.listen()` may overlap).
 * @internal
 */
export function guardNetwork(): () => void {
  patch()
  guards++
  let released = false
  return () => {
    if (released) return
    released = true
    guards--
  }
}

/**
 * msw 2's `onUnhandledRequest` for the harness's servers: msw prints its usual error, the
 * request is recorded on the call that made it (`unserved-request`), and its connection is then
 * refused by the guard with an error that names the method and URL — the error the function
 * sees (fetch's `cause`, node-fetch's and axios' message), where msw's own error names neither.
 * @internal
 */
export function onUnhandledRequest(request: Request, print: { error(): void }): void {
  patch()
  print.error()
  const url = new URL(request.url)
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80
  const key = `${url.hostname.replace(/^\[|\]$/g, '')}:${port}`
  const what = `${request.method} ${request.url}`
  const list = unhandled.get(key)
  if (list) list.push(what)
  else unhandled.set(key, [what])
  currentCall()?.unservedRequest(what)
}

/** The part of an msw 3 unhandled frame the harness reads (an HTTP frame carries its request). */
interface UnhandledFrameLike {
  frame: { data?: unknown }
  defaults: { error(): unknown }
}

/**
 * msw 3's `onUnhandledFrame` for the harness's servers (msw 3 renamed the option and calls it
 * with `{ frame, defaults }`, mswjs/msw src/core/experimental/on-unhandled-frame.ts): msw prints
 * its usual error, an HTTP request is recorded on the call that made it (`unserved-request`), and
 * the frame fails with the same error the guard gives under msw 2, naming the method and URL
 * (msw 3's own "Cannot bypass a request when using the error strategy" names neither). Any other
 * frame (a WebSocket) fails as msw's "error" strategy fails it.
 * @internal
 */
export async function onUnhandledFrame({ frame, defaults }: UnhandledFrameLike): Promise<void> {
  await defaults.error()
  const data = frame.data
  const request = data !== null && typeof data === 'object' ? (data as { request?: unknown }).request : undefined
  if (!(request instanceof Request)) throw new Error('[netlify-identity-harness] an unhandled network frame (no msw handler): tests never reach the network')
  const url = new URL(request.url)
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80
  const what = `${request.method} ${request.url}`
  currentCall()?.unservedRequest(what)
  throw refusal(url.hostname.replace(/^\[|\]$/g, ''), port, what)
}

// Patched as soon as the harness is imported, before any msw server listens: msw 3 keeps the
// `connect` it finds when it patches and opens its real (passthrough) sockets with it, so the guard
// must already be underneath. The patch does nothing while no harness server runs.
patch()
