import type { PoolClient } from 'pg';

/**
 * Schema migrations for the cluster store. Times are epoch milliseconds (bigint),
 * read back as numbers. Each runs in a transaction under an advisory lock, so nodes
 * that start together migrate exactly once.
 */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE codes (
    hash         text PRIMARY KEY,
    plain        text,
    display      text NOT NULL,
    name         text NOT NULL,
    room         text NOT NULL,
    capabilities text NOT NULL DEFAULT '',
    created_at   bigint NOT NULL,
    expires_at   bigint
  );
  CREATE INDEX codes_by_name ON codes (name);
  CREATE INDEX codes_by_room ON codes (room, name);

  CREATE TABLE rooms (
    name          text PRIMARY KEY,
    closed        boolean NOT NULL DEFAULT false,
    closed_at     bigint,
    closed_by     text,
    created_at    bigint NOT NULL,
    last_seq      bigint NOT NULL DEFAULT 0,
    last_at       bigint,
    message_count bigint NOT NULL DEFAULT 0
  );

  CREATE TABLE messages (
    id            bigserial PRIMARY KEY,
    room          text NOT NULL,
    seq           bigint NOT NULL,
    at            bigint NOT NULL,
    sender        text NOT NULL,
    recipient     text NOT NULL,
    text          text NOT NULL,
    expects_reply text NOT NULL,
    claimed_by    text,
    UNIQUE (room, seq)
  );
  CREATE INDEX messages_questions ON messages (room, seq) WHERE expects_reply <> 'none';

  CREATE TABLE members (
    room     text NOT NULL,
    name     text NOT NULL,
    last_seq bigint NOT NULL,
    last_at  bigint NOT NULL,
    PRIMARY KEY (room, name)
  );

  CREATE TABLE audit (
    id     bigserial PRIMARY KEY,
    at     bigint NOT NULL,
    action text NOT NULL,
    actor  text NOT NULL DEFAULT '',
    room   text NOT NULL DEFAULT '',
    detail text NOT NULL DEFAULT ''
  );

  CREATE TABLE cursors (
    room text NOT NULL,
    name text NOT NULL,
    seq  bigint NOT NULL,
    PRIMARY KEY (room, name)
  );

  CREATE TABLE webhooks (
    room         text NOT NULL,
    name         text NOT NULL,
    url          text NOT NULL,
    secret       text NOT NULL,
    include_text boolean NOT NULL DEFAULT false,
    created_at   bigint NOT NULL,
    PRIMARY KEY (room, name)
  );

  CREATE TABLE settings (
    key   text PRIMARY KEY,
    value text NOT NULL
  );
  `,
  `
  -- A webhook belongs to the code that registered it (see the SQLite schema).
  ALTER TABLE webhooks ADD COLUMN code_hash text NOT NULL DEFAULT '';
  UPDATE webhooks w SET code_hash = coalesce(
    (SELECT c.hash FROM codes c WHERE c.room = w.room AND c.name = w.name ORDER BY c.created_at DESC LIMIT 1),
    '');
  DELETE FROM webhooks WHERE code_hash = '';

  -- Audit retention per class (domain/audit.ts).
  ALTER TABLE audit ADD COLUMN class text NOT NULL DEFAULT 'operator';
  UPDATE audit SET class = 'agent' WHERE action IN ('connect', 'claim', 'webhook_set', 'webhook_removed');
  UPDATE audit SET class = 'auth' WHERE action IN ('admin_auth_failed', 'agent_auth_failed');
  CREATE INDEX audit_by_class ON audit (class, id);
  `,
  `
  -- The batch an MCP wait handed out last stays pending until the agent reads again,
  -- so a cancelled or lost answer is delivered once more (domain/handout.ts). rev makes
  -- every change a compare-and-set.
  ALTER TABLE cursors ADD COLUMN pending_to bigint;
  ALTER TABLE cursors ADD COLUMN pending_req text;
  ALTER TABLE cursors ADD COLUMN pending_cancelled boolean NOT NULL DEFAULT false;
  ALTER TABLE cursors ADD COLUMN rev bigint NOT NULL DEFAULT 1;
  `,
  `
  -- Names the operator has posted under in a room (see the SQLite schema). Sticky.
  ALTER TABLE members ADD COLUMN operator boolean NOT NULL DEFAULT false;
  `,
  `
  -- Threads and answers (see the SQLite schema).
  ALTER TABLE messages ADD COLUMN reply_to bigint;
  ALTER TABLE messages ADD COLUMN answered_by text;
  ALTER TABLE messages ADD COLUMN answered_at bigint;
  CREATE INDEX messages_replies ON messages (room, reply_to) WHERE reply_to IS NOT NULL;
  `,
  `
  -- Claims are leases (see the SQLite migration of the same number).
  ALTER TABLE messages ADD COLUMN claim_expires_at bigint;
  ALTER TABLE messages ADD COLUMN claim_lease bigint;
  ALTER TABLE messages ADD COLUMN kind text;
  ALTER TABLE messages ADD COLUMN reason text;
  CREATE INDEX messages_open_claims ON messages (room, seq) WHERE claimed_by IS NOT NULL AND answered_by IS NULL;
  `,
];

/** The advisory lock every node takes while migrating. */
const MIGRATION_LOCK = 0x61726779; // "argy"

/** Brings the database up to the newest schema; safe when several nodes start at once. */
export async function migratePostgres(client: PoolClient): Promise<number> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)');
    const r = await client.query<{ version: number }>('SELECT version FROM schema_version');
    let version = r.rows[0]?.version ?? 0;
    if (version > MIGRATIONS.length) {
      throw new Error(
        `The database schema (version ${version}) is newer than this argybargy understands (${MIGRATIONS.length}). Upgrade argybargy.`,
      );
    }
    while (version < MIGRATIONS.length) {
      await client.query('BEGIN');
      try {
        await client.query(MIGRATIONS[version]);
        await client.query('DELETE FROM schema_version');
        await client.query('INSERT INTO schema_version (version) VALUES ($1)', [version + 1]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK');
        throw e;
      }
      version++;
    }
    return version;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
}
