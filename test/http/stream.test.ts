import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { post, sleep, startBridge } from '../helpers.js';

interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
}

/** Opens an SSE stream and collects its events (comments counted apart) until closed. */
function openStream(url: string, code: string, headers: Record<string, string> = {}) {
  const events: SseEvent[] = [];
  let comments = 0;
  let ended = false;
  let status = 0;
  let res: IncomingMessage | null = null;
  const u = new URL(url);
  const req = httpRequest({
    host: u.hostname,
    port: u.port,
    path: u.pathname + u.search,
    headers: { authorization: `Bearer ${code}`, ...headers },
  });
  const opened = new Promise<void>((resolve) => {
    req.on('response', (r) => {
      res = r;
      status = r.statusCode ?? 0;
      let buf = '';
      r.setEncoding('utf8');
      r.on('data', (chunk: string) => {
        buf += chunk;
        let i = buf.indexOf('\n\n');
        while (i >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev: SseEvent = {};
          let isComment = true;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            isComment = false;
            const [k, ...rest] = line.split(':');
            const v = rest.join(':').replace(/^ /, '');
            if (k === 'id' || k === 'event' || k === 'data') ev[k] = v;
          }
          if (isComment) comments++;
          else if (ev.event || ev.data) events.push(ev);
          i = buf.indexOf('\n\n');
        }
      });
      r.on('end', () => {
        ended = true;
      });
      resolve();
    });
    req.on('error', () => resolve());
  });
  req.end();
  return {
    opened,
    events,
    get comments() {
      return comments;
    },
    get ended() {
      return ended;
    },
    get status() {
      return status;
    },
    headers: () => res?.headers,
    close: () => req.destroy(),
  };
}

async function until(cond: () => boolean, ms = 3000) {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await sleep(10);
  }
}

describe('GET /messages/stream', () => {
  it('streams live, resumes exactly with Last-Event-ID, then goes live again; close ends it', async (t) => {
    const b = await startBridge(t);
    const me = await b.invite('listener', 'sse');
    const other = await b.invite('talker', 'sse');
    const s1 = openStream(`${b.url}/messages/stream`, me);
    await s1.opened;
    assert.equal(s1.status, 200);
    assert.match(String(s1.headers()?.['content-type']), /text\/event-stream/);
    await post(b, other, 'live one');
    await post(b, other, 'for someone else', { to: 'nobody' });
    await until(() => s1.events.length === 1);
    const first = JSON.parse(s1.events[0].data ?? '{}');
    assert.equal(first.text, 'live one');
    assert.equal(s1.events[0].id, String(first.seq));
    assert.equal(s1.events[0].event, 'message');
    s1.close();

    for (const text of ['missed a', 'missed b', 'missed c']) await post(b, other, text);
    const s2 = openStream(`${b.url}/messages/stream`, me, { 'last-event-id': s1.events[0].id ?? '0' });
    await s2.opened;
    await until(() => s2.events.length === 3);
    assert.deepEqual(
      s2.events.map((e) => JSON.parse(e.data ?? '{}').text),
      ['missed a', 'missed b', 'missed c'],
    );
    await post(b, other, 'live again');
    await until(() => s2.events.length === 4);
    assert.equal(JSON.parse(s2.events[3].data ?? '{}').text, 'live again');

    await b.call('POST', '/admin/rooms/sse/close', { admin: true, body: { by: 'titus' } });
    await until(() => s2.ended);
    const exit = s2.events.at(-1);
    assert.equal(exit?.event, 'exit');
    const body = JSON.parse(exit?.data ?? '{}');
    assert.deepEqual([body.should_exit, body.exit_reason, body.room.closed_by], [true, 'room_closed', 'titus']);
  });

  it('replays from ?since=, sends heartbeat comments, and refuses a bad Last-Event-ID or no code', async (t) => {
    const b = await startBridge(t);
    const me = await b.invite('me', 'hb');
    const other = await b.invite('other', 'hb');
    await post(b, other, 'old one');
    await post(b, other, 'old two');
    const s = openStream(`${b.url}/messages/stream?since=1`, me);
    await s.opened;
    await until(() => s.events.length === 1);
    assert.equal(JSON.parse(s.events[0].data ?? '{}').text, 'old two');
    s.close();
    const bad = await b.call('GET', '/messages/stream', { code: me, headers: { 'last-event-id': 'yesterday' } });
    assert.equal(bad.status, 400);
    assert.equal((await b.call('GET', '/messages/stream')).status, 401);
  });

  it('brings a Last-Event-ID beyond the newest seq back to the room, so the next message still arrives', async (t) => {
    const b = await startBridge(t);
    const me = await b.invite('me', 'ahead');
    const other = await b.invite('other', 'ahead');
    for (const text of ['one', 'two', 'three']) await post(b, other, text);
    const s = openStream(`${b.url}/messages/stream`, me, { 'last-event-id': '100' });
    await s.opened;
    await sleep(100);
    assert.equal(s.events.length, 0, 'nothing up to the newest seq is replayed');
    const four = await post(b, other, 'four');
    assert.equal(four.body.message.seq, 4);
    await until(() => s.events.length === 1);
    assert.deepEqual([s.events[0].id, JSON.parse(s.events[0].data ?? '{}').text], ['4', 'four']);
    s.close();
    // The long-poll keeps the same rule: a cursor from the future answers with the room's newest seq.
    const poll = await b.call('GET', '/messages?since=100', { code: me });
    assert.equal(poll.body.cursor, 4);
  });

  it('keeps a quiet stream alive with comments', async (t) => {
    const b = await startBridge(t);
    const me = await b.invite('me', 'quiet');
    const { streamEvents } = await import('../../src/transports/sse.js');
    const chunks: string[] = [];
    const ac = new AbortController();
    const agent = await b.running.bridge.authenticate(`Bearer ${me}`, '127.0.0.1', '/messages/stream');
    const reader = await b.running.delivery.open(agent, { since: 0, signal: ac.signal });
    const done = streamEvents(
      reader,
      { signal: ac.signal, write: async (c) => void chunks.push(c), end: () => undefined },
      50,
    );
    await sleep(180);
    ac.abort();
    await done;
    assert.ok(chunks.filter((c) => c === ': keepalive\n\n').length >= 2, JSON.stringify(chunks));
  });
});
