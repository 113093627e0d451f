import { decodeFirstJsonValue } from './json-decode.js'
import { isRecord } from '../values.js'

/** The Go type a GoTrue params struct declares for a field. @internal */
export type GoFieldType = 'string' | 'bool' | 'object'

const GO_TYPE_NAME: Record<GoFieldType, string> = { string: 'string', bool: 'bool', object: 'map[string]interface {}' }

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array'
  if (v === null) return 'null'
  if (typeof v === 'boolean') return 'bool'
  return typeof v
}

function fits(v: unknown, type: GoFieldType): boolean {
  if (v === null || v === undefined) return true
  if (type === 'string') return typeof v === 'string'
  if (type === 'bool') return typeof v === 'boolean'
  return isRecord(v)
}

/**
 * Decodes a request body into a GoTrue params struct the way `json.NewDecoder(r.Body).Decode`
 * does: the first JSON value is read (an empty body is `EOF`), a top-level `null` leaves every
 * field empty, and a value of the wrong type for a declared field is an error naming the struct
 * field (gotrue.md §5.1). Undeclared keys are kept for callers that need them.
 * @internal
 */
export function decodeParams(text: string, struct: string, fields: Record<string, GoFieldType>): Decoded {
  const decoded = decodeFirstJsonValue(text)
  if (!decoded.ok) return decoded
  return checkParams(decoded.value, struct, fields)
}

/** The result of decoding params. @internal */
export type Decoded = { ok: true; params: Record<string, unknown> } | { ok: false; error: string }

/** The type checks of {@link decodeParams} on an already decoded value. @internal */
export function checkParams(value: unknown, struct: string, fields: Record<string, GoFieldType>): Decoded {
  if (value === null) return { ok: true, params: {} }
  if (!isRecord(value)) {
    return { ok: false, error: `json: cannot unmarshal ${jsonKind(value)} into Go value of type api.${struct}` }
  }
  const params = value
  for (const name in fields) {
    const type = fields[name]!
    const v = params[name]
    if (!fits(v, type)) {
      return { ok: false, error: `json: cannot unmarshal ${jsonKind(v)} into Go struct field ${struct}.${name} of type ${GO_TYPE_NAME[type]}` }
    }
  }
  return { ok: true, params }
}

/** A string field of decoded params, `''` when absent or null (Go's zero value). @internal */
export function str(params: Record<string, unknown>, name: string): string {
  const v = params[name]
  return typeof v === 'string' ? v : ''
}
