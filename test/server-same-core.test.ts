/**
 * One GoTrue core, two transports (design.md, "Fronts over one core"): the same script of
 * requests, run once through msw (`identity.listen()`) and once over real HTTP
 * (`serveIdentity()`), by two instances with the same seed, clock, site URL and functions, gets
 * the same answers — statuses, bodies and headers — and the same request log.
 */
import { join } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { createIdentity } from '../src/index.js'
import { serveIdentity } from '../src/server.js'
import { copySite } from './server-helpers.js'

const site = copySite()
afterAll(() => site.remove())
const now = () => new Date('2026-11-30T12:00:00Z')

/** Status, body and the headers GoTrue writes (not the ones Node's HTTP server adds). */
async function transcript(base: string, admin: string): Promise<unknown[]> {
  const out: unknown[] = []
  const call = async (method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}) => {
    const res = await fetch(`${base}/.netlify/identity${path}`, { method, ...init })
    const headers = Object.fromEntries([...res.headers].filter(([k]) => !['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(k)))
    const body = await res.text()
    out.push({ method, path, status: res.status, headers, cookies: res.headers.getSetCookie(), body })
    return body
  }
  const json = { 'content-type': 'application/json', origin: 'http://app.test' }
  await call('GET', '/settings', { headers: { origin: 'http://app.test' } })
  await call('OPTIONS', '/signup', { headers: { origin: 'http://app.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } })
  await call('POST', '/signup', { body: JSON.stringify({ email: 'same@example.test', password: 'pw-123456', data: { full_name: 'Same' } }), headers: json })
  await call('POST', '/signup', { body: JSON.stringify({ email: 'no@blocked.test', password: 'pw-123456' }), headers: json })
  await call('POST', '/signup', { body: '{not json', headers: json })
  const list = await call('GET', '/admin/users?per_page=1', { headers: { authorization: `Bearer ${admin}` } })
  const { users } = JSON.parse(list) as { users: Array<{ id: string }> }
  await call('PUT', `/admin/users/${users[0]!.id}`, { body: JSON.stringify({ confirm: true, app_metadata: { roles: ['x'] } }), headers: { authorization: `Bearer ${admin}` } })
  await call('POST', '/token', { body: 'grant_type=password&username=same%40example.test&password=pw-123456', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-use-cookie': 'session' } })
  await call('POST', '/token', { body: 'grant_type=password&username=same%40example.test&password=wrong', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
  await call('GET', '/user')
  await call('DELETE', '/nowhere')
  return out
}

test('msw and HTTP answer a script of GoTrue requests identically', async () => {
  const server = await serveIdentity({ site: site.dir, port: 0, seed: 9, now, watch: false })
  try {
    const viaMsw = createIdentity({ seed: 9, now, siteUrl: server.url, functions: join(site.dir, 'netlify/functions') })
    viaMsw.listen()
    let mswTranscript: unknown[]
    try {
      mswTranscript = await transcript(server.url, await viaMsw.adminToken())
    } finally {
      viaMsw.close()
    }
    const httpTranscript = await transcript(server.url, await server.identity.adminToken())
    expect(mswTranscript.length).toBe(11)
    expect(httpTranscript).toEqual(mswTranscript)
    // The same log, but for the headers a real connection adds on the wire (host, user-agent, …).
    const withoutHeaders = (list: typeof viaMsw.requests) => list.map(({ headers: _h, ...r }) => r)
    expect(withoutHeaders(server.identity.requests)).toEqual(withoutHeaders(viaMsw.requests))
    server.identity.requests.forEach((r, i) => expect(r.headers).toMatchObject(viaMsw.requests[i]!.headers))
    expect(server.identity.users.all()).toEqual(viaMsw.users.all())
  } finally {
    await server.close()
  }
})
