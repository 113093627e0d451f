import type { Runtime } from '../runtime.js'
import { siteDefaults } from './v2-context.js'

const cache = new WeakMap<Runtime, Readonly<Record<string, string>>>()

/**
 * The environment variables Netlify sets for a function at run time, with this instance's values
 * (seeded, so stable): `URL` (the site URL), `DEPLOY_URL` (`https://<deploy id>--<site>.netlify.app`),
 * `DEPLOY_PRIME_URL` (the branch URL `https://main--<site>.netlify.app`), `DEPLOY_ID`, `SITE_NAME`,
 * `SITE_ID`, `CONTEXT` (`production`), `BRANCH` (`main`), `NETLIFY` (`true`) and Lambda's
 * `AWS_REGION` (`us-east-1`). Netlify reserves these names (netlify/cli
 * `src/utils/env/deploy-env-vars.ts`, `RESERVED_KEY_NAMES`) and the v2 bootstrap reads
 * `SITE_ID`, `SITE_NAME`, `URL` and `AWS_REGION` for `context.site`/`context.server`
 * (functions-runtime.md §2.2). In `netlify-dev` mode `CONTEXT` is `dev` and `NETLIFY_DEV` is
 * `true`, as `netlify dev` sets (cli `src/commands/dev/dev.ts`). A call's `env` option overrides
 * any of them; none of them ever reaches the real `process.env`.
 * @internal
 */
export function netlifyRuntimeEnv(rt: Runtime): Readonly<Record<string, string>> {
  let env = cache.get(rt)
  if (!env) {
    const site = siteDefaults(rt)
    const dev = rt.mode === 'netlify-dev'
    env = Object.freeze({
      URL: rt.siteUrl,
      DEPLOY_URL: `https://${site.deployId}--${site.name}.netlify.app`,
      DEPLOY_PRIME_URL: `https://main--${site.name}.netlify.app`,
      DEPLOY_ID: site.deployId,
      SITE_NAME: site.name,
      SITE_ID: site.id,
      CONTEXT: dev ? 'dev' : 'production',
      BRANCH: 'main',
      NETLIFY: 'true',
      AWS_REGION: 'us-east-1',
      ...(dev ? { NETLIFY_DEV: 'true' } : {}),
    })
    cache.set(rt, env)
  }
  return env
}
