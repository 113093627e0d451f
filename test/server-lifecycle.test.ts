/**
 * `serveIdentity()` across its life: options that match createIdentity, seed users, --state
 * between restarts, functions and rules reloaded when their files change, and the errors that
 * say what to fix.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { HarnessError } from '../src/index.js'
import { serveIdentity } from '../src/server.js'
import { copySite, serve, until } from './server-helpers.js'

const sites: Array<ReturnType<typeof copySite>> = []
const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
  for (const s of sites.splice(0)) s.remove()
})
function newSite(): string {
  const s = copySite()
  sites.push(s)
  return s.dir
}
async function started(options: Parameters<typeof serve>[0]) {
  const server = await serve(options)
  closers.push(() => server.close())
  return server
}
const form = (email: string, password: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ grant_type: 'password', username: email, password }).toString(),
})

describe('options matching createIdentity', () => {
  test('seed, jwtSecret and autoconfirm reach the instance (autoconfirm: /signup fires validate then signup and confirms)', async () => {
    const server = await started({ site: newSite(), seed: 7, jwtSecret: 'local-secret', autoconfirm: true })
    expect(server.identity.seed).toBe(7)
    const res = await fetch(`${server.url}/.netlify/identity/signup`, { method: 'POST', body: JSON.stringify({ email: 'auto@example.test', password: 'pw-123456' }) })
    expect(await res.json()).toMatchObject({ confirmed_at: expect.any(String), app_metadata: { roles: ['member'] } })
    expect(server.events.filter((e) => e.type === 'hook').map((e) => (e as { event: string }).event)).toEqual(['validate', 'signup'])
    const login = await fetch(`${server.url}/.netlify/identity/token`, form('auto@example.test', 'pw-123456'))
    const { access_token } = (await login.json()) as { access_token: string }
    // signed with the given secret: the default one does not verify it
    const { jwtVerify } = await import('jose')
    await expect(jwtVerify(access_token, new TextEncoder().encode('local-secret'))).resolves.toBeDefined()
  })

  test('users from a JSON file can log in at once', async () => {
    const dir = newSite()
    const file = join(dir, 'users.json')
    writeFileSync(file, JSON.stringify([{ email: 'seed@example.test', password: 'pw', roles: ['member'] }]))
    const server = await started({ site: dir, users: file })
    expect((await fetch(`${server.url}/.netlify/identity/token`, form('seed@example.test', 'pw'))).status).toBe(200)
    expect(server.identity.users.findByEmail('seed@example.test')?.app_metadata.roles).toEqual(['member'])
  })

  test('a users file that is not a JSON array of users: ERR_SERVE_FILE', async () => {
    const dir = newSite()
    writeFileSync(join(dir, 'bad.json'), '{"email":"x"}')
    await expect(serveIdentity({ site: dir, port: 0, users: join(dir, 'bad.json') })).rejects.toMatchObject({ code: 'ERR_SERVE_FILE', message: expect.stringContaining('JSON array') })
    await expect(serveIdentity({ site: dir, port: 0, users: join(dir, 'missing.json') })).rejects.toMatchObject({ code: 'ERR_SERVE_FILE' })
  })
})

describe('--state', () => {
  test('users (with passwords and pending confirmation links) survive a restart; new users never take a kept id', async () => {
    const dir = newSite()
    const state = join(dir, 'state.json')
    const first = await serveIdentity({ site: dir, port: 0, seed: 1, state, watch: false })
    await fetch(`${first.url}/.netlify/identity/signup`, { method: 'POST', body: JSON.stringify({ email: 'kept@example.test', password: 'pw-123456' }) })
    const link = first.identity.mail.last('kept@example.test')!
    first.identity.createUser({ email: 'direct@example.test', password: 'pw' })
    const firstIds = first.identity.users.all().map((u) => u.id)
    await first.close()
    expect(JSON.parse(readFileSync(state, 'utf8'))).toMatchObject({ version: 1, generation: 0, users: [{ user: { email: 'kept@example.test' } }, { user: { email: 'direct@example.test' }, password: 'pw' }] })

    const second = await started({ site: dir, seed: 1, state })
    expect(second.identity.users.all().map((u) => u.id)).toEqual(firstIds)
    expect((await fetch(`${second.url}/.netlify/identity/token`, form('direct@example.test', 'pw'))).status).toBe(200)
    // the confirmation link printed before the restart still confirms
    const verify = await fetch(`${second.url}/.netlify/identity/verify`, { method: 'POST', body: JSON.stringify({ type: 'signup', token: link.token }) })
    expect(verify.status).toBe(200)
    await fetch(`${second.url}/.netlify/identity/signup`, { method: 'POST', body: JSON.stringify({ email: 'new@example.test', password: 'pw-123456' }) })
    const ids = second.identity.users.all().map((u) => u.id)
    expect(new Set(ids).size).toBe(3)
    await until(() => JSON.parse(readFileSync(state, 'utf8')).users.length === 3, 'the state file to follow')
    expect(JSON.parse(readFileSync(state, 'utf8')).generation).toBe(1)
  })

  test('a restart keeps the site\'s secret and instance id: an access token issued before it still verifies', async () => {
    const dir = newSite()
    const state = join(dir, 'state.json')
    // The default secret derives from the seed and the site URL: the same URL on both runs (as a dev server's).
    const options = { site: dir, port: 0, seed: 7, state, watch: false, siteUrl: 'http://localhost:8888', autoconfirm: true }
    const first = await serveIdentity(options)
    await fetch(`${first.url}/.netlify/identity/signup`, { method: 'POST', body: JSON.stringify({ email: 'kept@example.test', password: 'pw-123456' }) })
    const login = await (await fetch(`${first.url}/.netlify/identity/token`, form('kept@example.test', 'pw-123456'))).json() as { access_token: string }
    const { instanceId, jwtSecret } = first.identity
    await first.close()

    const second = await started({ ...options })
    expect(second.identity.instanceId).toBe(instanceId)
    expect(second.identity.jwtSecret).toBe(jwtSecret)
    const me = await fetch(`${second.url}/.netlify/identity/user`, { headers: { authorization: `Bearer ${login.access_token}` } })
    expect(me.status).toBe(200)
    expect(((await me.json()) as { email: string }).email).toBe('kept@example.test')
    // New users still draw fresh ids.
    const again = await fetch(`${second.url}/.netlify/identity/signup`, { method: 'POST', body: JSON.stringify({ email: 'new@example.test', password: 'pw-123456' }) })
    expect(again.status).toBe(200)
    expect(new Set(second.identity.users.all().map((u) => u.id)).size).toBe(2)
  })

  test('a state file that is not one: ERR_SERVE_FILE, saying to delete it', async () => {
    const dir = newSite()
    writeFileSync(join(dir, 'state.json'), '{"hello":1}')
    await expect(serveIdentity({ site: dir, port: 0, state: join(dir, 'state.json') })).rejects.toMatchObject({ code: 'ERR_SERVE_FILE', message: expect.stringContaining('delete it') })
  })
})

describe('module scope', () => {
  test("a served function's module scope runs once, and sees Netlify's runtime variables (URL is this server's site)", async () => {
    const dir = newSite()
    writeFileSync(join(dir, 'netlify/functions/where.mjs'), `globalThis.__nihWhereLoads = (globalThis.__nihWhereLoads ?? 0) + 1\nconst site = process.env.URL\nexport const handler = async () => ({ statusCode: 200, body: JSON.stringify({ site, loads: globalThis.__nihWhereLoads }) })\n`)
    const server = await started({ site: dir })
    const body = await (await fetch(`${server.url}/.netlify/functions/where`)).json()
    // The table loads the file to route it; the call uses that same module instance (same env).
    expect(body).toEqual({ site: server.identity.siteUrl, loads: 1 })
  })
})

describe('reloading', () => {
  test('a changed function file answers with its new code; a new config.path is routed; rules follow _redirects', async () => {
    const dir = newSite()
    const server = await started({ site: dir, watch: true })
    const fn = join(dir, 'netlify/functions/hello.mjs')
    writeFileSync(fn, `export const handler = async () => ({ statusCode: 200, body: 'one' })\n`)
    await until(() => server.events.some((e) => e.type === 'reload' && e.what === 'functions'), 'the functions reload')
    expect(await (await fetch(`${server.url}/.netlify/functions/hello`)).text()).toBe('one')
    writeFileSync(fn, `export default async () => new Response('two, on a path')\nexport const config = { path: '/hello-path' }\n`)
    await expectEventually(async () => (await (await fetch(`${server.url}/hello-path`)).text()) === 'two, on a path')
    expect(await (await fetch(`${server.url}/.netlify/functions/hello`)).text()).toBe('two, on a path')

    writeFileSync(join(dir, 'public/_redirects'), '/old  /login.html  302\n')
    await expectEventually(async () => (await fetch(`${server.url}/old`, { redirect: 'manual' })).status === 302)
    expect(server.events).toContainEqual(expect.objectContaining({ type: 'reload', what: 'redirects' }))
    // the Role rules are gone with the old file
    expect((await fetch(`${server.url}/members/`)).status).toBe(200)
  })
})

async function expectEventually(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe('errors that say what to fix', () => {
  test('a port in use: ERR_SERVE_LISTEN', async () => {
    const first = await started({ site: newSite() })
    const port = Number(new URL(first.url).port)
    const error = await serveIdentity({ site: sites[0]!.dir, port }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HarnessError)
    expect(error).toMatchObject({ code: 'ERR_SERVE_LISTEN', message: expect.stringContaining(`port ${port} on 127.0.0.1 is in use`) })
  })

  test('proxy and dir together, a proxy that is no URL, a bad port, a missing site', async () => {
    const dir = newSite()
    await expect(serveIdentity({ site: dir, proxy: 'http://localhost:1', dir })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' })
    await expect(serveIdentity({ site: dir, proxy: 'localhost' })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION', message: expect.stringContaining('http://localhost:5173') })
    await expect(serveIdentity({ site: dir, port: 70000 })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' })
    await expect(serveIdentity({ site: join(dir, 'nope'), port: 0 })).rejects.toMatchObject({ code: 'ERR_FUNCTION_NOT_FOUND', message: expect.stringContaining('does not exist') })
    writeFileSync(join(dir, 'netlify.toml'), '')
    await expect(serveIdentity({ site: join(dir, 'netlify.toml'), port: 0 })).rejects.toMatchObject({ code: 'ERR_FUNCTION_NOT_FOUND', message: expect.stringContaining(`is a file, not a folder: pass the folder it is in (${JSON.stringify(dir)})`) })
  })

  test('a publish folder netlify.toml names that does not exist: says where it came from and what to do', async () => {
    // The widget site has its public folder: a site of its own names one that is missing.
    const dir = join(newSite(), 'unbuilt')
    mkdirSync(dir)
    writeFileSync(join(dir, 'netlify.toml'), '[build]\n  publish = "dist"\n')
    await expect(serveIdentity({ site: dir, port: 0 })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION', message: expect.stringContaining('the publish folder netlify.toml names ([build] publish)') })
    await expect(serveIdentity({ site: dir, port: 0, dir: join(dir, 'nope') })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION', message: expect.stringContaining('dir (--dir)') })
  })

  test('only loopback: a host another machine could reach is refused before anything listens', async () => {
    const dir = newSite()
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'example.com', '::ffff:10.0.0.1']) {
      await expect(serveIdentity({ site: dir, port: 0, host }), host).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION', message: expect.stringContaining('host must be a loopback address') })
    }
    for (const host of ['127.0.0.1', '::1', 'localhost']) {
      const server = await started({ site: dir, port: 0, host, watch: false })
      expect((await fetch(`${server.url}/.netlify/identity/settings`)).status).toBe(200)
    }
  })

  test('a function that cannot load: a warning at start, a 500 naming the problem when called; the rest still serves', async () => {
    const dir = newSite()
    writeFileSync(join(dir, 'netlify/functions/broken.mjs'), 'export const handler = (\n')
    const server = await started({ site: dir })
    expect(server.events).toContainEqual({ type: 'warning', message: expect.stringContaining('function broken cannot be loaded') })
    const res = await fetch(`${server.url}/.netlify/functions/broken`)
    expect(res.status).toBe(500)
    expect(await res.text()).toContain('ERR_FUNCTION_LOAD')
    expect((await fetch(`${server.url}/`)).status).toBe(200)
  })
})
