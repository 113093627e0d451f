/**
 * A snapshot serializer for the harness's own results: {@link HookOutcome}s and function
 * responses. Use it from `snapshotSerializers` (Vitest or Jest) or `expect.addSnapshotSerializer`;
 * `netlify-identity-harness/vitest` registers it for you.
 *
 * What it prints: JSON bodies parsed; UUIDs, RFC 3339 timestamps and JWTs replaced by placeholders
 * numbered in order of appearance (`[uuid-1]`, `[date-1]`; a JWT as `JWT { …claims }` without
 * `exp`/`iat`); keys sorted. So a snapshot does not change between runs, machines, or seeds that
 * only change ids and dates. It recognises only the harness's objects (a hook outcome, or an
 * object with exactly a function response's keys) and never touches other values.
 *
 * @packageDocumentation
 */
import { isHookOutcome } from './assertions/normalize.js'
import { decodeUnverified } from './tokens/verify.js'
import type { FunctionResponse, HookOutcome } from './types.js'
import { isRecord, parseJsonOrText } from './values.js'

/** The printer a runner passes to a serializer (pretty-format's `Printer`, structurally; `C` is its config). */
export type SnapshotPrinter<C> = (val: unknown, config: C, indentation: string, depth: number, refs: unknown[]) => string

/**
 * A pretty-format "new" plugin, the shape both Vitest (`SnapshotSerializer`) and Jest
 * (`snapshotSerializers`) accept.
 */
export interface IdentitySnapshotSerializer {
  /** Whether the value is one of the harness's objects this serializer prints. */
  test(val: unknown): boolean
  /** Prints the value with stable placeholders. */
  serialize<C>(val: unknown, config: C, indentation: string, depth: number, refs: unknown[], printer: SnapshotPrinter<C>): string
}

const RESPONSE_KEYS = ['body', 'headers', 'isBase64Encoded', 'multiValueHeaders', 'statusCode'] as const

/** Whether a value is exactly a {@link FunctionResponse} (its exact key set and types): what the serializer prints. */
export function isFunctionResponse(value: unknown): value is FunctionResponse {
  if (!isRecord(value)) return false
  const keys = Object.keys(value).sort()
  if (keys.length !== RESPONSE_KEYS.length || keys.some((k, i) => k !== RESPONSE_KEYS[i])) return false
  return typeof value.statusCode === 'number' && typeof value.body === 'string' && typeof value.isBase64Encoded === 'boolean' &&
    isRecord(value.headers) && isRecord(value.multiValueHeaders)
}

// Views: what the printer sees. Their class names head the printed objects; `test` skips them.
const HookOutcomeView = class HookOutcome {}
const FunctionResponseView = class FunctionResponse {}
const JwtView = class JWT {}
type View = InstanceType<typeof HookOutcomeView | typeof FunctionResponseView | typeof JwtView>

function isView(value: unknown): value is View {
  return value instanceof HookOutcomeView || value instanceof FunctionResponseView || value instanceof JwtView
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi
const TIMESTAMP = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})/g
const JWT = /eyJ[A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g
const WHOLE_JWT = /^eyJ[A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/

/** Numbered placeholders for one snapshot: the same value always gets the same number. */
class Placeholders {
  readonly #seen = new Map<string, string>()
  readonly #counts = new Map<string, number>()

  get(kind: string, value: string): string {
    const key = `${kind}\u0000${value.toLowerCase()}`
    let p = this.#seen.get(key)
    if (p === undefined) {
      const n = (this.#counts.get(kind) ?? 0) + 1
      this.#counts.set(kind, n)
      p = `[${kind}-${n}]`
      this.#seen.set(key, p)
    }
    return p
  }
}

function normalizeString(s: string, ph: Placeholders): unknown {
  if (WHOLE_JWT.test(s)) {
    const claims = decodeUnverified(s)
    if (claims) {
      const { exp: _exp, iat: _iat, ...rest } = claims
      return Object.assign(new JwtView(), normalizeValue(rest, ph))
    }
  }
  return s
    .replace(JWT, (m) => ph.get('jwt', m))
    .replace(UUID, (m) => ph.get('uuid', m))
    .replace(TIMESTAMP, (m) => ph.get('date', m))
}

function normalizeValue(value: unknown, ph: Placeholders): unknown {
  if (typeof value === 'string') return normalizeString(value, ph)
  if (value === null || typeof value !== 'object') return value
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? value : ph.get('date', value.toISOString())
  if (Array.isArray(value)) return value.map((v) => normalizeValue(v, ph))
  if (isHookOutcome(value)) return outcomeView(value, ph)
  if (isFunctionResponse(value)) return responseView(value, ph)
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value
  return sortedRecord(value as Record<string, unknown>, ph)
}

/** Keys in sorted order, values normalised in that order (so numbering follows the printed order). */
function sortedRecord(value: Record<string, unknown>, ph: Placeholders, into: object = {}): object {
  const out = into as Record<string, unknown>
  for (const key of Object.keys(value).sort()) out[key] = normalizeValue(value[key], ph)
  return out
}

function parseBody(body: string, isBase64Encoded: boolean): unknown {
  return isBase64Encoded || body === '' ? body : parseJsonOrText(body)
}

function responseView(response: FunctionResponse, ph: Placeholders): object {
  const diagnostics = (response as { diagnostics?: unknown }).diagnostics
  const fields: Record<string, unknown> = { ...response, body: parseBody(response.body, response.isBase64Encoded) }
  if (Array.isArray(diagnostics) && diagnostics.length > 0) fields.diagnostics = diagnostics
  return sortedRecord(fields, ph, new FunctionResponseView())
}

function outcomeView(outcome: HookOutcome, ph: Placeholders): object {
  const { background, ...fields } = outcome
  const record: Record<string, unknown> = { ...fields }
  // A background run is a promise: show that there is one, not its (unsettled) state.
  if (background !== undefined) record.background = '[background run]'
  return sortedRecord(record, ph, new HookOutcomeView())
}

/**
 * The snapshot serializer (default export). Prints hook outcomes and function responses with
 * parsed bodies, placeholders for ids, dates and tokens, and sorted keys.
 */
const serializer: IdentitySnapshotSerializer = {
  test(val: unknown): boolean {
    if (isView(val)) return false
    return isHookOutcome(val) || isFunctionResponse(val)
  },
  serialize(val, config, indentation, depth, refs, printer): string {
    return printer(normalizeValue(val, new Placeholders()), config, indentation, depth, refs)
  },
}

export default serializer
