import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { guideEntry } from '../../src/transports/http/guide.js';

describe('guideEntry', () => {
  it('lists an agent route with its parameters, example query and body fields', () => {
    const e = guideEntry({
      method: 'POST',
      url: '/messages/:seq/claim',
      schema: {
        tags: ['agent'],
        security: [{ agentCode: [] }],
        summary: 'short',
        description: 'long',
        querystring: { properties: { since: { examples: [0] }, quiet: {} } },
        body: { properties: { text: { description: 'the message' }, n: { type: 'integer' } } },
      },
    });
    assert.deepEqual(e, {
      method: 'POST',
      path: '/messages/{seq}/claim?since=0',
      auth: true,
      desc: 'long',
      body: { text: 'the message', n: 'integer' },
    });
  });
  it('leaves out hidden, operator-only and HEAD routes; public routes need no auth', () => {
    assert.equal(guideEntry({ method: 'GET', url: '/x', schema: { hide: true, tags: ['agent'] } }), null);
    assert.equal(guideEntry({ method: 'GET', url: '/admin/state', schema: { tags: ['operator'] } }), null);
    assert.equal(guideEntry({ method: 'HEAD', url: '/health', schema: { tags: ['public'] } }), null);
    assert.equal(guideEntry({ method: 'GET', url: '/nothing' }), null);
    assert.deepEqual(
      guideEntry({ method: ['GET', 'HEAD'], url: '/health', schema: { tags: ['public'], summary: 's' } }),
      {
        method: 'GET',
        path: '/health',
        auth: false,
        desc: 's',
      },
    );
  });
});
