import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { startServer } from '../src/app/server.js';
import { loadConfig } from '../src/config.js';
import { request, tempDir } from './helpers.js';
import { runCli, spawnBridge, stopProcess } from './support/processes.js';

/**
 * Data directories the original argybargy 1.0 (Python) wrote itself, adopted by this
 * bridge (test/fixtures/original-1.0/README.md describes what is in them).
 */
const FIXTURES = join(new URL('.', import.meta.url).pathname, 'fixtures/original-1.0');

const FIXTURE_CODES = {
  plain: {
    alice: '30wcYnzQ5bTtM8sFnOi8xqOf3iPuX6Hg',
    bob: '2Y7dc-7hD5L-jStoLwFBNcXv7TTJ6JFa',
    carol: 'K48LC-7cU1lKw0DAeSe18k54lqVjPrAZ',
  },
  hashed: {
    alice: 'Mgz0BY_rO6F0G9M8Efz1-vjQajGTNV5I',
    bob: 'EYJCaY1ONqk-wCZVSJQC3kFzKiwo8OEw',
    carol: 'Urpyn69SEw4rpN-IllZtjorYzXpfjhto',
  },
} as const;

type Variant = keyof typeof FIXTURE_CODES;

const NOTICE =
  /^argybargy: adopted the original argybargy 1\.0 data in (\S+) \(4 codes, 5 messages, 3 rooms\); backup: (\S+\.bak)$/m;

const MESSAGE_FIELDS = [
  'seq',
  'ts',
  'from',
  'to',
  'text',
  'expects_reply',
  'claimed_by',
  'expects_reply_resolved',
] as const;

/** A writable copy of one fixture's data directory (the fixtures themselves are read-only). */
function copyFixture(t: Parameters<typeof tempDir>[0], variant: Variant): string {
  const dir = join(tempDir(t, 'argybargy-adopt-'), 'data');
  cpSync(join(FIXTURES, variant), dir, { recursive: true });
  for (const f of ['argybargy.db', 'admin.token'])
    writeFileSync(join(dir, f), readFileSync(join(FIXTURES, variant, f)));
  return dir;
}

function expected(variant: Variant, file: string): any {
  return JSON.parse(readFileSync(join(FIXTURES, variant, file), 'utf8'));
}

/** Every row of every table of a SQLite file, by table name (rowid order). */
function dump(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{
      name: string;
    }>;
    return Object.fromEntries(tables.map((t) => [t.name, db.prepare(`SELECT * FROM "${t.name}"`).all()]));
  } finally {
    db.close();
  }
}

function pick<T extends Record<string, unknown>>(o: T, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, o[k]]));
}

function backups(dir: string): string[] {
  return readdirSync(dir).filter((f) => /^argybargy\.db\.original-1\.0\.\d{8}T\d{6}Z(-\d+)?\.bak$/.test(f));
}

async function startOn(dir: string) {
  const lines: string[] = [];
  const config = loadConfig({ ARGYBARGY_DATA: dir, ARGYBARGY_PORT: '0', ARGYBARGY_LOG_LEVEL: 'silent' });
  const running = await startServer(config, { logger: false, notice: (l) => lines.push(l) });
  return { running, lines };
}

