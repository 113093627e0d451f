import type { ClientContext } from './client-context.js'

/** A completion call made through the deprecated context methods or the callback. @internal */
export type CompletionStyle = 'promise' | 'callback' | 'done' | 'succeed' | 'fail' | 'sync-return' | 'throw'

/** The Lambda context a v1 handler receives (functions-runtime.md §1.2). */
export interface LambdaContext {
  /** AWS's default is `true`; the value is not acted on by the harness. */
  callbackWaitsForEmptyEventLoop: boolean
  /** The function's name. */
  functionName: string
  /** `$LATEST`, as production reports. */
  functionVersion: string
  /** An ARN naming the function. */
  invokedFunctionArn: string
  /** `"1024"`, as production reports. */
  memoryLimitInMB: string
  /** A seeded request id. */
  awsRequestId: string
  /** `/aws/lambda/<name>`. */
  logGroupName: string
  /** `YYYY/MM/DD/[$LATEST]<hex>`. */
  logStreamName: string
  /** AWS Cognito identity: never Netlify Identity, and absent on Netlify (functions-runtime.md §7.8). */
  identity?: undefined
  /** Netlify's client context (Identity lives here for v1 functions). */
  clientContext: ClientContext
  /** Milliseconds left before the per-attempt timeout. */
  getRemainingTimeInMillis(): number
  /** Deprecated completion: `done(error, result)`. */
  done(error?: unknown, result?: unknown): void
  /** Deprecated completion: `succeed(result)`; in `succeed(message, object)` only `message` counts (functions-runtime.md §1.2). */
  succeed(messageOrResult?: unknown, result?: unknown): void
  /** Deprecated completion: `fail(error)`. */
  fail(error?: unknown): void
}

/** What the invoker needs to build a context. @internal */
export interface LambdaContextInit {
  functionName: string
  awsRequestId: string
  accountId: string
  streamHex: string
  now: Date
  timeoutMs: number
  clientContext: ClientContext
  complete: (style: CompletionStyle, error: unknown, hasError: boolean, result?: unknown) => void
}

const DAY_MS = 86_400_000
/** The last day's `YYYY/MM/DD` and the last function's names: the same on almost every call (issue 12). */
let lastDay = { n: Number.NaN, text: '' }
let lastNames: { accountId: string; functionName: string; arn: string; logGroup: string } | undefined

function dayText(now: Date): string {
  const n = Math.floor(now.getTime() / DAY_MS)
  if (n !== lastDay.n) lastDay = { n, text: now.toISOString().slice(0, 10).replaceAll('-', '/') }
  return lastDay.text
}

function names(accountId: string, functionName: string): NonNullable<typeof lastNames> {
  if (lastNames === undefined || lastNames.accountId !== accountId || lastNames.functionName !== functionName) {
    lastNames = { accountId, functionName, arn: `arn:aws:lambda:us-east-1:${accountId}:function:${functionName}`, logGroup: `/aws/lambda/${functionName}` }
  }
  return lastNames
}

/** Builds a production-shaped Lambda context. @internal */
export function createLambdaContext(init: LambdaContextInit): LambdaContext {
  const started = performance.now()
  const complete = init.complete
  const { arn, logGroup } = names(init.accountId, init.functionName)
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: init.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: arn,
    memoryLimitInMB: '1024',
    awsRequestId: init.awsRequestId,
    logGroupName: logGroup,
    logStreamName: `${dayText(init.now)}/[$LATEST]${init.streamHex}`,
    identity: undefined,
    clientContext: init.clientContext,
    getRemainingTimeInMillis: () => Math.max(0, Math.round(init.timeoutMs - (performance.now() - started))),
    done: (error?: unknown, result?: unknown) => complete('done', error, error != null, result),
    // lambda-local's succeed(message, object) is done(null, message): the second argument is ignored (§1.2).
    succeed: (result?: unknown) => complete('succeed', null, false, result),
    fail: (error?: unknown) => complete('fail', error, true),
  }
}
