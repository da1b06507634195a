// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the configurations hold ${VAR} placeholders for the clients to expand
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  CLIENTS,
  type ClientId,
  type JsonTarget,
  planConnect,
  type Scope,
  shellQuote,
  type TomlTarget,
  tomlString,
  type Whereabouts,
} from '../../src/cli/mcp-config/clients.js';
import { findFile, modeFor, replaceFile } from '../../src/cli/mcp-config/files.js';
import { mergeJson, mergeToml } from '../../src/cli/mcp-config/merge.js';
import { scanToml, TomlScanError } from '../../src/cli/mcp-config/toml.js';
import { tempDir } from '../helpers.js';

const W: Whereabouts = { home: '/home/me', project: '/work/proj', platform: 'linux', env: {} };
const URL = 'http://127.0.0.1:8765';
const plan = (client: ClientId, scope: Scope, w: Whereabouts = W, name = 'argybargy', envVar = 'ARGYBARGY_CODE') =>
  planConnect({ client, url: URL, name, envVar, scope }, w);
const jsonTarget = (client: ClientId, scope: Scope = 'project') => plan(client, scope).target as JsonTarget;
const tomlTarget = (url = `${URL}/mcp`): TomlTarget => ({
  format: 'toml',
  table: ['mcp_servers', 'argybargy'],
  keys: [
    ['url', url],
    ['bearer_token_env_var', 'ARGYBARGY_CODE'],
  ],
});
const mode = (path: string) => statSync(path).mode & 0o777;
const posix = process.platform !== 'win32';

