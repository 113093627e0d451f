/**
 * Tokens judged as GoTrue judges them: golang-jwt v4.5.2 (`gotrue:go.mod`) `Parser.ParseWithClaims`
 * with `ValidMethods: [HS256]` into `api.GoTrueClaims` (`jwt.StandardClaims` embedded; gotrue:api/auth.go
 * `parseJWTClaims`, gotrue:api/token.go `GoTrueClaims`), whose `StandardClaims.Valid()` checks exp,
 * iat and nbf only when non-zero. Messages are the library's, after GoTrue's `Invalid token: `.
 */
import { createHmac } from 'node:crypto'
import fc from 'fast-check'
import { jwtVerify } from 'jose'
import { afterAll, describe, expect, test } from 'vitest'
import { createIdentity } from '../src/index.js'
import { SecretKey } from '../src/tokens/key.js'
import { checkToken } from '../src/tokens/verify.js'
import { goDuration, goRawUrlBase64, goTrimSpace } from '../src/go/text.js'
import { goDecodeFirst, goUnmarshal } from '../src/go/json.js'

const SECRET = 'gotrue-test-secret'
const key = () => new SecretKey(SECRET)
const NOW = 1_800_000_000
const clock = () => new Date(NOW * 1000)
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url')
const HS256 = '{"alg":"HS256","typ":"JWT"}'

/** Signs raw header and claims texts (so tests can send what no JWT library would make). */
function forge(claims: string, header = HS256, secret = SECRET): string {
  const input = `${b64(header)}.${b64(claims)}`
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
}

const reason = (token: string) => {
  const check = checkToken(token, key(), clock)
  return check.ok ? 'ok' : check.reason
}

describe('claims as StandardClaims.Valid() judges them', () => {
  test.each([
    ['exp absent: never expires', '{"sub":"u"}', 'ok'],
    ['exp 0: treated as absent', '{"exp":0}', 'ok'],
    ['exp null: left at 0', '{"exp":null}', 'ok'],
    ['exp in the future', `{"exp":${NOW + 1}}`, 'ok'],
    ['exp now: expired (the check is now < exp)', `{"exp":${NOW}}`, 'token is expired by 0s'],
    ['exp 5 minutes ago', `{"exp":${NOW - 300}}`, 'token is expired by 5m0s'],
    ['exp 1h1m1s ago', `{"exp":${NOW - 3661}}`, 'token is expired by 1h1m1s'],
    ['exp negative', '{"exp":-1}', `token is expired by ${goDuration(BigInt(NOW + 1) * 1_000_000_000n)}`],
    ['exp at int64 min: Go saturates the duration', '{"exp":-9223372036854775808}', 'token is expired by 2562047h47m16.854775807s'],
    ['iat in the future', `{"iat":${NOW + 1}}`, 'token used before issued'],
    ['iat now', `{"iat":${NOW}}`, 'ok'],
    ['nbf in the future', `{"nbf":${NOW + 60}}`, 'token is not valid yet'],
    ['expired and issued in the future: the later check wins', `{"exp":${NOW - 1},"iat":${NOW + 1}}`, 'token used before issued'],
    ['all three: nbf last', `{"exp":${NOW - 1},"iat":${NOW + 1},"nbf":${NOW + 1}}`, 'token is not valid yet'],
    ['Go matches keys case-insensitively: "EXP" is exp', `{"EXP":${NOW - 300}}`, 'token is expired by 5m0s'],
    ['a later duplicate wins', `{"exp":${NOW - 300},"exp":${NOW + 300}}`, 'ok'],
    ['null does not reset an earlier value', `{"exp":${NOW - 300},"exp":null}`, 'token is expired by 5m0s'],
  ])('%s', (_name, claims, expected) => {
    expect(reason(forge(claims))).toBe(expected)
  })

  test.each([
    ['exp 1.5', '{"exp":1.5}', 'json: cannot unmarshal number 1.5 into Go struct field GoTrueClaims.StandardClaims.exp of type int64'],
    ['exp 1e3 (as written)', '{"exp":1e3}', 'json: cannot unmarshal number 1e3 into Go struct field GoTrueClaims.StandardClaims.exp of type int64'],
    ['exp beyond int64', '{"exp":9223372036854775808}', 'json: cannot unmarshal number 9223372036854775808 into Go struct field GoTrueClaims.StandardClaims.exp of type int64'],
    ['exp a string', '{"exp":"1800000000"}', 'json: cannot unmarshal string into Go struct field GoTrueClaims.StandardClaims.exp of type int64'],
    ['iat a bool', '{"iat":true}', 'json: cannot unmarshal bool into Go struct field GoTrueClaims.StandardClaims.iat of type int64'],
    ['sub a number', '{"sub":5}', 'json: cannot unmarshal number into Go struct field GoTrueClaims.StandardClaims.sub of type string'],
    ['aud an array (StandardClaims has a string aud)', '{"aud":["a"]}', 'json: cannot unmarshal array into Go struct field GoTrueClaims.StandardClaims.aud of type string'],
    ['app_metadata a string', '{"app_metadata":"admin"}', 'json: cannot unmarshal string into Go struct field GoTrueClaims.app_metadata of type map[string]interface {}'],
    ['the first type error is reported', '{"email":1,"exp":"x"}', 'json: cannot unmarshal number into Go struct field GoTrueClaims.email of type string'],
    ['claims an array', '[1]', 'json: cannot unmarshal array into Go value of type api.GoTrueClaims'],
    ['claims not JSON', 'nope', "invalid character 'o' in literal null (expecting 'u')"],
    ['claims cut short (a streaming decoder)', '{"sub":', 'unexpected EOF'],
    ['claims empty', '', 'EOF'],
  ])('malformed claims: %s', (_name, claims, expected) => {
    const check = checkToken(forge(claims), key(), clock)
    expect(check).toEqual({ ok: false, code: 'ERR_JWT_MALFORMED', reason: expected })
  })

  test('claims "null" and a trailing value after the object are accepted (json.Decoder reads one value)', () => {
    expect(checkToken(forge('null'), key(), clock)).toEqual({ ok: true, claims: {} })
    expect(checkToken(forge('{"sub":"u"} trailing'), key(), clock)).toEqual({ ok: true, claims: { sub: 'u' } })
  })
})

