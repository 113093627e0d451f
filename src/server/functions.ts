import { existsSync, watch } from 'node:fs'
import type { FSWatcher } from 'node:fs'
import { listFunctions } from '../functions/discover.js'
import type { ResolvedFunction } from '../functions/resolve.js'
import { resolveInput } from '../functions/resolve.js'
import { eventFromName, eventFunctionName } from '../events.js'
import { matchPath } from '../netlify/v2-context.js'
import type { IdentityEvent } from '../types.js'
import { errorLabel } from '../errors.js'

/** One of the site's functions as the front door routes to it. @internal */
export interface ServedFunction {
  /** The Netlify function name (file or folder name). */
  name: string
  /** The file loaded (a folder's entry file). */
  file: string
  /** For `identity-<event>` (and `-background`): the event. */
  event: IdentityEvent | undefined
  /** A `-background` name or `config.background` (functions-runtime.md §5). */
  background: boolean
  /** v2 `config.path` patterns (functions-runtime.md §2.1). */
  paths: string[]
  /** v2 `config.excludedPath` patterns. */
  excludedPaths: string[]
  /** v2 `config.method`, upper-case; empty = every method. */
  methods: string[]
  /** v2 `config.preferStatic`: an existing static file wins over the function. */
  preferStatic: boolean
  /** Why the file could not be loaded when the table was built (it is then routed by name only). */
  loadError: string | undefined
}

function list(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
}

function describe(name: string, file: string, resolved: ResolvedFunction | undefined, loadError: string | undefined): ServedFunction {
  const config = resolved?.config ?? {}
  return {
    name,
    file,
    event: eventFromName(name),
    background: resolved?.background === true || name.endsWith('-background'),
    paths: list(config.path),
    excludedPaths: list(config.excludedPath),
    methods: list(config.method).map((m) => m.toUpperCase()),
    preferStatic: config.preferStatic === true,
    loadError,
  }
}

/** What the table reports as it changes. @internal */
export type FunctionsListener = (event: { type: 'reload'; files: string[] } | { type: 'load-error'; name: string; message: string }) => void

/**
 * The site's functions directory, kept current: names, identity event functions and v2
 * `config.path` routes, rebuilt when a file there changes. The modules themselves are the
 * loader's: a changed file is rebuilt on its next call (the loader compares every bundled
 * input's mtime and size), so a request always runs the current code.
 * @internal
 */
export class FunctionTable {
  readonly dir: string | undefined
  #functions: ServedFunction[] = []
  #ready: Promise<void> = Promise.resolve()
  #stale = false
  #watcher: FSWatcher | undefined
  #timer: NodeJS.Timeout | undefined
  #changed = new Set<string>()
  readonly #listener: FunctionsListener
  #runtimeEnv: Readonly<Record<string, string>> | undefined

  constructor(dir: string | undefined, listener: FunctionsListener) {
    this.dir = dir && existsSync(dir) ? dir : undefined
    this.#listener = listener
  }

  /** Netlify's runtime variables (`URL`, `CONTEXT`, …) that module scope sees while a file loads, as calls do. */
  useRuntimeEnv(env: Readonly<Record<string, string>>): void {
    this.#runtimeEnv = env
  }

  /** Lists and loads every function (a failing one is kept, by name, with its error). */
  refresh(): Promise<void> {
    this.#stale = false
    this.#ready = this.#build()
    return this.#ready
  }

  async #build(): Promise<void> {
    if (!this.dir) return
    const found = existsSync(this.dir) ? listFunctions(this.dir) : []
    this.#functions = await Promise.all(
      found.map(async ({ name, path }) => {
        try {
          return describe(name, path, await resolveInput(path, {}, { runtimeEnv: this.#runtimeEnv }), undefined)
        } catch (error) {
          const message = errorLabel(error)
          this.#listener({ type: 'load-error', name, message })
          return describe(name, path, undefined, message)
        }
      }),
    )
  }

  /** The current table (rebuilt first when files changed). */
  async functions(): Promise<readonly ServedFunction[]> {
    if (this.#stale) void this.refresh()
    await this.#ready
    return this.#functions
  }

  /** The function named `name`, if any. */
  async byName(name: string): Promise<ServedFunction | undefined> {
    return (await this.functions()).find((f) => f.name === name)
  }

  /**
   * The v2 function whose `config.path` matches a path and method (and no `excludedPath` does),
   * in table order; `staticExists` decides `preferStatic` (netlify/cli `functions/registry.ts`).
   */
  async byPath(path: string, method: string, staticExists: () => Promise<boolean>): Promise<ServedFunction | undefined> {
    for (const fn of await this.functions()) {
      if (!fn.paths.some((p) => matchPath(p, path) !== undefined)) continue
      if (fn.excludedPaths.some((p) => matchPath(p, path) !== undefined)) continue
      if (fn.methods.length && !fn.methods.includes(method)) continue
      if (fn.preferStatic && (await staticExists())) continue
      return fn
    }
    return undefined
  }

  /**
   * The file wired to an identity event, as Netlify wires them by name: `identity-<event>`, else
   * its `-background` variant (functions-runtime.md §5, §6). Synchronous: the table as last built.
   */
  eventFunction(event: IdentityEvent): string | undefined {
    const candidates = this.#functions.filter((f) => f.event === event)
    return (candidates.find((f) => f.name === eventFunctionName(event)) ?? candidates[0])?.file
  }

  /** Watches the directory; a change marks the table stale and reports the files. */
  watch(): void {
    if (!this.dir || this.#watcher) return
    const onChange = (_type: string, filename: string | Buffer | null): void => {
      const file = filename ? String(filename) : ''
      // The loader's bundles are dot-files written beside the entry: not the user's changes.
      if (file.split(/[\\/]/).some((part) => part.startsWith('.')) || file.includes('node_modules')) return
      this.#changed.add(file)
      clearTimeout(this.#timer)
      this.#timer = setTimeout(() => {
        const files = [...this.#changed]
        this.#changed.clear()
        this.#stale = true
        void this.refresh().then(() => this.#listener({ type: 'reload', files }))
      }, 60)
      this.#timer.unref()
    }
    try {
      this.#watcher = watch(this.dir, { recursive: true }, onChange)
    } catch {
      this.#watcher = watch(this.dir, onChange)
    }
    this.#watcher.on('error', () => {})
    this.#watcher.unref()
  }

  close(): void {
    clearTimeout(this.#timer)
    this.#watcher?.close()
    this.#watcher = undefined
  }
}
