import { idleTripsAt, pollBudget } from '../domain/budget.js';
import { type CursorState, handOut, startOf } from '../domain/handout.js';
import { oldestThatFit } from '../domain/page.js';
import { secondsBetween } from '../domain/time.js';
import { errors } from '../errors.js';
import { agentKey } from '../live/live.js';
import type { Waiter } from '../live/wakeups.js';
import type { ReadSnapshot } from '../store/store.js';
import type { Message, PollAnswer, PollBudget, RoomStatus, StreamExit } from '../wire/messages.js';
import type { Agent, ServiceContext } from './context.js';
import { decorate, roomStatus } from './views.js';

/** Most messages one batch carries; the cursor continues from the last one. */
export const PAGE = 1000;

/** What one step of delivery yields; every transport encodes this and nothing else. */
export interface Batch {
  /** Messages delivered to the agent after the previous cursor, oldest first (at most PAGE, and PAGE_TEXT_CHARS of text). */
  messages: Message[];
  /** The highest seq this batch accounts for: continue after it. It never skips a message. */
  cursor: number;
  room: RoomStatus;
  /** The safety valve: whether the agent should leave, and why (`budget.should_exit`, `budget.reason`). */
  budget: PollBudget;
  /** True when the page was full: more messages are waiting right now. */
  more: boolean;
  /** True when the bridge is shutting down: a long-lived transport should finish. */
  shutdown: boolean;
}

/** Where a reader starts and what it keeps. */
export interface ReadOptions {
  /** Start after this seq. Omitted: after the agent's server-side cursor with `handout`, else 0. */
  since?: number;
  /**
   * Keep the agent's server-side cursor, for clients that cannot carry one (MCP):
   * each batch is handed out to request `request` (a requestKey) under the rules of
   * domain/handout.ts, so waits of one agent never share a message and a cancelled
   * request's batch is delivered again.
   */
  handout?: { request: string };
  /** Only looks (change notices): no delivery is counted and the agent's dry stretch goes on. */
  peek?: boolean;
  /**
   * A smaller page than the default (PAGE messages, PAGE_TEXT_CHARS of text), for
   * clients that show a model only the start of a long answer; `more` says the rest waits.
   */
  page?: { messages: number; chars: number };
  /** Ends a parked read early: the client hung up or cancelled. */
  signal?: AbortSignal;
}

/** How long a follower parks before it reads again (and counts the agent present), in ms. */
const FOLLOW_PARK_MS = 25_000;
/**
 * How long a cancelled request is remembered, in ms: long enough for the parked wait
 * it names to wake and look (on any node), or for a wait whose cancel overtook it to
 * start; short, so a flood of cancels holds little.
 */
const CANCEL_TTL_MS = 10_000;
/** How far apart two nodes' clocks may be when a cancel is compared with a wait's start, in ms. */
const CLOCK_SKEW_MS = 2_000;

/**
 * Delivery: the one read → park → wake → budget → exit cycle. The long-poll, the
 * event stream and MCP's wait_for_messages are encoders over a Reader; a new
 * transport opens one too. The only caller of `Store.readSince`, and where a
 * revoked or expired code is noticed while an agent waits.
 */
export class Delivery {
  /** Readers open on this node per agent, for the cap (ARGYBARGY_MAX_PARKED_PER_AGENT). */
  private readonly open_ = new Map<string, number>();

  constructor(private readonly ctx: ServiceContext) {}

  /**
   * Opens a reader for `agent` (see ReadOptions); reads nothing yet. Close it when
   * done. Throws 429 too_many_waits when the agent already has its cap of readers
   * open on this node, and 401 when its code was revoked meanwhile.
   */
  async open(agent: Agent, opts: ReadOptions = {}): Promise<Reader> {
    const key = agentKey(agent.room, agent.name);
    const cap = this.ctx.config.maxParkedPerAgent;
    const n = this.open_.get(key) ?? 0;
    if (cap > 0 && n >= cap) throw errors.tooManyWaits(cap);
    this.open_.set(key, n + 1);
    const release = () => {
      const left = (this.open_.get(key) ?? 1) - 1;
      if (left > 0) this.open_.set(key, left);
      else this.open_.delete(key);
    };
    // Registered before anything is read or checked, so nothing that happens from here is missed.
    const reader = new Reader(this.ctx, agent, opts, release);
    try {
      await reader.checkAccess();
      return reader;
    } catch (e) {
      reader.close();
      throw e;
    }
  }

