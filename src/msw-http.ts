import { http as mswHttp } from 'msw'

/**
 * msw's `http` handler factory, imported statically from msw's root entry, which both supported
 * majors export it from (msw 2: `msw`, `msw/core/http`; msw 3: `msw`, `msw/http`: no subpath is
 * common to both). A static import keeps every entry free of top-level `await`, so `require()` of
 * the package works under Node's require(esm) (20.19+, 22, 24) and Jest's CommonJS mode.
 * @internal
 */
export const http: typeof mswHttp = mswHttp
