import { randomBytes } from 'node:crypto';
import { checkReplyTo } from '../domain/answers.js';
import { BROADCAST, defaultExpects } from '../domain/expects.js';
import { checkClaimLease } from '../domain/leases.js';
import { checkName, checkText } from '../domain/names.js';
import { newestThatFit, oldestThatFit } from '../domain/page.js';
import { peerRows } from '../domain/roster.js';
import { isoSeconds } from '../domain/time.js';
import { type ApiError, errors, unexpandedVariable } from '../errors.js';
import { codeFromAuthorization, hashCode } from '../secrets.js';
import type { RoomRecord } from '../store/store.js';
import type {
  ClaimAnswer,
  HistoryAnswer,
  PeersAnswer,
  PostAnswer,
  ReleaseAnswer,
  ThreadAnswer,
  Whoami,
} from '../wire/messages.js';
import { announce } from './announce.js';
import type { AuthGuard } from './auth-guard.js';
import type { Agent, ServiceContext } from './context.js';
import type { Leases } from './leases.js';
import { decorate, postAnswer, roomStatus } from './views.js';
import type { WebhookNotifier } from './webhooks.js';

/** How long a stream ticket may wait to be used (ms). */
export const TICKET_TTL_MS = 30_000;

/** The most messages one thread answer carries (GET /messages/{seq}/thread, the MCP thread tool); a longer thread says truncated. */
export const THREAD_LIMIT = 500;

/** What an agent posts (POST /messages, the MCP send tool). */
export interface PostInput {
  to?: string | null;
  text: string;
  expects_reply?: string | null;
  /** The seq of a message of the agent's room it may see, that this one replies to. */
  reply_to?: number | null;
  /** Seconds a claim on this question holds (0: for good); absent: ARGYBARGY_CLAIM_LEASE_SECONDS. */
  claim_lease?: number | null;
}

/**
 * The agent-facing service: authentication, presence, posting, claims and history.
 * Reading new messages is the delivery service's job (delivery.ts).
 */
