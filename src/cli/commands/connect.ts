import { homedir } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Whoami } from '../../wire/messages.js';
import { agentCall, agentUrl } from '../http.js';
import { CliError, type CliIO, type CommandHost } from '../io.js';
import {
  CLIENTS,
  type ClientId,
  type ConnectPlan,
  defaultScope,
  ENV_NAME,
  planConnect,
  type Scope,
  SERVER_NAME,
} from '../mcp-config/clients.js';
import { findFile, modeFor, replaceFile } from '../mcp-config/files.js';
import { mergeJson, mergeToml } from '../mcp-config/merge.js';

interface ConnectFlags {
  write?: boolean;
  force?: boolean;
  scope?: string;
  name: string;
  project?: string;
  url?: string;
  codeEnv: string;
  codeStdin?: boolean;
  offline?: boolean;
}

const EXAMPLE_URL = 'http://127.0.0.1:8765';

/**
 * The bridge's base URL from --url, else ARGYBARGY_URL, else the bridge running on
 * this machine (agentUrl): http(s), no credentials, query or fragment, no trailing slash.
 */
async function bridgeUrl(io: CliIO, flag?: string): Promise<string> {
  const raw = flag?.trim() || (await agentUrl(io));
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new CliError(`argybargy: ${raw} is not a URL (for example ${EXAMPLE_URL}).`, 2);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new CliError('argybargy: the bridge URL must be http or https.', 2);
  if (u.username || u.password || u.search || u.hash) {
    throw new CliError('argybargy: give the bridge URL without credentials, a query or a fragment.', 2);
  }
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

/** The code to check: piped in (--code-stdin), from the environment variable, or asked for on the terminal. */
async function obtainCode(io: CliIO, flags: ConnectFlags): Promise<{ code: string; fromEnv: boolean }> {
  if (flags.codeStdin) {
    if (!io.readStdin) throw new CliError('argybargy: there is no standard input to read the code from.', 2);
    const code =
      (await io.readStdin())
        .split(/\r?\n/)
        .find((l) => l.trim() !== '')
        ?.trim() ?? '';
    if (!code) throw new CliError('argybargy: --code-stdin read no code from standard input.', 2);
    return { code, fromEnv: false };
  }
  const fromEnv = io.env[flags.codeEnv]?.trim();
  if (fromEnv) return { code: fromEnv, fromEnv: true };
  if (io.askSecret) {
    const typed = await io.askSecret(`Access code for ${flags.codeEnv} (typing is hidden): `);
    if (typed === null) throw new CliError('argybargy: cancelled.');
    if (typed.trim()) return { code: typed.trim(), fromEnv: false };
  }
  throw new CliError(
    `argybargy: connect checks the code against the bridge: set ${flags.codeEnv}, pipe the code in with --code-stdin, or run it in a terminal to be asked (--offline skips the check).`,
    2,
  );
}

/** Asks the bridge whose code it is; a refusal says what was checked and how to skip the check. */
async function whoIs(io: CliIO, url: string, code: string): Promise<Whoami> {
  try {
    return await agentCall({ url, code, io }, 'GET', '/whoami', Whoami);
  } catch (e) {
    if (e instanceof CliError) {
      throw new CliError(
        `${e.message} (checked with GET ${url}/whoami; nothing was written. --offline skips the check.)`,
      );
    }
    throw e;
  }
}

/** How to set the variable without the code entering the shell's history. */
function envLines(plan: ConnectPlan, codeFromEnv: boolean, platform: NodeJS.Platform): string[] {
  if (plan.secret.kind !== 'env') return [];
  const v = plan.secret.envVar;
  const lines = [
    codeFromEnv
      ? `${v} is set in this shell, so ${plan.executable} started from here finds it. To set it in another shell without the code entering your shell history:`
      : `Set ${v} in the shell you start ${plan.executable} from, without the code entering your shell history:`,
    `  read -rs ${v} && export ${v}`,
    '(paste the code and press Enter; nothing is shown)',
  ];
  if (platform === 'win32') lines.push(`In PowerShell 7:  $env:${v} = Read-Host -MaskInput '${v}'`);
  return lines;
}

/** What to add where, for the user to do by hand (or to see what --write would do). */
function showPlan(plan: ConnectPlan): string[] {
  if (plan.noWrite) {
    return [
      `${plan.label} keeps user servers in ${plan.file}, its own state file; add this one with its command:`,
      '',
      `  ${plan.command}`,
      '',
      'It records this entry:',
      '',
      plan.snippet,
    ];
  }
  const lines = [
    plan.target.format === 'json'
      ? `${plan.label} (${plan.scope} scope) reads ${plan.file}. Merge this into it (or create it with exactly this):`
      : `${plan.label} (${plan.scope} scope) reads ${plan.file}. Add these tables to it:`,
    '',
    plan.snippet,
    '--write merges it in for you (keeping the previous file as .bak).',
  ];
  if (plan.command) lines.push(`Or with ${plan.label}'s own command (it holds no secret):`, '', `  ${plan.command}`);
  return lines;
}

/**
 * How to take an old TOML entry out before `--write` adds the new one: the client's
 * own command when it has one for this file (Codex, user scope: `codex mcp remove
 * NAME`), and always by hand; one sentence, ending with a full stop.
 */
function removeFirst(plan: ConnectPlan): string {
  const table = plan.target.format === 'toml' ? plan.target.table.join('.') : plan.name;
  const byHand = `delete its [${table}] table and its [${table}.tools.*] tables from the file by hand`;
  return plan.removeCommand
    ? `Remove it first with '${plan.removeCommand}' or ${byHand}, then run this again.`
    : `Remove it first: ${byHand}, then run this again.`;
}

/**
 * Merges the plan's entry into its file (see mergeJson, mergeToml, replaceFile) and
 * says what happened; a refusal (a different entry of the same name, which for TOML
 * must be removed first even with `force`, or a file it cannot merge) is a CliError
 * and nothing is written. `code`, when known, is only looked for in the old and new text,
 * to make a file that holds it in plain text readable by its owner alone.
 */
function writePlan(plan: ConnectPlan, force: boolean, code: string | null): string[] {
  const found = findFile(plan.file);
  const before = found.bytes?.toString('utf8') ?? null;
  const result =
    plan.target.format === 'json'
      ? mergeJson(before, plan.target, plan.name, force)
      : mergeToml(before, plan.target, force);
  if (result.kind === 'conflict' && plan.target.format === 'json') {
    throw new CliError(
      `argybargy: ${plan.file} already has a different server named ${plan.name}; pass --force to replace it (the previous file is kept as .bak), or --name to add another.`,
    );
  }
  if (result.kind === 'conflict' || result.kind === 'remove-first') {
    const why =
      result.kind === 'remove-first'
        ? '--force does not replace it in a TOML file, because rewriting the file would lose its comments and layout'
        : 'argybargy does not replace an entry in a TOML file (that would lose its comments and layout), not even with --force';
    throw new CliError(
      `argybargy: ${plan.file} already has a different server named ${plan.name}, so nothing was written; ${why}. ${removeFirst(plan)} (Or pass --name to add another.)`,
    );
  }
  if (result.kind === 'unreadable') {
    throw new CliError(
      `argybargy: ${plan.file} was left alone: ${result.reason}. Run without --write to see the entry to add by hand.`,
    );
  }
  if (result.kind === 'unchanged') return [`${plan.file} already has this ${plan.name} server; nothing changed.`];
  const holds = (text: string | null) => code !== null && text?.includes(code) === true;
  const backup = replaceFile(
    found,
    result.text,
    modeFor(found.mode, plan.scope, holds(result.text)),
    modeFor(found.mode, plan.scope, holds(before)),
  );
  const lines = [
    `${result.replaced ? 'Replaced' : 'Added'} the ${plan.name} server in ${plan.file}${backup ? ` (the previous file is kept as ${backup})` : ''}.`,
  ];
  if (holds(result.text)) {
    lines.push(`Careful: ${plan.file} holds this code in plain text elsewhere; it is now readable only by you.`);
  }
  if (backup && holds(before)) {
    lines.push(`Careful: ${backup} holds this code in plain text (readable only by you); delete it when you can.`);
  }
  return lines;
}

/** `argybargy connect CLIENT`: prints (or with --write merges in) an MCP client's configuration for a code. */
export function register(program: Command, { io }: CommandHost): void {
  program
    .command('connect')
    .description(
      "Configure an MCP client (Claude Code, Codex, Gemini CLI, Cursor, VS Code) for the code in ARGYBARGY_CODE: print its entry, or merge it into the client's file with --write (the code never goes into the file).",
    )
    .argument('<client>', CLIENTS.join(', '))
    .option('--write', "merge the entry into the client's configuration file (the previous file is kept as .bak)")
    .option(
      '--force',
      'with --write: replace an entry of the same name (JSON files; in a TOML file, remove the old entry first)',
    )
    .option('--scope <scope>', 'project or user (default: user for codex, project for the others)')
    .option('--name <name>', "the server's name in the client", 'argybargy')
    .option('--project <dir>', 'the project directory, for --scope project (default: the current directory)')
    .option(
      '--url <url>',
      'the bridge (default: ARGYBARGY_URL, else the bridge running on this machine, else http://127.0.0.1:8765)',
    )
    .option(
      '--code-env <NAME>',
      'the environment variable the client reads the code from; it is read here too (one per agent when several run on a machine)',
      'ARGYBARGY_CODE',
    )
    .option('--code-stdin', 'read the code from standard input instead of the environment')
    .option('--offline', 'do not check the code with the bridge (then no code is needed)')
    .addHelpText(
      'after',
      [
        '',
        'The code never goes on the command line. It is read from ARGYBARGY_CODE (or --code-env),',
        'from standard input with --code-stdin, or asked for without echo on a terminal, and checked',
        "with the bridge before anything is printed or written. The client's file names only the",
        'variable (VS Code: its own hidden prompt), so it holds no secret.',
        '',
        'Examples:',
        '  argybargy connect claude                        # print .mcp.json for this project',
        '  argybargy connect codex --write                 # merge into ~/.codex/config.toml',
        '  argybargy connect gemini --write --scope user   # merge into ~/.gemini/settings.json',
        '  pass show bridge/coder | argybargy connect cursor --code-stdin --code-env CODER_CODE',
        '',
      ].join('\n'),
    )
    .action(async (clientArg: string, flags: ConnectFlags) => {
      const client = clientArg.toLowerCase() as ClientId;
      if (!CLIENTS.includes(client)) {
        throw new CliError(`argybargy: unknown client '${clientArg}'; choose one of: ${CLIENTS.join(', ')}.`, 2);
      }
      const scope = (flags.scope ?? defaultScope(client)) as Scope;
      if (scope !== 'project' && scope !== 'user') throw new CliError('argybargy: --scope takes project or user.', 2);
      if (!SERVER_NAME.test(flags.name)) {
        throw new CliError(
          'argybargy: --name takes a letter then letters, digits, - or _ (at most 64), which every client accepts.',
          2,
        );
      }
      if (!ENV_NAME.test(flags.codeEnv))
        throw new CliError('argybargy: --code-env takes an environment variable name.', 2);
      if (flags.force && !flags.write) throw new CliError('argybargy: --force only applies with --write.', 2);
      const url = await bridgeUrl(io, flags.url);

      const platform = process.platform;
      const home = (platform === 'win32' ? io.env.USERPROFILE : io.env.HOME) || homedir();
      const plan = planConnect(
        { client, url, name: flags.name, envVar: flags.codeEnv, scope },
        { home, project: resolve(flags.project ?? process.cwd()), platform, env: io.env },
      );
      if (flags.write && plan.noWrite) throw new CliError(`argybargy: ${plan.noWrite}`);

      let code: string | null;
      let codeFromEnv: boolean;
      const out: string[] = [];
      if (flags.offline) {
        code = io.env[flags.codeEnv]?.trim() || null;
        codeFromEnv = code !== null;
        out.push('The code was not checked (--offline).');
      } else {
        ({ code, fromEnv: codeFromEnv } = await obtainCode(io, flags));
        const me = await whoIs(io, url, code);
        out.push(`The code is ${me.name}'s, in room ${me.room} (checked with ${url}).`);
      }
      out.push('', ...(flags.write ? writePlan(plan, flags.force === true, code) : showPlan(plan)));
      out.push('', ...plan.notes, ...envLines(plan, codeFromEnv, platform), '');
      io.stdout(out.join('\n'));
    });
}
