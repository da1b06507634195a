import type { Reopened } from '../store/store.js';
import { announce } from './announce.js';
import type { ServiceContext } from './context.js';
import type { Jobs } from './jobs.js';
import type { WebhookNotifier } from './webhooks.js';

/** How often (ms) each node sweeps for claims that are due; each run is jittered by up to SWEEP_JITTER_MS. */
export const SWEEP_EVERY_MS = 1000;
const SWEEP_JITTER_MS = 250;

/**
 * Claim leases (domain/leases.ts) as a service: the periodic sweep that reopens
 * claims whose lease lapsed or whose holder's code ended, and the announcement of
 * every reopening, however it happened (sweep, release, a claim that found a lapsed
 * lease, a revocation). The store makes each reopening happen exactly once across
 * nodes (one conditional update with its notice in one transaction), so every node
 * may sweep: the notice is posted once, and announced by the node that posted it.
 */
export class Leases {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly webhooks: WebhookNotifier,
  ) {}

  /** Sweeps every SWEEP_EVERY_MS (jittered, so the nodes of a cluster do not sweep in step). */
  start(jobs: Jobs): void {
    const tick = (): void => {
      jobs.after(SWEEP_EVERY_MS + Math.floor(Math.random() * SWEEP_JITTER_MS), async () => {
        try {
          await this.sweep();
        } finally {
          tick();
        }
      });
    };
    tick();
  }

  /** Reopens every claim that is due now and announces each; returns how many. A store failure is left for the next sweep. */
  async sweep(): Promise<number> {
    const reopened = await this.ctx.store.sweepClaims(this.ctx.now(), this.ctx.config.maxMessagesPerRoom);
    await this.announce(reopened);
    return reopened.length;
  }

  /**
   * Tells everyone who may see each reopened question, through their normal channel:
   * the notice is a message (long-polls, streams, MCP waits and subscriptions, the
   * channel push and webhooks all carry it), the operator's views change, and the
   * audit log records it.
   */
  async announce(reopened: readonly Reopened[]): Promise<void> {
    for (const r of reopened) {
      await announce(this.ctx, this.webhooks, r.notice);
      await this.ctx.live.wakeups.publish({ kind: 'change', room: r.notice.room }).catch(() => undefined);
      await this.ctx.store.audit({
        at: r.notice.at,
        action: 'claim_reopened',
        actor: r.holder,
        room: r.notice.room,
        detail: `seq=${r.question.seq} reason=${r.reason}`,
      });
    }
  }
}
