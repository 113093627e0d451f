// Run by scripts/matrix.mjs and expected to FAIL: with the Vitest fixture (its file-scoped msw
// server), a request no handler matches fails the test and never reaches the network.
import { test } from 'netlify-identity-harness/vitest'
import { fetchUnhandled } from './reach.js'

test('STRICT fixture: an unhandled request fails the test', async ({ identity }) => {
  void identity // starts the fixture's server
  await fetchUnhandled('fixture')
})