describe('header, segments, base64 and signature (golang-jwt v4 ParseUnverified, hmac.go)', () => {
  test.each([
    ['two segments', 'a.b', 'token contains an invalid number of segments'],
    ['four segments', 'a.b.c.d', 'token contains an invalid number of segments'],
    ['a padded header segment', `${b64(HS256)}=.${b64('{}')}.x`, `illegal base64 data at input byte ${b64(HS256).length}`],
    ['standard (not URL) alphabet', `${b64(HS256)}.${'a+b/'}.x`, 'illegal base64 data at input byte 1'],
    ['one character left over', `${b64(HS256)}.abcde.x`, 'illegal base64 data at input byte 4'],
    ['header not JSON', `${b64('{alg}')}.${b64('{}')}.x`, "invalid character 'a' looking for beginning of object key string"],
    ['header with trailing data (json.Unmarshal reads all)', `${b64(`${HS256}x`)}.${b64('{}')}.x`, "invalid character 'x' after top-level value"],
    ['header an array', `${b64('[]')}.${b64('{}')}.x`, 'json: cannot unmarshal array into Go value of type map[string]interface {}'],
    // Go's scanner reads bytes: "not" decodes to 0x9e 0x8b 0x2d, and quoteChar shows the byte 0x9e as a rune.
    ['header bytes that are not UTF-8 ("not.a.jwt")', 'not.a.jwt', "invalid character '\\u009e' looking for beginning of value"],
    ['a lone byte 0xef as the header', `${Buffer.from([0xef]).toString('base64url')}.${b64('{}')}.x`, "invalid character 'ï' looking for beginning of value"],
    ['valid UTF-8 outside a string: its first byte', `${b64('é')}.${b64('{}')}.x`, "invalid character 'Ã' looking for beginning of value"],
    ['claims bytes that are not UTF-8', `${b64(HS256)}.${Buffer.from([0x7b, 0xff]).toString('base64url')}.x`, "invalid character 'ÿ' looking for beginning of object key string"],
  ])('%s', (_name, token, expected) => {
    expect(reason(token)).toBe(expected)
  })

  test.each([
    ['alg none', '{"alg":"none"}', 'signing method none is invalid'],
    ['alg HS512', '{"alg":"HS512"}', 'signing method HS512 is invalid'],
    ['an alg the library does not know', '{"alg":"HS999"}', 'signing method (alg) is unavailable.'],
    ['no alg', '{"typ":"JWT"}', 'signing method (alg) is unspecified.'],
    ['a non-string alg', '{"alg":256}', 'signing method (alg) is unspecified.'],
  ])('%s', (_name, header, expected) => {
    expect(reason(forge('{}', header))).toBe(expected)
  })

  test('an unknown crit header is accepted: golang-jwt v4 has no notion of crit (jose refuses it)', async () => {
    const token = forge('{"sub":"u"}', '{"alg":"HS256","crit":["x-unknown"],"x-unknown":1}')
    expect(checkToken(token, key(), clock)).toEqual({ ok: true, claims: { sub: 'u' } })
    await expect(jwtVerify(token, new TextEncoder().encode(SECRET))).rejects.toThrow()
  })

  test('a wrong secret, a padded signature, and the order of checks', () => {
    expect(reason(forge('{}', HS256, 'other'))).toBe('signature is invalid')
    const good = forge('{}')
    expect(reason(`${good}=`)).toBe(`illegal base64 data at input byte ${good.split('.')[2]!.length}`)
    // The signature is checked before the claims' times; malformed claims before the signature.
    expect(reason(forge(`{"exp":${NOW - 300}}`, HS256, 'other'))).toBe('signature is invalid')
    expect(reason(forge('{"exp":1.5}', HS256, 'other'))).toMatch(/^json: cannot unmarshal number 1.5/)
  })

  test('unused trailing bits of the signature are ignored, as Go’s non-strict decoder does', () => {
    const good = forge('{"sub":"u"}')
    const last = good.at(-1)!
    // 43 characters carry 256 bits and 2 spare bits: flipping a spare bit decodes to the same bytes.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const twin = alphabet[alphabet.indexOf(last) ^ 1]!
    expect(checkToken(`${good.slice(0, -1)}${twin}`, key(), clock).ok).toBe(true)
  })
})

