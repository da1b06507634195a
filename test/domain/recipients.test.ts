import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredMessage } from '../../src/domain/message.js';
import { namesSomebody, nobodyAnswers, unknownRecipients } from '../../src/domain/recipients.js';
import { operatorViews } from '../../src/domain/waiting.js';

const members = ['alice', 'bob'];
const check = (to: string, expects: string, m: string[] = members) =>
  unknownRecipients({ room: 'build', to, expects, members: m });

describe('unknownRecipients', () => {
  it('says nothing for a broadcast, anyone, none or a member', () => {
    assert.deepEqual(check('all', 'none'), []);
    assert.deepEqual(check('all', 'anyone'), []);
    assert.deepEqual(check('bob', 'bob'), []);
    assert.deepEqual(check('all', 'alice'), []);
  });
  it('names a DM recipient that is no member, once, with the members and what happens', () => {
    assert.deepEqual(check('bbo', 'bbo'), [
      {
        warning: 'not_a_member',
        field: 'to',
        name: 'bbo',
        detail:
          'bbo is not in room build (members: alice, bob); the message was stored and waits until an agent of that name joins the room.',
      },
    ]);
  });
  it("names an expects_reply that is no member, such as the typo 'everyone'", () => {
    const [w, ...rest] = check('all', 'everyone');
    assert.deepEqual(rest, []);
    assert.deepEqual([w.warning, w.field, w.name], ['not_a_member', 'expects_reply', 'everyone']);
    assert.match(w.detail, /^expects_reply everyone is not in room build \(members: alice, bob\);.*'anyone'/);
  });
  it('names both fields when they name two strangers', () => {
    assert.deepEqual(
      check('bbo', 'carl').map((w) => [w.field, w.name]),
      [
        ['to', 'bbo'],
        ['expects_reply', 'carl'],
      ],
    );
  });
  it('counts the operator as present in every room', () => {
    assert.deepEqual(check('operator', 'operator'), []);
    assert.deepEqual(check('all', 'operator', []), []);
  });
  it('says when the room has nobody, and cuts a long member list', () => {
    assert.match(check('bbo', 'bbo', [])[0].detail, /\(members: nobody yet\)/);
    const many = Array.from({ length: 25 }, (_, i) => `a${String(i).padStart(2, '0')}`);
    assert.match(check('bbo', 'bbo', many)[0].detail, /a19 and 5 more\)/);
  });
});

describe('reserved names', () => {
  it("warns on expects_reply 'all' (any case), which nobody can answer", () => {
    for (const to of ['all', 'bob']) {
      const ws = check(to, 'all');
      assert.deepEqual(
        ws.map((w) => [w.warning, w.field, w.name]),
        [['reserved_name', 'expects_reply', 'all']],
        to,
      );
      assert.match(ws[0].detail, /reserved word.*nobody will answer.*'anyone'/);
    }
    assert.deepEqual(
      check('all', 'ALL').map((w) => w.warning),
      ['reserved_name'],
    );
    assert.deepEqual(
      check('all', 'Anyone').map((w) => w.warning),
      ['reserved_name'],
    );
  });
  it("gives to 'anyone' and to 'none' their own warning: no agent can ever join under them", () => {
    for (const name of ['anyone', 'none', 'ALL']) {
      const ws = check(name, name === 'anyone' ? 'anyone' : name === 'none' ? 'none' : name);
      assert.deepEqual(
        ws.map((w) => [w.warning, w.field, w.name]),
        [['reserved_name', 'to', name]],
        name,
      );
      assert.doesNotMatch(ws[0].detail, /joins/);
      assert.match(ws[0].detail, /reserved word.*to 'all'/);
    }
  });
});

describe('nobodyAnswers agrees with waits_on', () => {
  const NOW = Date.UTC(2026, 6, 30, 12);
  const room = ['alice', 'bob', 'titus'];
  const names = ['alice', 'bob', 'titus', 'operator', 'bbo', 'everyone', 'all', 'All', 'ALL', 'none', 'Anyone', 'NONE'];
  const question = (expects: string): StoredMessage => ({
    room: 'build',
    seq: 1,
    at: NOW - 60_000,
    from: 'alice',
    to: 'all',
    text: '?',
    expects_reply: expects,
    claimed_by: null,
    reply_to: null,
    answered_by: null,
    answered_at: null,
    claim_expires_at: null,
    claim_lease: null,
    kind: null,
    reason: null,
  });
  for (const name of names) {
    it(`for expects_reply ${name}`, () => {
      const views = operatorViews({
        questions: [question(name)],
        lastSeqBySender: new Map(),
        membersByRoom: new Map([['build', new Set(room)]]),
        operatorsByRoom: new Map([['build', new Set(['titus'])]]),
        closedRooms: new Set(),
        nowMs: NOW,
      });
      const row = views.waiting[0];
      const warned = check('all', name, room).some((w) => w.field === 'expects_reply');
      if (name.toLowerCase() === 'none' && name === 'none') return assert.equal(row, undefined);
      assert.equal(row.waitsOn === 'nobody', warned, `${name}: waits_on ${row.waitsOn}, warned ${warned}`);
      assert.equal(nobodyAnswers(name, new Set(room)), warned);
    });
  }
});

describe('namesSomebody', () => {
  it('is false only for a broadcast expecting none or anyone', () => {
    assert.equal(namesSomebody('all', 'none'), false);
    assert.equal(namesSomebody('all', 'anyone'), false);
    assert.equal(namesSomebody('all', 'bob'), true);
    assert.equal(namesSomebody('bob', 'none'), true);
  });
});
