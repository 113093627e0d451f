import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { isRecord } from '../values.js'

/**
 * One redirect or rewrite rule of a site, normalised as Netlify's parser does
 * (netlify/build `packages/redirect-parser`: `line_parser.js`, `normalize.js`, `conditions.js`).
 */
export interface RedirectRule {
  /** The `from` as written: a path, or a full URL for a domain-level rule. */
  from: string
  /** The path part of `from`. */
  path: string
  /** For a full-URL `from`: its host (and scheme), which the request must have. */
  host?: string
  /** For a full-URL `from`: `http` or `https`. */
  scheme?: string
  /** Query conditions: each key must be present; a `:name` value binds a placeholder, any other must be equal. */
  query: Record<string, string>
  /** The destination, with `:splat` and `:name` placeholders. */
  to: string
  /** 301 unless given; 200 is a rewrite, 3xx a redirect, 4xx/5xx a rewrite with that status. */
  status: number
  /** `!` / `force = true`: applies even when a file exists at the path (shadowing off). */
  force: boolean
  /**
   * Conditions, capitalised and split into lists as Netlify normalises them: `Role` (the
   * verified `nf_jwt`'s roles), `Language`, `Country`, `Cookie` and any other key as written.
   */
  conditions: Record<string, string[]>
  /** `[[redirects]] headers` (netlify.toml only): sent to the destination. */
  headers: Record<string, string>
  /** Where the rule was written, for messages: `_redirects:3` or `netlify.toml [[redirects]] #2`. */
  source: string
}

/** Rules in the order Netlify evaluates them, plus the lines it would refuse (as warnings). */
export interface SiteRedirects {
  /** `_redirects` rules first, then `netlify.toml`'s (netlify/build `merge.ts`), duplicates removed. */
  rules: RedirectRule[]
  /** What could not be parsed, one message per rule, as Netlify's parser words it. */
  errors: string[]
  /** The files read (existing ones only), to watch for changes. */
  files: string[]
}

/** A parsed rule before normalisation: the shape of a `[[redirects]]` table. */
type RawRule = Record<string, unknown>

const LINE_TOKENS = /\s+/

/**
 * Parses a `_redirects` file (netlify/build `line_parser.js`): per line
 * `from [query…] [to] [status[!]] [conditions…]`, `#` comments (also at the end of a line),
 * `to` optional for a forward rule whose second part is already a status.
 */
export function parseRedirectsText(text: string, file = '_redirects'): { rules: RedirectRule[]; errors: string[] } {
  const raws: Array<{ raw: RawRule; source: string } | string> = []
  text.split('\n').forEach((full, index) => {
    const line = full.trim()
    if (line === '' || line.startsWith('#')) return
    const source = `${file}:${index + 1}`
    try {
      raws.push({ raw: parseLine(line), source })
    } catch (error) {
      raws.push(`Could not parse redirect line ${index + 1}:\n  ${line}\n${(error as Error).message}`)
    }
  })
  return normalizeAll(raws)
}

function parseLine(line: string): RawRule {
  let parts = line.split(LINE_TOKENS)
  const comment = parts.findIndex((p) => p.startsWith('#'))
  if (comment >= 0) parts = parts.slice(0, comment)
  const [from, ...rest] = parts as [string, ...string[]]
  if (rest.length === 0) throw new Error('Missing destination path/URL')
  let queryParts: string[] = []
  let to: string | undefined
  let last: string[]
  if (Number.isInteger(Number.parseInt(rest[0]!, 10))) {
    last = rest
  } else {
    const toIndex = rest.findIndex((p) => p.startsWith('/') || isUrl(p))
    if (toIndex < 0) throw new Error('The destination path/URL must start with "/", "http:" or "https:"')
    queryParts = rest.slice(0, toIndex)
    to = rest[toIndex]
    last = rest.slice(toIndex + 1)
  }
  const [statusPart, ...conditionParts] = last
  const raw: RawRule = { from, query: pairs(queryParts), conditions: pairs(conditionParts) }
  if (to !== undefined) raw.to = to
  if (statusPart !== undefined) {
    const status = Number.parseInt(statusPart, 10)
    raw.status = Number.isInteger(status) ? status : statusPart
    raw.force = Number.isInteger(status) && statusPart.endsWith('!')
  }
  const conditions = raw.conditions as Record<string, string>
  // `Sign` is the signing condition, not a match condition.
  if ('Sign' in conditions || 'signed' in conditions) {
    raw.signed = conditions.signed ?? conditions.Sign
    delete conditions.Sign
    delete conditions.signed
  }
  return raw
}

