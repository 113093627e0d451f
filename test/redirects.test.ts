/**
 * Redirect rules as Netlify reads and applies them. Parsing follows netlify/build
 * `packages/redirect-parser` (`line_parser.js`, `normalize.js`, `conditions.js`, `merge.ts`);
 * matching is checked against Netlify's own engine: netlify-redirector, the wasm build of
 * libredirect that `netlify dev` runs (netlify/cli `src/utils/rules-proxy.ts`), given the same
 * rules, requests and `nf_jwt` cookies.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { SignJWT } from 'jose'
import { beforeAll, describe, expect, test } from 'vitest'
import { matchRedirect, normalizeRedirectTables, parseRedirectsText, readSiteRedirects } from '../src/site/redirects.js'
import type { RedirectMatch, RedirectRule } from '../src/site/redirects.js'
import { redirectRoles } from '../src/server/roles.js'
import { SecretKey } from '../src/tokens/key.js'

interface Oracle {
  match(req: unknown): null | { force404?: true; to?: string; status?: number; force?: boolean }
}
const redirector = createRequire(import.meta.url)('netlify-redirector') as {
  parsePlain(rules: string, options: { jwtSecret: string; jwtRoleClaim: string }): Promise<Oracle>
}

const SECRET = 'redirect-test-secret'
const key = new SecretKey(SECRET)
// Real time: the engine checks `exp` against the real clock.
const clock = (): Date => new Date()
// Token times are relative to the file's start; a loaded machine may take minutes to get to a test.
const NOW = Math.floor(Date.now() / 1000)

async function jwt(claims: Record<string, unknown>, alg = 'HS256', secret = SECRET, typ = true): Promise<string> {
  return new SignJWT(claims).setProtectedHeader(typ ? { alg, typ: 'JWT' } : { alg }).sign(new TextEncoder().encode(secret))
}

describe('parsing _redirects (netlify/build line_parser.js)', () => {
  test('from, query pairs, to, status with !, conditions with comma lists; comments and blank lines skipped', () => {
    const { rules, errors } = parseRedirectsText(
      [
        '# members only',
        '/members/*  200!  Role=member,admin',
        '',
        '/store  id=:id  /blog/:id  301  # old links',
        '/fr/*  /fr/index.html  200  Language=fr Country=fr,be',
        '/old  /new',
      ].join('\n'),
    )
    expect(errors).toEqual([])
    expect(rules.map(({ source: _s, ...r }) => r)).toEqual([
      { from: '/members/*', path: '/members/*', query: {}, to: '/members/:splat', status: 200, force: true, conditions: { Role: ['member', 'admin'] }, headers: {} },
      { from: '/store', path: '/store', query: { id: ':id' }, to: '/blog/:id', status: 301, force: false, conditions: {}, headers: {} },
      { from: '/fr/*', path: '/fr/*', query: {}, to: '/fr/index.html', status: 200, force: false, conditions: { Language: ['fr'], Country: ['fr', 'be'] }, headers: {} },
      { from: '/old', path: '/old', query: {}, to: '/new', status: 301, force: false, conditions: {}, headers: {} },
    ])
    expect(rules[0]!.source).toBe('_redirects:2')
  })

  test("lines Netlify refuses are reported and skipped, the others kept", () => {
    const { rules, errors } = parseRedirectsText(['/a', '/b  nowhere', '/.netlify/x  /y', '/c  /d  abc', '/e  200', '/ok  /fine'].join('\n'))
    expect(rules.map((r) => r.from)).toEqual(['/ok'])
    expect(errors).toHaveLength(5)
    expect(errors[0]).toContain('Missing destination path/URL')
    expect(errors[1]).toContain('The destination path/URL must start with "/", "http:" or "https:"')
    expect(errors[2]).toContain('"path" field must not start with "/.netlify"')
    expect(errors[3]).toContain('Invalid status code: abc')
    // a forward rule without "to" needs from ending in /* (normalize.js isSplatRule)
    expect(errors[4]).toContain('Missing "to" field')
  })

  test('netlify.toml tables: conditions = { Role = [...] }, lower-case keys, force, headers, a full-URL from', () => {
    const { rules, errors } = normalizeRedirectTables([
      { from: '/admin/*', status: 200, force: true, conditions: { Role: ['admin'] } },
      { from: '/team/*', to: '/login', status: 401, force: true, conditions: { role: 'editor, admin' } },
      { from: 'https://old.example.test/*', to: '/:splat', status: 301, headers: { 'X-From': 'toml' } },
      { to: '/nowhere' },
      'not a table',
    ])
    expect(rules.map((r) => [r.to, r.status, r.force, r.conditions, r.host, r.headers])).toEqual([
      ['/admin/:splat', 200, true, { Role: ['admin'] }, undefined, {}],
      ['/login', 401, true, { Role: ['editor', 'admin'] }, undefined, {}],
      ['/:splat', 301, false, {}, 'old.example.test', { 'X-From': 'toml' }],
    ])
    expect(errors.join('\n')).toContain('Missing "from" field')
    expect(errors.join('\n')).toContain('Redirects must be objects')
  })

  test('a site: publish-dir _redirects, site _redirects, then netlify.toml; identical rules kept once, at the last place', () => {
    const site = mkdtempSync(join(tmpdir(), 'nih-redirects-'))
    try {
      const publish = join(site, 'public')
      mkdirSync(publish)
      writeFileSync(join(publish, '_redirects'), '/a  /from-publish  302\n/same  /x  302\n')
      writeFileSync(join(site, '_redirects'), '/b  /from-site  302\n')
      const { rules, files } = readSiteRedirects({
        siteDir: site,
        publishDir: publish,
        configRedirects: [{ from: '/c', to: '/from-toml', status: 302 }, { from: '/same', to: '/x', status: 302 }],
        configFile: join(site, 'netlify.toml'),
      })
      expect(rules.map((r) => r.to)).toEqual(['/from-publish', '/from-site', '/from-toml', '/x'])
      expect(files).toContain(join(publish, '_redirects'))
    } finally {
      rmSync(site, { recursive: true, force: true })
    }
  })
})

/** The same request, for both engines. */
interface Probe {
  path: string
  query?: string
  host?: string
  scheme?: string
  cookies?: Record<string, string>
  language?: string
  country?: string
}

