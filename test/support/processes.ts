import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

/** The built command line (npm run build). */
export const BIN = join(new URL('../..', import.meta.url).pathname, 'dist/argybargy.mjs');

/** A running child process and everything it has printed so far. */
export interface Started {
  child: ChildProcess;
  out: { stdout: string; stderr: string };
  /** Resolves with the exit code. */
  exited: Promise<number>;
}

export interface StartOptions {
  /** Arguments for node itself (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** How long to wait for `ready`, in ms (default 15 s). */
  timeoutMs?: number;
}

/**
 * Starts the built CLI with `args` in a clean environment (PATH, HOME and `env`
 * only) and waits until what it prints matches `ready`; throws with its output when
 * it exits or takes too long.
 */
export async function startCli(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  opts: StartOptions = {},
): Promise<Started> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  const exited = new Promise<number>((r) => child.on('exit', (c) => r(c ?? 1)));
  // Checked on every chunk, so the caller learns the moment it is ready (start-up is measured).
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${why}:\n${out.stdout}\n${out.stderr}`));
    };
    const timer = setTimeout(() => fail('not ready in time'), opts.timeoutMs ?? 15_000);
    const check = () => {
      if (settled || !ready.test(out.stdout + out.stderr)) return;
      settled = true;
      clearTimeout(timer);
      resolve();
    };
    child.stdout?.on('data', (d) => {
      out.stdout += d;
      check();
    });
    child.stderr?.on('data', (d) => {
      out.stderr += d;
      check();
    });
    child.once('exit', (code) => fail(`exited (${code}) before it was ready`));
    check(); // a pattern that needs no output (/^/) is ready at once
  });
  return { child, out, exited };
}

/** A bridge process listening on a random port. */
export interface BridgeProcess extends Started {
  url: string;
}

const LISTENING = /listening on (http:\/\/\S+)/;

/**
 * Starts `argybargy serve --port 0` with `env` (logging at warn unless set) and
 * resolves once it listens, with its URL. Used by the tests and the benchmarks alike.
 */
export async function spawnBridge(env: Record<string, string>, opts: StartOptions = {}): Promise<BridgeProcess> {
  const s = await startCli(['serve', '--port', '0'], { ARGYBARGY_LOG_LEVEL: 'warn', ...env }, LISTENING, opts);
  return { ...s, url: LISTENING.exec(s.out.stderr)?.[1] ?? '' };
}

/** Stops a process with SIGTERM (SIGKILL after `graceMs`) and resolves once it has exited. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(kill);
}

/** What a finished command printed, and its exit code. */
export interface Finished {
  code: number;
  stdout: string;
  stderr: string;
}

/** Everything a child process prints, as it grows (read `stdout` and `stderr` whenever). */
export function collectOutput(child: ChildProcess): { stdout: string; stderr: string } {
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (d) => {
    out.stdout += d;
  });
  child.stderr?.on('data', (d) => {
    out.stderr += d;
  });
  return out;
}

/** Runs the built CLI (or another script at `bin`) in a clean environment and waits for it to exit. */
export function runCli(args: string[], env: Record<string, string> = {}, bin = BIN): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = collectOutput(child);
    child.on('exit', (code) => resolve({ code: code ?? 1, ...out }));
  });
}

/**
 * Runs the CLI in-process, as a user would see it (no colour); `io` adds stdin, a
 * terminal (`isTTY`) or a prompt.
 */
export async function runCliInProcess(
  args: string[],
  env: Record<string, string> = {},
  io: Partial<CliIO> = {},
): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    env: { NO_COLOR: '1', ...env },
    ...io,
  });
  return { code, stdout, stderr };
}
