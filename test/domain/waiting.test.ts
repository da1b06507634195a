import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredMessage } from '../../src/domain/message.js';
import { isoSeconds } from '../../src/domain/time.js';
import { isOperatorName, operatorViews, type WaitingInput } from '../../src/domain/waiting.js';

const NOW = Date.UTC(2026, 6, 30, 12);

function q(
  seq: number,
  from: string,
  expects: string,
  o: { room?: string; minutesAgo?: number; claimedBy?: string; answeredBy?: string } = {},
): StoredMessage {
  return {
    room: o.room ?? 'build',
    seq,
    at: NOW - (o.minutesAgo ?? 1) * 60_000,
    from,
    to: 'all',
    text: 'ship it?',
    expects_reply: expects,
    claimed_by: o.claimedBy ?? null,
    reply_to: null,
    answered_by: o.answeredBy ?? null,
    answered_at: o.answeredBy ? NOW : null,
    claim_expires_at: null,
    claim_lease: null,
    kind: null,
    reason: null,
  };
}

interface AskOptions {
  last?: Record<string, Record<string, number>>;
  members?: Record<string, string[]>;
  operators?: Record<string, string[]>;
  holders?: Record<string, string[]>;
  closed?: string[];
  limit?: number;
}

const sets = (o: Record<string, string[]> = {}) => new Map(Object.entries(o).map(([r, m]) => [r, new Set(m)]));

function input(questions: StoredMessage[], o: AskOptions): WaitingInput {
  return {
    questions,
    lastSeqBySender: new Map(Object.entries(o.last ?? {}).map(([r, m]) => [r, new Map(Object.entries(m))])),
    membersByRoom: sets(o.members),
    operatorsByRoom: sets(o.operators),
    codeHoldersByRoom: sets(o.holders),
    closedRooms: new Set(o.closed ?? []),
    nowMs: NOW,
  };
}

/** The SPEC's `waiting` view, as rows. */
function ask(questions: StoredMessage[], o: AskOptions = {}) {
  return operatorViews(input(questions, o), o.limit).waiting.map((r) => ({
    seq: r.message.seq,
    room: r.message.room,
    ts: isoSeconds(r.message.at),
    claimed_by: r.message.claimed_by,
    expects_reply_resolved: r.resolved,
    waiting_seconds: r.waitingSeconds,
    waits_on: r.waitsOn,
  }));
}

/** Which seqs each view holds, and whom each waits on. */
function views(questions: StoredMessage[], o: AskOptions = {}) {
  const v = operatorViews(input(questions, o), o.limit);
  const rows = (list: typeof v.waiting) => list.map((r) => `${r.message.seq}:${r.waitsOn}`);
  return { waiting: rows(v.waiting), inbox: rows(v.inbox), asked: rows(v.asked) };
}

