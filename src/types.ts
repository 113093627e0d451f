/**
 * Public data shapes shared by every part of the harness. Everything here is plain, JSON-able
 * data: GoTrue's snake_case where GoTrue speaks, Netlify's camelCase where Netlify speaks.
 *
 * @packageDocumentation
 */

/** A JSON value, as GoTrue stores metadata. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** A JSON object, as GoTrue stores `app_metadata` and `user_metadata`. */
export type JsonObject = { [key: string]: JsonValue }

/**
 * GoTrue's `app_metadata`: free-form, with the keys Netlify gives meaning to.
 * `provider` is set by GoTrue (`email`, `github`, `google`, …); `roles` drives Netlify's role-based redirects.
 */
export interface AppMetadata {
  /** How the user signed up: `email`, or an external provider's name. */
  provider?: string
  /** Netlify Identity roles (an array of strings). */
  roles?: string[]
  /** Any other key. */
  [key: string]: JsonValue | undefined
}

/** GoTrue's `user_metadata`: free-form user data (`full_name`, `avatar_url`, …). */
export interface UserMetadata {
  /** The user's full name (set by signup `data` or by an external provider). */
  full_name?: string
  /** An avatar URL (set by external providers). */
  avatar_url?: string
  /** Any other key. */
  [key: string]: JsonValue | undefined
}

/**
 * A user exactly as GoTrue serialises it (gotrue.md §3): optional timestamps are omitted when
 * empty, `user_metadata` may be `null`, and there is no `email_confirmed_at`.
 */
export interface GoTrueUser {
  /** UUID v4. */
  id: string
  /** Audience; `""` on Netlify. */
  aud: string
  /** GoTrue's top-level role (a group name, `""` on Netlify); not the roles array. */
  role: string
  /** E-mail address. */
  email: string
  /** RFC 3339; omitted while the user is unconfirmed. */
  confirmed_at?: string
  /** RFC 3339; set by `/invite`. */
  invited_at?: string
  /** RFC 3339; set when a confirmation mail is sent. */
  confirmation_sent_at?: string
  /** RFC 3339; set by `/recover`. */
  recovery_sent_at?: string
  /** A pending e-mail change. */
  new_email?: string
  /** RFC 3339; when the e-mail change mail was sent. */
  email_change_sent_at?: string
  /** RFC 3339; rarely present in practice (gotrue.md §3). */
  last_sign_in_at?: string
  /** Always present. */
  app_metadata: AppMetadata
  /** Always present; `null` for users created without data. */
  user_metadata: UserMetadata | null
  /** RFC 3339. */
  created_at: string
  /** RFC 3339. */
  updated_at: string
}

/** The identity events GoTrue sends to functions (gotrue.md §1.1). */
export type IdentityEvent = 'validate' | 'signup' | 'login' | 'usermodified' | 'userdeleted'

/** The list of identity events, in GoTrue's order. */
export const IDENTITY_EVENTS: readonly IdentityEvent[] = ['validate', 'signup', 'login', 'usermodified', 'userdeleted']

/** GoTrue's error body: `{ code, msg }`, with `error_id` on 5xx (gotrue.md §5.1). */
export interface GoTrueError {
  /** The HTTP status. */
  code: number
  /** The message, e.g. `Failed to handle signup webhook`. */
  msg: string
  /** A request id, present on 5xx errors. */
  error_id?: string
}