for (const variant of ['plain', 'hashed'] as const) {
  describe(`adopting the original 1.0 data directory (${variant} codes)`, () => {
    test('the bridge starts on it, says so once, keeps a backup, and everything the original held works', async (t) => {
      const dir = copyFixture(t, variant);
      const before = dump(join(FIXTURES, variant, 'argybargy.db'));
      const { running, lines } = await startOn(dir);
      t.after(() => running.close());
      const codes = FIXTURE_CODES[variant];

      // One line, naming the directory and the backup, with no code in it.
      assert.equal(lines.length, 1, lines.join('\n'));
      const m = NOTICE.exec(lines[0]);
      assert.ok(m, lines[0]);
      assert.equal(m[1], dir);
      for (const c of Object.values(codes)) assert.ok(!lines[0].includes(c));
      const backup = m[2];
      assert.equal(backups(dir).length, 1);
      assert.equal(join(dir, backups(dir)[0]), backup);
      assert.equal(statSync(backup).mode & 0o777, 0o600);
      assert.deepEqual(dump(backup), before);

      const call = (method: string, path: string, o: Parameters<typeof request>[3] = {}) =>
        request(running.url, method, path, o);

      // The codes agents hold keep working; carol's expiry is compared with the clock.
      for (const name of ['alice', 'bob'] as const) {
        const r = await call('GET', '/whoami', { code: codes[name] });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.body.name, name);
      }
      const carolValid = Date.now() < Date.parse('2026-12-29T17:16:00Z');
      const carol = await call('GET', '/whoami', { code: codes.carol });
      assert.equal(carol.status, carolValid ? 200 : 401, carol.text);

      // History as the original answered it, in every field that is not relative to now.
      const history = await call('GET', '/history?limit=50', { code: codes.bob });
      assert.equal(history.status, 200, history.text);
      const want = expected(variant, 'expected-history-bob.json');
      assert.equal(history.body.room, want.room);
      assert.deepEqual(
        history.body.messages.map((x: any) => pick(x, MESSAGE_FIELDS)),
        want.messages.map((x: any) => pick(x, MESSAGE_FIELDS)),
      );
      assert.deepEqual(history.body.room_status, want.room_status);

      // The admin token of the original's admin.token, and /admin/state as the original answered.
      const token = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
      const state = await call('GET', '/admin/state', { adminToken: token });
      assert.equal(state.status, 200, state.text);
      const ws = expected(variant, 'expected-admin-state.json');
      const codeKeys = ['code', 'name', 'room', 'capabilities', 'created', 'expires'];
      assert.deepEqual(
        state.body.codes.map((c: any) => pick(c, codeKeys)),
        ws.codes.map((c: any) => pick(c, codeKeys)),
      );
      const roomKeys = ['room', 'messages', 'last_seq', 'last_ts', 'status', 'closed_at', 'closed_by'];
      for (const r of ws.rooms) {
        const ours = state.body.rooms.find((x: any) => x.room === r.room);
        assert.deepEqual(pick(ours, roomKeys), pick(r, roomKeys));
      }
      assert.deepEqual(state.body.room_status.quiet, ws.room_status.quiet);
      const key = (x: any) => `${x.room}#${x.seq}`;
      const byKey = new Map(state.body.messages.map((x: any) => [key(x), x]));
      assert.equal(state.body.messages.length, ws.messages.length);
      for (const x of ws.messages) {
        assert.deepEqual(
          pick(byKey.get(key(x)) as any, ['room', ...MESSAGE_FIELDS]),
          pick(x, ['room', ...MESSAGE_FIELDS]),
        );
      }

      // The closed room stays closed.
      const quiet = await call('POST', '/admin/say', {
        adminToken: token,
        body: { room: 'quiet', text: 'still closed?' },
      });
      assert.equal(quiet.status, 200, quiet.text); // the operator may leave a parting note
      const rooms = await call('GET', '/admin/state', { adminToken: token });
      assert.equal(rooms.body.room_status.quiet.status, 'closed');
      assert.equal(rooms.body.room_status.quiet.closed_by, 'titus');

      // Seqs continue, and a cursor an agent held (since=3) still reads from seq 4 on.
      const posted = await call('POST', '/messages', { code: codes.alice, body: { text: 'after the move' } });
      assert.equal(posted.status, 200, posted.text);
      assert.equal(posted.body.message.seq, 5, posted.text);
      const polled = await call('GET', '/messages?since=3&wait=0', { code: codes.bob });
      assert.equal(polled.status, 200, polled.text);
      assert.deepEqual(
        polled.body.messages.map((x: any) => x.seq),
        [4, 5],
      );

      // A claim the original recorded is still held: nobody else can take it.
      const claim = await call('POST', '/messages/1/claim', { code: codes.alice });
      assert.equal(claim.status, 409, claim.text);
      assert.equal(claim.body.claimed_by, 'bob');

      await running.close();

      // A second start finds its own schema: no second adoption, no second backup.
      const again = await startOn(dir);
      t.after(() => again.running.close());
      assert.deepEqual(again.lines, []);
      assert.equal(backups(dir).length, 1);
      const after = await request(again.running.url, 'GET', '/messages?since=4&wait=0', { code: codes.bob });
      assert.deepEqual(
        after.body.messages.map((x: any) => [x.seq, x.text]),
        [[5, 'after the move']],
      );
    });

    test('`argybargy serve` (the built CLI) says it on stderr in one line', async (t) => {
      const dir = copyFixture(t, variant);
      const b = await spawnBridge({ ARGYBARGY_DATA: dir });
      t.after(() => stopProcess(b.child));
      const notices = b.out.stderr.split('\n').filter((l) => l.includes('adopted'));
      assert.equal(notices.length, 1, b.out.stderr);
      assert.match(notices[0], NOTICE);
      const r = await request(b.url, 'GET', '/whoami', { code: FIXTURE_CODES[variant].alice });
      assert.equal(r.status, 200, r.text);
    });

    test('a CLI command on the data directory with no bridge running adopts it too, then `rooms` works', async (t) => {
      const dir = copyFixture(t, variant);
      const invite = await runCli(['invite', '--name', 'dave', '--room', 'build', '--json'], { ARGYBARGY_DATA: dir });
      assert.equal(invite.code, 0, invite.stderr);
      assert.match(invite.stderr.trim(), NOTICE);
      assert.equal(invite.stderr.trim().split('\n').length, 1, invite.stderr);
      assert.equal(backups(dir).length, 1);
      const dave = JSON.parse(invite.stdout).code as string;

      const again = await runCli(['codes', '--json'], { ARGYBARGY_DATA: dir });
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.stderr, '');
      assert.deepEqual(
        JSON.parse(again.stdout)
          .map((c: any) => c.name)
          .sort(),
        ['alice', 'bob', 'carol', 'dave', 'quiet-operator'],
      );

      const b = await spawnBridge({ ARGYBARGY_DATA: dir });
      t.after(() => stopProcess(b.child));
      assert.ok(!b.out.stderr.includes('adopted'), b.out.stderr);
      const rooms = await runCli(['rooms', '--json'], {
        ARGYBARGY_DATA: dir,
        ARGYBARGY_PORT: new URL(b.url).port,
      });
      assert.equal(rooms.code, 0, rooms.stderr);
      const build = JSON.parse(rooms.stdout).find((r: any) => r.room === 'build');
      assert.equal(build.messages, 4);
      assert.equal(build.last_seq, 4);
      const quiet = JSON.parse(rooms.stdout).find((r: any) => r.room === 'quiet');
      assert.equal(quiet.status, 'closed');
      const hello = await request(b.url, 'POST', '/messages', { code: dave, body: { text: 'dave here' } });
      assert.equal(hello.status, 200, hello.text);
      assert.equal(hello.body.message.seq, 5, hello.text);
    });
  });
}

