/**
 * netlify-identity-harness: test Netlify Identity functions the way production runs them.
 *
 * @packageDocumentation
 */
export { createIdentity, Identity, DEFAULT_SITE_URL, DEFAULT_JWT_SECRET, DEFAULT_SEED } from './identity.js'
export type { IdentityOptions, IdentityFunctions, FlowResult, CreateUserOverrides, ExternalLoginResult, ExternalTokens, LoginWithOptions } from './identity.js'
export type { FakeProvider, ProviderFailure } from './gotrue/fake-provider.js'
export type { ProviderProfile } from './gotrue/providers.js'
export type { ExternalProviderName } from './gotrue/settings.js'
export { EXTERNAL_PROVIDERS } from './gotrue/settings.js'
export type { AuditLogEntry, AuditAction } from './gotrue/audit.js'
export type { UserStore, AddUserOptions } from './gotrue/store.js'
export type { Outbox, SentMail, MailType } from './gotrue/mail.js'
export type { RecordedRequest } from './gotrue/log.js'
export { DEFAULT_REQUEST_LOG_LIMIT } from './gotrue/log.js'
export type { Fault, FaultSpec } from './gotrue/faults.js'
export type { SignupParams, TokenResponse } from './gotrue/flows.js'
export {
  expectAllowsSignup,
  expectBlocksSignup,
  expectAllowsLogin,
  expectBlocksLogin,
  expectAllows,
  expectBlocks,
  expectAppMetadata,
  expectUserMetadata,
  expectRoles,
  expectStatus,
  expectNoDiagnostics,
} from './assertions/expect.js'
export type { Checkable, MetadataOptions, NoDiagnosticsOptions } from './assertions/expect.js'
export { EXPLANATORY_DIAGNOSTICS } from './assertions/checks.js'
export type { CheckResult } from './assertions/checks.js'
export type { AsymmetricMatcherLike } from './assertions/match.js'
export { HarnessError } from './errors.js'
export type { HarnessErrorCode } from './errors.js'
export { HOOK_DEFAULTS } from './gotrue/hooks.js'
export { eventFromName } from './events.js'
export type { TriggerOptions } from './gotrue/hooks.js'
export { ALLOWED_HOOK_STATUSES, isAllowedHookStatus } from './gotrue/rules.js'
export type { InvokeRequest, InvokeResponse } from './functions/invoke-http.js'
export type { FunctionInput } from './functions/resolve.js'
export type { FunctionConfig } from './functions/resolve.js'
export type { V2Handler } from './functions/shapes.js'
export type { TypedIdentityEvent } from './functions/typed.js'
export type { V2Context, V2Cookie, V2Geo } from './netlify/v2-context.js'
export type { NetlifyGlobal, NetlifyEnv, NetlifyIdentityContext } from './netlify/globals.js'
export type { CamelUser } from './users/camel.js'
export type { V1Handler } from './functions/run-v1.js'
export type { EnvOverrides } from './functions/env.js'
export type { HandlerEvent, IdentityEventPayload, HttpRequestInit } from './netlify/event.js'
export type { LambdaContext } from './netlify/lambda-context.js'
export type { ClientContext, ClientContextIdentity } from './netlify/client-context.js'
export type { ContextMode } from './runtime.js'
export type { TokenOptions, AccessTokenClaims } from './tokens/access.js'
export type { TokenClaims } from './tokens/claims.js'
export type { FakeUserOverrides } from './users/fake.js'
export { IDENTITY_EVENTS } from './types.js'
export type {
  AppMetadata,
  Diagnostic,
  DiagnosticCode,
  FunctionResponse,
  GoTrueError,
  GoTrueUser,
  HookOutcome,
  IdentityEvent,
  JsonObject,
  JsonValue,
  RawFunctionResponse,
  UserMetadata,
} from './types.js'
