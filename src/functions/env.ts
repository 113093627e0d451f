/** Environment values for a call: a value sets a variable, `undefined` unsets it. */
export type EnvOverrides = Record<string, string | undefined>

/**
 * Runs `fn` with `process.env` changed and restores every touched variable afterwards, even
 * when `fn` throws. `process.env` is process-wide: calls that need different values must not
 * run concurrently.
 * @internal
 */
export async function withEnv<T>(env: EnvOverrides | undefined, fn: () => Promise<T>): Promise<T> {
  if (!env || Object.keys(env).length === 0) return fn()
  const saved = new Map<string, string | undefined>()
  for (const [k, v] of Object.entries(env)) {
    saved.set(k, process.env[k])
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
  try {
    return await fn()
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}
