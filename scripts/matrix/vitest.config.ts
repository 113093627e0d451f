// The leg's Vitest config: the quick start, the example site's tests, the README msw recipe.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: { include: ['examples/vitest/**/*.test.ts', 'recipes/**/*.test.ts'], environment: 'node' },
})
