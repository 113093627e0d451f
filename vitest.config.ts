import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A hanging user function must never hang CI; the harness's own timeouts are shorter.
    testTimeout: 20_000,
  },
})
