import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newestThatFit, oldestThatFit } from '../../src/domain/page.js';

const rows = (...lengths: number[]) => lengths.map((n) => ({ text: 'x'.repeat(n) }));

describe('pages of text', () => {
  it('takes the oldest rows that fit, at least one', () => {
    assert.equal(oldestThatFit(rows(4, 4, 4), 10), 2);
    assert.equal(oldestThatFit(rows(4, 4, 2), 10), 3);
    assert.equal(oldestThatFit(rows(50, 1), 10), 1, 'one oversized message still goes out alone');
    assert.equal(oldestThatFit([], 10), 0);
  });
  it('takes the newest rows that fit, at least one', () => {
    assert.equal(newestThatFit(rows(4, 4, 4), 10), 2);
    assert.equal(newestThatFit(rows(9, 1), 10), 2);
    assert.equal(newestThatFit(rows(1, 50), 10), 1);
  });
});
