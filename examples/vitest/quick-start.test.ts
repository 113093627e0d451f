// identity-signup.test.ts
import { test, expect } from 'netlify-identity-harness/vitest'

// Your function, usually: import { handler } from '../netlify/functions/identity-signup.js'
const handler = async (event: { body: string }) => {
  const { user } = JSON.parse(event.body)
  return { statusCode: 200, body: JSON.stringify({ app_metadata: { ...user.app_metadata, roles: ['member'] } }) }
}

test('new users become members', async ({ identity }) => {
  const outcome = await identity.trigger(handler, 'signup', identity.fakeUser())
  expect(outcome).toAllowSignup()
  expect(outcome).toSetAppMetadata({ provider: 'email', roles: ['member'] })
  expect(outcome).toHaveNoDiagnostics() // no pitfall the harness saw (a dropped provider, a crash, …)
})