describe('a verdict never depends on a cache', () => {
  const claim = fc.oneof(
    fc.integer({ min: NOW - 1000, max: NOW + 1000 }),
    fc.constantFrom(0, -1, 1.5, '1', null, true, 9223372036854775807n, 1e21),
  )
  const claimsText = fc.record({ exp: claim, iat: claim, nbf: claim }, { requiredKeys: [] }).map((c) =>
    `{${Object.entries(c).map(([k, v]) => `"${k}":${typeof v === 'bigint' ? v.toString() : JSON.stringify(v)}`).join(',')}}`)

  test('the same token gets the same verdict from a fresh key, before and after 1,100 other tokens', () => {
    fc.assert(fc.property(claimsText, (text) => {
      const shared = key()
      const token = forge(text)
      const first = checkToken(token, shared, clock)
      for (let i = 0; i < SecretKey.CACHE_LIMIT + 76; i++) checkToken(forge(`{"n":${i}}`), shared, clock)
      expect(checkToken(token, shared, clock)).toEqual(first)
      expect(checkToken(token, key(), clock)).toEqual(first)
    }), { numRuns: 60 })
  })

  test('a token signed by identity.token() with a bad claim is refused at once, not only after eviction', async () => {
    const identity = createIdentity({ now: clock })
    const token = await identity.token(identity.fakeUser(), { claims: { iat: NOW + 60 } })
    const res = await identity.invoke(async (_e: unknown, ctx: { clientContext: { user?: unknown } }) => ({ statusCode: 200, body: JSON.stringify(ctx.clientContext.user ?? null) }), { token })
    expect(res.body).toBe('null')
  })

  test('claims handed out are fresh objects each time', () => {
    const shared = key()
    const token = forge('{"app_metadata":{"roles":["a"]}}')
    const first = checkToken(token, shared, clock)
    if (!first.ok) throw new Error('expected ok')
    ;(first.claims.app_metadata as { roles: string[] }).roles.push('admin')
    expect(checkToken(token, shared, clock)).toEqual({ ok: true, claims: { app_metadata: { roles: ['a'] } } })
  })

  test('the memo is bounded', () => {
    const shared = key()
    for (let i = 0; i < SecretKey.CACHE_LIMIT + 10; i++) checkToken(forge(`{"n":${i}}`), shared, clock)
    expect(shared.remembered).toBe(SecretKey.CACHE_LIMIT)
  })
})

