import type { Diagnostic, IdentityEvent, JsonObject } from '../../types.js'
import { isNonBlockingEvent } from '../../gotrue/rules.js'
import type { Severity } from './findings.js'

/** The `$id`/`schema` of the `--json` report (docs/check-report.schema.json). */
export const REPORT_SCHEMA = 'urn:netlify-identity-harness:check-report:v1'

/** One scenario run: a battery user sent as an event, or one HTTP request. @internal */
export interface ScenarioResult {
  /** Battery id (`plain`, `google`, `no-token`, …). */
  id: string
  /** What the scenario is. */
  title: string
  /** The event sent (event functions), absent for HTTP requests. */
  event?: IdentityEvent
  /** Event functions: GoTrue accepted the hook. HTTP: the status was 2xx. */
  allowed: boolean
  /** The status the end user gets from GoTrue (event) or the function's status (HTTP); 0 when it did not load. */
  status: number
  /** How many times the function ran (GoTrue retries up to 3 times). */
  attempts: number
  /** `app_metadata` GoTrue would store (event functions). */
  app_metadata?: JsonObject
  /** `user_metadata` GoTrue would store (event functions; `null` when the map is null). */
  user_metadata?: JsonObject | null
  /** Keys of the two maps that the function changed, as `app_metadata.roles`. */
  changed: string[]
  /** Requests nothing served (`METHOD URL`): check never lets a request reach the network. */
  unhandled: string[]
  /** How long the scenario took (ms). */
  durationMs: number
  /** What the harness saw while running it. */
  diagnostics: Diagnostic[]
}

/**
 * How a scenario is named in findings and reports: its battery id, prefixed by its event when the
 * function handles several (`signup: plain`), so that a typed-handler file's `validate: plain` and
 * `signup: plain` stay apart. @internal
 */
export function scenarioLabel(fn: { events: readonly IdentityEvent[] }, s: ScenarioResult): string {
  return s.event !== undefined && fn.events.length > 1 ? `${s.event}: ${s.id}` : s.id
}

/**
 * A scenario's verdict in words: `allowed`, `blocked`, `not run` (the function did not load), or
 * `failed` for a `usermodified`/`userdeleted` hook that did not succeed: GoTrue only logs that, and
 * the admin request still answers 200 (gotrue.md §1.2), so nothing was blocked. @internal
 */
export function verdictWord(fn: { kind: 'event' | 'http'; events: readonly IdentityEvent[] }, s: ScenarioResult): 'allowed' | 'blocked' | 'failed' | 'not run' {
  if (s.status === 0) return 'not run'
  if (s.allowed) return 'allowed'
  const event = s.event ?? fn.events[0]
  return fn.kind === 'event' && event !== undefined && isNonBlockingEvent(event) ? 'failed' : 'blocked'
}

/** A finding: a diagnostic code with its severity, where it was seen, and how to fix it. @internal */
export interface Finding {
  severity: Severity
  /** The harness's diagnostic code, or one of `check`'s own (`trusts-unverified-token`, `env-unset`, …). */
  code: string
  /** The function it was seen in. */
  function: string
  /** The scenarios it was seen in, named by {@link scenarioLabel}. */
  scenarios: string[]
  /** What happened (the first occurrence's message). */
  message: string
  /** One line on what to do. */
  fix: string
}

/** One function's part of the report. @internal */
export interface FunctionReport {
  name: string
  /** The entry file, relative to the site directory. */
  file: string
  kind: 'event' | 'http'
  events: IdentityEvent[]
  background: boolean
  /** Why it was probed. */
  reason: string
  scenarios: ScenarioResult[]
  /** `process.env` reads: every name read, and those that were unset for the function. */
  env: { read: string[]; unset: string[] }
  findings: Finding[]
}

/** The whole report (`--json` writes exactly this). @internal */
export interface CheckReport {
  $schema: typeof REPORT_SCHEMA
  /** The harness version that wrote it. */
  version: string
  /** The site directory (absolute). */
  site: string
  /** The functions directory, relative to the site. */
  functionsDir: string
  functions: FunctionReport[]
  /** Functions found but not probed (no Identity use; `--all` probes them). */
  skipped: string[]
  summary: {
    functions: number
    scenarios: number
    errors: number
    warnings: number
    infos: number
    /** The `--fail-on` level the exit code follows. */
    failOn: Severity | 'never'
    /** The exit code: 1 when a finding is at or above `failOn`. */
    exitCode: 0 | 1
    durationMs: number
  }
}
