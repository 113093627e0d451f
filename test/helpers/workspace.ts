import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * A monorepo under `root`: `packages/shared` (`@acme/shared`, whose `main` is its built
 * `dist/index.js`, roles `['dist']`, beside its TypeScript `src/index.ts`, roles `['src']`) linked
 * into `<root>/<site>/node_modules`, as npm and pnpm workspaces link it. Returns the site folder.
 */
export function linkedWorkspace(root: string, site = 'site'): string {
  const shared = join(root, 'packages', 'shared')
  mkdirSync(join(shared, 'dist'), { recursive: true })
  mkdirSync(join(shared, 'src'), { recursive: true })
  writeFileSync(join(shared, 'package.json'), '{ "name": "@acme/shared", "type": "module", "main": "dist/index.js" }\n')
  writeFileSync(join(shared, 'dist', 'index.js'), "export const roles = ['dist']\n")
  writeFileSync(join(shared, 'src', 'index.ts'), "export const roles: string[] = ['src']\n")
  const dir = join(root, site)
  mkdirSync(join(dir, 'node_modules', '@acme'), { recursive: true })
  symlinkSync(shared, join(dir, 'node_modules', '@acme', 'shared'), 'dir')
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
  return dir
}
