/**
 * The `netlify-identity-harness` command (alias `nih`): a thin front over the same core the
 * library uses. Each subcommand is its own module, loaded only when it runs, exporting
 * `run(args, io)` that resolves to the exit code.
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs'
import { errorLabel, HarnessError } from '../errors.js'
import type { CliIO } from './io.js'
import { processIO } from './io.js'

/** A subcommand: its one-line summary and its module, imported only when it runs. @internal */
export interface Command {
  summary: string
  load: () => Promise<{ run(args: string[], io: CliIO): Promise<number> }>
}

/** The subcommands (design.md: `check`, `init`, `serve`). @internal */
export const COMMANDS: Record<string, Command> = {
  check: { summary: "run the site's Identity functions through GoTrue's scenarios and report", load: () => import('./check.js') },
  init: { summary: 'write a starting test file per Identity function', load: () => import('./init.js') },
  serve: { summary: 'serve a local Identity (GoTrue, functions, role redirects) on loopback', load: () => import('./serve.js') },
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length))
  return [
    'Usage: netlify-identity-harness <command> [options]   (alias: nih)',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `netlify-identity-harness <command> --help` for a command\'s options.',
    '',
  ].join('\n')
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and resolves to the exit code:
 * 0 success, 1 findings at or above `--fail-on`, 2 usage errors or a harness error.
 * @internal
 */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage())
    return name === undefined ? 2 : 0
  }
  if (name === '--version' || name === '-v') {
    io.out(`${version()}\n`)
    return 0
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined
  if (!command) {
    io.err(`netlify-identity-harness: unknown command ${JSON.stringify(name)}\n\n${usage()}`)
    return 2
  }
  try {
    return await (await command.load()).run(rest, io)
  } catch (error) {
    // A HarnessError says what to fix; anything else is a bug in the harness, shown with its stack.
    if (error instanceof HarnessError) io.err(`netlify-identity-harness ${name}: ${error.message} [${error.code}]\n`)
    else io.err(`netlify-identity-harness ${name}: internal error: ${error instanceof Error ? error.stack ?? errorLabel(error) : String(error)}\n`)
    return 2
  }
}