/**
 * A stable code for a pitfall the harness saw while running a function. A diagnostic never
 * changes the production outcome; it explains it or warns about what production hides.
 *
 * - `undefined-response`: the handler completed with `undefined` (Netlify answers 500).
 * - `invalid-response`: a bare string, an `Error`, `null`, or no numeric `statusCode` (500).
 * - `non-string-body`: `body` is an object or number, not a string (500).
 * - `sync-return`: a non-async handler returned its response (ignored; 500).
 * - `threw`: the handler threw or rejected (500).
 * - `timeout`: the handler never completed within the timeout.
 * - `status-blocks`: a status other than 200/202/204, so GoTrue retried and blocked (422).
 * - `malformed-json`: an allowed status with a body GoTrue cannot decode (500, blocks).
 * - `dropped-provider`: `app_metadata` returned without `provider`, which the replace loses.
 * - `roles-not-array`: the hook set `app_metadata.roles` to something other than an array of
 *   strings (functions-runtime.md §7.9: a string broke the Identity UI).
 * - `client-context-user-in-event`: an event function read `context.clientContext.user`, which
 *   production never sets there.
 * - `event-user-read`: an event function read `event.user` (always `undefined`) and never
 *   `event.body`, where the user actually is.
 * - `admin-token-leaked`: the response body or a header echoed the admin token
 *   (`clientContext.identity.token`, or the v2 `netlifyIdentityContext.token`).
 * - `array-header`: a v1 response put an array in `headers`; repeated headers belong in
 *   `multiValueHeaders` (functions-runtime.md §7.10).
 * - `identity-not-served`: the function failed because its request to the emulated GoTrue found
 *   nothing serving it (use the fixture, `identity.listen()` or `identity.handlers`).
 * - `multiple-completions`: the handler completed more than once; only the first counts.
 * - `ignored-keys`: top-level keys other than the two metadata maps, which GoTrue ignores.
 * - `non-blocking-event`: a failed `usermodified`/`userdeleted` hook, which GoTrue only logs.
 * - `background`: a background function; GoTrue got 202 at once and the result cannot matter.
 * - `v2-as-v1`: a Functions v2 function was run as a v1 handler (it returned a `Response`).
 * - `wait-until-rejected`: a promise passed to `context.waitUntil()` rejected.
 * - `typed-no-handler`: a typed-handler object has no handler for the event and no `fetch`.
 * - `typed-user-conflict`: a typed handler changed a map key that a stale top-level field overwrote.
 * - `late-request`: the function sent a request after its call had settled (it timed out, or
 *   answered before the request went out): to the emulated GoTrue (refused so no later test sees
 *   it), or to a host nothing serves (failed, as any unserved request).
 * - `unreadable-response`: a v1 response object throws when read (a getter or Proxy); 500.
 * - `invalid-header`: a response header value cannot be sent (its `toString` throws); 500.
 * - `response-stream-error`: a v2 response body stream errored; the body is truncated.
 * - `timeout-budget`: the default timeout was shortened to end before the test runner's own timeout.
 * - `unhandled-rejection`: the function left a promise rejected that nothing handled.
 * - `background-client-context`: a background function read `clientContext.identity`/`user`,
 *   which production never gives background functions (netlify/cli#4383, #4395).
 * - `base64-body`: a v1 function failed on a body Netlify delivered base64-encoded (its content
 *   type is binary by Netlify's rule).
 * - `unserved-request`: a request (or connection) nothing served failed during the call: the
 *   function swallowed the failure and answered 2xx, or it failed and this names the request its
 *   own error may not (`TypeError: fetch failed`).
 * - `ignored-gotrue-error`: GoTrue answered 4xx/5xx during the call, and the function answered 2xx.
 * - `admin-roles-not-array`: an admin `PUT`/`POST` set `app_metadata.roles` to a non-array.
 * - `admin-malformed-id`: braces around the id in an admin path, `undefined`/`null` as the id (a
 *   missing value interpolated), or an id GoTrue refused.
 * - `app-metadata-from-request`: an admin `PUT`/`POST` set an `app_metadata` key to the value the
 *   request body gave it, for a caller who is not an admin (a user can give themselves roles).
 * - `changed-provider`: the hook replaced `app_metadata.provider` with another value.
 * - `admin-token-logged`: the admin token was written to the log with `console.*`.
 * - `unbundled-file-read`: the function read a project file outside its folder, which Netlify
 *   does not bundle without `included_files`.
 * - `bundle-warning`: esbuild warned while bundling the function file as Netlify does (for
 *   example `import.meta` in a CommonJS file, which is empty); the message names file and line.
 * - `missing-module`: a `require()` or `import()` in the function file names a module that cannot
 *   be found from its folder, so the call throws at run time unless it is optional.
 */
