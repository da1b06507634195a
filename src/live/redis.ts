import type { Redis as RedisClient } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { PresenceEntry } from '../domain/roster.js';
import { errors } from '../errors.js';
import type { Live, LiveEvent, RateDecision, Waiter } from './live.js';
import { consumeOne } from './rate.js';
import { WaiterRegistry } from './waiters.js';

/** Options for the cross-node Live. */
export interface RedisLiveOptions {
  url: string;
  prefix: string;
  rateMax: number;
  rateWindowSeconds: number;
}

/** Presence of a room is forgotten a day after anyone in it was last seen. */
const PRESENCE_TTL_SECONDS = 86_400;

function down(): never {
  throw errors.unavailable('Live state (Redis) is unreachable right now. Try again in a moment.');
}

/** Opens the cross-node Live: two connections (commands, and a subscriber for wake-ups). The driver loads only here. */
export async function openRedisLive(opts: RedisLiveOptions): Promise<RedisLive> {
  const { Redis } = await import('ioredis');
  const connect = () =>
    new Redis(opts.url, {
      // Fail fast while disconnected (a 503), reconnect in the background with backoff.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (n) => Math.min(2000, 50 * 2 ** n),
      lazyConnect: true,
    });
  const cmd = connect();
  const sub = connect();
  cmd.on('error', () => undefined);
  sub.on('error', () => undefined);
  try {
    await Promise.all([cmd.connect(), sub.connect()]);
  } catch (e) {
    cmd.disconnect();
    sub.disconnect();
    throw new Error(`Redis at ${new URL(opts.url).host} (ARGYBARGY_REDIS_URL) is unreachable: ${(e as Error).message}`);
  }
  const limiter =
    opts.rateMax > 0
      ? new RateLimiterRedis({
          storeClient: cmd,
          keyPrefix: `${opts.prefix}rate`,
          points: opts.rateMax,
          duration: opts.rateWindowSeconds,
        })
      : null;
  const live = new RedisLive(cmd, sub, opts.prefix, limiter);
  await live.subscribe();
  return live;
}

/**
 * Live shared by every node through Redis: presence and dry spells in hashes, rate
 * limits in the limiter's Redis backend, and every event published on one channel
 * that each node relays to the polls parked on it. After a lost connection comes
 * back, every parked poll re-reads, so nothing published meanwhile is missed.
 */
export class RedisLive implements Live {
  private readonly waiters = new WaiterRegistry();
  private readonly channel: string;
  /** When this node last wrote each agent's presence; busy agents are written at most once a second. */
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly cmd: RedisClient,
    private readonly sub: RedisClient,
    private readonly prefix: string,
    private readonly limiter: RateLimiterRedis | null,
  ) {
    this.channel = `${prefix}events`;
  }

  /** Starts relaying events from the channel to this node's waiters. */
  async subscribe(): Promise<void> {
    this.sub.on('message', (_channel: string, raw: string) => {
      try {
        this.waiters.dispatch(JSON.parse(raw) as LiveEvent);
      } catch {
        // not one of ours
      }
    });
    let lost = false;
    this.sub.on('close', () => {
      lost = true;
    });
    this.sub.on('ready', () => {
      if (lost) {
        lost = false;
        this.waiters.wakeAll();
      }
    });
    await this.sub.subscribe(this.channel);
  }

  private key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  private async run<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (e) {
      if (this.cmd.status !== 'ready') down();
      throw e;
    }
  }

  async touch(room: string, name: string, nowMs: number): Promise<boolean> {
    const local = `${room}\u0000${name}`;
    const last = this.touched.get(local);
    // Seen here within the last second: presence is fresh enough and this is no first sight.
    if (last !== undefined && nowMs - last >= 0 && nowMs - last < 1000) return false;
    this.touched.set(local, nowMs);
    const k = this.key('presence', room);
    const res = await this.run(
      this.cmd
        .multi()
        .hset(k, name, String(nowMs))
        .expire(k, PRESENCE_TTL_SECONDS)
        .sadd(this.key('presence-rooms'), room)
        .exec(),
    );
    return Number(res?.[0]?.[1] ?? 0) === 1;
  }

  async presence(room?: string): Promise<PresenceEntry[]> {
    const rooms = room === undefined ? await this.run(this.cmd.smembers(this.key('presence-rooms'))) : [room];
    const out: PresenceEntry[] = [];
    for (const rm of rooms) {
      const h = await this.run(this.cmd.hgetall(this.key('presence', rm)));
      for (const [name, ts] of Object.entries(h)) out.push({ room: rm, name, lastSeen: Number(ts) });
    }
    return out;
  }

  consume(key: string): Promise<RateDecision> {
    return this.run(consumeOne(this.limiter, key));
  }

  async refund(key: string): Promise<void> {
    await this.run(this.limiter ? this.limiter.reward(key) : Promise.resolve(null));
  }

  async dryStart(room: string, name: string, nowMs: number): Promise<number> {
    const field = `${room}\u0000${name}`;
    const res = await this.run(
      this.cmd.multi().hsetnx(this.key('dry'), field, String(nowMs)).hget(this.key('dry'), field).exec(),
    );
    return Number(res?.[1]?.[1] ?? nowMs);
  }

  async dryEnd(room: string, name: string): Promise<void> {
    await this.run(this.cmd.hdel(this.key('dry'), `${room}\u0000${name}`));
  }

  register(room: string, name: string | null): Waiter {
    return this.waiters.register(room, name);
  }

  async publish(event: LiveEvent): Promise<void> {
    await this.run(this.cmd.multi().incr(this.key('version')).publish(this.channel, JSON.stringify(event)).exec());
  }

  async version(): Promise<number> {
    return Number((await this.run(this.cmd.get(this.key('version')))) ?? 0);
  }

  parkedCount(): number {
    return this.waiters.count();
  }

  shutdown(): void {
    this.waiters.shutdown();
  }

  /** True when Redis answers (for readiness checks). */
  async ping(): Promise<boolean> {
    try {
      return (await this.cmd.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.shutdown();
    this.sub.disconnect();
    this.cmd.disconnect();
  }
}