function pairs(parts: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const part of parts) {
    const [key = '', value = ''] = part.split('=')
    out[key] = value
  }
  return out
}

function isUrl(s: string): boolean {
  return s.startsWith('http://') || s.startsWith('https://')
}

/** Normalises netlify.toml `[[redirects]]` tables (netlify/build `normalize.js`). */
export function normalizeRedirectTables(tables: readonly unknown[], file = 'netlify.toml'): { rules: RedirectRule[]; errors: string[] } {
  return normalizeAll(
    tables.map((table, i) => (isRecord(table) ? { raw: table, source: `${file} [[redirects]] #${i + 1}` } : `Redirects must be objects not: ${String(table)}`)),
  )
}

function normalizeAll(raws: ReadonlyArray<{ raw: RawRule; source: string } | string>): { rules: RedirectRule[]; errors: string[] } {
  const rules: RedirectRule[] = []
  const errors: string[] = []
  raws.forEach((entry, i) => {
    if (typeof entry === 'string') return void errors.push(entry)
    try {
      rules.push(normalizeRule(entry.raw, entry.source))
    } catch (error) {
      errors.push(`Could not parse redirect number ${i + 1} (${entry.source}):\n  ${JSON.stringify(entry.raw)}\n${(error as Error).message}`)
    }
  })
  return { rules, errors }
}

function normalizeRule(raw: RawRule, source: string): RedirectRule {
  // Older names: origin → from, destination → to, params/parameters → query (normalize.js).
  const from = raw.from ?? raw.origin
  if (typeof from !== 'string') throw new Error('Missing "from" field')
  const headers = raw.headers ?? {}
  if (!isRecord(headers)) throw new Error('"headers" field must be an object')
  let status: number | undefined
  if (raw.status !== undefined) {
    status = typeof raw.status === 'number' ? raw.status : Number.parseInt(String(raw.status), 10)
    if (!Number.isInteger(status)) throw new Error(`Invalid status code: ${String(raw.status)}`)
  }
  let to = raw.to ?? raw.destination
  if (to === undefined) {
    // "to" may only be omitted in a forward rule: from ending in /* with a 2xx status.
    if (!(from.endsWith('/*') && status !== undefined && status >= 200 && status < 300)) throw new Error('Missing "to" field')
    to = from.replace(/\/\*$/, '/:splat')
  }
  if (typeof to !== 'string') throw new Error('"to" field must be a string')
  let path = from
  let host: string | undefined
  let scheme: string | undefined
  if (isUrl(from)) {
    let url: URL
    try {
      url = new URL(from)
    } catch (error) {
      throw new Error(`Invalid URL: ${(error as Error).message}`)
    }
    host = url.host
    scheme = url.protocol.slice(0, -1)
    path = url.pathname
  }
  if (path.startsWith('/.netlify')) throw new Error('"path" field must not start with "/.netlify"')
  const query = raw.query ?? raw.params ?? raw.parameters ?? {}
  return {
    from,
    path,
    ...(host !== undefined ? { host, scheme } : {}),
    query: isRecord(query) ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])) : {},
    to,
    status: status ?? 301,
    force: raw.force === true,
    conditions: normalizeConditions(isRecord(raw.conditions) ? raw.conditions : {}),
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)])),
    source,
  }
}

/** `role` → `Role` (also `language`, `country`), comma lists split (netlify/build `conditions.js`). */
function normalizeConditions(raw: Record<string, unknown>): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const [key, value] of Object.entries(raw)) {
    const name = ['role', 'language', 'country'].includes(key) ? key[0]!.toUpperCase() + key.slice(1) : key
    const list = Array.isArray(value) ? value.map(String) : String(value).trim().split(/\s*,\s*/)
    out[name] = list
  }
  return out
}

