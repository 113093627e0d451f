import type { FakeUserOverrides } from '../../users/fake.js'
import type { IdentityEvent } from '../../types.js'

/**
 * One scenario of the event battery: a realistic user as GoTrue sends it for the event. The
 * overrides are plain JSON so that `init` can write them into a test file as they are.
 * @internal
 */
export interface EventScenario {
  /** Stable id (`plain`, `google`, …), used in reports, `--json` and JUnit. */
  id: string
  /** What the scenario is, in the user's words. */
  title: string
  /** The fake user's overrides (`identity.fakeUser(overrides)`). */
  user: FakeUserOverrides
}

/** One scenario of the HTTP battery: which bearer token the request carries, and its JSON body. @internal */
export interface HttpScenario {
  id: 'no-token' | 'valid-token' | 'expired-token' | 'alg-none' | 'wrong-secret' | 'member-sets-roles'
  title: string
  /** The JSON body of the `POST` (default `{}`). */
  json?: { [key: string]: unknown }
}

/**
 * The stored users whose tokens the HTTP battery sends: `staff` (an admin, so admin-only functions
 * answer it) for the token scenarios, `member` (no admin role) for `member-sets-roles`. @internal
 */
export const HTTP_USERS: Readonly<Record<'staff' | 'member', { email: string; roles: string[]; user_metadata: { full_name: string } }>> = {
  staff: { email: 'sam.staff@example.com', roles: ['admin', 'staff'], user_metadata: { full_name: 'Sam Staff' } },
  member: { email: 'mia.member@example.com', roles: ['member'], user_metadata: { full_name: 'Mia Member' } },
}

/**
 * The users of the event battery (issue 13). Which events GoTrue fires for whom (gotrue.md §1.1,
 * "External providers and function hooks"): since netlify/gotrue #410/#417, external OAuth
 * signups and logins call `identity-validate`, `identity-signup` and `identity-login` too, so the
 * Google and GitHub users run for every event. `validate` and `signup` see an unconfirmed user
 * (the hook runs before confirmation); `login` a confirmed one. Metadata shapes follow gotrue.md
 * §3: `{}` for a `/signup` without data, `null` for users made by `/invite` or the admin API,
 * `full_name`/`avatar_url` from the widget or a provider.
 * @internal
 */
export function eventScenarios(event: IdentityEvent): EventScenario[] {
  const confirmed = event !== 'validate' && event !== 'signup'
  const base: EventScenario[] = [
    // A login's user signed up earlier: the title names the user, not a signup.
    { id: 'plain', title: event === 'login' ? 'plain e-mail user (signed up with empty data)' : 'plain e-mail signup (empty data)', user: { email: 'ada@example.com', user_metadata: {}, confirmed } },
    { id: 'full-name', title: 'user with full_name and avatar_url', user: { email: 'grace@example.com', user_metadata: { full_name: 'Grace Hopper', avatar_url: 'https://avatars.example.com/grace.png' }, confirmed } },
    { id: 'null-metadata', title: 'user with empty (null) user_metadata', user: { email: 'alan@example.com', user_metadata: null, confirmed } },
    { id: 'google', title: 'Google user (external provider)', user: { email: 'katherine@gmail.com', provider: 'google', user_metadata: { full_name: 'Katherine Johnson', avatar_url: 'https://lh3.googleusercontent.com/a/katherine' }, confirmed } },
    { id: 'github', title: 'GitHub user (external provider)', user: { email: 'linus@users.noreply.github.com', provider: 'github', user_metadata: { full_name: 'Linus T', avatar_url: 'https://avatars.githubusercontent.com/u/1024025' }, confirmed } },
    { id: 'roles', title: 'user who already has roles', user: { email: 'margaret@example.com', roles: ['editor'], user_metadata: { full_name: 'Margaret Hamilton' }, confirmed } },
    { id: 'unicode', title: 'unicode name and e-mail', user: { email: 'zoë.çelik@exämple.com', user_metadata: { full_name: 'Zoë Çelik 李' }, confirmed } },
    { id: 'plus', title: 'plus-addressed e-mail', user: { email: 'ada+newsletter@example.com', user_metadata: { full_name: 'Ada Lovelace' }, confirmed } },
  ]
  if (event === 'login') {
    base.unshift({ id: 'confirmed-login', title: 'login of a confirmed user', user: { email: 'dorothy@example.com', user_metadata: { full_name: 'Dorothy Vaughan' }, confirmed: true } })
  }
  return base
}

/**
 * The HTTP battery: no token, a valid one, three a verifying function must refuse, and a member
 * asking for the admin role in the body (a function that forwards it to the admin API lets any
 * user give themselves roles: `app-metadata-from-request`). @internal
 */
export const HTTP_SCENARIOS: readonly HttpScenario[] = [
  { id: 'no-token', title: 'no token' },
  { id: 'valid-token', title: 'valid token (roles admin, staff)' },
  { id: 'expired-token', title: 'expired token' },
  { id: 'alg-none', title: 'forged token: alg "none", no signature' },
  { id: 'wrong-secret', title: 'forged token: signed with another secret' },
  { id: 'member-sets-roles', title: 'member asks for roles ["admin"] in the body', json: { app_metadata: { roles: ['admin'] }, roles: ['admin'] } },
]
