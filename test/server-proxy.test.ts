/**
 * `serveIdentity({ proxy })` in front of a dev server: Identity and functions answered here, role
 * gates decided here (with production's rules), everything else — other redirects included —
 * passed to the dev server as is, websockets (hot reload) too.
 */
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { IdentityServer, ServeEvent } from '../src/server.js'
import { serveIdentity } from '../src/server.js'
import { copySite, serve, until } from './server-helpers.js'

let upstream: Server
let upstreamUrl: string
let site: ReturnType<typeof copySite>
let server: IdentityServer & { events: ServeEvent[] }

beforeAll(async () => {
  upstream = createServer((req, res) => {
    if (req.url === '/login.html') {
      res.writeHead(200, { 'content-type': 'text/html' })
      return void res.end('<h1>dev server login page</h1>')
    }
    if (req.url === '/teapot') {
      res.writeHead(418, { 'x-dev': 'yes' })
      return void res.end('short and stout')
    }
    let body = ''
    req.on('data', (c: Buffer) => (body += c))
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1; Path=/', 'b=2; Path=/'] })
      res.end(JSON.stringify({ url: req.url, method: req.method, host: req.headers.host, forwardedFor: req.headers['x-forwarded-for'], body }))
    })
  })
  upstream.on('upgrade', (req, socket) => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nx-path: ' + req.url + '\r\n\r\n')
    socket.on('data', (d: Buffer) => socket.write(d.toString().toUpperCase()))
    socket.on('end', () => socket.end())
  })
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()))
  const address = upstream.address()
  upstreamUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  site = copySite()
  server = await serve({ site: site.dir, proxy: upstreamUrl })
})
afterAll(async () => {
  await server.close()
  upstream.closeAllConnections()
  await new Promise<void>((r) => upstream.close(() => r()))
  site.remove()
})

describe('--proxy', () => {
  test('pages, methods, bodies and every Set-Cookie go to the dev server and back; the browser’s Host is kept', async () => {
    const res = await fetch(`${server.url}/some/page?x=1`, { method: 'POST', body: 'hello' })
    expect(res.status).toBe(200)
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/'])
    expect(await res.json()).toEqual({ url: '/some/page?x=1', method: 'POST', host: new URL(server.url).host, forwardedFor: '127.0.0.1', body: 'hello' })
    const teapot = await fetch(`${server.url}/teapot`)
    expect([teapot.status, teapot.headers.get('x-dev'), await teapot.text()]).toEqual([418, 'yes', 'short and stout'])
  })

  test('Identity and functions are answered here, not by the dev server', async () => {
    expect(await (await fetch(`${server.url}/.netlify/identity/settings`)).json()).toMatchObject({ autoconfirm: false })
    const user = server.identity.createUser({ roles: ['member'] })
    const res = await fetch(`${server.url}/.netlify/functions/roles`, { headers: { authorization: `Bearer ${await server.identity.token(user)}` } })
    expect(await res.json()).toEqual({ email: user.email, roles: ['member'] })
  })

  test('a role gate is decided here: the member reaches the dev server at the path, a visitor gets its fallback page with 401', async () => {
    const member = server.identity.createUser({ roles: ['member'] })
    const ok = await fetch(`${server.url}/members/page?q=1`, { headers: { cookie: `nf_jwt=${await server.identity.token(member)}` } })
    expect(ok.status).toBe(200)
    expect((await ok.json()).url).toBe('/members/page?q=1')
    const denied = await fetch(`${server.url}/members/page`)
    expect(denied.status).toBe(401)
    expect(await denied.text()).toBe('<h1>dev server login page</h1>')
  })

  test('rules without a Role are the dev server’s: /api/roles reaches it untouched', async () => {
    const res = await fetch(`${server.url}/api/roles`)
    expect((await res.json()).url).toBe('/api/roles')
  })

  test('websocket upgrades (hot reload) are piped to the dev server both ways', async () => {
    const { port } = new URL(server.url)
    const socket = connect(Number(port), '127.0.0.1')
    const received: string[] = []
    socket.on('data', (d: Buffer) => received.push(d.toString()))
    socket.write(`GET /__vite_hmr HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: Upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`)
    await until(() => received.join('').includes('\r\n\r\n'), 'the 101')
    expect(received.join('')).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/)
    expect(received.join('').toLowerCase()).toContain('x-path: /__vite_hmr')
    socket.write('ping')
    await until(() => received.join('').endsWith('PING'), 'the echo')
    socket.destroy()
  })

  test('a Role rule with netlify dev behind: a warning says how to stop it gating twice, with the secret in use', () => {
    const warning = server.events.find((e): e is Extract<ServeEvent, { type: 'warning' }> => e.type === 'warning' && e.message.includes('[dev] jwtRolePath'))
    expect(warning?.message).toContain('[dev] jwtRolePath = "app_metadata.roles"')
    expect(warning?.message).toContain(`jwtSecret = ${JSON.stringify(server.identity.jwtSecret)} (the default secret derives from --seed and this server's URL: pass --jwt-secret to keep it fixed)`)
    // No pointer into documents the package does not ship.
    expect(warning?.message).not.toContain('gotrue.md')
  })

  test('a dev server that is not running: 502 that says so, and one warning per outage for the terminal', async () => {
    const events: ServeEvent[] = []
    const down = await serveIdentity({ site: site.dir, port: 0, proxy: 'http://127.0.0.1:1', watch: false, onEvent: (e) => events.push(e) })
    try {
      const res = await fetch(`${down.url}/`)
      expect(res.status).toBe(502)
      expect(await res.text()).toContain('could not reach http://127.0.0.1:1')
      expect((await fetch(`${down.url}/app.js`)).status).toBe(502)
      const unreachable = events.filter((e) => e.type === 'warning' && e.message.includes('could not reach'))
      expect(unreachable).toEqual([{ type: 'warning', message: expect.stringContaining('the dev server behind --proxy: could not reach http://127.0.0.1:1 (ECONNREFUSED). Is your dev server running there?') }])
    } finally {
      await down.close()
    }
  })

  test('rules in public/_redirects (a framework\'s public folder, copied into the publish folder by a build) are not read, and a warning says so', async () => {
    const { readFileSync, writeFileSync } = await import('node:fs')
    const { join } = await import('node:path')
    const vite = copySite()
    try {
      // A Vite-like site: publish = "dist" (made by the build), the rules in public/.
      const toml = join(vite.dir, 'netlify.toml')
      writeFileSync(toml, readFileSync(toml, 'utf8').replace('publish = "public"', 'publish = "dist"'))
      const events: ServeEvent[] = []
      const served = await serveIdentity({ site: vite.dir, port: 0, proxy: upstreamUrl, watch: false, onEvent: (e) => events.push(e) })
      try {
        expect(events).toContainEqual({ type: 'warning', message: expect.stringContaining('public/_redirects is not read (the publish folder is dist, which does not exist until you build): like `netlify dev`, serve reads _redirects in the publish folder and at the site root') })
        // Not applied: the dev server answers /members/ itself; the rules in force are netlify.toml's.
        expect((await fetch(`${served.url}/members/`)).status).toBe(200)
        expect(served.redirects.files).toEqual([join(vite.dir, 'netlify.toml')])
        expect(served.redirects.rules).toBeGreaterThan(0)
      } finally {
        await served.close()
      }
    } finally {
      vite.remove()
    }
  })
})
