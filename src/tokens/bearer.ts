/**
 * Extracts a bearer token as GoTrue does (gotrue.md §5.2): `Bearer <token>` or `bearer <token>`,
 * exactly one space, no white space in the token. Anything else: `undefined`.
 * @internal
 */
export function parseBearer(header: string | null | undefined): string | undefined {
  if (!header) return undefined
  const match = /^[Bb]earer ([^\s]+)$/.exec(header)
  return match?.[1]
}

/**
 * `netlify dev`'s rule (functions-runtime.md §3.6): split on single spaces into exactly two
 * parts, the first exactly `Bearer`.
 * @internal
 */
export function parseBearerNetlifyDev(header: string | null | undefined): string | undefined {
  if (!header) return undefined
  const parts = header.split(' ')
  return parts.length === 2 && parts[0] === 'Bearer' ? parts[1] : undefined
}
