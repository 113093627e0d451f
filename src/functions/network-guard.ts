import http from 'node:http'
import { createRequire } from 'node:module'
import net from 'node:net'
import { currentCall } from './call-scope.js'

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
 * `http2.connect` all go through. msw 3 intercepts at the socket level itself (on Node ≥ 22) and
 * errors unhandled frames (`onUnhandledFrame: 'error'`), so under msw 3 the guard only refuses
 * what msw passed through as unhandled.
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
    `[netlify-identity-harness] ${what} tests never reach the network (connection to ${host}:${port} refused; loopback stays allowed). ${url ? 'Serve it with an msw handler (identityServer.use(http.post(url, …)) or identity.listen(handler))' : 'Mock the client, or run the service on localhost'}.`,
  )
  return Object.assign(error, { code: 'ECONNREFUSED', errno: -111, syscall: 'connect', address: host, host, port })
}

function patch(): void {
  if (patched) return
  patched = true
  const connect = net.Socket.prototype.connect as (this: net.Socket, ...args: unknown[]) => net.Socket
  const underMsw3 = mswMajor() >= 3
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]): net.Socket {
    const target = guards > 0 || unhandled.size > 0 ? targetOf(args) : undefined
    if (target !== undefined) {
      const key = `${target.host.replace(/^\[|\]$/g, '')}:${target.port}`
      const pending = unhandled.get(key)
      const url = pending?.shift()
      if (pending && pending.length === 0) unhandled.delete(key)
      if (url !== undefined || (guards > 0 && !underMsw3 && !isLoopback(target.host))) {
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
