import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/** Percentile of a sorted copy of `xs` (nearest rank). */
export function pct(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export const r2 = (n: number) => Math.round(n * 100) / 100;

/** A target a scenario is measured against: `value` must be `<=` or `>=` `goal`. */
export interface Goal {
  metric: string;
  goal: number;
  better: 'lower' | 'higher';
  /** The original Python bridge's figure, where known. */
  original?: number;
}

export interface Result {
  scenario: string;
  mode: string;
  quick: boolean;
  at: string;
  machine: { cpus: number; model: string; memGiB: number; node: string };
  metrics: Record<string, number | boolean | string>;
  goals: Array<Goal & { value: number; met: boolean; vs_original: number | null }>;
  human: string;
}

/** Prints one JSON line and one human line, and writes bench/results/<scenario>[-mode].json. */
export function report(
  scenario: string,
  mode: string,
  quick: boolean,
  metrics: Result['metrics'],
  goals: Goal[],
  human: string,
): Result {
  const cpu = cpus();
  const res: Result = {
    scenario,
    mode,
    quick,
    at: new Date().toISOString(),
    machine: {
      cpus: cpu.length,
      model: cpu[0]?.model ?? '?',
      memGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    metrics,
    goals: goals.map((g) => {
      const value = Number(metrics[g.metric]);
      const met = g.better === 'lower' ? value <= g.goal : value >= g.goal;
      const vs = g.original ? r2(g.better === 'lower' ? g.original / value : value / g.original) : null;
      return { ...g, value, met, vs_original: vs };
    }),
    human,
  };
  const verdict = res.goals.map(
    (g) =>
      `${g.metric} ${g.value} ${g.met ? '✓' : '✗'} (target ${g.better === 'lower' ? '≤' : '≥'} ${g.goal}${g.vs_original ? `, ${g.vs_original}× the original` : ''})`,
  );
  console.log(JSON.stringify(res));
  console.log(`[${scenario}/${mode}] ${human}${verdict.length ? ` — ${verdict.join('; ')}` : ''}`);
  if (process.env.BENCH_NO_WRITE) return res;
  const dir = new URL('../results/', import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    `${dir}${scenario}${mode === 'embedded' ? '' : `-${mode}`}${quick ? '-quick' : ''}.json`,
    `${JSON.stringify(res, null, 2)}\n`,
  );
  return res;
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
