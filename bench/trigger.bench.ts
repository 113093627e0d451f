/**
 * Case 1 (issue 6): identity.trigger on a trivial handler vs a hand-written baseline doing the
 * same work directly with the same libraries: build the event with a jose-signed
 * x-webhook-signature, call the handler, parse its body, apply the metadata.
 */
import { createHash } from 'node:crypto'
import { SignJWT } from 'jose'
import { bench, describe } from 'vitest'
import { createIdentity, DEFAULT_JWT_SECRET } from '../src/index.js'
import type { GoTrueUser } from '../src/index.js'

const identity = createIdentity({ seed: 1 })
const user = identity.fakeUser()
const handler = async (event: { body: string | null }) => {
  const { user: u } = JSON.parse(event.body!) as { user: GoTrueUser }
  return { statusCode: 200, body: JSON.stringify({ app_metadata: { ...u.app_metadata, roles: ['member'] } }) }
}

// The baseline imports its key once, as a careful hand-written helper would.
const keyPromise = crypto.subtle.importKey('raw', new TextEncoder().encode(DEFAULT_JWT_SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])

async function baseline(): Promise<GoTrueUser> {
  const key = await keyPromise
  const body = JSON.stringify({ event: 'signup', instance_id: identity.instanceId, user })
  const sha256 = createHash('sha256').update(body).digest('hex')
  const signature = await new SignJWT({ iss: 'gotrue', sub: identity.instanceId, iat: Math.floor(Date.now() / 1000), sha256 })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(key)
  const event = {
    rawUrl: 'https://site.netlify.test/.netlify/functions/identity-signup',
    rawQuery: '',
    path: '/.netlify/functions/identity-signup',
    httpMethod: 'POST',
    headers: { 'content-type': 'application/json', 'x-netlify-event': 'identity_signup', 'x-webhook-signature': signature },
    multiValueHeaders: {},
    queryStringParameters: {},
    multiValueQueryStringParameters: {},
    body,
    isBase64Encoded: false,
  }
  const res = await handler(event)
  const parsed = JSON.parse(res.body) as Partial<GoTrueUser>
  return { ...user, ...(parsed.app_metadata ? { app_metadata: parsed.app_metadata } : {}) }
}

describe('trigger', () => {
  bench('harness', async () => {
    await identity.trigger(handler, 'signup', user)
  }, { time: 1500, warmupTime: 300 })
  bench('baseline', async () => {
    await baseline()
  }, { time: 1500, warmupTime: 300 })
})
