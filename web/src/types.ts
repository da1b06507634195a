/** The shapes the dashboard reads from /admin/state (see SPEC §5). */

export interface Message {
  seq: number;
  ts: string;
  from: string;
  to: string;
  text: string;
  expects_reply: string;
  claimed_by: string | null;
  expects_reply_resolved: string;
  room: string;
}

export interface WaitingRow extends Message {
  waiting_seconds: number;
}

export interface RoomRow {
  room: string;
  messages: number;
  last_seq: number;
  last_ts: string | null;
  seconds_since_last: number | null;
  status: 'open' | 'closed';
  closed_at: string | null;
  closed_by: string | null;
}

export interface RosterRow {
  name: string;
  online: boolean;
  seconds_since_seen: number | null;
  last_message_seconds: number | null;
  capabilities: string;
  sources: string[];
}

export interface CodeRow {
  code: string;
  name: string;
  room: string;
  capabilities: string;
  created: string;
  expires: string | null;
  expired: boolean;
}

export interface State {
  version: string;
  change_version: number;
  public_url: string;
  hash_codes: boolean;
  roster: Record<string, RosterRow[]>;
  codes: CodeRow[];
  room: string | null;
  rooms: RoomRow[];
  waiting: WaitingRow[];
  max_idle_seconds: number;
  messages: Message[];
}

export interface Invite {
  code: string;
  name: string;
  room: string;
  expires: string | null;
  capabilities: string;
  url: string;
  instruction: string;
}
