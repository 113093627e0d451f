import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { listFunctions } from '../../functions/discover.js'
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

/**
 * What marks an HTTP function as one that uses Identity or reads bearer tokens (issue 13): the
 * source scan only decides which functions to probe; every finding comes from running them.
 */
const IDENTITY_USE: ReadonlyArray<[RegExp, string]> = [
  [/\bclientContext\b/, 'reads clientContext'],
  [/@netlify\/identity\b/, 'imports @netlify/identity'],
  [/\bnetlifyIdentityContext\b/, 'reads netlifyIdentityContext'],
  [/\bnf_jwt\b/, 'reads the nf_jwt cookie'],
  [/['"`]authorization['"`]|\.authorization\b|\bAuthorization\b/, 'reads the authorization header'],
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
