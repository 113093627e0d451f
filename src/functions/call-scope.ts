import { isAbsolute, relative, sep } from 'node:path'
import type { Diagnostic, FunctionResponse } from '../types.js'
import type { EnvOverrides } from './env.js'
import { adminWriteDiagnostics } from './admin-writes.js'
import type { CallerRequest, GoTrueExchange } from './admin-writes.js'
import { appMetadataFromRequest } from './admin-writes.js'
import { currentLayer, EnvLayer, runInLayer } from './env.js'
import { serveAdvice } from './handler-hint.js'

/** What a call scope is told when it starts. @internal */
export interface CallInit {
  /** The Netlify function name, for messages. */
  name: string
  /** `process.env` overrides for the call (`undefined` unsets). */
  env?: EnvOverrides | undefined
  /** Netlify's runtime variables for the instance, below `env`. */
  base?: Readonly<Record<string, string>> | undefined
  /** Where diagnostics found after the call settled go (the outcome's own array). */
  sink?: Diagnostic[] | undefined
  /** The function's entry file, when it was loaded from a path (for reads outside its folder). */
  file?: string | undefined
  /** An HTTP call's request, read when the function writes through the admin API. */
  caller?: (() => CallerRequest) | undefined
}

/**
 * Everything one attempt of a function call started — its `process.env` layer (it is one), the
 * requests it made, its console output, its file reads, its unhandled rejections — tied to the
 * async context of the call, so that nothing it does after it settled (a timed-out function
 * keeps running) can reach another call or the next test. Every trigger attempt and invoke runs
 * in one (`runResolved`); the emulated GoTrue, the network guard and the console/fs observers
 * consult {@link currentCall}.
 *
 * Internal fields other fronts may read: {@link CallScope.env} reads are reported through
 * `observeEnvReads` (functions/env.ts).
 * @internal
 */
export class CallScope extends EnvLayer {
  readonly name: string
  /** Set once the call has its verdict (a response, an error or a timeout). */
  settled = false
  #timedOut = false
  readonly #sink: Diagnostic[] | undefined
  /** Pitfalls noticed while the call ran, handed over when it settles (allocated on the first). */
  #notes: Diagnostic[] | undefined
  #noted: Set<string> | undefined
  /** Secrets the function was given (admin tokens), which must never reach its logs. */
  secrets: string[] | undefined
  /** The function's folder, when known: reads outside it are not bundled by Netlify. */
  readonly dir: string | undefined
  readonly file: string | undefined
  gotrue: GoTrueExchange[] | undefined
  /** `METHOD URL` of requests nothing served (msw found no handler, or the network guard refused). */
  unserved: string[] | undefined
  /** Files the function read (absolute paths). */
  reads: Set<string> | undefined
  readonly #caller: (() => CallerRequest) | undefined

  constructor(init: CallInit) {
    super(init.env, init.base, currentLayer())
    this.name = init.name
    this.#sink = init.sink
    this.file = init.file
    this.#caller = init.caller
    this.dir = init.file === undefined ? undefined : init.file.slice(0, init.file.lastIndexOf(sep) + 1)
  }

