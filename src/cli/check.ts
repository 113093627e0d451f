import type { CliIO } from './io.js'

/** `netlify-identity-harness check`: not built yet in this revision. @internal */
export async function run(_args: string[], io: CliIO): Promise<number> {
  io.err('netlify-identity-harness check: not available in this build\n')
  return 2
}
