import { concerns, EVERYWHERE, type LiveEvent, outcomeOf, type Waiter, type WaitOutcome } from './wakeups.js';

/** Which latched outcome wins when several arrive between two waits: shutdown, then access, then any event. */
const WEIGHT: Record<WaitOutcome, number> = { timeout: 0, aborted: 0, event: 1, access: 2, shutdown: 3 };

/** One parked wait, settled by an event, its timer, its abort signal or shutdown. Waits again after each. */
class LocalWaiter implements Waiter {
  private latched: WaitOutcome | null = null;
  private settle: ((o: WaitOutcome) => void) | null = null;
  private cancelled = false;

  constructor(
    readonly name: string | null,
    private readonly detach: (w: LocalWaiter) => void,
  ) {}

  /** Delivers an outcome now, or latches it for the next wait(); a weightier outcome replaces a latched one. */
  fire(outcome: WaitOutcome): void {
    if (this.settle) {
      const s = this.settle;
      this.settle = null;
      s(outcome);
    } else if (this.latched === null || WEIGHT[outcome] > WEIGHT[this.latched]) {
      this.latched = outcome;
    }
  }

  wait(timeoutMs: number, signal?: AbortSignal): Promise<WaitOutcome> {
    if (this.latched !== null) {
      const l = this.latched;
      this.latched = null;
      return Promise.resolve(l);
    }
    if (this.cancelled) return Promise.resolve('aborted');
    if (signal?.aborted) return Promise.resolve('aborted');
    return new Promise<WaitOutcome>((resolve) => {
      const timer = setTimeout(() => finish('timeout'), Math.max(0, timeoutMs));
      const onAbort = () => finish('aborted');
      const finish = (o: WaitOutcome) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.settle = null;
        resolve(o);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.settle = finish;
    });
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.detach(this);
    this.fire('aborted');
  }
}

/**
 * The waiters parked on this process, by room. Every Live keeps one: the in-memory
 * Live dispatches its own events into it; a cross-node Live dispatches what arrives
 * from the other nodes.
 */
export class WaiterRegistry {
  private readonly rooms = new Map<string, Set<LocalWaiter>>();
  private parked = 0;
  private stopped = false;
  private accessEvents = 0;

  /** Registers interest in `room` (EVERYWHERE for all) for `name` (null: every event). */
  register(room: string, name: string | null): Waiter {
    const w = new LocalWaiter(name, (x) => {
      const set = this.rooms.get(room);
      if (set?.delete(x)) {
        this.parked--;
        if (set.size === 0) this.rooms.delete(room);
      }
    });
    if (this.stopped) {
      w.fire('shutdown');
      return w;
    }
    let set = this.rooms.get(room);
    if (!set) {
      set = new Set();
      this.rooms.set(room, set);
    }
    set.add(w);
    this.parked++;
    return w;
  }

  /** Wakes the waiters an event concerns, and those watching everywhere. */
  dispatch(event: LiveEvent): void {
    if (event.kind === 'access') this.accessEvents++;
    const outcome = outcomeOf(event);
    const set = event.room === undefined ? undefined : this.rooms.get(event.room);
    if (set) for (const w of set) if (concerns(event, w.name)) w.fire(outcome);
    const all = this.rooms.get(EVERYWHERE);
    if (all) for (const w of all) w.fire('event');
  }

  /** How many access events have been dispatched here. */
  accessEpoch(): number {
    return this.accessEvents;
  }

  /**
   * Wakes every waiter to read again and to check its code again: events, a
   * revocation among them, may have been missed (e.g. while disconnected).
   */
  wakeAll(): void {
    this.accessEvents++;
    for (const set of this.rooms.values()) for (const w of set) w.fire('access');
  }

  count(): number {
    return this.parked;
  }

  /** Releases every waiter with `shutdown` and refuses new ones. */
  shutdown(): void {
    this.stopped = true;
    for (const set of this.rooms.values()) for (const w of set) w.fire('shutdown');
  }
}
