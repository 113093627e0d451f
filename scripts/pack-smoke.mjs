#!/usr/bin/env node
// Packs the package as npm would publish it, installs the tarball into a fresh project and runs
// the README's quick start against it: proves `exports`, `files`, types and dependencies are right.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const work = mkdtempSync(join(tmpdir(), 'nih-pack-'))
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' })
try {
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], root))
  const tarball = join(work, packed[0].filename)
  const files = packed[0].files.map((f) => f.path)
  // The example site the README's recipes name, and its tests, ship so a user can copy them.
  for (const required of ['dist/index.js', 'dist/index.d.ts', 'README.md', 'package.json', 'docs/api.md', 'docs/check-report.schema.json', 'examples/site/netlify/functions/promote.mjs', 'examples/site/netlify/functions/identity-signup.js', 'examples/vitest/site.test.ts', 'examples/jest/site.test.mjs', 'examples/widget-site/public/index.html']) {
    if (!files.includes(required)) throw new Error(`the tarball lacks ${required}`)
  }
  if (files.some((f) => f.startsWith('src/') || f.startsWith('test/'))) throw new Error('the tarball ships sources or tests')

  const app = join(work, 'app')
  run('mkdir', ['-p', app], work)
  const msw = JSON.parse(readFileSync(join(root, 'node_modules/msw/package.json'), 'utf8')).version
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }))
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, `msw@${msw}`], app)
  writeFileSync(join(app, 'smoke.mjs'), `
import { createIdentity, expectAllowsSignup, expectAppMetadata, expectBlocksSignup } from 'netlify-identity-harness'
const identity = createIdentity({ seed: 1 })
const handler = async (event) => {
  const { user } = JSON.parse(event.body)
  return { statusCode: 200, body: JSON.stringify({ app_metadata: { ...user.app_metadata, roles: ['member'] } }) }
}
const outcome = await identity.trigger(handler, 'signup', identity.fakeUser())
expectAllowsSignup(outcome)
expectAppMetadata(outcome, { provider: 'email', roles: ['member'] })
expectBlocksSignup(await identity.trigger(async () => ({ statusCode: 403 }), 'validate'))
// A HarnessError's stack starts at the caller: the installed harness's own frames are left out.
const misuse = await identity.trigger('netlify/functions/no-such-function.js', identity.fakeUser()).then(() => undefined, (e) => e)
if (misuse?.code !== 'ERR_FUNCTION_NOT_FOUND') throw new Error('expected ERR_FUNCTION_NOT_FOUND, got ' + misuse)
const frames = misuse.stack.split('\\n').filter((line) => /^\\s+at /.test(line))
if (frames.some((line) => line.includes('netlify-identity-harness'))) throw new Error('harness frames in a HarnessError stack:\\n' + misuse.stack)
if (!frames[0]?.includes('smoke.mjs')) throw new Error('the first frame is not the caller:\\n' + misuse.stack)
// A function's crash: the 500 body's trace has the function's frames, not the harness's.
const crashed = await identity.trigger(async () => { throw new Error('boom') }, 'signup', identity.fakeUser())
const trace = crashed.response.body
if (!trace.startsWith('Error: boom') || !trace.includes('smoke.mjs')) throw new Error('the crash body lacks the error or its frame:\\n' + trace)
if (trace.includes('netlify-identity-harness')) throw new Error('harness frames in the crash body:\\n' + trace)
console.log('pack smoke: ok')
`)
  process.stdout.write(run('node', ['smoke.mjs'], app))
  // require() of the library entries (Node's require(esm): no entry may have a top-level await).
  process.stdout.write(
    run('node', ['-e', `for (const id of ['netlify-identity-harness', 'netlify-identity-harness/serializer', 'netlify-identity-harness/server']) require(id)
console.log('pack smoke: require() ok on Node ' + process.versions.node)`], app),
  )
} finally {
  rmSync(work, { recursive: true, force: true })
}
