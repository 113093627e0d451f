/**
 * Shared helpers for the benchmark cases in bench/cases/. Every case measures the harness and a
 * baseline in the same run and reports ratios of medians (the machines are noisy; only ratios count).
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { nodeBin, nodeInstall } from '../scripts/node-bin.mjs'

export const root = resolve(import.meta.dirname, '..')
export const tmp = join(root, '.tmp', 'bench')
export const dist = join(root, 'dist', 'index.js')
export const vitestBin = join(root, 'node_modules', 'vitest', 'vitest.mjs')

/** The median of a list of numbers. */
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/** Progress on stderr (stdout carries the table). */
export const log = (m) => process.stderr.write(`${m}\n`)

/**
 * Runs `node [args] script`, returns stdout; throws with stderr on a non-zero exit. `options.node`
 * is another Node binary (see {@link nodeBinary}); the rest goes to `spawnSync`.
 */
export function runNode(args, options = {}) {
  const { node = process.execPath, ...rest } = options
  const r = spawnSync(node, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...rest })
  if (r.status !== 0) throw new Error(`${node} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`)
  return r.stdout
}

/** The binary of Node `major` from the npm \`node\` package (scripts/node-bin.mjs), installed once. */
export function nodeBinary(major) {
  const { bin } = nodeBin(root, major)
  if (!existsSync(bin)) {
    const { dir, args } = nodeInstall(root, major)
    const r = spawnSync('npm', args, { cwd: dir, encoding: 'utf8' })
    if (r.status !== 0 || !existsSync(bin)) throw new Error(`npm install node@${major} failed:\n${r.stderr}`)
  }
  return bin
}

/**
 * Alternates the measures (A B A B …, or A B C A B C …) `n` times so that drift in the machine's
 * speed hits them alike; returns each one's list of results, in the order given.
 */
export function alternate(n, ...measures) {
  const results = measures.map(() => [])
  for (let i = 0; i < n; i++) measures.forEach((measure, k) => results[k].push(measure(i)))
  return results
}

/**
 * A result row. `target` is the ratio goal (harness / baseline ≤ target), or with `absolute`
 * an upper bound on `harness` itself.
 * @returns {{case: string, harness: number, baseline?: number, ratio?: number, target: number, unit: string, absolute?: boolean}}
 */
export function row(name, harness, baseline, target, unit, extra = {}) {
  return baseline === undefined
    ? { case: name, harness, baseline: undefined, ratio: undefined, target, unit, absolute: true, ...extra }
    : { case: name, harness, baseline, ratio: harness / baseline, target, unit, ...extra }
}
