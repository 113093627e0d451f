import type { Identity } from '../src/index.js'

/** A parsed answer from the emulator. */
export interface Answer {
  status: number
  headers: Headers
  body: any
  text: string
}

/** Calls the emulator through msw with global fetch, the way a function or a browser does. */
export async function call(
  identity: Identity,
  method: string,
  path: string,
  init: { token?: string; json?: unknown; body?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers }
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`
  const body = init.json !== undefined ? JSON.stringify(init.json) : init.body
  const res = await fetch(`${identity.url}${path}`, { method, headers, body })
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = text ? JSON.parse(text) : undefined
  } catch {
    // plain text (the 404 page)
  }
  return { status: res.status, headers: res.headers, body: parsed, text }
}

/** A form-encoded POST /token, as gotrue-js sends it (plus any extra headers, e.g. `x-use-cookie`). */
export function tokenRequest(identity: Identity, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  return call(identity, 'POST', '/token', {
    body: new URLSearchParams(form).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  })
}

/** Decodes a JWT's claims (no verification). */
export function claimsOf(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'))
}
