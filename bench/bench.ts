import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const temporaryDirs = new Set<string>();

/**
 * A fresh directory under the system's temp dir for one bench run's `DATA_DIR` (local keys, the mail outbox), removed
 * when the process exits, so that repeated runs leave nothing behind.
 */
export function temporaryDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  if (temporaryDirs.size === 0)
    process.once('exit', () => {
      for (const each of temporaryDirs) rmSync(each, { recursive: true, force: true });
    });
  temporaryDirs.add(dir);
  return dir;
}

/** One benchmark row, as written to bench/results/latest.json (DESIGN section 6). */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  /** The same measure of the baseline, taken in the same run (null when the row has none). */
  baseline: number | null;
  /** value / baseline (null when there is no baseline). */
  ratio: number | null;
  /** What was measured, for the printed table. */
  note?: string;
}

export interface BenchOptions {
  quick: boolean;
}

export type Benchmark = (options: BenchOptions) => Promise<BenchRow[]>;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/**
 * Runs `script` in a fresh Node process (tsx loaded) with `env` added, killed after `timeoutMs`; resolves with the
 * JSON of its last stdout line, which it also echoes to stderr as `  {label}: …`. A non-zero exit rejects with the
 * end of its stderr. `BENCH_CHILD_NODE_ARGS` adds Node options to the child (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`,
 * which NODE_OPTIONS does not allow).
 */
export function runJsonChild<T>(
  script: string,
  args: string[],
  env: Record<string, string>,
  options: {
    label: string;
    timeoutMs: number;
    /** `script` is plain JavaScript (a bundle): no tsx. */ bundled?: boolean;
    /** A control group's `cgroup.procs`: the child starts inside it (its memory limit is the child's memory). */
    cgroupProcs?: string;
  },
): Promise<T> {
  return new Promise((resolve, reject) => {
    const nodeArgs = (process.env.BENCH_CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const loader = options.bundled ? [] : ['--import', 'tsx'];
    const command = [process.execPath, ...nodeArgs, ...loader, script, ...args];
    // The shell joins the group, then becomes Node: Node sizes V8's heap from the memory it starts with.
    const [file, ...argv] = options.cgroupProcs
      ? ['/bin/sh', '-c', 'echo $$ > "$0" && exec "$@"', options.cgroupProcs, ...command]
      : command;
    const child = spawn(file as string, argv, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0) return reject(new Error(`${script} exited ${code}: ${stderr.slice(-2000)}`));
      process.stderr.write(`  ${options.label}: ${last}\n`);
      resolve(JSON.parse(last) as T);
    });
  });
}
