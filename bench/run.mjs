#!/usr/bin/env node
/**
 * `npm run bench`: every figure is a ratio against a baseline measured in the same run.
 *
 *  1. trigger vs a hand-written jose baseline          — vitest bench (bench/trigger.bench.ts)
 *  2. admin PUT through msw vs a bare msw handler      — vitest bench (bench/admin.bench.ts)
 *  3. cold import vs jose + msw/node + faker alone      — fresh Node processes, alternating
 *  4. heap growth after 10,000 triggers / admin PUTs    — a Node process with --expose-gc
 *  5. 500 Vitest tests with the fixture vs hand-rolled  — `vitest run` on generated files, alternating
 *
 * Prints a table, writes bench/results.json. With `--check`, exits 1 when a ratio misses its
 * target by more than 20% (the noise margin).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const tmp = join(root, '.tmp', 'bench')
const check = process.argv.includes('--check')
const NOISE = 1.2
rmSync(tmp, { recursive: true, force: true })
mkdirSync(tmp, { recursive: true })
const vitestBin = join(root, 'node_modules', 'vitest', 'vitest.mjs')
const dist = join(root, 'dist', 'index.js')

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const log = (m) => process.stderr.write(`${m}\n`)

log('building dist/ …')
execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' })

const rows = []

// ---- 1 and 2: vitest bench -----------------------------------------------------------------
log('cases 1–2: vitest bench …')
const rawFile = join(tmp, 'vitest-bench.json')
execFileSync(process.execPath, [vitestBin, 'bench', '--run', '--config', 'vitest.bench.config.ts', '--outputJson', rawFile], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
})
const raw = JSON.parse(readFileSync(rawFile, 'utf8'))
const group = (name) => {
  for (const f of raw.files) for (const g of f.groups) if (g.fullName.endsWith(`> ${name}`)) {
    const by = Object.fromEntries(g.benchmarks.map((b) => [b.name, b]))
    return { harness: by.harness.median * 1000, baseline: by.baseline.median * 1000 }
  }
  throw new Error(`no bench group ${name}`)
}
const trig = group('trigger')
rows.push({ case: '1. trigger (median µs/call)', harness: trig.harness, baseline: trig.baseline, ratio: trig.harness / trig.baseline, target: 1.5, unit: 'µs' })
const admin = group('admin PUT')
rows.push({ case: '2. admin PUT via msw (median µs/request)', harness: admin.harness, baseline: admin.baseline, ratio: admin.harness / admin.baseline, target: 1.3, unit: 'µs' })

// ---- 3: cold import --------------------------------------------------------------------------
log('case 3: cold import …')
const importScript = (specifiers) =>
  `const t = performance.now(); await Promise.all([${specifiers.map((s) => `import(${JSON.stringify(s)})`).join(', ')}]); process.stdout.write(String(performance.now() - t))`
const timeImport = (specifiers) => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', importScript(specifiers)], { cwd: root, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(r.stderr)
  return Number(r.stdout)
}
const harnessImports = []
const baselineImports = []
for (let i = 0; i < 15; i++) {
  harnessImports.push(timeImport([dist]))
  baselineImports.push(timeImport(['jose', 'msw/node', '@faker-js/faker/locale/en']))
}
const hi = median(harnessImports)
const bi = median(baselineImports)
rows.push({ case: '3. cold import (median ms)', harness: hi, baseline: bi, ratio: hi / bi, target: 1.2, unit: 'ms' })

// ---- 4: memory -------------------------------------------------------------------------------
log('case 4: memory …')
const memScript = `
import { setupServer } from 'msw/node'
const { createIdentity } = await import(${JSON.stringify(dist)})
const identity = createIdentity({ seed: 1 })
const handler = async (event) => {
  const { user } = JSON.parse(event.body)
  return { statusCode: 200, body: JSON.stringify({ app_metadata: { ...user.app_metadata, roles: ['member'] } }) }
}
// Let pending timers and finalizers run between collections: msw and undici release request
// objects a few event-loop turns after a response, so a synchronous gc() over-counts.
const heap = async () => {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 50))
    globalThis.gc()
  }
  return process.memoryUsage().heapUsed
}
const user = identity.fakeUser()
const triggers = async (n) => { for (let i = 0; i < n; i++) await identity.trigger(handler, 'signup', user) }
await triggers(100)
const t0 = await heap()
await triggers(10_000)
const t1 = await heap()
const target = identity.createUser({ email: 'mem@example.com' })
const token = await identity.adminToken()
const server = setupServer(...identity.handlers)
server.listen({ onUnhandledRequest: 'error', onUnhandledFrame: 'error' })
const puts = async (n) => {
  for (let i = 0; i < n; i++) {
    const res = await fetch(identity.url + '/admin/users/' + target.id, { method: 'PUT', headers: { authorization: 'Bearer ' + token }, body: JSON.stringify({ user_metadata: { n: i } }) })
    await res.json()
  }
}
await puts(100)
const a0 = await heap()
await puts(10_000)
const a1 = await heap()
server.close()
process.stdout.write(JSON.stringify({ triggers: (t1 - t0) / 1048576, admin: (a1 - a0) / 1048576 }))
`
writeFileSync(join(tmp, 'memory.mjs'), memScript)
const mem = spawnSync(process.execPath, ['--expose-gc', join(tmp, 'memory.mjs')], { cwd: root, encoding: 'utf8' })
if (mem.status !== 0) throw new Error(mem.stderr)
const memory = JSON.parse(mem.stdout)
rows.push({ case: '4a. heap growth, 10,000 triggers (MB)', harness: memory.triggers, baseline: undefined, ratio: undefined, target: 10, unit: 'MB', absolute: true })
rows.push({ case: '4b. heap growth, 10,000 admin PUTs (MB)', harness: memory.admin, baseline: undefined, ratio: undefined, target: 10, unit: 'MB', absolute: true })

// ---- 5: a 500-test Vitest file ---------------------------------------------------------------
log('case 5: 500-test suites …')
const suiteDir = join(tmp, 'suite')
mkdirSync(suiteDir, { recursive: true })
// Install the built package the way a user's project has it: a real copy in node_modules, which
// Vitest externalises (a self-reference into this repository would be transformed as source).
const installed = join(suiteDir, 'node_modules', 'netlify-identity-harness')
mkdirSync(installed, { recursive: true })
cpSync(join(root, 'dist'), join(installed, 'dist'), { recursive: true })
cpSync(join(root, 'package.json'), join(installed, 'package.json'))
const handlerSrc = `const handler = async (event) => {
  const { user } = JSON.parse(event.body)
  return { statusCode: 200, body: JSON.stringify({ app_metadata: { ...user.app_metadata, roles: ['member'] } }) }
}`
writeFileSync(join(suiteDir, 'fixture.test.mjs'), `import { test, expect } from 'netlify-identity-harness/vitest'
${handlerSrc}
for (let i = 0; i < 500; i++) {
  test('new user ' + i + ' becomes a member', async ({ identity }) => {
    const outcome = await identity.trigger(handler, 'signup', identity.fakeUser())
    expect(outcome).toAllowSignup()
    expect(outcome).toHaveRoles(['member'])
  })
}
`)
writeFileSync(join(suiteDir, 'handrolled.test.mjs'), `import { createHash } from 'node:crypto'
import { test, expect } from 'vitest'
import { SignJWT } from 'jose'
import { Faker, en, base } from '@faker-js/faker'
${handlerSrc}
const secret = new TextEncoder().encode('a-test-secret-of-reasonable-length-1234')
async function runSignup(user) {
  const body = JSON.stringify({ event: 'signup', instance_id: '00000000-0000-0000-0000-000000000000', user })
  const sha256 = createHash('sha256').update(body).digest('hex')
  const sig = await new SignJWT({ iss: 'gotrue', sub: '0', iat: 1, sha256 }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secret)
  const res = await handler({ httpMethod: 'POST', headers: { 'content-type': 'application/json', 'x-webhook-signature': sig }, body })
  const parsed = res.body ? JSON.parse(res.body) : {}
  return { status: res.statusCode, user: { ...user, ...(parsed.app_metadata ? { app_metadata: parsed.app_metadata } : {}) } }
}
for (let i = 0; i < 500; i++) {
  test('new user ' + i + ' becomes a member', async () => {
    const faker = new Faker({ locale: [en, base], seed: i })
    const user = { id: faker.string.uuid(), aud: '', role: '', email: faker.internet.email(), app_metadata: { provider: 'email' }, user_metadata: {}, created_at: faker.date.past().toISOString(), updated_at: faker.date.past().toISOString() }
    const out = await runSignup(user)
    expect([200, 202, 204]).toContain(out.status)
    expect(out.user.app_metadata.roles).toEqual(['member'])
  })
}
`)
writeFileSync(join(suiteDir, 'vitest.config.mjs'), `export default { test: { include: ['*.test.mjs'], root: ${JSON.stringify(suiteDir)} } }\n`)
const timeSuite = (file) => {
  const t = performance.now()
  const r = spawnSync(process.execPath, [vitestBin, 'run', '--config', join(suiteDir, 'vitest.config.mjs'), file], { cwd: suiteDir, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`${file} failed:\n${r.stdout}\n${r.stderr}`)
  return performance.now() - t
}
const fixtureTimes = []
const handTimes = []
for (let i = 0; i < 3; i++) {
  fixtureTimes.push(timeSuite('fixture.test.mjs'))
  handTimes.push(timeSuite('handrolled.test.mjs'))
}
const ft = median(fixtureTimes)
const ht = median(handTimes)
rows.push({ case: '5. 500 Vitest tests, wall time (median ms)', harness: ft, baseline: ht, ratio: ft / ht, target: 1.25, unit: 'ms' })

// ---- report ----------------------------------------------------------------------------------
for (const r of rows) {
  r.pass = r.absolute ? r.harness < r.target : r.ratio <= r.target
  r.withinNoise = r.absolute ? r.harness < r.target * NOISE : r.ratio <= r.target * NOISE
}
const fmt = (n) => (n === undefined ? '—' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2))
const table = [['case', 'harness', 'baseline', 'ratio', 'target', 'pass']]
for (const r of rows) {
  table.push([r.case, `${fmt(r.harness)} ${r.unit}`, r.baseline === undefined ? '—' : `${fmt(r.baseline)} ${r.unit}`, r.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}×`, r.absolute ? `< ${r.target} ${r.unit}` : `≤ ${r.target}×`, r.pass ? 'yes' : r.withinNoise ? 'noise' : 'NO'])
}
const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)))
const line = (row) => `| ${row.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`
const out = [line(table[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...table.slice(1).map(line)].join('\n')
const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform }
console.log(out)
console.log(`\nmachine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}`)
writeFileSync(join(root, 'bench', 'results.json'), `${JSON.stringify({ machine, rows }, null, 2)}\n`)
const failing = rows.filter((r) => !r.withinNoise)
if (check && failing.length) {
  console.error(`\nbench check failed (beyond the ${Math.round((NOISE - 1) * 100)}% noise margin): ${failing.map((r) => r.case).join('; ')}`)
  process.exit(1)
}
