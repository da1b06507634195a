import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CursorState, handOut, NO_CURSOR, requestKey, startOf } from '../../src/domain/handout.js';

const state = (s: Partial<CursorState>): CursorState => ({ ...NO_CURSOR, rev: 1, ...s });

describe('handouts', () => {
  it('start after a pending batch, or before it once it was cancelled', () => {
    assert.equal(startOf(NO_CURSOR), 0);
    assert.equal(startOf(state({ committed: 3 })), 3);
    assert.equal(startOf(state({ committed: 3, pendingTo: 8, pendingReq: 'n:1' })), 8);
    assert.equal(startOf(state({ committed: 3, pendingTo: 8, pendingReq: 'n:1', pendingCancelled: true })), 3);
  });

  it('keep a delivered batch pending and confirm the one the read started on', () => {
    const s = state({ committed: 3, pendingTo: 8, pendingReq: 'n:1' });
    assert.deepEqual(handOut(s, { from: 8, to: 10, req: 'n:2', delivered: true }), {
      committed: 8,
      pendingTo: 10,
      pendingReq: 'n:2',
      pendingCancelled: false,
    });
    const cancelled = { ...s, pendingCancelled: true };
    assert.deepEqual(handOut(cancelled, { from: 3, to: 8, req: 'n:2', delivered: true }), {
      committed: 3,
      pendingTo: 8,
      pendingReq: 'n:2',
      pendingCancelled: false,
    });
  });

  it('never make an empty batch pending, nor move it past a batch another request holds', () => {
    assert.equal(
      handOut(state({ committed: 3, pendingTo: 8, pendingReq: 'n:1' }), {
        from: 8,
        to: 9,
        req: 'n:2',
        delivered: false,
      }),
      null,
    );
    assert.equal(handOut(state({ committed: 3 }), { from: 3, to: 3, req: 'n:2', delivered: false }), null);
    assert.deepEqual(handOut(state({ committed: 3 }), { from: 3, to: 5, req: 'n:2', delivered: false }), {
      committed: 5,
      pendingTo: null,
      pendingReq: null,
      pendingCancelled: false,
    });
    // A cancelled batch read again and found empty (its messages went away) is dropped.
    const gone = state({ committed: 3, pendingTo: 8, pendingReq: 'n:1', pendingCancelled: true });
    assert.deepEqual(handOut(gone, { from: 3, to: 8, req: 'n:2', delivered: false })?.pendingTo, null);
  });

  it('never move back for an explicit since, nor forward over what it did not deliver', () => {
    const s = state({ committed: 3, pendingTo: 8, pendingReq: 'n:1' });
    // A made-up seq beyond the cursor: nothing is written, the unread stays unread.
    assert.equal(handOut(s, { from: 99, to: 20, req: 'n:2', delivered: false }), null);
    assert.equal(handOut(s, { from: 9, to: 12, req: 'n:2', delivered: true }), null);
    // From behind: only what lies beyond the cursor becomes pending, and the cursor stays.
    assert.equal(handOut(s, { from: 0, to: 5, req: 'n:2', delivered: true }), null, 'all of it was handed out before');
    assert.deepEqual(handOut(s, { from: 0, to: 10, req: 'n:2', delivered: true }), {
      committed: 8,
      pendingTo: 10,
      pendingReq: 'n:2',
      pendingCancelled: false,
    });
  });

  it('key request ids by type, as JSON-RPC distinguishes 1 from "1", and by client session', () => {
    assert.notEqual(requestKey(1), requestKey('1'));
    assert.equal(requestKey(7), requestKey(7));
    assert.notEqual(requestKey(7, 'a'), requestKey(7, 'b'));
    assert.equal(requestKey(7, ''), requestKey(7));
  });
});
