import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deliveredTo, visibleTo } from '../../src/domain/visibility.js';

describe('visibility', () => {
  const m = (from: string, to: string) => ({ from, to });
  it('shows a broadcast to everyone, a DM to its two ends only', () => {
    assert.equal(visibleTo(m('a', 'all'), 'c'), true);
    assert.equal(visibleTo(m('a', 'b'), 'b'), true);
    assert.equal(visibleTo(m('a', 'b'), 'a'), true);
    assert.equal(visibleTo(m('a', 'b'), 'c'), false);
  });
  it('delivers what is visible except the reader’s own messages', () => {
    assert.equal(deliveredTo(m('a', 'all'), 'a'), false);
    assert.equal(deliveredTo(m('a', 'all'), 'b'), true);
    assert.equal(deliveredTo(m('a', 'b'), 'b'), true);
    assert.equal(deliveredTo(m('a', 'b'), 'a'), false);
    assert.equal(deliveredTo(m('a', 'b'), 'c'), false);
  });
});
