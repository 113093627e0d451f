import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { HarnessError } from './errors.js'

/**
 * The peer ranges the version matrix proves (scripts/matrix.mjs), as in package.json's
 * `peerDependencies` (test/peer-ranges.test.ts holds them equal). Only `^x.y.z` alternatives
 * joined by `||`.
 * @internal
 */
export const SUPPORTED_RANGES = {
  vitest: '^4.1.0 || ^5.0.0',
  '@jest/globals': '^29.7.0 || ^30.0.0',
  msw: '^2.12.0 || ^3.0.0',
} as const

const UPGRADE: Record<CheckedPeer, string> = {
  vitest: '`npm i -D vitest@latest` (Vitest 5 needs Node 22.12+; on Node 20, `npm i -D vitest@^4.1`)',
  '@jest/globals': '`npm i -D jest@latest @jest/globals@latest` (Jest 29.7 and 30 are supported)',
  msw: '`npm i -D msw@latest` (msw 3 needs Node 22.12+; on Node 20, `npm i -D msw@^2.12`)',
}

/** A peer whose range the harness checks. @internal */
export type CheckedPeer = keyof typeof SUPPORTED_RANGES

function parse(version: string): [number, number, number] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version.trim())
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined
}

/**
 * Whether `version` satisfies a range of `^x.y.z` alternatives (semver caret semantics for
 * x ≥ 1; a prerelease counts as its release, so `5.0.0-beta.1` is inside `^5.0.0`).
 * @internal
 */
export function satisfiesRange(version: string, range: string): boolean {
  const v = parse(version)
  if (!v) return false
  return range.split('||').some((alternative) => {
    const floor = parse(alternative.trim().replace(/^\^/, ''))
    if (!floor) return false
    if (v[0] !== floor[0]) return false
    return v[1] > floor[1] || (v[1] === floor[1] && v[2] >= floor[2])
  })
}

/**
 * The version of the installed package `name` as Node resolves it from the harness, or
 * `undefined` when it is not installed. Reads its package.json (through `exports` when the
 * package exports it, else from the node_modules folders Node would search).
 * @internal
 */
export function installedVersion(name: string, from: string = import.meta.url): string | undefined {
  const require = createRequire(from)
  try {
    return (require(`${name}/package.json`) as { version?: string }).version
  } catch {
    for (const dir of require.resolve.paths(name) ?? []) {
      const file = join(dir, name, 'package.json')
      if (existsSync(file)) {
        try {
          return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version
        } catch {
          return undefined
        }
      }
    }
    return undefined
  }
}

/**
 * Throws `ERR_UNSUPPORTED_RUNNER` when the installed `peer` is outside the range the harness
 * supports, naming the version found and the range, so that an old runner fails at import
 * instead of with an undefined fixture later. An undetectable version passes (the import of the
 * peer itself has already succeeded).
 * @internal
 */
export function assertSupportedPeer(peer: CheckedPeer, entry: string, found: string | undefined = installedVersion(peer)): void {
  const range = SUPPORTED_RANGES[peer]
  if (found === undefined || satisfiesRange(found, range)) return
  throw new HarnessError(
    'ERR_UNSUPPORTED_RUNNER',
    `${entry} needs ${peer} ${range}, but ${peer} ${found} is installed. ` +
      `Upgrade it: ${UPGRADE[peer]}, or use the core entry (netlify-identity-harness) with your own runner.`,
  )
}
