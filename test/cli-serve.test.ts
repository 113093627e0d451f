/**
 * `netlify-identity-harness serve`: arguments, what it prints (the outbox with its links, a line
 * per request, GoTrue's verdict per hook), and a clean stop on Ctrl-C in a real child process.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { CliIO } from '../src/cli/io.js'
import { main } from '../src/cli/main.js'
import { formatEvent, parseServeArgs, serveUntil } from '../src/cli/serve.js'
import { DEFAULT_SERVE_PORT } from '../src/server.js'
import type { ServeEvent } from '../src/server.js'
import { buildBin } from './helpers/cli-bin.js'
import { copySite, until } from './server-helpers.js'

const root = resolve(import.meta.dirname, '..')

function captured(cwd = root): CliIO & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out: (t: string) => void (io.stdout += t),
    err: (t: string) => void (io.stderr += t),
    cwd,
    env: {},
    isTTY: false,
    style: (_f: unknown, t: string) => t,
  }
  return io
}

describe('arguments', () => {
  test('map onto serveIdentity options, paths from the working directory', () => {
    const { options, quiet } = parseServeArgs(
      ['site', '--proxy', 'http://localhost:5173', '--port', '0', '--host', '::1', '--seed', '42', '--autoconfirm', '--jwt-secret', 's3', '--users', 'u.json', '--state', 'st.json', '--quiet', '--no-watch'],
      '/work/app',
    )
    expect(options).toEqual({
      site: '/work/app/site',
      proxy: 'http://localhost:5173',
      port: 0,
      host: '::1',
      seed: 42,
      autoconfirm: true,
      jwtSecret: 's3',
      users: '/work/app/u.json',
      state: '/work/app/st.json',
      watch: false,
    })
    expect(quiet).toBe(true)
    expect(parseServeArgs([], '/work/app').options).toEqual({ site: '/work/app' })
  })

  test('mistakes are usage errors (exit 2) that name the option', async () => {
    for (const [args, text] of [
      [['--port', 'eighty'], '--port must be an integer'],
      [['--bogus'], 'unknown option --bogus (see serve --help)'],
      // A typo gets the option it most likely meant, not Node's advice about '--' for positionals.
      [['--prot', '8080'], 'unknown option --prot: did you mean --port? (see serve --help)'],
      [['--autconfirm'], 'did you mean --autoconfirm?'],
      [['--quiet=yes'], "Option '--quiet' does not take an argument"],
      [['a', 'b'], 'serve takes one site directory'],
      [['--proxy', 'http://x', '--dir', 'y'], 'either proxy'],
    ] as const) {
      const io = captured()
      expect(await main(['serve', ...args], io)).toBe(2)
      expect(io.stderr).toContain(text)
    }
  })

  test('--help lists every option and the two-terminal recipe', async () => {
    const io = captured()
    expect(await main(['serve', '--help'], io)).toBe(0)
    for (const option of ['--proxy', '--dir', '--port', '--host', '--seed', '--autoconfirm', '--jwt-secret', '--users', '--state', '--quiet', '--no-watch']) expect(io.stdout).toContain(option)
    expect(io.stdout).toContain(`default ${DEFAULT_SERVE_PORT}`)
    expect(io.stdout).toContain('serve --proxy http://localhost:5173')
  })
})

test('the README names every serve option --help lists, and no other', async () => {
  const readme = (await import('node:fs')).readFileSync(join(root, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('## Local Identity for `netlify dev`'), readme.indexOf('### End-to-end tests against it'))
  const io = captured()
  await main(['serve', '--help'], io)
  const fromHelp = new Set([...io.stdout.matchAll(/^ {2}(?:-h, )?(--[a-z-]+)/gm)].map((m) => m[1]!).filter((o) => o !== '--help'))
  const fromReadme = new Set([...section.matchAll(/`(--[a-z-]+)/g)].map((m) => m[1]!))
  expect([...fromReadme].sort()).toEqual([...fromHelp].sort())
})

describe('what it prints', () => {
  test('the banner, the confirmation mail with its link, the hook verdicts and a line per request', async () => {
    const site = copySite()
    try {
      const io = captured()
      const code = await serveUntil([site.dir, '--port', '0', '--no-watch'], io, async (server) => {
        await fetch(`${server.url}/.netlify/identity/signup`, { method: 'POST', body: JSON.stringify({ email: 'p@example.test', password: 'pw-123456' }) })
        await fetch(`${server.url}/.netlify/identity/signup`, { method: 'POST', body: JSON.stringify({ email: 'p@blocked.test', password: 'pw-123456' }) })
        await fetch(`${server.url}/members/`)
        // lines are printed when each answer is written
        await until(() => io.stdout.includes('GET    /members/ 401'), 'the last request line')
      })
      expect(code).toBe(0)
      const out = io.stdout
      expect(out).toMatch(/Open {7}http:\/\/127\.0\.0\.1:\d+/)
      expect(out).toContain('Functions  ')
      expect(out).toContain('identity-signup, identity-validate, roles, users-count')
      expect(out).toContain(`Pages      files in ${relative(root, join(site.dir, 'public'))}`)
      expect(out).toMatch(new RegExp(`Redirects  ${relative(root, join(site.dir, 'public', '_redirects')).replace(/[.[\]/\\]/g, '\\$&')}, ${relative(root, join(site.dir, 'netlify.toml')).replace(/[.[\]/\\]/g, '\\$&')} \\(\\d+ rules\\)`))
      expect(out).toMatch(/✉ {2}confirmation mail to p@example\.test\n {3}http:\/\/127\.0\.0\.1:\d+\/#confirmation_token=\S+\n/)
      expect(out).toContain('↳  identity-validate: allowed (function answered 200, 1 attempt)')
      expect(out).toContain('↳  identity-validate: blocked: GoTrue answers 422 "Failed to handle signup webhook" (function answered 403, 3 attempts)')
      expect(out).toMatch(/POST {3}\/\.netlify\/identity\/signup 200 \d+ms identity/)
      expect(out).toMatch(/GET {4}\/members\/ 401 \d+ms rewrite .*_redirects:4 → \/login\.html \(401\)/)
      expect(out.trimEnd().endsWith('stopped')).toBe(true)
    } finally {
      site.remove()
    }
  })

  test('examples/site, as the README says to run it: its page, a signup confirmed from the printed link, and /api/me', async () => {
    const io = captured()
    const site = join(root, 'examples/site')
    const code = await serveUntil([site, '--port', '0', '--no-watch'], io, async (server) => {
      const page = await fetch(`${server.url}/`)
      expect(page.status).toBe(200)
      expect(await page.text()).toContain('<h1>Example site</h1>')
      expect((await fetch(`${server.url}/api/me`)).status).toBe(401)
      const signup = await fetch(`${server.url}/.netlify/identity/signup`, { method: 'POST', body: JSON.stringify({ email: 'eve@acme.test', password: 'pw-123456' }) })
      expect(signup.status).toBe(200)
      await until(() => /#confirmation_token=\S+/.test(io.stdout), 'the confirmation link')
      const token = /#confirmation_token=(\S+)/.exec(io.stdout)![1]!
      // What the page's script does with the link (examples/site/public/index.html).
      const verify = await fetch(`${server.url}/.netlify/identity/verify`, { method: 'POST', body: JSON.stringify({ type: 'signup', token }) })
      expect(verify.status).toBe(200)
      const { access_token } = (await verify.json()) as { access_token: string }
      const me = await fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${access_token}` } })
      // identity-signup.js gave @acme.test the staff role when the mail was confirmed.
      expect(await me.json()).toEqual({ email: 'eve@acme.test', roles: ['staff'] })
      await until(() => io.stdout.includes('GET    /api/me 200'), 'the /api/me line')
    })
    expect(code).toBe(0)
    expect(io.stdout).toContain(`Pages      files in ${relative(root, join(site, 'public'))}`)
    // getUser() asks GoTrue's /user with the admin token first (400, as in production), then reads
    // the caller's claims: the line says so instead of looking like a failure of the call.
    expect(io.stdout).toMatch(/GET {4}\/\.netlify\/identity\/user 400 \d+ms identity: a token without a user id \(the function's admin token, as @netlify\/identity's getUser\(\) sends it before it reads the caller's claims\): 400 as in production\n/)
    expect(io.stderr).toBe('')
  })

  test('a site with no publish folder and no --dir: the banner says the whole folder is served', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nih-serve-whole-'))
    try {
      writeFileSync(join(dir, 'package.json'), '{"private":true}')
      const io = captured()
      expect(await serveUntil([dir, '--port', '0', '--no-watch'], io, async () => undefined)).toBe(0)
      expect(io.stdout).toContain('— the whole site folder (no [build] publish, no --dir): package.json and function sources are served too, on loopback; set publish or pass --dir')
      const withDir = captured()
      mkdirSync(join(dir, 'public'))
      expect(await serveUntil([dir, '--port', '0', '--no-watch', '--dir', join(dir, 'public')], withDir, async () => undefined)).toBe(0)
      expect(withDir.stdout).not.toContain('the whole site folder')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('warnings go to stderr; --quiet drops request lines only', () => {
    const io = captured()
    // A rule's file is shown from where serve runs, as the README's example shows it.
    expect(formatEvent({ type: 'request', method: 'GET', path: '/members/', status: 401, ms: 7, via: `rewrite ${join(io.cwd, 'public', '_redirects')}:4 → /login.html (401)` } as ServeEvent, io)).toBe(
      `GET    /members/ 401 7ms rewrite ${join('public', '_redirects')}:4 → /login.html (401)\n`,
    )
    expect(formatEvent({ type: 'warning', message: 'careful' }, io)).toBe('!  careful\n')
    expect(formatEvent({ type: 'reload', what: 'functions', files: ['a.mjs'] }, io)).toBe('↻  functions reloaded (a.mjs)\n')
    expect(formatEvent({ type: 'hook', event: 'login', allowed: false, status: 500, attempts: 0, diagnostics: [], failure: 'HarnessError: cannot build' }, io)).toBe(
      '↳  identity-login: could not run (HarnessError: cannot build) → GoTrue answers 500\n',
    )
    // A hook that timed out did not answer: the 500 its outcome carries is the runner's, not the function's.
    const timedOut = { code: 'timeout', message: 'identity-signup did not complete within 5000 ms: the promise it returned had not settled by then' }
    expect(formatEvent({ type: 'hook', event: 'signup', allowed: false, status: 504, attempts: 3, functionStatus: 500, error: { code: 504, msg: 'Failed to perform webhook in time frame (5 seconds)' }, diagnostics: [timedOut] }, io)).toBe(
      `↳  identity-signup: blocked: GoTrue answers 504 "Failed to perform webhook in time frame (5 seconds)" (no answer in time, 3 attempts)\n   ! timeout: ${timedOut.message}\n`,
    )
  })
})

describe('the real bin, in a child process', () => {
  // The bin runs dist/; a bundle of the sources, built the way `npm run build` builds it, stands in.
  let built: Awaited<ReturnType<typeof buildBin>> | undefined
  beforeAll(async () => {
    built = await buildBin('cli-serve')
  })
  afterAll(() => built?.remove())

  test('serves until Ctrl-C (SIGINT), then closes cleanly with exit code 0', async () => {
    const site = copySite()
    const child = spawn(process.execPath, [built!.bin, 'serve', site.dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d))
    child.stderr.on('data', (d: Buffer) => (out += d))
    try {
      const url = await new Promise<string>((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`no banner in 15 s:\n${out}`)), 15_000)
        child.stdout.on('data', () => {
          const m = /Open\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)
          if (m) {
            clearTimeout(timer)
            done(m[1]!)
          }
        })
      })
      const res = await fetch(`${url}/.netlify/identity/settings`)
      expect(res.status).toBe(200)
      const exit = new Promise<number | null>((done) => child.on('exit', (code) => done(code)))
      child.kill('SIGINT')
      expect(await exit).toBe(0)
      expect(out).toContain('stopping…')
      expect(out).toContain('stopped')
      await expect(fetch(`${url}/`)).rejects.toThrow()
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
      site.remove()
    }
  })

  test('SIGTERM during a slow function call: the answer is logged as cut off by the server, and the process exits at once', async () => {
    const site = copySite()
    writeFileSync(join(site.dir, 'netlify', 'functions', 'slow.mjs'), 'export default async () => {\n  await new Promise((r) => setTimeout(r, 20_000))\n  return new Response("late")\n}\n')
    const child = spawn(process.execPath, [built!.bin, 'serve', site.dir, '--port', '0', '--no-watch'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d))
    child.stderr.on('data', (d: Buffer) => (out += d))
    try {
      await until(() => /Open\s+http:\/\/127\.0\.0\.1:\d+/.test(out), 'the banner', 15_000)
      const url = /Open\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!
      const pending = fetch(`${url}/.netlify/functions/slow`).then(() => 'answered', () => 'cut off')
      await new Promise((r) => setTimeout(r, 300))
      const exit = new Promise<number | null>((done) => child.on('exit', (code) => done(code)))
      const stopped = performance.now()
      child.kill('SIGTERM')
      expect(await exit).toBe(0)
      expect(performance.now() - stopped).toBeLessThan(5000)
      expect(await pending).toBe('cut off')
      expect(out).toMatch(/GET +\/\.netlify\/functions\/slow --- .*cut off by the server stopping before the answer was complete/)
      expect(out).not.toContain('closed by the client')
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
      site.remove()
    }
  })
})
