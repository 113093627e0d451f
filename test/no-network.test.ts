/**
 * Issue 10 §4 and issue 11 item 9: while the harness serves, nothing leaves the machine — raw
 * TCP, TLS and HTTP/2 included — and SDKs that use Node's http module settle: the Stripe SDK up
 * to v22 waited for the mock socket's `secureConnect` that msw 2 only emits after it has the
 * request body (mswjs/msw#2259; stripe-node `NodeHttpClient.makeRequest`). The functions here
 * are small functions of the patterns in real-world-patterns.md ("Stripe customer on signup",
 * "mirror the new user into … Supabase", axios, node-fetch v2/v3), not copies of third-party code.
 */
import dns from 'node:dns'
import http2 from 'node:http2'
import { createRequire } from 'node:module'
import net from 'node:net'
import { createClient } from '@supabase/supabase-js'
import axios from 'axios'
import { http, HttpResponse } from 'msw'
import nodeFetch2 from 'node-fetch'
import nodeFetch3 from 'node-fetch-3'
import Stripe from 'stripe'
import { describe, vi } from 'vitest'
import { expect, test } from '../src/vitest.js'
import type { GoTrueUser } from '../src/index.js'

/** Every message in an error's cause chain (and Stripe's `detail`), as a function would log them. */
function messages(error: unknown): string {
  const out: string[] = []
  for (let e = error as { message?: string; cause?: unknown; detail?: unknown } | undefined, i = 0; e && i < 5; i++) {
    out.push(String(e.message))
    e = (e.cause ?? e.detail) as typeof e
  }
  return out.join(' <- ')
}

const userOf = (event: { body: string | null }) => (JSON.parse(event.body!) as { user: GoTrueUser }).user

/** identity-signup: create a Stripe customer, store its id in app_metadata. */
const stripeSignup = async (event: { body: string | null }) => {
  const stripe = new Stripe('sk_test_harness')
  const user = userOf(event)
  const customer = await stripe.customers.create({ email: user.email, metadata: { netlify_id: user.id } })
  return { statusCode: 200, body: JSON.stringify({ app_metadata: { ...user.app_metadata, stripe_customer: customer.id } }) }
}

/** identity-signup: mirror the user into a Supabase table. */
const supabaseSignup = async (event: { body: string | null }) => {
  // supabase-js refuses to start on Node 20 without a WebSocket for its (lazy) realtime client;
  // Netlify runs Node 22, which has one. The table insert below never touches it.
  const supabase = createClient('https://project.supabase.co', 'anon-key', { realtime: { transport: class NoWebSocket {} as never } })
  const user = userOf(event)
  const { error } = await supabase.from('profiles').insert({ id: user.id, email: user.email })
  if (error) throw new Error(`supabase: ${error.message} ${error.details ?? ''}`)
  return { statusCode: 204 }
}

const crmSignup = (client: (url: string, body: unknown) => Promise<unknown>) => async (event: { body: string | null }) => {
  const user = userOf(event)
  await client('https://crm.example.test/contacts', { email: user.email })
  return { statusCode: 204 }
}
const clients: Record<string, (url: string, body: unknown) => Promise<unknown>> = {
  axios: (url, body) => axios.post(url, body),
  'node-fetch v2': async (url, body) => { const r = await nodeFetch2(url, { method: 'POST', body: JSON.stringify(body) }); if (!r.ok) throw new Error(String(r.status)) },
  'node-fetch v3': async (url, body) => { const r = await nodeFetch3(url, { method: 'POST', body: JSON.stringify(body) }); if (!r.ok) throw new Error(String(r.status)) },
  'global fetch': async (url, body) => { const r = await fetch(url, { method: 'POST', body: JSON.stringify(body) }); if (!r.ok) throw new Error(String(r.status)) },
}

