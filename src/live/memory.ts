import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { PresenceEntry } from '../domain/roster.js';
import type { Live, LiveEvent, RateDecision, Waiter } from './live.js';
import { consumeOne } from './rate.js';
import { WaiterRegistry } from './waiters.js';

/** Options for the in-memory Live. */
export interface MemoryLiveOptions {
  rateMax: number;
  rateWindowSeconds: number;
}

const key2 = (room: string, name: string) => `${room}\u0000${name}`;

/** Live for a single process: plain maps, no I/O. */
export class MemoryLive implements Live {
  private readonly seen = new Map<string, Map<string, number>>();
  private readonly dry = new Map<string, number>();
  private readonly waiters = new WaiterRegistry();
  private readonly limiter: RateLimiterMemory | null;
  private changes = 0;

  constructor(opts: MemoryLiveOptions) {
    this.limiter =
      opts.rateMax > 0 ? new RateLimiterMemory({ points: opts.rateMax, duration: opts.rateWindowSeconds }) : null;
  }

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

  async presence(room?: string): Promise<PresenceEntry[]> {
    const out: PresenceEntry[] = [];
    const rooms = room === undefined ? [...this.seen.keys()] : [room];
    for (const rm of rooms) {
      for (const [name, lastSeen] of this.seen.get(rm) ?? []) out.push({ room: rm, name, lastSeen });
    }
    return out;
  }

  consume(key: string): Promise<RateDecision> {
    return consumeOne(this.limiter, key);
  }

  async refund(key: string): Promise<void> {
    await this.limiter?.reward(key);
  }

  async dryStart(room: string, name: string, nowMs: number): Promise<number> {
    const k = key2(room, name);
    const started = this.dry.get(k);
    if (started !== undefined) return started;
    this.dry.set(k, nowMs);
    return nowMs;
  }

  async dryEnd(room: string, name: string): Promise<void> {
    this.dry.delete(key2(room, name));
  }

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

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.shutdown();
  }
}
