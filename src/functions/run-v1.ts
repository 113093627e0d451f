import type { Completion } from './response.js'
import type { CompletionStyle, LambdaContext } from '../netlify/lambda-context.js'

/** A Lambda-style handler: `(event, context, callback?) => …`. */
export type V1Handler = (event: never, context: never, callback: (error?: unknown, result?: unknown) => void) => unknown

/** A completion that arrived after the first one. @internal */
export interface LateCompletion {
  style: CompletionStyle
}

/** A run's first completion, and the ones after it (filled in as they come). @internal */
export interface V1Settled {
  completion: Completion
  late: LateCompletion[]
}

/**
 * Runs a v1 handler once and settles on the first completion: a returned promise, the callback,
 * `context.done/succeed/fail`, a throw, or the timeout (functions-runtime.md §1.4). A truthy
 * synchronous return is treated as lambda-local does: an immediate empty completion.
 * Later completions are reported through `late`. The timer is always cleared.
 * @internal
 */
export function runV1(
  handler: V1Handler,
  event: unknown,
  makeContext: (complete: (style: CompletionStyle, error: unknown, hasError: boolean, result?: unknown) => void) => LambdaContext,
  timeoutMs: number,
): Promise<V1Settled> {
  return new Promise((resolve) => {
    let settled = false
    const late: LateCompletion[] = []
    let returnedPromise = false
    let timer: ReturnType<typeof setTimeout> | undefined

    const complete = (style: CompletionStyle, error: unknown, hasError: boolean, result?: unknown): void => {
      if (settled) {
        late.push({ style })
        return
      }
      settled = true
      if (timer) clearTimeout(timer)
      resolve({
        completion: hasError ? { kind: 'error', error, style } : { kind: 'result', value: result, style },
        late,
      })
    }

    const context = makeContext(complete)
    const callback = (error?: unknown, result?: unknown): void => complete('callback', error, error != null, result)

    timer = setTimeout(() => {
      if (settled) return
      settled = true
      const pending = returnedPromise
        ? 'the promise it returned never settled'
        : 'it returned nothing and never called the callback, context.done(), context.succeed() or context.fail()'
      resolve({ completion: { kind: 'timeout', timeoutMs, pending }, late })
    }, timeoutMs)

    let returned: unknown
    try {
      returned = handler(event as never, context as never, callback)
    } catch (error) {
      complete('throw', error, true)
      return
    }
    // lambda-local reads `then` and calls it inside the same try as the handler: a thenable
    // whose `then` getter (or Proxy trap, or the call itself) throws fails the invocation.
    try {
      const then = returned !== null && (typeof returned === 'object' || typeof returned === 'function') ? (returned as PromiseLike<unknown>).then : undefined
      if (typeof then === 'function') {
        returnedPromise = true
        then.call(
          returned,
          (value: unknown) => complete('promise', null, false, value),
          (error: unknown) => complete('promise', error ?? new Error('the handler rejected with undefined'), true),
        )
      } else if (returned) {
        complete('sync-return', null, false, null)
      }
    } catch (error) {
      complete('throw', error, true)
    }
  })
}
