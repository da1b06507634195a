import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultExpects, resolveExpects } from '../../src/domain/expects.js';

describe('defaultExpects', () => {
  it('defaults a broadcast to none and a DM to its recipient', () => {
    assert.equal(defaultExpects('all', undefined), 'none');
    assert.equal(defaultExpects('all', null), 'none');
    assert.equal(defaultExpects('bob', undefined), 'bob');
  });
  it('treats empty or blank as omitted', () => {
    assert.equal(defaultExpects('all', ''), 'none');
    assert.equal(defaultExpects('bob', '   '), 'bob');
  });
  it('keeps an explicit value (trimmed)', () => {
    assert.equal(defaultExpects('all', 'anyone'), 'anyone');
    assert.equal(defaultExpects('bob', ' none '), 'none');
    assert.equal(defaultExpects('all', 'carol'), 'carol');
  });
});

describe('resolveExpects', () => {
  const cases: Array<[string, string[], string]> = [
    ['anyone', ['asker', 'solo'], 'solo'],
    ['anyone', ['asker', 'one', 'two'], 'anyone'],
    ['anyone', ['asker'], 'anyone'],
    ['anyone', [], 'anyone'],
    ['anyone', ['solo', 'solo', 'asker'], 'solo'],
    ['none', ['asker', 'solo'], 'none'],
    ['named', ['asker', 'solo'], 'named'],
  ];
  for (const [expects, members, want] of cases) {
    it(`${expects} with members [${members.join(', ')}] → ${want}`, () => {
      assert.equal(resolveExpects(expects, 'asker', members), want);
    });
  }
});
