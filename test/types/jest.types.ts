// Type test for `netlify-identity-harness/jest`: `@jest/globals` users (augmentation of
// `expect`'s `Matchers`) and `@types/jest` users (the global `jest.Matchers`).
// Checked by `tsc -p test/types/tsconfig.jest.json`; no Vitest types are loaded here.
import { expect } from '@jest/globals'
import type { HookOutcome } from 'netlify-identity-harness'
import { useIdentity } from 'netlify-identity-harness/jest'
import type { Identity } from 'netlify-identity-harness'

declare const outcome: HookOutcome

const identity: Identity = useIdentity({ seed: 3, siteUrl: 'https://jest.netlify.test' })
void identity

expect(outcome).toAllowSignup()
expect(outcome).not.toBlockSignup()
expect(outcome).toSetAppMetadata({ roles: expect.arrayContaining(['admin']) })
expect(outcome).toSetUserMetadata({ plan: expect.any(String) }, { exact: false })
expect(outcome).toHaveRoles(['admin'])
expect({ statusCode: 200 }).toHaveStatus(200)
const status: Promise<void> = expect(new Response(null, { status: 204 })).toHaveStatus(204)
void status
const pending: Promise<void> = expect(new Response('{}')).toBlock()
void pending
expect(outcome).toHaveNoDiagnostics()
const noDiagnostics: void = expect(new Response('{}')).toHaveNoDiagnostics()
void noDiagnostics
expect(outcome).toHaveNoDiagnostics({ except: ['status-blocks', 'unserved-request'] })
// @ts-expect-error except is a list of codes
expect(outcome).toHaveNoDiagnostics({ except: 'status-blocks' })

// @ts-expect-error a misspelled matcher does not exist
expect(outcome).toBlockSignUp()
// @ts-expect-error roles are an array of strings
expect(outcome).toHaveRoles('admin')
// @ts-expect-error a status is a number
expect({ statusCode: 200 }).toHaveStatus('200')
// @ts-expect-error expected metadata is an object
expect(outcome).toSetAppMetadata(42)
// @ts-expect-error useIdentity takes options, not a seed
useIdentity(3)

// The global namespace `@types/jest` users' `expect` returns.
declare const globalMatchers: jest.Matchers<void, HookOutcome>
globalMatchers.toAllowSignup()
globalMatchers.toHaveRoles(['editor'])
// @ts-expect-error a misspelled matcher does not exist
globalMatchers.toHaveRole(['editor'])
// @ts-expect-error roles are an array of strings
globalMatchers.toHaveRoles('editor')
