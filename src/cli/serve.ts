import { relative, resolve, sep } from 'node:path'
import { HarnessError } from '../errors.js'
import { eventFunctionName } from '../events.js'
import { listFunctions } from '../functions/discover.js'
import { readSiteConfig } from '../site/config.js'
import type { ServeEvent } from '../server/events.js'
import { HARNESS_PREFIX } from '../server/harness-api.js'
import type { IdentityServer, ServeOptions } from '../server/serve.js'
import { DEFAULT_SERVE_PORT, publishDirOf, serveIdentity } from '../server/serve.js'
import { parseCommandArgs } from './args.js'
import type { CliIO } from './io.js'
import type { ExternalProviderName } from '../gotrue/settings.js'

const HELP = `Usage: netlify-identity-harness serve [site-dir] [options]

A local Netlify Identity in front of your site, on loopback: GoTrue under /.netlify/identity
(your identity-* functions fired as on Netlify), your functions with production's contexts,
role-based redirects as production applies them, and everything else from your dev server.

  --proxy URL        your dev server (netlify dev, Vite, Next…), websockets included
  --dir DIR          or serve these files (default: [build] publish, else the site directory)
  --port N           port on loopback (default ${DEFAULT_SERVE_PORT}; 0 picks a free one)
  --host HOST        loopback address to listen on (default 127.0.0.1; ::1 makes the Identity
                     widget behave as on a deployed site, HttpOnly nf_jwt cookie included;
                     localhost works too; anything another machine could reach is refused)
  --seed N           every fake value derives from it (default 1)
  --autoconfirm      GoTrue's autoconfirm: signups are confirmed at once
  --providers LIST   external providers to enable, comma-separated (github,gitlab,google,
                     bitbucket,facebook): fake ones with a consent page, never a real host
  --disable-signup   an invite-only site (GoTrue's disable_signup)
  --no-email-login   turn GoTrue's e-mail provider off (/signup, /token, /recover answer 400)
  --jwt-secret S     the instance's JWT secret (tokens, admin token, hook signatures)
  --users FILE       JSON array of users to create at start ({ email, password, roles, … })
  --state FILE       keep users in this file between runs
  --quiet            no line per request (mails, hooks and warnings still print)
  --no-watch         do not reload functions and redirect rules when their files change
  -h, --help         this help

Two terminals:  npm run dev   then   npx netlify-identity-harness serve --proxy http://localhost:5173
`

/** Parses `serve`'s arguments into {@link ServeOptions} (plus `quiet`). @internal */
export function parseServeArgs(args: string[], cwd: string): { options: ServeOptions; quiet: boolean; help: boolean } {
  const parsed = parseCommandArgs('serve', args, {
    proxy: { type: 'string' },
    dir: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    seed: { type: 'string' },
    autoconfirm: { type: 'boolean' },
    providers: { type: 'string' },
    'disable-signup': { type: 'boolean' },
    'no-email-login': { type: 'boolean' },
    'jwt-secret': { type: 'string' },
    users: { type: 'string' },
    state: { type: 'string' },
    quiet: { type: 'boolean' },
    'no-watch': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  })
  const { values, positionals } = parsed
  const int = (name: string, raw: string | undefined): number | undefined => {
    if (raw === undefined) return undefined
    if (!/^-?\d+$/.test(raw)) throw new HarnessError('ERR_INVALID_OPTION', `--${name} must be an integer; got ${JSON.stringify(raw)}`)
    return Number(raw)
  }
  const at = (p: string | undefined): string | undefined => (p === undefined ? undefined : resolve(cwd, p))
  const options: ServeOptions = { site: at(positionals[0] ?? '.') }
  if (values.proxy !== undefined) options.proxy = values.proxy
  if (values.dir !== undefined) options.dir = at(values.dir)
  const port = int('port', values.port)
  if (port !== undefined) options.port = port
  if (values.host !== undefined) options.host = values.host
  const seed = int('seed', values.seed)
  if (seed !== undefined) options.seed = seed
  if (values.autoconfirm) options.autoconfirm = true
  // Names are checked by createIdentity(), with its list of the supported ones.
  if (values.providers !== undefined) options.providers = values.providers.split(',').map((p) => p.trim()).filter(Boolean) as ExternalProviderName[]
  if (values['disable-signup']) options.disableSignup = true
  if (values['no-email-login']) options.emailLogin = false
  if (values['jwt-secret'] !== undefined) options.jwtSecret = values['jwt-secret']
  if (values.users !== undefined) options.users = at(values.users)!
  if (values.state !== undefined) options.state = at(values.state)
  if (values['no-watch']) options.watch = false
  return { options, quiet: values.quiet === true, help: values.help === true }
}

