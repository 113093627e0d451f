/** An asymmetric matcher as both Vitest and Jest implement them (`expect.any(String)`, …). */
export interface AsymmetricMatcherLike {
  /** Whether `actual` matches. */
  asymmetricMatch(actual: unknown): boolean
}

function isAsymmetric(value: unknown): value is AsymmetricMatcherLike {
  return value !== null && typeof value === 'object' && typeof (value as AsymmetricMatcherLike).asymmetricMatch === 'function'
}

/**
 * Deep comparison with asymmetric matchers. `partial`: objects need only the expected keys (at
 * every depth); arrays always match element by element with equal length.
 * @internal
 */
export function matches(actual: unknown, expected: unknown, partial: boolean): boolean {
  if (isAsymmetric(expected)) return expected.asymmetricMatch(actual)
  if (Object.is(actual, expected)) return true
  if (expected === null || typeof expected !== 'object' || actual === null || typeof actual !== 'object') return false
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => matches(actual[i], e, partial))
  }
  if (Array.isArray(actual)) return false
  const a = actual as Record<string, unknown>
  const e = expected as Record<string, unknown>
  const expectedKeys = Object.keys(e).filter((k) => e[k] !== undefined)
  if (!partial) {
    const actualKeys = Object.keys(a).filter((k) => a[k] !== undefined)
    if (actualKeys.length !== expectedKeys.length) return false
  }
  return expectedKeys.every((k) => Object.prototype.hasOwnProperty.call(a, k) && matches(a[k], e[k], partial))
}