/** Every file of a directory with its bytes. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [f, readFileSync(join(dir, f)).toString('base64')]),
  );
}

async function refused(dir: string): Promise<string> {
  const config = loadConfig({ ARGYBARGY_DATA: dir, ARGYBARGY_PORT: '0', ARGYBARGY_LOG_LEVEL: 'silent' });
  const lines: string[] = [];
  const err = await startServer(config, { logger: false, notice: (l) => lines.push(l) }).then(
    async (r) => {
      await r.close();
      return null;
    },
    (e: Error) => e,
  );
  assert.ok(err, 'the bridge started on a file it cannot read');
  assert.deepEqual(lines, []);
  return err.message;
}

describe('a data directory that is neither ours nor the original', () => {
  const cases: Array<[string, (db: string) => void, RegExp]> = [
    ['a file that is not SQLite', (db) => writeFileSync(db, 'certainly not a database '.repeat(200)), /not a database/],
    [
      'another application’s tables',
      (db) => {
        const d = new Database(db);
        d.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('keep me')");
        d.close();
      },
      /no table codes, messages; tables: notes/,
    ],
    [
      'tables named like the original’s with other columns',
      (db) => {
        const d = new Database(db);
        d.exec('CREATE TABLE codes (token TEXT); CREATE TABLE messages (id INTEGER, body TEXT)');
        d.close();
      },
      /table codes has no column code/,
    ],
  ];
  for (const [what, make, why] of cases) {
    test(`${what}: refused in one line naming the file, and left exactly as it was`, async (t) => {
      const dir = tempDir(t, 'argybargy-foreign-');
      const db = join(dir, 'argybargy.db');
      make(db);
      writeFileSync(join(dir, 'admin.token'), 'sometoken\n', { mode: 0o600 });
      const before = snapshot(dir);

      const message = await refused(dir);
      assert.ok(message.startsWith(`${db} is neither an argybargy database nor one the original`), message);
      assert.match(message, why);
      assert.match(message, /Nothing was changed/);
      assert.equal(message.split('\n').length, 1);
      assert.deepEqual(snapshot(dir), before);

      // Every CLI command that opens the store says the same, without a stack trace.
      const cli = await runCli(['invite', '--name', 'dave'], { ARGYBARGY_DATA: dir });
      assert.equal(cli.code, 1);
      assert.equal(cli.stdout, '');
      assert.equal(cli.stderr, `argybargy: ${message}\n`);
      assert.deepEqual(snapshot(dir), before);
    });
  }
});

describe('adoption is consistent and crash-safe', () => {
  test('what the original left in its write-ahead log is adopted, and its -wal/-shm never pair with the new file', async (t) => {
    const src = copyFixture(t, 'plain');
    const crashed = join(tempDir(t, 'argybargy-crashed-'), 'data');
    const writer = new Database(join(src, 'argybargy.db'));
    writer.pragma('wal_autocheckpoint = 0');
    writer
      .prepare(
        "INSERT INTO messages (room, seq, ts, sender, recipient, text, expects_reply) VALUES ('build', 5, '2026-11-29T18:00:00.250+00:00', 'alice', 'all', 'only in the WAL', 'none')",
      )
      .run();
    // The files as a crash of the original would leave them: the newest message only in -wal.
    cpSync(src, crashed, { recursive: true });
    writer.close();
    assert.ok(existsSync(join(crashed, 'argybargy.db-wal')));
    assert.ok(statSync(join(crashed, 'argybargy.db-wal')).size > 0);

    const { running, lines } = await startOn(crashed);
    t.after(() => running.close());
    assert.match(lines[0] ?? '', /\(4 codes, 6 messages, 3 rooms\)/);
    const backup = /; backup: (\S+)$/.exec(lines[0])?.[1] ?? '';
    assert.equal((dump(backup).messages as unknown[]).length, 6);

    const bob = FIXTURE_CODES.plain.bob;
    const r = await request(running.url, 'GET', '/messages?since=4&wait=0', { code: bob });
    assert.deepEqual(
      r.body.messages.map((x: any) => [x.seq, x.text, x.ts]),
      [[5, 'only in the WAL', '2026-11-29T18:00:00+00:00']],
    );
    const next = await request(running.url, 'POST', '/messages', { code: bob, body: { text: 'six' } });
    assert.equal(next.body.message.seq, 6, next.text);
    await running.close();
    const check = new Database(join(crashed, 'argybargy.db'), { readonly: true });
    assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
    check.close();
  });

  test('an interrupted adoption is retried cleanly: leftovers go, the adoption happens once', async (t) => {
    const dir = copyFixture(t, 'hashed');
    // As a crash part-way through would leave it: the original switched out of WAL
    // mode, a half-built database of a process that is gone, a partial backup, and the
    // empty schema_version an earlier (refusing) start of this bridge created.
    const orig = new Database(join(dir, 'argybargy.db'));
    orig.pragma('journal_mode = DELETE');
    orig.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    orig.close();
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(join(dir, `argybargy.db.adopting-${gone}`), 'half built');
    writeFileSync(join(dir, 'argybargy.db.original-1.0.20261201T000000Z.bak.partial'), 'half copied');

    const { running, lines } = await startOn(dir);
    t.after(() => running.close());
    assert.equal(lines.length, 1);
    assert.match(lines[0], NOTICE);
    assert.equal(backups(dir).length, 1);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes('adopting') || f.endsWith('.partial')),
      [],
    );
    const r = await request(running.url, 'GET', '/whoami', { code: FIXTURE_CODES.hashed.alice });
    assert.equal(r.status, 200, r.text);
  });

  test('while another process holds the original open, nothing is changed and the start is refused', async (t) => {
    const dir = copyFixture(t, 'plain');
    const other = new Database(join(dir, 'argybargy.db'));
    other.pragma('journal_mode = WAL');
    other.prepare('SELECT count(*) FROM codes').get();
    const before = dump(join(dir, 'argybargy.db'));
    const message = await refused(dir);
    assert.match(message, /is in use by another process .*Nothing was changed/);
    assert.equal(backups(dir).length, 0);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes('adopting') || f.endsWith('.partial')),
      [],
    );
    assert.equal(other.pragma('journal_mode', { simple: true }), 'wal');
    other.close();
    assert.deepEqual(dump(join(dir, 'argybargy.db')), before);
  });
});
