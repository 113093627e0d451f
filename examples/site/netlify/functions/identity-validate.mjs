// identity-validate (ESM, v1): runs before a signup is stored. Any status other than
// 200/202/204 blocks the signup. Only e-mail domains on the allow-list may sign up.
export const handler = async (event) => {
  const allowed = (process.env.ALLOWED_DOMAINS ?? 'acme.test,example.com').split(',').map((d) => d.trim())
  const { user } = JSON.parse(event.body)
  const domain = user.email.split('@')[1]
  if (!allowed.includes(domain)) {
    return { statusCode: 403, body: JSON.stringify({ error: `sign-ups from ${domain} are not allowed` }) }
  }
  return { statusCode: 200 }
}
