import { netlifyRuntimeEnv } from '../netlify/runtime-env.js'
import { existsSync, readFileSync, watch } from 'node:fs'
import type { FSWatcher } from 'node:fs'
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { isIPv4 } from 'node:net'
import type { Socket } from 'node:net'
import { basename, dirname, join, relative, resolve } from 'node:path'
import type { Duplex } from 'node:stream'
import { errorLabel, HarnessError } from '../errors.js'
import type { CreateUserOverrides, Identity, IdentityOptions } from '../identity.js'
import { readSiteConfig } from '../site/config.js'
import type { SiteConfig } from '../site/config.js'
import { hasRoleRules, readSiteRedirects } from '../site/redirects.js'
import type { RedirectRule } from '../site/redirects.js'
import { isRecord } from '../values.js'
import type { ServeEvent, ServeListener } from './events.js'
import { FrontDoor } from './front-door.js'
import { FunctionTable } from './functions.js'
import { fetchHeaders, sendResponse, sendText } from './http.js'
import { OAUTH_PREFIX } from '../gotrue/fake-provider.js'
import { ServedIdentity } from './identity.js'
import { IDENTITY_ROLE_CLAIM } from './roles.js'
import { readState, restoreState, snapshotState, writeState } from './state.js'
import { StaticFiles } from './static.js'
import { Upstream } from './upstream.js'

/** The port `serve` uses when none is given (`netlify dev` has 8888, `functions:serve` 9999). */
export const DEFAULT_SERVE_PORT = 8989

/**
 * Production's limit for a synchronous function (functions-runtime.md §3.7: 60 s); `netlify dev`
 * uses 30 s. Background functions keep their 15 minutes.
 */
export const DEFAULT_FUNCTION_TIMEOUT_MS = 60_000

/** Options for {@link serveIdentity}: where the site is, what fronts it, and `createIdentity`'s options. */
export interface ServeOptions extends IdentityOptions {
  /** The site directory (its `netlify.toml`, functions, `_redirects`). Default: the working directory. */
  site?: string
  /** The port on loopback; `0` picks a free one. Default {@link DEFAULT_SERVE_PORT}. */
  port?: number
  /** The loopback address to listen on (`127.0.0.1`, `::1`, `localhost`; anything else is `ERR_INVALID_OPTION`). Default `127.0.0.1`; `::1` makes the Identity widget treat the page as a deployed site (see the README). */
  host?: string
  /** Your dev server (`netlify dev`, Vite, Next…): everything the front door does not answer goes there, websockets included. */
  proxy?: string
  /** Or serve these files (default without `proxy`: `[build] publish`, else the site directory). */
  dir?: string
  /** Users to store at start: `createUser()` overrides (`{ email, password, roles, confirmed }`), or a JSON file of them. */
  users?: CreateUserOverrides[] | string
  /** Keep users in this JSON file between runs. */
  state?: string
  /** Per-call timeout of synchronous functions in ms. Default {@link DEFAULT_FUNCTION_TIMEOUT_MS}. */
  functionTimeoutMs?: number
  /** Re-read functions and redirect rules when their files change. Default `true`. */
  watch?: boolean
  /** Receives what happens: requests, mails, hook verdicts, reloads, warnings (the CLI prints them). */
  onEvent?: ServeListener
}

/** A running front door: see {@link serveIdentity}. */
export interface IdentityServer {
  /** The front door's origin, e.g. `http://127.0.0.1:8989`: open it instead of your dev server. */
  readonly url: string
  /**
   * The instance behind it — the same API as `createIdentity()`'s (`users`, `mail`, `requests`,
   * `inject`, `createUser`, `token`…); its `url` is `${url}/.netlify/identity`.
   */
  readonly identity: Identity
  /**
   * The redirect rules in force: the files they were read from (absolute paths: `_redirects` in
   * the publish folder and at the site root, `netlify.toml`, as `netlify dev` reads them) and how
   * many rules they hold. Reflects reloads.
   */
  readonly redirects: { readonly files: readonly string[]; readonly rules: number }
  /** Stops listening, closes every connection and watcher, and writes `state` when given. */
  close(): Promise<void>
}

const SERVE_KEYS = ['site', 'port', 'host', 'proxy', 'dir', 'users', 'state', 'functionTimeoutMs', 'watch', 'onEvent'] as const

/** Whether `host` names this machine's loopback only: `localhost`, `127.0.0.0/8` or `::1`. */
function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1')
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true
  if (isIPv4(h)) return h.startsWith('127.')
  // An IPv4-mapped loopback (::ffff:127.0.0.1).
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h)
  return mapped !== null && isIPv4(mapped[1]!) && mapped[1]!.startsWith('127.')
}

