import type { GuideEntry } from './deps.js';

/** The parts of a route the guide reads (Fastify's route options). */
export interface RouteInfo {
  method: string | string[];
  url: string;
  schema?: {
    hide?: boolean;
    tags?: readonly string[];
    security?: readonly unknown[];
    summary?: string;
    description?: string;
    querystring?: unknown;
    body?: unknown;
  };
}

interface ObjectSchema {
  properties?: Record<string, { description?: string; examples?: unknown[]; type?: unknown }>;
}

/**
 * The guide's entry for a route, or null when agents need not know it: only
 * visible routes tagged `agent` or `public`, never the HEAD twins Fastify adds.
 * The path shows parameters as `{seq}` and query parameters with an example value
 * (`/messages?since=0&wait=25`); `body` maps each field to its description.
 */
export function guideEntry(route: RouteInfo): GuideEntry | null {
  const s = route.schema;
  if (!s || s.hide) return null;
  if (!s.tags?.some((t) => t === 'agent' || t === 'public')) return null;
  const method = Array.isArray(route.method) ? route.method[0] : route.method;
  if (method === 'HEAD') return null;
  const entry: GuideEntry = {
    method,
    path: route.url.replace(/:(\w+)/g, '{$1}') + queryHint(s.querystring as ObjectSchema | undefined),
    auth: (s.security?.length ?? 0) > 0,
    desc: s.description ?? s.summary ?? '',
  };
  const body = (s.body as ObjectSchema | undefined)?.properties;
  if (body) {
    entry.body = Object.fromEntries(
      Object.entries(body).map(([k, v]) => [k, v.description ?? (typeof v.type === 'string' ? v.type : 'value')]),
    );
  }
  return entry;
}

/** `?name=<example>&…` for the query parameters that carry an example. */
function queryHint(q: ObjectSchema | undefined): string {
  const parts = Object.entries(q?.properties ?? {})
    .filter(([, v]) => v.examples?.length)
    .map(([k, v]) => `${k}=${String(v.examples?.[0])}`);
  return parts.length ? `?${parts.join('&')}` : '';
}
