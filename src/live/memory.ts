import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { PresenceEntry } from '../domain/roster.js';
import type { Cancels } from './cancels.js';
import type { Limiter, LimiterOptions, RateDecision } from './limiter.js';
import { agentKey, type Live } from './live.js';
import type { Presence } from './presence.js';
import { consumeOne, countFailure, type FailureCounters } from './rate.js';
import type { Tickets } from './tickets.js';
import { WaiterRegistry } from './waiters.js';
import type { LiveEvent, Waiter, Wakeups } from './wakeups.js';

/** Options for the in-memory Live. */
export type MemoryLiveOptions = LimiterOptions;

/** Presence and dry spells in plain maps. */
class MemoryPresence implements Presence {
  private readonly seen = new Map<string, Map<string, number>>();
  private readonly dry = new Map<string, number>();

  async touch(room: string, name: string, nowMs: number): Promise<boolean> {
    let r = this.seen.get(room);
    if (!r) {
      r = new Map();
      this.seen.set(room, r);
    }
    const first = !r.has(name);
    r.set(name, nowMs);
    return first;
  }

  async list(room?: string): Promise<PresenceEntry[]> {
    const out: PresenceEntry[] = [];
    const rooms = room === undefined ? [...this.seen.keys()] : [room];
    for (const rm of rooms) {
      for (const [name, lastSeen] of this.seen.get(rm) ?? []) out.push({ room: rm, name, lastSeen });
    }
    return out;
  }

  async dryStart(room: string, name: string, nowMs: number): Promise<number> {
    const k = agentKey(room, name);
    const started = this.dry.get(k);
    if (started !== undefined) return started;
    this.dry.set(k, nowMs);
    return nowMs;
  }

  async dryEnd(room: string, name: string): Promise<void> {
    this.dry.delete(agentKey(room, name));
  }
}

/** The limits in this process (rate-limiter-flexible's memory backend); 0 = no limit. */
class MemoryLimiter implements Limiter {
  private readonly limiter: RateLimiterMemory | null;
  private readonly failures: FailureCounters | null;

  constructor(opts: MemoryLiveOptions) {
    this.limiter =
      opts.rateMax > 0 ? new RateLimiterMemory({ points: opts.rateMax, duration: opts.rateWindowSeconds }) : null;
    const max = opts.authFailuresPerMinute;
    this.failures =
      max > 0
        ? {
            failures: new RateLimiterMemory({ points: max, duration: 60 }),
            holds: new RateLimiterMemory({ points: 1_000_000, duration: 86_400 }),
            max,
          }
        : null;
  }

  authFailure(address: string): Promise<RateDecision> {
    return countFailure(this.failures, address);
  }

  consume(room: string, name: string): Promise<RateDecision> {
    return consumeOne(this.limiter, agentKey(room, name));
  }

  async refund(room: string, name: string): Promise<void> {
    await this.limiter?.reward(agentKey(room, name));
  }
}

/** Wake-ups within one process: an event goes straight to the waiters parked here. */
class MemoryWakeups implements Wakeups {
  private readonly waiters = new WaiterRegistry();
  private changes = 0;

  register(room: string, name: string | null): Waiter {
    return this.waiters.register(room, name);
  }

  async publish(event: LiveEvent): Promise<void> {
    this.changes++;
    this.waiters.dispatch(event);
  }

  async version(): Promise<number> {
    return this.changes;
  }

  parkedCount(): number {
    return this.waiters.count();
  }

  shutdown(): void {
    this.waiters.shutdown();
  }

  accessEpoch(): number {
    return this.waiters.accessEpoch();
  }

  recheckAll(): void {
    this.waiters.wakeAll();
  }
}

/** Tickets in a map, each dropped when redeemed or found expired. */
class MemoryTickets implements Tickets {
  private readonly kept = new Map<string, { value: string; until: number }>();

  async issue(ticketHash: string, value: string, ttlMs: number): Promise<void> {
    const now = Date.now();
    // Expired tickets nobody redeemed are swept as new ones come in.
    for (const [k, t] of this.kept) if (t.until <= now) this.kept.delete(k);
    this.kept.set(ticketHash, { value, until: now + ttlMs });
  }

  async redeem(ticketHash: string): Promise<string | null> {
    const t = this.kept.get(ticketHash);
    this.kept.delete(ticketHash);
    return t && t.until > Date.now() ? t.value : null;
  }
}

/** Cancelled requests in a map, swept of expired ones as new ones come in. */
class MemoryCancels implements Cancels {
  private readonly kept = new Map<string, { at: number; until: number }>();

  async add(key: string, req: string, atMs: number, ttlMs: number): Promise<void> {
    const now = Date.now();
    for (const [k, c] of this.kept) if (c.until <= now) this.kept.delete(k);
    this.kept.set(agentKey(key, req), { at: atMs, until: now + ttlMs });
  }

  async when(key: string, req: string): Promise<number | null> {
    const c = this.kept.get(agentKey(key, req));
    return c && c.until > Date.now() ? c.at : null;
  }
}

/** Live for a single process: plain maps, no I/O. */
export function memoryLive(opts: MemoryLiveOptions): Live {
  const wakeups = new MemoryWakeups();
  return {
    presence: new MemoryPresence(),
    limiter: new MemoryLimiter(opts),
    wakeups,
    tickets: new MemoryTickets(),
    cancels: new MemoryCancels(),
    ping: async () => true,
    close: async () => wakeups.shutdown(),
  };
}
