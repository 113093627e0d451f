import { parseArgs } from 'node:util'
import type { ParseArgsConfig } from 'node:util'
import { HarnessError } from '../errors.js'

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
    throw new HarnessError('ERR_INVALID_OPTION', `${(error as Error).message} (see ${command} --help)`)
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