describe('the Stripe SDK (v22, Node http client) under the fixture', () => {
  test('served with an msw handler: the function reaches its happy path', async ({ identity, identityServer }) => {
    let sent = ''
    identityServer.use(http.post('https://api.stripe.com/v1/customers', async ({ request }) => {
      sent = await request.text()
      return HttpResponse.json({ id: 'cus_harness', object: 'customer' })
    }))
    const user = identity.fakeUser()
    const outcome = await identity.trigger(stripeSignup, 'signup', user)
    expect(outcome).toMatchObject({ allowed: true, attempts: 1 })
    expect(outcome.user.app_metadata.stripe_customer).toBe('cus_harness')
    expect(new URLSearchParams(sent).get('email')).toBe(user.email)
  })

  test('not served: it fails fast with an error naming the URL, and the outcome says which request', async ({ identity }) => {
    let seen = ''
    const outcome = await identity.trigger(async (event: { body: string | null }) => {
      try {
        return await stripeSignup(event)
      } catch (error) {
        seen = messages(error)
        throw error
      }
    }, 'signup', identity.fakeUser(), { attempts: 1 })
    expect(outcome).toMatchObject({ allowed: false, status: 422 })
    expect(seen).toContain('POST https://api.stripe.com/v1/customers has no msw handler')
    expect(outcome.diagnostics.map((d) => d.code)).not.toContain('timeout')
  })
})

describe('@supabase/supabase-js (fetch) under the fixture', () => {
  test('served: happy path; not served: the error names the URL', async ({ identity, identityServer }) => {
    identityServer.use(http.post('https://project.supabase.co/rest/v1/profiles', () => new HttpResponse(null, { status: 201 })))
    const served = await identity.trigger(supabaseSignup, 'signup')
    expect(served.diagnostics).toEqual([])
    expect(served).toMatchObject({ allowed: true })
    identityServer.resetHandlers(...identity.handlers)
    const outcome = await identity.trigger(supabaseSignup, 'signup', identity.fakeUser(), { attempts: 1 })
    expect(outcome.allowed).toBe(false)
    expect(outcome.diagnostics.find((d) => d.code === 'threw')?.message).toContain('https://project.supabase.co/rest/v1/profiles')
  })
})

describe.each(Object.entries(clients))('%s under the fixture', (_name, client) => {
  test('served: happy path', async ({ identity, identityServer }) => {
    identityServer.use(http.post('https://crm.example.test/contacts', () => HttpResponse.json({ ok: true })))
    expect(await identity.trigger(crmSignup(client), 'signup')).toMatchObject({ allowed: true })
  })

  test('not served: the error the function sees names the URL', async ({ identity }) => {
    let seen = ''
    await identity.trigger(async (e: { body: string | null }) => {
      try {
        return await crmSignup(client)(e)
      } catch (error) {
        seen = messages(error)
        throw error
      }
    }, 'signup', identity.fakeUser(), { attempts: 1 })
    expect(seen).toContain('POST https://crm.example.test/contacts has no msw handler')
  })

  test('not served and the function fails: unserved-request names the URL its own error may not', async ({ identity }) => {
    const outcome = await identity.trigger(crmSignup(client), 'signup', identity.fakeUser(), { attempts: 1 })
    expect(outcome).toMatchObject({ allowed: false, status: 422 })
    const d = outcome.diagnostics.find((x) => x.code === 'unserved-request')
    expect(d?.message).toMatch(/^identity-signup answered 500 after POST https:\/\/crm\.example\.test\/contacts failed because nothing serves it/)
    expect(d?.message).toContain("Serve it with an msw handler, identityServer.use(http.post('https://crm.example.test/contacts', …)), or identity.listen(handler)")
  })

  test('a swallowed failure followed by 2xx is unserved-request', async ({ identity }) => {
    const outcome = await identity.trigger(async (e: { body: string | null }) => {
      await crmSignup(client)(e).catch(() => undefined)
      return { statusCode: 204 }
    }, 'signup')
    expect(outcome.allowed).toBe(true)
    const d = outcome.diagnostics.find((x) => x.code === 'unserved-request')
    expect(d?.message).toContain('POST https://crm.example.test/contacts')
  })
})

