import { SEVERITY_RANK } from './findings.js'
import type { Severity } from './findings.js'
import type { CheckReport } from './report.js'
import { scenarioLabel } from './report.js'

function xml(text: string): string {
  // XML 1.0 allows only these characters; the rest (control characters a message may carry) is dropped.
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}

/**
 * The report as JUnit XML (the Ant/Jenkins schema CI tools read): a `testsuite` per function, a
 * `testcase` per scenario, a `failure` per finding at or above the fail-on level (error when
 * `never`), and lower findings in `system-out`.
 * @internal
 */
export function renderJUnit(report: CheckReport): string {
  const level: Severity = report.summary.failOn === 'never' ? 'error' : report.summary.failOn
  const fails = (s: Severity): boolean => SEVERITY_RANK[s] >= SEVERITY_RANK[level]
  const suites = report.functions.map((fn) => {
    let failures = 0
    const cases = fn.scenarios.map((s) => {
      const here = fn.findings.filter((f) => f.scenarios.includes(scenarioLabel(fn, s)))
      const bad = here.filter((f) => fails(f.severity))
      if (bad.length) failures++
      const name = `${scenarioLabel(fn, s)}: ${s.title}`
      const body = [
        ...bad.map((f) => `      <failure type="${xml(f.code)}" message="${xml(`${f.severity} ${f.code}: ${f.message}`)}">${xml(`${f.message}\nfix: ${f.fix}`)}</failure>`),
        `      <system-out>${xml(`${s.allowed ? 'allowed' : 'blocked'} ${s.status} after ${s.attempts} attempt(s)${here.filter((f) => !fails(f.severity)).map((f) => `\n${f.severity} ${f.code}: ${f.message}`).join('')}`)}</system-out>`,
      ]
      return `    <testcase classname="${xml(fn.name)}" name="${xml(name)}" time="${(s.durationMs / 1000).toFixed(3)}">\n${body.join('\n')}\n    </testcase>`
    })
    const time = fn.scenarios.reduce((t, s) => t + s.durationMs, 0) / 1000
    return `  <testsuite name="${xml(fn.name)}" tests="${fn.scenarios.length}" failures="${failures}" errors="0" skipped="0" time="${time.toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>`
  })
  const tests = report.functions.reduce((n, f) => n + f.scenarios.length, 0)
  const failures = suites.reduce((n, s) => n + Number(/failures="(\d+)"/.exec(s)![1]), 0)
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="netlify-identity-harness check" tests="${tests}" failures="${failures}" errors="0" time="${(report.summary.durationMs / 1000).toFixed(3)}">\n${suites.join('\n')}\n</testsuites>\n`
}
