import type { Config } from '../config.js';
import type { Live } from '../live/live.js';
import { Metrics, NO_TELEMETRY } from '../metrics.js';
import { maskCode } from '../secrets.js';
import { Access } from '../services/access.js';
import { AuthGuard } from '../services/auth-guard.js';
import { Bridge } from '../services/bridge.js';
import type { ServiceContext } from '../services/context.js';
import { Delivery } from '../services/delivery.js';
import { Jobs } from '../services/jobs.js';
import { Leases } from '../services/leases.js';
import { Operator } from '../services/operator.js';
import { Outbound } from '../services/outbound.js';
import { WebhookNotifier } from '../services/webhooks.js';
import { VERSION } from '../version.js';
import { openAdminTokens } from './admin-tokens.js';
import { type Notice, openLive, openStore } from './backends.js';
import { dataPaths, ensureDataDir, readPublicUrl } from './data-dir.js';

/** The services of one bridge process, on the backends its configuration names. */
export interface Services {
  ctx: ServiceContext;
  bridge: Bridge;
  operator: Operator;
  delivery: Delivery;
  webhooks: WebhookNotifier;
  /** Prometheus metrics, when asked for (the server); null for one-shot commands. */
  metrics: Metrics | null;
  /** Stops background work (scheduled jobs, webhook deliveries) and closes the backends. */
  close(): Promise<void>;
}

export interface ComposeOptions {
  /** The clock (epoch ms); tests pass their own. */
  now?: () => number;
  /** Keep Prometheus metrics (GET /metrics). */
  metrics?: boolean;
  /** When a failed webhook attempt is tried again (ms after it); tests shorten the default 1, 2, 4, 8 s. */
  webhookRetryMs?: readonly number[];
  /** Where one-line notices for the operator go (the adoption of the original's data directory); ignored when absent. */
  notice?: Notice;
  /** Run the periodic claim-lease sweep (services/leases.ts): the server does; one-shot commands do not. */
  sweepLeases?: boolean;
}

/**
 * The composition root shared by `serve` and the CLI: config → backends → services.
 * Opens the store and live state (closing the store again if live state cannot be
 * reached), and forgets plaintext codes when hashing is on.
 */
export async function openServices(config: Config, opts: ComposeOptions = {}): Promise<Services> {
  const paths = dataPaths(config.dataDir);
  ensureDataDir(paths.dir);
  const store = await openStore(config, { notice: opts.notice });
  let live: Live;
  try {
    live = await openLive(config);
  } catch (e) {
    await store.close();
    throw e;
  }
  try {
    const now = opts.now ?? Date.now;
    const metrics = opts.metrics
      ? new Metrics({
          parked: () => live.wakeups.parkedCount(),
          rooms: () => store.countRoomsWithMessages(),
          codes: () => store.countCodes(),
        })
      : null;
    const ctx: ServiceContext = {
      config,
      store,
      live,
      adminTokens: await openAdminTokens(config, store),
      publicUrl: () => readPublicUrl(paths),
      now,
      version: VERSION,
      startedAt: now(),
      telemetry: metrics ?? NO_TELEMETRY,
    };
    // Hashing switched on: forget plaintext codes kept from before; they keep working by hash.
    if (config.hashCodes) await store.dropPlaintextCodes(maskCode);
    // A revocation made by another process on the same database (the CLI with no
    // bridge answering it) reaches this node's readers too.
    const unwatch = store.watchExternalChanges(() => live.wakeups.recheckAll());
    const jobs = new Jobs();
    const outbound = new Outbound(config.webhookAllowPrivate);
    const webhooks = new WebhookNotifier(ctx, jobs, outbound, opts.webhookRetryMs);
    const guard = new AuthGuard(ctx, jobs);
    const leases = new Leases(ctx, webhooks);
    if (opts.sweepLeases) leases.start(jobs);
    return {
      ctx,
      bridge: new Bridge(ctx, webhooks, guard, leases),
      operator: new Operator(ctx, webhooks, guard, new Access(ctx, webhooks, leases)),
      delivery: new Delivery(ctx),
      webhooks,
      metrics,
      async close() {
        unwatch();
        jobs.stop();
        webhooks.stop();
        // What was counted but not yet written reaches the audit log before the store closes.
        await guard.flush().catch(() => undefined);
        await outbound.close();
        await live.close();
        await store.close();
      },
    };
  } catch (e) {
    await live.close();
    await store.close();
    throw e;
  }
}
