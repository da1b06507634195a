import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { startServer } from '../src/app/server.js';
import { loadConfig } from '../src/config.js';
import { hashCode } from '../src/secrets.js';
import { prepareDatabaseFile } from '../src/store/sqlite-adopt.js';
import { request, tempDir } from './helpers.js';
import { BIN, runCli, spawnBridge, startCli, stopProcess } from './support/processes.js';

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

  test('two rows for one code (the same code plain and hashed) keep the first', (t) => {
    const dir = copyFixture(t, 'plain');
    const plain = FIXTURE_CODES.plain.alice;
    const original = new Database(join(dir, 'argybargy.db'));
    original
      .prepare(
        "INSERT INTO codes (code, display, name, room, capabilities, created) VALUES (?, 'masked', 'alice', 'build', '', '2026-11-29T17:20:00+00:00')",
      )
      .run(hashCode(plain));
    original.close();
    assert.ok(prepareDatabaseFile(join(dir, 'argybargy.db')));
    const adopted = new Database(join(dir, 'argybargy.db'), { readonly: true });
    const rows = adopted.prepare("SELECT plain FROM codes WHERE name = 'alice'").all() as { plain: string | null }[];
    adopted.close();
    assert.equal(rows.length, 1);
    assert.equal(rows[0].plain, plain);
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
    // The lock of the process that was killed (its pid is gone): stale, broken.
    writeFileSync(join(dir, 'argybargy.db.adopt.lock'), `${gone}\n`);

    const { running, lines } = await startOn(dir);
    t.after(() => running.close());
    assert.equal(lines.length, 1);
    assert.match(lines[0], NOTICE);
    assert.equal(backups(dir).length, 1);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes('adopt') || f.endsWith('.partial')),
      [],
    );
    const r = await request(running.url, 'GET', '/whoami', { code: FIXTURE_CODES.hashed.alice });
    assert.equal(r.status, 200, r.text);
  });

  test('while a live process holds the adoption lock, a start waits (saying so once), then gives up changing nothing', async (t) => {
    const dir = copyFixture(t, 'plain');
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    t.after(() => holder.kill('SIGKILL'));
    const lock = join(dir, 'argybargy.db.adopt.lock');
    writeFileSync(lock, `${holder.pid}\n`);
    // What that process is writing is its own: never removed by the one that waits.
    writeFileSync(join(dir, `argybargy.db.adopting-${holder.pid}`), 'being built');
    writeFileSync(join(dir, 'argybargy.db.original-1.0.20261201T000000Z.bak.partial'), 'being copied');
    const before = snapshot(dir);
    const lines: string[] = [];
    assert.throws(
      () => prepareDatabaseFile(join(dir, 'argybargy.db'), { waitMs: 600, notice: (l) => lines.push(l) }),
      (e: Error) =>
        e.message ===
        `${join(dir, 'argybargy.db')} is still being adopted by another process (pid ${holder.pid}, see ${lock}); wait for it, or if no other argybargy is running remove ${lock} and start again. Nothing was changed.`,
    );
    assert.deepEqual(lines, [
      `argybargy: waiting for another process (pid ${holder.pid}) to finish adopting the original argybargy 1.0 data in ${dir}…`,
    ]);
    assert.deepEqual(snapshot(dir), before);
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

/** A copy of the plain fixture with `n` more messages (rooms load0…load49), as the original would have stored them. */
function bigOriginal(t: Parameters<typeof tempDir>[0], n: number): string {
  const dir = copyFixture(t, 'plain');
  const db = new Database(join(dir, 'argybargy.db'));
  const insert = db.prepare(
    "INSERT INTO messages (room, seq, ts, sender, recipient, text, expects_reply) VALUES (?, ?, ?, ?, 'all', ?, 'none')",
  );
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const ts = `2026-11-30T${String(Math.floor(i / 3600) % 24).padStart(2, '0')}:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.${String(i % 1_000_000).padStart(6, '0')}+00:00`;
      insert.run(
        `load${i % 50}`,
        Math.floor(i / 50) + 1,
        ts,
        `agent${i % 7}`,
        `message ${i}: ${'lorem ipsum '.repeat(6)}`,
      );
    }
  })();
  db.close();
  return dir;
}

const BIG = 200_000;

