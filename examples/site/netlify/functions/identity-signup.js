// identity-signup (CommonJS, v1): Netlify calls it when a user confirms their e-mail. Whatever
// `app_metadata` it returns REPLACES the stored map, so keep what GoTrue set (`provider`).
exports.handler = async (event) => {
  const { user } = JSON.parse(event.body)
  const roles = user.email.endsWith('@acme.test') ? ['staff'] : ['member']
  return {
    statusCode: 200,
    body: JSON.stringify({ app_metadata: { ...user.app_metadata, roles } }),
  }
}
