import { HarnessError } from '../errors.js'
import type { JsonValue } from '../types.js'

/**
 * A fault to inject into the emulated GoTrue (`identity.inject`), to test how a function handles
 * a failing or slow Identity API.
 */
export interface FaultSpec {
  /** HTTP method to match, case-insensitive; omit or `'*'` for any. */
  method?: string
  /**
   * Path relative to `identity.url` to match: exact (`/admin/users`), with `:param` segments
   * (`/admin/users/:id`) and `*` (any rest), or a RegExp tested against the path.
   */
  path: string | RegExp
  /**
   * Answer with this status instead of the real route. Omit to only delay (with `delayMs`) and
   * then answer normally.
   */
  status?: number
  /**
   * The body with `status`: an object is sent as JSON, a string as text. Default: GoTrue's error
   * shape `{ code, msg: "Injected fault" }` (plus `error_id` on 5xx); nothing for 204.
   */
  body?: JsonValue
  /** Wait this long (ms, real timers) before answering. */
  delayMs?: number
  /** How many matching requests the fault applies to; default: all until `identity.reset()` or `remove()`. */
  times?: number
}

/** An injected fault: how often it fired, and a way to remove it early. */
export interface Fault {
  /** How many requests it has applied to. */
  readonly hits: number
  /** Removes the fault. */
  remove(): void
}

/** Statuses a response may not have a body with (Fetch standard "null body status"). */
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([204, 205, 304])

function isJsonValue(value: unknown, depth = 0): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true
  if (typeof value === 'number') return Number.isFinite(value)
  if (depth > 100 || typeof value !== 'object') return false
  if (Array.isArray(value)) return value.every((v) => isJsonValue(v, depth + 1))
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return false
  return Object.values(value).every((v) => isJsonValue(v, depth + 1))
}

/** @internal */
interface ActiveFault extends Fault {
  spec: FaultSpec
  method: string | undefined
  test: (path: string) => boolean
  remaining: number
  count: number
}

/** @internal */
export class Faults {
  #active: ActiveFault[] = []

  add(spec: FaultSpec): Fault {
    if (!spec || typeof spec !== 'object') throw new HarnessError('ERR_INVALID_FAULT', 'inject() takes { method?, path, status?, body?, delayMs?, times? }')
    if (typeof spec.path !== 'string' && !(spec.path instanceof RegExp)) {
      throw new HarnessError('ERR_INVALID_FAULT', 'inject() needs a path relative to identity.url, e.g. "/admin/users/:id"')
    }
    if (spec.status !== undefined && (!Number.isInteger(spec.status) || spec.status < 200 || spec.status > 599)) {
      throw new HarnessError('ERR_INVALID_FAULT', `status must be an HTTP status (200–599); got ${String(spec.status)}`)
    }
    if (spec.path instanceof RegExp && (spec.path.global || spec.path.sticky)) {
      // A g or y RegExp keeps lastIndex between tests: it would match every other request.
      throw new HarnessError('ERR_INVALID_FAULT', `the path RegExp ${String(spec.path)} has the ${spec.path.global ? 'g' : 'y'} flag, which makes test() depend on earlier calls: drop the flag`)
    }
    if (spec.method !== undefined && typeof spec.method !== 'string') {
      throw new HarnessError('ERR_INVALID_FAULT', `method must be an HTTP method name or '*'; got ${String(spec.method)}`)
    }
    if (spec.status !== undefined && NULL_BODY_STATUSES.has(spec.status) && spec.body !== undefined) {
      // The Fetch standard forbids a body with these statuses: no HTTP answer could carry it.
      throw new HarnessError('ERR_INVALID_FAULT', `status ${spec.status} cannot have a body (the Fetch standard forbids it): drop body, or use another status`)
    }
    if (spec.body !== undefined && !isJsonValue(spec.body)) {
      throw new HarnessError('ERR_INVALID_FAULT', 'body must be JSON data (an object, array, string, number, boolean or null)')
    }
    if (spec.delayMs !== undefined && (!Number.isFinite(spec.delayMs) || spec.delayMs < 0)) {
      throw new HarnessError('ERR_INVALID_FAULT', `delayMs must be a non-negative number; got ${String(spec.delayMs)}`)
    }
    if (spec.times !== undefined && (!Number.isInteger(spec.times) || spec.times < 1)) {
      throw new HarnessError('ERR_INVALID_FAULT', `times must be a positive integer; got ${String(spec.times)}`)
    }
    if (spec.status === undefined && spec.delayMs === undefined) {
      throw new HarnessError('ERR_INVALID_FAULT', 'inject() needs a status (to fail) or a delayMs (to slow down), or both')
    }
    const method = spec.method === undefined || spec.method === '*' ? undefined : spec.method.toUpperCase()
    const faults = this
    const fault: ActiveFault = {
      spec,
      method,
      test: pathMatcher(spec.path),
      remaining: spec.times ?? Infinity,
      count: 0,
      get hits() {
        return this.count
      },
      remove() {
        faults.#active = faults.#active.filter((f) => f !== fault)
      },
    }
    this.#active.push(fault)
    return fault
  }

  /** The first fault that applies to a request, consumed once; `undefined` when none. */
  take(method: string, path: string): FaultSpec | undefined {
    if (this.#active.length === 0) return undefined
    for (const f of this.#active) {
      if ((f.method === undefined || f.method === method) && f.test(path)) {
        f.count++
        if (--f.remaining <= 0) f.remove()
        return f.spec
      }
    }
    return undefined
  }

  clear(): void {
    this.#active = []
  }
}

function pathMatcher(path: string | RegExp): (p: string) => boolean {
  if (path instanceof RegExp) return (p) => path.test(p)
  const normalized = path.startsWith('/') ? path : `/${path}`
  if (!/[:*]/.test(normalized)) return (p) => p === normalized
  const source = normalized
    .split('/')
    .map((seg) => (seg === '*' ? '.*' : seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/')
  const re = new RegExp(`^${source}$`)
  return (p) => re.test(p)
}
