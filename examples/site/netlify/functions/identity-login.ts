// identity-login (TypeScript, v1): runs on every password login, before GoTrue issues the token.
// Blocks banned users; stamps the login time into app_metadata (which GoTrue then stores).
import type { Handler } from '@netlify/functions'

interface HookUser {
  email: string
  app_metadata: Record<string, unknown>
}

export const handler: Handler = async (event) => {
  const { user } = JSON.parse(event.body ?? '{}') as { user: HookUser }
  if (user.app_metadata.banned === true) {
    return { statusCode: 403, body: JSON.stringify({ error: 'this account is banned' }) }
  }
  return {
    statusCode: 200,
    body: JSON.stringify({ app_metadata: { ...user.app_metadata, last_login_at: new Date().toISOString() } }),
  }
}
