/**
 * The module files a path-loaded ESM bundle is imported from when Vitest loads the harness itself
 * (the Vitest plugin, `server.deps.inline`; issue 12, 7a): one path per content that every worker
 * shares, so Vite transforms it once per run. Nobody else may be able to write there: a folder
 * that is a link, that another user owns, or that its group or others can write to is never used
 * (the loader then writes a per-process temporary copy, as it did before).
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, afterEach, describe, expect, test } from 'vitest'
import { esmImportCounts, missingModuleFile } from '../src/functions/load.js'
import { viteFolderForTests, viteModuleFile } from '../src/functions/vite-modules.js'
import { createIdentity } from '../src/index.js'

const tmp = mkdtempSync(join(tmpdir(), 'nih-vite-modules-'))
const uid = typeof process.getuid === 'function' ? process.getuid() : undefined
const folderName = `netlify-identity-harness-vite-${uid ?? 'user'}`
let n = 0
const root = () => {
  const dir = join(tmp, `root-${++n}`)
  mkdirSync(dir)
  return dir
}
afterEach(() => viteFolderForTests())
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('a module file per content, in a folder of this user’s', () => {
  test('the same text is the same path (written once); other text another path; the folder is private', () => {
    const r = root()
    const dir = viteFolderForTests(r)
    expect(dir).toBe(join(r, folderName))
    const a = viteModuleFile('export const a = 1\n')!
    expect(a.startsWith(dir! + sep)).toBe(true)
    expect(readFileSync(a, 'utf8')).toBe('export const a = 1\n')
    const past = new Date(Date.now() - 60_000)
    utimesSync(a, past, past)
    expect(viteModuleFile('export const a = 1\n')).toBe(a)
    // not rewritten: its time is still the one set above
    expect(Math.round(statSync(a).mtimeMs / 1000)).toBe(Math.round(past.getTime() / 1000))
    expect(readdirSync(dir!)).toHaveLength(1)
    const b = viteModuleFile('export const b = 2\n')
    expect(b).not.toBe(a)
    expect(readdirSync(dir!).sort()).toHaveLength(2)
    if (uid !== undefined) expect(statSync(dir!).mode & 0o077).toBe(0)
  })

  test('a damaged or edited file is written again', () => {
    const dir = viteFolderForTests(root())!
    const path = viteModuleFile('export const damaged = true\n')!
    writeFileSync(path, 'export const dam')
    expect(viteModuleFile('export const damaged = true\n')).toBe(path)
    expect(readFileSync(path, 'utf8')).toBe('export const damaged = true\n')
    writeFileSync(path, 'export const DAMAGED = true\n') // the same size
    expect(viteModuleFile('export const damaged = true\n')).toBe(path)
    expect(readFileSync(path, 'utf8')).toBe('export const damaged = true\n')
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  test('the first write of a process removes files written more than two weeks ago and dead partial writes', () => {
    const r = root()
    const dir = join(r, folderName)
    mkdirSync(dir, { mode: 0o700 })
    const at = (name: string, ageMs: number) => {
      writeFileSync(join(dir, name), 'x')
      const t = new Date(Date.now() - ageMs)
      utimesSync(join(dir, name), t, t)
    }
    at('old.mjs', 15 * 24 * 3600 * 1000)
    at('recent.mjs', 24 * 3600 * 1000)
    at('x.mjs.1.a.tmp', 5 * 60_000)
    at('y.mjs.2.b.tmp', 1_000)
    viteFolderForTests(r)
    viteModuleFile('export const fresh = 1\n')
    const left = readdirSync(dir)
    expect(left).not.toContain('old.mjs')
    expect(left).not.toContain('x.mjs.1.a.tmp')
    expect(left).toContain('recent.mjs')
    expect(left).toContain('y.mjs.2.b.tmp')
  })

  test('at most 1,000 module files are kept: the oldest go first', () => {
    const r = root()
    const dir = join(r, folderName)
    mkdirSync(dir, { mode: 0o700 })
    for (let i = 0; i < 1005; i++) {
      const name = join(dir, `f${String(i).padStart(4, '0')}.mjs`)
      writeFileSync(name, 'x')
      const t = new Date(Date.now() - (i + 1) * 60_000) // f0000 the newest
      utimesSync(name, t, t)
    }
    viteFolderForTests(r)
    viteModuleFile('export const newest = 1\n')
    const left = readdirSync(dir)
    expect(left).toHaveLength(1001) // 1,000 kept, then the new one
    expect(left).toContain('f0000.mjs')
    expect(left).not.toContain('f1004.mjs')
  })
})

describe('a folder others could write to is never used', () => {
  test.skipIf(uid === undefined)('writable by its group or by others', () => {
    const r = root()
    const dir = join(r, folderName)
    mkdirSync(dir)
    chmodSync(dir, 0o777)
    expect(viteFolderForTests(r)).toBeNull()
    expect(viteModuleFile('export const x = 1\n')).toBeUndefined()
    expect(readdirSync(dir)).toEqual([])
  })

  test.skipIf(uid === undefined)('a link (to a folder someone else prepared)', () => {
    const r = root()
    const elsewhere = join(r, 'elsewhere')
    mkdirSync(elsewhere, { mode: 0o700 })
    symlinkSync(elsewhere, join(r, folderName))
    expect(viteFolderForTests(r)).toBeNull()
    expect(viteModuleFile('export const x = 1\n')).toBeUndefined()
    expect(readdirSync(elsewhere)).toEqual([])
  })

  test.skipIf(uid !== 0)('owned by another user (only root can make one here)', () => {
    const r = root()
    const dir = join(r, folderName)
    mkdirSync(dir, { mode: 0o700 })
    chownSync(dir, 65534, 65534)
    expect(viteFolderForTests(r)).toBeNull()
    expect(viteModuleFile('export const x = 1\n')).toBeUndefined()
  })

  test.skipIf(uid === undefined)('in a temporary directory others can write to without the sticky bit (they could rename it away)', () => {
    const r = root()
    chmodSync(r, 0o777)
    expect(viteFolderForTests(r)).toBeNull()
    chmodSync(r, 0o1777)
    expect(viteFolderForTests(r)).toBe(join(r, folderName))
  })

  test('a file where the folder should be', () => {
    const r = root()
    writeFileSync(join(r, folderName), 'not a folder')
    expect(viteFolderForTests(r)).toBeNull()
  })
})

describe('loading through Vite (this suite loads the harness through Vite)', () => {
  test('a bundled function runs from the shared module file; a fresh instance is a module of its own', async () => {
    const r = root()
    const dir = viteFolderForTests(r)!
    const site = join(tmp, `site-${++n}`)
    mkdirSync(site)
    writeFileSync(join(site, 'package.json'), '{ "type": "module" }\n')
    writeFileSync(join(site, 'roles.mts'), "export const roles: string[] = ['vite']\n")
    writeFileSync(
      join(site, 'identity-signup.mts'),
      "import { roles } from './roles.mts'\nlet loads = 0\nexport const handler = async () => ({ statusCode: 200, body: JSON.stringify({ app_metadata: { roles: [...roles, String(++loads)] } }) })\n",
    )
    const identity = createIdentity({ seed: 1 })
    const user = identity.fakeUser()
    const fn = join(site, 'identity-signup.mts')
    const before = esmImportCounts()
    const first = await identity.trigger(fn, 'signup', user, { fresh: true })
    const second = await identity.trigger(fn, 'signup', user, { fresh: true })
    const cached = await identity.trigger(fn, 'signup', user)
    const again = await identity.trigger(fn, 'signup', user)
    // each fresh instance counts from 1; the cached one is kept between calls
    expect(first.user.app_metadata.roles).toEqual(['vite', '1'])
    expect(second.user.app_metadata.roles).toEqual(['vite', '1'])
    expect(cached.user.app_metadata.roles).toEqual(['vite', '1'])
    expect(again.user.app_metadata.roles).toEqual(['vite', '2'])
    const after = esmImportCounts()
    expect({ moduleFile: after.moduleFile - before.moduleFile, temporary: after.temporary - before.temporary }).toEqual({ moduleFile: 3, temporary: 0 })
    const files = readdirSync(dir).filter((f) => f.endsWith('.mjs'))
    expect(files).toHaveLength(1)
    expect(readFileSync(join(dir, files[0]!), 'utf8')).toContain('sourceMappingURL=data:application/json')
  })
})

describe('a module file gone between finding it and importing it', () => {
  // The loader then imports a temporary copy; any other failure (a package the module imports
  // is missing) is the function's own and is reported. Node's errors come from a real Node
  // process, Vite's from this suite's own import() (Vitest's module runner).
  const nativeImportError = (path: string) =>
    JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', `import(${JSON.stringify(pathToFileURL(path).href + '?nih-instance=1')}).then(() => console.log('{}'), (e) => console.log(JSON.stringify({ code: e.code, message: e.message })))`], { encoding: 'utf8' })) as { code?: string; message?: string }

  test('Node’s and Vite’s own errors for a missing file are told from a missing import inside it', async () => {
    const gone = join(tmp, 'gone.mjs')
    expect(missingModuleFile(nativeImportError(gone), gone)).toBe(true)
    const viteError = await import(/* @vite-ignore */ pathToFileURL(gone).href + '?nih-instance=1').catch((e: unknown) => e)
    expect(missingModuleFile(viteError, gone)).toBe(true)
    const importer = join(tmp, 'importer.mjs')
    writeFileSync(importer, "import 'no-such-package-anywhere'\nexport const x = 1\n")
    const inner = nativeImportError(importer)
    expect(inner.code).toBe('ERR_MODULE_NOT_FOUND')
    expect(missingModuleFile(inner, importer)).toBe(false)
    const innerVite = await import(/* @vite-ignore */ pathToFileURL(importer).href).catch((e: unknown) => e)
    expect(innerVite).toBeInstanceOf(Error)
    expect(missingModuleFile(innerVite, importer)).toBe(false)
    expect(missingModuleFile(new SyntaxError('Unexpected token'), importer)).toBe(false)
  })
})
