import type { ServerResponse } from 'node:http'
import { HarnessError } from '../errors.js'
import type { MailType } from '../gotrue/mail.js'
import type { CreateUserOverrides, Identity } from '../identity.js'
import { sendJson } from './http.js'

/** Where the harness's own endpoints live: under `/.netlify/`, which no site rule may use (netlify/build `normalize.js`). */
export const HARNESS_PREFIX = '/.netlify/harness'

const MAIL_TYPES: readonly string[] = ['confirmation', 'invite', 'recovery', 'email_change']

/**
 * The harness-only HTTP API, for end-to-end tests that run in another process than the server:
 *
 * - `GET  /.netlify/harness/mail[?to=&type=]` every mail GoTrue sent (oldest first);
 * - `GET  /.netlify/harness/mail/last?to=&type=` the newest matching one, or 404;
 * - `DELETE /.netlify/harness/mail` empties the outbox;
 * - `GET  /.netlify/harness/users`, `POST /.netlify/harness/users` (a {@link CreateUserOverrides}
 *   JSON body: `{ email, password, roles, confirmed, … }`) lists or stores users;
 * - `GET  /.netlify/harness/requests` the GoTrue request log (`identity.requests`);
 * - `POST /.netlify/harness/reset` `identity.reset()`.
 * @internal
 */
export async function harnessApi(identity: Identity, method: string, path: string, query: URLSearchParams, body: Buffer, res: ServerResponse): Promise<void> {
  const to = query.get('to') ?? undefined
  const typeParam = query.get('type') ?? undefined
  if (typeParam !== undefined && !MAIL_TYPES.includes(typeParam)) {
    return sendJson(res, 400, { error: `type must be one of ${MAIL_TYPES.join(', ')}; got ${JSON.stringify(typeParam)}` })
  }
  const type = typeParam as MailType | undefined
  const route = `${method} ${path}`
  switch (route) {
    case 'GET /':
    case 'GET ':
      return sendJson(res, 200, {
        endpoints: ['GET mail', 'GET mail/last', 'DELETE mail', 'GET users', 'POST users', 'GET requests', 'POST reset'].map((e) => e.replace(' ', ` ${HARNESS_PREFIX}/`)),
      })
    case 'GET /mail':
      return sendJson(res, 200, identity.mail.all().filter((m) => (to === undefined || m.to.toLowerCase() === to.toLowerCase()) && (type === undefined || m.type === type)))
    case 'GET /mail/last': {
      const mail = identity.mail.last(to, type)
      return mail ? sendJson(res, 200, mail) : sendJson(res, 404, { error: `no ${type ?? ''} mail${to ? ` to ${to}` : ''} yet`.replace('  ', ' ') })
    }
    case 'DELETE /mail':
      identity.mail.clear()
      res.writeHead(204).end()
      return
    case 'GET /users':
      return sendJson(res, 200, identity.users.all())
    case 'POST /users': {
      let overrides: CreateUserOverrides
      try {
        overrides = JSON.parse(body.toString('utf8') || '{}') as CreateUserOverrides
      } catch (error) {
        return sendJson(res, 400, { error: `the body must be JSON user overrides ({ email, password, roles, … }): ${(error as Error).message}` })
      }
      try {
        return sendJson(res, 201, identity.createUser(overrides))
      } catch (error) {
        if (error instanceof HarnessError) return sendJson(res, 422, { error: error.message, code: error.code })
        throw error
      }
    }
    case 'GET /requests':
      return sendJson(res, 200, identity.requests)
    case 'POST /reset':
      identity.reset()
      res.writeHead(204).end()
      return
    default:
      return sendJson(res, 404, { error: `no harness endpoint ${method} ${HARNESS_PREFIX}${path}; see GET ${HARNESS_PREFIX}/` })
  }
}
