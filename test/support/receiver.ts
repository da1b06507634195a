import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { TestContext } from 'node:test';

/** One request a receiver got: when (performance.now()), its headers and body. */
export interface Hit {
  at: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * A local HTTP receiver (a webhook's far end) on 127.0.0.1, closed when the test
 * ends. `handle` answers each request (the n-th, from 1); by default 200.
 */
export async function receiver(
  t: TestContext,
  handle: (req: IncomingMessage, res: ServerResponse, n: number) => void = (_req, res) => res.writeHead(200).end(),
) {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      hits.push({ at: performance.now(), headers: req.headers, body });
      handle(req, res, hits.length);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { url: `http://127.0.0.1:${port}/hook`, port, hits };
}
