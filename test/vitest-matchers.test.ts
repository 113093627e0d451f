// The matchers registered by `netlify-identity-harness/vitest`: the same rules as the expect*
// functions (gotrue.md §2: 200/202/204 allow, anything else blocks; metadata replaces).
import { describe } from 'vitest'
import { HarnessError } from '../src/errors.js'
import { createIdentity } from '../src/identity.js'
import { identityMatchers } from '../src/assertions/matchers.js'
import { expect, test } from '../src/vitest.js'

const identity = createIdentity({ seed: 5 })
const user = identity.fakeUser({ email: 'ada@example.com' })
const setRoles = async () => ({
  statusCode: 200,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ app_metadata: { provider: 'email', roles: ['member', 'editor'] }, user_metadata: { full_name: 'Ada', plan: 'pro' } }),
})
const forbid = async () => ({ statusCode: 403, headers: { 'x-reason': 'domain' }, body: '{"error":"not on the allow-list"}' })

/** The message of the assertion error a matcher call throws. */
function failure(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    return (error as Error).message
  }
  throw new Error('expected the matcher to fail')
}

describe('allow / block matchers', () => {
  test('toAllowSignup / toBlockSignup follow GoTrue on validate and signup (gotrue.md §2)', async () => {
    const allowed = await identity.trigger(setRoles, 'signup', user)
    const blocked = await identity.trigger(forbid, 'validate', user)
    expect(allowed).toAllowSignup()
    expect(allowed).not.toBlockSignup()
    expect(blocked).toBlockSignup()
    expect(blocked).not.toAllowSignup()
    expect(allowed).toAllow()
    expect(blocked).toBlock()
  })

  test('toAllowLogin / toBlockLogin', async () => {
    expect(await identity.trigger(setRoles, 'login', user)).toAllowLogin()
    expect(await identity.trigger(forbid, 'login', user)).toBlockLogin()
    expect(await identity.trigger(forbid, 'login', user)).not.toAllowLogin()
  })

  test('failure output shows the function status, headers, parsed body and diagnostics', async () => {
    const blocked = await identity.trigger(forbid, 'validate', user)
    const message = failure(() => expect(blocked).toAllowSignup())
    expect(message).toContain('expected GoTrue to allow the signup (validate hook), but it blocks it')
    expect(message).toContain('function:     status 403')
    expect(message).toContain("'x-reason': 'domain'")
    expect(message).toContain("error: 'not on the allow-list'")
    expect(message).toContain('attempts:     3') // gotrue.md §2: a failing hook runs 3 times

    const sloppy = await identity.trigger(async () => ({ statusCode: 200, body: { app_metadata: {} } as unknown as string }), 'signup', user)
    expect(failure(() => expect(sloppy).toAllowSignup())).toMatch(/diagnostics:\n\s+- non-string-body/)
  })

  test('.not fails with the direction-aware message', async () => {
    const allowed = await identity.trigger(setRoles, 'signup', user)
    expect(failure(() => expect(allowed).not.toAllowSignup())).toContain('expected GoTrue to block the signup, but it allows it')
  })

  test('a login outcome given to a signup matcher fails in both directions', async () => {
    const login = await identity.trigger(setRoles, 'login', user)
    expect(failure(() => expect(login).toAllowSignup())).toMatch(/^this outcome is for a login event, not a signup/)
    expect(failure(() => expect(login).not.toAllowSignup())).toMatch(/^this outcome is for a login event, not a signup/)
    expect(failure(() => expect(login).not.toBlockSignup())).toMatch(/^this outcome is for a login event/)
  })

  test('raw function responses are judged by the same rules', () => {
    expect({ statusCode: 204 }).toAllow()
    expect({ statusCode: 201, body: '{}' }).toBlock() // gotrue.md §2: only 200/202/204 allow
    expect({ statusCode: 200, body: '{not json' }).toBlock()
  })

  test('a fetch Response makes the matcher async', async () => {
    const promise = expect(new Response('{"app_metadata":{"roles":["a"]}}', { status: 200 })).toAllow()
    expect(promise).toBeInstanceOf(Promise)
    await promise
    await expect(new Response('{"app_metadata":{"roles":["a"]}}', { status: 200 })).toHaveRoles(['a'])
    await expect(new Response('nope', { status: 401 })).toBlock()
    await expect(expect(new Response('nope', { status: 401, headers: { 'x-why': 'token' } })).toAllow()).rejects.toThrow(/status 401[\s\S]*x-why/)
  })

  test('anything else is a HarnessError, not a silent pass', () => {
    const thrown = (() => {
      try {
        expect('a string').not.toAllow()
      } catch (error) {
        return error
      }
    })()
    expect(thrown).toBeInstanceOf(HarnessError)
    expect((thrown as HarnessError).code).toBe('ERR_INVALID_RESPONSE')
  })
})

