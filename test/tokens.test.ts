import { createHash } from 'node:crypto'
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose'
import { describe, expect, test } from 'vitest'
import { createIdentity, DEFAULT_JWT_SECRET } from '../src/index.js'
import { parseBearer, parseBearerNetlifyDev } from '../src/tokens/bearer.js'
import { signWebhook } from '../src/tokens/signature.js'
import { SecretKey } from '../src/tokens/key.js'
import { verifyToken } from '../src/tokens/verify.js'

const secret = new TextEncoder().encode(DEFAULT_JWT_SECRET)
const NOW = new Date('2026-05-01T12:00:00Z')
const nowSec = NOW.getTime() / 1000

describe('access tokens (gotrue.md §4)', () => {
  const identity = createIdentity({ seed: 1, now: () => NOW })

  test('HS256 with kid nf-ident, GoTrue claims only, verifiable with jose and the secret', async () => {
    const user = identity.fakeUser({ roles: ['admin'] })
    const token = await identity.token(user)
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', kid: 'nf-ident', typ: 'JWT' })
    const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'], currentDate: NOW })
    expect(payload).toEqual({
      sub: user.id,
      exp: nowSec + 3600,
      email: user.email,
      app_metadata: { provider: 'email', roles: ['admin'] },
      user_metadata: user.user_metadata,
    })
    // §4: no iat, no iss, and aud omitted when "" (as on Netlify)
    expect(payload).not.toHaveProperty('iat')
    expect(payload).not.toHaveProperty('iss')
    expect(payload).not.toHaveProperty('aud')
  })

  test('the same bytes as jose signs, for non-ASCII claims and for claims too long for the encoder\'s scratch buffer', async () => {
    const { SignJWT } = await import('jose')
    for (const name of ['José Ñúñez 日本 🎉', 'x'.repeat(1365), 'é'.repeat(1400), '\u{1F600}'.repeat(2000)]) {
      const user = identity.fakeUser({ user_metadata: { full_name: name } })
      const token = await identity.token(user)
      const claims = decodeJwt(token)
      expect(claims.user_metadata).toEqual({ full_name: name })
      const byJose = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'nf-ident', typ: 'JWT' }).sign(secret)
      expect(token).toBe(byJose)
    }
  })

  test('aud is a string claim when the user has one', async () => {
    const token = await identity.token(identity.fakeUser({ aud: 'team' }))
    expect(decodeJwt(token).aud).toBe('team')
  })

  test('expiresIn and claims override; undefined removes a claim', async () => {
    const user = identity.fakeUser()
    const short = decodeJwt(await identity.token(user, { expiresIn: 60 }))
    expect(short.exp).toBe(nowSec + 60)
    const custom = decodeJwt(await identity.token(user, { claims: { exp: undefined, extra: 'x' } }))
    expect(custom).not.toHaveProperty('exp')
    expect(custom.extra).toBe('x')
  })

  test('a negative expiresIn makes an expired token that GoTrue rejects with "token is expired by …"', async () => {
    const token = await identity.token(identity.fakeUser(), { expiresIn: -300 })
    const check = await verifyToken(token, new SecretKey(DEFAULT_JWT_SECRET), () => NOW)
    expect(check).toEqual({ ok: false, code: 'ERR_JWT_EXPIRED', reason: 'token is expired by 5m0s' })
  })

  test('token() rejects a non-user', async () => {
    await expect(identity.token({} as never)).rejects.toMatchObject({ code: 'ERR_INVALID_USER' })
  })

  test('exp follows real time by default so code that checks exp accepts the token', async () => {
    const real = createIdentity()
    const { payload } = await jwtVerify(await real.token(real.fakeUser()), secret)
    expect(payload.exp).toBeGreaterThan(Date.now() / 1000)
  })
})

describe('the admin token (gotrue.md §6.1)', () => {
  test('is HS256 with claims exactly { exp, sub: "0" } and a short lifetime', async () => {
    const identity = createIdentity({ now: () => NOW })
    const token = await identity.adminToken()
    const { payload } = await jwtVerify(token, secret, { currentDate: NOW })
    expect(payload).toEqual({ sub: '0', exp: nowSec + 60 })
  })

  test('is reused while fresh and re-issued when half its lifetime is gone', async () => {
    let t = NOW.getTime()
    const identity = createIdentity({ now: () => new Date(t) })
    const first = await identity.adminToken()
    t += 10_000
    expect(await identity.adminToken()).toBe(first)
    t += 25_000
    expect(await identity.adminToken()).not.toBe(first)
  })
})

describe('the webhook signature (gotrue.md §1.5)', () => {
  test('HS256 without kid; iss gotrue, sub instance id, iat, sha256 of the exact body; no exp', async () => {
    const body = '{"event":"signup","instance_id":"i","user":{"email":"é@example.com"}}'
    const jwt = await signWebhook(body, 'instance-1', 1_700_000_000, new SecretKey(DEFAULT_JWT_SECRET))
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'HS256', typ: 'JWT' })
    const { payload } = await jwtVerify(jwt, secret)
    expect(payload).toEqual({
      iss: 'gotrue',
      sub: 'instance-1',
      iat: 1_700_000_000,
      sha256: createHash('sha256').update(Buffer.from(body, 'utf8')).digest('hex'),
    })
  })
})

describe('verifying bearer tokens as GoTrue does (gotrue.md §4, §5.2)', () => {
  const key = new SecretKey(DEFAULT_JWT_SECRET)
  const clock = () => NOW

  test('accepts a token without exp (it never expires)', async () => {
    const identity = createIdentity({ now: clock })
    const token = await identity.token(identity.fakeUser(), { claims: { exp: undefined } })
    expect((await verifyToken(token, key, clock)).ok).toBe(true)
  })

  test('rejects a wrong secret, alg none and garbage', async () => {
    const other = createIdentity({ jwtSecret: 'another-secret', now: clock })
    const wrong = await other.token(other.fakeUser())
    expect(await verifyToken(wrong, key, clock)).toMatchObject({ ok: false, reason: 'signature is invalid' })
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.`
    expect((await verifyToken(none, key, clock)).ok).toBe(false)
    expect((await verifyToken('not-a-jwt', key, clock)).ok).toBe(false)
  })

  test('bearer parsing: only "Bearer " or "bearer ", one space, no white space in the token', () => {
    expect(parseBearer('Bearer abc')).toBe('abc')
    expect(parseBearer('bearer abc')).toBe('abc')
    expect(parseBearer('BEARER abc')).toBeUndefined()
    expect(parseBearer('Bearer  abc')).toBeUndefined()
    expect(parseBearer('Bearer a b')).toBeUndefined()
    expect(parseBearer('Basic abc')).toBeUndefined()
    expect(parseBearer(undefined)).toBeUndefined()
  })

  test('netlify dev parsing: exactly "Bearer", case-sensitive (functions-runtime.md §3.6)', () => {
    expect(parseBearerNetlifyDev('Bearer abc')).toBe('abc')
    expect(parseBearerNetlifyDev('bearer abc')).toBeUndefined()
    expect(parseBearerNetlifyDev('Bearer a b')).toBeUndefined()
  })
})

