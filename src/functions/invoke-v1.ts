import type { Runtime } from '../runtime.js'
import type { ClientContext } from '../netlify/client-context.js'
import { createLambdaContext } from '../netlify/lambda-context.js'
import type { HandlerEvent } from '../netlify/event.js'
import type { Diagnostic, FunctionResponse } from '../types.js'
import { mapV1Completion } from './response.js'
import type { Completion } from './response.js'
import { runV1 } from './run-v1.js'
import type { V1Handler } from './run-v1.js'

/** One run of a v1 handler, mapped to what Netlify answers. @internal */
export interface V1Run {
  response: FunctionResponse
  completion: Completion
  diagnostics: Diagnostic[]
}

/**
 * Runs a v1 handler exactly once with a production-shaped Lambda context.
 * @internal
 */
export async function invokeV1(
  rt: Runtime,
  handler: V1Handler,
  name: string,
  event: HandlerEvent,
  clientContext: ClientContext,
  timeoutMs: number,
): Promise<V1Run> {
  const awsRequestId = rt.ids.uuid()
  const streamHex = rt.ids.hex(16)
  const now = rt.clock()
  const { completion, late } = await runV1(
    handler,
    event,
    (complete) => createLambdaContext({ functionName: name, awsRequestId, accountId: rt.accountId, streamHex, now, timeoutMs, clientContext, complete }),
    timeoutMs,
  )
  // An async handler that also called the callback settles its promise a few microtasks later:
  // wait for them (no timer) so that the double completion is reported.
  for (let i = 0; i < 4; i++) await undefined
  const { response, diagnostics } = mapV1Completion(completion, name)
  if (late.length) {
    diagnostics.push({
      code: 'multiple-completions',
      message: `${name} completed more than once (first: ${completion.kind === 'timeout' ? 'timeout' : completion.style}, then: ${late.map((l) => l.style).join(', ')}); only the first counts.`,
    })
  }
  return { response, completion, diagnostics }
}
