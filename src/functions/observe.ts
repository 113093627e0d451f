import fs from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { format } from 'node:util'
import { errorLabel } from '../errors.js'
import { currentCall } from './call-scope.js'

let installed = false

/**
 * Process-wide observers that attribute what a function does to its call (see `CallScope`),
 * installed once, on the first call, and doing nothing outside a call:
 *
 * - `console.*`: output that contains the admin token the function was given
 *   (`admin-token-logged`: logs are readable by everyone with access to the site's logs).
 * - `fs` reads (`readFile`, `readFileSync`, `promises.readFile`, `createReadStream`, `open`,
 *   `openSync`, `promises.open`): files read outside the function's folder
 *   (`unbundled-file-read`, reported when the call settles).
 * - unhandled rejections: a promise the function left rejected is attributed to its call
 *   (`unhandled-rejection` on that outcome) instead of failing the test run after every test
 *   passed. Rejections outside any call reach the runner as before.
 * @internal
 */
export function installCallObservers(): void {
  if (installed) return
  installed = true
  observeConsole()
  observeFiles()
  observeRejections()
}

function observeConsole(): void {
  const target = console as unknown as Record<string, unknown>
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
    const original = target[method]
    if (typeof original !== 'function') continue
    target[method] = function (this: unknown, ...args: unknown[]) {
      const call = currentCall()
      const secrets = call?.secrets
      if (secrets !== undefined) {
        let text: string
        try {
          text = format(...args)
        } catch {
          text = ''
        }
        if (secrets.some((s) => text.includes(s))) {
          call!.note({
            code: 'admin-token-logged',
            message: `${call!.name} wrote the admin token (clientContext.identity.token) to the log with console.${method}(): anyone who can read the site's function logs gets full admin access to GoTrue. Log the user id or the response status instead.`,
          })
        }
      }
      return (original as (...a: unknown[]) => unknown).apply(this, args)
    }
  }
}

function pathOf(input: unknown): string | undefined {
  try {
    if (typeof input === 'string') return resolve(input)
    if (input instanceof URL) return input.protocol === 'file:' ? fileURLToPath(input) : undefined
    if (Buffer.isBuffer(input)) return resolve(input.toString())
  } catch {
    // not a path we can name
  }
  return undefined
}

function observeFiles(): void {
  const record = (input: unknown): void => {
    const call = currentCall()
    if (call?.dir === undefined || call.settled) return
    const file = pathOf(input)
    if (file !== undefined) (call.reads ??= new Set()).add(file)
  }
  const wrap = <T extends object>(owner: T, key: keyof T & string): void => {
    const original = owner[key] as unknown
    if (typeof original !== 'function') return
    const wrapped = function (this: unknown, ...args: unknown[]) {
      record(args[0])
      return (original as (...a: unknown[]) => unknown).apply(this, args)
    }
    Object.defineProperty(wrapped, 'name', { value: (original as { name: string }).name })
    ;(owner as Record<string, unknown>)[key] = wrapped
  }
  wrap(fs, 'readFileSync')
  wrap(fs, 'readFile')
  wrap(fs, 'createReadStream')
  wrap(fs, 'openSync')
  wrap(fs, 'open')
  wrap(fs.promises, 'readFile')
  wrap(fs.promises, 'open')
  // ESM named imports of node:fs are snapshots: bring them in line with the patched functions.
  syncBuiltinESMExports()
}

function observeRejections(): void {
  const emit = process.emit as (this: NodeJS.Process, event: string | symbol, ...args: unknown[]) => boolean
  process.emit = function (this: NodeJS.Process, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'unhandledRejection') {
      // Node runs this in the async context of the rejected promise: the call that left it.
      const call = currentCall()
      if (call) {
        call.note({
          code: 'unhandled-rejection',
          message: `${call.name} left a promise rejected that nothing handled (${errorLabel(args[0])}): in production this can crash the function instance. Await it, or add a .catch().`,
        })
        return true
      }
    }
    return emit.call(this, event, ...args)
  } as typeof process.emit
}
