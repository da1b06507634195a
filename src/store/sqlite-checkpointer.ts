import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// Runs in the worker: its own connection, copying the WAL back into the database
// file now and then. PASSIVE never blocks the writer, and none of this runs on the
// event loop that answers requests.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 1000');
const tick = () => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {} };
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'stop') { clearInterval(timer); tick(); db.close(); parentPort.close(); }
});
`;

/** A background thread that checkpoints the SQLite write-ahead log. */
export interface Checkpointer {
  /** Stops the thread after one last checkpoint. */
  stop(): Promise<void>;
}

/**
 * Starts checkpointing `path` every `intervalMs` from a worker thread. `onFailure`
 * runs if the thread dies, so the caller can fall back to checkpointing inline.
 */
export function startCheckpointer(path: string, intervalMs: number, onFailure: (e: Error) => void): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, driver, intervalMs } });
  worker.unref();
  let stopping = false;
  worker.on('error', (e) => {
    if (!stopping) onFailure(e);
  });
  return {
    stop() {
      stopping = true;
      return new Promise((resolve) => {
        // Unref'd while idle so it never keeps the process up; held while it finishes.
        worker.ref();
        worker.once('exit', () => resolve());
        worker.postMessage('stop');
        setTimeout(() => void worker.terminate(), 2000).unref();
      });
    },
  };
}