/** The origin for a host and port (`[::1]` for IPv6). */
function originOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`
}

/** `[build] publish` (relative to the base directory), when set. @internal */
export function publishDirOf(site: SiteConfig): string | undefined {
  const build = site.toml.build ?? site.toml.Build
  const publish = isRecord(build) ? (build.publish ?? build.Publish) : undefined
  return typeof publish === 'string' && publish !== '' ? resolve(site.baseDir, publish.replace(/^\/+/, '')) : undefined
}

function readUsers(input: CreateUserOverrides[] | string): CreateUserOverrides[] {
  if (Array.isArray(input)) return input
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(input, 'utf8'))
  } catch (error) {
    throw new HarnessError('ERR_SERVE_FILE', `--users ${input} cannot be read as JSON (${(error as Error).message}): give a JSON array of users like [{ "email": "ada@example.test", "password": "pw", "roles": ["member"] }]`)
  }
  if (!Array.isArray(parsed) || !parsed.every(isRecord)) {
    throw new HarnessError('ERR_SERVE_FILE', `--users ${input} must hold a JSON array of user objects like [{ "email": "ada@example.test", "password": "pw", "roles": ["member"] }]`)
  }
  return parsed as CreateUserOverrides[]
}

/** The warning for a `public/_redirects` (or `static/`) that is not read: it reaches the publish folder only in a build. */
function unreadRedirects(site: SiteConfig, folder: string, publish: string | undefined): string {
  const where = publish === undefined
    ? 'no [build] publish is set'
    : `the publish folder is ${relative(site.siteDir, publish) || '.'}${existsSync(publish) ? '' : ', which does not exist until you build'}`
  return (
    `${folder}/_redirects is not read (${where}): like \`netlify dev\`, serve reads _redirects in the publish folder and at the site root, ` +
    `and netlify.toml [[redirects]]; your build copies ${folder}/ into the publish folder. Until then its rules, Role gates included, are not applied here: ` +
    `for local development put them in netlify.toml [[redirects]], which both read.`
  )
}

