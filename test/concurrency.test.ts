/**
 * 200 concurrent trigger and invoke calls on one instance, v1 and v2 (issue 6): each call sees
 * its own user, event and context — no leaks through module state or the v2 globals.
 */
import { getContext } from '@netlify/functions'
import { describe, expect, test } from 'vitest'
import { createIdentity } from '../src/index.js'
import type { GoTrueUser, HandlerEvent, LambdaContext } from '../src/index.js'

const N = 200
const tick = () => new Promise((r) => setTimeout(r, Math.floor(Math.random() * 3)))

describe('concurrency', () => {
  test(`${N} concurrent v1 triggers each get their own user and produce their own outcome`, async () => {
    const identity = createIdentity({ seed: 1 })
    const users = Array.from({ length: N }, (_, i) => identity.fakeUser({ user_metadata: { n: i } }))
    const handler = async (event: HandlerEvent) => {
      const { user } = JSON.parse(event.body!) as { user: GoTrueUser }
      await tick()
      return { statusCode: 200, body: JSON.stringify({ app_metadata: { ...user.app_metadata, owner: user.id } }) }
    }
    const outcomes = await Promise.all(users.map((u) => identity.trigger(handler, 'signup', u)))
    outcomes.forEach((o, i) => {
      expect(o.user.id).toBe(users[i]!.id)
      expect(o.user.app_metadata.owner).toBe(users[i]!.id)
    })
  })

  test(`${N} concurrent v1 invokes each see their own clientContext.user`, async () => {
    const identity = createIdentity({ seed: 2 })
    const users = Array.from({ length: N }, () => identity.fakeUser())
    const handler = async (_e: HandlerEvent, context: LambdaContext) => {
      const before = context.clientContext.user?.sub
      await tick()
      return { statusCode: 200, body: JSON.stringify({ before, after: context.clientContext.user?.sub }) }
    }
    const responses = await Promise.all(users.map((user) => identity.invoke(handler, { user })))
    responses.forEach((r, i) => expect(JSON.parse(r.body)).toEqual({ before: users[i]!.id, after: users[i]!.id }))
  })

  test(`${N} concurrent v2 invokes each see their own user in the globals and getContext()`, async () => {
    const identity = createIdentity({ seed: 3 })
    const users = Array.from({ length: N }, () => identity.fakeUser())
    type G = { netlifyIdentityContext?: { user?: { sub?: string } }; Netlify?: { context: { requestId: string } | null } }
    const g = globalThis as unknown as G
    const fn = {
      default: async (_req: Request, context: { requestId: string }) => {
        const before = { sub: g.netlifyIdentityContext?.user?.sub, requestId: g.Netlify?.context?.requestId, store: getContext().requestId }
        await tick()
        const after = { sub: g.netlifyIdentityContext?.user?.sub, requestId: g.Netlify?.context?.requestId, store: getContext().requestId }
        return Response.json({ before, after, own: context.requestId })
      },
    }
    const responses = await Promise.all(users.map((user) => identity.invoke(fn, { user })))
    const requestIds = new Set<string>()
    responses.forEach((r, i) => {
      const body = JSON.parse(r.body) as { before: Record<string, string>; after: Record<string, string>; own: string }
      expect(body.before).toEqual({ sub: users[i]!.id, requestId: body.own, store: body.own })
      expect(body.after).toEqual(body.before)
      requestIds.add(body.own)
    })
    expect(requestIds.size).toBe(N)
    expect(g.netlifyIdentityContext).toBeUndefined()
  })

  test(`${N} mixed v1 triggers and v2 invokes at once`, async () => {
    const identity = createIdentity({ seed: 4 })
    const users = Array.from({ length: N }, () => identity.fakeUser())
    const v1 = async (event: HandlerEvent) => {
      await tick()
      const { user } = JSON.parse(event.body!) as { user: GoTrueUser }
      return { statusCode: 200, body: JSON.stringify({ user_metadata: { seen: user.email } }) }
    }
    const v2 = { default: async () => { await tick(); return Response.json({ sub: (globalThis as { netlifyIdentityContext?: { user?: { sub?: string } } }).netlifyIdentityContext?.user?.sub }) } }
    const results = await Promise.all(users.map((user, i) => (i % 2 ? identity.trigger(v1, 'login', user) : identity.invoke(v2, { user }))))
    results.forEach((r, i) => {
      if (i % 2) expect((r as { user: GoTrueUser }).user.user_metadata).toEqual({ seen: users[i]!.email })
      else expect(JSON.parse((r as { body: string }).body)).toEqual({ sub: users[i]!.id })
    })
  })
})
