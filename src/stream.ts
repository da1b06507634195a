import type { Agent, Bridge } from './bridge.js';
import { roomStatus } from './bridge.js';
import type { BridgeContext } from './context.js';
import { pollBudget } from './domain/budget.js';
import { secondsBetween } from './domain/time.js';

/** Where the stream writes; `write` resolves once the chunk is accepted (backpressure). */
export interface StreamSink {
  write(chunk: string): Promise<void>;
  end(): void;
  signal: AbortSignal;
}

/** How often a quiet stream sends a comment so proxies keep it open. */
export const HEARTBEAT_MS = 15_000;

/**
 * The event stream of GET /messages/stream: every message the agent may see after
 * `since`, then live ones as they land, each as an SSE event whose id is its seq (so
 * a reconnect with Last-Event-ID resumes exactly). A quiet stream sends a comment
 * every 15 s; a room that closes (or goes idle) gets a final `exit` event and the
 * stream ends.
 */
export async function streamMessages(
  ctx: BridgeContext,
  bridge: Bridge,
  agent: Agent,
  since: number,
  sink: StreamSink,
  heartbeatMs = HEARTBEAT_MS,
): Promise<void> {
  const { store, live, config } = ctx;
  let cursor = since;
  const dryFrom = await live.dryStart(agent.room, agent.name, ctx.now());
  let lastReceived = dryFrom;
  while (!sink.signal.aborted) {
    const waiter = live.register(agent.room, agent.name);
    try {
      const snap = await store.readSince(agent.room, agent.name, cursor, 1000);
      if (snap.messages.length > 0) {
        for (const m of await bridge.decorate(agent.room, snap.messages)) {
          await sink.write(`id: ${m.seq}\nevent: message\ndata: ${JSON.stringify(m)}\n\n`);
        }
        lastReceived = ctx.now();
        ctx.telemetry.delivered(snap.messages.length);
        await live.dryEnd(agent.room, agent.name);
      }
      cursor = snap.truncated ? snap.messages[snap.messages.length - 1].seq : Math.max(cursor, snap.lastSeq);
      const now = ctx.now();
      const quiet = snap.room?.lastAt == null ? null : secondsBetween(snap.room.lastAt, now);
      const budget = pollBudget(
        secondsBetween(lastReceived, now),
        quiet,
        config.maxIdleSeconds,
        snap.room?.closed === true,
      );
      if (budget.should_exit) {
        const exit = {
          should_exit: true,
          exit_reason: budget.reason,
          cursor,
          room: roomStatus(agent.room, snap.room),
          poll_budget: budget,
        };
        await sink.write(`event: exit\ndata: ${JSON.stringify(exit)}\n\n`);
        break;
      }
      if (snap.truncated) continue;
      const outcome = await waiter.wait(heartbeatMs, sink.signal);
      if (outcome === 'aborted' || outcome === 'shutdown') break;
      if (outcome === 'timeout') {
        await live.touch(agent.room, agent.name, ctx.now());
        await sink.write(': keepalive\n\n');
      }
    } finally {
      waiter.cancel();
    }
  }
  sink.end();
}
