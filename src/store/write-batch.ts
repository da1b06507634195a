import type Database from 'better-sqlite3';

interface Pending {
  run: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit: writes queued during one turn of the event loop run together in a
 * single transaction, each in a savepoint of its own (one failing does not undo the
 * others), and their promises settle only after the commit. Under load this turns
 * many small commits into one; alone, a write waits only for the end of the turn.
 */
export class WriteBatch {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly outer: Database.Transaction<(items: Pending[]) => Outcome[]>;

  constructor(
    db: Database.Database,
    /** Called when a commit fails, so in-memory state built during the batch can be dropped. */
    private readonly onCommitFailure: () => void,
  ) {
    const savepoint = db.transaction((fn: () => unknown) => fn());
    this.outer = db.transaction((items: Pending[]) =>
      items.map((item): Outcome => {
        try {
          return { ok: true, value: savepoint(item.run) };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
  }

  /** Queues `fn` to run inside the next batch; resolves with its result once committed. */
  run<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run: fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Runs everything queued now (also called before the database closes). */
  flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    let outcomes: Outcome[];
    try {
      outcomes = this.outer.immediate(batch);
    } catch (error) {
      this.onCommitFailure();
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const o = outcomes[i];
      if (o.ok) item.resolve(o.value);
      else item.reject(o.error);
    });
  }
}