  /**
   * One long-poll (GET /messages, MCP wait_for_messages): answers at once when a
   * message is waiting, the room is closed or the idle bound is reached; otherwise
   * parks up to `waitSeconds` (capped at ARGYBARGY_MAX_WAIT). Null when the signal
   * aborted the wait (the client is gone; nothing was delivered). Throws 401 when the
   * agent's code is revoked or expires while it waits.
   */
  async poll(
    agent: Agent,
    waitSeconds: number,
    opts: ReadOptions = {},
  ): Promise<(PollAnswer & { more: boolean }) | null> {
    const reader = await this.open(agent, opts);
    try {
      const batch = await reader.next(Math.min(waitSeconds, this.ctx.config.maxWait) * 1000);
      return batch && { ...pollAnswer(batch), more: batch.more };
    } finally {
      reader.close();
    }
  }

  /**
   * What the agent has not received yet through its server-side cursor (the batch
   * its next wait would get), without handing anything out. Throws like `open`.
   */
  async unread(agent: Agent): Promise<Batch> {
    const cursor = await this.ctx.store.readCursor(agent.room, agent.name);
    const reader = await this.open(agent, { since: startOf(cursor), peek: true });
    try {
      // Without a signal and without waiting, next() always answers.
      return (await reader.next(0)) as Batch;
    } finally {
      reader.close();
    }
  }

  /**
   * Change notices: opens a reader (throwing like `open` when it cannot) and gives
   * back a generator of each batch of messages the agent may see as they arrive,
   * starting after its server-side cursor, without handing anything out (the agent
   * fetches them with a wait). It ends when `signal` aborts, the agent should leave
   * or the bridge shuts down, and throws 401 when the code is revoked or expires.
   * Iterate it to the end (or return it): that releases the reader.
   */
  async follow(agent: Agent, signal: AbortSignal): Promise<AsyncGenerator<Batch>> {
    const cursor = await this.ctx.store.readCursor(agent.room, agent.name);
    const reader = await this.open(agent, { since: startOf(cursor), peek: true, signal });
    return (async function* () {
      try {
        for (;;) {
          const batch = await reader.next(FOLLOW_PARK_MS);
          if (!batch) return;
          if (batch.messages.length > 0) yield batch;
          if (batch.budget.should_exit || batch.shutdown) return;
        }
      } finally {
        reader.close();
      }
    })();
  }

  /**
   * Cancels request `request` (a requestKey) of `agent`, on every node: a wait it
   * has parked ends with nothing, and a batch it was handed goes out again with the
   * agent's next read (domain/handout.ts). Used for MCP's notifications/cancelled and
   * for an answer whose connection closed before it was written.
   */
  async cancel(agent: Pick<Agent, 'room' | 'name'>, request: string): Promise<void> {
    const { store, live } = this.ctx;
    await live.cancels.add(agentKey(agent.room, agent.name), request, this.ctx.now(), CANCEL_TTL_MS);
    // Read first: most cancels name a wait that had nothing yet, and need no write.
    const cursor = await store.readCursor(agent.room, agent.name);
    if (cursor.pendingReq === request && !cursor.pendingCancelled) {
      await store.cancelHandout(agent.room, agent.name, request);
    }
    // Parked waits of the agent read their cursor again: one may be the cancelled
    // request, another may have started on top of the batch that now goes out again.
    await live.wakeups.publish({ kind: 'cursor', room: agent.room, name: agent.name });
  }
}

/**
 * One agent reading from a cursor. `next` reads once more whatever happens, so an
 * answer always reflects the store at the moment it is given; in between it parks
 * on a wake-up registered when the reader opened, so a post (or a revocation) that
 * lands while it reads or while its transport writes is never missed, and costs
 * nothing while parked.
 */
export class Reader {
  /** When the agent's current dry stretch began (epoch ms); null until asked again after a delivery. */
  private dryFrom: number | null = null;
  private at: number;
  private readonly waiter: Waiter;
  /** The access epoch at the last check of the code. */
  private checkedAt: number;
  /** When the reader opened (epoch ms): a cancel of its request from before then is another request's. */
  private readonly openedAt: number;
  private stopping = false;
  private closed = false;

