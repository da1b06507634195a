/**
 * Jobs: the one place the services schedule work for later — delayed sends
 * (webhook retries) and periodic sweeps. Timers never keep the process alive, a
 * job that throws never takes the process down (jobs handle their own failures;
 * a throw is swallowed), a periodic job never overlaps itself, and `stop()` cancels
 * everything at once (shutdown).
 */
export class Jobs {
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  /** Runs `fn` once, `ms` milliseconds from now (nothing after stop()). */
  after(ms: number, fn: () => unknown): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      void guarded(fn);
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  /** Runs `fn` every `ms` milliseconds; a run that is still going when the next is due makes that one skip. */
  every(ms: number, fn: () => unknown): void {
    if (this.stopped) return;
    let running = false;
    const t = setInterval(async () => {
      if (running) return;
      running = true;
      await guarded(fn);
      running = false;
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  /** How many timers are pending. */
  pending(): number {
    return this.timers.size;
  }

  /** Cancels every pending job and refuses new ones. */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

async function guarded(fn: () => unknown): Promise<void> {
  try {
    await fn();
  } catch {
    // The job owns its failures; the scheduler only keeps the process alive.
  }
}