type Verdict = null | 'force404' | [string, number, boolean]

function oracleVerdict(oracle: Oracle, p: Probe): Verdict {
  const headers = { 'x-language': p.language ?? 'en', 'x-country': p.country ?? 'us' }
  const cookies = p.cookies ?? {}
  const res = oracle.match({
    scheme: p.scheme ?? 'http',
    host: p.host ?? 'localhost',
    path: p.path,
    query: p.query ?? '',
    headers,
    cookieValues: cookies,
    getHeader: (n: string) => headers[n.toLowerCase() as keyof typeof headers] ?? '',
    getCookie: (n: string) => cookies[n] ?? '',
  })
  if (!res) return null
  if (res.force404) return 'force404'
  return [res.to!, res.status!, res.force!]
}

async function ourVerdict(rules: RedirectRule[], p: Probe): Promise<Verdict> {
  const cookies = new Map(Object.entries(p.cookies ?? {}))
  const match: RedirectMatch | undefined = matchRedirect(rules, {
    path: p.path,
    query: p.query ?? '',
    host: p.host ?? 'localhost',
    scheme: p.scheme ?? 'http',
    cookies,
    language: p.language ?? 'en',
    country: p.country ?? 'us',
    roles: await redirectRoles(cookies.get('nf_jwt'), key, clock),
  })
  if (!match) return null
  if (match.kind === 'not-found') return 'force404'
  return [match.to, match.rule.status, match.rule.force]
}

