import { defineConfig } from 'vitest/config'

// The end-to-end suite (npm run test:e2e): a real Chromium and a packed install. Not part of
// `npm test`, which never needs a browser.
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/e2e/**/*.e2e.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // One browser at a time on a small machine.
    fileParallelism: false,
  },
})
