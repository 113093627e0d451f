/**
 * Issue 12, store rows: GET /admin/users (page 1 of 50) and filter= at 10 → 100,000 stored users,
 * each against a bare msw handler answering the same bytes; createUser ×100k against the same
 * faker fields put into a Map by hand; heap per stored user against that Map. Runs in its own
 * process (--expose-gc); prints the curves on stderr and records them in the rows.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { dist, log, row, runNode, tmp } from '../lib.mjs'

export default function store() {
  log('case 6: store (list, filter, create, memory) …')
  const script = `
  import { setupServer } from 'msw/node'
  import { http, HttpResponse } from 'msw'
  import { faker } from '@faker-js/faker/locale/en'
  const { createIdentity } = await import(${JSON.stringify(dist)})
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1] }
  const heap = async () => { for (let i = 0; i < 3; i++) { await new Promise((r) => setTimeout(r, 20)); globalThis.gc() } return process.memoryUsage().heapUsed }
  const out = { list: [], filter: [] }
  const sizes = [10, 1000, 10000, 100000]
  const server = setupServer()
  server.listen({ onUnhandledRequest: 'error' })
  for (const size of sizes) {
    const identity = createIdentity({ seed: size, siteUrl: 'https://bench' + size + '.netlify.test' })
    for (let i = 0; i < size; i++) identity.createUser()
    const admin = await identity.adminToken()
    const surname = identity.users.all()[size >> 1].user_metadata.full_name.split(' ')[1].toLowerCase()
    const urls = { list: identity.url + '/admin/users?page=1&per_page=50', filter: identity.url + '/admin/users?filter=' + surname }
    for (const kind of ['list', 'filter']) {
      server.resetHandlers(...identity.handlers)
      const res = await fetch(urls[kind], { headers: { authorization: 'Bearer ' + admin } })
      const bytes = await res.text()
      const headers = Object.fromEntries(res.headers)
      const bareUrl = 'https://bare.test/admin/users'
      server.use(http.get(bareUrl, () => new HttpResponse(bytes, { headers })))
      const time = async (url) => { const t = performance.now(); const r = await fetch(url, { headers: { authorization: 'Bearer ' + admin } }); await r.text(); return performance.now() - t }
      for (let i = 0; i < 20; i++) { await time(urls[kind]); await time(bareUrl) }
      const a = [], b = []
      for (let i = 0; i < 60; i++) { a.push(await time(urls[kind])); b.push(await time(bareUrl)) }
      out[kind].push({ size, harness: median(a) * 1000, baseline: median(b) * 1000 })
    }
  }
  server.close()
  // createUser ×100k vs the same faker fields into a Map by hand; then heap per user.
  let N = 20000
  const byHand = () => {
    const f = new faker.constructor({ locale: faker.rawDefinitions }); f.seed(1)
    const m = new Map()
    for (let i = 0; i < N; i++) {
      // The same fields as the harness's fake user holds: confirmed_at is its own time after created_at.
      const first = f.person.firstName(), last = f.person.lastName(), c = f.date.past({ years: 1 }), created = c.toISOString()
      const confirmed = new Date(c.getTime() + f.number.int({ min: 1000, max: 172800000 })).toISOString()
      const u = { id: f.string.uuid(), aud: '', role: '', email: f.internet.exampleEmail({ firstName: first, lastName: last }).toLowerCase(), confirmed_at: confirmed, app_metadata: { provider: 'email' }, user_metadata: { full_name: first + ' ' + last }, created_at: created, updated_at: confirmed }
      m.set(u.id, u)
    }
    return m
  }
  const harness = () => { const identity = createIdentity({ seed: 2 }); for (let i = 0; i < N; i++) identity.createUser(); return identity }
  const t = (fn) => { const s = performance.now(); const v = fn(); return [performance.now() - s, v] }
  const times = { h: [], b: [] }
  for (let i = 0; i < 7; i++) { times.h.push(t(harness)[0]); times.b.push(t(byHand)[0]) }
  N = 100000
  let h0 = await heap(); let keep = harness(); const hm = (await heap() - h0) / N; keep = undefined
  h0 = await heap(); keep = byHand(); const bm = (await heap() - h0) / N; keep = undefined
  out.create = { harness: median(times.h), baseline: median(times.b) }
  out.memory = { harness: hm, baseline: bm }
  process.stdout.write(JSON.stringify(out))
  `
  writeFileSync(join(tmp, 'store.mjs'), script)
  const r = JSON.parse(runNode(['--expose-gc', '--max-old-space-size=4096', join(tmp, 'store.mjs')]))
  for (const kind of ['list', 'filter']) {
    log(`  ${kind} curve: ${r[kind].map((p) => `${p.size}: ${(p.harness / p.baseline).toFixed(2)}×`).join(', ')}`)
  }
  const at = (kind) => r[kind].at(-1)
  const curve = (kind) => ({ curve: r[kind].map((p) => ({ size: p.size, ratio: p.harness / p.baseline })) })
  return [
    row('6a. GET /admin/users page 1/50 at 100k users vs bare msw (median µs)', at('list').harness, at('list').baseline, 2, 'µs', curve('list')),
    row('6b. filter= at 100k users vs bare msw (median µs)', at('filter').harness, at('filter').baseline, 3, 'µs', curve('filter')),
    row('6c. createUser ×20k vs faker fields into a Map (median ms)', r.create.harness, r.create.baseline, 1.2, 'ms'),
    row('6d. heap per stored user vs hand-built Map (B)', r.memory.harness, r.memory.baseline, 1.1, 'B'),
  ]
}
