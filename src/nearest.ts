/**
 * The candidate nearest to `word` within `maxEdits` edits ({@link editDistance}), for "did you mean …?"
 * hints: a misspelled override, CLI option or function file name. Ties go to the first
 * candidate; `undefined` when none is close enough.
 * @internal
 */
export function nearest(word: string, candidates: Iterable<string>, maxEdits = 2): string | undefined {
  let best: string | undefined
  let bestDistance = maxEdits + 1
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - word.length) >= bestDistance) continue
    const d = editDistance(word, candidate)
    if (d < bestDistance) [bestDistance, best] = [d, candidate]
  }
  return best
}

/**
 * Edit distance with adjacent transpositions counted as one edit (optimal string alignment), so
 * `prot` is one edit from `port`, the typo it is, and two from `proxy`. @internal
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)]
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1)
      row[j] = d
    }
    rows.push(row)
  }
  return rows[a.length]![b.length]!
}
