// A protected HTTP function (v1): Netlify puts the caller into `context.clientContext.user` only
// when the request carries a valid Identity bearer token.
export const handler = async (event, context) => {
  const user = context.clientContext?.user
  if (!user) return { statusCode: 401, body: JSON.stringify({ error: 'log in first' }) }
  const roles = user.app_metadata?.roles ?? []
  if (!roles.includes('staff')) return { statusCode: 403, body: JSON.stringify({ error: 'staff only' }) }
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: user.email, roles }),
  }
}