const RULES = `
/members/*  200!  Role=member
/members/*  /login  401!
/vip/*  200!  Role=vip,gold
/editors/*  /editors/:splat  200  Role=editor
/b/*  /b-login  302  Role=q
/b/*  /b-other  301
/rc/*  /rc-yes/:splat  302  Role=member Country=de
/c  id=:id  /c-:id  200!  Role=member
/foo  /bar
/t/  /tt  302
/p/:a/:b  /q/:b/:a  301
/s/*  /ss/:splat?x=1  302
/lit  v=5  /lit5  301
/en/*  /en-lang/:splat  302  Language=en,fr
/us/*  /us-c/:splat  302  Country=us
/ck/*  /ck-yes/:splat  302  Cookie=flag,other
/unk  /x/:nope  302
/mid/*/end  /m/:splat  302
/star*  /st/:splat  302
/blog/:year/:month  /b-:year-:month.html  301
/q  a=:x  b=:y  /q/:x/:y  301
https://a.test/h  /h-yes  302
/  /home  302  Language=de
`

describe("matching agrees with Netlify's engine (netlify-redirector)", () => {
  let oracle: Oracle
  let rules: RedirectRule[]
  const tokens: Record<string, string> = {}
  beforeAll(async () => {
    oracle = await redirector.parsePlain(RULES, { jwtSecret: SECRET, jwtRoleClaim: 'app_metadata.roles' })
    const parsed = parseRedirectsText(RULES)
    expect(parsed.errors).toEqual([])
    rules = parsed.rules
    const exp = NOW + 3600
    tokens.member = await jwt({ exp, sub: 'u', app_metadata: { provider: 'email', roles: ['member'] } })
    tokens.gold = await jwt({ exp, app_metadata: { roles: ['gold', 'x'] } })
    tokens.editorString = await jwt({ exp, app_metadata: { roles: 'editor' } })
    tokens.q = await jwt({ exp, app_metadata: { roles: ['q'] } })
    tokens.memberHS512 = await jwt({ exp, app_metadata: { roles: ['member'] } }, 'HS512')
    tokens.noExp = await jwt({ app_metadata: { roles: ['member'] } })
    // libredirect wants a `typ` header (GoTrue always writes `typ: "JWT"`)
    tokens.noTyp = await jwt({ exp, app_metadata: { roles: ['member'] } }, 'HS256', SECRET, false)
    tokens.expired = await jwt({ exp: NOW - 10, app_metadata: { roles: ['member'] } })
    tokens.wrongSecret = await jwt({ exp, app_metadata: { roles: ['member'] } }, 'HS256', 'another-secret')
    // netlify dev's default claim path, which Identity never writes (gotrue.md §6.4)
    tokens.authorizationPath = await jwt({ exp, app_metadata: { authorization: { roles: ['member'] } } })
    tokens.noRoles = await jwt({ exp, app_metadata: { provider: 'email' } })
    tokens.garbage = 'not-a-jwt'
  })

  const paths = [
    '/members/a', '/members', '/members/', '/vip/x/y', '/editors/z', '/b/1', '/rc/x', '/c', '/foo', '/foo/', '/t', '/p/1/2', '/p/1', '/p/1/2/3',
    '/s/a/b', '/s', '/lit', '/en/x', '/us/x', '/ck/x', '/unk', '/mid/q/end', '/mid/end', '/mid/q/r/end', '/starfish', '/blog/2024/05', '/q', '/h',
    '/', '/Members/a', '/other', '/enc/a b', '/p//a/b', '/p/a/b//', '//p/a/b', '/s//a', '/star//x', '/star/', '/mid//end', '/foo//',
  ]

  test('every rule kind × every kind of nf_jwt', async () => {
    const disagreements: string[] = []
    let compared = 0
    for (const path of paths) {
      for (const cookie of [undefined, ...Object.keys(tokens)]) {
        const probe: Probe = { path, cookies: cookie ? { nf_jwt: tokens[cookie]! } : {} }
        const want = oracleVerdict(oracle, probe)
        const got = await ourVerdict(rules, probe)
        compared++
        if (JSON.stringify(want) !== JSON.stringify(got)) disagreements.push(`${path} nf_jwt=${cookie ?? '-'}: netlify ${JSON.stringify(want)}, harness ${JSON.stringify(got)}`)
      }
    }
    expect(disagreements).toEqual([])
    expect(compared).toBeGreaterThan(300)
  })

  test('queries, hosts, schemes, languages, countries and cookies', async () => {
    const probes: Probe[] = [
      { path: '/c', query: 'id=7&z=1', cookies: { nf_jwt: tokens.member! } },
      { path: '/c', query: 'ID=7', cookies: { nf_jwt: tokens.member! } },
      { path: '/c', query: 'id=', cookies: { nf_jwt: tokens.member! } },
      { path: '/lit', query: 'v=5' },
      { path: '/lit', query: 'v=6' },
      { path: '/q', query: 'b=2&a=1' },
      { path: '/q', query: 'a=1' },
      { path: '/foo', query: 'q=1' },
      { path: '/en/x', language: 'fr' },
      { path: '/en/x', language: 'FR' },
      { path: '/en/x', language: 'de' },
      { path: '/', language: 'de' },
      { path: '/us/x', country: 'US' },
      { path: '/us/x', country: 'de' },
      { path: '/rc/x', country: 'de', cookies: { nf_jwt: tokens.member! } },
      { path: '/rc/x', country: 'us', cookies: { nf_jwt: tokens.member! } },
      { path: '/rc/x', country: 'de' },
      { path: '/rc/x', country: 'us' },
      { path: '/ck/x', cookies: { flag: '1' } },
      { path: '/ck/x', cookies: { other: '' } },
      { path: '/ck/x', cookies: { unrelated: '1' } },
      { path: '/h', host: 'a.test', scheme: 'https' },
      { path: '/h', host: 'a.test', scheme: 'http' },
      { path: '/h', host: 'b.test', scheme: 'https' },
    ]
    const disagreements: string[] = []
    for (const probe of probes) {
      const want = oracleVerdict(oracle, probe)
      const got = await ourVerdict(rules, probe)
      if (JSON.stringify(want) !== JSON.stringify(got)) disagreements.push(`${JSON.stringify(probe)}: netlify ${JSON.stringify(want)}, harness ${JSON.stringify(got)}`)
    }
    expect(disagreements).toEqual([])
  })

  test('random paths and roles (property)', async () => {
    const segment = fc.constantFrom('members', 'vip', 'editors', 'b', 'p', 's', 'mid', 'end', 'x', 'star', 'starfish', 'blog', '2024', 'a', '')
    const roleSet = fc.subarray(['member', 'vip', 'gold', 'editor', 'q', 'admin'])
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.boolean(), fc.option(roleSet), async (segments, slash, roles) => {
        const path = `/${segments.join('/')}${slash ? '/' : ''}`
        const cookies: Record<string, string> = roles === null ? {} : { nf_jwt: await jwt({ exp: NOW + 3600, app_metadata: { roles } }) }
        expect(await ourVerdict(rules, { path, cookies })).toEqual(oracleVerdict(oracle, { path, cookies }))
      }),
      { numRuns: 300, seed: 15 },
    )
  })
})