  constructor(
    private readonly ctx: ServiceContext,
    readonly agent: Agent,
    private readonly opts: ReadOptions,
    private readonly release: () => void,
  ) {
    this.waiter = ctx.live.wakeups.register(agent.room, agent.name);
    this.checkedAt = agent.checkedAt;
    this.openedAt = ctx.now();
    this.at = opts.since ?? 0;
  }

  /** Where the reader stands: the cursor of the last batch (or where it started). */
  get cursor(): number {
    return this.at;
  }

  /**
   * Checks the agent's code again if a revocation may have happened since it was
   * last checked (or it has expired); throws 401 (accessEnded) when it is gone.
   */
  async checkAccess(force = false): Promise<void> {
    const { agent } = this;
    if (agent.expiresAt !== null && agent.expiresAt <= this.ctx.now()) throw errors.accessEnded('expired');
    const epoch = this.ctx.live.wakeups.accessEpoch();
    if (!force && epoch === this.checkedAt) return;
    const rec = await this.ctx.store.findCodeByHash(agent.codeHash);
    if (!rec || rec.room !== agent.room || rec.name !== agent.name) throw errors.accessEnded('revoked');
    if (rec.expiresAt !== null && rec.expiresAt <= this.ctx.now()) throw errors.accessEnded('expired');
    this.checkedAt = epoch;
  }

  /**
   * The next batch: at once when messages wait, the room is closed or the agent is
   * idle; else after a wake-up brings something, `waitMs` passes (an empty batch),
   * or the idle bound trips. Null when the signal aborted the wait. Throws 401
   * (accessEnded) when the agent's code is revoked or expires meanwhile.
   */
  async next(waitMs: number): Promise<Batch | null> {
    const { store, live, config } = this.ctx;
    const { room, name, expiresAt } = this.agent;
    await this.checkAccess();
    const t0 = this.ctx.now();
    this.dryFrom ??= await live.presence.dryStart(room, name, t0);
    const dryFrom = this.dryFrom;
    const deadline = t0 + Math.max(0, waitMs);
    let lastPass = this.stopping || deadline <= t0;
    let woken = false;
    let ended: 'timeout' | 'shutdown' | null = this.stopping ? 'shutdown' : null;
    for (;;) {
      // A handout reads the agent's cursor on every pass: another wait may have taken
      // a batch meanwhile, or a cancel may have put one back.
      const cursor = this.opts.handout ? await store.readCursor(room, name) : null;
      if (cursor) {
        if (await this.cancelled()) return null;
        this.at = this.opts.since ?? startOf(cursor);
      }
      const snap = await store.readSince(room, name, this.at, this.opts.page?.messages ?? PAGE);
      const now = this.ctx.now();
      const lastPost = snap.room?.lastAt ?? null;
      const budget = pollBudget(
        secondsBetween(dryFrom, now),
        lastPost === null ? null : secondsBetween(lastPost, now),
        config.maxIdleSeconds,
        snap.room?.closed === true,
      );
      // Park until the deadline, but no longer than the moment the idle bound trips
      // or the code expires.
      const until = Math.min(deadline, idleTripsAt(dryFrom, lastPost, config.maxIdleSeconds));
      if (lastPass || snap.messages.length > 0 || budget.should_exit || until <= now) {
        const page = pageOf(snap, this.opts.page?.chars);
        if (cursor) {
          // Lost the race for this batch to another wait of the agent: read again.
          if (!(await this.handOut(cursor, page))) continue;
          // Cancelled while the batch was being handed out: it goes out again later.
          if (page.rows.length > 0 && (this.opts.signal?.aborted || (await this.cancelled()))) {
            await store.cancelHandout(room, name, this.opts.handout?.request ?? '');
            return null;
          }
        }
        return await this.deliver(snap, page, budget, woken, ended);
      }
      // Nothing new: the cursor follows the snapshot while parked too (see pageOf).
      if (!cursor) this.at = snap.lastSeq;
      const outcome = await this.waiter.wait(Math.min(until, expiresAt ?? until) - now, this.opts.signal);
      if (outcome === 'aborted') return null;
      if (outcome === 'access') await this.checkAccess(true);
      else if (expiresAt !== null && expiresAt <= this.ctx.now()) throw errors.accessEnded('expired');
      // An event may not have been for this reader after all (another reader's DM,
      // a reopen): read and park again. A timeout or shutdown reads once more and answers.
      if (outcome === 'event' || outcome === 'access') woken = true;
      else {
        lastPass = true;
        ended = outcome;
        if (outcome === 'shutdown') this.stopping = true;
      }
    }
  }

