import { join } from 'node:path';
import { stringify } from 'smol-toml';

/**
 * What each MCP client needs to reach the bridge, as data: where its configuration
 * lives, the entry to put there, the client's own command that does the same, and
 * what the client does with the code. Pure: no file system, no network.
 *
 * The code is never part of any of it. Every client is pointed at an environment
 * variable (Claude Code, Codex, Gemini CLI, Cursor) or at its own secret prompt
 * (VS Code), so a configuration file can be read, shared or committed without
 * giving anyone the agent's identity.
 */

/** The clients `argybargy connect` knows, in the order help lists them. */
export const CLIENTS = ['claude', 'codex', 'gemini', 'cursor', 'vscode'] as const;
export type ClientId = (typeof CLIENTS)[number];

/** `project`: a file in the project directory; `user`: the user's own file, for every project. */
export type Scope = 'project' | 'user';

/** What a connection is made of (none of it secret). */
export interface ConnectRequest {
  client: ClientId;
  /** The bridge's base URL, without a trailing slash; the MCP endpoint is `<url>/mcp`. */
  url: string;
  /** The server's name in the client's configuration. */
  name: string;
  /** The environment variable the client reads the code from. */
  envVar: string;
  scope: Scope;
}

/** Where the configuration files are: the user's home, the project, the platform and the environment. */
export interface Whereabouts {
  home: string;
  project: string;
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
}

/** A VS Code input: the prompt VS Code shows for `${input:<id>}` (hidden when `password`). */
export interface VsCodeInput {
  type: 'promptString';
  id: string;
  description: string;
  password: true;
}

/** Where an entry goes in a JSON configuration: `root[container][name] = entry` (and `root.inputs` for VS Code). */
export interface JsonTarget {
  format: 'json';
  container: 'mcpServers' | 'servers';
  entry: Record<string, unknown>;
  input?: VsCodeInput;
}

/**
 * Where an entry goes in a TOML configuration: the table `[<table...>]` with these
 * keys and string values, and after it each sub-table `[<table...>.<path...>]` with
 * its own keys (Codex: `[mcp_servers.argybargy.tools.send]`).
 */
export interface TomlTarget {
  format: 'toml';
  table: string[];
  keys: [string, string][];
  subtables?: { path: string[]; keys: [string, string][] }[];
}

/**
 * The tools `connect codex` approves in Codex's configuration, so Codex calls them
 * without asking a human each time (and `codex exec`, which cannot ask, at all): all
 * of them, because talking in the room is the agent's whole job there, and whoever
 * ran `connect` decided that it should.
 */
export const CODEX_APPROVED_TOOLS = [
  'wait_for_messages',
  'send',
  'claim',
  'thread',
  'whoami',
  'peers',
  'history',
] as const;

/** Everything `connect` prints or writes for one client and scope. */
export interface ConnectPlan {
  client: ClientId;
  /** The client's name as its users know it ("Claude Code"). */
  label: string;
  /** The executable users start ("claude"). */
  executable: string;
  scope: Scope;
  name: string;
  mcpUrl: string;
  /** The configuration file, absolute. */
  file: string;
  target: JsonTarget | TomlTarget;
  /** The exact text to add to the file (for JSON, a whole file holding only this server). */
  snippet: string;
  /** The client's own command that adds the same entry, when it has one; it holds no secret. */
  command?: string;
  /** The client's own command that removes an entry of this name from `file`, when it has one. */
  removeCommand?: string;
  /** Why `--write` will not touch this file (the client rewrites it itself); absent when it may. */
  noWrite?: string;
  /** Where the client gets the code from: an environment variable, or its own prompt. */
  secret: { kind: 'env'; envVar: string } | { kind: 'prompt' };
  /** Plain sentences on what the client does with the code and what it asks of the user. */
  notes: string[];
}

/** The names every client accepts as a server name (VS Code's schema wants a letter first). */
export const SERVER_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** A POSIX environment variable name. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

const LABELS: Record<ClientId, { label: string; executable: string; defaultScope: Scope }> = {
  claude: { label: 'Claude Code', executable: 'claude', defaultScope: 'project' },
  codex: { label: 'Codex CLI', executable: 'codex', defaultScope: 'user' },
  gemini: { label: 'Gemini CLI', executable: 'gemini', defaultScope: 'project' },
  cursor: { label: 'Cursor', executable: 'cursor', defaultScope: 'project' },
  vscode: { label: 'VS Code', executable: 'code', defaultScope: 'project' },
};

