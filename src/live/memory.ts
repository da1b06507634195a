import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { PresenceEntry } from '../domain/roster.js';
import {
  concerns,
  EVERYWHERE,
  type Live,
  type LiveEvent,
  type RateDecision,
  type Waiter,
  type WaitOutcome,
} from './live.js';

/** Options for the in-memory Live. */
export interface MemoryLiveOptions {
  rateMax: number;
  rateWindowSeconds: number;
}

const key2 = (room: string, name: string) => `${room}\u0000${name}`;

class MemoryWaiter implements Waiter {
  private latched: WaitOutcome | null = null;
  private settle: ((o: WaitOutcome) => void) | null = null;
  private cancelled = false;

  constructor(
    readonly name: string | null,
    private readonly detach: (w: MemoryWaiter) => void,
  ) {}

  /** Delivers an outcome now, or latches it for the next wait(). */
  fire(outcome: WaitOutcome): void {
    if (this.settle) {
      const s = this.settle;
      this.settle = null;
      s(outcome);
    } else if (this.latched === null || outcome === 'shutdown') {
      this.latched = outcome;
    }
  }

  wait(timeoutMs: number, signal?: AbortSignal): Promise<WaitOutcome> {
    if (this.latched !== null) {
      const l = this.latched;
      this.latched = null;
      return Promise.resolve(l);
    }
    if (this.cancelled) return Promise.resolve('aborted');
    if (signal?.aborted) return Promise.resolve('aborted');
    return new Promise<WaitOutcome>((resolve) => {
      const timer = setTimeout(() => finish('timeout'), Math.max(0, timeoutMs));
      const onAbort = () => finish('aborted');
      const finish = (o: WaitOutcome) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.settle = null;
        resolve(o);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.settle = finish;
    });
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.detach(this);
    this.fire('aborted');
  }
}

/** Live for a single process: plain maps, no I/O. */
export class MemoryLive implements Live {
  private readonly seen = new Map<string, Map<string, number>>();
  private readonly dry = new Map<string, number>();
  private readonly rooms = new Map<string, Set<MemoryWaiter>>();
  private readonly limiter: RateLimiterMemory | null;
  private parked = 0;
  private stopped = false;
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

  async consume(key: string): Promise<RateDecision> {
    if (!this.limiter) return { ok: true };
    try {
      await this.limiter.consume(key);
      return { ok: true };
    } catch (e) {
      if (e instanceof RateLimiterRes) {
        // Only accepted posts count: give back the point the refusal just took.
        await this.limiter.reward(key);
        return { ok: false, retryAfterMs: e.msBeforeNext };
      }
      throw e;
    }
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
    const w = new MemoryWaiter(name, (x) => {
      const set = this.rooms.get(room);
      if (set?.delete(x)) {
        this.parked--;
        if (set.size === 0) this.rooms.delete(room);
      }
    });
    if (this.stopped) {
      w.fire('shutdown');
      return w;
    }
    let set = this.rooms.get(room);
    if (!set) {
      set = new Set();
      this.rooms.set(room, set);
    }
    set.add(w);
    this.parked++;
    return w;
  }

  async publish(event: LiveEvent): Promise<void> {
    this.dispatch(event);
  }

  async version(): Promise<number> {
    return this.changes;
  }

  /** Wakes the local waiters an event concerns, and those watching everywhere. */
  dispatch(event: LiveEvent): void {
    this.changes++;
    const set = event.room === undefined ? undefined : this.rooms.get(event.room);
    if (set) for (const w of set) if (concerns(event, w.name)) w.fire('event');
    const all = this.rooms.get(EVERYWHERE);
    if (all) for (const w of all) w.fire('event');
  }

  parkedCount(): number {
    return this.parked;
  }

  shutdown(): void {
    this.stopped = true;
    for (const set of this.rooms.values()) for (const w of set) w.fire('shutdown');
  }

  async close(): Promise<void> {
    this.shutdown();
  }
}
