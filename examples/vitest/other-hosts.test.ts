// crm-signup.test.ts
import { http, HttpResponse } from 'msw'
import { test, expect } from 'netlify-identity-harness/vitest'

// A signup hook that files the user in your CRM; a failed request blocks the signup.
const handler = async (event: { body: string }) => {
  const { user } = JSON.parse(event.body)
  const res = await fetch('https://crm.example.com/api/contacts', { method: 'POST', body: JSON.stringify({ email: user.email }) })
  if (!res.ok) throw new Error(`CRM answered ${res.status}`)
  const { id } = await res.json()
  return { statusCode: 200, body: JSON.stringify({ app_metadata: { ...user.app_metadata, crm_id: id } }) }
}

test('signup stores the CRM contact', async ({ identity, identityServer }) => {
  identityServer.use(http.post('https://crm.example.com/api/contacts', () => HttpResponse.json({ id: 'c_42' })))
  const outcome = await identity.trigger(handler, 'signup', identity.fakeUser())
  expect(outcome).toAllowSignup()
  expect(outcome).toSetAppMetadata({ provider: 'email', crm_id: 'c_42' })
})

test('signup is refused while the CRM is down', async ({ identity, identityServer }) => {
  identityServer.use(http.post('https://crm.example.com/api/contacts', () => HttpResponse.error()))
  const outcome = await identity.trigger(handler, 'signup', identity.fakeUser())
  expect(outcome).toBlockSignup()
  expect(outcome.attempts).toBe(3)
})