describe('metadata and roles matchers', () => {
  test('toSetAppMetadata: partial deep match with asymmetric matchers', async () => {
    const outcome = await identity.trigger(setRoles, 'signup', user)
    expect(outcome).toSetAppMetadata({ roles: expect.arrayContaining(['editor']) })
    expect(outcome).toSetAppMetadata({ provider: expect.any(String) })
    expect(outcome).toSetAppMetadata({ provider: 'email', roles: ['member', 'editor'] }, { exact: true })
    expect(outcome).not.toSetAppMetadata({ roles: ['admin'] })
    expect(outcome).not.toSetAppMetadata({ provider: 'email' }, { exact: true })
    expect(outcome).toSetUserMetadata({ full_name: expect.stringContaining('Ad') })
    expect(outcome).not.toSetUserMetadata({ plan: expect.any(Number) })
  })

  test('a failing metadata match shows the resulting map', async () => {
    const outcome = await identity.trigger(setRoles, 'signup', user)
    const message = failure(() => expect(outcome).toSetAppMetadata({ roles: ['admin'] }))
    expect(message).toContain('expected app_metadata to contain')
    expect(message).toContain("roles: [ 'member', 'editor' ]")
  })

  test('metadata on a blocked outcome fails: GoTrue applied nothing', async () => {
    const blocked = await identity.trigger(forbid, 'validate', user)
    expect(failure(() => expect(blocked).toSetAppMetadata({}))).toContain('GoTrue blocked the validate, so nothing was applied')
  })

  test('toHaveRoles: exactly these roles, any order', async () => {
    const outcome = await identity.trigger(setRoles, 'signup', user)
    expect(outcome).toHaveRoles(['editor', 'member'])
    expect(outcome).not.toHaveRoles(['member'])
    expect(failure(() => expect(outcome).toHaveRoles(['admin']))).toContain("expected app_metadata.roles to be [ 'admin' ]")
  })
})

describe('toHaveStatus: an HTTP function\'s answer', () => {
  test('passes on the status, fails showing the body and the call\'s diagnostics (why it answered 500)', async () => {
    const ok = await identity.invoke(async () => ({ statusCode: 200, body: '{"ok":true}' }))
    expect(ok).toHaveStatus(200)
    expect(ok).not.toHaveStatus(401)
    // A body that is not a string: Netlify answers 500, and only the diagnostic says why.
    const broken = await identity.invoke(async () => ({ statusCode: 200, body: { ok: true } as unknown as string }))
    const message = failure(() => expect(broken).toHaveStatus(200))
    expect(message).toContain('expected the function to answer 200, but it answered 500')
    expect(message).toContain('- non-string-body:')
    expect(failure(() => expect(ok).not.toHaveStatus(200))).toContain('expected the function not to answer 200')
  })

  test('a raw response and a fetch Response (async) work; a hook outcome is a misuse in both directions', async () => {
    expect({ statusCode: 204 }).toHaveStatus(204)
    await expect(new Response(null, { status: 404 })).toHaveStatus(404)
    await expect(expect(new Response('nope', { status: 500 })).toHaveStatus(200)).rejects.toThrow(/answered 500\n {2}status: {7}500\n[\s\S]* {2}body: {9}'nope'/)
    const outcome = await identity.trigger(forbid, 'validate', user)
    expect(failure(() => expect(outcome).toHaveStatus(422))).toContain('toHaveStatus checks a function\'s HTTP response (from identity.invoke); this is a hook outcome')
    expect(failure(() => expect(outcome).not.toHaveStatus(200))).toContain('this is a hook outcome')
    expect(() => expect('200').toHaveStatus(200)).toThrow(HarnessError)
  })
})

