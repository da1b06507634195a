import { shapeProblem } from '../wire/check.js';
import { PollAnswer } from '../wire/messages.js';
import { type ChannelEvent, type ExitInfo, exitFromPoll, exitFromRefusal, messageEvent } from './events.js';
import { BridgeUnreachable, type RestClient } from './rest.js';
import type { ChannelState, StateFile } from './state.js';

export interface FollowOptions {
  rest: RestClient;
  state: StateFile;
  /** Writes one event to the client; resolves only once it has left this process (stdout flushed). */
  push: (event: ChannelEvent) => Promise<void>;
  /** One line for stderr (never stdout: that is the MCP stream). */
  log: (line: string) => void;
  /** The agent's room, if known before the first poll (for a refusal that comes first). */
  room?: string | null;
  /** The long-poll wait in seconds (default 25). */
  waitSeconds?: number;
  /** The first retry delay and the longest, in ms (default 500 and 30 000). */
  backoffMs?: { first: number; max: number };
  random?: () => number;
}

/** How following ended: the room (or the bridge) said to stop, or `signal` fired. */
export type FollowEnd = { kind: 'exit'; exit: ExitInfo } | { kind: 'stopped' };

/**
 * The follow loop: long-polls GET /messages from the saved cursor and pushes every
 * message as one channel event, saving the cursor after each event has been written.
 * Ends on should_exit or a refused code (after pushing one final event, unless the
 * same closing was already announced by an earlier run), or when `signal` fires.
 * A bridge that does not answer, or answers 429 or 5xx, is retried with exponential
 * backoff and jitter.
 */
export async function follow(o: FollowOptions, signal: AbortSignal): Promise<FollowEnd> {
  const wait = o.waitSeconds ?? 25;
  const { first, max } = o.backoffMs ?? { first: 500, max: 30_000 };
  const random = o.random ?? Math.random;
  const state: ChannelState = o.state.load();
  let failures = 0;
  let room: string | null = o.room ?? null;

  const retry = async (why: string, retryAfter: number | null) => {
    failures++;
    const ceiling = Math.min(max, first * 2 ** (failures - 1));
    const delay = Math.max(Math.round(ceiling / 2 + (random() * ceiling) / 2), (retryAfter ?? 0) * 1000);
    o.log(`${why}; retrying in ${(delay / 1000).toFixed(1)} s (attempt ${failures})`);
    await sleep(delay, signal);
  };

  const finish = async (exit: ExitInfo): Promise<FollowEnd> => {
    if (state.announced === exit.key) {
      o.log(`stopped: ${exit.reason} (already announced to the session)`);
    } else {
      await o.push(exit.event);
      state.announced = exit.key;
      o.state.save(state);
      o.log(`stopped: ${exit.reason}`);
    }
    return { kind: 'exit', exit };
  };

  while (!signal.aborted) {
    let answer: Awaited<ReturnType<RestClient['request']>>;
    try {
      answer = await o.rest.request<PollAnswer>('GET', `/messages?since=${state.cursor}&wait=${wait}`, {
        signal,
        // A poll parks up to `wait` s; past that plus a margin the connection is dead.
        timeoutMs: (wait + 35) * 1000,
      });
    } catch (e) {
      if (signal.aborted) break;
      if (!(e instanceof BridgeUnreachable)) throw e;
      await retry(`the bridge at ${o.rest.url} is not answering (${e.message})`, null);
      continue;
    }
    const a = answer.body as PollAnswer;
    const problem = answer.status === 200 ? shapeProblem(PollAnswer, a) : null;
    if (problem !== null) {
      await retry(
        `the answer from ${o.rest.url} is not a poll answer (${problem}; is ARGYBARGY_URL the bridge?)`,
        null,
      );
      continue;
    }
    if (answer.status === 200) {
      if (failures > 0) o.log(`reconnected to ${o.rest.url}`);
      failures = 0;
      room = a.room.name;
      if (state.announced && !a.should_exit) {
        // The room was reopened (or came back from idle): a later closing is announced again.
        state.announced = null;
        o.state.save(state);
      }
      for (const m of a.messages) {
        if (signal.aborted) return { kind: 'stopped' };
        if (m.seq <= state.cursor) continue;
        await o.push(messageEvent(m, a.room.name));
        // Written: from here on a restart must not push it again.
        state.cursor = m.seq;
        o.state.save(state);
      }
      if (a.cursor > state.cursor) {
        state.cursor = a.cursor;
        o.state.save(state);
      }
      if (a.should_exit) return finish(exitFromPoll(a));
      continue;
    }
    if (answer.status === 401) return finish(exitFromRefusal(answer.body, room));
    const b = answer.body as { error?: string; detail?: string } | string;
    const what =
      typeof b === 'object' && b ? `${b.error ?? 'error'}: ${b.detail ?? ''}`.trim() : String(b).slice(0, 120);
    await retry(`the bridge answered ${answer.status} (${what})`, answer.retryAfter);
  }
  return { kind: 'stopped' };
}

/** Resolves after `ms`, or at once when `signal` fires. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
