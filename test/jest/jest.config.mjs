// Jest 30 over the built package (`npm run build` first), in ESM mode: run with
// NODE_OPTIONS=--experimental-vm-modules (toolchain-and-peers.md §0.4: Jest's CommonJS loader
// cannot require jose, faker or msw on Node 20).
export default {
  rootDir: import.meta.dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/**/*.test.mjs'],
  // Resolves through the package's own `exports` (a self-reference), like a user's install would.
  setupFilesAfterEnv: ['netlify-identity-harness/jest'],
  transform: {},
}
