import { idleTripsAt, pollBudget } from '../domain/budget.js';
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
  /** Start after this seq. Omitted: after the agent's server-side cursor with `serverCursor`, else 0. */
  since?: number;
  /** Keep the agent's server-side cursor (for clients that cannot carry one): start there, move it after each batch. */
  serverCursor?: boolean;
  /** Ends a parked read early: the client hung up or cancelled. */
  signal?: AbortSignal;
}

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
    const reader = new Reader(this.ctx, agent, opts.signal, release);
    try {
      await reader.checkAccess();
      const keep = opts.serverCursor === true;
      const since = opts.since ?? (keep ? await this.ctx.store.getCursor(agent.room, agent.name) : 0);
      reader.start(since, keep);
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
  async poll(agent: Agent, waitSeconds: number, opts: ReadOptions = {}): Promise<PollAnswer | null> {
    const reader = await this.open(agent, opts);
    try {
      const batch = await reader.next(Math.min(waitSeconds, this.ctx.config.maxWait) * 1000);
      return batch && pollAnswer(batch);
    } finally {
      reader.close();
    }
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
  /** The server-side cursor as last stored. */
  private saved = 0;
  private keep = false;
  private at = 0;
  private readonly waiter: Waiter;
  /** The access epoch at the last check of the code. */
  private checkedAt: number;
  private stopping = false;
  private closed = false;

  constructor(
    private readonly ctx: ServiceContext,
    readonly agent: Agent,
    private readonly signal: AbortSignal | undefined,
    private readonly release: () => void,
  ) {
    this.waiter = ctx.live.wakeups.register(agent.room, agent.name);
    this.checkedAt = agent.checkedAt;
  }

  /** Sets where reading starts; `keep` moves the agent's server-side cursor after each batch. */
  start(since: number, keep: boolean): void {
    this.at = since;
    this.saved = since;
    this.keep = keep;
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
      const snap = await store.readSince(room, name, this.at, PAGE);
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
        return await this.deliver(snap, budget, woken, ended);
      }
      // Nothing new: the cursor follows the snapshot while parked too (see deliver).
      this.at = snap.lastSeq;
      const outcome = await this.waiter.wait(Math.min(until, expiresAt ?? until) - now, this.signal);
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

  private async deliver(
    snap: ReadSnapshot,
    budget: PollBudget,
    woken: boolean,
    ended: 'timeout' | 'shutdown' | null,
  ): Promise<Batch> {
    const { room, name } = this.agent;
    // A page carries at most PAGE_TEXT_CHARS of text; the rest follows in the next one.
    const fit = oldestThatFit(snap.messages);
    const truncated = snap.truncated || fit < snap.messages.length;
    const rows = snap.messages.slice(0, fit);
    // The cursor follows the snapshot, also downwards: a client that claims a seq
    // beyond the room's newest is brought back to it and receives what comes next.
    const cursor = truncated ? rows[rows.length - 1].seq : snap.lastSeq;
    let b = budget;
    if (rows.length > 0) {
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
    if (this.keep && cursor !== this.saved) {
      await this.ctx.store.setCursor(room, name, cursor);
      this.saved = cursor;
    }
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
