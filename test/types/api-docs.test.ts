// docs/api.md covers every export of every entry point with its TSDoc: it is generated from the
// sources, and this test fails when it is stale or when an export has no TSDoc.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, test } from 'vitest'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../..', import.meta.url))

test('docs/api.md is up to date and every export is documented (npm run docs:api)', async () => {
  const result = await run(process.execPath, ['scripts/api-docs.mjs', '--check'], { cwd: root }).then(
    () => '',
    (error: { stderr?: string }) => error.stderr ?? String(error),
  )
  expect(result).toBe('')
}, 60_000)