/**
 * Reads a site's rules as Netlify does (netlify/cli `rules-proxy.ts`, netlify/build `all.ts`):
 * `_redirects` in the publish directory and in the site directory (each once), then
 * `netlify.toml`'s `[[redirects]]`; identical rules are kept once, at their last place (`merge.ts`).
 */
export function readSiteRedirects(options: { siteDir: string; publishDir?: string; configRedirects?: readonly unknown[]; configFile?: string }): SiteRedirects {
  const files = [...new Set([options.publishDir, options.siteDir].filter((d): d is string => d !== undefined).map((d) => resolve(d, '_redirects')))]
  const rules: RedirectRule[] = []
  const errors: string[] = []
  const read: string[] = []
  for (const file of files) {
    if (!existsSync(file)) continue
    read.push(file)
    const parsed = parseRedirectsText(readFileSync(file, 'utf8'), file)
    rules.push(...parsed.rules)
    errors.push(...parsed.errors)
  }
  const config = normalizeRedirectTables(options.configRedirects ?? [], options.configFile ?? join(options.siteDir, 'netlify.toml'))
  rules.push(...config.rules)
  errors.push(...config.errors)
  if (options.configFile) read.push(options.configFile)
  return { rules: dedupe(rules), errors, files: read }
}

function dedupe(rules: RedirectRule[]): RedirectRule[] {
  const seen = new Set<string>()
  const out: RedirectRule[] = []
  for (let i = rules.length - 1; i >= 0; i--) {
    const { source: _source, ...rest } = rules[i]!
    const key = JSON.stringify(rest, Object.keys(rest).sort())
    if (seen.has(key)) continue
    seen.add(key)
    out.push(rules[i]!)
  }
  return out.reverse()
}

// ---- matching ----

/** What the matcher needs to know about a request. */
export interface RedirectRequest {
  /** The decoded path. */
  path: string
  /** The query string without `?`. */
  query: string
  /** The host (with port when not default). */
  host: string
  /** `http` or `https`. */
  scheme: string
  /** Cookies by name. */
  cookies: ReadonlyMap<string, string>
  /** The visitor's language (two letters): Netlify's `nf_lang` cookie, else `Accept-Language`. */
  language: string
  /** The visitor's country code: Netlify's `nf_country` cookie, else the geo default. */
  country: string
  /**
   * The roles of a valid `nf_jwt` (verified, unexpired), or `undefined` without one. A rule with
   * a `Role` condition applies only when one of its roles is here.
   */
  roles: readonly string[] | undefined
}

/** The result of matching a request against a site's rules. */
export type RedirectMatch =
  | {
      kind: 'rule'
      /** The rule that applies. */
      rule: RedirectRule
      /** Its destination with `:splat` and placeholders filled in. */
      to: string
      /**
       * The `Role` rules whose path matched but whose roles the visitor lacks, passed over to
       * reach this rule (this rule is their fallback).
       */
      gatedBy: RedirectRule[]
    }
  | {
      /** A `Role` rule matched the path, the visitor lacks its roles, and no later rule applies: 404. */
      kind: 'not-found'
      gatedBy: RedirectRule[]
    }

interface Compiled {
  regex: RegExp
  names: string[]
}

const compiled = new WeakMap<RedirectRule, Compiled>()

/**
 * A rule's path as a regular expression, as Netlify's engine matches it (netlify-redirector, the
 * wasm build of Netlify's libredirect that `netlify dev` uses): case-sensitive; `:name` is one
 * segment; `*` is any rest, `/*` also matching nothing (`/a/*` matches `/a`), a `*` glued to a
 * segment dropping the slash after it (`/star*` gives `/star/x` the splat `x`); the slash before
 * a placeholder takes repeated slashes; a trailing slash on either side is ignored.
 */
