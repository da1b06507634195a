import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { errors } from '../../../errors.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Everything the page may load comes from the bridge itself; nothing inline, nothing remote. */
const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/** Where the built dashboard is: next to the bundle (dist/web), or dist/web of the checkout when run from source. */
function findWebRoot(): string | null {
  for (const rel of ['./web/', '../../../../dist/web/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return null;
}

/**
 * GET /dashboard: the operator's web UI, a handful of files Vite built at install
 * time, read on first request and kept in memory.
 */
export function dashboardRoutes() {
  return async (app: FastifyInstance) => {
    const root = findWebRoot();
    const files = new Map<string, Buffer>();

    const send = (reply: FastifyReply, rel: string) => {
      if (!root) {
        throw errors.unavailable('The dashboard has not been built. Run npm run build in the argybargy checkout.');
      }
      const path = normalize(join(root, rel));
      if (!path.startsWith(root.endsWith(sep) ? root : root + sep)) throw errors.notFound('No such dashboard file.');
      let body = files.get(path);
      if (!body) {
        if (!existsSync(path)) throw errors.notFound(`No dashboard file ${rel}.`);
        body = readFileSync(path);
        files.set(path, body);
      }
      const isIndex = rel === 'index.html';
      return reply
        .header('content-type', TYPES[extname(path)] ?? 'application/octet-stream')
        .header('content-security-policy', DASHBOARD_CSP)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .header('cache-control', isIndex ? 'no-cache' : 'public, max-age=31536000, immutable')
        .send(body);
    };

    app.get('/dashboard', { schema: { hide: true } }, (_req, reply) => send(reply, 'index.html'));
    app.get<{ Params: { '*': string } }>('/dashboard/*', { schema: { hide: true } }, (req, reply) =>
      send(reply, req.params['*'] === '' ? 'index.html' : req.params['*']),
    );
  };
}
