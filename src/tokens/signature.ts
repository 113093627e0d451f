import { createHash } from 'node:crypto'
import { SignJWT } from 'jose'
import type { SecretKey } from './key.js'

/**
 * The `x-webhook-signature` GoTrue sends with every hook request (gotrue.md §1.5): HS256 with the
 * instance secret, header without `kid`, claims `iss: "gotrue"`, `sub` = instance id, `iat`, and
 * `sha256` = lower-case hex SHA-256 of the exact body bytes. No `exp`.
 * @internal
 */
export async function signWebhook(body: string, instanceId: string, iat: number, key: SecretKey): Promise<string> {
  const sha256 = createHash('sha256').update(body, 'utf8').digest('hex')
  return new SignJWT({ iss: 'gotrue', sub: instanceId, iat, sha256 })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(await key.get())
}
