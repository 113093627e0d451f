import http from 'node:http'
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import https from 'node:https'
import type { Duplex } from 'node:stream'
import { sendText } from './http.js'

/** Hop-by-hop headers a proxy does not forward (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization'])

function forwardHeaders(req: IncomingMessage, extra: Record<string, string>): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {}
  for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value
  const remote = req.socket.remoteAddress ?? ''
  headers['x-forwarded-for'] = req.headers['x-forwarded-for'] ? `${String(req.headers['x-forwarded-for'])}, ${remote}` : remote
  headers['x-forwarded-host'] ??= req.headers.host
  headers['x-forwarded-proto'] ??= 'http'
  for (const [name, value] of Object.entries(extra)) headers[name.toLowerCase()] = value
  return headers
}

/** Where everything the front door does not answer itself goes: the user's dev server. @internal */
export class Upstream {
  readonly target: URL
  /** Told once when the dev server stops answering, and again after it answered since. */
  readonly #onUnreachable: ((message: string) => void) | undefined
  #down = false

  constructor(target: string, onUnreachable?: (message: string) => void) {
    this.target = new URL(target)
    this.#onUnreachable = onUnreachable
  }

  /**
   * Forwards a request (streaming its body) to `path` on the dev server and streams the answer
   * back, with `status` instead of the dev server's for a rewrite with a status (401, 404, …).
   * The browser's `Host` is kept, so the dev server sees the address the browser uses.
   */
  forward(req: IncomingMessage, res: ServerResponse, path: string, options: { status?: number; headers?: Record<string, string>; url?: URL } = {}): void {
    const target = options.url ?? this.target
    const client = target.protocol === 'https:' ? https : http
    const upstream = client.request(
      {
        protocol: target.protocol,
        hostname: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port || undefined,
        method: req.method,
        path: options.url ? `${target.pathname}${target.search}` : path,
        headers: forwardHeaders(req, options.url ? { ...options.headers, host: target.host } : (options.headers ?? {})),
      },
      (answer) => {
        this.#down = false
        const headers: Record<string, string | string[]> = {}
        for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value
        res.writeHead(options.status ?? answer.statusCode ?? 502, headers)
        answer.pipe(res)
      },
    )
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (res.headersSent) return void res.destroy()
      const message = `could not reach ${target.origin} (${error.code ?? error.message}). Is your dev server running there? Start it first, or pass --proxy with its URL.`
      // The terminal hears it too (a 502 line alone does not say why), once per outage.
      if (!this.#down && options.url === undefined) {
        this.#down = true
        this.#onUnreachable?.(`the dev server behind --proxy: ${message}`)
      }
      sendText(res, 502, `netlify-identity-harness serve ${message}\n`)
    })
    req.pipe(upstream)
  }

  /** Forwards a websocket upgrade (dev servers' hot reload) and pipes both ways. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const target = this.target
    const client = target.protocol === 'https:' ? https : http
    const headers = forwardHeaders(req, {})
    headers.connection = 'Upgrade'
    headers.upgrade = req.headers.upgrade
    const upstream = client.request({
      protocol: target.protocol,
      hostname: target.hostname.replace(/^\[|\]$/g, ''),
      port: target.port || undefined,
      method: req.method,
      path: req.url,
      headers,
    })
    socket.on('error', () => upstream.destroy())
    upstream.on('upgrade', (answer, upSocket, upHead) => {
      const lines = [`HTTP/1.1 ${answer.statusCode ?? 101} ${answer.statusMessage ?? 'Switching Protocols'}`]
      for (let i = 0; i + 1 < answer.rawHeaders.length; i += 2) lines.push(`${answer.rawHeaders[i]}: ${answer.rawHeaders[i + 1]}`)
      socket.write(`${lines.join('\r\n')}\r\n\r\n`)
      if (upHead.length) socket.write(upHead)
      if (head.length) upSocket.write(head)
      upSocket.on('error', () => socket.destroy())
      socket.on('close', () => upSocket.destroy())
      upSocket.on('close', () => socket.destroy())
      upSocket.pipe(socket)
      socket.pipe(upSocket)
    })
    upstream.on('response', (answer) => {
      // The dev server refused the upgrade: pass its answer on and close.
      const lines = [`HTTP/1.1 ${answer.statusCode} ${answer.statusMessage ?? ''}`]
      for (let i = 0; i + 1 < answer.rawHeaders.length; i += 2) lines.push(`${answer.rawHeaders[i]}: ${answer.rawHeaders[i + 1]}`)
      socket.write(`${lines.join('\r\n')}\r\n\r\n`)
      answer.pipe(socket)
    })
    upstream.on('error', () => {
      socket.end('HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
    })
    upstream.end()
  }
}
