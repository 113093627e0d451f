import { onUnhandledFrame, onUnhandledRequest } from './functions/network-guard.js'

/**
 * `listen()` options that make unhandled requests errors under msw 2 (`onUnhandledRequest`) and
 * msw 3 (`onUnhandledFrame`; msw 3 silently ignores the old key and falls back to "warn",
 * toolchain-and-peers.md §0.2), so no test ever reaches the network. Under msw 2 the strategy
 * prints msw's error and lets the network guard refuse the connection with an error naming the
 * request's method and URL (functions/network-guard.ts), which the function sees; under msw 3
 * the frame fails with that same error.
 * @internal
 */
export const STRICT_LISTEN_OPTIONS = { onUnhandledRequest, onUnhandledFrame } as const
