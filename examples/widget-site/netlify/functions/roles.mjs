// A protected function: Netlify puts the caller's verified token claims into
// context.clientContext.user only for a valid Identity bearer token.
export const handler = async (event, context) => {
  const user = context.clientContext?.user
  if (!user) return { statusCode: 401, body: JSON.stringify({ error: 'log in first' }) }
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: user.email, roles: user.app_metadata?.roles ?? [] }),
  }
}