/** One event as a terminal line (or lines). @internal */
export function formatEvent(event: ServeEvent, io: CliIO): string {
  switch (event.type) {
    case 'request': {
      const colour = event.status >= 500 || event.status === 0 ? 'red' : event.status >= 400 ? 'yellow' : event.status >= 300 ? 'cyan' : 'green'
      // A rule's file (`rewrite /abs/site/public/_redirects:4 → …`) is shown from where serve runs.
      const via = event.via.split(`${io.cwd}${sep}`).join('')
      return `${io.style('dim', event.method.padEnd(6))} ${event.path} ${io.style(colour, event.status === 0 ? '---' : String(event.status))} ${io.style('dim', `${event.ms}ms ${via}`)}\n`
    }
    case 'mail':
      return `${io.style('magenta', '✉')}  ${event.mail.type} mail to ${io.style('bold', event.mail.to)}\n   ${io.style('underline', event.mail.url)}\n`
    case 'hook': {
      const name = eventFunctionName(event.event)
      if (event.failure) return `${io.style('red', '↳')}  ${name}: could not run (${event.failure}) → GoTrue answers ${event.status}\n`
      const tries = `${event.attempts} attempt${event.attempts === 1 ? '' : 's'}`
      // A timed-out attempt has no answer of the function's: the 500 in the outcome is the runner's.
      const answered = event.diagnostics.some((d) => d.code === 'timeout') ? 'no answer in time, ' : event.functionStatus === undefined ? '' : `function answered ${event.functionStatus}, `
      const verdict = event.allowed
        ? `${io.style('green', 'allowed')} (${answered}${tries})`
        : `${io.style('red', 'blocked')}: GoTrue answers ${event.status}${event.error ? ` ${JSON.stringify(event.error.msg)}` : ''} (${answered}${tries})`
      const notes = event.diagnostics.map((d) => `   ${io.style('yellow', '!')} ${d.code}: ${d.message}\n`).join('')
      return `${io.style(event.allowed ? 'green' : 'red', '↳')}  ${name}: ${verdict}\n${notes}`
    }
    case 'diagnostic':
      return `${io.style('yellow', '!')}  ${event.function}: ${event.diagnostic.code}: ${event.diagnostic.message}\n`
    case 'reload':
      return `${io.style('cyan', '↻')}  ${event.what} reloaded${event.files.length ? ` (${event.files.join(', ')})` : ''}\n`
    case 'warning':
      return `${io.style('yellow', '!')}  ${event.message}\n`
  }
}

/** The start banner: where to go, what is served. */
function banner(server: IdentityServer, options: ServeOptions, io: CliIO): string {
  const site = readSiteConfig(options.site ?? io.cwd)
  const rel = (p: string): string => relative(io.cwd, p) || '.'
  let functions = 'none'
  try {
    const names = listFunctions(site.functionsDir).map((f) => f.name)
    if (names.length) functions = `${rel(site.functionsDir)} (${names.join(', ')})`
  } catch {
    // no functions directory
  }
  const publish = options.dir ?? publishDirOf(site)
  // Netlify publishes the base folder when nothing is set: package.json and function sources too.
  const whole = !options.proxy && publish === undefined
  const pages = options.proxy
    ? `${options.proxy} (your dev server)`
    : `files in ${rel(publish ?? site.siteDir)}${whole ? io.style('yellow', ' — the whole site folder (no [build] publish, no --dir): package.json and function sources are served too, on loopback; set publish or pass --dir') : ''}`
  const host = new URL(server.url).hostname
  const lines = [
    `${io.style('bold', 'netlify-identity-harness serve')} — a local Netlify Identity for ${rel(site.siteDir)}`,
    '',
    `  Open       ${io.style(['bold', 'cyan'], server.url)}`,
    `  Identity   ${server.identity.url}`,
    `  Outbox     ${server.url}${HARNESS_PREFIX}/mail`,
    `  Pages      ${pages}`,
    `  Functions  ${functions}`,
    `  Redirects  ${server.redirects.files.length ? `${server.redirects.files.map(rel).join(', ')} (${server.redirects.rules} rule${server.redirects.rules === 1 ? '' : 's'})` : 'none'}`,
    '',
  ]
  if (host === '127.0.0.1' || host === 'localhost') {
    lines.push(
      io.style('dim', `  The Identity widget asks for a site URL on ${host}: enter ${server.url}. With --host ::1 it talks to`),
      io.style('dim', '  this server as on a deployed site (relative API URL, the HttpOnly nf_jwt cookie GoTrue sets).'),
      '',
    )
  }
  lines.push(io.style('dim', '  Ctrl-C stops.'), '', '')
  return lines.join('\n')
}

/**
 * Runs the server until `stop` settles (the CLI passes Ctrl-C / SIGTERM), then closes it.
 * @internal
 */
export async function serveUntil(args: string[], io: CliIO, stop: (server: IdentityServer) => Promise<unknown>): Promise<number> {
  const { options, quiet, help } = parseServeArgs(args, io.cwd)
  if (help) {
    io.out(HELP)
    return 0
  }
  options.onEvent = (event) => {
    if (quiet && event.type === 'request') return
    const text = formatEvent(event, io)
    if (event.type === 'warning') io.err(text)
    else io.out(text)
  }
  const server = await serveIdentity(options)
  io.out(banner(server, options, io))
  await stop(server)
  await server.close()
  io.out('stopped\n')
  return 0
}

/** `netlify-identity-harness serve [site-dir]`: serves until Ctrl-C (SIGINT) or SIGTERM. @internal */
export async function run(args: string[], io: CliIO): Promise<number> {
  let served = false
  const code = await serveUntil(args, io, () =>
    new Promise<void>((done) => {
      served = true
      const onSignal = (): void => {
        process.off('SIGINT', onSignal)
        process.off('SIGTERM', onSignal)
        io.err('\nstopping…\n')
        // A second Ctrl-C while closing leaves at once.
        process.once('SIGINT', () => process.exit(130))
        done()
      }
      process.on('SIGINT', onSignal)
      process.on('SIGTERM', onSignal)
    }),
  )
  // A function call still running when the server stopped (a slow handler's timer) must not keep
  // the stopped server's process alive; the timer does not itself keep the process up.
  if (served) setTimeout(() => process.exit(code), 200).unref()
  return code
}
