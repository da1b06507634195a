import type { BridgeContext } from './context.js';
import { type PollBudget, pollBudget } from './domain/budget.js';
import { ANYONE, BROADCAST, defaultExpects, resolveExpects } from './domain/expects.js';
import { type StoredMessage, toWire, type WireMessage } from './domain/message.js';
import { checkName, checkText } from './domain/names.js';
import { type PeerRow, peerRows } from './domain/roster.js';
import { isoSeconds, secondsBetween } from './domain/time.js';
import { type ApiError, errors } from './errors.js';
import type { Waiter } from './live/live.js';
import { codeFromAuthorization, hashCode } from './secrets.js';
import type { RoomRecord } from './store/store.js';
import { WebhookNotifier } from './webhooks.js';

/** The caller of an agent endpoint, resolved from its code. */
export interface Agent {
  name: string;
  room: string;
  capabilities: string;
}

/** A room's lifecycle as agents see it. */
export interface RoomStatus {
  name: string;
  status: 'open' | 'closed';
  closed_at: string | null;
  closed_by: string | null;
}

/** The answer to GET /messages (SPEC §4). */
export interface PollAnswer {
  messages: WireMessage[];
  cursor: number;
  room: RoomStatus;
  room_closed: boolean;
  should_exit: boolean;
  exit_reason: PollBudget['reason'];
  poll_budget: PollBudget;
}

export interface PostInput {
  to?: string | null;
  text: string;
  expects_reply?: string | null;
}

export interface ClaimAnswer {
  won: boolean;
  claimed_by: string;
  seq: number;
}

/** Most messages one poll answer carries; the cursor continues from the last one. */
export const POLL_PAGE = 1000;

/** The room status of a room record (a missing room is open). */
export function roomStatus(name: string, r: RoomRecord | null): RoomStatus {
  if (!r?.closed) return { name, status: 'open', closed_at: null, closed_by: null };
  return {
    name,
    status: 'closed',
    closed_at: r.closedAt === null ? null : isoSeconds(r.closedAt),
    closed_by: r.closedBy,
  };
}

/** The agent-facing service: authentication, posting, the long-poll, claims and history. */
export class Bridge {
  /** Push-to-wake notices for agents that registered a webhook. */
  readonly webhooks: WebhookNotifier;

  constructor(private readonly ctx: BridgeContext) {
    this.webhooks = new WebhookNotifier(ctx);
  }

  /** Resolves an Authorization header to an agent and marks it present; throws 401. */
  async authenticate(header: string | undefined): Promise<Agent> {
    const code = codeFromAuthorization(header);
    if (!code || code.length > 512) {
      this.ctx.telemetry.authFailed('agent');
      throw errors.agentUnauthorized();
    }
    const rec = await this.ctx.store.findCodeByHash(hashCode(code));
    const now = this.ctx.now();
    if (!rec || (rec.expiresAt !== null && rec.expiresAt <= now)) {
      this.ctx.telemetry.authFailed('agent');
      throw errors.agentUnauthorized();
    }
    const agent = { name: rec.name, room: rec.room, capabilities: rec.capabilities };
    if (await this.ctx.live.touch(agent.room, agent.name, now)) {
      await this.ctx.store.audit({
        at: now,
        action: 'connect',
        actor: agent.name,
        room: agent.room,
        detail: agent.capabilities,
      });
    }
    return agent;
  }

  /** Who the caller is. */
  whoami(agent: Agent): Agent {
    return { name: agent.name, room: agent.room, capabilities: agent.capabilities };
  }

  /** Live presence in the caller's room, with capabilities from the codes. */
  async peers(agent: Agent): Promise<{ room: string; peers: PeerRow[] }> {
    const [presence, codes] = await Promise.all([this.ctx.live.presence(agent.room), this.ctx.store.listCodes()]);
    const caps = new Map<string, string>();
    for (const c of codes) if (c.room === agent.room && c.capabilities) caps.set(c.name, c.capabilities);
    return { room: agent.room, peers: peerRows(presence, caps, this.ctx.now(), this.ctx.config.onlineWindow) };
  }

  /** Posts a message as the agent, applying the posting rules of SPEC §3 in order. */
  async post(agent: Agent, input: PostInput): Promise<WireMessage> {
    const { config, store, live } = this.ctx;
    const text = checkText(input.text, config.maxText);
    const to = input.to == null || input.to.trim() === '' ? BROADCAST : checkName('to', input.to);
    const expects = defaultExpects(to, input.expects_reply == null ? null : input.expects_reply);
    if (expects !== defaultExpects(to, null)) checkName('expects_reply', expects);

    // Closed is checked before the limiter so a refused post costs no rate slot.
    const before = await store.getRoom(agent.room);
    if (before?.closed) throw this.closedError(agent.room, before);
    const key = `${agent.room}\u0000${agent.name}`;
    const rate = await live.consume(key);
    if (!rate.ok) {
      this.ctx.telemetry.rateLimited();
      throw errors.rateLimited(
        config.rateMax,
        config.rateWindowSeconds,
        Math.max(1, Math.ceil(rate.retryAfterMs / 1000)),
      );
    }
    const res = await store.append({
      room: agent.room,
      from: agent.name,
      to,
      text,
      expectsReply: expects,
      at: this.ctx.now(),
      requireOpen: true,
      maxRooms: config.maxRooms,
      maxPerRoom: config.maxMessagesPerRoom,
    });
    if (!res.ok) {
      await live.refund(key);
      if (res.reason === 'room_closed') throw this.closedError(agent.room, res.room);
      throw errors.roomQuota(config.maxRooms);
    }
    this.ctx.telemetry.posted('agent');
    await this.announce(res.message);
    return (await this.decorate(agent.room, [res.message]))[0];
  }