describe('planConnect: each client’s verified configuration', () => {
  it('Claude Code: .mcp.json (project) with ${VAR} in the header; user scope is its own command only', () => {
    const p = plan('claude', 'project');
    assert.equal(p.file, '/work/proj/.mcp.json');
    assert.deepEqual(JSON.parse(p.snippet), {
      mcpServers: {
        argybargy: {
          type: 'http',
          url: `${URL}/mcp`,
          headers: { Authorization: 'Bearer ${ARGYBARGY_CODE}' },
        },
      },
    });
    assert.equal(
      p.command,
      "claude mcp add --scope project --transport http argybargy http://127.0.0.1:8765/mcp --header 'Authorization: Bearer ${ARGYBARGY_CODE}'",
    );
    assert.equal(p.noWrite, undefined);
    assert.deepEqual(p.secret, { kind: 'env', envVar: 'ARGYBARGY_CODE' });
    const u = plan('claude', 'user');
    assert.equal(u.file, '/home/me/.claude.json');
    assert.match(u.noWrite ?? '', /state file.*claude mcp add --scope user/);
    assert.equal(plan('claude', 'user', { ...W, env: { CLAUDE_CONFIG_DIR: '/cfg' } }).file, '/cfg/.claude.json');
  });

  it('Codex: [mcp_servers.NAME] with url and bearer_token_env_var, in CODEX_HOME or the project', () => {
    const p = plan('codex', 'user');
    assert.equal(p.file, '/home/me/.codex/config.toml');
    assert.equal(
      p.snippet,
      '[mcp_servers.argybargy]\nurl = "http://127.0.0.1:8765/mcp"\nbearer_token_env_var = "ARGYBARGY_CODE"\n',
    );
    assert.equal(
      p.command,
      'codex mcp add argybargy --url http://127.0.0.1:8765/mcp --bearer-token-env-var ARGYBARGY_CODE',
    );
    assert.equal(plan('codex', 'user', { ...W, env: { CODEX_HOME: '/ch' } }).file, '/ch/config.toml');
    const proj = plan('codex', 'project');
    assert.equal(proj.file, '/work/proj/.codex/config.toml');
    assert.equal(proj.command, undefined, 'codex mcp add writes the user file only');
    assert.ok(proj.notes.some((n) => /trusted/.test(n)));
  });

  it('Gemini CLI: mcpServers with type http, url and ${VAR}; user file under GEMINI_CLI_HOME', () => {
    const p = plan('gemini', 'project');
    assert.equal(p.file, '/work/proj/.gemini/settings.json');
    assert.deepEqual(JSON.parse(p.snippet).mcpServers.argybargy, {
      type: 'http',
      url: `${URL}/mcp`,
      headers: { Authorization: 'Bearer ${ARGYBARGY_CODE}' },
    });
    assert.match(
      p.command ?? '',
      /^gemini mcp add --scope project --transport http --header 'Authorization: Bearer \$\{ARGYBARGY_CODE\}' argybargy http/,
    );
    assert.equal(plan('gemini', 'user').file, '/home/me/.gemini/settings.json');
    assert.equal(plan('gemini', 'user', { ...W, env: { GEMINI_CLI_HOME: '/g' } }).file, '/g/.gemini/settings.json');
    assert.ok(
      p.notes.some((n) => /gemini mcp add.*unset/.test(n)),
      'warns that gemini mcp add writes expanded values',
    );
  });

  it('Cursor: mcpServers with url and ${env:VAR}', () => {
    const p = plan('cursor', 'project', W, 'bridge', 'CODER_CODE');
    assert.equal(p.file, '/work/proj/.cursor/mcp.json');
    assert.deepEqual(JSON.parse(p.snippet), {
      mcpServers: { bridge: { url: `${URL}/mcp`, headers: { Authorization: 'Bearer ${env:CODER_CODE}' } } },
    });
    assert.equal(plan('cursor', 'user').file, '/home/me/.cursor/mcp.json');
  });

  it('VS Code: servers with type http and a password input, no environment variable at all', () => {
    const p = plan('vscode', 'project');
    assert.equal(p.file, '/work/proj/.vscode/mcp.json');
    const doc = JSON.parse(p.snippet);
    assert.deepEqual(doc.inputs, [
      {
        type: 'promptString',
        id: 'argybargy-code',
        description: `argybargy access code for ${URL}/mcp`,
        password: true,
      },
    ]);
    assert.deepEqual(doc.servers.argybargy, {
      type: 'http',
      url: `${URL}/mcp`,
      headers: { Authorization: 'Bearer ${input:argybargy-code}' },
    });
    assert.deepEqual(p.secret, { kind: 'prompt' });
    assert.equal(plan('vscode', 'user').file, '/home/me/.config/Code/User/mcp.json');
    assert.equal(plan('vscode', 'user', { ...W, env: { XDG_CONFIG_HOME: '/x' } }).file, '/x/Code/User/mcp.json');
    assert.equal(
      plan('vscode', 'user', { ...W, platform: 'darwin' }).file,
      '/home/me/Library/Application Support/Code/User/mcp.json',
    );
    assert.equal(
      plan('vscode', 'user', { ...W, platform: 'win32', env: { APPDATA: '/appdata' } }).file,
      join('/appdata', 'Code', 'User', 'mcp.json'),
    );
  });

  it('no plan holds anything but the variable’s name, whatever the client and scope', () => {
    for (const client of CLIENTS) {
      for (const scope of ['project', 'user'] as const) {
        const p = plan(client, scope);
        const everything = JSON.stringify(p);
        assert.ok(!/Bearer [A-Za-z0-9_-]{16,}/.test(everything), `${client} ${scope}`);
        assert.ok(p.notes.length > 0);
      }
    }
  });

  it('quotes for the shell only what needs it, and writes TOML strings TOML reads back', () => {
    assert.equal(shellQuote('http://h:1/mcp'), 'http://h:1/mcp');
    assert.equal(shellQuote('a b'), "'a b'");
    assert.equal(shellQuote("it's"), "'it'\\''s'");
    assert.equal(shellQuote('${X}'), "'${X}'");
    assert.equal(tomlString('a"b\\c\nd\u0001'), '"a\\"b\\\\c\\nd\\u0001"');
    const scanned = scanToml(`k = ${tomlString('x"y')}\n`);
    assert.equal(scanned[0].kind === 'pair' && scanned[0].raw, '"x\\"y"');
  });
});

