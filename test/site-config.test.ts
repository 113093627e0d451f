/**
 * readSiteConfig: netlify.toml as Netlify reads it (netlify/build packages/config/src:
 * functions_config.js, files.ts DEFAULT_PATHS, base.ts, case.ts).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { readSiteConfig } from '../src/site/config.js'

function site(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'nih-site-'))
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  return dir
}

describe('readSiteConfig', () => {
  test('no netlify.toml: netlify/functions under the site', () => {
    const dir = site({ 'index.html': '' })
    expect(readSiteConfig(dir)).toMatchObject({ configFile: undefined, baseDir: dir, functionsDir: join(dir, 'netlify/functions'), functionsDirOrigin: 'default', redirects: [] })
  })

  test('[functions] directory wins over the legacy [build] functions, both relative to base', () => {
    const dir = site({ 'netlify.toml': '[build]\nbase = "app"\nfunctions = "legacy"\n[functions]\ndirectory = "/fns"\n' })
    expect(readSiteConfig(dir)).toMatchObject({ baseDir: join(dir, 'app'), functionsDir: join(dir, 'app/fns'), functionsDirOrigin: 'config' })
    const v1 = site({ 'netlify.toml': '[Build]\nFunctions = "lambda"\n' })
    expect(readSiteConfig(v1)).toMatchObject({ functionsDir: join(v1, 'lambda'), functionsDirOrigin: 'config-v1' })
  })

  test('a base directory with its own netlify.toml is the configuration', () => {
    const dir = site({ 'netlify.toml': '[build]\nbase = "site"\n', 'site/netlify.toml': '[functions]\ndirectory = "api"\n' })
    expect(readSiteConfig(dir)).toMatchObject({ configFile: join(dir, 'site/netlify.toml'), functionsDir: join(dir, 'site/api') })
  })

  test('[functions] settings go to "*", named tables stay per function, redirects are kept in order', () => {
    const dir = site({
      'netlify.toml': [
        '[functions]', 'included_files = ["data/*.json"]', 'node_bundler = "esbuild"',
        '[functions."identity-signup"]', 'included_files = ["roles.txt"]',
        '[functions.report]', 'background = true',
        '[[redirects]]', 'from = "/members/*"', 'to = "/members/:splat"', 'status = 200', 'force = true', 'conditions = { Role = ["member"] }',
        '[[redirects]]', 'from = "/old"', 'to = "/new"',
      ].join('\n'),
    })
    const config = readSiteConfig(dir)
    expect(config.functions).toEqual({
      '*': { included_files: ['data/*.json'], node_bundler: 'esbuild' },
      'identity-signup': { included_files: ['roles.txt'] },
      report: { background: true },
    })
    expect(config.redirects.map((r) => r.from)).toEqual(['/members/*', '/old'])
    expect(config.redirects[0]).toMatchObject({ status: 200, force: true, conditions: { Role: ['member'] } })
  })

  test('invalid TOML names the file, line and column; paths may not leave the site', () => {
    const bad = site({ 'netlify.toml': '[build]\nbase = [\n' })
    expect(() => readSiteConfig(bad)).toThrow(expect.objectContaining({ code: 'ERR_SITE_CONFIG', message: expect.stringMatching(/netlify\.toml:\d+:\d+ is not valid TOML/) }))
    const out = site({ 'netlify.toml': '[functions]\ndirectory = "../elsewhere"\n' })
    expect(() => readSiteConfig(out)).toThrow(expect.objectContaining({ code: 'ERR_SITE_CONFIG', message: expect.stringContaining('must be inside the site directory') }))
    expect(() => readSiteConfig(join(out, 'missing'))).toThrow(expect.objectContaining({ code: 'ERR_FUNCTION_NOT_FOUND' }))
  })
})