describe('openQuestions', () => {
  it('lists a question nobody answered, with its wait and resolved addressee', () => {
    const rows = ask([q(1, 'claude', 'operator')], { members: { build: ['claude', 'operator'] } });
    assert.deepEqual(
      rows.map((r) => r.seq),
      [1],
    );
    assert.equal(rows[0].expects_reply_resolved, 'operator');
    assert.equal(rows[0].waiting_seconds, 60);
    assert.equal(rows[0].room, 'build');
    assert.equal(rows[0].ts, '2026-07-30T11:59:00+00:00');
  });
  it('is answered when the addressed party speaks afterwards', () => {
    assert.deepEqual(ask([q(1, 'claude', 'operator')], { last: { build: { claude: 1, operator: 2 } } }), []);
  });
  it('is not answered by somebody else talking', () => {
    assert.equal(ask([q(1, 'claude', 'operator')], { last: { build: { claude: 1, codex: 9 } } }).length, 1);
  });
  it("is not answered by the asker's own follow-up", () => {
    assert.equal(ask([q(1, 'claude', 'anyone')], { last: { build: { claude: 7 } } }).length, 1);
  });
  it('is not answered by an earlier message', () => {
    assert.equal(ask([q(9, 'claude', 'operator')], { last: { build: { operator: 4 } } }).length, 1);
  });
  it('an open question is answered by anyone but the asker', () => {
    assert.deepEqual(ask([q(1, 'claude', 'anyone')], { last: { build: { claude: 1, codex: 2 } } }), []);
  });
  it('anyone narrows to the only other member, who must answer', () => {
    const members = { build: ['claude', 'operator'] };
    assert.equal(ask([q(1, 'claude', 'anyone')], { members })[0].expects_reply_resolved, 'operator');
    assert.equal(ask([q(1, 'claude', 'anyone')], { members, last: { build: { codex: 5 } } }).length, 1);
    assert.deepEqual(ask([q(1, 'claude', 'anyone')], { members, last: { build: { operator: 5 } } }), []);
  });
  it('skips messages that expect nothing', () => {
    assert.deepEqual(ask([q(1, 'claude', 'none'), q(2, 'claude', '')]), []);
  });
  it('skips closed rooms', () => {
    assert.deepEqual(ask([q(1, 'claude', 'operator')], { closed: ['build'] }), []);
  });
  it('skips a question a reply answered (answered_by), though nobody posted after it otherwise', () => {
    assert.deepEqual(ask([q(1, 'claude', 'codex', { answeredBy: 'codex' })]), []);
    assert.equal(ask([q(1, 'claude', 'codex')]).length, 1);
  });
  it('keeps a claimed but unanswered question, saying who claimed it', () => {
    assert.equal(ask([q(1, 'claude', 'anyone', { claimedBy: 'codex' })])[0].claimed_by, 'codex');
  });
  it("leaves out the operator's own questions", () => {
    assert.deepEqual(ask([q(1, 'operator', 'claude')]), []);
  });
  it('puts the longest wait first and keeps the longest under the limit', () => {
    const rows = ask([
      q(1, 'a', 'operator', { room: 'r1', minutesAgo: 2 }),
      q(2, 'b', 'operator', { room: 'r2', minutesAgo: 40 }),
      q(3, 'c', 'operator', { room: 'r3', minutesAgo: 9 }),
    ]);
    assert.deepEqual(
      rows.map((r) => r.room),
      ['r2', 'r3', 'r1'],
    );
    assert.equal(rows[0].waiting_seconds, 2400);
    const many = Array.from({ length: 7 }, (_, i) =>
      q(i + 1, `a${i}`, 'operator', { room: `r${i + 1}`, minutesAgo: i + 1 }),
    );
    assert.deepEqual(
      ask(many, { limit: 3 }).map((r) => r.room),
      ['r7', 'r6', 'r5'],
    );
    assert.equal(ask(many, { limit: 0 }).length, 7);
  });
  it('is empty for an empty relay', () => assert.deepEqual(ask([]), []));
});