describe('a failure the function reports in its own words', () => {
  test('undici\'s "fetch failed" gets its cause in the threw diagnostic, which names the URL', async ({ identity }) => {
    const outcome = await identity.invoke(async () => {
      await fetch('https://crm.example.test/contacts', { method: 'POST' })
      return { statusCode: 204 }
    })
    // Production's answer is unchanged: a v1 function that throws gets 500 with the error as body.
    expect(outcome.statusCode).toBe(500)
    expect(outcome.body).toMatch(/^TypeError: fetch failed/)
    const threw = outcome.diagnostics.find((d) => d.code === 'threw')?.message
    expect(threw).toContain('TypeError: fetch failed at ')
    expect(threw).toContain('(cause: Error: POST https://crm.example.test/contacts has no msw handler')
  })

  test('a 502 the function chose after the failure gets unserved-request naming the URL', async ({ identity }) => {
    const outcome = await identity.invoke(async () => {
      const res = await fetch('https://crm.example.test/contacts').catch(() => undefined)
      return { statusCode: res ? 204 : 502, body: 'upstream down' }
    })
    expect(outcome.statusCode).toBe(502)
    expect(outcome.diagnostics).toEqual([
      { code: 'unserved-request', message: expect.stringMatching(/^function answered 502 after GET https:\/\/crm\.example\.test\/contacts failed because nothing serves it in the test: this is the outcome while that service is down/) },
    ])
    // The handler it names is the request's own method (it said http.post for every request before).
    expect(outcome.diagnostics[0]!.message).toContain("identityServer.use(http.get('https://crm.example.test/contacts', …))")
  })

  test('several unserved requests: the first one\'s handler, and that the others need theirs; the query is not part of it', async ({ identity }) => {
    const outcome = await identity.invoke(async () => {
      await fetch('https://crm.example.test/contacts?page=2', { method: 'DELETE' }).catch(() => undefined)
      await fetch('https://crm.example.test/audit', { method: 'PUT' }).catch(() => undefined)
      await fetch('https://crm.example.test/audit', { method: 'PROPFIND' }).catch(() => undefined)
      return { statusCode: 200 }
    })
    const d = outcome.diagnostics.find((x) => x.code === 'unserved-request')!
    expect(d.message).toContain('although DELETE https://crm.example.test/contacts?page=2, PUT https://crm.example.test/audit, PROPFIND https://crm.example.test/audit failed')
    expect(d.message).toContain("identityServer.use(http.delete('https://crm.example.test/contacts', …)) (and one for each of the 2 other requests)")
  })

  test('handlerHint: a lower-case method is msw\'s function of that name, a quote in the path is escaped, a raw connection has none', async () => {
    const { handlerHint } = await import('../src/functions/handler-hint.js')
    expect(handlerHint('patch https://crm.example.test/a')).toBe("identityServer.use(http.patch('https://crm.example.test/a', …))")
    expect(handlerHint("GET https://crm.example.test/it's?x=1")).toBe("identityServer.use(http.get('https://crm.example.test/it\\'s', …))")
    expect(handlerHint('GET https://user:pw@[::1]:8443/p')).toBe("identityServer.use(http.get('https://[::1]:8443/p', …))")
    expect(handlerHint('a connection to db.example.test:5432')).toBeUndefined()
  })

  test('a served request that answers 503 is the function\'s business: no unserved-request', async ({ identity, identityServer }) => {
    identityServer.use(http.get('https://crm.example.test/contacts', () => new HttpResponse(null, { status: 503 })))
    const outcome = await identity.invoke(async () => {
      const res = await fetch('https://crm.example.test/contacts')
      return { statusCode: res.ok ? 204 : 502 }
    })
    expect(outcome.statusCode).toBe(502)
    expect(outcome.diagnostics).toEqual([])
  })

  test('a cause that is not an error, or whose getter throws, adds nothing and does not throw', async ({ identity }) => {
    const plain = await identity.invoke(() => { throw Object.assign(new Error('boom'), { cause: 'a string' }) })
    expect(plain.diagnostics.find((d) => d.code === 'threw')?.message).not.toContain('cause:')
    const hostile = await identity.invoke(() => {
      const e = new Error('boom')
      Object.defineProperty(e, 'cause', { get() { throw new Error('getter') } })
      throw e
    })
    expect(hostile.statusCode).toBe(500)
    expect(hostile.diagnostics.find((d) => d.code === 'threw')?.message).toMatch(/^function (failed|threw).*Error: boom/)
  })
})

