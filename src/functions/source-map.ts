import { SourceMap } from 'node:module'
import type { SourceMapPayload } from 'node:module'
import { dirname, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { errorLabel } from '../errors.js'

/**
 * Maps stack frames of loaded function bundles back to the user's original files. Every bundle
 * the loader evaluates registers its source map under the path its frames show (the temporary
 * ESM file, or the original file name a CommonJS bundle is compiled under); {@link mapStack}
 * rewrites `path:line:column` of those frames to the original source, line and column. Node's
 * own `--enable-source-maps` is process-wide and yields to any `Error.prepareStackTrace` a test
 * runner installs, so the harness maps the frames it shows itself. Under Vitest, the bundle is
 * imported through Vite, which reads the inline map and maps the frames already.
 * @internal
 */
const maps = new Map<string, SourceMap | SourceMapPayload>()

/** The parsed map of a registered bundle: parsed on first use (most bundles never throw, issue 12 7a). */
function mapOf(framePath: string): SourceMap | undefined {
  const known = maps.get(framePath)
  if (known === undefined || known instanceof SourceMap) return known
  const parsed = new SourceMap(known)
  maps.set(framePath, parsed)
  return parsed
}

/** The harness's own source folder (`src/` or `dist/`): its frames are never the user's. */
const HARNESS_DIR = ((): string => {
  const here = dirname(fileURLToPath(import.meta.url))
  return here.endsWith('/functions') || here.endsWith('\\functions') ? dirname(here) : here
})()

/**
 * Registers the source map of a bundle whose frames show `framePath`. `sources` are resolved
 * from `sourcesDir` (esbuild writes them relative to the output file) so mapped frames are
 * absolute paths.
 * @internal
 */
export function registerSourceMap(framePath: string, payload: SourceMapPayload, sourcesDir: string): void {
  maps.set(framePath, absoluteMap(payload, sourcesDir))
}

/** A map with its `sources` resolved from `sourcesDir` (absolute paths; no `sourceRoot`). @internal */
export function absoluteMap(payload: SourceMapPayload, sourcesDir: string): SourceMapPayload {
  return { ...payload, sources: payload.sources.map((s) => resolve(sourcesDir, s)), sourceRoot: '' }
}

/** The inline source-map comment's prefix, kept apart from any line break (see {@link withInlineMap}). */
const SOURCE_MAP_COMMENT = ['//', '# sourceMappingURL=data:application/json;charset=utf-8;base64,'].join('')

/**
 * A bundle's code with its map inline, `sources` resolved from `sourcesDir` (for a module file
 * that Node, Vite or a reader of the file maps on its own).
 * @internal
 */
export function withInlineMap(code: string, payload: SourceMapPayload, sourcesDir: string): string {
  const map = absoluteMap(payload, sourcesDir)
  // Never written as one literal with a line break: esbuild would emit a real newline, and the
  // harness's own dist/ would then carry a line that looks like a source-map comment (Vitest 4.1.0
  // reads it when it maps a stack frame there, and crashes on the non-JSON it decodes).
  return code + '\n' + SOURCE_MAP_COMMENT + Buffer.from(JSON.stringify(map)).toString('base64') + '\n'
}

/** Forgets a bundle's map (its module is no longer reachable). @internal */
export function forgetSourceMap(framePath: string): void {
  maps.delete(framePath)
}

/** `path:line:column` inside a frame, the path either a file path or a `file:` URL. */
const LOCATION = /(?<=^|[\s(])((?:file:\/\/)?(?:\/|[A-Za-z]:[\\/])[^\s()]*?):(\d+):(\d+)/g

/**
 * The query a later instance of an imported module carries (`?nih-instance=<n>`, see load.ts):
 * an artefact of the harness, never part of the user's file name.
 */
const INSTANCE_QUERY = /\?nih-instance=\d+$/

/** A frame's path as a file path: a `file:` URL converted, the instance query dropped. */
function toPath(p: string): string {
  if (!p.startsWith('file://')) return p.replace(INSTANCE_QUERY, '')
  try {
    return fileURLToPath(p)
  } catch {
    return p
  }
}

/**
 * `path:line:column` mapped to the original source when `path` is a registered bundle; the
 * input unchanged otherwise.
 * @internal
 */
export function mapLocation(path: string, line: number, column: number): { file: string; line: number; column: number } {
  const map = mapOf(toPath(path))
  if (map) {
    const entry = map.findEntry(line - 1, column - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number }
    if (entry.originalSource !== undefined && entry.originalLine !== undefined && entry.originalColumn !== undefined) {
      return { file: toPath(entry.originalSource), line: entry.originalLine + 1, column: entry.originalColumn + 1 }
    }
  }
  return { file: toPath(path), line, column }
}

/**
 * A stack trace with every frame of a loaded bundle rewritten to the user's original file, line
 * and column, and the instance query of a module imported again (`?nih-instance=<n>`) dropped;
 * other frames are left as they are.
 * @internal
 */
export function mapStack(stack: string): string {
  if (maps.size === 0 && !stack.includes('?nih-instance=')) return stack
  return stack.replace(LOCATION, (whole, path: string, line: string, column: string) => {
    if (!maps.has(toPath(path))) return INSTANCE_QUERY.test(path) ? `${path.replace(INSTANCE_QUERY, '')}:${line}:${column}` : whole
    const at = mapLocation(path, Number(line), Number(column))
    return `${at.file}:${at.line}:${at.column}`
  })
}

/** Errors whose stack was mapped already (a CommonJS frame names the original file: never map twice). */
const mappedErrors = new WeakMap<object, string>()

/**
 * The error's stack with its bundle frames mapped to the user's files, rewritten in place on the
 * error too (so a test runner printing it, or a `cause`, shows the user's file); mapped once per
 * error. `undefined` for a value without a string stack. Never throws.
 * @internal
 */
export function mappedStack(error: unknown): string | undefined {
  try {
    if (!(error instanceof Error)) return undefined
    const done = mappedErrors.get(error)
    if (done !== undefined) return done
    const stack = error.stack
    if (typeof stack !== 'string') return undefined
    const mapped = mapStack(stack)
    mappedErrors.set(error, mapped)
    if (mapped !== stack) Object.defineProperty(error, 'stack', { value: mapped, writable: true, configurable: true, enumerable: false })
    return mapped
  } catch {
    return undefined // a frozen error, a throwing getter, a Proxy
  }
}

/** Maps `error.stack` in place (see {@link mappedStack}). @internal */
export function mapErrorStack(error: unknown): void {
  mappedStack(error)
}

/**
 * Where an error was thrown in the user's code: the first stack frame (mapped) that is neither
 * Node's, a package's, nor the harness's own, as `file:line:column`; `undefined` when the
 * stack shows none. Never throws.
 * @internal
 */
export function userLocation(error: unknown): string | undefined {
  const stack = mappedStack(error)
  if (stack === undefined) return undefined
  for (const line of stack.split('\n')) {
    if (!/^\s+at /.test(line)) continue
    LOCATION.lastIndex = 0
    let found: RegExpExecArray | null
    let last: RegExpExecArray | undefined
    while ((found = LOCATION.exec(line))) last = found
    if (!last) continue
    const file = toPath(last[1]!)
    if (file.startsWith('node:') || /[\\/]node_modules[\\/]/.test(file) || file.startsWith(HARNESS_DIR + sep)) continue
    return `${file}:${last[2]}:${last[3]}`
  }
  return undefined
}

/**
 * ` (cause: Name: message)` for an error whose `cause` is an error: undici's `TypeError: fetch
 * failed` says what went wrong only there (ECONNREFUSED, ENOTFOUND, the harness's refusal naming
 * the URL). Never throws.
 */
function causeOf(error: unknown): string {
  try {
    const cause = (error as { cause?: unknown } | null)?.cause
    if (!(cause instanceof Error)) return ''
    const message = String(cause.message).replace(/^\[netlify-identity-harness\] /, '')
    return ` (cause: ${String(cause.name)}: ${message})`
  } catch {
    return ''
  }
}

/**
 * `Name: message at file:line:column` for an error a function threw (the `threw` diagnostic),
 * its stack mapped to the user's files first; a `ReferenceError` for an undeclared name says
 * that ES modules are strict. Never throws.
 * @internal
 */
export function thrownAt(error: unknown): string {
  mapErrorStack(error)
  const at = userLocation(error)
  let hint = ''
  try {
    if (error instanceof ReferenceError && /is not defined$/.test(error.message)) {
      hint = ' (an undeclared variable: ES modules and "use strict" code throw even on an assignment such as `x = 1`; declare it with let or const)'
    }
  } catch {
    // a throwing getter
  }
  return `${errorLabel(error)}${at ? ` at ${at}` : ''}${hint}${causeOf(error)}`
}
