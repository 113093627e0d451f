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
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    cwd: process.cwd(),
    env,
    isTTY,
    style: (format, text) => (colour ? styleText(format, text, { validateStream: false }) : text),
  }
}