/** Files an adoption in progress (or an interrupted one) keeps beside the database. */
const inProgress = (dir: string) =>
  readdirSync(dir).filter((f) => /\.adopting-\d+$|\.bak\.partial$|\.adopt\.lock/.test(f));

describe('adopting a large original', () => {
  test('two processes at once: the second waits for the first, both succeed, one adoption, one backup', async (t) => {
    const dir = bigOriginal(t, BIG);
    const env = { ARGYBARGY_DATA: dir };
    const first = await startCli(['codes', '--json'], env, /^/);
    // The second starts while the first is part-way (its temporary files exist).
    while (inProgress(dir).length === 0 && first.child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
    assert.equal(first.child.exitCode, null, 'the first finished before the second started: make the file larger');
    const second = await runCli(['codes', '--json'], env);
    const firstCode = await first.exited;
    assert.equal(firstCode, 0, first.out.stderr);
    assert.equal(second.code, 0, second.stderr);
    assert.match(
      first.out.stderr,
      /adopted the original argybargy 1\.0 data in .* \(4 codes, 200005 messages, 53 rooms\)/,
    );
    assert.doesNotMatch(second.stderr, /adopted/);
    assert.equal(
      second.stderr,
      `argybargy: waiting for another process (pid ${first.child.pid}) to finish adopting the original argybargy 1.0 data in ${dir}…\n`,
    );
    for (const out of [first.out.stdout, second.stdout]) assert.equal(JSON.parse(out).length, 4);
    assert.equal(backups(dir).length, 1);
    assert.deepEqual(inProgress(dir), []);
    const db = new Database(join(dir, 'argybargy.db'), { readonly: true });
    assert.equal(db.prepare('SELECT count(*) FROM messages').pluck().get(), BIG + 5);
    db.close();
  });

  test('memory stays flat: the rows are streamed, and a line says the adoption is starting', async (t) => {
    const dir = bigOriginal(t, BIG);
    // Peak RSS of a child of the built CLI, as it reports it itself on exit.
    const peak = (data: string) => {
      const hook = `data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss='+process.resourceUsage().maxRSS+'\\n'))`;
      const r = spawnSync(process.execPath, ['--import', hook, BIN, 'codes', '--json'], {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ARGYBARGY_DATA: data },
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      const kb = Number(/^maxrss=(\d+)$/m.exec(r.stderr)?.[1]);
      assert.ok(kb > 0, r.stderr);
      return { mb: kb / 1024, stderr: r.stderr.replace(/^maxrss=\d+\n/m, '') };
    };
    const baseline = peak(tempDir(t, 'argybargy-empty-')).mb;
    const adopted = peak(dir);
    // Holding the 200k rows (~35 MB on disk) as objects took ~180 MB above an empty start; streaming ~60.
    assert.ok(
      adopted.mb - baseline < 110,
      `peak RSS ${adopted.mb.toFixed(0)} MB, ${(adopted.mb - baseline).toFixed(0)} MB above an empty start`,
    );
    const lines = adopted.stderr.trim().split('\n');
    assert.equal(lines.length, 2, adopted.stderr);
    assert.equal(lines[0], `argybargy: adopting the original argybargy 1.0 data in ${dir} (${BIG + 5} messages)…`);
    assert.match(
      lines[1],
      /^argybargy: adopted the original argybargy 1\.0 data in .* \(4 codes, 200005 messages, 53 rooms\)/,
    );
    const db = new Database(join(dir, 'argybargy.db'), { readonly: true });
    assert.equal(db.prepare("SELECT count(*) FROM messages WHERE room LIKE 'load%'").pluck().get(), BIG);
    assert.equal(db.prepare("SELECT count(*) FROM members WHERE room LIKE 'load%'").pluck().get(), 50 * 7);
    assert.deepEqual(db.prepare("SELECT last_seq, message_count FROM rooms WHERE name = 'load0'").get(), {
      last_seq: BIG / 50,
      message_count: BIG / 50,
    });
    db.close();
  });

  test('a bad value in the last row fails the whole streamed adoption before anything changes', async (t) => {
    const dir = bigOriginal(t, 1000);
    const db = new Database(join(dir, 'argybargy.db'));
    db.prepare("UPDATE messages SET ts = 'soon' WHERE id = (SELECT max(id) FROM messages)").run();
    db.close();
    const files = readdirSync(dir).sort();
    const before = dump(join(dir, 'argybargy.db'));
    const message = await refused(dir);
    assert.match(
      message,
      /was written by the original argybargy 1\.0 but cannot be adopted: message load49 #20 has a time that is not ISO-8601 \("soon"\)\. Nothing was changed\./,
    );
    assert.deepEqual(readdirSync(dir).sort(), files);
    assert.deepEqual(dump(join(dir, 'argybargy.db')), before);
    assert.equal(backups(dir).length, 0);
  });
});

/** Runs the built CLI as `nobody` when this is root (setpriv), as itself otherwise; null when neither can lack a permission. */
function asUnprivileged(args: string[], env: Record<string, string>): { code: number; stderr: string } | null {
  const root = process.getuid?.() === 0;
  if (root && !existsSync('/usr/bin/setpriv')) return null;
  const cmd = root
    ? ['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, ...args]
    : [process.execPath, BIN, ...args];
  const r = spawnSync(cmd[0], cmd.slice(1), {
    env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...env },
    encoding: 'utf8',
  });
  return { code: r.status ?? 1, stderr: r.stderr };
}

describe('a refusal names its real cause', () => {
  /** A copy of a fixture that `nobody` (or this user) can read but, as `writable` says, not write. */
  function readOnlyCopy(t: Parameters<typeof tempDir>[0], writable: 'dir' | 'nothing'): string {
    const dir = copyFixture(t, 'plain');
    const root = process.getuid?.() === 0;
    chmodSync(join(dir, '..'), 0o755);
    if (root) {
      if (writable === 'dir') chownSync(dir, 65534, 65534);
      else chmodSync(dir, 0o755);
    } else {
      for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o444);
      if (writable === 'nothing') chmodSync(dir, 0o555);
      t?.after(() => chmodSync(dir, 0o755));
    }
    return dir;
  }

  test('a read-only argybargy.db: not writable, naming the file (not "in use")', (t) => {
    const dir = readOnlyCopy(t, 'dir');
    const before = snapshot(dir);
    const r = asUnprivileged(['codes'], { ARGYBARGY_DATA: dir });
    if (!r) return t.skip('running as root without setpriv');
    assert.equal(r.code, 1);
    const db = join(dir, 'argybargy.db');
    assert.match(r.stderr, new RegExp(`^argybargy: ${db} is not writable for this user \\(uid \\d+\\)`));
    assert.match(r.stderr, /Make it writable \(chown\/chmod\) or run as its owner.*Nothing was changed\.\n$/);
    assert.doesNotMatch(r.stderr, /in use|neither/);
    assert.equal(r.stderr.split('\n').length, 2, r.stderr);
    assert.deepEqual(snapshot(dir), before);
  });

  test('a read-only data directory: not writable, naming the directory (not a raw EACCES)', (t) => {
    const dir = readOnlyCopy(t, 'nothing');
    const before = snapshot(dir);
    const r = asUnprivileged(['codes'], { ARGYBARGY_DATA: dir });
    if (!r) return t.skip('running as root without setpriv');
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^argybargy: ${dir}, the data directory, is not writable for this user`));
    assert.match(r.stderr, /writes a backup and a new database there\. Make it writable/);
    assert.doesNotMatch(r.stderr, /in use|neither|partial/);
    assert.equal(r.stderr.split('\n').length, 2, r.stderr);
    assert.deepEqual(snapshot(dir), before);
  });

  test('the SQLite module failing to load is said as such, not as a foreign file', (t) => {
    const dir = copyFixture(t, 'plain');
    const before = snapshot(dir);
    const hook = "data:text/javascript,process.dlopen=()=>{throw new Error('simulated: wrong NODE_MODULE_VERSION')}";
    const r = spawnSync(process.execPath, ['--import', hook, BIN, 'codes'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ARGYBARGY_DATA: dir },
      encoding: 'utf8',
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `^argybargy: cannot open ${join(dir, 'argybargy.db')}: the SQLite module \\(better-sqlite3\\) failed to load \\(simulated: wrong NODE_MODULE_VERSION\\); reinstall argybargy`,
      ),
    );
    assert.doesNotMatch(r.stderr, /neither|move it away/);
    assert.equal(r.stderr.split('\n').length, 2, r.stderr);
    assert.deepEqual(snapshot(dir), before);
  });
});