/** The warning for `--proxy` to a `netlify dev` that would gate Role rules a second time, its own way. */
function netlifyDevRoleWarning(site: SiteConfig, secret: string, chosen: boolean): string | undefined {
  const dev = site.toml.dev
  const path = isRecord(dev) ? dev.jwtRolePath : undefined
  const devSecret = isRecord(dev) ? dev.jwtSecret : undefined
  if (path === IDENTITY_ROLE_CLAIM && devSecret === secret) return undefined
  return (
    `the site has Role redirect rules. serve applies them as production does (nf_jwt verified, roles from ${IDENTITY_ROLE_CLAIM}); ` +
    `if the dev server behind --proxy is \`netlify dev\`, it applies them again with its own settings ` +
    `(default claim app_metadata.authorization.roles, secret "secret"; README, "With netlify dev behind --proxy") and answers 404. ` +
    `Add to netlify.toml: [dev] jwtRolePath = "${IDENTITY_ROLE_CLAIM}" and jwtSecret = ${chosen ? '"<your --jwt-secret>"' : `${JSON.stringify(secret)} (the default secret derives from --seed and this server's URL: pass --jwt-secret to keep it fixed)`}`
  )
}

/**
 * Serves a site with a local Netlify Identity on loopback: GoTrue under `/.netlify/identity`
 * (the emulator, with the site's identity event functions fired at GoTrue's points), the site's
 * functions with production's contexts, role-based redirects as production applies them, and
 * everything else from your dev server (`proxy`) or the site's files (`dir`). Resolves once it
 * listens.
 *
 * @example
 * ```ts
 * // playwright global setup
 * import { serveIdentity } from 'netlify-identity-harness/server'
 *
 * export default async function setup() {
 *   const server = await serveIdentity({ site: '.', port: 0, proxy: 'http://localhost:5173', seed: 1 })
 *   process.env.BASE_URL = server.url
 *   server.identity.createUser({ email: 'ada@example.test', password: 'pw', roles: ['member'] })
 *   return () => server.close()
 * }
 * ```
 */
export async function serveIdentity(options: ServeOptions = {}): Promise<IdentityServer> {
  if (options === null || typeof options !== 'object') throw new HarnessError('ERR_INVALID_OPTION', 'serveIdentity() takes an options object')
  const emit: ServeListener = options.onEvent ?? (() => {})
  if (options.proxy !== undefined && options.dir !== undefined) {
    throw new HarnessError('ERR_INVALID_OPTION', 'give either proxy (your dev server) or dir (static files), not both')
  }
  let upstream: Upstream | undefined
  if (options.proxy !== undefined) {
    try {
      upstream = new Upstream(options.proxy, (message) => emit({ type: 'warning', message }))
    } catch {
      throw new HarnessError('ERR_INVALID_OPTION', `proxy must be your dev server's URL, like http://localhost:5173; got ${JSON.stringify(options.proxy)}`)
    }
    if (upstream.target.protocol !== 'http:' && upstream.target.protocol !== 'https:') {
      throw new HarnessError('ERR_INVALID_OPTION', `proxy must be an http(s) URL; got ${JSON.stringify(options.proxy)}`)
    }
  }
  const port = options.port ?? DEFAULT_SERVE_PORT
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new HarnessError('ERR_INVALID_OPTION', `port must be an integer from 0 to 65535; got ${String(port)}`)
  const host = options.host ?? '127.0.0.1'
  if (!isLoopback(host)) {
    throw new HarnessError(
      'ERR_INVALID_OPTION',
      `host must be a loopback address (127.0.0.1, ::1 or localhost); got ${JSON.stringify(host)}. serve is a test server: its secret derives from the seed, its users are fake, and without a publish folder it serves the site's files, function sources included. It never listens where another machine can reach it.`,
    )
  }
  const timeout = options.functionTimeoutMs ?? DEFAULT_FUNCTION_TIMEOUT_MS
  if (!Number.isFinite(timeout) || timeout <= 0) throw new HarnessError('ERR_INVALID_OPTION', `functionTimeoutMs must be a positive number; got ${String(timeout)}`)

  let site = readSiteConfig(options.site ?? process.cwd())
  const publishDir = publishDirOf(site)
  const dir = options.dir !== undefined ? resolve(options.dir) : upstream ? undefined : (publishDir ?? site.siteDir)
  if (dir !== undefined && !existsSync(dir)) {
    const from = options.dir !== undefined ? 'dir (--dir)' : 'the publish folder netlify.toml names ([build] publish)'
    throw new HarnessError('ERR_INVALID_OPTION', `${from} ${JSON.stringify(dir)} does not exist: build the site first, or pass --proxy for your dev server or --dir for another folder`)
  }
  const files = dir ? new StaticFiles(dir) : undefined
  const users = options.users === undefined ? [] : readUsers(options.users)
  const state = options.state ? readState(resolve(options.state)) : undefined
  const generation = state ? state.generation + 1 : 0

  // Listen first: the instance's site URL is the front door's origin, known only now (port 0).
  let door: FrontDoor | undefined
  const upgraded = new Set<Duplex>()
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (!door) return sendText(res, 503, 'netlify-identity-harness serve is starting\n', { 'retry-after': '1' })
    void door.handle(req, res, origin)
  })
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    upgraded.add(socket)
    socket.on('close', () => upgraded.delete(socket))
    if (!door) return void socket.destroy()
    door.upgrade(req, socket, head)
  })
  await new Promise<void>((done, fail) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'EADDRINUSE' ? `port ${port} on ${host} is in use` : error.code === 'EADDRNOTAVAIL' ? `${host} is not an address of this machine` : errorLabel(error)
      fail(new HarnessError('ERR_SERVE_LISTEN', `cannot listen: ${why}. Pass another port (--port, 0 picks a free one) or host (--host).`, { cause: error }))
    })
    server.listen(port, host, () => done())
  })
  const address = server.address()
  const origin = originOf(host, typeof address === 'object' && address ? address.port : port)

  try {
    const identityOptions: IdentityOptions = { ...options }
    for (const key of SERVE_KEYS) delete (identityOptions as Record<string, unknown>)[key]
    const table = new FunctionTable(site.functionsDir, (event) => {
      if (event.type === 'reload') emit({ type: 'reload', what: 'functions', files: event.files })
      else emit({ type: 'warning', message: `function ${event.name} cannot be loaded: ${event.message}` })
    })
    const identity = new ServedIdentity(
      { ...identityOptions, siteUrl: options.siteUrl ?? origin },
      {
        mail: (mail) => emit({ type: 'mail', mail }),
        hook: (event, result) => {
          if ('error' in result) {
            emit({ type: 'hook', event, allowed: false, status: 500, attempts: 0, diagnostics: [], failure: errorLabel(result.error) })
            return
          }
          const o = result.outcome
          emit({
            type: 'hook',
            event,
            allowed: o.allowed,
            status: o.status,
            attempts: o.attempts,
            ...(o.response ? { functionStatus: o.response.statusCode } : {}),
            ...(o.error ? { error: o.error } : {}),
            diagnostics: o.diagnostics,
          })
        },
      },
      options.functions === undefined ? (event) => table.eventFunction(event) : undefined,
      // Each run with --state draws ids from its own stream, so new users never take a kept
      // user's id; the secret and instance id stay the seed's, so earlier tokens still verify.
      generation,
    )
    table.useRuntimeEnv(netlifyRuntimeEnv(identity.runtime))
    await table.refresh()
    if (state) restoreState(identity.store, state)
    for (const user of users) {
      if (typeof user.email === 'string' && identity.users.findByEmail(user.email)) continue
      identity.createUser(user)
    }

    let rules: RedirectRule[] = []
    let ruleFiles: readonly string[] = []
    const loadRules = (): readonly string[] => {
      const read = readSiteRedirects({ siteDir: site.siteDir, publishDir: dir ?? publishDir, configRedirects: site.redirects, ...(site.configFile ? { configFile: site.configFile } : {}) })
      rules = read.rules
      ruleFiles = read.files
      for (const message of read.errors) emit({ type: 'warning', message: `redirect rule skipped, as Netlify would: ${message}` })
      return read.files
    }
    const readFiles = loadRules()
    // `netlify dev` reads the same files (netlify/cli `createRewriter`: <publish>/_redirects,
    // <site>/_redirects, netlify.toml). A framework's public folder reaches the publish folder
    // only through a build: say so rather than leave its rules silently unapplied.
    for (const folder of ['public', 'static']) {
      const file = join(site.siteDir, folder, '_redirects')
      if (existsSync(file) && !readFiles.includes(file)) emit({ type: 'warning', message: unreadRedirects(site, folder, dir ?? publishDir) })
    }
    if (upstream && hasRoleRules(rules)) {
      const warning = netlifyDevRoleWarning(site, identity.runtime.key.secret, options.jwtSecret !== undefined)
      if (warning) emit({ type: 'warning', message: warning })
    }

    const watchers: FSWatcher[] = []
    if (options.watch !== false) {
      table.watch()
      const watched = new Set([dir ?? publishDir, site.siteDir, site.configFile ? dirname(site.configFile) : undefined].filter((d): d is string => d !== undefined))
      const names = new Set(['_redirects', site.configFile ? basename(site.configFile) : 'netlify.toml'])
      let timer: NodeJS.Timeout | undefined
      for (const folder of watched) {
        try {
          const w = watch(folder, (_t, name) => {
            if (!name || !names.has(String(name))) return
            clearTimeout(timer)
            timer = setTimeout(() => {
              try {
                site = readSiteConfig(site.siteDir)
                loadRules()
                emit({ type: 'reload', what: 'redirects', files: [join(folder, String(name))] })
              } catch (error) {
                emit({ type: 'warning', message: `redirect rules not reloaded: ${errorLabel(error)}` })
              }
            }, 60)
            timer.unref()
          })
          w.on('error', () => {})
          w.unref()
          watchers.push(w)
        } catch {
          // a folder that cannot be watched: rules are read at start only
        }
      }
    }

    const stateFile = options.state ? resolve(options.state) : undefined
    const save = (): void => {
      if (!stateFile) return
      try {
        writeState(stateFile, snapshotState(identity.store, generation))
      } catch (error) {
        emit({ type: 'warning', message: `--state ${stateFile} not written: ${errorLabel(error)}` })
      }
    }
    save()
    const listener: ServeListener = (event: ServeEvent) => {
      emit(event)
      if (event.type === 'request' && event.method !== 'GET' && (event.via === 'identity' || event.via === 'harness')) save()
    }

    door = new FrontDoor({
      identity,
      functions: table,
      rules: () => rules,
      upstream,
      files,
      notFoundPage: () => {
        const page = publishDir ? join(publishDir, '404.html') : undefined
        return page && existsSync(page) ? page : undefined
      },
      functionTimeoutMs: timeout,
      emit: listener,
    })

    // The fake OAuth providers (consent page, token, user info) answer through the same core as msw.
    door.mount(OAUTH_PREFIX, async ({ req, res, url, body }) => {
      const method = req.method ?? 'GET'
      const payload = await body()
      const request = new Request(`${identity.siteUrl}${url.pathname}${url.search}`, {
        method,
        headers: fetchHeaders(req),
        ...(payload.length && method !== 'GET' && method !== 'HEAD' ? { body: new Uint8Array(payload) } : {}),
      })
      await sendResponse(res, await identity.handleProvider(request), method === 'HEAD')
    })

    let closing: Promise<void> | undefined
    return {
      url: origin,
      identity,
      get redirects() {
        return { files: ruleFiles, rules: rules.length }
      },
      close: () => {
        closing ??= new Promise<void>((done) => {
          if (door) door.stopping = true
          table.close()
          for (const w of watchers) w.close()
          save()
          server.close(() => done())
          server.closeAllConnections()
          for (const socket of upgraded) socket.destroy()
        })
        return closing
      },
    }
  } catch (error) {
    server.closeAllConnections()
    await new Promise<void>((done) => server.close(() => done()))
    throw error
  }
}
