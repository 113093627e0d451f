/**
 * The real bin in a child process: the bin runs dist/, so a bundle of the sources built the way
 * `npm run build` builds it stands in (in .tmp/, removed by the caller).
 */
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'

export const root = resolve(import.meta.dirname, '../..')

/** Every entry of the package's "build" script. */
export const PACKAGE_ENTRIES = ['src/index.ts', 'src/vitest.ts', 'src/vitest-plugin.ts', 'src/jest.ts', 'src/serializer.ts', 'src/server.ts', 'src/cli/main.ts']

/** The esbuild options of the package's "build" script, without its entries and output folder. */
export const PACKAGE_BUILD_OPTIONS = {
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
} as const

/**
 * Builds dist/cli/main.js (or every entry, `entries`) and bin/ into a fresh folder with the
 * package.json: a stand-in for the package; returns the bin's path and a cleanup.
 */
export async function buildBin(name: string, entries: string[] = ['src/cli/main.ts']): Promise<{ bin: string; dir: string; remove: () => void }> {
  const dir = join(root, '.tmp', `${name}-${process.pid}`)
  mkdirSync(join(dir, 'bin'), { recursive: true })
  copyFileSync(join(root, 'package.json'), join(dir, 'package.json'))
  copyFileSync(join(root, 'bin/netlify-identity-harness.mjs'), join(dir, 'bin/netlify-identity-harness.mjs'))
  const esbuild = await import('esbuild')
  await esbuild.build({
    ...PACKAGE_BUILD_OPTIONS,
    entryPoints: entries.map((e) => join(root, e)),
    outdir: join(dir, 'dist'),
    outbase: join(root, 'src'),
    logLevel: 'warning',
  })
  return { bin: join(dir, 'bin/netlify-identity-harness.mjs'), dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/**
 * The environment for a child: this one without the parent runner's variables (a child Vitest
 * must not think it is a worker) and `CI` (so a child Vitest writes new snapshots), colours off.
 */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: undefined, NO_COLOR: '1', CI: undefined, ...extra }
  for (const key of Object.keys(env)) if (env[key] === undefined || /^(VITEST|TINYPOOL|JEST_WORKER)/.test(key)) delete env[key]
  return env
}

/** Runs the bin (bounded in time) and returns its exit code and output. */
export function runBin(bin: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: options.cwd ?? root, env: childEnv(options.env), encoding: 'utf8', timeout: options.timeoutMs ?? 30_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}
