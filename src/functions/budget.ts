import type { Runtime } from '../runtime.js'
export type { TestDeadline } from '../runtime.js'
import type { Diagnostic } from '../types.js'

/** The harness must answer this long before the runner's deadline: 10% of its timeout, 100 ms to 1 s. */
function margin(timeoutMs: number): number {
  return Math.min(1000, Math.max(100, timeoutMs / 10))
}

/**
 * The per-attempt timeout a call uses when the caller gave none: `nominal` (GoTrue's 5 s, or
 * the 5 s invoke default), shortened so that all `attempts` end before the test runner's own
 * timeout kills the test (Vitest's and Jest's default is 5 s, less than GoTrue's 3 × 5 s), so the
 * user sees the harness's outcome and its `timeout` diagnostic instead of "Test timed out". An
 * explicit `timeoutMs` is always honoured. Returns the timeout and, when it was shortened, a
 * note saying so.
 * @internal
 */
export function attemptTimeout(rt: Runtime, nominal: number, attempts: number, explicit: number | undefined): { timeoutMs: number; shortened?: Diagnostic } {
  if (explicit !== undefined || rt.deadline === undefined) return { timeoutMs: explicit ?? nominal }
  const { at, timeoutMs: testTimeout } = rt.deadline
  const left = at - performance.now() - margin(testTimeout)
  const fits = Math.floor(left / attempts)
  if (fits >= nominal) return { timeoutMs: nominal }
  const timeoutMs = Math.max(10, fits)
  return {
    timeoutMs,
    shortened: {
      code: 'timeout-budget',
      message: `the per-attempt timeout was shortened from ${nominal} to ${timeoutMs} ms so that ${attempts === 1 ? 'the call ends' : `all ${attempts} attempts end`} before the test's own ${testTimeout} ms timeout; production waits ${nominal} ms${attempts === 1 ? '' : ' per attempt'}. Give the test a longer timeout (test(name, fn, 20_000)) for the full wait, or pass timeoutMs.`,
    },
  }
}
