// An HTTP function calling the Identity admin API (v1): staff can give another user a role.
// `context.clientContext.identity` holds the GoTrue URL and a short-lived admin token.
export const handler = async (event, context) => {
  const { identity, user } = context.clientContext ?? {}
  if (!user?.app_metadata?.roles?.includes('staff')) return { statusCode: 403, body: '{"error":"staff only"}' }
  // Netlify base64-encodes bodies it does not know to be text (no or a binary content-type).
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body
  const { userId, role } = JSON.parse(raw || '{}')
  // Without this check a missing id becomes /admin/users/undefined and a missing role a null in roles.
  if (typeof userId !== 'string' || typeof role !== 'string') return { statusCode: 400, body: '{"error":"send { userId, role }"}' }
  const headers = { authorization: `Bearer ${identity.token}`, 'content-type': 'application/json' }

  const found = await fetch(`${identity.url}/admin/users/${userId}`, { headers })
  if (!found.ok) return { statusCode: 404, body: JSON.stringify({ error: `no user ${userId}` }) }
  const target = await found.json()
  const roles = [...new Set([...(target.app_metadata.roles ?? []), role])]

  const updated = await fetch(`${identity.url}/admin/users/${userId}`, {
    method: 'PUT',
    headers,
    body: JSON.stringify({ app_metadata: { roles } }),
  })
  return { statusCode: updated.status, headers: { 'content-type': 'application/json' }, body: await updated.text() }
}
