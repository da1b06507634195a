import type { StoredMessage } from '../domain/message.js';
import type { ServiceContext } from './context.js';
import type { WebhookNotifier } from './webhooks.js';

/**
 * Tells everyone a new message concerns: wakes the readers parked on it, on every
 * node, and queues webhook notices. The message is already committed: if the
 * wake-up cannot be sent, the post still succeeds (a retry would duplicate it) and
 * parked readers find the message when live state reconnects or their wait ends.
 */
export async function announce(ctx: ServiceContext, webhooks: WebhookNotifier, m: StoredMessage): Promise<void> {
  await ctx.live.wakeups
    .publish({ kind: 'message', room: m.room, seq: m.seq, from: m.from, to: m.to })
    .catch(() => undefined);
  // Off the post's path: a slow or dead receiver never delays the answer.
  webhooks.notify(m).catch(() => undefined);
}
