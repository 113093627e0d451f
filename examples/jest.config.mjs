// Jest 30 for the example site. Jest must run in ESM mode because jose, faker and msw are ESM-only:
//   NODE_OPTIONS=--experimental-vm-modules npx jest -c examples/jest.config.mjs
// Tests are `.mjs` (no transform needed); for TypeScript tests add a transform that keeps ESM
// (e.g. ts-jest with useESM, or babel-jest) and `extensionsToTreatAsEsm: ['.ts']`.
export default {
  rootDir: import.meta.dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/jest/**/*.test.mjs'],
  setupFilesAfterEnv: ['netlify-identity-harness/jest'],
  transform: {},
}
