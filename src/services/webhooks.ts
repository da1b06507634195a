import { createHmac, randomBytes } from 'node:crypto';
import { InvalidInput } from '../domain/errors.js';
import type { StoredMessage } from '../domain/message.js';
import { isoSeconds } from '../domain/time.js';
import { deliveredTo } from '../domain/visibility.js';
import type { WebhookRecord } from '../store/store.js';
import type { WebhookNotice, WebhookRemoved, WebhookSet } from '../wire/messages.js';
import type { Agent, ServiceContext } from './context.js';
import type { Jobs } from './jobs.js';

/** When a failed delivery is tried again (ms after the previous attempt): five attempts in all. */
const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000];
/** How long one delivery attempt may take. */
const DELIVERY_TIMEOUT_MS = 5000;
/** Deliveries in flight at once; more wait their turn. */
const MAX_IN_FLIGHT = 64;

/** The signature header value for a body: HMAC-SHA256 of "<timestamp>.<body>" with the agent's secret. */
function sign(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Checks a webhook URL: absolute http(s), no credentials, not too long; throws InvalidInput. */
function checkWebhookUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new InvalidInput('url', 'url must be an absolute http:// or https:// URL.');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new InvalidInput('url', 'url must use http or https.');
  if (u.username || u.password) throw new InvalidInput('url', 'url must not carry a username or password.');
  if (raw.length > 2000) throw new InvalidInput('url', 'url is longer than 2000 characters.');
  return u.href;
}

/**
 * Push-to-wake, pull-to-read: when a message lands, every agent that registered a
 * webhook and may see it gets a small signed POST, off the post's own path, retried
 * with exponential backoff. The agent then reads with GET /messages.
 */
export class WebhookNotifier {
  private inFlight = 0;
  private readonly queue: Array<() => void> = [];
  private stopped = false;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly jobs: Jobs,
    private readonly delays: readonly number[] = RETRY_DELAYS_MS,
  ) {}

  /** Registers (or replaces) the agent's webhook; the secret is returned this once. */
  async register(agent: Agent, url: string, includeText: boolean): Promise<WebhookSet> {
    const href = checkWebhookUrl(url);
    const secret = randomBytes(32).toString('base64url');
    await this.ctx.store.putWebhook({
      room: agent.room,
      name: agent.name,
      url: href,
      secret,
      includeText,
      createdAt: this.ctx.now(),
    });
    await this.ctx.store.audit({
      at: this.ctx.now(),
      action: 'webhook_set',
      actor: agent.name,
      room: agent.room,
      detail: new URL(href).origin,
    });
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
    if (removed)
      await this.ctx.store.audit({
        at: this.ctx.now(),
        action: 'webhook_removed',
        actor: agent.name,
        room: agent.room,
      });
    return { ok: true, removed };
  }

  /** Queues a notice for everyone with a webhook who may see `m`; never waits for delivery. */
  async notify(m: StoredMessage): Promise<void> {
    const hooks = await this.ctx.store.webhooksIn(m.room);
    for (const h of hooks) {
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
      if (h.includeText) notice.text = m.text;
      this.enqueue(() => this.deliver(h, JSON.stringify(notice), 0));
    }
  }

  /** Drops queued and pending retries (shutdown). */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
  }

  private enqueue(job: () => Promise<void>): void {
    if (this.stopped) return;
    const run = () => {
      this.inFlight++;
      job().finally(() => {
        this.inFlight--;
        this.queue.shift()?.();
      });
    };
    if (this.inFlight < MAX_IN_FLIGHT) run();
    else this.queue.push(run);
  }

  private async deliver(h: WebhookRecord, body: string, attempt: number): Promise<void> {
    if (this.stopped) return;
    const timestamp = String(Math.floor(this.ctx.now() / 1000));
    let ok = false;
    try {
      const res = await fetch(h.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': `argybargy/${this.ctx.version}`,
          'x-argybargy-timestamp': timestamp,
          'x-argybargy-signature': sign(h.secret, timestamp, body),
          'x-argybargy-attempt': String(attempt + 1),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await res.arrayBuffer().catch(() => undefined);
      ok = res.status >= 200 && res.status < 300;
    } catch {
      ok = false;
    }
    if (ok || attempt >= this.delays.length || this.stopped) return;
    this.jobs.after(this.delays[attempt], () => this.enqueue(() => this.deliver(h, body, attempt + 1)));
  }
}