describe('raw sockets never leave the machine while the harness serves', () => {
  // A client connects and then speaks (a database's startup message). Under msw 3 (Node ≥ 22) msw
  // answers every socket's connect itself and opens the real socket only when the first bytes are
  // not HTTP, so the refusal comes then; under msw 2 it comes at connect.
  const connect = (make: () => { on(e: string, f: (x?: unknown) => void): unknown; destroy(): void; write?: (b: string) => unknown }) => new Promise<string>((resolve) => {
    const s = make()
    s.on('error', (e) => resolve(String((e as Error).message)))
    s.on('connect', () => {
      if (typeof s.write !== 'function') {
        s.destroy()
        resolve('connected')
        return
      }
      s.write('\u0000\u0000\u0000\u0008\u0004\u00d2\u0016\u002f')
      setTimeout(() => { s.destroy(); resolve('connected') }, 300)
    })
  })

  test('net.connect to a database host and http2.connect (faunadb) fail with an error naming host and port', async ({ identity }) => {
    void identity
    expect(await connect(() => net.connect(5432, 'db.example.test'))).toContain('db.example.test:5432 refused')
    // faunadb's transport: a session, then a request on it (under msw 3 the refusal comes when
    // msw lets the HTTP/2 bytes through to a real socket, which the guard refuses).
    const lookups = vi.spyOn(dns, 'lookup')
    const h2 = await new Promise<string>((resolve) => {
      const session = http2.connect('https://db.fauna.com')
      session.on('error', (e) => resolve(String(e.message)))
      session.on('connect', () => {
        const stream = session.request({ ':path': '/', ':method': 'POST' })
        stream.on('error', (e) => resolve(String(e.message)))
        stream.on('response', () => resolve('answered'))
        stream.end('{}')
        setTimeout(() => { session.destroy(); resolve('held') }, 500)
      })
    })
    const mswMajor = Number.parseInt((createRequire(import.meta.url)('msw/package.json') as { version: string }).version, 10)
    if (mswMajor >= 3) {
      // msw 3 takes the socket itself and holds HTTP/2 bytes it cannot parse: never answered, and
      // nothing reached DNS or a real socket.
      expect(h2).toMatch(/^held$|db\.fauna\.com:443 refused/)
    } else {
      expect(h2).toContain('db.fauna.com:443 refused')
    }
    expect(lookups.mock.calls.map((c) => c[0])).not.toContain('db.fauna.com')
    lookups.mockRestore()
  })

  test('loopback stays allowed (a local database)', async ({ identity }) => {
    void identity
    const server = net.createServer((s) => s.end())
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const { port } = server.address() as net.AddressInfo
    try {
      expect(await connect(() => net.connect(port, '127.0.0.1'))).toBe('connected')
    } finally {
      server.close()
    }
  })

  test('a function whose database connection was refused and swallowed gets unserved-request', async ({ identity }) => {
    const outcome = await identity.trigger(async () => {
      await connect(() => net.connect(5432, 'db.example.test'))
      return { statusCode: 204 }
    }, 'signup')
    const message = outcome.diagnostics.find((d) => d.code === 'unserved-request')?.message
    expect(message).toContain('db.example.test:5432')
    // No msw handler serves a raw TCP connection: the advice is not an http.* handler.
    expect(message).toContain('Mock the client, or run the service on localhost')
    expect(message).not.toContain('http.')
  })
})
