import { clientKey } from '../domain/addresses.js';
import { type ApiError, errors } from '../errors.js';
import type { ServiceContext } from './context.js';
import type { Jobs } from './jobs.js';

/** How often counted failures are written to the audit log (ms). */
export const SUMMARY_EVERY_MS = 60_000;
/** Failures written one by one per summary window, across all addresses; the rest are counted. */
export const IMMEDIATE_PER_WINDOW = 20;
/** Addresses named one by one in a window's summary; beyond that, one row sums them up. */
const NAMED_PER_SUMMARY = 20;

type Kind = 'agent' | 'admin';

interface Tally {
  kind: Kind;
  address: string;
  /** Failures not yet written. */
  count: number;
  paths: Set<string>;
}

/**
 * What failed sign-ins cost, and what they leave behind. Each failure counts
 * against its client address in live state (shared by every node): past
 * ARGYBARGY_AUTH_FAILURES a minute the address is held back (429 with Retry-After,
 * a minute at first, doubling with each hold in a day, up to an hour). A valid code
 * or token still gets in from a held address, so agents sharing an address with an
 * attacker (a NAT, a tunnel) keep working.
 *
 * The audit log gets counted summaries, never a row per attempt: the first failure
 * of an address in a window is written at once (up to IMMEDIATE_PER_WINDOW a
 * window), the rest are counted and written once a minute as one row per address,
 * or one row in all when many addresses fail. Actions: `admin_auth_failed`,
 * `agent_auth_failed`.
 */
export class AuthGuard {
  private readonly tallies = new Map<string, Tally>();
  private immediate = 0;

  constructor(
    private readonly ctx: ServiceContext,
    jobs: Jobs,
  ) {
    jobs.every(SUMMARY_EVERY_MS, () => this.flush());
  }

  /**
   * Records a failed sign-in and returns what to answer: 401 (unauthorized), or
   * 429 (auth_throttled) while the address is held back. A request that sent no
   * credential at all guesses nothing: it is answered 401 and not counted (a
   * missing admin token is still audited).
   */
  async failed(kind: Kind, from: string, path: string, missing: boolean): Promise<ApiError> {
    this.ctx.telemetry.authFailed(kind);
    // Every spelling of one address, and a whole IPv6 /64, count as one.
    const address = clientKey(from);
    const unauthorized = kind === 'admin' ? errors.adminUnauthorized() : errors.agentUnauthorized(!missing);
    if (missing) {
      if (kind === 'admin') await this.note(kind, address, path, true);
      return unauthorized;
    }
    await this.note(kind, address, path, false);
    const d = await this.ctx.live.limiter.authFailure(address);
    if (!d.ok) return errors.authThrottled(Math.max(1, Math.ceil(d.retryAfterMs / 1000)));
    return unauthorized;
  }

  /** Writes what has been counted since the last summary, and starts a new window. */
  async flush(): Promise<void> {
    const pending = [...this.tallies.values()].filter((t) => t.count > 0);
    this.tallies.clear();
    this.immediate = 0;
    if (pending.length === 0) return;
    const at = this.ctx.now();
    const minutes = Math.round(SUMMARY_EVERY_MS / 60_000);
    const window = `in the last ${minutes} minute${minutes === 1 ? '' : 's'}`;
    for (const kind of ['admin', 'agent'] as const) {
      const rows = pending.filter((t) => t.kind === kind).sort((a, b) => b.count - a.count);
      if (rows.length === 0) continue;
      const action = `${kind}_auth_failed`;
      if (rows.length <= NAMED_PER_SUMMARY) {
        for (const t of rows) {
          await this.ctx.store.audit({
            at,
            action,
            detail: `${t.count} more failed from ${t.address} ${window} (on ${[...t.paths].slice(0, 5).join(', ')})`,
          });
        }
        continue;
      }
      const total = rows.reduce((n, t) => n + t.count, 0);
      const top = rows
        .slice(0, 5)
        .map((t) => `${t.address} ×${t.count}`)
        .join(', ');
      await this.ctx.store.audit({
        at,
        action,
        detail: `${total} more failed from ${rows.length} addresses ${window} (most: ${top})`,
      });
    }
  }

  private async note(kind: Kind, address: string, path: string, missing: boolean): Promise<void> {
    const key = `${kind} ${address}`;
    const t = this.tallies.get(key);
    if (t) {
      t.count++;
      if (t.paths.size < 10) t.paths.add(path);
      return;
    }
    if (this.immediate >= IMMEDIATE_PER_WINDOW) {
      this.tallies.set(key, { kind, address, count: 1, paths: new Set([path]) });
      return;
    }
    this.immediate++;
    this.tallies.set(key, { kind, address, count: 0, paths: new Set([path]) });
    const what = kind === 'admin' ? 'token' : 'code';
    await this.ctx.store.audit({
      at: this.ctx.now(),
      action: `${kind}_auth_failed`,
      detail: `${missing ? 'missing' : 'wrong'} ${what} on ${path} from ${address}`,
    });
  }
}
