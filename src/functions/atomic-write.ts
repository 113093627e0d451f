import { renameSync, unlinkSync, writeFileSync } from 'node:fs'

/**
 * Writes `text` to `path` whole: into a partial file beside it, then renamed over it, so a
 * concurrent reader (another Vitest worker) sees the old file or the new one, never a part.
 * Throws what the write or the rename threw (the partial file is removed).
 * @internal
 */
export function writeWhole(path: string, text: string): void {
  const partial = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  writeFileSync(partial, text)
  try {
    renameSync(partial, path)
  } catch (error) {
    try {
      unlinkSync(partial)
    } catch {
      // gone already
    }
    throw error
  }
}
