import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { collectOutput } from './processes.js';

/**
 * Runs the real Claude Code (the npm package `@anthropic-ai/claude-code`) headless
 * (`-p`), with its model API pointed at a local stub and one MCP server, in a
 * throw-away home: it never reads or writes the user's own configuration, and with
 * nonessential traffic off it talks to nothing but the stub and the MCP server.
 */

/** The model name passed to `--model` (the stub answers whatever is asked). */
export const MODEL = 'claude-sonnet-4-5';

/** How to start Claude Code: a command and the arguments before ours. */
export interface ClaudeCodeCommand {
  command: string;
  args: string[];
  /** Where it was found, for messages. */
  from: string;
}

/**
 * Finds Claude Code: `CLAUDE_CODE_BIN` (a path to the `claude` executable), else the
 * `@anthropic-ai/claude-code` package resolved from this repository. Its postinstall
 * puts the native binary at bin/claude.exe; when install scripts did not run, that
 * file is a small placeholder and the package's cli-wrapper.cjs starts the binary.
 * Returns the reason when neither is there.
 */
export function locateClaudeCode(): ClaudeCodeCommand | { missing: string } {
  const fromEnv = process.env.CLAUDE_CODE_BIN;
  if (fromEnv) {
    if (!existsSync(fromEnv)) return { missing: `CLAUDE_CODE_BIN=${fromEnv} does not exist` };
    return { command: fromEnv, args: [], from: `CLAUDE_CODE_BIN=${fromEnv}` };
  }
  let manifest: string;
  try {
    manifest = createRequire(import.meta.url).resolve('@anthropic-ai/claude-code/package.json');
  } catch {
    return { missing: 'the package @anthropic-ai/claude-code is not installed and CLAUDE_CODE_BIN is not set' };
  }
  const dir = dirname(manifest);
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string; bin?: Record<string, string> };
  const bin = join(dir, pkg.bin?.claude ?? 'bin/claude.exe');
  if (existsSync(bin) && statSync(bin).size > 4096) {
    return { command: bin, args: [], from: `@anthropic-ai/claude-code@${pkg.version}` };
  }
  const wrapper = join(dir, 'cli-wrapper.cjs');
  if (existsSync(wrapper)) {
    return { command: process.execPath, args: [wrapper], from: `@anthropic-ai/claude-code@${pkg.version} (wrapper)` };
  }
  return { missing: `@anthropic-ai/claude-code@${pkg.version} has no native binary for ${process.platform}` };
}

export interface RunOptions {
  /** The model stub's base URL (ANTHROPIC_BASE_URL). */
  modelUrl: string;
  /** The MCP endpoint (`<bridge>/mcp`, or a proxy in front of it). */
  mcpUrl: string;
  /** The agent's bridge code: handed over in the environment, never on the command line. */
  code: string;
  prompt?: string;
  /** Extra environment (MCP_TOOL_TIMEOUT, MCP_PROTOCOL_NEGOTIATION, …). */
  env?: Record<string, string>;
  /** Killed after this long (default 45 s). */
  timeoutMs?: number;
}

export interface RunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** The stream-json events Claude Code printed, in order. */
  events: any[];
  stderr: string;
  durationMs: number;
  /** The `system`/`init` event: tools, MCP servers and their status. */
  init?: any;
  /** The final `result` event. */
  result?: any;
}

/** The MCP server's name in Claude Code: its tools are `mcp__argybargy__<tool>`. */
export const SERVER = 'argybargy';

/**
 * Runs one headless Claude Code session to its end. The MCP configuration is a file
 * (mode 0600) in a fresh temporary directory whose header reads `${ARGYBARGY_CODE}`,
 * which Claude Code expands from its environment; the directory, Claude Code's home
 * and its configuration go when the run ends.
 */
export async function runClaudeCode(cc: ClaudeCodeCommand, opts: RunOptions): Promise<RunResult> {
  const root = mkdtempSync(join(tmpdir(), 'argybargy-cc-'));
  try {
    const home = join(root, 'home');
    const config = join(root, 'config');
    const work = join(root, 'work');
    const run = join(root, 'run');
    for (const d of [home, config, work, run]) mkdirSync(d, { mode: 0o700 });
    const mcpConfig = join(root, 'mcp.json');
    // Claude Code expands ${VAR} in an MCP server's headers from its own environment.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder is for Claude Code, not for us
    const authorization = 'Bearer ${ARGYBARGY_CODE}';
    const server = { type: 'http', url: opts.mcpUrl, headers: { Authorization: authorization } };
    writeFileSync(mcpConfig, JSON.stringify({ mcpServers: { [SERVER]: server } }), { mode: 0o600 });
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      CLAUDE_CONFIG_DIR: config,
      TMPDIR: run,
      XDG_RUNTIME_DIR: run,
      ANTHROPIC_BASE_URL: opts.modelUrl,
      ANTHROPIC_API_KEY: 'sk-ant-stub-not-a-real-key',
      // Nothing but the stub and the MCP server: no telemetry, error reports, update checks or feature flags.
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
      DISABLE_AUTOUPDATER: '1',
      // MCP tools go into the request's `tools` array instead of behind a tool search.
      ENABLE_TOOL_SEARCH: 'false',
      MCP_TIMEOUT: '15000',
      ARGYBARGY_CODE: opts.code,
      ...opts.env,
    };
    const args = [
      ...cc.args,
      '-p',
      opts.prompt ?? 'Take part in the argybargy room.',
      '--model',
      MODEL,
      '--output-format',
      'stream-json',
      '--verbose',
      '--strict-mcp-config',
      '--mcp-config',
      mcpConfig,
      '--tools',
      '',
      '--allowedTools',
      `mcp__${SERVER}`,
      '--permission-prompts',
      'none',
      '--no-session-persistence',
    ];
    const started = performance.now();
    const child = spawn(cc.command, args, { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out = collectOutput(child);
    let timedOut = false;
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, opts.timeoutMs ?? 45_000);
    const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c, s) => resolve([c, s]));
    }).finally(() => {
      clearTimeout(timer);
      killGroup(); // anything it left running
    });
    const events = out.stdout
      .split('\n')
      .filter((l) => l.trim().startsWith('{'))
      .map((l) => {
        try {
          return JSON.parse(l);
        } catch {
          return { unparsed: l };
        }
      });
    return {
      exitCode,
      signal,
      timedOut,
      events,
      stderr: out.stderr,
      durationMs: Math.round(performance.now() - started),
      init: events.find((e) => e.type === 'system' && e.subtype === 'init'),
      result: events.find((e) => e.type === 'result'),
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** A line or two about a run, for assertion messages. */
export function describeRun(r: RunResult): string {
  const tail = r.stderr.trim().split('\n').slice(-5).join('\n');
  return `exit ${r.exitCode ?? r.signal}${r.timedOut ? ' (killed: too slow)' : ''} after ${r.durationMs} ms; result: ${JSON.stringify(r.result?.result ?? r.result?.subtype ?? null)}${tail ? `; stderr: ${tail}` : ''}`;
}
