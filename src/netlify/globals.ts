import { AsyncLocalStorage } from 'node:async_hooks'
import type { TokenClaims } from '../tokens/claims.js'
import type { V2Context } from './v2-context.js'

/** `Netlify.env` (functions-runtime.md §2.2): a view of `process.env`. */
export interface NetlifyEnv {
  /** A variable's value, or `undefined`. */
  get(key: string): string | undefined
  /** Sets a variable for the rest of the process, as in production. */
  set(key: string, value: string): void
  /** Whether a variable is set. */
  has(key: string): boolean
  /** Unsets a variable. */
  delete(key: string): void
  /** A copy of every set variable. */
  toObject(): Record<string, string>
}

/** The `globalThis.Netlify` a v2 function sees: `{ context, env }`. */
export interface NetlifyGlobal {
  /** The current request's `Context`, `null` outside a request (e.g. at module scope). */
  context: V2Context | null
  /** Environment variables. */
  env: NetlifyEnv
}

/**
 * `globalThis.netlifyIdentityContext`, which production's v2 bootstrap decodes from the
 * `x-nf-identity-info` header (functions-runtime.md §2.3) and `@netlify/identity` reads.
 */
export interface NetlifyIdentityContext {
  /** GoTrue's endpoint, `${siteUrl}/.netlify/identity`. */
  url: string
  /** A short-lived admin (operator) token, `sub: "0"`. */
  token: string
  /** The verified claims of the signed-in user, when there is one. */
  user?: TokenClaims
}

/** What one call sees through the globals. @internal */
export interface GlobalScope {
  netlify: NetlifyGlobal
  identity: NetlifyIdentityContext | undefined
}

const netlifyEnv: NetlifyEnv = Object.freeze({
  get: (key: string) => process.env[key],
  set: (key: string, value: string) => {
    process.env[key] = value
  },
  has: (key: string) => process.env[key] !== undefined,
  delete: (key: string) => {
    delete process.env[key]
  },
  toObject: () => Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)),
})

/** The env object every scope shares. @internal */
export function getNetlifyEnv(): NetlifyEnv {
  return netlifyEnv
}

const STORE_KEY = Symbol.for('@netlify/functions/request-context-store')

/**
 * The AsyncLocalStorage `@netlify/functions`' `getContext()` reads: it looks for an
 * `AsyncLocalStorage` under `Symbol.for('@netlify/functions/request-context-store')` and reads
 * `getStore()?.context` (5.3.0 `dist/main.js`). Shared with that package whichever loads first.
 * @internal
 */
export function requestContextStore(): AsyncLocalStorage<{ context: V2Context }> {
  const g = globalThis as unknown as Record<symbol, unknown>
  const existing = g[STORE_KEY]
  if (existing instanceof AsyncLocalStorage) return existing as AsyncLocalStorage<{ context: V2Context }>
  const store = new AsyncLocalStorage<{ context: V2Context }>()
  g[STORE_KEY] = store
  return store
}

const scopes = new AsyncLocalStorage<GlobalScope>()
const NAMES = ['Netlify', 'netlifyIdentityContext'] as const
type Name = (typeof NAMES)[number]
let active = 0
const saved = new Map<Name, PropertyDescriptor | undefined>()
/** Values assigned outside any scope while our accessors are installed. */
const outside = new Map<Name, unknown>()

/** One accessor per name, made once, so that a later check can tell ours from a replacement. */
const accessors = new Map<Name, PropertyDescriptor>(NAMES.map((name) => [name, {
  configurable: true,
  enumerable: false,
  get() {
    const scope = scopes.getStore()
    if (!scope) return outside.get(name)
    return name === 'Netlify' ? scope.netlify : scope.identity
  },
  set(value: unknown) {
    const scope = scopes.getStore()
    if (!scope) outside.set(name, value)
    else if (name === 'Netlify') scope.netlify = value as NetlifyGlobal
    else scope.identity = value as NetlifyIdentityContext | undefined
  },
}]))

function install(): void {
  for (const name of NAMES) {
    const previous = Object.getOwnPropertyDescriptor(globalThis, name)
    saved.set(name, previous)
    outside.set(name, previous ? ('value' in previous ? previous.value : previous.get?.call(globalThis)) : undefined)
    Object.defineProperty(globalThis, name, accessors.get(name)!)
  }
}

/**
 * Puts our accessors back where a call deleted or redefined them (`delete globalThis.Netlify`
 * inside one call must not break the calls after it; issue 10 §2). Only the deleting call's
 * concurrent siblings can see the gap, until the next call starts.
 */
function repair(): void {
  for (const name of NAMES) {
    const mine = accessors.get(name)!
    if (Object.getOwnPropertyDescriptor(globalThis, name)?.get !== mine.get) Object.defineProperty(globalThis, name, mine)
  }
}

function uninstall(): void {
  for (const name of NAMES) {
    const previous = saved.get(name)
    const value = outside.get(name)
    if (previous && !('value' in previous)) Object.defineProperty(globalThis, name, previous)
    else if (previous || value !== undefined) {
      Object.defineProperty(globalThis, name, { configurable: true, enumerable: previous?.enumerable ?? true, writable: true, value })
    } else delete (globalThis as Record<string, unknown>)[name]
  }
  saved.clear()
  outside.clear()
}

/**
 * Runs `fn` with `globalThis.Netlify`, `globalThis.netlifyIdentityContext` and the request
 * context store set for this call only. The globals are accessors backed by an
 * AsyncLocalStorage, so concurrent calls (and their async children) each see their own values;
 * when the last call ends the previous properties are put back.
 * @internal
 */
export async function withGlobals<T>(scope: GlobalScope, fn: () => Promise<T>): Promise<T> {
  if (active++ === 0) install()
  else repair()
  try {
    const context = scope.netlify.context
    return await scopes.run(scope, () => (context ? requestContextStore().run({ context }, fn) : fn()))
  } finally {
    if (--active === 0) uninstall()
    else repair()
  }
}
