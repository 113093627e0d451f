/** Stable codes for every error the harness itself throws. Branch on these, not on messages. */
export type HarnessErrorCode =
  | 'ERR_INVALID_OPTION'
  | 'ERR_EVENT_REQUIRED'
  | 'ERR_UNKNOWN_EVENT'
  | 'ERR_UNSUPPORTED_FUNCTION'
  | 'ERR_FUNCTION_NOT_FOUND'
  | 'ERR_FUNCTION_LOAD'
  | 'ERR_INVALID_USER'
  | 'ERR_INVALID_RESPONSE'
  | 'ERR_ALREADY_LISTENING'
  | 'ERR_NOT_LISTENING'
  | 'ERR_DUPLICATE_USER'
  | 'ERR_INVALID_FAULT'
  | (string & {})

/**
 * The error class for misuse of the harness (bad options, a function it cannot run). A user
 * function's own failures are never thrown: they become the production outcome plus a diagnostic.
 */
export class HarnessError extends Error {
  /** A stable, machine-readable code such as `ERR_EVENT_REQUIRED`. */
  readonly code: HarnessErrorCode

  /**
   * @param code - stable code
   * @param message - what went wrong and how to fix it
   * @param options - standard error options (`cause`)
   */
  constructor(code: HarnessErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'HarnessError'
    this.code = code
  }
}

/** `Name: message` for an `Error`, else the value as a string: how the harness names a failure in messages. @internal */
export function errorLabel(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}
