// A Functions v2 endpoint using @netlify/identity: `getUser()` reads the caller from the
// request's Identity token (server side) and returns Netlify's camelCase `User`, or null.
import { getUser } from '@netlify/identity'
import type { Config } from '@netlify/functions'

export default async (_req: Request): Promise<Response> => {
  const user = await getUser()
  if (!user) return Response.json({ error: 'log in first' }, { status: 401 })
  return Response.json({ email: user.email, roles: user.roles ?? [] })
}

export const config: Config = { path: '/api/me' }
