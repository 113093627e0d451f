import { createReadStream, existsSync, statSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, resolve, sep } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.xml': 'application/xml',
  '.webmanifest': 'application/manifest+json',
}

/**
 * A site's published files, served the way Netlify serves a deploy: `/` and `/dir/` from
 * `index.html`, pretty URLs (`/about` from `about.html` or `about/index.html`), never a file
 * outside the folder, and `404.html` (with status 404) for anything missing.
 * @internal
 */
export class StaticFiles {
  readonly root: string

  constructor(root: string) {
    this.root = resolve(root)
  }

  /** The file a URL path is served from, or `undefined`. */
  find(pathname: string): string | undefined {
    let decoded: string
    try {
      decoded = decodeURIComponent(pathname)
    } catch {
      return undefined
    }
    if (decoded.includes('\0')) return undefined
    const base = resolve(this.root, `.${decoded.startsWith('/') ? decoded : `/${decoded}`}`)
    if (base !== this.root && !base.startsWith(this.root + sep)) return undefined
    const candidates = decoded.endsWith('/') ? [join(base, 'index.html')] : [base, `${base}.html`, join(base, 'index.html')]
    for (const file of candidates) {
      try {
        if (statSync(file).isFile()) return file
      } catch {
        // next candidate
      }
    }
    return undefined
  }

  /** Whether a path has a file (for shadowing and `preferStatic`). */
  exists(pathname: string): boolean {
    return this.find(pathname) !== undefined
  }

  /** The site's `404.html`, if it has one. */
  notFoundPage(): string | undefined {
    const file = join(this.root, '404.html')
    return existsSync(file) ? file : undefined
  }

  /** Serves a path (with `status` instead of 200 for a rewrite with a status); `false` when there is no file. */
  serve(req: IncomingMessage, res: ServerResponse, pathname: string, status = 200): boolean {
    const file = this.find(pathname)
    if (!file) return false
    sendFile(req, res, file, status)
    return true
  }
}

/** Sends one file. @internal */
export function sendFile(req: IncomingMessage, res: ServerResponse, file: string, status = 200): void {
  const size = statSync(file).size
  res.writeHead(status, {
    'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': String(size),
    'cache-control': 'no-cache',
  })
  if (req.method === 'HEAD') return void res.end()
  createReadStream(file).on('error', () => res.destroy()).pipe(res)
}
