/**
 * `GET /user` answered 400 "Could not read User ID claim": what GoTrue answers the function's
 * admin token (`sub: "0"`, no user's id, gotrue.md §6.1), and what `@netlify/identity`'s server
 * `getUser()` sends first (it asks `/user` with `netlifyIdentityContext.token`, then falls back to
 * the caller's verified claims). Expected, not a failure the function ignored; the serve log says
 * so on the request line.
 * @internal
 */
export function isAdminTokenUserLookup(method: string, path: string, status: number, responseText: string | undefined): boolean {
  return method === 'GET' && path === '/user' && status === 400 && (responseText ?? '').includes('Could not read User ID claim')
}

/** What the serve log adds to such a request's line. @internal */
export const ADMIN_TOKEN_USER_LOOKUP_NOTE = "a token without a user id (the function's admin token, as @netlify/identity's getUser() sends it before it reads the caller's claims): 400 as in production"
