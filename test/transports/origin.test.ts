import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { originAllowed } from '../../src/transports/mcp/origin.js';

const none = { corsOrigins: [], publicUrl: null };

describe('MCP origin policy', () => {
  it('lets clients without an Origin and pages on this machine in', () => {
    assert.equal(originAllowed(undefined, none), true);
    for (const o of ['http://localhost:3000', 'http://127.0.0.1:8765', 'http://[::1]:8765', 'https://app.localhost']) {
      assert.equal(originAllowed(o, none), true, o);
    }
  });

  it('refuses other pages, including a rebinding name that resolves here', () => {
    for (const o of [
      'http://evil.example',
      'http://127.0.0.1.evil.example',
      'null',
      'file://',
      'chrome-extension://x',
    ]) {
      assert.equal(originAllowed(o, none), false, o);
    }
  });

  it("allows the bridge's own origin when it is reached at an address, not at a name", () => {
    assert.equal(originAllowed('http://192.168.1.5:8765', { ...none, host: '192.168.1.5:8765' }), true);
    assert.equal(originAllowed('http://[fd00::5]:8765', { ...none, host: '[fd00::5]:8765' }), true);
    assert.equal(originAllowed('http://192.168.1.5:9999', { ...none, host: '192.168.1.5:8765' }), false);
    assert.equal(originAllowed('http://rebind.example:8765', { ...none, host: 'rebind.example:8765' }), false);
  });

  it('allows the listed origins, any with *, and the public URL', () => {
    assert.equal(originAllowed('https://app.example', { corsOrigins: ['https://app.example'], publicUrl: null }), true);
    assert.equal(
      originAllowed('https://other.example', { corsOrigins: ['https://app.example'], publicUrl: null }),
      false,
    );
    assert.equal(originAllowed('https://x.example', { corsOrigins: ['*'], publicUrl: null }), true);
    assert.equal(originAllowed('https://t.example', { corsOrigins: [], publicUrl: 'https://t.example/' }), true);
  });
});
