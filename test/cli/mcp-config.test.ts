// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the configurations hold ${VAR} placeholders for the clients to expand
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseToml } from 'smol-toml';
import {
  CLIENTS,
  type ClientId,
  CODEX_APPROVED_TOOLS,
  type JsonTarget,
  planConnect,
  type Scope,
  shellQuote,
  type TomlTarget,
  tomlSnippet,
  type Whereabouts,
} from '../../src/cli/mcp-config/clients.js';
import { findFile, modeFor, replaceFile } from '../../src/cli/mcp-config/files.js';
import { mergeJson, mergeToml } from '../../src/cli/mcp-config/merge.js';
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

  it('Codex: [mcp_servers.NAME] with url and bearer_token_env_var, and every tool approved, in CODEX_HOME or the project', () => {
    const p = plan('codex', 'user');
    assert.equal(p.file, '/home/me/.codex/config.toml');
    const approved = CODEX_APPROVED_TOOLS.map(
      (tool) => `\n[mcp_servers.argybargy.tools.${tool}]\napproval_mode = "approve"\n`,
    ).join('');
    assert.equal(
      p.snippet,
      `[mcp_servers.argybargy]\nurl = "http://127.0.0.1:8765/mcp"\nbearer_token_env_var = "ARGYBARGY_CODE"\n${approved}`,
    );
    assert.deepEqual(
      [...CODEX_APPROVED_TOOLS].sort(),
      ['claim', 'history', 'peers', 'send', 'thread', 'wait_for_messages', 'whoami'],
      'the tools an agent in a room must use without a click',
    );
    assert.deepEqual(JSON.parse(JSON.stringify(parseToml(p.snippet))), {
      mcp_servers: {
        argybargy: {
          url: `${URL}/mcp`,
          bearer_token_env_var: 'ARGYBARGY_CODE',
          tools: Object.fromEntries(CODEX_APPROVED_TOOLS.map((tool) => [tool, { approval_mode: 'approve' }])),
        },
      },
    });
    assert.equal(
      p.command,
      'codex mcp add argybargy --url http://127.0.0.1:8765/mcp --bearer-token-env-var ARGYBARGY_CODE',
    );
    // The notes say what the approval tables do, why, how to undo them, and that codex mcp add cannot make them.
    assert.ok(
      p.notes.some((n) => /tools\.\*\] tables approve .*without asking.*codex exec.*delete those tables/.test(n)),
    );
    assert.ok(p.notes.some((n) => /'codex mcp add' cannot approve tools.*connect codex --write/.test(n)));
    assert.equal(plan('codex', 'user', { ...W, env: { CODEX_HOME: '/ch' } }).file, '/ch/config.toml');
    const proj = plan('codex', 'project');
    assert.equal(proj.file, '/work/proj/.codex/config.toml');
    assert.equal(p.removeCommand, 'codex mcp remove argybargy');
    assert.equal(proj.command, undefined, 'codex mcp add writes the user file only');
    assert.equal(proj.removeCommand, undefined, 'codex mcp remove edits the user file only');
    assert.ok(proj.notes.some((n) => /trusted/.test(n)));
    assert.equal(proj.snippet, p.snippet, 'the same entry, approvals too');
    const readme = readFileSync(new globalThis.URL('../../README.md', import.meta.url), 'utf8');
    const shown = planConnect(
      { client: 'codex', url: '<URL>', name: 'argybargy', envVar: 'ARGYBARGY_CODE', scope: 'user' },
      W,
    );
    assert.ok(readme.includes(`\`\`\`toml\n${shown.snippet}\`\`\``), 'README shows exactly what connect codex writes');
    assert.ok(proj.notes.some((n) => /delete those tables/.test(n)));
    assert.ok(!proj.notes.some((n) => /codex mcp add/.test(n)), 'no command to warn about in a project');
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
    const awkward = "x\"y\\z\n\t\u0001\u007f é ${A} 'q' #h";
    const snippet = tomlSnippet({ format: 'toml', table: ['mcp_servers', 'a-b_c'], keys: [['url', awkward]] });
    assert.ok(snippet.startsWith('[mcp_servers.a-b_c]\nurl = "'), snippet);
    assert.equal(snippet.split('\n').length, 3, 'no raw line break in a value');
    assert.deepEqual(JSON.parse(JSON.stringify(parseToml(snippet))), { mcp_servers: { 'a-b_c': { url: awkward } } });
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

describe('mergeToml', () => {
  const t = tomlTarget();
  const ours = '[mcp_servers.argybargy]\nurl = "http://127.0.0.1:8765/mcp"\nbearer_token_env_var = "ARGYBARGY_CODE"\n';
  const write = (before: string | null, force = false) => {
    const r = mergeToml(before, t, force);
    assert.equal(r.kind, 'write', JSON.stringify(r));
    return r.kind === 'write' ? r.text : '';
  };

  it('writes the table alone where there is no file, or a blank one', () => {
    assert.deepEqual(mergeToml(null, t, false), { kind: 'write', text: ours, replaced: false });
    assert.equal(write(''), ours);
    assert.equal(write('\n'), `\n${ours}`);
  });

  it('appends the table after a blank line, every byte before it kept, other servers and settings too', () => {
    const before =
      '# my settings\nmodel = "o3" # trailing comment\n\n[mcp_servers.other]\nurl = "http://x/mcp"\n[mcp_servers]\nfoo = { url = "http://y" }';
    const text = write(before);
    assert.equal(text, `${before}\n\n${ours}`);
    const doc = parseToml(text) as any;
    assert.deepEqual(Object.keys(doc.mcp_servers), ['other', 'foo', 'argybargy']);
    assert.equal(doc.mcp_servers.other.url, 'http://x/mcp');
    assert.equal(doc.model, 'o3');
    assert.equal(write('a = 1\n\n'), `a = 1\n\n${ours}`, 'no second blank line');
    assert.equal(write('a = 1 # no newline at the end'), `a = 1 # no newline at the end\n\n${ours}`);
  });

  it('keeps CRLF line endings, in the table it adds too', () => {
    const before = 'a = 1\r\n[mcp_servers.other]\r\nurl = "http://x/mcp"\r\n';
    assert.equal(write(before), `${before}\r\n${ours.replaceAll('\n', '\r\n')}`);
  });

  it('adds a table next to servers written with dotted keys or inside a [mcp_servers] table', () => {
    for (const before of [
      'mcp_servers.other.url = "http://x/mcp"\n',
      '[mcp_servers]\nother = { url = "http://x/mcp" }\n',
      'mcp_servers.other = { url = "http://x/mcp" }\n',
    ]) {
      const doc = parseToml(write(before)) as any;
      assert.equal(doc.mcp_servers.other.url, 'http://x/mcp', before);
      assert.equal(doc.mcp_servers.argybargy.bearer_token_env_var, 'ARGYBARGY_CODE', before);
    }
  });

  it('is unchanged for the same entry however it is written, with or without force', () => {
    const same = [
      `x = 1\n\n${ours}`,
      ours.replaceAll('\n', '\r\n'),
      "[ 'mcp_servers' . \"argybargy\" ] # ours\nbearer_token_env_var = 'ARGYBARGY_CODE'\nurl = 'http://127.0.0.1:8765/mcp'\n",
      'mcp_servers = { argybargy = { url = "http://127.0.0.1:8765/mcp", bearer_token_env_var = "ARGYBARGY_CODE" } }\n',
      'mcp_servers.argybargy.url = "http://127.0.0.1:8765/mcp"\nmcp_servers.argybargy.bearer_token_env_var = "ARGYBARGY_CODE"\n',
      '[mcp_servers]\nargybargy.url = "http://127.0.0.\\u0031:8765/mcp"\nargybargy.bearer_token_env_var = """ARGYBARGY_CODE"""\n',
    ];
    for (const before of same) {
      assert.deepEqual(mergeToml(before, t, false), { kind: 'unchanged' }, before);
      assert.deepEqual(mergeToml(before, t, true), { kind: 'unchanged' }, before);
    }
  });

  it('sees a different entry of that name however it is written: a conflict, and with force still nothing to write', () => {
    const different = [
      '[mcp_servers."argybargy"]\nurl = "http://old"\n',
      "[ 'mcp_servers' . argybargy ]\nurl = 'x'\n",
      `${ours}startup_timeout_sec = 20\n`,
      `${ours}\n[mcp_servers.argybargy.env_http_headers]\nX = "Y"\n`,
      '[mcp_servers.argybargy.env_http_headers]\nX = "Y"\n',
      'mcp_servers = { argybargy = { url = "http://old/mcp" } }\n',
      'mcp_servers.argybargy.url = "x"\n',
      '[mcp_servers]\nargybargy = { url = "x" }\n',
      'mcp_servers.argybargy = "not a table"\n',
    ];
    for (const before of different) {
      assert.deepEqual(mergeToml(before, t, false), { kind: 'conflict' }, before);
      assert.deepEqual(mergeToml(before, t, true), { kind: 'remove-first' }, before);
    }
  });

  it('leaves alone a file that is not TOML, quoting the parser (not the file)', () => {
    for (const bad of ['not toml at all = = =', 'a = "unterminated', '[table', 'a = 1\na = 2', 'token = "s3cret']) {
      for (const force of [false, true]) {
        const r = mergeToml(bad, t, force);
        assert.equal(r.kind, 'unreadable', bad);
        if (r.kind !== 'unreadable') continue;
        assert.match(r.reason, /^it is not valid TOML \(.+ at line \d+, column \d+\)$/, r.reason);
        assert.ok(!r.reason.includes('s3cret'), 'no excerpt of the file');
      }
    }
  });

  it('refuses, rather than write, where a new [table] at the end cannot go', () => {
    const inline = mergeToml('mcp_servers = { other = { url = "x" } }\n', t, false);
    assert.equal(inline.kind, 'unreadable');
    assert.match(inline.kind === 'unreadable' ? inline.reason : '', /not be valid TOML .*inline table/);
    for (const before of ['[[mcp_servers]]\nurl = "x"\n', 'mcp_servers = 1\n', 'mcp_servers = ["a"]\n']) {
      const r = mergeToml(before, t, true);
      assert.equal(r.kind, 'unreadable', before);
      assert.match(r.kind === 'unreadable' ? r.reason : '', /its mcp_servers is not a table/);
    }
  });

  it('treats the Codex entry with its tool tables as one entry: unchanged however written, any other shape a conflict', () => {
    const codex = plan('codex', 'user').target as TomlTarget;
    const full = plan('codex', 'user').snippet;
    const r = mergeToml('model = "o3"\n', codex, false);
    assert.equal(r.kind, 'write');
    const text = r.kind === 'write' ? r.text : '';
    assert.equal(text, `model = "o3"\n\n${full}`);
    assert.equal(
      (parseToml(text) as any).mcp_servers.argybargy.tools.wait_for_messages.approval_mode,
      'approve',
      'the tool tables parse',
    );
    const head =
      '[mcp_servers.argybargy]\nurl = "http://127.0.0.1:8765/mcp"\nbearer_token_env_var = "ARGYBARGY_CODE"\n';
    const dotted = CODEX_APPROVED_TOOLS.map((tool) => `tools.${tool}.approval_mode = "approve"\n`).join('');
    const inline = `tools = { ${CODEX_APPROVED_TOOLS.map((tool) => `${tool} = { approval_mode = "approve" }`).join(', ')} }\n`;
    const reordered = [...CODEX_APPROVED_TOOLS]
      .reverse()
      .map((tool) => `[mcp_servers.argybargy.tools.${tool}]\napproval_mode = 'approve'\n`)
      .join('\n');
    for (const same of [
      text,
      full.replaceAll('\n', '\r\n'),
      head + dotted,
      head + inline,
      `# tools first, the server after\n${reordered}\n${head}`,
    ]) {
      assert.deepEqual(mergeToml(same, codex, false), { kind: 'unchanged' }, same);
      assert.deepEqual(mergeToml(same, codex, true), { kind: 'unchanged' }, same);
    }
    const toolTables = full.slice(head.length);
    for (const different of [
      head, // written by codex mcp add, or by an older argybargy: no approvals
      toolTables, // the server's table deleted by hand, its tool tables left behind
      full.replace('approval_mode = "approve"', 'approval_mode = "prompt"'),
      full.replace(/\n\[mcp_servers\.argybargy\.tools\.send\]\napproval_mode = "approve"\n/, ''),
      `${full}\n[mcp_servers.argybargy.tools.other]\napproval_mode = "approve"\n`,
      `${full}\n[mcp_servers.argybargy.tools.send.extra]\nx = "y"\n`,
      full.replace('[mcp_servers.argybargy]\n', '[mcp_servers.argybargy]\ndefault_tools_approval_mode = "prompt"\n'),
    ]) {
      assert.deepEqual(mergeToml(different, codex, false), { kind: 'conflict' }, different);
      assert.deepEqual(mergeToml(different, codex, true), { kind: 'remove-first' }, different);
    }
  });

  it('follows the same rules for a deeper table', () => {
    const deep: TomlTarget = { format: 'toml', table: ['a', 'b', 'c'], keys: [['k', 'v']] };
    assert.equal(mergeToml('[a.x]\ny = 1\n', deep, false).kind, 'write');
    assert.equal(mergeToml('[a]\nb.d = 1\n', deep, false).kind, 'write', 'a dotted-key table can gain a sub-table');
    assert.equal(mergeToml('a.b = { d = 1 }\n', deep, false).kind, 'unreadable');
    assert.equal(mergeToml('[[a.b]]\nd = 1\n', deep, false).kind, 'unreadable');
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
