import type { Runtime } from '../runtime.js'
import type { ClientContext } from '../netlify/client-context.js'
import { createLambdaContext } from '../netlify/lambda-context.js'
import type { HandlerEvent } from '../netlify/event.js'
import type { Diagnostic, FunctionResponse } from '../types.js'
import { mapV1Completion } from './response.js'
import type { Completion } from './response.js'
import { runV1 } from './run-v1.js'
import type { V1Handler, V1Settled } from './run-v1.js'

/** One run of a v1 handler, mapped to what Netlify answers. @internal */
export interface V1Run {
  response: FunctionResponse
  completion: Completion
  diagnostics: Diagnostic[]
}

/**
 * Starts a v1 handler's one run with a production-shaped Lambda context (called inside the
 * call's scope: everything the handler starts belongs to the call).
 * @internal
 */
export function startV1(
  rt: Runtime,
  handler: V1Handler,
  name: string,
  event: HandlerEvent,
  clientContext: ClientContext,
  timeoutMs: number,
): Promise<V1Settled> {
  const awsRequestId = rt.ids.uuid()
  const streamHex = rt.ids.hex(16)
  const now = rt.clock()
  return runV1(
    handler,
    event,
    (complete) => createLambdaContext({ functionName: name, awsRequestId, accountId: rt.accountId, streamHex, now, timeoutMs, clientContext, complete }),
    timeoutMs,
  )
}

/**
 * How many microtasks to wait after a run's first completion before mapping it, so that a late
 * one is seen: an async handler that also called the callback settles its promise a few
 * microtasks later (no timer). When the returned promise came first there is nothing to wait
 * for (the common async handler; issue 12).
 * @internal
 */
export function lateCompletionTicks(completion: Completion): number {
  return completion.kind === 'timeout' || completion.style !== 'promise' ? 4 : 0
}

/**
 * Maps a run's completion (after {@link lateCompletionTicks}) to what Netlify answers, with a
 * diagnostic for every completion after the first.
 * @internal
 */
export function mapV1Run({ completion, late }: V1Settled, name: string): V1Run {
  const { response, diagnostics } = mapV1Completion(completion, name)
  if (late.length) {
    diagnostics.push({
      code: 'multiple-completions',
      message: `${name} completed more than once (first: ${completion.kind === 'timeout' ? 'timeout' : completion.style}, then: ${late.map((l) => l.style).join(', ')}); only the first counts.`,
    })
  }
  return { response, completion, diagnostics }
}