  /**
   * The long-poll. Answers at once when a visible message has seq > since, the room
   * is closed or the idle bound is reached; otherwise parks (no work while parked)
   * until one of those happens, `wait` runs out, or the client hangs up (null).
   */
  async poll(agent: Agent, since: number, waitSeconds: number, signal?: AbortSignal): Promise<PollAnswer | null> {
    const { config, store, live } = this.ctx;
    const t0 = this.ctx.now();
    const dryFrom = await live.dryStart(agent.room, agent.name, t0);
    const deadline = t0 + Math.min(waitSeconds, config.maxWait) * 1000;
    let waiter: Waiter | null = null;
    // The last pass reads once more and answers, whatever it finds.
    let lastPass = deadline <= t0;
    let woken = false;
    try {
      for (;;) {
        if (!lastPass) waiter = live.register(agent.room, agent.name);
        const snap = await store.readSince(agent.room, agent.name, since, POLL_PAGE);
        const now = this.ctx.now();
        const closed = snap.room?.closed === true;
        const budget = pollBudget(
          secondsBetween(dryFrom, now),
          snap.room?.lastAt == null ? null : secondsBetween(snap.room.lastAt, now),
          config.maxIdleSeconds,
          closed,
        );
        // Park until the deadline, but no longer than the moment the idle bound trips.
        let until = deadline;
        if (config.maxIdleSeconds > 0) {
          const idleFrom = Math.min(dryFrom, snap.room?.lastAt ?? Number.POSITIVE_INFINITY);
          until = Math.min(until, idleFrom + config.maxIdleSeconds * 1000 + 1);
        }
        if (waiter === null || snap.messages.length > 0 || budget.should_exit || until <= now) {
          const cursor = snap.truncated ? snap.messages[snap.messages.length - 1].seq : snap.lastSeq;
          if (woken && snap.messages.length > 0)
            this.ctx.telemetry.woke(now - snap.messages[snap.messages.length - 1].at);
          return await this.answer(agent, snap.messages, cursor, snap.room, budget);
        }
        const outcome = await waiter.wait(until - now, signal);
        waiter.cancel();
        waiter = null;
        if (outcome === 'aborted') return null;
        woken = outcome === 'event';
        // An event may not have been for this reader after all (another reader's
        // DM, a reopen): read and park again. A timeout or shutdown answers.
        if (outcome !== 'event') lastPass = true;
      }
    } finally {
      waiter?.cancel();
    }
  }

  /** Claims a message so only one agent answers it: first caller wins. */
  async claim(agent: Agent, seq: number): Promise<ClaimAnswer> {
    const res = await this.ctx.store.claim(agent.room, seq, agent.name);
    if (!res.found) throw errors.noSuchMessage(seq);
    if (res.won) {
      await this.ctx.live.publish({ kind: 'change', room: agent.room });
      await this.ctx.store.audit({
        at: this.ctx.now(),
        action: 'claim',
        actor: agent.name,
        room: agent.room,
        detail: `seq=${seq}`,
      });
    }
    return { won: res.won, claimed_by: res.claimedBy, seq };
  }

  /** The newest `limit` messages the agent may see, oldest first (DMs between others hidden). */
  async history(agent: Agent, limit: number) {
    const { store, config } = this.ctx;
    const n = Math.min(limit, config.maxHistory);
    const [rows, room] = await Promise.all([store.history(agent.room, agent.name, n), store.getRoom(agent.room)]);
    return {
      room: agent.room,
      messages: await this.decorate(agent.room, rows),
      room_status: roomStatus(agent.room, room),
    };
  }

  /** Adds expects_reply_resolved to messages of one room, reading membership only when needed. */
  async decorate(room: string, rows: StoredMessage[], withRoom = false): Promise<WireMessage[]> {
    let members: Set<string> | null = null;
    if (rows.some((m) => m.expects_reply === ANYONE)) members = await this.ctx.store.members(room, this.ctx.now());
    return rows.map((m) =>
      toWire(m, members ? resolveExpects(m.expects_reply, m.from, members) : m.expects_reply, withRoom),
    );
  }

  /**
   * Wakes the polls a new message concerns, on every node, and queues webhook notices.
   * The message is already committed: if the wake-up cannot be sent, the post still
   * succeeds (a retry would duplicate it) and parked polls find the message when the
   * live state reconnects or their wait ends.
   */
  async announce(m: StoredMessage): Promise<void> {
    await this.ctx.live
      .publish({ kind: 'message', room: m.room, seq: m.seq, from: m.from, to: m.to })
      .catch(() => undefined);
    // Off the post's path: a slow or dead receiver never delays the answer.
    this.webhooks.notify(m).catch(() => undefined);
  }

  private closedError(room: string, r: RoomRecord): ApiError {
    const s = roomStatus(room, r);
    return errors.roomClosed(room, s.closed_by, s.closed_at);
  }

  private async answer(
    agent: Agent,
    rows: StoredMessage[],
    cursor: number,
    room: RoomRecord | null,
    budget: PollBudget,
  ): Promise<PollAnswer> {
    let b = budget;
    if (rows.length > 0) {
      this.ctx.telemetry.delivered(rows.length);
      // Receiving something ends the agent's dry stretch.
      await this.ctx.live.dryEnd(agent.room, agent.name);
      b = pollBudget(0, b.room_quiet_seconds, this.ctx.config.maxIdleSeconds, room?.closed === true);
    }
    const status = roomStatus(agent.room, room);
    return {
      messages: await this.decorate(agent.room, rows),
      cursor,
      room: status,
      room_closed: status.status === 'closed',
      should_exit: b.should_exit,
      exit_reason: b.reason,
      poll_budget: b,
    };
  }
}