  /** Withdraws the reader: its wake-up registration and its place under the per-agent cap. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.waiter.cancel();
    this.release();
  }

  /** True when this reader's request was cancelled since it opened (on any node). */
  private async cancelled(): Promise<boolean> {
    const req = this.opts.handout?.request;
    if (req === undefined) return false;
    const at = await this.ctx.live.cancels.when(agentKey(this.agent.room, this.agent.name), req);
    return at !== null && at >= this.openedAt - CLOCK_SKEW_MS;
  }

  /**
   * Hands `page` to this reader's request: a compare-and-set on the agent's cursor
   * as read at the start of the pass. False when another write came first.
   */
  private async handOut(cursor: CursorState, page: Page): Promise<boolean> {
    const req = this.opts.handout?.request ?? '';
    const delivered = page.rows.length > 0;
    const next = handOut(cursor, { from: this.at, to: page.cursor, req, delivered });
    if (next === null) return true;
    const moved = await this.ctx.store.moveCursor(this.agent.room, this.agent.name, cursor.rev, next);
    // An empty batch is right whether or not its cursor was written.
    return moved || !delivered;
  }

  private async deliver(
    snap: ReadSnapshot,
    page: Page,
    budget: PollBudget,
    woken: boolean,
    ended: 'timeout' | 'shutdown' | null,
  ): Promise<Batch> {
    const { room, name } = this.agent;
    const { rows, cursor, truncated } = page;
    let b = budget;
    if (rows.length > 0 && !this.opts.peek) {
      const now = this.ctx.now();
      this.ctx.telemetry.delivered(rows.length);
      if (woken) this.ctx.telemetry.woke(now - rows[rows.length - 1].at);
      // Receiving something ends the agent's dry stretch.
      await this.ctx.live.presence.dryEnd(room, name);
      this.dryFrom = null;
      b = pollBudget(0, b.room_quiet_seconds, this.ctx.config.maxIdleSeconds, snap.room?.closed === true);
    } else if (ended === 'timeout') {
      // A reader still waiting is present, even on a stream opened hours ago.
      await this.ctx.live.presence.touch(room, name, this.ctx.now());
    }
    this.at = cursor;
    return {
      messages: await decorate(this.ctx, room, rows),
      cursor,
      room: roomStatus(room, snap.room),
      budget: b,
      more: truncated,
      shutdown: ended === 'shutdown',
    };
  }
}

/** What one batch carries out of a snapshot. */
interface Page {
  rows: ReadSnapshot['messages'];
  /** The highest seq the batch accounts for. */
  cursor: number;
  /** True when more messages wait right now. */
  truncated: boolean;
}

/**
 * The batch a snapshot yields: at most PAGE_TEXT_CHARS of text (the rest follows in
 * the next one). The cursor follows the snapshot, also downwards: a client that
 * claims a seq beyond the room's newest is brought back to it and receives what
 * comes next.
 */
function pageOf(snap: ReadSnapshot, maxChars?: number): Page {
  const fit = oldestThatFit(snap.messages, maxChars);
  const truncated = snap.truncated || fit < snap.messages.length;
  const rows = snap.messages.slice(0, fit);
  return { rows, cursor: truncated ? rows[rows.length - 1].seq : snap.lastSeq, truncated };
}

/** A batch as the long-poll answer (GET /messages, MCP wait_for_messages). */
function pollAnswer(b: Batch): PollAnswer {
  return {
    messages: b.messages,
    cursor: b.cursor,
    room: b.room,
    room_closed: b.room.status === 'closed',
    should_exit: b.budget.should_exit,
    exit_reason: b.budget.reason,
    poll_budget: b.budget,
  };
}

/** A batch that tells the agent to leave, as the final notice of a stream. */
export function exitNotice(b: Batch): StreamExit {
  return { should_exit: true, exit_reason: b.budget.reason, cursor: b.cursor, room: b.room, poll_budget: b.budget };
}
