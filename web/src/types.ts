/** The shapes the dashboard reads, derived from the bridge's own wire schemas (src/wire). */
export type { RoomMessage as Message } from '../../src/wire/messages.js';
export type {
  CodeListing as CodeRow,
  InviteAnswer as Invite,
  RoomSummary as RoomRow,
  RosterRow,
  StateAnswer as State,
  WaitingRow,
} from '../../src/wire/operator.js';
