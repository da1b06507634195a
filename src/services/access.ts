import type { CodeRecord } from '../store/store.js';
import type { ServiceContext } from './context.js';
import type { Leases } from './leases.js';
import type { WebhookNotifier } from './webhooks.js';

/**
 * What a code's end means for everything that spoke for it. Revoking a code removes
 * the webhooks it registered and tells every node (an `access` wake-up) so that its
 * open streams, parked polls and MCP waits check their code and end at once; an
 * expired code is noticed by each reader at its expiry and by the webhook notifier
 * before each send. An agent name left with no live code keeps no server-side cursor
 * or webhook, so a later code for the same name starts clean, and holds no claim:
 * its claims reopen at once on revocation (at the next lease sweep on expiry).
 */
export class Access {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly webhooks: WebhookNotifier,
    private readonly leases: Leases,
  ) {}

  /** Ends what the revoked codes held: their webhooks, their readers on every node, their claims, and orphaned agent state. */
  async revoked(codes: CodeRecord[]): Promise<void> {
    if (codes.length === 0) return;
    await this.webhooks.removeForCodes(codes);
    const agents = new Map(codes.map((c) => [`${c.room}\u0000${c.name}`, c]));
    for (const c of agents.values()) {
      await this.ctx.live.wakeups.publish({ kind: 'access', room: c.room, name: c.name });
      if (!(await this.hasLiveCode(c.room, c.name))) await this.forget(c.room, c.name);
    }
    // Claims held by a name with no live code left reopen now, each with its notice (reason holder_revoked).
    await this.leases.sweep();
    await this.ctx.live.wakeups.publish({ kind: 'change' });
  }

  /**
   * Before a code is minted for `name` in `room`: when no live code of that agent
   * exists (never did, revoked or expired), what an earlier holder left — a webhook,
   * a server-side cursor — is cleared so the new holder starts clean.
   */
  async beforeMint(room: string, name: string): Promise<void> {
    if (!(await this.hasLiveCode(room, name))) await this.forget(room, name);
  }

  private hasLiveCode(room: string, name: string): Promise<boolean> {
    return this.ctx.store.hasLiveCode(room, name, this.ctx.now());
  }

  private async forget(room: string, name: string): Promise<void> {
    await this.webhooks.remove(room, name);
    if ((await this.ctx.store.readCursor(room, name)).rev !== 0) await this.ctx.store.setCursor(room, name, 0);
  }
}
