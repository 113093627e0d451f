// Typed identity handlers (Netlify's newer style): one default-export object whose methods get
// a camelCase `user` and `deny()`. Netlify subscribes the function to the events it handles.
interface TypedUser {
  id: string
  email?: string
  roles?: string[]
  [key: string]: unknown
}

export default {
  async userValidate({ user, deny }: { user: TypedUser; deny: () => undefined }) {
    if (user.email?.endsWith('@spam.test')) return deny()
    return undefined
  },
  async userSignup({ user }: { user: TypedUser }) {
    return { user: { ...user, roles: [...(user.roles ?? []), 'member'] } }
  },
}
