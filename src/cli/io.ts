import { styleText } from 'node:util'

/** Where a command writes, and how: colours only on a terminal that wants them. @internal */
export interface CliIO {
  /** Standard output (reports, `--json`). */
  out(text: string): void
  /** Standard error (progress, errors). */
  err(text: string): void
  /** The working directory commands resolve paths from. */
  readonly cwd: string
  /** The environment (for `NO_COLOR`, `FORCE_COLOR`, `CI`). */
  readonly env: NodeJS.ProcessEnv
  /** Whether standard output is a terminal (live progress, colours). */
  readonly isTTY: boolean
  /** `text` in a terminal style when colours are on, else as is. */
  style(format: Parameters<typeof styleText>[0], text: string): string
  /**
   * Keeps standard output for the command's own report: from now on, anything else the process
   * writes there (the output of the functions a command runs: `console.log` in a handler) goes to
   * standard error, so `check --json > report.json` stays JSON. Absent for an IO that does not
   * own the process's streams.
   */
  claimStdout?(): void
}

/**
 * The process's own streams. Colours follow the usual conventions: off unless standard output
 * is a terminal, off with `NO_COLOR`, on with `FORCE_COLOR` (https://no-color.org).
 * @internal
 */
export function processIO(): CliIO {
  const env = process.env
  const isTTY = process.stdout.isTTY === true
  const colour = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' ? true : env.NO_COLOR !== undefined && env.NO_COLOR !== '' ? false : isTTY
  // The report's own way to standard output, kept when claimStdout() sends everything else to stderr.
  const write = process.stdout.write.bind(process.stdout)
  let claimed = false
  return {
    out: (text) => void write(text),
    err: (text) => void process.stderr.write(text),
    claimStdout: () => {
      if (claimed) return
      claimed = true
      // On a terminal, a function's line must not land after the progress line on stderr.
      const clear = process.stderr.isTTY === true ? '\r\x1b[2K' : ''
      process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        if (clear) process.stderr.write(clear)
        return (process.stderr.write as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean)(chunk, ...rest)
      }) as typeof process.stdout.write
    },
    cwd: process.cwd(),
    env,
    isTTY,
    style: (format, text) => (colour ? styleText(format, text, { validateStream: false }) : text),
  }
}