/** The scope a client's configuration goes to when none is asked for. */
export function defaultScope(client: ClientId): Scope {
  return LABELS[client].defaultScope;
}

/** Quotes `s` for a POSIX shell only when it needs it (single quotes, nothing expands inside). */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

/** The JSON entry that points an HTTP MCP client at the bridge with a bearer header. */
function httpEntry(mcpUrl: string, header: string, withType: boolean): Record<string, unknown> {
  return withType
    ? { type: 'http', url: mcpUrl, headers: { Authorization: header } }
    : { url: mcpUrl, headers: { Authorization: header } };
}

/** A JSON file holding only this entry (what to paste into an empty file, or merge into an existing one). */
function jsonSnippet(t: JsonTarget, name: string): string {
  const doc: Record<string, unknown> = {};
  if (t.input) doc.inputs = [t.input];
  doc[t.container] = { [name]: t.entry };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/**
 * The TOML table `[<t.table...>]` alone, header first, one `key = "value"` line per
 * key in order, then each sub-table in order after a blank line, `\n` line endings,
 * as smol-toml's stringify writes it (so every string is escaped as TOML requires);
 * for `[mcp_servers.argybargy]`: `[mcp_servers.argybargy]\nurl = "…"\nbearer_token_env_var
 * = "…"\n\n[mcp_servers.argybargy.tools.wait_for_messages]\napproval_mode = "approve"\n…`.
 */
export function tomlSnippet(t: TomlTarget): string {
  const entry: Record<string, unknown> = Object.fromEntries(t.keys);
  for (const sub of t.subtables ?? []) {
    let at = entry;
    for (const key of sub.path) {
      if (!Object.hasOwn(at, key)) at[key] = {};
      at = at[key] as Record<string, unknown>;
    }
    Object.assign(at, Object.fromEntries(sub.keys));
  }
  let doc = entry;
  for (const key of [...t.table].reverse()) doc = { [key]: doc };
  return stringify(doc);
}

/** VS Code's user directory for the default profile of the stable build. */
function vscodeUserDir(w: Whereabouts): string {
  if (w.platform === 'win32') return join(w.env.APPDATA || join(w.home, 'AppData', 'Roaming'), 'Code', 'User');
  if (w.platform === 'darwin') return join(w.home, 'Library', 'Application Support', 'Code', 'User');
  return join(w.env.XDG_CONFIG_HOME || join(w.home, '.config'), 'Code', 'User');
}

/**
 * The plan for one client: its file, the entry, the snippet, the client's own
 * command and the notes. `req.url` must be an http(s) URL without a trailing
 * slash, `req.name` must match SERVER_NAME and `req.envVar` ENV_NAME (the command
 * checks them first); nothing here throws.
 */
export function planConnect(req: ConnectRequest, w: Whereabouts): ConnectPlan {
  const { client, name, envVar, scope } = req;
  const { label, executable } = LABELS[client];
  const mcpUrl = `${req.url}/mcp`;
  const q = shellQuote;
  const bearerEnv = `Bearer \${${envVar}}`;
  const base = { client, label, executable, scope, name, mcpUrl };
  const env = { kind: 'env' as const, envVar };
  switch (client) {
    case 'claude': {
      const target: JsonTarget = { format: 'json', container: 'mcpServers', entry: httpEntry(mcpUrl, bearerEnv, true) };
      const command = `claude mcp add --scope ${scope} --transport http ${q(name)} ${q(mcpUrl)} --header ${q(`Authorization: ${bearerEnv}`)}`;
      const notes = [
        `The file holds no secret: Claude Code replaces \${${envVar}} with that variable's value when it starts, so it must be set in the environment claude starts from.`,
      ];
      if (scope === 'project') {
        notes.push("Claude Code asks you to approve a project's .mcp.json servers the first time you start it there.");
        return {
          ...base,
          file: join(w.project, '.mcp.json'),
          target,
          snippet: jsonSnippet(target, name),
          command,
          secret: env,
          notes,
        };
      }
      const file = join(w.env.CLAUDE_CONFIG_DIR || w.home, '.claude.json');
      return {
        ...base,
        file,
        target,
        snippet: jsonSnippet(target, name),
        command,
        noWrite: `Claude Code keeps user servers in ${file}, its own state file, which it rewrites while it runs; add the server with its command instead (it holds no secret): ${command}`,
        secret: env,
        notes,
      };
    }
    case 'codex': {
      const target: TomlTarget = {
        format: 'toml',
        table: ['mcp_servers', name],
        keys: [
          ['url', mcpUrl],
          ['bearer_token_env_var', envVar],
        ],
        subtables: CODEX_APPROVED_TOOLS.map((tool) => ({
          path: ['tools', tool],
          keys: [['approval_mode', 'approve']],
        })),
      };
      const tools = `[mcp_servers.${name}.tools.*]`;
      const notes = [
        `The file holds no secret: Codex reads the code from ${envVar} when it starts and sends it as 'Authorization: Bearer <code>'.`,
        `The ${tools} tables approve the bridge's tools (${CODEX_APPROVED_TOOLS.join(', ')}), so Codex calls them without asking you each time, and 'codex exec', which cannot ask, calls them at all: talking in the room is the agent's job, and running connect is your decision that it may. To be asked again, delete those tables.`,
      ];
      if (scope === 'project') {
        notes.push("Codex reads a project's .codex/config.toml only once you have marked the project trusted.");
        return {
          ...base,
          file: join(w.project, '.codex', 'config.toml'),
          target,
          snippet: tomlSnippet(target),
          secret: env,
          notes,
        };
      }
      return {
        ...base,
        file: join(w.env.CODEX_HOME || join(w.home, '.codex'), 'config.toml'),
        target,
        snippet: tomlSnippet(target),
        command: `codex mcp add ${q(name)} --url ${q(mcpUrl)} --bearer-token-env-var ${envVar}`,
        removeCommand: `codex mcp remove ${q(name)}`,
        secret: env,
        notes: [
          ...notes,
          `'codex mcp add' cannot approve tools: after it, also add the ${tools} tables above to the file by hand, or use 'argybargy connect codex --write', which adds everything.`,
        ],
      };
    }
    case 'gemini': {
      const target: JsonTarget = { format: 'json', container: 'mcpServers', entry: httpEntry(mcpUrl, bearerEnv, true) };
      const dir = scope === 'project' ? w.project : w.env.GEMINI_CLI_HOME || w.home;
      return {
        ...base,
        file: join(dir, '.gemini', 'settings.json'),
        target,
        snippet: jsonSnippet(target, name),
        command: `gemini mcp add --scope ${scope} --transport http --header ${q(`Authorization: ${bearerEnv}`)} ${q(name)} ${q(mcpUrl)}`,
        secret: env,
        notes: [
          `The file holds no secret: Gemini CLI replaces \${${envVar}} with that variable's value when it loads its settings.`,
          `Careful: 'gemini mcp add' and 'gemini mcp remove' save the settings file with every variable already replaced, so run them with ${envVar} unset, or the code is written into the file.`,
          'Gemini CLI starts MCP servers only in folders you have trusted.',
        ],
      };
    }
    case 'cursor': {
      const target: JsonTarget = {
        format: 'json',
        container: 'mcpServers',
        entry: httpEntry(mcpUrl, `Bearer \${env:${envVar}}`, false),
      };
      return {
        ...base,
        file: join(scope === 'project' ? w.project : w.home, '.cursor', 'mcp.json'),
        target,
        snippet: jsonSnippet(target, name),
        secret: env,
        notes: [
          `The file holds no secret: Cursor replaces \${env:${envVar}} with that variable from its own environment, so start Cursor from a shell where it is set (an app started from the Dock or the Start menu may not see it).`,
        ],
      };
    }
    case 'vscode': {
      const id = `${name}-code`;
      const input: VsCodeInput = {
        type: 'promptString',
        id,
        description: `argybargy access code for ${mcpUrl}`,
        password: true,
      };
      const target: JsonTarget = {
        format: 'json',
        container: 'servers',
        entry: httpEntry(mcpUrl, `Bearer \${input:${id}}`, true),
        input,
      };
      const notes = [
        `The file holds no secret: VS Code asks for the code the first time it starts the server (what you type is hidden) and stores it securely for next time; the file names only \${input:${id}}.`,
        'VS Code asks you to trust the server before it starts it.',
      ];
      if (scope === 'user') {
        notes.push(
          "This is the default profile's file of VS Code; for another profile or VS Code Insiders, run 'MCP: Open User Configuration' and paste the entry there.",
        );
      }
      return {
        ...base,
        file: scope === 'project' ? join(w.project, '.vscode', 'mcp.json') : join(vscodeUserDir(w), 'mcp.json'),
        target,
        snippet: jsonSnippet(target, name),
        secret: { kind: 'prompt' },
        notes,
      };
    }
  }
}