describe('toHaveNoDiagnostics: fail a test on a pitfall the harness saw', () => {
  test('a swallowed failed request passes every verdict matcher, and only this one fails, naming it', async ({ identity }) => {
    // The function answers 200 although its CRM call failed (nothing serves it): production's
    // outcome while the CRM is down, and an `unserved-request` the test would otherwise not see.
    const swallowing = async () => {
      await fetch('https://crm.example.test/contacts', { method: 'POST' }).catch(() => undefined)
      return { statusCode: 200, body: JSON.stringify({ app_metadata: { provider: 'email', roles: ['member'] } }) }
    }
    const outcome = await identity.trigger(swallowing, 'signup', identity.fakeUser())
    expect(outcome).toAllowSignup()
    expect(outcome).toHaveRoles(['member'])
    const message = failure(() => expect(outcome).toHaveNoDiagnostics())
    expect(message).toContain('expected no diagnostics (except status-blocks, non-blocking-event, background, timeout-budget), but the call had 1: unserved-request\n')
    expect(message).toContain("- unserved-request: identity-signup answered 200 although POST https://crm.example.test/contacts failed")
    expect(outcome).toHaveNoDiagnostics({ except: ['unserved-request'] })
    expect(failure(() => expect(outcome).toHaveNoDiagnostics({ except: [] }))).toContain('expected no diagnostics, but the call had 1: unserved-request')
  })

  test('explanatory diagnostics pass by default (an intended block), not with except: []', async () => {
    const blocked = await identity.trigger(forbid, 'validate', user)
    expect(blocked.diagnostics.map((d) => d.code)).toEqual(['status-blocks'])
    expect(blocked).toBlockSignup()
    expect(blocked).toHaveNoDiagnostics()
    expect(failure(() => expect(blocked).toHaveNoDiagnostics({ except: [] }))).toContain('but the call had 1: status-blocks')
    expect(failure(() => expect(blocked).not.toHaveNoDiagnostics())).toContain('expected diagnostics (except status-blocks')
  })

  test('an invoke response: its (non-enumerable) diagnostics are read, and the failure shows the answer', async () => {
    const ok = await identity.invoke(async () => ({ statusCode: 200, body: 'ok' }))
    expect(ok).toHaveNoDiagnostics()
    const broken = await identity.invoke(async () => ({ statusCode: 200, body: { ok: true } as unknown as string }))
    const message = failure(() => expect(broken).toHaveNoDiagnostics())
    expect(message).toMatch(/but the call had 1: non-string-body\n {2}status: {7}500\n/)
  })

  test('a value that carries no diagnostics is a misuse in both directions (it could never fail)', async () => {
    expect(failure(() => expect({ statusCode: 200 }).toHaveNoDiagnostics())).toContain('toHaveNoDiagnostics needs what identity.trigger or identity.invoke returned')
    expect(failure(() => expect({ statusCode: 200 }).not.toHaveNoDiagnostics())).toContain('this response has none')
    // Synchronously, so a call without await fails the test where it is (not an unhandled rejection later).
    expect(failure(() => expect(new Response('{}')).toHaveNoDiagnostics())).toMatch(/this response has none \(a fetch Response/)
    expect(failure(() => expect('x').toHaveNoDiagnostics())).toContain('got the string "x"')
    // A plain-JS caller's single code is an error naming the form, not a substring match.
    const ok = await identity.invoke(async () => ({ statusCode: 200, body: 'ok' }))
    expect(() => expect(ok).toHaveNoDiagnostics({ except: 'threw' as never })).toThrow("toHaveNoDiagnostics({ except }) takes a list of diagnostic codes, such as ['unserved-request']; got the string \"threw\"")
  })

  test('EXPLANATORY_DIAGNOSTICS are exactly the diagnostic codes check reports as info (one list of what explains)', async () => {
    const { EXPLANATORY_DIAGNOSTICS } = await import('../src/assertions/checks.js')
    const { RULES } = await import('../src/cli/check/findings.js')
    const info = Object.entries(RULES).filter(([, r]) => r.severity === 'info').map(([code]) => code)
    // check's own codes (env-unset) and ignored-keys (usually a bug: roles at the top level) are not.
    expect([...EXPLANATORY_DIAGNOSTICS].sort()).toEqual(info.filter((c) => c !== 'env-unset' && c !== 'ignored-keys').sort())
  })
})

describe('identityMatchers (runner-agnostic)', () => {
  test('returns results for the runner to invert, and reports misuse either way', async () => {
    const allowed = await identity.trigger(setRoles, 'signup', user)
    const login = await identity.trigger(setRoles, 'login', user)
    const ctx = { isNot: false }
    const not = { isNot: true }
    expect(identityMatchers.toAllowSignup.call(ctx, allowed)).toMatchObject({ pass: true })
    expect(identityMatchers.toAllowSignup.call(not, allowed)).toMatchObject({ pass: true })
    expect(identityMatchers.toAllowSignup.call(ctx, login)).toMatchObject({ pass: false })
    expect(identityMatchers.toAllowSignup.call(not, login)).toMatchObject({ pass: true }) // inverted by the runner: fails
    expect(identityMatchers.toHaveRoles.call(ctx, allowed, ['admin'])).toMatchObject({ pass: false, actual: ['member', 'editor'], expected: ['admin'] })
  })
})