describe('every surface uses the one verifier', () => {
  const identity = createIdentity({ now: clock, siteUrl: 'https://surfaces.netlify.test' })
  identity.listen()
  afterAll(() => identity.close())
  const user = identity.createUser({ password: 'pw-123456' })

  test('GET /user, /admin, v1 clientContext.user, the v2 bearer and the nf_jwt cookie all refuse an iat in the future', async () => {
    const bad = await identity.token(user, { claims: { iat: NOW + 60 } })
    const me = await fetch(`${identity.url}/user`, { headers: { authorization: `Bearer ${bad}` } })
    expect(me.status).toBe(401)
    expect(await me.json()).toEqual({ code: 401, msg: 'Invalid token: token used before issued' })
    const admin = await fetch(`${identity.url}/admin/users`, { headers: { authorization: `Bearer ${bad}` } })
    expect(await admin.json()).toEqual({ code: 401, msg: 'Invalid token: token used before issued' })
    const v1 = await identity.invoke(async (_e: unknown, ctx: { clientContext: { user?: unknown } }) => ({ statusCode: 200, body: String(ctx.clientContext.user === undefined) }), { token: bad })
    expect(v1.body).toBe('true')
    const v2 = async (_req: Request, ctx: { account: unknown }) => new Response(String((globalThis as { netlifyIdentityContext?: { user?: unknown } }).netlifyIdentityContext?.user === undefined))
    expect((await identity.invoke(v2, { shape: 'v2', token: bad })).body).toBe('true')
    expect((await identity.invoke(v2, { shape: 'v2', headers: { cookie: `nf_jwt=${bad}` } })).body).toBe('true')
    const good = await identity.token(user)
    expect((await identity.invoke(v2, { shape: 'v2', headers: { cookie: `nf_jwt=${good}` } })).body).toBe('false')
  })
})

describe('Go helpers', () => {
  test('base64: RawURLEncoding, CR/LF skipped', () => {
    expect(goRawUrlBase64('aGk')).toEqual({ ok: true, bytes: Buffer.from('hi') })
    expect(goRawUrlBase64('aG\nk')).toEqual({ ok: true, bytes: Buffer.from('hi') })
    expect(goRawUrlBase64('aGk=')).toEqual({ ok: false, error: 'illegal base64 data at input byte 3' })
  })

  test('json.Unmarshal vs json.Decoder', () => {
    expect(goUnmarshal('')).toEqual({ ok: false, error: 'unexpected end of JSON input' })
    expect(goUnmarshal('{"a":1')).toEqual({ ok: false, error: 'unexpected end of JSON input' })
    expect(goUnmarshal('1 2')).toEqual({ ok: false, error: "invalid character '2' after top-level value" })
    expect(goDecodeFirst('123abc')).toMatchObject({ ok: true, value: 123 })
    expect(goDecodeFirst('{"a" 1}')).toEqual({ ok: false, error: "invalid character '1' after object key" })
    expect(goDecodeFirst('{"a":1 "b"}')).toEqual({ ok: false, error: "invalid character '\"' after object key:value pair" })
    expect(goDecodeFirst('[1 2]')).toEqual({ ok: false, error: "invalid character '2' after array element" })
    expect(goDecodeFirst('"a\tb"')).toEqual({ ok: false, error: "invalid character '\\t' in string literal" })
    expect(goDecodeFirst('"\\x"')).toEqual({ ok: false, error: "invalid character 'x' in string escape code" })
    expect(goDecodeFirst('-a')).toEqual({ ok: false, error: "invalid character 'a' in numeric literal" })
    expect(goDecodeFirst('1.x')).toEqual({ ok: false, error: "invalid character 'x' after decimal point in numeric literal" })
    expect(goDecodeFirst('tru')).toEqual({ ok: false, error: 'unexpected EOF' })
  })

  test('strings.TrimSpace uses Go’s white space, not JavaScript’s', () => {
    expect(goTrimSpace('\u0085\u00a0 x \u3000')).toBe('x')
    // U+FEFF is white space to String.prototype.trim, not to Go.
    expect(goTrimSpace('\ufeff')).toBe('\ufeff')
    expect('\ufeff'.trim()).toBe('')
  })
})
