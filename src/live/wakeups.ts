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
  /**
   * Wakes every reader parked on this node to check its code and read again:
   * something changed that no event announced (another process wrote the database).
   */
  recheckAll(): void;
  /**
   * How many access events this node has received so far. A reader that compares it
   * with the value taken when its code was checked learns whether a revocation may
   * have slipped in between (and checks the code again).
   */
  accessEpoch(): number;
}

/** How a wait ended; `access` means the agent's codes changed (a revocation): check the code again. */
export type WaitOutcome = 'event' | 'access' | 'timeout' | 'aborted' | 'shutdown';

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
  /** Codes of this agent were revoked: its readers check their own code and end if it is gone. */
  | { kind: 'access'; room: string; name: string }
  /** The agent's server-side cursor changed under its waits (a cancel): they read it again. */
  | { kind: 'cursor'; room: string; name: string }
  /** Something only the operator's views care about: a code, a claim, a first connection. */
  | { kind: 'change'; room?: string };

/** The room name that registers for every event. */
export const EVERYWHERE = '*';

/** True when `event` concerns a waiter registered for `name` (null = everything in the room). */
export function concerns(event: LiveEvent, name: string | null): boolean {
  switch (event.kind) {
    case 'change':
      return false;
    case 'room':
      return true;
    case 'access':
    case 'cursor':
      return event.name === name;
    case 'message':
      return name === null || deliveredTo(event, name);
  }
}

/** How an event settles a waiter it concerns. */
export function outcomeOf(event: LiveEvent): WaitOutcome {
  return event.kind === 'access' ? 'access' : 'event';
}