export class Bridge {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly webhooks: WebhookNotifier,
    private readonly guard: AuthGuard,
    private readonly leases: Leases,
  ) {}

  /**
   * Resolves an Authorization header to an agent and marks it present. Throws 401
   * (unauthorized), or 429 (auth_throttled) when `address` has failed too often.
   * `path` names the endpoint for the audit log. A refused token that is a variable
   * reference the client never expanded (`${ARGYBARGY_CODE}`) gets a 401 that says so
   * (see unexpandedVariable); it is counted and audited like any wrong code.
   */
  async authenticate(header: string | undefined, address: string, path: string): Promise<Agent> {
    const checkedAt = this.ctx.live.wakeups.accessEpoch();
    const code = codeFromAuthorization(header);
    if (!code) throw await this.guard.failed('agent', address, path, true);
    return this.admit(code.length > 512 ? null : hashCode(code), checkedAt, address, path, unexpandedVariable(code));
  }

  /**
   * Resolves a stream ticket (see issueTicket) to its agent, using it up. Throws
   * like authenticate; an unknown, used or expired ticket counts as a failed sign-in.
   */
  async authenticateTicket(ticket: string, address: string, path: string): Promise<Agent> {
    const checkedAt = this.ctx.live.wakeups.accessEpoch();
    const hash = ticket.length > 128 ? null : await this.ctx.live.tickets.redeem(hashCode(ticket));
    return this.admit(hash, checkedAt, address, path);
  }

  /**
   * A single-use ticket that stands for the agent's code for TICKET_TTL_MS, for a
   * client that cannot send a header (a browser's EventSource: `GET
   * /messages/stream?ticket=…`), so the code itself never goes in a URL.
   */
  async issueTicket(agent: Agent): Promise<{ ticket: string; expires_in: number }> {
    const ticket = randomBytes(32).toString('base64url');
    await this.ctx.live.tickets.issue(hashCode(ticket), agent.codeHash, TICKET_TTL_MS);
    return { ticket, expires_in: TICKET_TTL_MS / 1000 };
  }

  /**
   * The agent of a code hash, marked present; 401 (counted) for none, 401 with `reason`
   * for an expired code. `unexpanded`: what unexpandedVariable said of the presented
   * token, for the detail of a plain 401 (a 429 stays as it is).
   */
  private async admit(
    hash: string | null,
    checkedAt: number,
    address: string,
    path: string,
    unexpanded: string | null = null,
  ): Promise<Agent> {
    const rec = hash === null ? null : await this.ctx.store.findCodeByHash(hash);
    const now = this.ctx.now();
    if (!rec) {
      const refused = await this.guard.failed('agent', address, path, false);
      throw unexpanded && refused.code === 'unauthorized' ? errors.agentUnauthorized(true, unexpanded) : refused;
    }
    if (rec.expiresAt !== null && rec.expiresAt <= now) {
      // A real code that ran out guesses nothing: it is told so, not held back.
      this.ctx.telemetry.authFailed('agent');
      throw errors.accessEnded('expired');
    }
    const agent: Agent = {
      name: rec.name,
      room: rec.room,
      capabilities: rec.capabilities,
      codeHash: rec.hash,
      expiresAt: rec.expiresAt,
      checkedAt,
    };
    if (await this.ctx.live.presence.touch(agent.room, agent.name, now)) {
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
  whoami(agent: Agent): Whoami {
    return { name: agent.name, room: agent.room, capabilities: agent.capabilities };
  }

  /** Live presence in the caller's room, with capabilities from the codes. */
  async peers(agent: Agent): Promise<PeersAnswer> {
    const [presence, codes] = await Promise.all([this.ctx.live.presence.list(agent.room), this.ctx.store.listCodes()]);
    const caps = new Map<string, string>();
    for (const c of codes) if (c.room === agent.room && c.capabilities) caps.set(c.name, c.capabilities);
    return { room: agent.room, peers: peerRows(presence, caps, this.ctx.now(), this.ctx.config.onlineWindow) };
  }

  /**
   * Posts a message as the agent, applying the posting rules in order: a closed room
   * is 409 room_closed (costing no rate slot), over the limit is 429 rate_limited, a
   * new room beyond ARGYBARGY_MAX_ROOMS is 403 room_quota. A `to` or `expects_reply`
   * naming no member is accepted, with `warnings` saying so.
   */
  async post(agent: Agent, input: PostInput): Promise<PostAnswer> {
    const { config, store, live } = this.ctx;
    const text = checkText(input.text, config.maxText);
    const to = input.to == null || input.to.trim() === '' ? BROADCAST : checkName('to', input.to);
    const expects = defaultExpects(to, input.expects_reply == null ? null : input.expects_reply);
    if (expects !== defaultExpects(to, null)) checkName('expects_reply', expects);
    const replyTo = checkReplyTo(input.reply_to);
    const claimLease = checkClaimLease(input.claim_lease);

    // Closed is checked before the limiter so a refused post costs no rate slot.
    const before = await store.getRoom(agent.room);
    if (before?.closed) throw closedError(agent.room, before);
    const rate = await live.limiter.consume(agent.room, agent.name);
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
      replyTo,
      claimLease,
    });
    if (!res.ok) {
      await live.limiter.refund(agent.room, agent.name);
      if (res.reason === 'room_closed') throw closedError(agent.room, res.room);
      if (res.reason === 'bad_reply_to') throw errors.badReplyTo(replyTo ?? 0);
      throw errors.roomQuota(config.maxRooms);
    }
    this.ctx.telemetry.posted('agent');
    await announce(this.ctx, this.webhooks, res.message);
    return postAnswer(this.ctx, res.message);
  }

  /**
   * Claims a message so only one agent answers it: first caller wins; the holder
   * claiming again renews its lease (domain/leases.ts) and is answered as every later
   * caller is (won: false, claimed_by: itself, renewed: true); a seq the agent cannot see is
   * 404. A lapsed lease is reopened first (its notice announced), so the claim that
   * finds it can win.
   */
  async claim(agent: Agent, seq: number): Promise<ClaimAnswer> {
    const now = this.ctx.now();
    const res = await this.ctx.store.claim(agent.room, seq, agent.name, {
      nowMs: now,
      defaultSeconds: this.ctx.config.claimLeaseSeconds,
      maxPerRoom: this.ctx.config.maxMessagesPerRoom,
    });
    if (!res.found) throw errors.noSuchMessage(seq);
    if (res.reopened) await this.leases.announce([res.reopened]);
    const lease = res.leaseExpiresAt === null ? null : isoSeconds(res.leaseExpiresAt);
    if (res.won && res.renewed) {
      // The holder claimed again: its lease runs anew, and the answer stays the
      // original's (409, claimed_by: you), so agents written for it see what they knew.
      await this.ctx.live.wakeups.publish({ kind: 'change', room: agent.room });
      return { won: false, claimed_by: agent.name, seq, answered_by: null, lease_expires_at: lease, renewed: true };
    }
    if (res.won) {
      await this.ctx.live.wakeups.publish({ kind: 'change', room: agent.room });
      await this.ctx.store.audit({
        at: now,
        action: 'claim',
        actor: agent.name,
        room: agent.room,
        detail: `seq=${seq}`,
      });
    }
    // A win keeps the original's answer, plus lease_expires_at; a loss also says who answered (null: nobody yet).
    if (res.won) return { won: true, claimed_by: res.claimedBy, seq, lease_expires_at: lease };
    return { won: false, claimed_by: res.claimedBy, seq, answered_by: res.answeredBy, lease_expires_at: lease };
  }

  /**
   * Lets go of the agent's claim on `seq`: the question opens again and the room is
   * told (a claim_reopened notice, reason 'released'). 404 for a seq the agent cannot
   * see, 403 not_claim_holder when someone else holds it, 409 not_claimed when nobody
   * does (never claimed, released, reopened, or answered).
   */
  async release(agent: Agent, seq: number): Promise<ReleaseAnswer> {
    const { config } = this.ctx;
    const res = await this.ctx.store.releaseClaim(
      agent.room,
      seq,
      agent.name,
      this.ctx.now(),
      config.maxMessagesPerRoom,
    );
    if (!res.found) throw errors.noSuchMessage(seq);
    if (!res.released) {
      if (res.claimedBy !== null && res.answeredBy === null) throw errors.notClaimHolder(seq, res.claimedBy);
      throw errors.notClaimed(seq, res.answeredBy);
    }
    await this.leases.announce([res.reopened]);
    await this.ctx.store.audit({
      at: res.reopened.notice.at,
      action: 'claim_released',
      actor: agent.name,
      room: agent.room,
      detail: `seq=${seq}`,
    });
    return { released: true, seq, notice_seq: res.reopened.notice.seq };
  }

  /**
   * The thread of message `seq` as the agent sees it: its root question (reply_to
   * walked up) and every reply to it, transitively, oldest first; at most
   * THREAD_LIMIT messages and one page of text (then truncated). A seq the agent
   * cannot see is 404.
   */
  async thread(agent: Agent, seq: number): Promise<ThreadAnswer> {
    const t = await this.ctx.store.thread(agent.room, agent.name, seq, THREAD_LIMIT);
    if (!t) throw errors.noSuchMessage(seq);
    const fit = oldestThatFit(t.messages);
    const [root, ...rest] = await decorate(this.ctx, agent.room, t.messages.slice(0, fit));
    return { room: agent.room, root, messages: [root, ...rest], truncated: t.truncated || fit < t.messages.length };
  }

  /**
   * The newest `limit` messages the agent may see (capped at ARGYBARGY_MAX_HISTORY,
   * and at PAGE_TEXT_CHARS of text in all), oldest first.
   */
  async history(agent: Agent, limit: number): Promise<HistoryAnswer> {
    const { store, config } = this.ctx;
    const n = Math.min(limit, config.maxHistory);
    const [all, room] = await Promise.all([store.history(agent.room, agent.name, n), store.getRoom(agent.room)]);
    // The newest that fit in one page of text.
    const rows = all.slice(all.length - newestThatFit(all));
    return {
      room: agent.room,
      messages: await decorate(this.ctx, agent.room, rows),
      room_status: roomStatus(agent.room, room),
    };
  }
}

/** The 409 for posting into a closed room, naming who closed it and when. */
function closedError(room: string, r: RoomRecord): ApiError {
  const s = roomStatus(room, r);
  return errors.roomClosed(room, s.closed_by, s.closed_at);
}
