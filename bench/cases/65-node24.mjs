/**
 * The trigger rows again on Node 24 (from the npm `node` package): Node 24 prepares a byte-array
 * HMAC key anew on every `createHmac` (≈ 16 µs against ≈ 2.6 µs with a key object), which made
 * a trigger there twice as slow as on Node 20 until the key became a KeyObject (2026-12-03:
 * 58 → 27 µs serially, 45 → 30 ms for 1,000 concurrent, same process). Same scripts as the concurrency row,
 * fresh processes, alternating harness and the jose baseline.
 */
import { alternate, log, median, nodeBinary, row } from '../lib.mjs'
import { timeRound } from './60-concurrent-triggers.mjs'

export default function node24() {
  const node = nodeBinary(24)
  log('case: triggers on Node 24, serial and 1,000 concurrent …')
  const rounds = (mode) => alternate(5, () => timeRound('harness', { mode, node }), () => timeRound('baseline', { mode, node })).map(median)
  const [serialH, serialB] = rounds('serial')
  const [concH, concB] = rounds('concurrent')
  return [
    // µs per call: a batch is 1,000 calls, timed in ms.
    row('1 on Node 24. trigger vs hand-written jose, serial (median µs/call)', serialH, serialB, 1.5, 'µs'),
    // Target 1.0 guards against regressions (0.74× on 2026-12-03); the goal is 0.5×, not reached.
    row('1000 concurrent triggers on Node 24 vs hand-written jose (median ms per batch)', concH, concB, 1.0, 'ms', { goal: 0.5 }),
  ]
}
