import { Agent, request } from 'undici';

/** An HTTP client for the load generator: one connection per concurrent request, kept alive. */
export function makeClient(connections: number | null = null) {
  const dispatcher = new Agent({
    connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: 120_000,
    bodyTimeout: 120_000,
  });
  async function call<T = any>(
    base: string,
    method: 'GET' | 'POST',
    path: string,
    o: { code?: string; admin?: string; body?: unknown; signal?: AbortSignal } = {},
  ): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = {};
    if (o.code) headers.authorization = `Bearer ${o.code}`;
    if (o.admin) headers['x-admin-token'] = o.admin;
    let body: string | undefined;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] = 'application/json';
    }
    const res = await request(base + path, { method, headers, body, dispatcher, signal: o.signal });
    const text = await res.body.text();
    return { status: res.statusCode, body: (text ? JSON.parse(text) : null) as T };
  }
  return { call, close: () => dispatcher.close() };
}

export type Client = ReturnType<typeof makeClient>;

/** Mints `n` codes named `${prefix}${i}` in rooms chosen by `roomOf(i)`, `parallel` at a time. */
export async function mintCodes(
  client: Client,
  base: string,
  admin: string,
  n: number,
  prefix: string,
  roomOf: (i: number) => string,
  parallel = 32,
): Promise<string[]> {
  const codes: string[] = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const r = await client.call<{ code: string }>(base, 'POST', '/admin/invite', {
        admin,
        body: { name: `${prefix}${i}`, room: roomOf(i) },
      });
      if (r.status !== 200) throw new Error(`invite failed: ${r.status} ${JSON.stringify(r.body)}`);
      codes[i] = r.body.code;
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return codes;
}
