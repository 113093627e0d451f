import { HarnessError } from '../errors.js'
import { responseText } from '../functions/response.js'
import { applyHookBody, HOOK_FAILED, isAllowedHookStatus } from '../gotrue/rules.js'
import type { Diagnostic, GoTrueError, GoTrueUser, HookOutcome, IdentityEvent, RawFunctionResponse } from '../types.js'
import { IDENTITY_EVENTS } from '../types.js'
import { describeValue } from '../values.js'

/** A subject seen through GoTrue's rules. @internal */
export interface Verdict {
  kind: 'outcome' | 'response'
  event: IdentityEvent | undefined
  allowed: boolean
  status: number
  error: GoTrueError | undefined
  attempts: number | undefined
  functionStatus: number | undefined
  headers: Record<string, string>
  body: string
  /** The resulting maps; `undefined` when a raw response leaves them unchanged (unknown here). */
  appMetadata: GoTrueUser['app_metadata'] | null | undefined
  userMetadata: GoTrueUser['user_metadata'] | undefined
  diagnostics: Diagnostic[]
}

/** Whether a value looks like a {@link HookOutcome}. @internal */
export function isHookOutcome(value: unknown): value is HookOutcome {
  if (value === null || typeof value !== 'object') return false
  const v = value as Record<string, unknown>
  return typeof v.allowed === 'boolean' && typeof v.event === 'string' && (IDENTITY_EVENTS as readonly string[]).includes(v.event) && typeof v.user === 'object'
}

const PLACEHOLDER_USER: GoTrueUser = {
  id: '', aud: '', role: '', email: '', app_metadata: {}, user_metadata: null, created_at: '', updated_at: '',
}

/** Reads a fetch `Response` into a raw function response. @internal */
export async function fromFetchResponse(response: Response): Promise<RawFunctionResponse> {
  return { statusCode: response.status, headers: Object.fromEntries(response.headers), body: await response.text() }
}

/** Applies GoTrue's rules to a subject. @internal */
export function toVerdict(subject: unknown): Verdict {
  if (isHookOutcome(subject)) {
    const res = subject.response
    return {
      kind: 'outcome',
      event: subject.event,
      allowed: subject.allowed,
      status: subject.status,
      error: subject.error,
      attempts: subject.attempts,
      functionStatus: res?.statusCode,
      headers: res?.headers ?? {},
      body: res ? responseText(res) : '',
      appMetadata: subject.user.app_metadata,
      userMetadata: subject.user.user_metadata,
      diagnostics: subject.diagnostics ?? [],
    }
  }
  if (subject !== null && typeof subject === 'object' && 'statusCode' in subject) {
    const raw = subject as RawFunctionResponse
    const status = Number(raw.statusCode)
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(raw.headers ?? {})) headers[k.toLowerCase()] = String(v)
    const rawBody: unknown = raw.body
    const diagnostics: Diagnostic[] = []
    if (rawBody !== undefined && rawBody !== null && typeof rawBody !== 'string') {
      diagnostics.push({ code: 'non-string-body', message: 'the body is not a string; Netlify answers 500, which GoTrue treats as a failure.' })
      return {
        kind: 'response', event: undefined, allowed: false, status: 422, error: { ...HOOK_FAILED },
        attempts: undefined, functionStatus: status, headers, body: safeStringify(rawBody), appMetadata: undefined, userMetadata: undefined, diagnostics,
      }
    }
    const body = typeof rawBody === 'string' ? responseText({ body: rawBody, isBase64Encoded: raw.isBase64Encoded }) : ''
    if (!isAllowedHookStatus(status)) {
      return {
        kind: 'response', event: undefined, allowed: false, status: 422, error: { ...HOOK_FAILED },
        attempts: undefined, functionStatus: status, headers, body, appMetadata: undefined, userMetadata: undefined, diagnostics,
      }
    }
    const applied = applyHookBody(PLACEHOLDER_USER, body, 'validate', () => '')
    if (!applied.ok) {
      return {
        kind: 'response', event: undefined, allowed: false, status: applied.error.code, error: applied.error,
        attempts: undefined, functionStatus: status, headers, body, appMetadata: undefined, userMetadata: undefined, diagnostics: applied.diagnostics,
      }
    }
    return {
      kind: 'response', event: undefined, allowed: true, status: 200, error: undefined, attempts: undefined, functionStatus: status, headers, body,
      appMetadata: applied.changed.app_metadata ? applied.user.app_metadata : undefined,
      userMetadata: applied.changed.user_metadata ? applied.user.user_metadata : undefined,
      diagnostics: applied.diagnostics.filter((d) => d.code !== 'dropped-provider'),
    }
  }
  const got =
    subject !== null && typeof subject === 'object' && typeof (subject as { then?: unknown }).then === 'function'
      ? 'a Promise: did you forget to `await` identity.trigger() or identity.invoke()?'
      : describeValue(subject)
  throw new HarnessError('ERR_INVALID_RESPONSE', `expected a HookOutcome (from identity.trigger) or a function response ({ statusCode, body }); got ${got}`)
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
