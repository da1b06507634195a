import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answerNeedsMembers, answerOutcome, type QuestionState } from '../../src/domain/answers.js';

function q(expects: string, o: Partial<QuestionState> = {}): QuestionState {
  return { from: 'alice', expects_reply: expects, claimed_by: null, answered_by: null, ...o };
}
const all = (from: string) => ({ from, to: 'all' });
const ROOM = ['alice', 'bob', 'carol'];

describe('answerOutcome', () => {
  it('a question addressed to a name is answered by that name only', () => {
    assert.deepEqual(answerOutcome(q('bob'), all('bob'), ROOM), { answers: true, claims: false });
    assert.deepEqual(answerOutcome(q('bob'), all('carol'), ROOM), { answers: false });
    // The addressee answers even when someone else had claimed it.
    assert.deepEqual(answerOutcome(q('bob', { claimed_by: 'carol' }), all('bob'), ROOM), {
      answers: true,
      claims: false,
    });
  });

  it('an unclaimed anyone is answered, and claimed, by the first replier other than the asker', () => {
    assert.deepEqual(answerOutcome(q('anyone'), all('carol'), ROOM), { answers: true, claims: true });
    assert.deepEqual(answerOutcome(q('anyone'), all('alice'), ROOM), { answers: false });
  });

  it('a claimed anyone is answered by the claimant only', () => {
    assert.deepEqual(answerOutcome(q('anyone', { claimed_by: 'bob' }), all('bob'), ROOM), {
      answers: true,
      claims: false,
    });
    assert.deepEqual(answerOutcome(q('anyone', { claimed_by: 'bob' }), all('carol'), ROOM), { answers: false });
  });

  it('an anyone narrowed to the only other member is answered by that member', () => {
    const two = ['alice', 'bob'];
    assert.deepEqual(answerOutcome(q('anyone'), all('bob'), two), { answers: true, claims: true });
    // Someone who joined since widens it again: resolved at reply time, the replier counts.
    assert.deepEqual(answerOutcome(q('anyone'), all('dave'), [...two, 'dave']), { answers: true, claims: true });
    assert.deepEqual(answerOutcome(q('anyone'), all('dave'), two), { answers: false });
  });

  it('only the first answer counts, and a message that asks nothing is never answered', () => {
    assert.deepEqual(answerOutcome(q('bob', { answered_by: 'bob' }), all('bob'), ROOM), { answers: false });
    assert.deepEqual(answerOutcome(q('none'), all('bob'), ROOM), { answers: false });
    assert.deepEqual(answerOutcome(q(''), all('bob'), ROOM), { answers: false });
  });

  it('a reply the asker cannot see (a DM to someone else) is not an answer; a DM to the asker is', () => {
    assert.deepEqual(answerOutcome(q('anyone'), { from: 'bob', to: 'carol' }, ROOM), { answers: false });
    assert.deepEqual(answerOutcome(q('anyone'), { from: 'bob', to: 'alice' }, ROOM), { answers: true, claims: true });
  });
});

describe('answerNeedsMembers', () => {
  it('is true only for an unclaimed, unanswered anyone', () => {
    assert.equal(answerNeedsMembers(q('anyone')), true);
    assert.equal(answerNeedsMembers(q('anyone', { claimed_by: 'bob' })), false);
    assert.equal(answerNeedsMembers(q('anyone', { answered_by: 'bob', claimed_by: 'bob' })), false);
    assert.equal(answerNeedsMembers(q('bob')), false);
  });
});
