import { deliveredTo } from '../domain/visibility.js';

/**
 * Wake-ups: parked readers (long-polls, streams, MCP waits, the dashboard's change
 * feed) and the events that wake them, on every node. A reader registers *before*
 * reading the store and then waits: an event that lands in between is latched,
 * never lost. Events carry no data a reader relies on; a woken reader reads the store.
 */
export interface Wakeups {
  /**
   * Registers interest in events of `room` that concern `name` (null: every event
   * of the room; room EVERYWHERE: every event anywhere, for the operator's views).
   */
  register(room: string, name: string | null): Waiter;
  /** Wakes every waiter the event concerns, on every node, and advances the change version. */
  publish(event: LiveEvent): Promise<void>;
  /** A number that changes whenever an event is published (the dashboard's "anything new?"). */
  version(): Promise<number>;
  /** How many readers are parked on this node right now. */
  parkedCount(): number;
  /** Releases every parked waiter with `shutdown` and refuses new ones (they settle with `shutdown` at once). */
  shutdown(): void;
}

/** How a wait ended. */
export type WaitOutcome = 'event' | 'timeout' | 'aborted' | 'shutdown';

/** One registration of interest. */
export interface Waiter {
  /** Resolves on a relevant event (or one already latched), after `timeoutMs`, on the abort signal, or on shutdown. */
  wait(timeoutMs: number, signal?: AbortSignal): Promise<WaitOutcome>;
  /** Withdraws the registration. Idempotent. */
  cancel(): void;
}

/** What a post, a room change or an operator-only change tells the parked readers. */
export type LiveEvent =
  | { kind: 'message'; room: string; seq: number; from: string; to: string }
  | { kind: 'room'; room: string }
  /** Something only the operator's views care about: a code, a claim, a first connection. */
  | { kind: 'change'; room?: string };

/** The room name that registers for every event. */
export const EVERYWHERE = '*';

/** True when `event` concerns a waiter registered for `name` (null = everything in the room). */
export function concerns(event: LiveEvent, name: string | null): boolean {
  if (event.kind === 'change') return false;
  if (event.kind === 'room' || name === null) return true;
  return deliveredTo(event, name);
}
