import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { HarnessError } from '../../errors.js'

/**
 * Parses a dotenv file: `KEY=VALUE` lines, `export KEY=…`, `#` comments, values in single or
 * double quotes (double quotes understand `\n`), unquoted values trimmed with a trailing ` #…`
 * comment removed.
 * @internal
 */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line)
    if (!m) continue
    let value = m[2]!
    if (/^"(?:[^"\\]|\\.)*"/.test(value)) value = value.slice(1, value.lastIndexOf('"')).replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1')
    else if (/^'[^']*'/.test(value)) value = value.slice(1, value.indexOf("'", 1))
    else value = value.replace(/\s+#.*$/, '').trim()
    out[m[1]!] = value
  }
  return out
}

/** `--env-file` files (in order) then `--env KEY=VALUE` pairs, later ones winning. @internal */
export function envFromArgs(files: string[], pairs: string[], cwd: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const file of files) {
    let text: string
    try {
      text = readFileSync(resolve(cwd, file), 'utf8')
    } catch (error) {
      throw new HarnessError('ERR_INVALID_OPTION', `--env-file ${JSON.stringify(file)} cannot be read (${(error as Error).message})`, { cause: error })
    }
    Object.assign(env, parseEnvFile(text))
  }
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new HarnessError('ERR_INVALID_OPTION', `--env takes KEY=VALUE; got ${JSON.stringify(pair)}`)
    env[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  return env
}
