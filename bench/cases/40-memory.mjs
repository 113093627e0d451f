/** Case 4: heap growth after 10,000 triggers and 10,000 admin PUTs (a Node process with --expose-gc). */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { dist, log, row, runNode, tmp } from '../lib.mjs'

export default function memory() {
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
  const memory = JSON.parse(runNode(['--expose-gc', join(tmp, 'memory.mjs')]))
  return [
    row('4a. heap growth, 10,000 triggers (MB)', memory.triggers, undefined, 10, 'MB'),
    row('4b. heap growth, 10,000 admin PUTs (MB)', memory.admin, undefined, 10, 'MB'),
  ]
}