function compile(rule: RedirectRule): Compiled {
  let c = compiled.get(rule)
  if (c) return c
  const names: string[] = []
  let source = ''
  let path = rule.path.length > 1 && rule.path.endsWith('/') ? rule.path.slice(0, -1) : rule.path
  if (path === '/') path = ''
  for (let i = 0; i < path.length; ) {
    if (path.startsWith('/*', i)) {
      names.push('splat')
      source += '(?:/(.*))?'
      i += 2
    } else if (path[i] === '*') {
      // A `*` glued to a segment (`/star*`) drops a leading slash from the splat: `/star/x` → `x`.
      names.push('splat')
      source += '/?(.*)'
      i += 1
    } else if (path[i] === ':' && /[A-Za-z0-9_]/.test(path[i + 1] ?? '')) {
      const m = /^:([A-Za-z0-9_]+)/.exec(path.slice(i))!
      names.push(m[1]!)
      // The slash before a placeholder takes repeated slashes (`/p//a` binds `a`).
      if (source.endsWith('/')) source += '+'
      source += '([^/]+)'
      i += m[0].length
    } else {
      source += path[i]!.replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      i += 1
    }
  }
  c = { regex: new RegExp(`^${source}/?$`), names }
  compiled.set(rule, c)
  return c
}

/** Placeholders of a rule for a request, or `undefined` when its path, host or query do not match. */
function bind(rule: RedirectRule, req: RedirectRequest, search: URLSearchParams): Record<string, string> | undefined {
  if (rule.host !== undefined && (rule.host !== req.host || rule.scheme !== req.scheme)) return undefined
  const { regex, names } = compile(rule)
  const m = regex.exec(req.path)
  if (!m) return undefined
  const params: Record<string, string> = {}
  names.forEach((name, i) => {
    params[name] = m[i + 1] ?? ''
  })
  for (const [key, want] of Object.entries(rule.query)) {
    const have = search.get(key)
    if (have === null) return undefined
    if (want.startsWith(':')) params[want.slice(1)] = have
    else if (have !== want) return undefined
  }
  return params
}

function conditionsHold(rule: RedirectRule, req: RedirectRequest): boolean {
  for (const [name, values] of Object.entries(rule.conditions)) {
    if (name === 'Role') continue
    if (name === 'Language' && !values.some((v) => v.toLowerCase() === req.language.toLowerCase())) return false
    if (name === 'Country' && !values.some((v) => v.toLowerCase() === req.country.toLowerCase())) return false
    // A cookie counts when it has a value (the engine reads '' for an absent one).
    if (name === 'Cookie' && !values.some((v) => (req.cookies.get(v) ?? '') !== '')) return false
  }
  return true
}

/** Whether the visitor has one of a `Role` rule's roles. */
function hasRole(rule: RedirectRule, req: RedirectRequest): boolean {
  const wanted = rule.conditions.Role
  if (!wanted) return true
  return req.roles !== undefined && wanted.some((r) => req.roles!.includes(r))
}

/** Fills `:splat` and `:name` in a destination; unknown placeholders stay as written. */
export function fillPlaceholders(to: string, params: Record<string, string>): string {
  return to.replace(/:([A-Za-z0-9_]+)/g, (whole, name: string) => (Object.hasOwn(params, name) ? params[name]! : whole))
}

/**
 * The rule that applies to a request, as Netlify's engine decides it: rules top to bottom, the
 * first whose path, host, query and conditions match wins. A `Role` rule whose roles the visitor
 * lacks (no valid `nf_jwt`, or other roles) is passed over, and the request is then gated: a
 * later rule that matches is its fallback (`/members/* /login 401!`), and with none the answer
 * is a 404 — the content is never served unprotected. (Checked against netlify-redirector in
 * test/redirects.test.ts.) Shadowing (a non-forced rule giving way to an existing file) is the
 * caller's, since only it knows the files.
 */
export function matchRedirect(rules: readonly RedirectRule[], req: RedirectRequest): RedirectMatch | undefined {
  const search = new URLSearchParams(req.query)
  const gatedBy: RedirectRule[] = []
  for (const rule of rules) {
    const params = bind(rule, req, search)
    if (!params) continue
    if (!hasRole(rule, req)) {
      gatedBy.push(rule)
      continue
    }
    if (!conditionsHold(rule, req)) continue
    return { kind: 'rule', rule, to: fillPlaceholders(rule.to, params), gatedBy }
  }
  return gatedBy.length ? { kind: 'not-found', gatedBy } : undefined
}

/** Whether any rule has a `Role` condition (then `serve` must evaluate rules itself). */
export function hasRoleRules(rules: readonly RedirectRule[]): boolean {
  return rules.some((r) => r.conditions.Role !== undefined)
}
