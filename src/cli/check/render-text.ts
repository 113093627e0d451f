import { relative } from 'node:path'
import type { CliIO } from '../io.js'
import type { Severity } from './findings.js'
import type { CheckReport, FunctionReport, ScenarioResult } from './report.js'
import { scenarioLabel, verdictWord } from './report.js'

type Style = CliIO['style']

const SEVERITY_STYLE: Record<Severity, Parameters<Style>[0]> = { error: ['bold', 'red'], warning: 'yellow', info: 'cyan' }

/** A metadata map with changed keys marked (`+` added, `~` changed, `-` removed) and highlighted. */
function renderMap(name: 'app_metadata' | 'user_metadata', map: Record<string, unknown> | null | undefined, changed: string[], style: Style): string {
  const mark = new Map(changed.filter((c) => c.slice(1).startsWith(`${name}.`)).map((c) => [c.slice(name.length + 2), c[0]!]))
  if (map === null) return `${name} null`
  const parts = Object.entries(map ?? {}).map(([k, v]) => {
    const m = mark.get(k)
    const text = `${k}: ${JSON.stringify(v)}`
    return m ? style(['bold', 'yellow'], `${m}${text}`) : text
  })
  for (const [k, m] of mark) if (m === '-') parts.push(style(['bold', 'red'], `-${k}`))
  return `${name} {${parts.join(', ')}}`
}

function scenarioLine(fn: FunctionReport, s: ScenarioResult, width: number, style: Style): string {
  const word = verdictWord(fn, s)
  const verdict = word === 'allowed' ? style('green', '✓ allowed') : style('red', `✗ ${word}`)
  const head = `  ${verdict.padEnd(style('red', '✗ blocked').length)}  ${String(s.status).padStart(3)}  ${s.attempts}×  ${scenarioLabel(fn, s).padEnd(width)}`
  if (fn.kind === 'http' || s.status === 0) return `${head}  ${s.title}`
  return `${head}  ${renderMap('app_metadata', s.app_metadata, s.changed, style)}  ${renderMap('user_metadata', s.user_metadata, s.changed, style)}`
}

/** The report as text: grouped by function, a line per scenario, the findings with fixes, a summary. @internal */
export function renderText(report: CheckReport, style: Style, cwd?: string): string {
  const out: string[] = []
  out.push(style('bold', `netlify-identity-harness check ${cwd === undefined ? report.site : relative(cwd, report.site) || '.'}`))
  out.push(`functions in ${report.functionsDir}: ${report.functions.length} probed${report.skipped.length ? `, ${report.skipped.length} skipped (no Identity use; --all probes them: ${report.skipped.join(', ')})` : ''}`)
  out.push('')
  for (const fn of report.functions) {
    const what = fn.kind === 'event' ? `event ${fn.events.join(', ')}${fn.background ? ' (background)' : ''}` : 'HTTP'
    out.push(`${style('bold', fn.name)}  ${style('dim', `${fn.file} · ${what} · ${fn.reason}`)}`)
    const width = Math.max(...fn.scenarios.map((s) => scenarioLabel(fn, s).length), 0)
    // A function that did not load ran no scenario: one line says so instead of one per scenario.
    const loaded = fn.scenarios.some((s) => s.status !== 0)
    if (!loaded && fn.scenarios.length > 1) {
      out.push(`  ${style('red', '✗ not run')}  none of its ${fn.scenarios.length} scenarios ran: the function did not load (see load-failed)`)
    } else {
      for (const s of fn.scenarios) out.push(scenarioLine(fn, s, width, style))
    }
    if (fn.env.read.length) out.push(style('dim', `  env read: ${fn.env.read.map((n) => (fn.env.unset.includes(n) ? `${n} (unset)` : n)).join(', ')}`))
    for (const f of fn.findings) {
      out.push(`  ${style(SEVERITY_STYLE[f.severity], f.severity.padEnd(7))} ${style('bold', f.code)}  ${style('dim', `[${f.scenarios.join(', ')}]`)}`)
      out.push(`          ${f.message}`)
      out.push(`          ${style('green', `fix: ${f.fix}`)}`)
    }
    out.push('')
  }
  const s = report.summary
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`
  const verdict = s.exitCode === 1 ? style(['bold', 'red'], 'FAIL') : style(['bold', 'green'], 'PASS')
  out.push(`${verdict}  ${plural(s.functions, 'function')}, ${plural(s.scenarios, 'scenario')}: ${style('red', plural(s.errors, 'error'))}, ${style('yellow', plural(s.warnings, 'warning'))}, ${plural(s.infos, 'info')} (fail on: ${s.failOn}) in ${(s.durationMs / 1000).toFixed(1)} s`)
  return `${out.join('\n')}\n`
}
