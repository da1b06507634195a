import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const QUICK_TUNNEL_URL = /https:\/\/[a-z0-9-]+\.trycloudflare\.com/i;

/** The full path of an executable on PATH (Windows extensions included), or null. */
export function findOnPath(cmd: string, env: Record<string, string | undefined>): string | null {
  const dirs = (env.PATH ?? env.Path ?? '').split(delimiter).filter(Boolean);
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const p = join(dir, cmd + ext);
      try {
        accessSync(p, constants.X_OK);
        return p;
      } catch {
        // not here
      }
    }
  }
  return null;
}

/** A running quick tunnel. */
export interface Tunnel {
  child: ChildProcess;
  /** Resolves with the public URL once cloudflared prints it, or null if it exits or times out first. */
  url: Promise<string | null>;
  stop(): Promise<void>;
}

/** Starts `cloudflared tunnel --url <local>` directly (no shell) and watches its output for the public URL. */
export function startQuickTunnel(bin: string, localUrl: string, timeoutMs = 30_000): Tunnel {
  const child = spawn(bin, ['tunnel', '--no-autoupdate', '--url', localUrl], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = new Promise<string | null>((resolve) => {
    let seen = '';
    const timer = setTimeout(() => resolve(null), timeoutMs);
    const onData = (d: Buffer) => {
      seen = (seen + d.toString()).slice(-8192);
      const m = QUICK_TUNNEL_URL.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(null);
    });
    child.once('error', () => {
      clearTimeout(timer);
      resolve(null);
    });
  });
  return {
    child,
    url,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