describe('operatorViews', () => {
  const members = { build: ['alice', 'bob', 'titus'] };
  const operators = { build: ['titus'] };

  it("puts a question the operator asked under any operator name in 'asked', waiting on the agent it expects", () => {
    // argybargy post build "…" --to alice --expects alice --as titus
    const asked = { ...q(1, 'titus', 'alice'), to: 'alice' };
    // SPEC's waiting leaves out only what was sent as `operator`, as the original did.
    assert.deepEqual(views([asked], { members, operators }), { waiting: ['1:agent'], inbox: [], asked: ['1:agent'] });
    assert.deepEqual(views([q(2, 'operator', 'bob')], { members }), { waiting: [], inbox: [], asked: ['2:agent'] });
  });
  it('a name is an operator name only in the room where the operator posted under it', () => {
    const elsewhere = q(1, 'titus', 'alice', { room: 'ops' });
    assert.deepEqual(views([elsewhere], { members: { ops: ['titus', 'alice'] }, operators }), {
      waiting: ['1:agent'],
      inbox: [],
      asked: [],
    });
  });
  it("puts an agent's question to any operator name in the inbox", () => {
    const rows = [q(1, 'alice', 'titus'), q(2, 'alice', 'operator'), q(3, 'alice', 'bob')];
    assert.deepEqual(views(rows, { members, operators }), {
      waiting: ['1:operator', '2:operator', '3:agent'],
      inbox: ['1:operator', '2:operator'],
      asked: [],
    });
  });
  it('an agent-to-agent question waits on the agent, not on you', () => {
    assert.deepEqual(views([q(1, 'alice', 'bob')], { members: { build: ['alice', 'bob'] } }).inbox, []);
  });
  it("a question to a name that is no member waits on nobody: an agent's in the inbox, the operator's in asked only", () => {
    const rows = [q(1, 'alice', 'bbo'), q(2, 'alice', 'everyone'), q(3, 'titus', 'bbo'), q(4, 'operator', 'everyone')];
    assert.deepEqual(views(rows, { members, operators }), {
      waiting: ['1:nobody', '2:nobody', '3:nobody'],
      inbox: ['1:nobody', '2:nobody'],
      asked: ['3:nobody', '4:nobody'],
    });
  });
  it('puts every open question in at most one of inbox and asked', () => {
    const names = ['alice', 'bob', 'titus', 'operator', 'bbo', 'anyone', 'all'];
    const rows: StoredMessage[] = [];
    let seq = 0;
    for (const from of ['alice', 'titus', 'operator']) {
      for (const e of names) rows.push(q(++seq, from, e));
      rows.push(q(++seq, from, 'anyone', { claimedBy: 'titus' }));
      rows.push(q(++seq, from, 'anyone', { claimedBy: 'bob' }));
    }
    const v = operatorViews(input(rows, { members, operators }), 0);
    const inbox = new Set(v.inbox.map((r) => r.message.seq));
    for (const r of v.asked) assert.ok(!inbox.has(r.message.seq), `#${r.message.seq} is in both`);
    assert.ok(v.asked.length > 0 && v.inbox.length > 0);
  });
  it("'anyone' waits on you when an operator name is among the other members, or nobody else is there", () => {
    assert.deepEqual(views([q(1, 'alice', 'anyone')], { members, operators }).inbox, ['1:operator']);
    assert.deepEqual(views([q(1, 'alice', 'anyone')], { members: { build: ['alice'] } }).inbox, ['1:operator']);
    // Narrowed to the only other member, the operator:
    assert.deepEqual(views([q(1, 'alice', 'anyone')], { members: { build: ['alice', 'operator'] } }).inbox, [
      '1:operator',
    ]);
  });
  it("'anyone' among agents only waits on them; once claimed, on the claimer", () => {
    const agents = { build: ['alice', 'bob', 'carol'] };
    assert.deepEqual(views([q(1, 'alice', 'anyone')], { members: agents }), {
      waiting: ['1:agent'],
      inbox: [],
      asked: [],
    });
    const claimed = q(2, 'alice', 'anyone', { claimedBy: 'titus' });
    assert.deepEqual(views([claimed], { members: agents, operators }).inbox, ['2:operator']);
    const byBob = q(3, 'alice', 'anyone', { claimedBy: 'bob' });
    assert.deepEqual(views([byBob], { members, operators }).inbox, []);
  });
  it('a name that holds a code in the room is never an operator name, even if the operator posted under it', () => {
    // argybargy post r2 "…" --as al, where al is an agent with a code (live or expired).
    const room = { build: ['al', 'bo', 'alice', 'bob'] };
    const marked = { build: ['al'] };
    const holders = { build: ['al', 'bo', 'alice', 'bob'] };
    const rows = [q(1, 'al', 'anyone'), q(2, 'bob', 'alice'), q(3, 'bo', 'al')];
    assert.deepEqual(views(rows, { members: room, operators: marked, holders }), {
      waiting: ['1:agent', '2:agent', '3:agent'],
      inbox: [],
      asked: [],
    });
    const v = operatorViews(input(rows, { members: room, operators: marked, holders }));
    assert.deepEqual(
      v.waiting.map((r) => r.askedByOperator),
      [false, false, false],
    );
    // The same mark without a code is an operator name.
    assert.deepEqual(views(rows, { members: room, operators: marked }).asked, ['1:agent']);
    // `operator` stays the operator's, whatever holds a code.
    assert.deepEqual(views([q(4, 'alice', 'operator')], { members: room, holders: { build: ['operator'] } }).inbox, [
      '4:operator',
    ]);
  });
  it('isOperatorName: operator always; a posted-under name only while no code holds it', () => {
    assert.equal(isOperatorName('operator', undefined, undefined), true);
    assert.equal(isOperatorName('titus', new Set(['titus']), new Set(['al'])), true);
    assert.equal(isOperatorName('al', new Set(['al']), new Set(['al'])), false);
    assert.equal(isOperatorName('bo', new Set(['al']), undefined), false);
  });
  it("the operator's own 'anyone' waits on the agents", () => {
    assert.deepEqual(views([q(1, 'titus', 'anyone')], { members, operators }).asked, ['1:agent']);
  });
  it('keeps the longest waits of each view under the limit', () => {
    const rows = [
      q(1, 'alice', 'operator', { minutesAgo: 1 }),
      q(2, 'alice', 'operator', { minutesAgo: 5 }),
      q(3, 'titus', 'alice', { minutesAgo: 9 }),
      q(4, 'titus', 'alice', { minutesAgo: 3 }),
    ];
    assert.deepEqual(views(rows, { members, operators, limit: 1 }), {
      waiting: ['3:agent'],
      inbox: ['2:operator'],
      asked: ['3:agent'],
    });
  });
});
