// The leg's strictness run: every test here must fail (scripts/matrix.mjs checks the report).
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: { include: ['strict/**/*.test.ts'], environment: 'node' },
})
