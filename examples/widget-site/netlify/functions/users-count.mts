// A v2 function on its own path that calls GoTrue's admin API with the token Netlify gives it
// (globalThis.netlifyIdentityContext): it works against the local Identity as on a deploy.
import type { Config } from '@netlify/functions'

export default async () => {
  const identity = (globalThis as { netlifyIdentityContext?: { url: string; token: string } }).netlifyIdentityContext
  if (!identity) return Response.json({ error: 'Identity is not enabled' }, { status: 500 })
  const res = await fetch(`${identity.url}/admin/users`, { headers: { authorization: `Bearer ${identity.token}` } })
  const { users } = (await res.json()) as { users: unknown[] }
  return Response.json({ users: users.length })
}

export const config: Config = { path: '/api/users-count' }
