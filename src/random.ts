/**
 * A small, fast, seeded pseudo-random stream (sfc32) for ids the harness makes on hot paths
 * (request ids, instance ids, refresh tokens). Faker is kept for human-looking user data.
 * @internal
 */
export class SeededRandom {
  #a: number
  #b: number
  #c: number
  #d: number

  /** @param seed - any integer; @param stream - separates independent streams of one seed */
  constructor(seed: number, stream = 0) {
    const h = hash32(`${seed}:${stream}`)
    this.#a = h ^ 0x9e3779b9
    this.#b = Math.imul(h, 0x85ebca6b) >>> 0
    this.#c = Math.imul(h ^ 0xc2b2ae35, 0x27d4eb2f) >>> 0
    this.#d = (h + 0x165667b1) >>> 0
    for (let i = 0; i < 12; i++) this.next()
  }

  /** The next unsigned 32-bit integer. */
  next(): number {
    const t = (((this.#a + this.#b) >>> 0) + this.#d) >>> 0
    this.#d = (this.#d + 1) >>> 0
    this.#a = this.#b ^ (this.#b >>> 9)
    this.#b = (this.#c + (this.#c << 3)) >>> 0
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) >>> 0
    this.#c = (this.#c + t) >>> 0
    return t
  }

  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i += 4) {
      const v = this.next()
      out[i] = v & 0xff
      if (i + 1 < n) out[i + 1] = (v >>> 8) & 0xff
      if (i + 2 < n) out[i + 2] = (v >>> 16) & 0xff
      if (i + 3 < n) out[i + 3] = v >>> 24
    }
    return out
  }

  /** A lower-case hex string of `n` bytes (the bytes {@link bytes} would give). */
  hex(n: number): string {
    if (2 * n > SCRATCH.length) return toHex(this.bytes(n))
    // Written as ASCII into one buffer and read out as one flat string: no byte array, no
    // string pieces (request ids are made on every call; issue 12).
    let at = 0
    for (let i = 0; i < n; i += 4) {
      const v = this.next()
      for (let k = 0; k < 4 && i + k < n; k++) at = putHex(at, (v >>> (8 * k)) & 0xff)
    }
    return SCRATCH.toString('latin1', 0, at)
  }

  /** A version 4 UUID (from the same 16 bytes as before: the same seed gives the same ids). */
  uuid(): string {
    let at = 0
    for (let i = 0; i < 16; i += 4) {
      const v = this.next()
      for (let k = 0; k < 4; k++) {
        const j = i + k
        let b = (v >>> (8 * k)) & 0xff
        if (j === 6) b = (b & 0x0f) | 0x40
        else if (j === 8) b = (b & 0x3f) | 0x80
        if (j === 4 || j === 6 || j === 8 || j === 10) SCRATCH[at++] = DASH
        at = putHex(at, b)
      }
    }
    return SCRATCH.toString('latin1', 0, at)
  }

  /** base64url without padding of `n` bytes (GoTrue's refresh token format, gotrue.md §4). */
  base64url(n: number): string {
    return Buffer.from(this.bytes(n)).toString('base64url')
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))
/** The ASCII codes of each byte's two hex digits. */
const HEX_CODES = new Uint8Array(512)
for (let i = 0; i < 256; i++) {
  HEX_CODES[2 * i] = HEX[i]!.charCodeAt(0)
  HEX_CODES[2 * i + 1] = HEX[i]!.charCodeAt(1)
}
/** Where hex ids are written before they are read out as a string (synchronously, so never shared). */
const SCRATCH = Buffer.allocUnsafe(128)
const DASH = 0x2d

function putHex(at: number, byte: number): number {
  SCRATCH[at] = HEX_CODES[2 * byte]!
  SCRATCH[at + 1] = HEX_CODES[2 * byte + 1]!
  return at + 2
}

/** @internal */
export function toHex(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += HEX[b]
  return s
}

/** FNV-1a, 32 bits: turns any string (a test name, a seed) into a seed. @internal */
export function hash32(input: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < input.length; i++) {
    h ^= input.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}
