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

type Complete = (style: CompletionStyle, error: unknown, hasError: boolean, result?: unknown) => void

const NEVER_SETTLED = 'the promise it returned had not settled by then'
const NEVER_COMPLETED = 'it returned nothing and had not called the callback, context.done(), context.succeed() or context.fail() by then'

/**
 * One run's state, which is also what the run settles with (its `late` fills in afterwards). One
 * object with methods instead of a closure per step: 1,000 runs in flight hold 1,000 of these
 * (issue 12, concurrency).
 */
class V1Run implements V1Settled {
  completion!: Completion
  late: LateCompletion[] = []
  settled = false
  returnedPromise = false
  timer: ReturnType<typeof setTimeout> | undefined
  readonly complete: Complete

  constructor(
    private readonly resolve: (settled: V1Settled) => void,
    readonly timeoutMs: number,
  ) {
    this.complete = (style, error, hasError, result) => this.finish(style, error, hasError, result)
  }

  finish(style: CompletionStyle, error: unknown, hasError: boolean, result?: unknown): void {
    if (this.settled) {
      this.late.push({ style })
      return
    }
    this.settled = true
    if (this.timer) clearTimeout(this.timer)
    this.completion = hasError ? { kind: 'error', error, style } : { kind: 'result', value: result, style }
    this.resolve(this)
  }

  timeout(): void {
    if (this.settled) return
    this.settled = true
    this.completion = { kind: 'timeout', timeoutMs: this.timeoutMs, pending: this.returnedPromise ? NEVER_SETTLED : NEVER_COMPLETED }
    this.resolve(this)
  }
}

function onTimeout(run: V1Run): void {
  run.timeout()
}

/**
 * Runs a v1 handler once and settles on the first completion: a returned promise, the callback,
 * `context.done/succeed/fail`, a throw, or the timeout (functions-runtime.md §1.4). A truthy
 * synchronous return is treated as lambda-local does: an immediate empty completion.
 * Later completions are reported through `late`. The timer is always cleared.
 * @internal
 */
export function runV1(handler: V1Handler, event: unknown, makeContext: (complete: Complete) => LambdaContext, timeoutMs: number): Promise<V1Settled> {
  return new Promise((resolve) => {
    const run = new V1Run(resolve, timeoutMs)
    const { complete } = run
    const context = makeContext(complete)
    const callback = (error?: unknown, result?: unknown): void => complete('callback', error, error != null, result)
    run.timer = setTimeout(onTimeout, timeoutMs, run)

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
        run.returnedPromise = true
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
