import { createHmac, randomBytes } from 'node:crypto';
import type { StoredMessage } from '../domain/message.js';
import { isoSeconds } from '../domain/time.js';
import { deliveredTo } from '../domain/visibility.js';
import { errors } from '../errors.js';
import { agentKey } from '../live/live.js';
import type { WebhookRecord } from '../store/store.js';
import type { RoomStatus, WebhookExit, WebhookNotice, WebhookRemoved, WebhookSet } from '../wire/messages.js';
import type { WebhookListing } from '../wire/operator.js';
import type { Agent, ServiceContext } from './context.js';
import type { Jobs } from './jobs.js';
import type { Outbound } from './outbound.js';

/** When a failed attempt is tried again (ms after it): five attempts for one notice in all. */
const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000];
/** Deliveries in flight at once across every webhook; one webhook has at most one. */
const MAX_IN_FLIGHT = 64;
/** Notices one webhook may have waiting; beyond that the oldest are dropped (the agent reads them by polling). */
export const MAX_QUEUED = 100;
/** The first pause of a webhook whose notice failed every attempt; each further pause doubles, up to an hour (ms). */
const FIRST_PAUSE_MS = 60_000;
const LONGEST_PAUSE_MS = 3_600_000;

/** The signature header value for a body: HMAC-SHA256 of "<timestamp>.<body>" with the agent's secret. */
function sign(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** A notice waiting for its webhook, and the attempts it has had. */
interface Pending {
  body: string;
  attempt: number;
}

/** How one webhook's deliveries fare on this node. */
interface Lane {
  key: string;
  hook: WebhookRecord;
  queue: Pending[];
  /** An attempt is running, or a retry is scheduled. */
  busy: boolean;
  failedAttempts: number;
  /** Pauses in a row; the next pause lasts FIRST_PAUSE_MS × 2^pauses. */
  pauses: number;
  pausedUntil: number | null;
  lastError: string | null;
  lastDelivered: number | null;
}

/**
 * Push-to-wake, pull-to-read: when a message lands, every agent that registered a
 * webhook and may see it gets a small signed POST off the post's own path; when its
 * room closes, an `exit` notice. Each webhook has its own lane: one delivery in
 * flight, at most MAX_QUEUED notices waiting, retries with backoff, and a pause (a
 * minute, doubling up to an hour) when a notice fails every attempt; lanes take
 * turns for the shared MAX_IN_FLIGHT slots, so a slow or dead receiver delays only
 * itself. A webhook speaks for the code that registered it: once that code is
 * revoked or expired, nothing more is sent and the webhook is removed.
 */
export class WebhookNotifier {
  private readonly lanes = new Map<string, Lane>();
  /** Lanes with a notice ready to send, in turn. */
  private readonly ready: string[] = [];
  private inFlight = 0;
  private stopped = false;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly jobs: Jobs,
    private readonly outbound: Outbound,
    private readonly delays: readonly number[] = RETRY_DELAYS_MS,
  ) {}

  /**
   * Registers (or replaces) the agent's webhook; the secret is returned this once.
   * Every attempt counts as a post against the agent's rate limit (429 rate_limited
   * beyond it); throws InvalidInput for a URL that is malformed or reaches a refused address.
   */
  async register(agent: Agent, url: string, includeText: boolean): Promise<WebhookSet> {
    // Counted first, refused URLs included: checking one may cost a DNS lookup.
    const rate = await this.ctx.live.limiter.consume(agent.room, agent.name);
    if (!rate.ok) {
      const { rateMax, rateWindowSeconds } = this.ctx.config;
      throw errors.rateLimited(rateMax, rateWindowSeconds, Math.max(1, Math.ceil(rate.retryAfterMs / 1000)));
    }
    const href = await this.outbound.check(url);
    const before = (await this.ctx.store.webhooksIn(agent.room)).find((h) => h.name === agent.name);
    const secret = randomBytes(32).toString('base64url');
    const hook: WebhookRecord = {
      room: agent.room,
      name: agent.name,
      url: href,
      secret,
      includeText,
      createdAt: this.ctx.now(),
      codeHash: agent.codeHash,
    };
    await this.ctx.store.putWebhook(hook);
    this.drop(agentKey(agent.room, agent.name));
    // Re-registering the same URL (a new secret) is not news for the audit log.
    if (before?.url !== href) {
      await this.ctx.store.audit({
        at: this.ctx.now(),
        action: 'webhook_set',
        actor: agent.name,
        room: agent.room,
        detail: new URL(href).origin,
      });
    }
    return {
      ok: true as const,
      url: href,
      include_text: includeText,
      secret,
      signature:
        'Each notice carries X-Argybargy-Timestamp and X-Argybargy-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" keyed with this secret>.',
    };
  }

  /** Removes the agent's webhook. */
  async unregister(agent: Agent): Promise<WebhookRemoved> {
    const removed = await this.ctx.store.deleteWebhook(agent.room, agent.name);
    this.drop(agentKey(agent.room, agent.name));
    if (removed) {
      await this.ctx.store.audit({
        at: this.ctx.now(),
        action: 'webhook_removed',
        actor: agent.name,
        room: agent.room,
      });
    }
    return { ok: true, removed };
  }

  /** Removes a webhook for the operator (or because its code is gone); true when there was one. */
  async remove(room: string, name: string): Promise<boolean> {
    this.drop(agentKey(room, name));
    return this.ctx.store.deleteWebhook(room, name);
  }

  /** Removes the webhooks registered with any of these codes (revoked): returns them. */
  async removeForCodes(codes: ReadonlyArray<{ room: string; hash: string }>): Promise<WebhookRecord[]> {
    const gone: WebhookRecord[] = [];
    const hashes = new Set(codes.map((c) => c.hash));
    for (const room of new Set(codes.map((c) => c.room))) {
      for (const h of await this.ctx.store.webhooksIn(room)) {
        if (hashes.has(h.codeHash) && (await this.remove(h.room, h.name))) gone.push(h);
      }
    }
    return gone;
  }

  /** Queues a notice for everyone with a webhook who may see `m`; never waits for delivery. */
  async notify(m: StoredMessage): Promise<void> {
    for (const h of await this.ctx.store.webhooksIn(m.room)) {
      if (!deliveredTo(m, h.name)) continue;
      const notice: WebhookNotice = {
        event: 'message',
        room: m.room,
        seq: m.seq,
        from: m.from,
        to: m.to,
        expects_reply: m.expects_reply,
        ts: isoSeconds(m.at),
      };
      if (h.includeText) {
        notice.text = m.text;
        notice.reply_to = m.reply_to;
        notice.answered_by = m.answered_by;
        notice.answered_at = m.answered_at === null ? null : isoSeconds(m.answered_at);
        notice.kind = m.kind;
        notice.reason = m.reason;
      }
      this.enqueue(h, JSON.stringify(notice));
    }
  }

  /** Queues an `exit` notice for every webhook in a room that closed. */
  async notifyClosed(room: RoomStatus): Promise<void> {
    for (const h of await this.ctx.store.webhooksIn(room.name)) {
      const notice: WebhookExit = {
        event: 'exit',
        room: room.name,
        should_exit: true,
        exit_reason: 'room_closed',
        closed_by: room.closed_by,
        closed_at: room.closed_at,
      };
      this.enqueue(h, JSON.stringify(notice));
    }
  }

  /** Every webhook with how its deliveries fare on this node (the operator's view). */
  async list(): Promise<WebhookListing[]> {
    const now = this.ctx.now();
    const out: WebhookListing[] = [];
    for (const h of await this.ctx.store.listWebhooks()) {
      const lane = this.lanes.get(agentKey(h.room, h.name));
      const u = new URL(h.url);
      const paused = lane?.pausedUntil != null && lane.pausedUntil > now;
      out.push({
        room: h.room,
        name: h.name,
        url: `${u.origin}${u.pathname}`,
        include_text: h.includeText,
        created: isoSeconds(h.createdAt),
        active: await this.codeValid(h),
        status: paused ? 'paused' : (lane?.failedAttempts ?? 0) > 0 ? 'failing' : 'ok',
        failed_attempts: lane?.failedAttempts ?? 0,
        paused_until: paused && lane?.pausedUntil != null ? isoSeconds(lane.pausedUntil) : null,
        last_error: lane?.lastError ?? null,
        last_delivered: lane?.lastDelivered != null ? isoSeconds(lane.lastDelivered) : null,
        queued: lane?.queue.length ?? 0,
      });
    }
    return out;
  }

  /** Drops queued notices and pending retries (shutdown). */
  stop(): void {
    this.stopped = true;
    this.lanes.clear();
    this.ready.length = 0;
  }

  private enqueue(hook: WebhookRecord, body: string): void {
    if (this.stopped) return;
    const key = agentKey(hook.room, hook.name);
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = {
        key,
        hook,
        queue: [],
        busy: false,
        failedAttempts: 0,
        pauses: 0,
        pausedUntil: null,
        lastError: null,
        lastDelivered: null,
      };
      this.lanes.set(key, lane);
    }
    lane.hook = hook;
    lane.queue.push({ body, attempt: 0 });
    if (lane.queue.length > MAX_QUEUED) lane.queue.splice(0, lane.queue.length - MAX_QUEUED);
    this.wake(lane);
  }

  /** Puts a lane in line for a slot if it has something to send and may send it now. */
  private wake(lane: Lane): void {
    if (this.stopped || lane.busy || lane.queue.length === 0) return;
    if (lane.pausedUntil !== null && lane.pausedUntil > this.ctx.now()) return;
    if (!this.ready.includes(lane.key)) this.ready.push(lane.key);
    this.pump();
  }

  /** Starts deliveries while slots are free, taking lanes in turn. */
  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.ready.length > 0) {
      const lane = this.lanes.get(this.ready.shift() as string);
      if (!lane || lane.busy || lane.queue.length === 0) continue;
      lane.busy = true;
      this.inFlight++;
      this.attempt(lane)
        // A failure here (the store closing under a shutdown) must not escape: the lane just rests.
        .catch(() => undefined)
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }

  /** One attempt at the lane's oldest notice; afterwards the lane goes back in line, retries later, or pauses. */
  private async attempt(lane: Lane): Promise<void> {
    const next = lane.queue[0];
    const hook = lane.hook;
    if (this.stopped) return;
    if (!(await this.codeValid(hook))) {
      // The code that registered it was revoked or expired: it speaks for nobody now.
      await this.remove(hook.room, hook.name).catch(() => undefined);
      return;
    }
    let error: string | null = null;
    try {
      const timestamp = String(Math.floor(this.ctx.now() / 1000));
      const status = await this.outbound.post(
        hook.url,
        {
          'content-type': 'application/json',
          'user-agent': `argybargy/${this.ctx.version}`,
          'x-argybargy-timestamp': timestamp,
          'x-argybargy-signature': sign(hook.secret, timestamp, next.body),
          'x-argybargy-attempt': String(next.attempt + 1),
        },
        next.body,
      );
      if (status < 200 || status >= 300) error = `answered ${status}`;
    } catch (e) {
      error = (e as Error).message.slice(0, 200) || 'failed';
    }
    if (this.stopped || this.lanes.get(lane.key) !== lane) return;
    if (error === null) {
      lane.queue.shift();
      lane.failedAttempts = 0;
      lane.pauses = 0;
      lane.lastError = null;
      lane.lastDelivered = this.ctx.now();
      lane.busy = false;
      this.wake(lane);
      return;
    }
    lane.failedAttempts++;
    lane.lastError = error;
    if (next.attempt < this.delays.length) {
      next.attempt++;
      this.jobs.after(this.delays[next.attempt - 1], () => {
        lane.busy = false;
        this.wake(lane);
      });
      return;
    }
    // Every attempt failed: drop the notice and give the receiver a rest.
    lane.queue.shift();
    const pause = Math.min(LONGEST_PAUSE_MS, FIRST_PAUSE_MS * 2 ** lane.pauses);
    lane.pauses++;
    lane.pausedUntil = this.ctx.now() + pause;
    this.jobs.after(pause, () => {
      lane.busy = false;
      this.wake(lane);
    });
  }

  /** True while the code that registered the webhook is valid. */
  private async codeValid(h: WebhookRecord): Promise<boolean> {
    const rec = await this.ctx.store.findCodeByHash(h.codeHash);
    return (
      rec !== null &&
      rec.room === h.room &&
      rec.name === h.name &&
      (rec.expiresAt === null || rec.expiresAt > this.ctx.now())
    );
  }

  /** Forgets this node's lane for a webhook (removed or replaced): its queued notices go with it. */
  private drop(key: string): void {
    this.lanes.delete(key);
    const i = this.ready.indexOf(key);
    if (i >= 0) this.ready.splice(i, 1);
  }
}
