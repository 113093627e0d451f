// identity-signup: GoTrue calls it when a user confirms their e-mail. The app_metadata it returns
// replaces the user's, so keep what is there (provider) and add the roles.
export const handler = async (event) => {
  const { user } = JSON.parse(event.body)
  const roles = user.email.endsWith('@staff.test') ? ['member', 'staff'] : ['member']
  return {
    statusCode: 200,
    body: JSON.stringify({ app_metadata: { ...user.app_metadata, roles } }),
  }
}
