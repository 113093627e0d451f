import { hash } from 'node:crypto'
import { HS256_HEADER, signHS256 } from './hs256.js'
import type { SecretKey } from './key.js'

/**
 * The `x-webhook-signature` GoTrue sends with every hook request (gotrue.md §1.5): HS256 with the
 * instance secret, header without `kid`, claims `iss: "gotrue"`, `sub` = instance id, `iat`, and
 * `sha256` = lower-case hex SHA-256 of the exact body bytes. No `exp`.
 * @internal
 */
export function signWebhook(body: string, instanceId: string, iat: number, key: SecretKey): string {
  // One-shot hash (Node ≥ 20.12): no Hash stream object per hook request (issue 12).
  const sha256 = hash('sha256', body, 'hex')
  return signHS256(HS256_HEADER, { iss: 'gotrue', sub: instanceId, iat, sha256 }, key)
}
