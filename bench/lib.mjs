/**
 * Shared helpers for the benchmark cases in bench/cases/. Every case measures the harness and a
 * baseline in the same run and reports ratios of medians (the machines are noisy; only ratios count).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

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

/**
 * The binary of Node `major` from the npm \`node\` package, installed once under
 * .cache/node-bin/<major> (where the version matrix keeps it too).
 */
export function nodeBinary(major) {
  const dir = join(root, '.cache', 'node-bin', String(major))
  const bin = join(dir, 'node_modules', 'node', 'bin', 'node')
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'package.json'), '{"private":true}')
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `node@${major}`], { cwd: dir, encoding: 'utf8' })
    if (r.status !== 0 || !existsSync(bin)) throw new Error(`npm install node@${major} failed:\n${r.stderr}`)
  }
  return bin
}

/**
 * Alternates `a` and `b` (A B A B …) `n` times so that drift in the machine's speed hits both
 * alike; returns both lists of results.
 */
export function alternate(n, a, b) {
  const as = []
  const bs = []
  for (let i = 0; i < n; i++) {
    as.push(a(i))
    bs.push(b(i))
  }
  return [as, bs]
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
