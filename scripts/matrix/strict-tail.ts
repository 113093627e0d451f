
// Appended by scripts/matrix.mjs to the README msw recipe for the leg's msw major: a request no
// handler matches must fail the test and never reach the network.
import { fetchUnhandled } from './reach.js'

test('STRICT own-server recipe: an unhandled request fails the test', async () => {
  await fetchUnhandled('own-server recipe')
})
