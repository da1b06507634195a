import type { PresenceEntry } from '../domain/roster.js';

/**
 * Live: the ephemeral, fast-changing state — presence, long-poll wake-ups, rate
 * limits and each agent's dry spell. Nothing here must survive a restart. The
 * in-memory backend serves one process; a cross-node backend publishes events
 * to every node and keeps counters where all nodes see them.
 */
export interface Live {
  /** Marks an agent present; true the first time this Live has seen it. */
  touch(room: string, name: string, nowMs: number): Promise<boolean>;
  /** Presence of one room, or of every room. */
  presence(room?: string): Promise<PresenceEntry[]>;

  /** Counts one post against `key`; refuses with the time until a slot frees when over the limit. */
  consume(key: string): Promise<RateDecision>;
  /** Gives back a post counted by `consume` that was then refused for another reason. */
  refund(key: string): Promise<void>;

  /** When the agent's current stretch without receiving anything began (starting it now if none). */
  dryStart(room: string, name: string, nowMs: number): Promise<number>;
  /** Ends the agent's dry stretch: it just received something. */
  dryEnd(room: string, name: string): Promise<void>;

  /**
   * Registers interest in events of `room` that concern `name` (null: every event
   * of the room; room `*`: every event anywhere, for the operator's views).
   * Register before reading the store, then wait: an event that lands in between
   * is latched, never lost.
   */
  register(room: string, name: string | null): Waiter;
  /** Tells every waiter concerned, on every node, and advances the change version. */
  publish(event: LiveEvent): Promise<void>;
  /** A number that changes whenever an event is published (the dashboard's "anything new?"). */
  version(): Promise<number>;
  /** How many polls are parked right now (this node). */
  parkedCount(): number;

  /** Releases every parked waiter with `shutdown` and stops accepting new ones. */
  shutdown(): void;
  /** True when the live state answers (readiness). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export type WaitOutcome = 'event' | 'timeout' | 'aborted' | 'shutdown';

export interface Waiter {
  /** Resolves on a relevant event (or one already latched), the timeout, the abort signal, or shutdown. */
  wait(timeoutMs: number, signal?: AbortSignal): Promise<WaitOutcome>;
  /** Withdraws the registration. Idempotent. */
  cancel(): void;
}

export type LiveEvent =
  | { kind: 'message'; room: string; seq: number; from: string; to: string }
  | { kind: 'room'; room: string }
  /** Something only the operator's views care about: a code, a claim, a first connection. */
  | { kind: 'change'; room?: string };

/** The room name that registers for every event. */
export const EVERYWHERE = '*';

export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number };

/** True when `event` concerns a waiter registered for `name` (null = everything in the room). */
export function concerns(event: LiveEvent, name: string | null): boolean {
  if (event.kind === 'change') return false;
  if (event.kind === 'room' || name === null) return true;
  return event.to === 'all' ? event.from !== name : event.to === name;
}
