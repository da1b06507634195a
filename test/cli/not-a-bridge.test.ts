import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it, type TestContext } from 'node:test';
import { tempDir } from '../helpers.js';
import { runCliInProcess } from '../support/processes.js';

/** An HTTP server that is not a bridge: answers every request with `answer()` as JSON. */
async function impostor(t: TestContext, answer: () => unknown): Promise<{ url: string }> {
  const server = createServer((req, res) => {
    req.resume();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(answer()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const addr = server.address();
  return { url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}` };
}

describe('an answer that is not a bridge answer is a one-line error, never a JavaScript one', () => {
  it('every command that reads an answer says the answer is not a bridge answer', async (t) => {
    for (const answer of [() => ({}), () => 'hello', () => ({ status: 'ok', messages: 'x', seq: 1 }), () => [1, 2]]) {
      const fake = await impostor(t, answer);
      const admin = { ARGYBARGY_ADMIN_TOKEN: 'some-token', NO_COLOR: '1' };
      const agent = { ARGYBARGY_URL: fake.url, ARGYBARGY_CODE: 'some-code' };
      const runs: [string[], Record<string, string>][] = [
        [['rooms', '--url', fake.url], admin],
        [['post', 'build', 'hi', '--url', fake.url], admin],
        [['close', 'build', '--url', fake.url], admin],
        [['reopen', 'build', '--url', fake.url], admin],
        [['codes', '--url', fake.url], admin],
        [['revoke', 'alice', '--url', fake.url], admin],
        [['webhooks', '--url', fake.url], admin],
        [['webhooks', 'remove', 'alice', '--room', 'build', '--url', fake.url], admin],
        [['whoami'], agent],
        [['peers'], agent],
        [['send', 'hi'], agent],
        [['listen', '--once', '--wait', '0'], agent],
        [['connect', 'claude', '--url', fake.url], { ARGYBARGY_CODE: 'some-code' }],
      ];
      for (const [args, env] of runs) {
        const r = await runCliInProcess(args, { ARGYBARGY_DATA: tempDir(t), ...env });
        const what = `${args[0]} ${args[1]} (${JSON.stringify(answer())}): ${r.stderr}`;
        assert.equal(r.code, 1, what);
        assert.doesNotMatch(r.stderr, /TypeError|not iterable|Cannot read properties|undefined/, what);
        assert.match(r.stderr, /is not an argybargy bridge's \(.+\)\. Is http:\/\/127\.0\.0\.1:\d+ the bridge\?/, what);
        assert.equal(r.stderr.trim().split('\n').length, 1, what);
      }
    }
  });
});
