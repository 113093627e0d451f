// identity-validate: GoTrue calls it when a user signs up. Anything but 200/202/204 blocks the
// signup; GoTrue then answers 422 "Failed to handle signup webhook" (after 3 attempts).
export const handler = async (event) => {
  const { user } = JSON.parse(event.body)
  if (user.email.endsWith('@blocked.test')) {
    return { statusCode: 403, body: JSON.stringify({ error: 'sign-ups from this domain are closed' }) }
  }
  return { statusCode: 200 }
}
