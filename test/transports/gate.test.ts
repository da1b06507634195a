import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import type { ApiError } from '../../src/errors.js';
import type { Agent } from '../../src/services/context.js';
import { AgentGate } from '../../src/transports/http/plugins/auth.js';
import { sleep, until } from '../helpers.js';

const agent: Agent = { name: 'a', room: 'r', capabilities: '', codeHash: 'h', expiresAt: null, checkedAt: 0 };

describe('AgentGate', () => {
  it("holds an agent's place until its answer has left the socket, so unread answers count", async (t) => {
    const gate = new AgentGate(2);
    const outcomes: string[] = [];
    const server = createServer((_req, res: ServerResponse) => {
      try {
        gate.admit(agent, res);
        outcomes.push('admitted');
        res.end(Buffer.alloc(32 * 1024 * 1024, 'x')); // far more than socket buffers hold
      } catch (e) {
        outcomes.push((e as ApiError).code);
        res.writeHead(429).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    t.after(() => {
      server.closeAllConnections();
      server.close();
    });
    const port = (server.address() as { port: number }).port;
    const open = (): Socket => {
      const s = connect(port, '127.0.0.1');
      s.on('error', () => undefined);
      s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      return s;
    };
    const a = open();
    const b = open();
    a.pause(); // neither reads its answer
    b.pause();
    await until(() => outcomes.length === 2, 10_000, 'both first requests to be admitted');
    const c = open();
    await until(() => outcomes.length === 3, 10_000, 'the third request to be answered');
    assert.deepEqual(outcomes, ['admitted', 'admitted', 'too_many_waits']);
    a.destroy();
    await sleep(500); // the server sees the close

    const d = open();
    await until(() => outcomes.length === 4, 10_000, 'the fourth request to be answered');
    assert.equal(outcomes.at(-1), 'admitted', 'a place frees when the connection ends');
    for (const s of [b, c, d]) s.destroy();
  });
});
