// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the tokens under test are ${VAR} references no client expanded
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { unexpandedVariable } from '../../src/errors.js';
import { startBridge } from '../helpers.js';

const from = (address: string) => ({ 'x-forwarded-for': address });

describe('unexpandedVariable: a token that is a variable reference no client expanded', () => {
  it('names the variable of ${NAME}, $NAME and ${env:NAME}, and says where to set it', () => {
    for (const [token, name] of [
      ['${ARGYBARGY_CODE}', 'ARGYBARGY_CODE'],
      ['$ARGYBARGY_CODE', 'ARGYBARGY_CODE'],
      ['${env:ARGYBARGY_CODE}', 'ARGYBARGY_CODE'],
      ['${CODER_CODE}', 'CODER_CODE'],
      ['$_x1', '_x1'],
    ]) {
      assert.equal(
        unexpandedVariable(token),
        `The code sent is the text ${token}, not a code: set ${name} in the environment the client starts in.`,
        token,
      );
    }
  });

  it('says of ${input:ID} that only VS Code fills it in, with the code it asks for', () => {
    const s = unexpandedVariable('${input:argybargy-code}') ?? '';
    assert.match(s, /^The code sent is the text \$\{input:argybargy-code\}, not a code: only VS Code fills in/);
    assert.match(s, /"inputs" must declare argybargy-code/);
  });

  it('is null for anything else: codes, other text, references inside other text, empty names', () => {
    for (const token of [
      randomBytes(24).toString('base64url'),
      'not-a-code',
      'wrong',
      '$',
      '${}',
      '${env:}',
      '${input:}',
      '$1ABC',
      '${1ABC}',
      '${A B}',
      'x${ARGYBARGY_CODE}',
      '${ARGYBARGY_CODE}x',
      'Bearer${ARGYBARGY_CODE}',
      '${ARGYBARGY_CODE:-fallback}',
      '${{ARGYBARGY_CODE}}',
      '%ARGYBARGY_CODE%',
    ]) {
      assert.equal(unexpandedVariable(token), null, token);
    }
  });

  it('never repeats more than 64 characters, nor anything that looks like a code', () => {
    const name = `A${'B'.repeat(60)}`; // ${…} around it: 64 characters
    assert.equal(`\${${name}}`.length, 64);
    assert.ok(unexpandedVariable(`\${${name}}`));
    assert.equal(unexpandedVariable(`\${${name}C}`), null, '65 characters');
    assert.equal(unexpandedVariable(`$${'A'.repeat(64)}`), null);
    for (let i = 0; i < 50; i++) {
      // A real code (32 base64url characters) behind a $, by mistake: never echoed.
      let code = randomBytes(24).toString('base64url').replace(/-/g, 'x');
      if (!/^[A-Za-z_]/.test(code)) code = `a${code.slice(1)}`;
      if (!/[a-z]/.test(code) || !/[A-Z]/.test(code) || !/\d/.test(code)) continue;
      for (const token of [`$${code}`, `\${${code}}`, `\${env:${code}}`, `\${input:${code}}`]) {
        assert.equal(unexpandedVariable(token), null, token);
      }
    }
  });
});

describe('the 401 for an unexpanded variable', () => {
  it('says the code is the text of a variable, and is otherwise the same 401: challenge, counting, audit', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_AUTH_FAILURES: '3' });
    const r = await b.call('GET', '/whoami', { code: '${ARGYBARGY_CODE}', headers: from('203.0.113.20') });
    assert.equal(r.status, 401);
    assert.equal(r.body.error, 'unauthorized');
    assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="argybargy", error="invalid_token"');
    assert.match(
      r.body.detail,
      /^The code sent is the text \$\{ARGYBARGY_CODE\}, not a code: set ARGYBARGY_CODE in the environment the client starts in\. Send the header 'Authorization: Bearer <code>' with the code itself/,
    );
    assert.deepEqual(Object.keys(r.body).sort(), ['detail', 'error']);
    // Any other wrong code: the usual sentence, the same status and challenge.
    const wrong = await b.call('GET', '/whoami', { code: 'wrong', headers: from('203.0.113.21') });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('www-authenticate'), r.headers.get('www-authenticate'));
    assert.match(wrong.body.detail, /^Missing, unknown, revoked or expired access code/);
    // Through MCP, where the clients that send it are, the same.
    const mcp = await b.call('POST', '/mcp', {
      code: '${env:ARGYBARGY_CODE}',
      headers: { ...from('203.0.113.22'), accept: 'application/json, text/event-stream' },
      body: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
    });
    assert.equal(mcp.status, 401);
    assert.match(mcp.text, /The code sent is the text \$\{env:ARGYBARGY_CODE\}, not a code/);
    // Counted like any wrong code: the fourth from one address is held back (429).
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await b.call('GET', '/peers', { code: '$ARGYBARGY_CODE', headers: from('203.0.113.20') })).status);
    }
    assert.deepEqual(statuses, [401, 401, 429]);
    const events = (await b.call('GET', '/admin/audit?limit=50', { admin: true })).body.events;
    const rows = events.filter((e: any) => e.action === 'agent_auth_failed').map((e: any) => e.detail);
    assert.ok(rows.includes('wrong code on /whoami from 203.0.113.20'), rows.join('\n'));
    assert.ok(!rows.some((d: string) => d.includes('$')), 'the audit log is as before: no token text');
  });
});
