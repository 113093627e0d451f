/**
 * Node binaries of other versions, from the npm `node` package, kept under .cache/node-bin/<spec>
 * (git-ignored) and shared by the version matrix (scripts/matrix.mjs) and the benchmarks
 * (bench/lib.mjs). The suite on Node 22 (scripts/ci-node22.sh) uses the same folder.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** Where Node `spec` (a version or a major) is kept, and the binary inside. */
export function nodeBin(root, spec) {
  const dir = join(root, '.cache', 'node-bin', String(spec))
  return { dir, bin: join(dir, 'node_modules', 'node', 'bin', 'node') }
}

/** Makes the folder ready and returns the `npm` arguments that install Node `spec` into it (run them in `dir`). */
export function nodeInstall(root, spec) {
  const { dir } = nodeBin(root, spec)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'package.json'), '{"private":true}')
  return { dir, args: ['install', '--no-audit', '--no-fund', '--prefer-offline', `node@${spec}`] }
}
