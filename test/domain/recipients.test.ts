import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { namesSomebody, unknownRecipients } from '../../src/domain/recipients.js';

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

describe('namesSomebody', () => {
  it('is false only for a broadcast expecting none or anyone', () => {
    assert.equal(namesSomebody('all', 'none'), false);
    assert.equal(namesSomebody('all', 'anyone'), false);
    assert.equal(namesSomebody('all', 'bob'), true);
    assert.equal(namesSomebody('bob', 'none'), true);
  });
});