  /**
   * Records a pitfall once; after the call settled, it goes straight to the outcome's diagnostics.
   * `false` when the same one was recorded already.
   */
  note(d: Diagnostic): boolean {
    const key = `${d.code}\u0000${d.message}`
    const noted = (this.#noted ??= new Set())
    if (noted.has(key)) return false
    noted.add(key)
    if (this.settled) this.#sink?.push(d)
    else (this.#notes ??= []).push(d)
    return true
  }

  /** A request the emulated GoTrue answered for this call. */
  exchanged(x: GoTrueExchange): void {
    ;(this.gotrue ??= []).push(x)
    for (const d of adminWriteDiagnostics(x, this.name)) this.note(d)
    if (this.#caller) {
      const escalation = appMetadataFromRequest(x, this.#caller, this.name)
      if (escalation) this.note(escalation)
    }
  }

  /**
   * A request nothing served (method and URL, or `a connection to host:port`). One sent after the
   * call settled (a request the function did not await) is `late-request` instead: the outcome has
   * its verdict already, and that test may be over.
   */
  unservedRequest(what: string): void {
    if (!this.settled) {
      ;(this.unserved ??= []).push(what)
      return
    }
    const message = `${this.name} sent ${what} after its call had settled (it timed out, or answered before its request went out), and nothing serves it in the test, so it failed. Await every request before answering. ${serveAdvice([what])}.`
    // A call that timed out has its timeout diagnostic already, and its late requests are the work
    // it was still doing (a client's retries): only one that answered first is warned about, once
    // per request (a client retrying it is one warning).
    if (this.note({ code: 'late-request', message }) && !this.#timedOut) process.emitWarning(message, { type: 'NetlifyIdentityHarnessWarning', code: 'late-request' })
  }

  /**
   * The call has its verdict: adds what was seen during it to `diagnostics` (the call's own) and
   * from now on refuses its requests and sends its late findings to the sink.
   */
  settle(response: FunctionResponse | undefined, diagnostics: Diagnostic[], timedOut = false): void {
    this.settled = true
    this.#timedOut = timedOut
    const ok = response !== undefined && response.statusCode >= 200 && response.statusCode < 300
    if (this.unserved?.length) {
      const them = this.unserved.length === 1 ? 'it' : 'them'
      diagnostics.push({
        code: 'unserved-request',
        message: ok
          ? `${this.name} answered ${response.statusCode} although ${list(this.unserved)} failed because nothing serves ${them} in the test (the function swallowed the failure). ${serveAdvice(this.unserved)}; or let the failure reach the response.`
          // The failure the function reports may name nothing ("fetch failed", a 502 it chose):
          // this says which request it was, and that the outcome is the one for a service that is down.
          : `${this.name} ${response === undefined ? 'failed' : `answered ${response.statusCode}`} after ${list(this.unserved)} failed because nothing serves ${them} in the test: this is the outcome while that service is down. ${serveAdvice(this.unserved)}, to test the path where it answers.`,
      })
    }
    const failed = this.gotrue?.filter((x) => x.status >= 400 && !x.expected)
    if (ok && failed?.length) {
      diagnostics.push({
        code: 'ignored-gotrue-error',
        message: `${this.name} answered ${response.statusCode} although GoTrue answered ${list(failed.map((x) => `${x.method} ${x.path} with ${x.status}`))} during the call: check res.ok and fail (or retry) instead of reporting success.`,
      })
    }
    if (this.reads && this.dir) {
      const outside = [...this.reads].filter((f) => outsideFunction(f, this.dir!))
      if (outside.length) {
        diagnostics.push({
          code: 'unbundled-file-read',
          message: `${this.name} read ${list(outside.map((f) => relative(process.cwd(), f) || f))}, outside its folder (${relative(process.cwd(), this.dir) || '.'}): Netlify bundles only the function's imports, so the deployed function cannot read ${outside.length === 1 ? 'it' : 'them'}. Import the data, move it beside the function, or list it in [functions] included_files.`,
        })
      }
    }
    if (this.#notes) {
      diagnostics.push(...this.#notes)
      this.#notes = undefined
    }
  }

  /**
   * A request this call made after it settled: refused (a network error, as if the function's
   * sandbox were frozen), and reported on the call's outcome and as a process warning, since the
   * test that made the call may be over.
   */
  refuseLate(method: string, url: string): Response {
    const message = `${this.name} sent ${method} ${url} after its call had settled (it timed out, or answered before its request went out); the request was refused so that it cannot change a later test. Await every request before answering.`
    this.note({ code: 'late-request', message })
    process.emitWarning(message, { type: 'NetlifyIdentityHarnessWarning', code: 'late-request' })
    return Response.error()
  }
}

function list(items: readonly string[]): string {
  const shown = items.slice(0, 3).join(', ')
  return items.length > 3 ? `${shown} and ${items.length - 3} more` : shown
}

/** Whether a read file lies outside the function's folder and is not a package's own file or a temp file. */
function outsideFunction(file: string, dir: string): boolean {
  if (file.startsWith(dir)) return false
  if (file.includes(`${sep}node_modules${sep}`)) return false
  const rel = relative(process.cwd(), file)
  // Only the project's own files: system files (certificates, /proc) and temp files are fine.
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
}

/** The call scope of the current async context, if any (nested layers included). @internal */
export function currentCall(): CallScope | undefined {
  for (let layer = currentLayer(); layer !== undefined; layer = layer.parent) {
    if (layer instanceof CallScope) return layer
  }
  return undefined
}

/** Runs `fn` inside `scope` (see {@link CallScope}). @internal */
export function runInCall<T>(scope: CallScope, fn: () => T): T {
  return runInLayer(scope, fn)
}

