// @types/jest users: the global `expect` has the identity matchers (scripts/matrix/tsconfig.types-jest.json).
import type { HookOutcome } from 'netlify-identity-harness'
import 'netlify-identity-harness/jest'

declare const outcome: HookOutcome
declare const globalExpect: jest.Expect

globalExpect(outcome).toBlockSignup()
globalExpect(outcome).not.toHaveRoles(['admin'])
// @ts-expect-error roles are an array of strings
globalExpect(outcome).toHaveRoles(5)
