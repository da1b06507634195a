import type { PresenceEntry } from '../domain/roster.js';

/**
 * Presence: who has been seen, and when each agent last received anything (its dry
 * spell, which the poll budget's idle bound counts from). Ephemeral: a restart
 * forgets it, and the roster rebuilds it from durable membership.
 */
export interface Presence {
  /** Marks an agent present at `nowMs`; true the first time this presence has seen it (first sight is audited). */
  touch(room: string, name: string, nowMs: number): Promise<boolean>;
  /** Who has been seen in one room, or in every room, with when (epoch ms). */
  list(room?: string): Promise<PresenceEntry[]>;
  /** When the agent's current stretch without receiving anything began (epoch ms), starting it at `nowMs` if none runs. */
  dryStart(room: string, name: string, nowMs: number): Promise<number>;
  /** Ends the agent's dry stretch: it just received something. */
  dryEnd(room: string, name: string): Promise<void>;
}
