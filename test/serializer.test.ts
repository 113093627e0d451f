// The snapshot serializer: stable text for hook outcomes and function responses, whatever the
// seed's ids and dates; nothing else is touched.
import { format as prettyFormat } from '@vitest/pretty-format'
import { describe, expect, test } from 'vitest'
import { createIdentity } from '../src/identity.js'
import serializer, { isFunctionResponse } from '../src/serializer.js'
import type { GoTrueUser } from '../src/types.js'

expect.addSnapshotSerializer(serializer)

const signup = async (event: { body: string }) => {
  const { user } = JSON.parse(event.body) as { user: GoTrueUser }
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ app_metadata: { ...user.app_metadata, roles: ['member'], approved_by: user.id, at: user.created_at } }),
  }
}

async function outcomeFor(seed: number, now?: Date) {
  const identity = createIdentity(now ? { seed, now: () => now } : { seed })
  const user = identity.fakeUser({ email: 'ada@example.com', user_metadata: { full_name: 'Ada Lovelace' } })
  return identity.trigger(signup, 'signup', user)
}

describe('hook outcomes', () => {
  test('two seeds (different ids and dates) give the identical snapshot text', async () => {
    const a = await outcomeFor(1)
    const b = await outcomeFor(987_654, new Date('2031-07-04T12:34:56.789Z'))
    expect(a.user.id).not.toBe(b.user.id)
    expect(a.user.created_at).not.toBe(b.user.created_at)
    const textA = format(a)
    expect(textA).toBe(format(b))
    expect(textA).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/)
  })

  test('prints a parsed body, placeholders numbered in order of appearance, sorted keys', async () => {
    expect(await outcomeFor(3)).toMatchInlineSnapshot(`
      HookOutcome {
        "allowed": true,
        "attempts": 1,
        "diagnostics": [],
        "event": "signup",
        "response": FunctionResponse {
          "body": {
            "app_metadata": {
              "approved_by": "[uuid-1]",
              "at": "[date-1]",
              "provider": "email",
              "roles": [
                "member",
              ],
            },
          },
          "headers": {
            "content-type": "application/json",
          },
          "isBase64Encoded": false,
          "multiValueHeaders": {
            "content-type": [
              "application/json",
            ],
          },
          "statusCode": 200,
        },
        "status": 200,
        "user": {
          "app_metadata": {
            "approved_by": "[uuid-1]",
            "at": "[date-1]",
            "provider": "email",
            "roles": [
              "member",
            ],
          },
          "aud": "",
          "confirmed_at": "[date-2]",
          "created_at": "[date-1]",
          "email": "ada@example.com",
          "id": "[uuid-1]",
          "role": "",
          "updated_at": "[date-2]",
          "user_metadata": {
            "full_name": "Ada Lovelace",
          },
        },
      }
    `)
  })
})

describe('function responses', () => {
  test('a JWT is shown as its claims without exp/iat; ids inside them get placeholders too', async () => {
    const identity = createIdentity({ seed: 9 })
    const user = identity.fakeUser({ email: 'grace@example.com', user_metadata: null })
    const token = await identity.token(user)
    const response = { statusCode: 200, headers: {}, multiValueHeaders: {}, body: JSON.stringify({ token, id: user.id, note: `hi ${user.id}` }), isBase64Encoded: false }
    const text = format(response)
    expect(text).not.toContain(token)
    expect(text).not.toMatch(/"exp"|"iat"/)
    expect(text).toContain('JWT {')
    expect(text).toContain('"sub": "[uuid-1]"')
    expect(text).toContain('"id": "[uuid-1]"')
    expect(text).toContain('"note": "hi [uuid-1]"')
    expect(text).toContain('"email": "grace@example.com"')
  })

  test('a non-JSON body stays a string; a base64 body is left as is', () => {
    const text = format({ statusCode: 401, headers: {}, multiValueHeaders: {}, body: 'no token', isBase64Encoded: false })
    expect(text).toContain('"body": "no token"')
    expect(format({ statusCode: 200, headers: {}, multiValueHeaders: {}, body: 'e30=', isBase64Encoded: true })).toContain('"body": "e30="')
  })

  test('recognises a response only by its exact key set', () => {
    expect(isFunctionResponse({ statusCode: 200, headers: {}, multiValueHeaders: {}, body: '', isBase64Encoded: false })).toBe(true)
    expect(isFunctionResponse({ statusCode: 200, body: '' })).toBe(false)
    expect(isFunctionResponse({ statusCode: 200, headers: {}, multiValueHeaders: {}, body: '', isBase64Encoded: false, extra: 1 })).toBe(false)
    expect(isFunctionResponse({ statusCode: '200', headers: {}, multiValueHeaders: {}, body: '', isBase64Encoded: false })).toBe(false)
  })
})

describe('leaves other values alone', () => {
  test('a user string with a UUID, a date or a JWT is not rewritten', () => {
    const mine = { id: '3f2504e0-4f89-41d3-9a0c-0305e82c3301', at: '2026-01-01T00:00:00Z', statusCode: 200, body: '' }
    expect(serializer.test(mine)).toBe(false)
    expect(serializer.test('3f2504e0-4f89-41d3-9a0c-0305e82c3301')).toBe(false)
    expect(format(mine)).toContain('3f2504e0-4f89-41d3-9a0c-0305e82c3301')
    expect(format(mine)).toContain('2026-01-01T00:00:00Z')
  })

  test('numbering restarts for every snapshotted harness object', async () => {
    const a = await outcomeFor(1)
    const b = await outcomeFor(2)
    const text = format([a, b])
    expect(text.match(/"id": "\[uuid-1\]"/g)).toHaveLength(2)
  })
})

/** The snapshot text, printed with Vitest's snapshot settings. */
function format(value: unknown): string {
  return prettyFormat(value, { plugins: [serializer], printBasicPrototype: false, escapeString: false })
}
