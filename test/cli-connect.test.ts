// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the configurations hold ${VAR} placeholders for the clients to expand
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { delimiter, join } from 'node:path';
import { describe, it } from 'node:test';
import type { CliIO } from '../src/cli/io.js';
import { post, startBridge, tempDir } from './helpers.js';
import { collectOutput, runCliInProcess } from './support/processes.js';

const ROOT = new URL('..', import.meta.url).pathname;
const posix = process.platform !== 'win32';
const mode = (path: string) => statSync(path).mode & 0o777;

const cli = runCliInProcess;

/** A bridge with an agent, a temporary home and a temporary project. */
async function setup(t: Parameters<typeof tempDir>[0]) {
  const b = await startBridge(t);
  const code = await b.invite('alice', 'build');
  const home = tempDir(t, 'argybargy-home-');
  const project = tempDir(t, 'argybargy-project-');
  const env = { HOME: home, USERPROFILE: home, ARGYBARGY_URL: b.url, ARGYBARGY_CODE: code };
  const connect = (args: string[], extra: Record<string, string> = {}, io: Partial<CliIO> = {}) =>
    cli(['connect', ...args, '--project', project], { ...env, ...extra }, io);
  return { b, code, home, project, env, connect };
}

describe('argybargy connect', () => {
  it('prints each client’s entry, its file and how to set the variable, after checking the code', async (t) => {
    const { code, project, home, connect } = await setup(t);
    const expect: Record<string, [string, RegExp]> = {
      claude: [join(project, '.mcp.json'), /"Authorization": "Bearer \$\{ARGYBARGY_CODE\}"/],
      codex: [join(home, '.codex', 'config.toml'), /bearer_token_env_var = "ARGYBARGY_CODE"/],
      gemini: [join(project, '.gemini', 'settings.json'), /"Authorization": "Bearer \$\{ARGYBARGY_CODE\}"/],
      cursor: [join(project, '.cursor', 'mcp.json'), /"Authorization": "Bearer \$\{env:ARGYBARGY_CODE\}"/],
      vscode: [join(project, '.vscode', 'mcp.json'), /"password": true/],
    };
    for (const [client, [file, entry]] of Object.entries(expect)) {
      const r = await connect([client]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^The code is alice's, in room build \(checked with http:\/\/127\.0\.0\.1:\d+\)\.\n/);
      assert.ok(r.stdout.includes(file), `${client}: names ${file}`);
      assert.match(r.stdout, entry);
      assert.ok(!r.stdout.includes(code), `${client}: the code is never printed`);
      assert.ok(!existsSync(file), `${client}: nothing written without --write`);
      if (client !== 'vscode') assert.match(r.stdout, /read -rs ARGYBARGY_CODE && export ARGYBARGY_CODE/);
    }
  });

  it('--write merges into each client’s file, keeping what was there; again is a no-op; --force replaces with a .bak', async (t) => {
    const { code, project, home, connect } = await setup(t);
    // Files that already hold other settings.
    mkdirSync(join(project, '.cursor'));
    writeFileSync(
      join(project, '.cursor', 'mcp.json'),
      '{\n    "mcpServers": { "other": { "url": "http://o/mcp" } }\n}\n',
    );
    mkdirSync(join(home, '.codex'));
    writeFileSync(join(home, '.codex', 'config.toml'), 'model = "o3"\n\n[mcp_servers.other]\nurl = "http://o/mcp"\n');
    const files = {
      claude: join(project, '.mcp.json'),
      codex: join(home, '.codex', 'config.toml'),
      gemini: join(project, '.gemini', 'settings.json'),
      cursor: join(project, '.cursor', 'mcp.json'),
      vscode: join(project, '.vscode', 'mcp.json'),
    };
    for (const [client, file] of Object.entries(files)) {
      const r = await connect([client, '--write']);
      assert.equal(r.code, 0, `${client}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`Added the argybargy server in ${file.replaceAll('.', '\\.')}`));
      const text = readFileSync(file, 'utf8');
      assert.ok(!text.includes(code), `${client}: no code in the file`);
      assert.match(text, /127\.0\.0\.1:\d+\/mcp/);
      const again = await connect([client, '--write']);
      assert.equal(again.code, 0);
      assert.match(again.stdout, /already has this argybargy server; nothing changed/);
      assert.equal(readFileSync(file, 'utf8'), text);
    }
    assert.deepEqual(Object.keys(JSON.parse(readFileSync(files.cursor, 'utf8')).mcpServers), ['other', 'argybargy']);
    assert.match(readFileSync(files.cursor, 'utf8'), /^\{\n {4}"mcpServers"/, 'indentation kept');
    assert.match(
      readFileSync(files.codex, 'utf8'),
      /^model = "o3"\n\n\[mcp_servers\.other\]\nurl = "http:\/\/o\/mcp"\n\n\[mcp_servers\.argybargy\]\n/,
    );
    if (posix) {
      assert.equal(mode(files.claude), 0o644, 'a new project file is shareable (it holds no secret)');
      assert.equal(mode(files.gemini), 0o644);
    }

    // The same name pointing elsewhere: refused, untouched; --force replaces it and keeps a .bak.
    const before = readFileSync(files.claude, 'utf8');
    const moved = await connect(['claude', '--write', '--offline'], { ARGYBARGY_URL: 'http://bridge.example:8765' });
    assert.equal(moved.code, 1);
    assert.match(moved.stderr, /already has a different server named argybargy; pass --force/);
    assert.equal(readFileSync(files.claude, 'utf8'), before);
    const forced = await connect(['claude', '--write', '--force', '--offline'], {
      ARGYBARGY_URL: 'http://bridge.example:8765',
    });
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /Replaced the argybargy server .*previous file is kept as .*\.mcp\.json\.bak/);
    assert.equal(readFileSync(`${files.claude}.bak`, 'utf8'), before);
    assert.equal(
      JSON.parse(readFileSync(files.claude, 'utf8')).mcpServers.argybargy.url,
      'http://bridge.example:8765/mcp',
    );

    // User scope, another name and variable: a second agent next to the first.
    const second = await connect(
      ['gemini', '--write', '--scope', 'user', '--name', 'coder', '--code-env', 'CODER_CODE'],
      {
        CODER_CODE: code,
      },
    );
    assert.equal(second.code, 0, second.stderr);
    const userFile = join(home, '.gemini', 'settings.json');
    assert.deepEqual(JSON.parse(readFileSync(userFile, 'utf8')).mcpServers.coder.headers, {
      Authorization: 'Bearer ${CODER_CODE}',
    });
    if (posix) assert.equal(mode(userFile), 0o600, 'a new file in the home directory is private');
  });

  it('Codex: a different entry of the same name must be removed first, --force or not; the TOML file is never rewritten', async (t) => {
    const { home, project, connect } = await setup(t);
    const file = join(home, '.codex', 'config.toml');
    mkdirSync(join(home, '.codex'));
    const before = '# mine\r\nmodel = "o3"\r\n\r\n[mcp_servers."argybargy"] # old\r\nurl = "http://old/mcp"\r\n';
    writeFileSync(file, before);
    for (const extra of [[], ['--force']]) {
      const r = await connect(['codex', '--write', ...extra]);
      assert.equal(r.code, 1, extra.join(' '));
      assert.match(r.stderr, /already has a different server named argybargy, so nothing was written/);
      assert.match(
        r.stderr,
        /Remove it first with 'codex mcp remove argybargy' or delete its \[mcp_servers\.argybargy\] table and its \[mcp_servers\.argybargy\.tools\.\*\] tables from the file by hand, then run this again/,
      );
      assert.equal(r.stderr.trim().split('\n').length, 1);
      assert.equal(readFileSync(file, 'utf8'), before);
      assert.ok(!existsSync(`${file}.bak`));
    }
    assert.match((await connect(['codex', '--write', '--force'])).stderr, /--force does not replace it in a TOML file/);
    // The project's file has no command of Codex's to edit it: by hand only.
    mkdirSync(join(project, '.codex'));
    writeFileSync(join(project, '.codex', 'config.toml'), before);
    const proj = await connect(['codex', '--write', '--scope', 'project']);
    assert.match(
      proj.stderr,
      /Remove it first: delete its \[mcp_servers\.argybargy\] table and its \[mcp_servers\.argybargy\.tools\.\*\] tables from the file by hand/,
    );
    // Not TOML: left alone, with the parser's message (not the file's text).
    writeFileSync(file, 'model = "o3\n');
    const bad = await connect(['codex', '--write']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /was left alone: it is not valid TOML \(.* at line 1, column \d+\)\. Run without --write/);
  });

  it('checks the code first: a wrong one writes nothing and says how to skip the check', async (t) => {
    const { project, connect } = await setup(t);
    const r = await connect(['claude', '--write'], { ARGYBARGY_CODE: 'not-a-real-code' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^argybargy: Missing, unknown, revoked or expired access code/);
    assert.match(r.stderr, /GET http:\/\/127\.0\.0\.1:\d+\/whoami; nothing was written\. --offline skips the check/);
    assert.equal(r.stdout, '');
    assert.ok(!existsSync(join(project, '.mcp.json')));
    const down = await connect(['codex'], { ARGYBARGY_URL: 'http://127.0.0.1:1' });
    assert.equal(down.code, 1);
    assert.match(down.stderr, /no bridge is answering at http:\/\/127\.0\.0\.1:1/);
    const offline = await connect(['codex', '--offline'], { ARGYBARGY_URL: 'http://127.0.0.1:1', ARGYBARGY_CODE: '' });
    assert.equal(offline.code, 0, offline.stderr);
    assert.match(offline.stdout, /^The code was not checked \(--offline\)\./);
    assert.match(offline.stdout, /Set ARGYBARGY_CODE in the shell you start codex from/);
  });

  it('takes the code from a hidden prompt on a terminal, or refuses without one', async (t) => {
    const { code, connect } = await setup(t);
    const asked: string[] = [];
    const typed = await connect(
      ['cursor'],
      { ARGYBARGY_CODE: '' },
      {
        askSecret: async (q) => {
          asked.push(q);
          return `  ${code}  `;
        },
      },
    );
    assert.equal(typed.code, 0, typed.stderr);
    assert.deepEqual(asked, ['Access code for ARGYBARGY_CODE (typing is hidden): ']);
    assert.match(typed.stdout, /alice's/);
    assert.match(typed.stdout, /Set ARGYBARGY_CODE in the shell you start cursor from/);
    const cancelled = await connect(['cursor'], { ARGYBARGY_CODE: '' }, { askSecret: async () => null });
    assert.equal(cancelled.code, 1);
    const none = await connect(['cursor'], { ARGYBARGY_CODE: '' });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /set ARGYBARGY_CODE, pipe the code in with --code-stdin, or run it in a terminal/);
  });

  it('reads the code from standard input with --code-stdin (a real process and pipe)', async (t) => {
    const { b, code, project, home } = await setup(t);
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'src/cli/main.ts'),
        'connect',
        'vscode',
        '--write',
        '--code-stdin',
        '--project',
        project,
      ],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: home, ARGYBARGY_URL: b.url },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    const out = collectOutput(child);
    child.stdin.end(`${code}\n`);
    const exit = await new Promise<number>((r) => child.on('exit', (c) => r(c ?? 1)));
    assert.equal(exit, 0, out.stderr);
    assert.match(out.stdout, /alice's/);
    assert.ok(!out.stdout.includes(code));
    const doc = JSON.parse(readFileSync(join(project, '.vscode', 'mcp.json'), 'utf8'));
    assert.equal(doc.servers.argybargy.headers.Authorization, 'Bearer ${input:argybargy-code}');
    assert.equal(doc.inputs[0].password, true);
  });

  it('makes a file that ends up holding the code readable only by its owner, and its backup too', {
    skip: !posix && 'POSIX modes',
  }, async (t) => {
    const { code, project, connect } = await setup(t);
    const file = join(project, '.cursor', 'mcp.json');
    mkdirSync(join(project, '.cursor'));
    const before = JSON.stringify({
      mcpServers: { pasted: { url: 'http://x/mcp', headers: { Authorization: `Bearer ${code}` } } },
    });
    writeFileSync(file, before, { mode: 0o644 });
    const r = await connect(['cursor', '--write']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /holds this code in plain text elsewhere; it is now readable only by you/);
    assert.match(r.stdout, /\.bak holds this code in plain text/);
    assert.equal(mode(file), 0o600);
    assert.equal(mode(`${file}.bak`), 0o600);
    assert.ok(!r.stdout.includes(code));
  });

  it('refuses what it must not do, in one line', async (t) => {
    const { project, connect } = await setup(t);
    const cases: [string[], number, RegExp][] = [
      [['windsurf'], 2, /unknown client 'windsurf'; choose one of: claude, codex, gemini, cursor, vscode/],
      [['claude', '--scope', 'global'], 2, /--scope takes project or user/],
      [['claude', '--name', 'a.b'], 2, /--name takes a letter/],
      [['claude', '--code-env', 'A-B'], 2, /--code-env takes an environment variable name/],
      [['claude', '--force'], 2, /--force only applies with --write/],
      [['claude', '--url', 'http://u:p@h'], 2, /without credentials/],
      [['claude', '--url', 'ftp://h'], 2, /http or https/],
      [
        ['claude', '--write', '--scope', 'user'],
        1,
        /state file.*claude mcp add --scope user --transport http argybargy/,
      ],
    ];
    for (const [args, exit, message] of cases) {
      const r = await connect(args);
      assert.equal(r.code, exit, args.join(' '));
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, args.join(' '));
    }
    mkdirSync(join(project, '.gemini'));
    writeFileSync(join(project, '.gemini', 'settings.json'), '{ // my settings\n  "theme": "dark" }\n');
    const jsonc = await connect(['gemini', '--write']);
    assert.equal(jsonc.code, 1);
    assert.match(jsonc.stderr, /was left alone: it is not plain JSON .* Run without --write to see the entry/);
    const help = await cli(['--help'], {});
    assert.match(help.stdout, /connect \[options\] <client>/);
    assert.match((await cli(['connect', '--help'], {})).stdout, /--code-stdin/);
  });

  it('invite and room print MCP lines that read the code from the environment, never the code itself', async (t) => {
    const { b } = await setup(t);
    const env = { ARGYBARGY_DATA: b.dir, ARGYBARGY_PORT: new URL(b.url).port };
    const r = await cli(['invite', '--name', 'bob', '--room', 'build'], env);
    assert.equal(r.code, 0, r.stderr);
    const code = /^ {2}(\S+)$/m.exec(r.stdout)?.[1] ?? '';
    assert.ok(code.length >= 20);
    const lines = r.stdout.slice(r.stdout.indexOf('Or connect an MCP-speaking agent:'));
    assert.match(lines, /--header 'Authorization: Bearer \$\{ARGYBARGY_CODE\}'/);
    assert.match(lines, /--bearer-token-env-var ARGYBARGY_CODE/);
    assert.ok(!lines.includes(code));
    const room = await cli(['room', 'ops'], env);
    const part = room.stdout.slice(
      room.stdout.indexOf('as an MCP server:'),
      room.stdout.indexOf('Or paste this brief'),
    );
    assert.match(part, /argybargy connect/);
    assert.ok(!/Bearer [A-Za-z0-9_-]{20,}/.test(part));
  });
});

/**
 * The real clients, where they are installed: each reads the file `connect --write`
 * made. They are looked for in ARGYBARGY_TEST_CLIENTS (directories, separated like
 * PATH) and in node_modules/.bin; a client that is not there is skipped, except
 * with CI=true (.ci/run installs them), where its test fails instead.
 */
function missing(bin: string | null, name: string): string | false {
  if (bin) return false;
  if (process.env.CI) {
    throw new Error(`${name} is not installed (ARGYBARGY_TEST_CLIENTS), and CI=true skips nothing: see .ci/run`);
  }
  return `${name} not installed (set ARGYBARGY_TEST_CLIENTS to the directory of its executable)`;
}

function clientBin(name: string): string | null {
  const dirs = [...(process.env.ARGYBARGY_TEST_CLIENTS ?? '').split(delimiter), join(ROOT, 'node_modules', '.bin')];
  for (const d of dirs.filter(Boolean)) {
    if (existsSync(join(d, name))) return join(d, name);
  }
  return null;
}

/**
 * A stand-in for the model behind `codex exec` (the Responses API, streamed): its first
 * answer calls each of `calls` (tools of the MCP server `server`, as Codex lists them:
 * the namespace `mcp__<server>`), its second says "done". `outputs` then holds what
 * Codex sent back for each call, by tool name. No model, account or network needed.
 */
async function stubModel(t: { after: (fn: () => unknown) => void }, server: string, calls: [string, object][]) {
  const outputs = new Map<string, string>();
  const text = (o: unknown) =>
    typeof o === 'string' ? o : Array.isArray(o) ? o.map((p: { text?: string }) => p.text ?? '').join('\n') : '';
  const http = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/responses')) return void res.writeHead(404).end('{}');
      const input: { type: string; call_id?: string; output?: unknown }[] = JSON.parse(body).input ?? [];
      const returned = input.filter((i) => i.type === 'function_call_output');
      for (const r of returned) outputs.set(calls[Number(r.call_id?.slice(5))]?.[0] ?? '?', text(r.output));
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const send = (e: { type: string; [key: string]: unknown }) =>
        res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
      send({ type: 'response.created', response: { id: 'r' } });
      const items =
        returned.length === 0
          ? calls.map(([name, args], i) => ({
              type: 'function_call',
              namespace: `mcp__${server}`,
              name,
              arguments: JSON.stringify(args),
              call_id: `call_${i}`,
            }))
          : [{ type: 'message', role: 'assistant', id: 'm', content: [{ type: 'output_text', text: 'done' }] }];
      for (const item of items) send({ type: 'response.output_item.done', item });
      const usage = { input_tokens: 1, output_tokens: 1, total_tokens: 2 };
      send({ type: 'response.completed', response: { id: 'r', usage } });
      res.end();
    });
  });
  await new Promise<void>((done) => http.listen(0, '127.0.0.1', done));
  t.after(() => http.close());
  const provider = [
    'model="stub"',
    'model_provider="stub"',
    'model_providers.stub.name="stub"',
    `model_providers.stub.base_url="http://127.0.0.1:${(http.address() as AddressInfo).port}/v1"`,
    'model_providers.stub.wire_api="responses"',
    'model_providers.stub.env_key="STUB_MODEL_KEY"',
    'check_for_update_on_startup=false',
  ];
  return { outputs, config: provider.flatMap((c) => ['-c', c]) };
}

/** Runs a client (asynchronously: the bridge it talks to runs in this process). */
function runClient(bin: string, args: string[], cwd: string, env: Record<string, string>) {
  return new Promise<{ code: number; out: string }>((resolve) => {
    const child = spawn(bin, args, {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (c) => {
      clearTimeout(timer);
      resolve({ code: c ?? 1, out });
    });
  });
}

describe('the real clients read what connect writes', () => {
  const claude = clientBin('claude');
  const codex = clientBin('codex');
  const gemini = clientBin('gemini');

  it('Claude Code connects through .mcp.json with the code from the environment', {
    skip: missing(claude, 'claude'),
  }, async (t) => {
    const { code, home, project, connect } = await setup(t);
    assert.equal((await connect(['claude', '--write'])).code, 0);
    // Approve the project's .mcp.json server, as answering Claude Code's first-run question would.
    const dir = realpathSync(project);
    writeFileSync(
      join(home, '.claude.json'),
      JSON.stringify({ projects: { [dir]: { hasTrustDialogAccepted: true, enabledMcpjsonServers: ['argybargy'] } } }),
    );
    const env = { HOME: home, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' };
    const ok = await runClient(claude as string, ['mcp', 'list'], dir, { ...env, ARGYBARGY_CODE: code });
    assert.match(ok.out, /argybargy: http:\/\/127\.0\.0\.1:\d+\/mcp \(HTTP\) - ✔ Connected/, ok.out);
    const wrong = await runClient(claude as string, ['mcp', 'list'], dir, { ...env, ARGYBARGY_CODE: 'wrong' });
    assert.match(wrong.out, /argybargy: .*Failed to connect.*401/, wrong.out);
  });

  it('Codex parses config.toml with the url and the variable; codex mcp remove takes the tool tables too', {
    skip: missing(codex, 'codex'),
  }, async (t) => {
    const { home, project, connect } = await setup(t);
    const codexHome = join(home, 'codex-home');
    mkdirSync(codexHome);
    writeFileSync(join(codexHome, 'config.toml'), 'model = "o3"\n\n[mcp_servers.other]\nurl = "http://o/mcp"\n');
    assert.equal((await connect(['codex', '--write'], { CODEX_HOME: codexHome })).code, 0);
    const r = await runClient(codex as string, ['mcp', 'list', '--json'], project, {
      HOME: home,
      CODEX_HOME: codexHome,
    });
    assert.equal(r.code, 0, r.out);
    const list = JSON.parse(r.out.slice(r.out.indexOf('[')));
    const entry = list.find((s: any) => s.name === 'argybargy');
    assert.match(entry.transport.url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    assert.equal(entry.transport.bearer_token_env_var, 'ARGYBARGY_CODE');
    assert.ok(list.some((s: any) => s.name === 'other'));

    // Pointed elsewhere: refused even with --force; the command it names makes room, and then it is added.
    const moved = { CODEX_HOME: codexHome, ARGYBARGY_URL: 'http://bridge.example:8765' };
    const refused = await connect(['codex', '--write', '--force', '--offline'], moved);
    assert.equal(refused.code, 1);
    const remove = /'(codex mcp remove argybargy)'/.exec(refused.stderr)?.[1].split(' ') ?? [];
    assert.equal(remove.length, 4, refused.stderr);
    const removed = await runClient(codex as string, remove.slice(1), project, { HOME: home, CODEX_HOME: codexHome });
    assert.equal(removed.code, 0, removed.out);
    const left = readFileSync(join(codexHome, 'config.toml'), 'utf8');
    assert.ok(!left.includes('argybargy'), `codex mcp remove takes the tool tables too:\n${left}`);
    const added = await connect(['codex', '--write', '--offline'], moved);
    assert.equal(added.code, 0, added.stderr);
    const again = await runClient(codex as string, ['mcp', 'list', '--json'], project, {
      HOME: home,
      CODEX_HOME: codexHome,
    });
    const after = JSON.parse(again.out.slice(again.out.indexOf('[')));
    assert.equal(after.find((s: any) => s.name === 'argybargy').transport.url, 'http://bridge.example:8765/mcp');
    assert.ok(after.some((s: any) => s.name === 'other'));
  });

  it('Codex calls every tool of the bridge without asking, where its approval gate stops them otherwise (codex exec)', {
    skip: missing(codex, 'codex'),
  }, async (t) => {
    const { b, code, home, project, connect } = await setup(t);
    const bob = await b.invite('bob', 'build');
    await post(b, bob, 'anyone there?', { to: 'alice', expects_reply: 'anyone' });
    const calls: [string, object][] = [
      ['wait_for_messages', { wait_seconds: 1 }],
      ['claim', { seq: 1 }],
      ['thread', { seq: 1 }],
      ['send', { text: 'hello from codex', to: 'bob' }],
      ['whoami', {}],
      ['peers', {}],
      ['history', {}],
    ];
    // What connect approves is every tool the bridge has, no more.
    const listed = await b.call('POST', '/mcp', {
      code,
      headers: { accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' },
      body: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
    });
    assert.equal(listed.status, 200, listed.text);
    const tools = JSON.parse(listed.text.slice(listed.text.indexOf('{'))).result.tools.map((x: any) => x.name);
    assert.deepEqual(tools.sort(), calls.map(([name]) => name).sort());

    const exec = async (codexHome: string, config: string[]) =>
      runClient(
        codex as string,
        ['exec', '--skip-git-repo-check', ...config, '-c', 'approval_policy="never"', 'use the bridge'],
        project,
        { HOME: home, CODEX_HOME: codexHome, ARGYBARGY_CODE: code, STUB_MODEL_KEY: 'none' },
      );
    // Codex's gate, as the real-client run met it: every MCP call needs approval, which
    // codex exec cannot ask for (interactive Codex asks each time). In a fresh CODEX_HOME
    // Codex's automatic mode lets these tools through on their annotations, so the
    // server-wide default turns the gate on here; a per-tool approval_mode overrides it.
    const gate = ['-c', 'mcp_servers.argybargy.default_tools_approval_mode="prompt"'];

    // Without connect's tool tables (what 'codex mcp add' writes): every call refused.
    const bare = join(home, 'codex-bare');
    mkdirSync(bare);
    const url = `${b.url}/mcp`;
    writeFileSync(
      join(bare, 'config.toml'),
      `[mcp_servers.argybargy]\nurl = "${url}"\nbearer_token_env_var = "ARGYBARGY_CODE"\n`,
    );
    const refused = await stubModel(t, 'argybargy', calls);
    const r1 = await exec(bare, [...refused.config, ...gate]);
    assert.equal(r1.code, 0, r1.out);
    assert.equal(refused.outputs.size, calls.length, r1.out);
    for (const [name, out] of refused.outputs) {
      assert.match(out, /MCP tool call requires approval, but approval policy is never/, name);
    }

    // With the file connect --write makes: every call reaches the bridge.
    const codexHome = join(home, 'codex-home');
    mkdirSync(codexHome);
    assert.equal((await connect(['codex', '--write'], { CODEX_HOME: codexHome })).code, 0);
    const approved = await stubModel(t, 'argybargy', calls);
    const r2 = await exec(codexHome, [...approved.config, ...gate]);
    assert.equal(r2.code, 0, r2.out);
    assert.equal(approved.outputs.size, calls.length, r2.out);
    for (const [name, out] of approved.outputs) assert.doesNotMatch(out, /requires approval/, `${name}: ${out}`);
    assert.match(approved.outputs.get('wait_for_messages') ?? '', /anyone there\?/);
    assert.match(approved.outputs.get('whoami') ?? '', /"name":"alice"/);
    assert.match(approved.outputs.get('claim') ?? '', /"won":true/);
    const seen = await b.call('GET', '/history', { code: bob });
    const texts = seen.body.messages.map((m: { from: string; text: string }) => `${m.from}: ${m.text}`);
    assert.deepEqual(texts, ['bob: anyone there?', 'alice: hello from codex']);
  });

  it('Gemini CLI connects through .gemini/settings.json with the code from the environment', {
    skip: missing(gemini, 'gemini'),
  }, async (t) => {
    const { code, home, project, connect } = await setup(t);
    assert.equal((await connect(['gemini', '--write'])).code, 0);
    const env = { HOME: home, GEMINI_CLI_TRUST_WORKSPACE: 'true' };
    const ok = await runClient(gemini as string, ['mcp', 'list'], project, { ...env, ARGYBARGY_CODE: code });
    assert.match(ok.out, /✓ argybargy: http:\/\/127\.0\.0\.1:\d+\/mcp \(http\) - Connected/, ok.out);
    const wrong = await runClient(gemini as string, ['mcp', 'list'], project, { ...env, ARGYBARGY_CODE: 'wrong' });
    assert.match(wrong.out, /✗ argybargy: .* - Disconnected/, wrong.out);
  });
});
