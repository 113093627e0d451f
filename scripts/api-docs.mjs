#!/usr/bin/env node
// Generates docs/api.md from the package's entry points and their TSDoc: every export of
// `netlify-identity-harness`, `/vitest`, `/vitest-plugin`, `/jest`, `/serializer` and `/server`, with its signature and docs.
//   node scripts/api-docs.mjs          write docs/api.md
//   node scripts/api-docs.mjs --check  exit 1 when docs/api.md is out of date
import { readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import ts from 'typescript'

const root = resolve(import.meta.dirname, '..')
const ENTRIES = [
  ['netlify-identity-harness', 'src/index.ts'],
  ['netlify-identity-harness/vitest', 'src/vitest.ts'],
  ['netlify-identity-harness/vitest-plugin', 'src/vitest-plugin.ts'],
  ['netlify-identity-harness/jest', 'src/jest.ts'],
  ['netlify-identity-harness/serializer', 'src/serializer.ts'],
  ['netlify-identity-harness/server', 'src/server.ts'],
]

const config = ts.getParsedCommandLineOfConfigFile(resolve(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })
const program = ts.createProgram(ENTRIES.map(([, f]) => resolve(root, f)), { ...config.options, noEmit: true })
const checker = program.getTypeChecker()
const printer = ts.createPrinter({ removeComments: false })

const isInternal = (symbol) => symbol.getJsDocTags(checker).some((t) => t.name === 'internal')
const docOf = (symbol) => ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim()
const tagsOf = (symbol) =>
  symbol
    .getJsDocTags(checker)
    .filter((t) => t.name !== 'internal' && t.name !== 'packageDocumentation')
    .map((t) => `- \`@${t.name}\` ${ts.displayPartsToString(t.text ?? []).trim()}`)

function kindOf(decl) {
  if (ts.isFunctionDeclaration(decl)) return 'function'
  if (ts.isClassDeclaration(decl)) return 'class'
  if (ts.isInterfaceDeclaration(decl)) return 'interface'
  if (ts.isTypeAliasDeclaration(decl)) return 'type'
  if (ts.isVariableDeclaration(decl)) return 'const'
  return 'export'
}

/** The declaration's source without bodies: interfaces and types as written (with member docs). */
function declarationText(symbol, decl, name = symbol.name) {
  const kind = kindOf(decl)
  if (kind === 'interface' || kind === 'type') return decl.getText().replace(/^export\s+/, '')
  if (kind === 'function') {
    const type = checker.getTypeOfSymbolAtLocation(symbol, decl)
    return type.getCallSignatures().map((s) => `function ${name}${checker.signatureToString(s, undefined, ts.TypeFormatFlags.NoTruncation)}`).join('\n')
  }
  if (kind === 'const') {
    const type = checker.typeToString(checker.getTypeOfSymbolAtLocation(symbol, decl))
    return `const ${name}: ${type.length > 300 ? `${type.slice(0, 300)}…` : type}`
  }
  if (kind === 'class') {
    const lines = [`class ${symbol.name} {`]
    const seen = new Set()
    for (const member of decl.members) {
      const name = member.name && ts.isIdentifier(member.name) ? member.name.text : member.name ? member.name.getText() : 'constructor'
      const modifiers = ts.getCombinedModifierFlags(member)
      if (name.startsWith('#') || modifiers & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue
      const memberSymbol = member.name ? checker.getSymbolAtLocation(member.name) : undefined
      if (memberSymbol && isInternal(memberSymbol)) continue
      // An overloaded method has one declaration per overload (and the implementation): print it once.
      if (ts.isMethodDeclaration(member) && memberSymbol) {
        if (seen.has(memberSymbol)) continue
        seen.add(memberSymbol)
      }
      const doc = memberSymbol ? docOf(memberSymbol) : ''
      if (doc) lines.push(`  /** ${doc.replace(/\n/g, '\n   * ')} */`)
      if (ts.isMethodDeclaration(member) && memberSymbol) {
        const sigs = checker.getTypeOfSymbolAtLocation(memberSymbol, member).getCallSignatures()
        for (const s of sigs) lines.push(`  ${name}${checker.signatureToString(s, undefined, ts.TypeFormatFlags.NoTruncation)}`)
      } else if (ts.isGetAccessorDeclaration(member) && memberSymbol) {
        lines.push(`  get ${name}(): ${checker.typeToString(checker.getTypeOfSymbolAtLocation(memberSymbol, member))}`)
      } else if (ts.isPropertyDeclaration(member) && memberSymbol) {
        const ro = modifiers & ts.ModifierFlags.Readonly ? 'readonly ' : ''
        lines.push(`  ${ro}${name}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(memberSymbol, member))}`)
      } else if (ts.isConstructorDeclaration(member)) {
        lines.push(`  constructor(${member.parameters.map((p) => p.getText()).join(', ')})`)
      }
    }
    lines.push('}')
    return lines.join('\n')
  }
  return printer.printNode(ts.EmitHint.Unspecified, decl, decl.getSourceFile())
}

const undocumented = []
const out = [
  '# API reference',
  '',
  'Generated from the TSDoc in `src/` by `node scripts/api-docs.mjs`. Do not edit by hand: a test checks',
  'that this file is up to date.',
  '',
  'A reference such as "gotrue.md §4" or "functions-runtime.md §2" names a section of the project\'s internal',
  'notes on GoTrue\'s and Netlify\'s behaviour (read from their source code), which the harness implements;',
  'the notes are not published. `gotrue:api/token.go` names a file of GoTrue\'s source.',
  '',
]
for (const [specifier, file] of ENTRIES) {
  const source = program.getSourceFile(resolve(root, file))
  const moduleSymbol = checker.getSymbolAtLocation(source)
  out.push(`## \`${specifier}\``, '')
  const fileDoc = /^\/\*\*([\s\S]*?)\*\//.exec(source.getFullText().trimStart())
  if (fileDoc && fileDoc[1].includes('@packageDocumentation')) {
    out.push(fileDoc[1].split('\n').map((l) => l.replace(/^\s*\* ?/, '')).filter((l) => !l.includes('@packageDocumentation')).join('\n').trim(), '')
  }
  const exports = checker.getExportsOfModule(moduleSymbol).slice().sort((a, b) => a.name.localeCompare(b.name))
  for (const exported of exports) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
    const decls = symbol.getDeclarations() ?? []
    const decl = decls.find((d) => !ts.isModuleDeclaration(d)) ?? decls[0]
    if (!decl) continue
    const name = exported.name === 'default' ? 'default' : exported.name
    out.push(`### \`${name}\` (${kindOf(decl)})`, '')
    const doc = docOf(symbol)
    if (doc) out.push(doc, '')
    else undocumented.push(`${specifier}: ${name}`)
    const tags = tagsOf(symbol)
    if (tags.length) out.push(...tags, '')
    out.push('```ts', declarationText(symbol, decl, name), '```', '')
  }
}
const text = `${out.join('\n').trimEnd()}\n`
const target = resolve(root, 'docs/api.md')
if (process.argv.includes('--check')) {
  if (undocumented.length) {
    process.stderr.write(`exports without TSDoc:\n${undocumented.map((u) => `  ${u}\n`).join('')}`)
    process.exit(1)
  }
  let current = ''
  try {
    current = readFileSync(target, 'utf8')
  } catch {}
  if (current !== text) {
    process.stderr.write('docs/api.md is out of date: run `npm run docs:api`\n')
    process.exit(1)
  }
} else {
  writeFileSync(target, text)
}
