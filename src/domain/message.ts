/** A message as the store keeps it. `at` is epoch milliseconds; the wire form is `wire/messages.ts`. */
export interface StoredMessage {
  room: string;
  seq: number;
  at: number;
  from: string;
  to: string;
  text: string;
  expects_reply: string;
  claimed_by: string | null;
}
