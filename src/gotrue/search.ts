import { foldText } from './fold.js'

/** What `filter=` searches in a record: the folded e-mail and `full_name`. @internal */
export interface SearchKeys {
  readonly emailKey: string
  readonly nameKey: string | undefined
}

/**
 * A compiled `filter=`: `%f%` under MySQL's `LIKE` (gotrue:models/user.go `FindUsersInAudience`
 * does not escape the filter): `%` any run, `_` one character, `\` escapes the next character;
 * compared folded (case- and accent-insensitive, the columns' collations) against the e-mail and
 * `full_name` as folded when stored. `literal` is the longest run of plain characters every match
 * contains (`''` when the pattern has none), what {@link SearchText} looks for first.
 * @internal
 */
export interface LikePattern {
  readonly literal: string
  readonly test: (keys: SearchKeys) => boolean
}

/** Compiles a `filter=` value (see {@link LikePattern}). @internal */
export function compileLike(filter: string): LikePattern {
  const folded = foldText(filter)
  if (!/[%_\\]/.test(folded)) {
    return { literal: folded, test: (r) => r.emailKey.includes(folded) || (r.nameKey !== undefined && r.nameKey.includes(folded)) }
  }
  let source = ''
  let literal = ''
  let run = ''
  for (let i = 0; i < folded.length; i++) {
    const c = folded[i]!
    if (c === '%' || c === '_') {
      source += c === '%' ? '.*' : '.'
      if (run.length > literal.length) literal = run
      run = ''
      continue
    }
    const plain = c === '\\' && i + 1 < folded.length ? folded[++i]! : c
    source += escapeRegExp(plain)
    run += plain
  }
  if (run.length > literal.length) literal = run
  const re = new RegExp(source, 'su')
  return { literal, test: (r) => re.test(r.emailKey) || (r.nameKey !== undefined && re.test(r.nameKey)) }
}

function escapeRegExp(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}

/**
 * A `filter=` index over one audience's records, in their order: for every character and every
 * pair of adjacent characters (UTF-16 code units) of the folded e-mails and names, a bitmap of
 * the records holding it. Every match of a pattern contains its literal part inside one field,
 * so the records holding all of the literal's pairs (an AND of a few bitmaps, O(n / 32) word
 * operations) are the only candidates; each candidate is then checked with the full pattern. A
 * search costs a few thousand word operations plus O(candidates), never a pass over every
 * record's strings. Built once per change of the audience's records (the store drops it on every
 * such change).
 * @internal
 */
export class SearchText<R extends SearchKeys> {
  readonly #records: readonly R[]
  readonly #words: number
  /** code unit (or `a * 65536 + b` for a pair) → bitmap of the records holding it. */
  readonly #singles = new Map<number, Uint32Array>()
  readonly #pairs = new Map<number, Uint32Array>()

  constructor(records: readonly R[]) {
    this.#records = records
    this.#words = (records.length + 31) >>> 5
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!
      this.#add(r.emailKey, i)
      if (r.nameKey !== undefined) this.#add(r.nameKey, i)
    }
  }

  #bitmap(map: Map<number, Uint32Array>, code: number): Uint32Array {
    let bits = map.get(code)
    if (!bits) map.set(code, (bits = new Uint32Array(this.#words)))
    return bits
  }

  #add(key: string, i: number): void {
    const word = i >>> 5
    const bit = 1 << (i & 31)
    let prev = -1
    for (let j = 0; j < key.length; j++) {
      const c = key.charCodeAt(j)
      this.#bitmap(this.#singles, c)[word]! |= bit
      if (prev >= 0) this.#bitmap(this.#pairs, prev * 65536 + c)[word]! |= bit
      prev = c
    }
  }

  /** The records matching the pattern, in the records' order. */
  find(pattern: LikePattern): R[] {
    const records = this.#records
    const literal = pattern.literal
    if (literal === '') return records.filter(pattern.test)
    const maps: Uint32Array[] = []
    if (literal.length === 1) {
      const bits = this.#singles.get(literal.charCodeAt(0))
      if (!bits) return []
      maps.push(bits)
    } else {
      for (let j = 1; j < literal.length; j++) {
        const bits = this.#pairs.get(literal.charCodeAt(j - 1) * 65536 + literal.charCodeAt(j))
        if (!bits) return []
        if (!maps.includes(bits)) maps.push(bits)
      }
    }
    const out: R[] = []
    const first = maps[0]!
    for (let w = 0; w < this.#words; w++) {
      let word = first[w]!
      for (let m = 1; m < maps.length && word !== 0; m++) word &= maps[m]![w]!
      while (word !== 0) {
        const low = word & -word
        const r = records[(w << 5) | (31 - Math.clz32(low))]!
        if (pattern.test(r)) out.push(r)
        word ^= low
      }
    }
    return out
  }
}
