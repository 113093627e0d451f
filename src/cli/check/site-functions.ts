import { existsSync, readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { listFunctions } from '../../functions/discover.js'
import { HarnessError } from '../../errors.js'
import { eventFromName } from '../../events.js'
import { readSiteConfig } from '../../site/config.js'
import type { SiteConfig } from '../../site/config.js'
import type { IdentityEvent } from '../../types.js'

/** A function `check` probes, and why it was chosen. @internal */
export interface CheckedFunction {
  /** The Netlify function name (file or folder name). */
  name: string
  /** The entry file (absolute). */
  path: string
  /** The entry file relative to the site directory, for reports. */
  file: string
  /** `event`: GoTrue sends it identity events; `http`: it is called over HTTP with bearer tokens. */
  kind: 'event' | 'http'
  /** The identity events it receives (event functions only). */
  events: IdentityEvent[]
  /** A `-background` variant (Netlify answers GoTrue 202 at once). */
  background: boolean
  /** Why `check` probes it (the name, the typed handlers, or what the source reads). */
  reason: string
}

/** What `check` found in a site. @internal */
export interface SiteFunctions {
  site: SiteConfig
  functions: CheckedFunction[]
  /** Functions skipped: neither an identity event function nor an HTTP function that uses Identity. */
  skipped: string[]
}

/** Typed-handler methods (Netlify's `userSignup`, …) and the event each receives. */
const TYPED: ReadonlyArray<[RegExp, IdentityEvent]> = [
  [/\buserValidate\b/, 'validate'],
  [/\buserSignup\b/, 'signup'],
  [/\buserLogin\b/, 'login'],
  [/\buserModified\b/, 'usermodified'],
  [/\buserDeleted\b/, 'userdeleted'],
]

const READS_AUTHORIZATION = /headers\s*(?:\??\.\s*authorization\b|\??\.?\[\s*['"`]authorization['"`]\s*\]|\??\.\s*get\(\s*['"`]authorization['"`]\s*\))|\{[^{}]*\bauthorization\b[^{}]*\}\s*=\s*[\w.?]*headers\b/i

/**
 * What marks an HTTP function as one that uses Identity or reads bearer tokens (issue 13): the
 * source scan only decides which functions to probe; every finding comes from running them.
 */
const IDENTITY_USE: ReadonlyArray<[RegExp, string]> = [
  [/\bclientContext\b/, 'reads clientContext'],
  [/@netlify\/identity\b/, 'imports @netlify/identity'],
  [/\bnetlifyIdentityContext\b/, 'reads netlifyIdentityContext'],
  [/\bnf_jwt\b/, 'reads the nf_jwt cookie'],
  // Reading it (headers.authorization, headers['Authorization'], headers.get('authorization'),
  // const { authorization } = event.headers), not sending one to another API (headers: { Authorization: … }).
  [READS_AUTHORIZATION, 'reads the authorization header'],
]

/**
 * Finds a site's functions as Netlify does (readSiteConfig: `[build] base`, `[functions] directory`,
 * else `netlify/functions`; listFunctions: files and folders in Netlify's precedence) and picks
 * those `check` probes: `identity-<event>[-background]` by name, typed-handler objects by their
 * methods, and HTTP functions whose source uses Identity (all of them with `all`).
 * @internal
 */
export function findSiteFunctions(siteDir: string, options: { all?: boolean } = {}): SiteFunctions {
  const site = readSiteConfig(siteDir)
  const functions: CheckedFunction[] = []
  const skipped: string[] = []
  // No functions folder is a site checked from the wrong place (or a netlify.toml naming a folder
  // that is not there): "0 functions, PASS" would hide it.
  if (!existsSync(site.functionsDir)) {
    const shown = relative(site.siteDir, site.functionsDir) || '.'
    const from = site.functionsDirOrigin === 'default'
      ? 'the default, as no netlify.toml names one'
      : `named by ${relative(site.siteDir, site.configFile ?? '') || 'netlify.toml'} ([${site.functionsDirOrigin === 'config' ? 'functions] directory' : 'build] functions'})`
    throw new HarnessError(
      'ERR_FUNCTION_NOT_FOUND',
      `no functions directory: ${shown} does not exist in ${site.siteDir} (${from}). Run check from the site's folder or pass it (check path/to/site), or set [functions] directory in netlify.toml.`,
    )
  }
  let listed: ReturnType<typeof listFunctions> = []
  try {
    listed = listFunctions(site.functionsDir)
  } catch {
    listed = []
  }
  for (const fn of listed) {
    const file = relative(site.siteDir, fn.path) || fn.path
    const background = fn.name.endsWith('-background')
    const event = eventFromName(fn.name)
    if (event) {
      functions.push({ name: fn.name, path: fn.path, file, kind: 'event', events: [event], background, reason: `named identity-${event}${background ? '-background' : ''}` })
      continue
    }
    let source = ''
    try {
      source = readFileSync(fn.path, 'utf8')
    } catch {
      source = ''
    }
    const typed = TYPED.filter(([re]) => re.test(source)).map(([, e]) => e)
    if (typed.length > 0) {
      functions.push({ name: fn.name, path: fn.path, file, kind: 'event', events: typed, background, reason: `typed handlers for ${typed.join(', ')}` })
      continue
    }
    const uses = IDENTITY_USE.filter(([re]) => re.test(source)).map(([, why]) => why)
    if (uses.length > 0 || options.all) {
      functions.push({ name: fn.name, path: fn.path, file, kind: 'http', events: [], background, reason: uses.length > 0 ? uses.join(', ') : 'probed with --all' })
    } else {
      skipped.push(fn.name)
    }
  }
  return { site, functions, skipped }
}
