/**
 * `serve` from the packed tarball, as a user gets it: `npm pack`, install into a fresh project,
 * spawn the real bin, use it over HTTP, stop it with Ctrl-C; and the programmatic
 * `netlify-identity-harness/server` entry from the same install.
 */
import { execFileSync, spawn } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const work = mkdtempSync(join(tmpdir(), 'nih-pack-serve-'))
const app = join(work, 'app')
const run = (cmd: string, args: string[], cwd: string) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

beforeAll(() => {
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], root)) as Array<{ filename: string; files: Array<{ path: string }> }>
  const files = packed[0]!.files.map((f) => f.path)
  expect(files).toEqual(expect.arrayContaining(['dist/server.js', 'dist/server.d.ts', 'dist/cli/main.js', 'bin/netlify-identity-harness.mjs']))
  cpSync(join(root, 'examples/widget-site'), join(app, 'site'), { recursive: true })
  const msw = (JSON.parse(readFileSync(join(root, 'node_modules/msw/package.json'), 'utf8')) as { version: string }).version
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }))
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(work, packed[0]!.filename), `msw@${msw}`], app)
}, 240_000)
afterAll(() => rmSync(work, { recursive: true, force: true }))

test('npx netlify-identity-harness serve: GoTrue, hooks, functions and role gates over HTTP; Ctrl-C stops it with exit 0', async () => {
  const child = spawn(join(app, 'node_modules/.bin/netlify-identity-harness'), ['serve', 'site', '--port', '0', '--seed', '3'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d))
  child.stderr.on('data', (d: Buffer) => (out += d))
  try {
    const url = await new Promise<string>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no banner:\n${out}`)), 20_000)
      child.stdout.on('data', () => {
        const m = /Open\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)
        if (m) {
          clearTimeout(timer)
          done(m[1]!)
        }
      })
    })
    const signup = await fetch(`${url}/.netlify/identity/signup`, { method: 'POST', body: JSON.stringify({ email: 'packed@example.test', password: 'pw-123456' }) })
    expect(signup.status).toBe(200)
    const mail = (await (await fetch(`${url}/.netlify/harness/mail/last?to=packed@example.test`)).json()) as { token: string; url: string }
    const verify = await fetch(`${url}/.netlify/identity/verify`, { method: 'POST', body: JSON.stringify({ type: 'signup', token: mail.token }), headers: { 'x-use-cookie': '1' } })
    const { access_token } = (await verify.json()) as { access_token: string }
    expect(await (await fetch(`${url}/api/roles`, { headers: { authorization: `Bearer ${access_token}` } })).json()).toEqual({ email: 'packed@example.test', roles: ['member'] })
    expect((await fetch(`${url}/members/`, { headers: { cookie: `nf_jwt=${access_token}` } })).status).toBe(200)
    expect((await fetch(`${url}/members/`)).status).toBe(401)
    // the child's output arrives through a pipe
    for (let i = 0; i < 100 && !out.includes('identity-signup: allowed'); i++) await new Promise((r) => setTimeout(r, 50))
    expect(out).toContain(`✉  confirmation mail to packed@example.test\n   ${mail.url}`)
    expect(out).toContain('↳  identity-signup: allowed')

    const exit = new Promise<number | null>((done) => child.on('exit', (code) => done(code)))
    child.kill('SIGINT')
    expect(await exit).toBe(0)
    expect(out).toContain('stopped')
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL')
  }
}, 60_000)

test("import { serveIdentity } from 'netlify-identity-harness/server' (global-setup form)", () => {
  writeFileSync(
    join(app, 'setup.mjs'),
    `import { serveIdentity } from 'netlify-identity-harness/server'
const server = await serveIdentity({ site: 'site', port: 0, seed: 1 })
server.identity.createUser({ email: 'ada@example.test', password: 'pw', roles: ['member'] })
const res = await fetch(server.url + '/.netlify/identity/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=password&username=ada%40example.test&password=pw' })
console.log(JSON.stringify({ url: server.url, status: res.status, identityUrl: server.identity.url }))
await server.close()
`,
  )
  const result = JSON.parse(run('node', ['setup.mjs'], app).trim()) as { url: string; status: number; identityUrl: string }
  expect(result.status).toBe(200)
  expect(result.identityUrl).toBe(`${result.url}/.netlify/identity`)
})
