import type { V2Context } from '../netlify/v2-context.js'

/** A Functions v2 handler: `(req, context) => Response | undefined` (functions-runtime.md §2.1). */
export type V2Handler = (req: Request, context: V2Context) => unknown
