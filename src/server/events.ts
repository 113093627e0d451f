import type { SentMail } from '../gotrue/mail.js'
import type { Diagnostic, GoTrueError, IdentityEvent } from '../types.js'

/**
 * What a served site reports as it happens (`serveIdentity({ onEvent })`; the CLI prints them).
 * Plain data, one object per event.
 */
export type ServeEvent =
  | {
      type: 'request'
      /** Upper-case method. */
      method: string
      /** The path and query as the browser asked for them. */
      path: string
      /** The status answered; `0` when the client closed the connection before any answer. */
      status: number
      /** Milliseconds until the answer was written. */
      ms: number
      /**
       * Who answered: `identity` (GoTrue), `function <name>`, `redirect <rule> → <to>`,
       * `rewrite <rule> → <to>`, `role gate <rule> → 404`, `proxy`, `static`, `harness`; with
       * `, closed by the client before the answer was complete` when the browser gave up on it
       * (`, cut off by the server stopping before …` when the server stopped first).
       */
      via: string
    }
  | {
      type: 'mail'
      /** The mail GoTrue sent, with the link the Identity widget handles. */
      mail: SentMail
    }
  | {
      type: 'hook'
      /** The identity event GoTrue fired. */
      event: IdentityEvent
      /** GoTrue's verdict: whether the operation goes on. */
      allowed: boolean
      /** What the end user gets from GoTrue for this step (200 when allowed, 422 after a refusal, …). */
      status: number
      /** How many times GoTrue called the function. */
      attempts: number
      /** The function's own last status, when it answered. */
      functionStatus?: number
      /** GoTrue's error when blocked. */
      error?: GoTrueError
      /** Pitfalls seen in the function's answer. */
      diagnostics: Diagnostic[]
      /** Why the function could not run at all (a load error). */
      failure?: string
    }
  | {
      type: 'diagnostic'
      /** The HTTP function. */
      function: string
      /** A pitfall seen in its answer (`admin-token-leaked`, …). */
      diagnostic: Diagnostic
    }
  | {
      type: 'reload'
      /** What was read again. */
      what: 'functions' | 'redirects'
      /** The files that changed. */
      files: string[]
    }
  | {
      type: 'warning'
      /** What is wrong and what to do. */
      message: string
    }

/** Receives {@link ServeEvent}s. */
export type ServeListener = (event: ServeEvent) => void
