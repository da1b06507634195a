import type { AppendInput, Store } from '../../src/store/store.js';

/** What the store contract suites share: a clock, message inputs and appends. */

/** Runs one contract test with a fresh store (the storeContract's withStore). */
export type WithStore = (fn: (s: Store, reopen: () => Promise<Store>) => Promise<void>) => () => Promise<void>;

/** The suites' clock: every message is at T0 unless a test says otherwise (epoch ms). */
export const T0 = Date.UTC(2026, 0, 1);

/** An append of a broadcast in an open room with no quotas, overridable field by field. */
export function input(room: string, from: string, text: string, o: Partial<AppendInput> = {}): AppendInput {
  return {
    room,
    from,
    to: 'all',
    text,
    expectsReply: 'none',
    at: T0,
    requireOpen: true,
    maxRooms: 0,
    maxPerRoom: 0,
    ...o,
  };
}

/** Appends and returns the stored message; a refusal throws (these tests expect none). */
export async function add(s: Store, room: string, from: string, text: string, o: Partial<AppendInput> = {}) {
  const r = await s.append(input(room, from, text, o));
  if (!r.ok) throw new Error(`append refused: ${r.reason}`);
  return r.message;
}
