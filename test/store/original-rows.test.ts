import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hashCode } from '../../src/secrets.js';
import {
  type AdoptedMessage,
  adoptAudit,
  adoptCode,
  adoptMessage,
  OriginalDataError,
  type OriginalMessageRow,
  type OriginalRoomRow,
  OriginalTally,
} from '../../src/store/original-rows.js';
import type { CodeRow } from '../../src/store/rows.js';

/** Our room rows from the original's three sources, as the adoption tallies them row by row. */
function deriveRooms(
  codes: readonly CodeRow[],
  messages: readonly AdoptedMessage[],
  statuses: readonly OriginalRoomRow[],
  nowMs: number,
) {
  const tally = new OriginalTally(nowMs);
  for (const c of codes) tally.code(c);
  for (const m of messages) tally.message(m);
  for (const r of statuses) tally.status(r);
  return tally.roomRows();
}

/** Our members rows from the adopted messages, as the adoption tallies them. */
function deriveMembers(messages: readonly AdoptedMessage[]) {
  const tally = new OriginalTally(0);
  for (const m of messages) tally.message(m);
  return tally.memberRows();
}

const T = (s: string) => Date.parse(s);
const PLAIN = '30wcYnzQ5bTtM8sFnOi8xqOf3iPuX6Hg';
const code = (over: Record<string, unknown> = {}) => ({
  code: PLAIN,
  display: PLAIN,
  name: 'alice',
  room: 'build',
  capabilities: 'plans the work',
  created: '2026-11-29T17:16:30+00:00',
  expires: null,
  ...over,
});
const msg = (room: string, seq: number, sender: string, ts: string, over: Partial<OriginalMessageRow> = {}) => ({
  id: seq,
  room,
  seq,
  ts,
  sender,
  recipient: 'all',
  text: `${room} ${seq}`,
  expects_reply: 'none',
  claimed_by: null,
  ...over,
});

describe('adoptCode', () => {
  test('a plain code is hashed as ours are, keeps its plaintext and shows itself', () => {
    assert.deepEqual(adoptCode(code(), hashCode), {
      hash: hashCode(PLAIN),
      plain: PLAIN,
      display: PLAIN,
      name: 'alice',
      room: 'build',
      capabilities: 'plans the work',
      created_at: T('2026-11-29T17:16:30Z'),
      expires_at: null,
    });
  });
  test('a hashed code (ARGYBARGY_HASH_CODES=1) keeps its hash and mask, with no plaintext', () => {
    const hash = hashCode('Mgz0BY_rO6F0G9M8Efz1-vjQajGTNV5I');
    const r = adoptCode(code({ code: hash, display: 'Mgz0BY…NV5I', expires: '2026-12-29T17:16:31+00:00' }), hashCode);
    assert.equal(r.hash, hash);
    assert.equal(r.plain, null);
    assert.equal(r.display, 'Mgz0BY…NV5I');
    assert.equal(r.expires_at, T('2026-12-29T17:16:31Z'));
  });
  test('a plain code that happens to look like hex is still plain when it shows itself', () => {
    const hexish = 'a'.repeat(64);
    const r = adoptCode(code({ code: hexish, display: hexish }), hashCode);
    assert.equal(r.hash, hashCode(hexish));
    assert.equal(r.plain, hexish);
  });
  test('a bad time names the holder, never the code', () => {
    assert.throws(
      () => adoptCode(code({ created: 'last tuesday' }), hashCode),
      (e: Error) =>
        e instanceof OriginalDataError && /alice in room build/.test(e.message) && !e.message.includes(PLAIN),
    );
  });
});

