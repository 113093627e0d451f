import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FunctionResponse } from '../types.js'

/**
 * The largest request body the front door buffers for GoTrue and functions: Netlify's 6 MB
 * function payload limit (functions-runtime.md §3.5), which is also what `netlify dev` enforces.
 */
export const BODY_LIMIT = 6 * 1024 * 1024

/** A request body too large to buffer. @internal */
export class BodyTooLarge extends Error {}

/** Reads a request body (empty for GET/HEAD); throws {@link BodyTooLarge} past {@link BODY_LIMIT}. @internal */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  if (req.method === 'GET' || req.method === 'HEAD') return Buffer.alloc(0)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > BODY_LIMIT) throw new BodyTooLarge(`request body over ${BODY_LIMIT} bytes`)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

/** The request's headers as fetch `Headers`, every raw line kept. @internal */
export function fetchHeaders(req: IncomingMessage): Headers {
  const headers = new Headers()
  const raw = req.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!
    if (name.startsWith(':')) continue
    try {
      headers.append(name, raw[i + 1]!)
    } catch {
      // a header fetch refuses (invalid characters) is dropped, as a browser would never send it
    }
  }
  return headers
}

/** Writes a fetch `Response` to a Node response (every `Set-Cookie` kept). @internal */
export async function sendResponse(res: ServerResponse, response: Response, head = false): Promise<void> {
  res.statusCode = response.status
  const cookies = response.headers.getSetCookie()
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value)
  })
  if (cookies.length) res.setHeader('set-cookie', cookies)
  const body = head || response.body === null ? undefined : Buffer.from(await response.arrayBuffer())
  res.end(body)
}

/** Writes a function's response as Netlify passes it on (functions-runtime.md §3.9 step 3–4). @internal */
export function sendFunctionResponse(res: ServerResponse, response: FunctionResponse, head = false): void {
  res.statusCode = response.statusCode
  for (const [name, value] of Object.entries(response.headers)) {
    if (response.multiValueHeaders[name] === undefined) res.setHeader(name, value)
  }
  for (const [name, values] of Object.entries(response.multiValueHeaders)) res.setHeader(name, values.length === 1 ? values[0]! : values)
  const body = response.body === '' ? undefined : Buffer.from(response.body, response.isBase64Encoded ? 'base64' : 'utf8')
  res.end(head ? undefined : body)
}

/** A plain-text answer. @internal */
export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers })
  res.end(text)
}

/** A JSON answer. @internal */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
  res.end(`${text}\n`)
}

/** Cookies from a `Cookie` header: first value of each name wins, values URI-decoded when they can be. @internal */
export function parseCookieHeader(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>()
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    const name = part.slice(0, eq).trim()
    if (!name || out.has(name)) continue
    let value = part.slice(eq + 1).trim()
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1)
    try {
      value = decodeURIComponent(value)
    } catch {
      // kept as sent
    }
    out.set(name, value)
  }
  return out
}
