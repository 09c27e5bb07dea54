import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { median, round, type Benchmark } from './bench.ts';

/**
 * Cold start, process level: a fresh `node` that imports the whole bundled function app (every registration)
 * and exits, against one that imports a bare @azure/functions app with one app.http. Runs alternate, so both
 * see the same machine; the medians are compared.
 */
function timeImport(file: string): Promise<number> {
  const script = `await import(${JSON.stringify(path.resolve(file))});`;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`import of ${file} failed: ${stderr}`))));
  });
}

async function buildBundle(): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/build.mjs'], { stdio: 'ignore' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error('build failed'))));
  });
}

export const coldStart: Benchmark = async ({ quick }) => {
  await buildBundle();
  const runs = quick ? 7 : 21;
  const app: number[] = [];
  const bare: number[] = [];
  await timeImport('dist/index.js');
  await timeImport('bench/fixtures/bare-app.mjs');
  for (let i = 0; i < runs; i++) {
    app.push(await timeImport('dist/index.js'));
    bare.push(await timeImport('bench/fixtures/bare-app.mjs'));
  }
  const ours = median(app);
  const baseline = median(bare);
  const entry = await stat('dist/index.js');
  return [
    { name: 'cold-start', value: round(ours, 1), unit: 'ms', baseline: round(baseline, 1), ratio: round(ours / baseline), note: `median of ${runs} fresh processes; target ratio <= 2.5` },
    { name: 'cold-start/entry-size', value: round(entry.size / 1024, 1), unit: 'KiB', baseline: null, ratio: null, note: 'dist/index.js (heavy SDKs are in lazily loaded chunks)' },
  ];
};
