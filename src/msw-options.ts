/**
 * `listen()` options that make unhandled requests errors under msw 2 (`onUnhandledRequest`) and
 * msw 3 (`onUnhandledFrame`; msw 3 silently ignores the old key and falls back to "warn",
 * toolchain-and-peers.md §0.2), so no test ever reaches the network.
 * @internal
 */
export const STRICT_LISTEN_OPTIONS = { onUnhandledRequest: 'error', onUnhandledFrame: 'error' } as const
