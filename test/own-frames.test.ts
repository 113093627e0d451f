/**
 * The harness's own stack frames are left out where a user reads a stack: a HarnessError's
 * (Jest and Vitest show the code of its first frame) and a crashed function's 500 body (production's
 * trace has the function's frames and the runtime's). The packed tarball is checked the same way
 * (scripts/pack-smoke.mjs).
 */
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { createIdentity, HarnessError } from '../src/index.js'
import { isOwnFrame, withoutOwnFrames } from '../src/own-frames.js'

const root = join(import.meta.dirname, '..')

test('frames in src/ and dist/ are the harness\'s; tests, fixtures and node: frames are not', () => {
  expect(isOwnFrame(`    at locate (${join(root, 'src/functions/load.ts')}:80:11)`)).toBe(true)
  expect(isOwnFrame(`    at run (file://${join(root, 'dist/chunk-AAAA.js')}:1:2)`)).toBe(true)
  expect(isOwnFrame(`    at Object.<anonymous> (${join(root, 'test/x.test.ts')}:5:34)`)).toBe(false)
  expect(isOwnFrame('    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)')).toBe(false)
  const only = `Error: x\n    at a (${join(root, 'src/a.ts')}:1:1)`
  expect(withoutOwnFrames(only)).toBe(only) // nothing else: kept whole
})

test('a HarnessError starts at the caller', async () => {
  const identity = createIdentity({ seed: 1 })
  const error = await identity.trigger('test/fixtures/no-such-function.js', identity.fakeUser()).then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(HarnessError)
  const frames = (error as Error).stack!.split('\n').filter((l) => /^\s+at /.test(l))
  expect(frames[0]).toContain('own-frames.test.ts')
  expect(frames.some(isOwnFrame)).toBe(false)
})

test('a crashed function\'s 500 body traces the function, not the harness', async () => {
  const identity = createIdentity({ seed: 1 })
  const outcome = await identity.trigger(async () => {
    throw new Error('boom')
  }, 'signup', identity.fakeUser())
  const body = outcome.response!.body
  expect(body.startsWith('Error: boom\n')).toBe(true)
  expect(body).toContain('own-frames.test.ts')
  expect(body.split('\n').some(isOwnFrame)).toBe(false)
  expect(body).not.toContain(join(root, 'src'))
})
