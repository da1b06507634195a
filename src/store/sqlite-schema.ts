import type Database from 'better-sqlite3';

/**
 * Schema migrations for the embedded store, applied in order inside one
 * transaction each; `schema_version` records the last one applied.
 */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE codes (
    hash         TEXT PRIMARY KEY,
    plain        TEXT,
    display      TEXT NOT NULL,
    name         TEXT NOT NULL,
    room         TEXT NOT NULL,
    capabilities TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX codes_by_name ON codes(name);
  CREATE INDEX codes_by_room ON codes(room, name);

  CREATE TABLE rooms (
    name          TEXT PRIMARY KEY,
    closed        INTEGER NOT NULL DEFAULT 0,
    closed_at     INTEGER,
    closed_by     TEXT,
    created_at    INTEGER NOT NULL,
    last_seq      INTEGER NOT NULL DEFAULT 0,
    last_at       INTEGER,
    message_count INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;

  CREATE TABLE messages (
    id            INTEGER PRIMARY KEY,
    room          TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    at            INTEGER NOT NULL,
    sender        TEXT NOT NULL,
    recipient     TEXT NOT NULL,
    text          TEXT NOT NULL,
    expects_reply TEXT NOT NULL,
    claimed_by    TEXT
  );
  CREATE UNIQUE INDEX messages_by_room_seq ON messages(room, seq);
  -- Almost every message expects nothing, so this holds only the questions.
  CREATE INDEX messages_questions ON messages(room, seq) WHERE expects_reply <> 'none';

  CREATE TABLE members (
    room     TEXT NOT NULL,
    name     TEXT NOT NULL,
    last_seq INTEGER NOT NULL,
    last_at  INTEGER NOT NULL,
    PRIMARY KEY (room, name)
  ) WITHOUT ROWID;

  CREATE TABLE audit (
    id     INTEGER PRIMARY KEY,
    at     INTEGER NOT NULL,
    action TEXT NOT NULL,
    actor  TEXT NOT NULL DEFAULT '',
    room   TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
  );
  `,
  `
  -- Where an agent's MCP wait_for_messages left off, for agents that forget the cursor.
  CREATE TABLE cursors (
    room TEXT NOT NULL,
    name TEXT NOT NULL,
    seq  INTEGER NOT NULL,
    PRIMARY KEY (room, name)
  ) WITHOUT ROWID;

  -- One wake-up URL per agent.
  CREATE TABLE webhooks (
    room         TEXT NOT NULL,
    name         TEXT NOT NULL,
    url          TEXT NOT NULL,
    secret       TEXT NOT NULL,
    include_text INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (room, name)
  ) WITHOUT ROWID;
  `,
  `
  -- Bridge-wide values (the admin token, in cluster mode).
  CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  `
  -- A webhook belongs to the code that registered it: revoking or expiring that code
  -- silences it. Webhooks from before are given the newest code of their agent; one
  -- whose agent has no code any more is dropped.
  ALTER TABLE webhooks ADD COLUMN code_hash TEXT NOT NULL DEFAULT '';
  UPDATE webhooks SET code_hash = coalesce(
    (SELECT c.hash FROM codes c WHERE c.room = webhooks.room AND c.name = webhooks.name ORDER BY c.created_at DESC LIMIT 1),
    '');
  DELETE FROM webhooks WHERE code_hash = '';

  -- Audit retention per class (domain/audit.ts), so failed sign-ins cannot push out what the operator did.
  ALTER TABLE audit ADD COLUMN class TEXT NOT NULL DEFAULT 'operator';
  UPDATE audit SET class = 'agent' WHERE action IN ('connect', 'claim', 'webhook_set', 'webhook_removed');
  UPDATE audit SET class = 'auth' WHERE action IN ('admin_auth_failed', 'agent_auth_failed');
  CREATE INDEX audit_by_class ON audit(class, id);
  `,
  `
  -- The batch an MCP wait handed out last stays pending until the agent reads again,
  -- so a cancelled or lost answer is delivered once more (domain/handout.ts). rev makes
  -- every change a compare-and-set.
  ALTER TABLE cursors ADD COLUMN pending_to INTEGER;
  ALTER TABLE cursors ADD COLUMN pending_req TEXT;
  ALTER TABLE cursors ADD COLUMN pending_cancelled INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE cursors ADD COLUMN rev INTEGER NOT NULL DEFAULT 1;
  `,
  `
  -- Names the operator has posted under in a room (POST /admin/say, argybargy post --as):
  -- the inbox treats them as the human, not as an agent (domain/waiting.ts). Sticky.
  ALTER TABLE members ADD COLUMN operator INTEGER NOT NULL DEFAULT 0;
  `,
  `
  -- Threads and answers: the message a message replies to (same room), and who
  -- answered a question and when (domain/answers.ts). The index serves the thread
  -- walk (replies of a seq) and holds only replies.
  ALTER TABLE messages ADD COLUMN reply_to INTEGER;
  ALTER TABLE messages ADD COLUMN answered_by TEXT;
  ALTER TABLE messages ADD COLUMN answered_at INTEGER;
  CREATE INDEX messages_replies ON messages(room, reply_to) WHERE reply_to IS NOT NULL;
  `,
  `
  -- Claims are leases (domain/leases.ts): when a claim lapses (epoch ms; NULL: it
  -- holds for good), the lease a question asked for (seconds; NULL: the bridge's
  -- default), and the bridge's own notices (kind 'claim_reopened' with its reason).
  -- The index holds only the open claims, which is all the sweep reads.
  ALTER TABLE messages ADD COLUMN claim_expires_at INTEGER;
  ALTER TABLE messages ADD COLUMN claim_lease INTEGER;
  ALTER TABLE messages ADD COLUMN kind TEXT;
  ALTER TABLE messages ADD COLUMN reason TEXT;
  CREATE INDEX messages_open_claims ON messages(room, seq) WHERE claimed_by IS NOT NULL AND answered_by IS NULL;
  `,
];

/** Brings the database up to the newest schema; returns the version it ends at. */
export function migrate(db: Database.Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
  let version = row?.version ?? 0;
  if (version > MIGRATIONS.length) {
    throw new Error(
      `The database schema (version ${version}) is newer than this argybargy understands (${MIGRATIONS.length}). Upgrade argybargy.`,
    );
  }
  while (version < MIGRATIONS.length) {
    const next = version + 1;
    db.transaction(() => {
      db.exec(MIGRATIONS[version]);
      db.prepare('DELETE FROM schema_version').run();
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(next);
    }).immediate();
    version = next;
  }
  return version;
}