export type DiagnosticCode =
  | 'undefined-response'
  | 'invalid-response'
  | 'non-string-body'
  | 'sync-return'
  | 'threw'
  | 'timeout'
  | 'status-blocks'
  | 'malformed-json'
  | 'dropped-provider'
  | 'roles-not-array'
  | 'client-context-user-in-event'
  | 'event-user-read'
  | 'admin-token-leaked'
  | 'identity-not-served'
  | 'array-header'
  | 'multiple-completions'
  | 'ignored-keys'
  | 'non-blocking-event'
  | 'background'
  | 'v2-as-v1'
  | 'wait-until-rejected'
  | 'typed-no-handler'
  | 'typed-user-conflict'
  | 'late-request'
  | 'unreadable-response'
  | 'invalid-header'
  | 'response-stream-error'
  | 'timeout-budget'
  | 'unhandled-rejection'
  | 'background-client-context'
  | 'base64-body'
  | 'unserved-request'
  | 'ignored-gotrue-error'
  | 'admin-roles-not-array'
  | 'admin-malformed-id'
  | 'app-metadata-from-request'
  | 'changed-provider'
  | 'admin-token-logged'
  | 'unbundled-file-read'
  | 'bundle-warning'
  | 'missing-module'
  | (string & {})

/** A pitfall seen while running a function: production's outcome is kept, this explains it. */
export interface Diagnostic {
  /** Stable, machine-readable code. */
  code: DiagnosticCode
  /** What happened and what to do about it. */
  message: string
}

/**
 * What a function answered, as Netlify sends it on: the Lambda response shape with lower-case
 * header names. For errors and invalid results this is what Netlify itself answers (a 500).
 */
export interface FunctionResponse {
  /** HTTP status. */
  statusCode: number
  /** Single-valued headers, lower-case names. */
  headers: Record<string, string>
  /** Multi-valued headers, lower-case names. */
  multiValueHeaders: Record<string, string[]>
  /** The body as a string (base64 when `isBase64Encoded`). */
  body: string
  /** Whether `body` is base64. */
  isBase64Encoded: boolean
}

/** A response as a user's function returns it (or as a test writes it by hand). */
export interface RawFunctionResponse {
  /** HTTP status. */
  statusCode: number
  /** Response headers. */
  headers?: Record<string, string | number | boolean>
  /** Multi-valued headers. */
  multiValueHeaders?: Record<string, ReadonlyArray<string | number | boolean>>
  /** The body; GoTrue reads it as JSON. */
  body?: string
  /** Whether `body` is base64. */
  isBase64Encoded?: boolean
}

/**
 * What GoTrue does with a function's answer to an identity event (gotrue.md §2).
 */
export interface HookOutcome {
  /** The event that was sent. */
  event: IdentityEvent
  /** Whether GoTrue accepted the hook: 200/202/204 with a readable body. */
  allowed: boolean
  /**
   * The HTTP status the end user gets from GoTrue for this step: 200 when allowed, 422 when the
   * function blocked, 504 on a final timeout, 500 for malformed JSON. Always 200 for
   * `usermodified`/`userdeleted`, whose failures GoTrue only logs.
   */
  status: number
  /** GoTrue's error body when the hook failed. */
  error?: GoTrueError
  /** How many times the function ran (GoTrue retries up to 3 times). */
  attempts: number
  /** The function's own last response (as Netlify passed it to GoTrue). */
  response?: FunctionResponse
  /** The user after GoTrue applied the response (unchanged when blocked). */
  user: GoTrueUser
  /** Pitfalls seen (dropped `provider`, non-string body, …). */
  diagnostics: Diagnostic[]
  /**
   * Background variants only: GoTrue got its 202 at once; this settles with the run that
   * continued after, rejecting when the function failed.
   */
  background?: Promise<FunctionResponse>
}
