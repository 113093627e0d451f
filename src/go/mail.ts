/**
 * Go's `net/mail.ParseAddress`, as GoTrue's mailer uses it to validate e-mail addresses
 * (gotrue:mailer/template.go `ValidateEmail`; gotrue:api/mail.go `validateEmail` turns an error
 * into 422 `Unable to validate email address: <error>`). Only whether the text parses and the
 * error's words matter: GoTrue stores the text as given, so `Ada <ada@example.com>` is a valid
 * "address" and is stored whole.
 *
 * Follows the grammar and error texts of Go's `addrParser` (Go 1.22+: domain literals such as
 * `user@[192.0.2.1]`; RFC 2047 words in display names; comments): facts, not code.
 * @internal
 */
import { isIP } from 'node:net'

/** `strconv.Quote`: Go's double-quoted string literal. */
export function goQuote(s: string): string {
  let out = '"'
  for (const ch of s) out += quoteRune(ch, '"')
  return `${out}"`
}

/** `strconv.QuoteRune`. */
function goQuoteRune(ch: string): string {
  return `'${quoteRune(ch, "'")}'`
}

function quoteRune(ch: string, quote: string): string {
  if (ch === quote || ch === '\\') return `\\${ch}`
  const named: Record<string, string> = { '\u0007': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' }
  if (named[ch]) return named[ch]
  // unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
  if (ch === ' ' || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch)) return ch
  const cp = ch.codePointAt(0)!
  if (cp < 0x80) return `\\x${cp.toString(16).padStart(2, '0')}`
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, '0')}`
  return `\\U${cp.toString(16).padStart(8, '0')}`
}

class MailError extends Error {}
const fail = (message: string): never => {
  throw new MailError(message)
}

const isVchar = (cp: number): boolean => (cp >= 0x21 && cp <= 0x7e) || cp >= 0x80
const isWSP = (cp: number): boolean => cp === 0x20 || cp === 0x09
const isQtext = (cp: number): boolean => cp !== 0x5c && cp !== 0x22 && isVchar(cp)
const isDtext = (cp: number): boolean => (cp >= 0x21 && cp <= 0x5a) || (cp >= 0x5e && cp <= 0x7e) || cp >= 0x80

function isAtext(cp: number, dot: boolean, permissive: boolean): boolean {
  const c = String.fromCodePoint(cp)
  if (c === '.') return dot
  if ('()[];@\\,'.includes(c)) return permissive
  if ('<>":'.includes(c)) return false
  return isVchar(cp)
}

class Parser {
  s: string
  constructor(s: string) {
    this.s = s
  }

  empty(): boolean {
    return this.s.length === 0
  }

  peek(): string {
    return this.s[0]!
  }

  consume(c: string): boolean {
    if (this.empty() || this.peek() !== c) return false
    this.s = this.s.slice(1)
    return true
  }

  skipSpace(): void {
    this.s = this.s.replace(/^[ \t]+/, '')
  }

  skipCFWS(): boolean {
    this.skipSpace()
    while (this.consume('(')) {
      if (!this.consumeComment().ok) return false
      this.skipSpace()
    }
    return true
  }

  consumeComment(): { comment: string; ok: boolean } {
    let depth = 1
    let comment = ''
    while (!this.empty() && depth !== 0) {
      if (this.peek() === '\\' && this.s.length > 1) this.s = this.s.slice(1)
      else if (this.peek() === '(') depth++
      else if (this.peek() === ')') depth--
      if (depth > 0) comment += this.s[0]
      this.s = this.s.slice(1)
    }
    return { comment, ok: depth === 0 }
  }

  consumeAtom(dot: boolean, permissive: boolean): string {
    let i = 0
    for (const ch of this.s) {
      if (!isAtext(ch.codePointAt(0)!, dot, permissive)) break
      i += ch.length
    }
    if (i === 0) fail('mail: invalid string')
    const atom = this.s.slice(0, i)
    this.s = this.s.slice(i)
    if (!permissive) {
      if (atom.startsWith('.')) fail('mail: leading dot in atom')
      if (atom.includes('..')) fail('mail: double dot in atom')
      if (atom.endsWith('.')) fail('mail: trailing dot in atom')
    }
    return atom
  }

  consumeQuotedString(): string {
    let i = 1
    let out = ''
    let escaped = false
    for (;;) {
      const cp = this.s.codePointAt(i)
      if (cp === undefined) fail('mail: unclosed quoted-string')
      const ch = String.fromCodePoint(cp!)
      if (escaped) {
        if (!isVchar(cp!) && !isWSP(cp!)) fail(`mail: bad character in quoted-string: ${goQuoteRune(ch)}`)
        out += ch
        escaped = false
      } else if (isQtext(cp!) || isWSP(cp!)) out += ch
      else if (ch === '"') break
      else if (ch === '\\') escaped = true
      else fail(`mail: bad character in quoted-string: ${goQuoteRune(ch)}`)
      i += ch.length
    }
    this.s = this.s.slice(i + 1)
    return out
  }

  consumeDomainLiteral(): string {
    this.consume('[')
    let dtext = ''
    for (;;) {
      if (this.empty()) fail('mail: unclosed domain-literal')
      if (this.peek() === ']') break
      const ch = String.fromCodePoint(this.s.codePointAt(0)!)
      if (!isDtext(ch.codePointAt(0)!)) fail(`mail: bad character in domain-literal: ${goQuoteRune(ch)}`)
      dtext += ch
      this.s = this.s.slice(ch.length)
    }
    this.consume(']')
    if (isIP(dtext) === 0) fail(`mail: invalid IP address in domain-literal: ${goQuote(dtext)}`)
    return `[${dtext}]`
  }

  /** addr-spec; on failure the parser is left where it was. */
  consumeAddrSpec(): string {
    const orig = this.s
    try {
      this.skipSpace()
      if (this.empty()) fail('mail: no addr-spec')
      let local: string
      if (this.peek() === '"') {
        // Go replaces any failure here (an unclosed or bad quoted string too) with this text.
        try {
          local = this.consumeQuotedString()
        } catch {
          local = ''
        }
        if (local === '') fail('mail: empty quoted string in addr-spec')
      } else local = this.consumeAtom(true, false)
      if (!this.consume('@')) fail('mail: missing @ in addr-spec')
      this.skipSpace()
      if (this.empty()) fail('mail: no domain in addr-spec')
      const domain = this.peek() === '[' ? this.consumeDomainLiteral() : this.consumeAtom(true, false)
      return `${local}@${domain}`
    } catch (error) {
      this.s = orig
      throw error
    }
  }

  /** Returns the phrase's words (for the "missing '@'" hint below). */
  consumePhrase(): string {
    const text: string[] = []
    let words = 0
    let error: string | undefined
    for (;;) {
      this.skipSpace()
      if (this.empty()) break
      try {
        if (this.peek() === '"') text.push(this.consumeQuotedString())
        else {
          const atom = this.consumeAtom(true, true)
          checkEncodedWord(atom)
          text.push(atom)
        }
        words++
      } catch (e) {
        if (!(e instanceof MailError)) throw e
        error = e.message
        break
      }
    }
    if (error !== undefined && words === 0) fail(`mail: missing word in phrase: ${error}`)
    return text.join(' ')
  }

  consumeDisplayNameComment(): void {
    this.consume('(')
    const { comment, ok } = this.consumeComment()
    if (!ok) fail('mail: misformatted parenthetical comment')
    for (const word of comment.split(/[ \t]+/)) if (word) checkEncodedWord(word)
  }

  parseAddress(handleGroup: boolean): number {
    this.skipSpace()
    if (this.empty()) fail('mail: no address')
    // addr-spec is tried first; on failure the parser falls back to name-addr.
    let spec = true
    try {
      this.consumeAddrSpec()
    } catch (e) {
      if (!(e instanceof MailError)) throw e
      spec = false
    }
    if (spec) {
      this.skipSpace()
      if (!this.empty() && this.peek() === '(') this.consumeDisplayNameComment()
      return 1
    }
    const displayName = this.empty() || this.peek() !== '<' ? this.consumePhrase() : ''
    this.skipSpace()
    if (handleGroup && this.consume(':')) return this.consumeGroupList()
    if (!this.consume('<')) {
      // A bare word could have been meant as "word@domain": Go says so.
      const atext = [...displayName].every((ch) => isAtext(ch.codePointAt(0)!, true, false))
      fail(atext ? "mail: missing '@' or angle-addr" : 'mail: no angle-addr')
    }
    this.consumeAddrSpec()
    if (!this.consume('>')) fail('mail: unclosed angle-addr')
    return 1
  }

  consumeGroupList(): number {
    let count = 0
    this.skipSpace()
    if (this.consume(';')) {
      this.skipCFWS()
      return 0
    }
    for (;;) {
      this.skipSpace()
      count += this.parseAddress(false)
      if (!this.skipCFWS()) fail('mail: misformatted parenthetical comment')
      if (this.consume(';')) {
        this.skipCFWS()
        return count
      }
      if (!this.consume(',')) fail('mail: expected comma')
    }
  }
}

/**
 * An RFC 2047 encoded word in a display name: GoTrue's decoder handles UTF-8, US-ASCII and
 * ISO-8859-1; another charset is an error (`charset not supported: "…"`), any other malformed
 * word is taken as plain text.
 */
function checkEncodedWord(word: string): void {
  if (word.length < 8 || !word.startsWith('=?') || !word.endsWith('?=') || word.split('?').length !== 5) return
  const [charset = '', encoding = '', text = ''] = word.slice(2, -2).split('?')
  if (charset === '' || encoding.length !== 1) return
  if (encoding === 'B' || encoding === 'b') {
    if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return
  } else if (encoding === 'Q' || encoding === 'q') {
    if (/=(?![0-9A-Fa-f]{2})/.test(text)) return
  } else return
  if (!['utf-8', 'us-ascii', 'iso-8859-1'].includes(charset.toLowerCase())) fail(`charset not supported: ${goQuote(charset)}`)
}

/** `mail.ParseAddress(address)`: `undefined` when Go accepts it, else Go's error text. */
export function parseAddressError(address: string): string | undefined {
  const p = new Parser(address)
  try {
    const count = p.parseAddress(true)
    if (!p.skipCFWS()) return 'mail: misformatted parenthetical comment'
    if (!p.empty()) return `mail: expected single address, got ${goQuote(p.s)}`
    if (count === 0) return 'mail: empty group'
    if (count > 1) return 'mail: group with multiple addresses'
    return undefined
  } catch (error) {
    if (error instanceof MailError) return error.message
    throw error
  }
}
