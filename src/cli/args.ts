import { parseArgs } from 'node:util'
import type { ParseArgsConfig } from 'node:util'
import { HarnessError } from '../errors.js'
import { nearest } from '../nearest.js'

/** The option table a subcommand declares (Node's `util.parseArgs` format). @internal */
export type CommandOptions = NonNullable<ParseArgsConfig['options']>

/** What {@link parseCommandArgs} gives back: each option's value typed by its declaration. @internal */
export interface ParsedCommand<O extends CommandOptions> {
  values: {
    [K in keyof O]?: O[K] extends { type: 'boolean' } ? (O[K] extends { multiple: true } ? boolean[] : boolean) : O[K] extends { multiple: true } ? string[] : string
  }
  positionals: string[]
}

/**
 * Parses a subcommand's arguments with `util.parseArgs`: at most one positional (the site
 * directory), and any parse error or extra positional as `ERR_INVALID_OPTION` pointing at the
 * command's `--help`. @internal
 */
export function parseCommandArgs<const O extends CommandOptions>(command: string, args: string[], options: O): ParsedCommand<O> {
  let parsed
  try {
    parsed = parseArgs({ args, allowPositionals: true, options })
  } catch (error) {
    throw new HarnessError('ERR_INVALID_OPTION', `${parseErrorMessage(error, options, args)} (see ${command} --help)`)
  }
  if (parsed.positionals.length > 1) {
    throw new HarnessError('ERR_INVALID_OPTION', `${command} takes one site directory; got ${parsed.positionals.map((p) => JSON.stringify(p)).join(', ')}`)
  }
  return parsed as unknown as ParsedCommand<O>
}

/** A `--flag MS` value: a positive whole number of milliseconds, else `fallback` when absent. @internal */
export function millisecondsArg(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new HarnessError('ERR_INVALID_OPTION', `--${flag} takes a positive number of milliseconds; got ${JSON.stringify(raw)}`)
  return Number(raw)
}

/**
 * `util.parseArgs`' error in the CLI's words: an unknown option with the declared one it most
 * likely meant (Node's own text suggests `--` for a positional, never the fix for a typo).
 */
function parseErrorMessage(error: unknown, options: CommandOptions, args: readonly string[]): string {
  const message = error instanceof Error ? error.message : String(error)
  if ((error as { code?: unknown } | null)?.code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return message
  const reported = /^Unknown option '([^']+)'/.exec(message)?.[1]
  if (reported === undefined) return message
  // Node reports a short-option group by its first letter (`-timeout` as `-t`): the argument as
  // typed is what a user misspelled.
  const typed = reported.startsWith('--') ? reported : (args.find((a) => a.startsWith(reported) && !a.startsWith('--')) ?? reported)
  const word = typed.replace(/^--?/, '').split('=')[0]!.toLowerCase()
  const guess = nearest(word, Object.keys(options))
  return `unknown option ${typed}${guess ? `: did you mean --${guess}?` : ''}`
}
