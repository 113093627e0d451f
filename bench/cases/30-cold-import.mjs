/** Case 3: cold import of the main entry vs importing jose, msw/node and faker alone (fresh processes, alternating). */
import { alternate, dist, log, median, row, runNode } from '../lib.mjs'

const script = (specifiers) =>
  `const t = performance.now(); await Promise.all([${specifiers.map((s) => `import(${JSON.stringify(s)})`).join(', ')}]); process.stdout.write(String(performance.now() - t))`
const timeImport = (specifiers) => Number(runNode(['--input-type=module', '-e', script(specifiers)]))

export default function coldImport() {
  log('case 3: cold import …')
  const [harness, baseline] = alternate(15, () => timeImport([dist]), () => timeImport(['jose', 'msw/node', '@faker-js/faker/locale/en']))
  return [row('3. cold import (median ms)', median(harness), median(baseline), 1.2, 'ms')]
}