describe('redirectRoles', () => {
  test('roles of a valid nf_jwt; undefined without one, for a bad signature, an expired token or none with no exp', async () => {
    expect(await redirectRoles(await jwt({ exp: NOW + 3600, app_metadata: { roles: ['a', 'b', 3] } }), key, clock)).toEqual(['a', 'b'])
    expect(await redirectRoles(await jwt({ exp: NOW + 3600, app_metadata: { roles: 'solo' } }), key, clock)).toEqual(['solo'])
    expect(await redirectRoles(await jwt({ exp: NOW + 3600 }), key, clock)).toEqual([])
    expect(await redirectRoles(undefined, key, clock)).toBeUndefined()
    expect(await redirectRoles(await jwt({ exp: NOW - 1, app_metadata: { roles: ['a'] } }), key, clock)).toBeUndefined()
    expect(await redirectRoles(await jwt({ app_metadata: { roles: ['a'] } }), key, clock)).toBeUndefined()
    expect(await redirectRoles(await jwt({ exp: NOW + 3600, app_metadata: { roles: ['a'] } }, 'HS256', 'other'), key, clock)).toBeUndefined()
    expect(await redirectRoles(await jwt({ exp: NOW + 3600, app_metadata: { roles: ['a'] } }, 'HS256', SECRET, false), key, clock)).toBeUndefined()
    expect(await redirectRoles('a.b.c', key, clock)).toBeUndefined()
  })
})

