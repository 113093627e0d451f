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

  /** A lower-case hex string of `n` bytes. */
  hex(n: number): string {
    return toHex(this.bytes(n))
  }

  /** A version 4 UUID. */
  uuid(): string {
    const b = this.bytes(16)
    b[6] = (b[6]! & 0x0f) | 0x40
    b[8] = (b[8]! & 0x3f) | 0x80
    const h = toHex(b)
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
  }

  /** base64url without padding of `n` bytes (GoTrue's refresh token format, gotrue.md §4). */
  base64url(n: number): string {
    return Buffer.from(this.bytes(n)).toString('base64url')
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

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