describe('adoptMessage and adoptAudit', () => {
  test('a message keeps id, room, seq and claim; its time becomes ms', () => {
    assert.deepEqual(
      adoptMessage(
        msg('build', 1, 'alice', '2026-11-29T17:16:32+00:00', { id: 9, claimed_by: 'bob', expects_reply: 'anyone' }),
      ),
      {
        id: 9,
        room: 'build',
        seq: 1,
        at: T('2026-11-29T17:16:32Z'),
        sender: 'alice',
        recipient: 'all',
        text: 'build 1',
        expects_reply: 'anyone',
        claimed_by: 'bob',
        reply_to: null,
        answered_by: null,
        answered_at: null,
        claim_expires_at: null,
        claim_lease: null,
        kind: null,
        reason: null,
      },
    );
  });
  test("Python's datetime.min (year 0001) stays year 0001, not 1901", () => {
    const m = adoptMessage(msg('build', 1, 'alice', '0001-01-01T00:00:00'));
    assert.equal(new Date(m.at).toISOString(), '0001-01-01T00:00:00.000Z');
  });
  test('audit rows get the retention class our migration gives them', () => {
    const row = (action: string, actor: string | null = null) => ({
      id: 3,
      ts: '2026-11-29T17:16:32+00:00',
      action,
      actor,
      room: null,
      detail: null,
    });
    assert.equal(adoptAudit(row('claim', 'bob')).class, 'agent');
    assert.equal(adoptAudit(row('connect')).class, 'agent');
    assert.equal(adoptAudit(row('admin_auth_failed')).class, 'auth');
    assert.equal(adoptAudit(row('room_close', 'titus')).class, 'operator');
    assert.deepEqual(adoptAudit(row('revoke')), {
      id: 3,
      at: T('2026-11-29T17:16:32Z'),
      action: 'revoke',
      actor: '',
      room: '',
      detail: '',
      class: 'operator',
    });
  });
});

describe('deriveRooms and deriveMembers', () => {
  const messages = [
    msg('build', 1, 'alice', '2026-11-29T17:16:32+00:00'),
    msg('build', 2, 'bob', '2026-11-29T17:16:33+00:00'),
    msg('build', 3, 'alice', '2026-11-29T17:16:34+00:00'),
    msg('ops', 7, 'carol', '2026-11-29T17:20:00+00:00'),
  ].map(adoptMessage);
  const codes = [code(), code({ name: 'dora', room: 'quiet', created: '2026-11-29T17:00:00+00:00' })].map((c) =>
    adoptCode(c, hashCode),
  );
  const NOW = T('2026-12-04T00:00:00Z');

  test('counters continue from the highest seq; closed rooms stay closed; every source names rooms', () => {
    const rooms = deriveRooms(
      codes,
      messages,
      [{ room: 'quiet', status: 'closed', closed_at: '2026-11-29T17:30:00+00:00', closed_by: 'titus' }],
      NOW,
    );
    const by = Object.fromEntries(rooms.map((r) => [r.name, r]));
    assert.deepEqual(Object.keys(by).sort(), ['build', 'ops', 'quiet']);
    assert.deepEqual(by.build, {
      name: 'build',
      closed: 0,
      closed_at: null,
      closed_by: null,
      created_at: T('2026-11-29T17:16:30Z'),
      last_seq: 3,
      last_at: T('2026-11-29T17:16:34Z'),
      message_count: 3,
    });
    // Retention had removed ops #1..#6: the counter still continues at 8.
    assert.equal(by.ops.last_seq, 7);
    assert.equal(by.ops.message_count, 1);
    assert.deepEqual(by.quiet, {
      name: 'quiet',
      closed: 1,
      closed_at: T('2026-11-29T17:30:00Z'),
      closed_by: 'titus',
      created_at: T('2026-11-29T17:00:00Z'),
      last_seq: 0,
      last_at: null,
      message_count: 0,
    });
  });
  test('a reopened room is open; a status row alone makes a room; an unknown status is refused', () => {
    const [r] = deriveRooms([], [], [{ room: 'x', status: 'open', closed_at: null, closed_by: null }], NOW);
    assert.equal(r.closed, 0);
    assert.equal(r.created_at, NOW);
    assert.throws(
      () => deriveRooms([], [], [{ room: 'x', status: 'archived', closed_at: null, closed_by: null }], NOW),
      OriginalDataError,
    );
  });
  test('members: each sender once per room, with its newest seq and time', () => {
    assert.deepEqual(
      deriveMembers(messages).sort((a, b) => `${a.room}${a.name}`.localeCompare(`${b.room}${b.name}`)),
      [
        { room: 'build', name: 'alice', last_seq: 3, last_at: T('2026-11-29T17:16:34Z') },
        { room: 'build', name: 'bob', last_seq: 2, last_at: T('2026-11-29T17:16:33Z') },
        { room: 'ops', name: 'carol', last_seq: 7, last_at: T('2026-11-29T17:20:00Z') },
      ],
    );
  });
});
