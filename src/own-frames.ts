import { dirname, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/**
 * The harness's own code folders (`dist/`, and the `src/` its source maps name), as paths and as
 * `file:` URLs, found from this module's place in the package.
 */
const OWN_CODE: readonly string[] = (() => {
  try {
    const root = dirname(dirname(fileURLToPath(import.meta.url)))
    const url = pathToFileURL(root).href
    return [`${root}${sep}dist${sep}`, `${root}${sep}src${sep}`, `${url}/dist/`, `${url}/src/`]
  } catch {
    return []
  }
})()

/** Whether a stack line (`    at f (/…/file.js:1:2)`) is a frame of the harness's own code. @internal */
export function isOwnFrame(line: string): boolean {
  return OWN_CODE.some((folder) => line.includes(folder))
}

/**
 * A stack without the harness's own frames: what is left is the user's code (and Node's). A
 * stack with nothing else is returned as it is.
 * @internal
 */
export function withoutOwnFrames(stack: string): string {
  const lines = stack.split('\n')
  const first = lines.findIndex((line) => /^\s+at /.test(line))
  if (first === -1) return stack
  const frames = lines.slice(first)
  const kept = frames.filter((line) => !isOwnFrame(line))
  if (kept.length === frames.length || kept.length === 0) return stack
  return [...lines.slice(0, first), ...kept].join('\n')
}