describe('mergeJson', () => {
  const claude = () => jsonTarget('claude');

  it('creates the file from nothing (or a blank file)', () => {
    for (const before of [null, '', '  \n']) {
      const r = mergeJson(before, claude(), 'argybargy', false);
      assert.equal(r.kind, 'write');
      assert.equal(r.kind === 'write' && r.text, plan('claude', 'project').snippet);
      assert.equal(r.kind === 'write' && r.replaced, false);
    }
  });

  it('keeps every other key and server, the indentation and the line endings', () => {
    const before =
      '{\r\n    "mcpServers": {\r\n        "other": { "command": "x" }\r\n    },\r\n    "theme": "dark"\r\n}\r\n';
    const r = mergeJson(before, claude(), 'argybargy', false);
    assert.equal(r.kind, 'write');
    if (r.kind !== 'write') return;
    const doc = JSON.parse(r.text);
    assert.deepEqual(Object.keys(doc), ['mcpServers', 'theme']);
    assert.deepEqual(Object.keys(doc.mcpServers), ['other', 'argybargy']);
    assert.deepEqual(doc.mcpServers.other, { command: 'x' });
    assert.equal(doc.theme, 'dark');
    assert.match(r.text, /^\{\r\n {4}"mcpServers"/);
    assert.ok(!/[^\r]\n/.test(r.text), 'CRLF kept');
  });

  it('is unchanged when the same entry is there (key order aside), a conflict when it differs, replaced with force', () => {
    const same = JSON.stringify({
      mcpServers: {
        argybargy: { headers: { Authorization: 'Bearer ${ARGYBARGY_CODE}' }, url: `${URL}/mcp`, type: 'http' },
      },
    });
    assert.deepEqual(mergeJson(same, claude(), 'argybargy', false), { kind: 'unchanged' });
    assert.deepEqual(mergeJson(same, claude(), 'argybargy', true), { kind: 'unchanged' });
    const other = JSON.stringify({ mcpServers: { argybargy: { type: 'http', url: 'http://old/mcp' }, keep: {} } });
    assert.deepEqual(mergeJson(other, claude(), 'argybargy', false), { kind: 'conflict' });
    const forced = mergeJson(other, claude(), 'argybargy', true);
    assert.equal(forced.kind === 'write' && forced.replaced, true);
    if (forced.kind !== 'write') return;
    const doc = JSON.parse(forced.text);
    assert.deepEqual(Object.keys(doc.mcpServers), ['argybargy', 'keep'], 'replaced in place');
    assert.equal(doc.mcpServers.argybargy.url, `${URL}/mcp`);
  });

  it('leaves alone what it cannot merge without losing something', () => {
    const unreadable = (text: string) => mergeJson(text, claude(), 'argybargy', true).kind;
    assert.equal(unreadable('{ // a comment\n "mcpServers": {} }'), 'unreadable');
    assert.equal(unreadable('{ "mcpServers": {}, }'), 'unreadable');
    assert.equal(unreadable('[]'), 'unreadable');
    assert.equal(unreadable('{ "mcpServers": [] }'), 'unreadable');
    assert.equal(mergeJson('{ "inputs": {} }', jsonTarget('vscode'), 'argybargy', true).kind, 'unreadable');
  });

  it('VS Code: adds the input next to other inputs, and treats a different input of that id as a conflict', () => {
    const t = jsonTarget('vscode');
    const before = JSON.stringify({
      inputs: [{ type: 'promptString', id: 'gh', description: 'GitHub', password: true }],
      servers: { github: { type: 'http', url: 'https://api.githubcopilot.com/mcp' } },
    });
    const r = mergeJson(before, t, 'argybargy', false);
    assert.equal(r.kind, 'write');
    if (r.kind !== 'write') return;
    const doc = JSON.parse(r.text);
    assert.deepEqual(
      doc.inputs.map((i: any) => i.id),
      ['gh', 'argybargy-code'],
    );
    assert.deepEqual(Object.keys(doc.servers), ['github', 'argybargy']);
    assert.deepEqual(mergeJson(r.text, t, 'argybargy', false), { kind: 'unchanged' });
    const clash = JSON.stringify({ inputs: [{ type: 'promptString', id: 'argybargy-code', description: 'old' }] });
    assert.deepEqual(mergeJson(clash, t, 'argybargy', false), { kind: 'conflict' });
    const forced = mergeJson(clash, t, 'argybargy', true);
    assert.equal(forced.kind === 'write' && JSON.parse(forced.text).inputs.length, 1);
  });
});

describe('scanToml', () => {
  it('finds headers and keys, not look-alikes inside strings, arrays or inline tables', () => {
    const text = [
      '\uFEFFtitle = "[mcp_servers.argybargy]"',
      'multi = """',
      '[mcp_servers.argybargy]',
      'url = "x" """',
      "lit = '''",
      "[mcp_servers.argybargy]'''",
      'arr = [',
      '  [1, 2], # a comment',
      '  ["[x]"],',
      ']',
      'inline = { a = 1, "b.c" = { d = [1] } }',
      'when = 1979-05-27 07:32:00Z # a date-time',
      '[ "quoted"."a.b" ] # header comment',
      'x.y = true',
      '[[plugins]]',
      "name = 'p'",
    ].join('\n');
    const s = scanToml(text);
    assert.deepEqual(
      s.map((x) => x.path.join('|')),
      ['title', 'multi', 'lit', 'arr', 'inline', 'when', 'quoted|a.b', 'quoted|a.b|x|y', 'plugins', 'plugins|name'],
    );
    const when = s[5];
    assert.equal(when.kind === 'pair' && when.raw, '1979-05-27 07:32:00Z');
    assert.equal(s[8].kind === 'header' && s[8].array, true);
    assert.equal(s[0].start, 1, 'after the BOM');
  });

  it('refuses what it cannot read', () => {
    for (const bad of ['a = "unterminated', 'a = """never closed', '[table', 'a = [1, 2', 'a = 1 b = 2 = 3', '= 1']) {
      assert.throws(() => scanToml(bad), TomlScanError, bad);
    }
  });
});

describe('mergeToml', () => {
  const t = tomlTarget();
  const ours = '[mcp_servers.argybargy]\nurl = "http://127.0.0.1:8765/mcp"\nbearer_token_env_var = "ARGYBARGY_CODE"\n';

  it('appends the table and leaves every byte before it as it was', () => {
    assert.deepEqual(mergeToml(null, t, false), { kind: 'write', text: ours, replaced: false });
    const before =
      'model = "o3" # trailing comment\n\n[mcp_servers.other]\nurl = "http://x/mcp"\n[mcp_servers]\nfoo = { url = "http://y" }';
    const r = mergeToml(before, t, false);
    assert.equal(r.kind, 'write');
    if (r.kind !== 'write') return;
    assert.ok(r.text.startsWith(before));
    assert.equal(r.text, `${before}\n\n${ours}`);
    const crlf = mergeToml('a = 1\r\n', t, false);
    assert.equal(crlf.kind === 'write' && crlf.text, `a = 1\r\n\r\n${ours.replaceAll('\n', '\r\n')}`);
  });

  it('is unchanged for the same table, a conflict for a different one, and with force cuts the old one out', () => {
    assert.deepEqual(mergeToml(`x = 1\n\n${ours}`, t, false), { kind: 'unchanged' });
    const before = [
      'model = "o3"',
      '[mcp_servers.argybargy]',
      'url = "http://old/mcp"',
      'startup_timeout_sec = 20',
      '',
      '[mcp_servers.argybargy.env_http_headers]',
      'X = "Y"',
      '',
      '# about the next table',
      '[mcp_servers.next]',
      'url = "http://n/mcp"',
      '',
    ].join('\n');
    assert.deepEqual(mergeToml(before, t, false), { kind: 'conflict' });
    const r = mergeToml(before, t, true);
    assert.equal(r.kind, 'write');
    if (r.kind !== 'write') return;
    assert.equal(r.replaced, true);
    assert.equal(
      r.text,
      ['model = "o3"', '# about the next table', '[mcp_servers.next]', 'url = "http://n/mcp"', '', ours].join('\n'),
    );
    assert.equal(
      scanToml(r.text).filter((s) => s.path[0] === 'mcp_servers' && s.path[1] === 'argybargy').length,
      3,
      'one header, two keys',
    );
  });

  it('sees a quoted table name as the same table', () => {
    assert.deepEqual(mergeToml('[mcp_servers."argybargy"]\nurl = "http://old"\n', t, false), { kind: 'conflict' });
    assert.deepEqual(mergeToml("[ 'mcp_servers' . argybargy ]\nurl = 'x'\n", t, false), { kind: 'conflict' });
  });

  it('leaves layouts where appending a [table] could be invalid to be edited by hand', () => {
    const cases = [
      'mcp_servers = { other = { url = "x" } }',
      'mcp_servers.other.url = "x"',
      'mcp_servers.argybargy.url = "x"',
      '[[mcp_servers]]\nurl = "x"',
      'not toml at all = = =',
    ];
    for (const before of cases) {
      for (const force of [false, true]) {
        const r = mergeToml(before, t, force);
        assert.equal(r.kind, 'unreadable', `${before} (force ${force})`);
      }
    }
    // Defined by a key inside [mcp_servers]: exists, so a conflict; with force, not cut out automatically.
    const inline = '[mcp_servers]\nargybargy = { url = "x" }\n';
    assert.deepEqual(mergeToml(inline, t, false), { kind: 'conflict' });
    assert.equal(mergeToml(inline, t, true).kind, 'unreadable');
  });
});

describe('config files on disk', () => {
  it('modeFor keeps the mode, starts user files at 0600 and project files at 0644, and hides a secret', () => {
    assert.equal(modeFor(null, 'user', false), 0o600);
    assert.equal(modeFor(null, 'project', false), 0o644);
    assert.equal(modeFor(0o640, 'project', false), 0o640);
    assert.equal(modeFor(0o644, 'project', true), 0o600);
  });

  it('replaceFile creates directories, keeps a .bak of the previous file and writes through a symlink', {
    skip: !posix && 'POSIX modes and symlinks',
  }, (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'a', 'b', 'mcp.json');
    const first = findFile(file);
    assert.deepEqual(first, { path: file, bytes: null, mode: null });
    assert.equal(replaceFile(first, '{"v":1}\n', 0o600, 0o600), null);
    assert.equal(readFileSync(file, 'utf8'), '{"v":1}\n');
    assert.equal(mode(file), 0o600);

    const second = findFile(file);
    assert.equal(replaceFile(second, '{"v":2}\n', 0o644, 0o600), `${file}.bak`);
    assert.equal(readFileSync(`${file}.bak`, 'utf8'), '{"v":1}\n');
    assert.equal(mode(`${file}.bak`), 0o600);
    assert.equal(mode(file), 0o644);

    const target = join(dir, 'dotfiles', 'settings.json');
    mkdirSync(join(dir, 'dotfiles'));
    writeFileSync(target, '{}\n');
    const link = join(dir, 'settings.json');
    symlinkSync(target, link);
    const found = findFile(link);
    assert.equal(found.path, target);
    replaceFile(found, '{"linked":true}\n', 0o644, 0o644);
    assert.ok(lstatSync(link).isSymbolicLink(), 'the link stays a link');
    assert.equal(readFileSync(target, 'utf8'), '{"linked":true}\n');
  });

  it('replaceFile writes nothing when the file changed since it was read', (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'config.toml');
    writeFileSync(file, 'a = 1\n');
    const found = findFile(file);
    writeFileSync(file, 'a = 2\n');
    assert.throws(() => replaceFile(found, 'a = 3\n', 0o600, 0o600), /changed while/);
    assert.equal(readFileSync(file, 'utf8'), 'a = 2\n');
  });
});
