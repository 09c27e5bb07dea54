import { spawn } from 'node:child_process';
import { readdir, rm, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { median, round, type Benchmark } from './bench.ts';

const run = promisify(execFile);

/**
 * Cold start, process level: a fresh `node` that imports the whole bundled function app (every registration)
 * and exits, against one that imports a bare @azure/functions app with one app.http. Runs alternate, so both
 * see the same machine; the medians are compared.
 */
function timeImport(file: string): Promise<number> {
  const script = `await import(${JSON.stringify(path.resolve(file))});`;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(performance.now() - started) : reject(new Error(`import of ${file} failed: ${stderr}`)),
    );
  });
}

async function buildBundle(): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/build.mjs'], { stdio: 'ignore' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error('build failed'))));
  });
}

/** The app compiled file by file (no bundle), importing its packages from node_modules: the "before bundling" figure. */
async function buildUnbundled(): Promise<void> {
  await rm('dist-unbundled', { recursive: true, force: true });
  await new Promise<void>((resolve, reject) => {
    const args = [
      'node_modules/typescript/bin/tsc',
      '-p',
      'tsconfig.json',
      '--noEmit',
      'false',
      '--outDir',
      'dist-unbundled',
      '--rewriteRelativeImportExtensions',
      '--sourceMap',
      'false',
      '--noCheck',
    ];
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error('tsc failed'))));
  });
}

async function sizeOf(paths: string[]): Promise<number> {
  let total = 0;
  for (const p of paths) {
    const info = await stat(p);
    if (info.isDirectory()) total += await sizeOf((await readdir(p)).map((name) => path.join(p, name)));
    else total += info.size;
  }
  return total;
}

/** The production dependencies a deployment without a bundle would ship. */
async function productionModules(): Promise<string[]> {
  const { stdout } = await run('npm', ['ls', '--omit=dev', '--all', '--parseable']);
  const dirs = [
    ...new Set(stdout.split('\n').filter((line) => line.includes(`${path.sep}node_modules${path.sep}`))),
  ].sort();
  return dirs.filter((dir, i) => !dirs.slice(0, i).some((parent) => dir.startsWith(`${parent}${path.sep}`)));
}

export const coldStart: Benchmark = async ({ quick }) => {
  await buildBundle();
  await buildUnbundled();
  const runs = quick ? 7 : 21;
  const app: number[] = [];
  const bare: number[] = [];
  const unbundled: number[] = [];
  const unbundledEntry = 'dist-unbundled/functions/index.js';
  await timeImport('dist/index.js');
  await timeImport('bench/fixtures/bare-app.mjs');
  await timeImport(unbundledEntry);
  for (let i = 0; i < runs; i++) {
    app.push(await timeImport('dist/index.js'));
    bare.push(await timeImport('bench/fixtures/bare-app.mjs'));
    unbundled.push(await timeImport(unbundledEntry));
  }
  const ours = median(app);
  const baseline = median(bare);
  const before = median(unbundled);
  const entry = await stat('dist/index.js');
  const bundleBytes = await sizeOf(
    (await readdir('dist')).filter((f) => f.endsWith('.js')).map((f) => path.join('dist', f)),
  );
  const unbundledBytes =
    (await sizeOf(['dist-unbundled/functions', 'dist-unbundled/src'])) + (await sizeOf(await productionModules()));
  await rm('dist-unbundled', { recursive: true, force: true });
  return [
    {
      name: 'cold-start',
      value: round(ours, 1),
      unit: 'ms',
      baseline: round(baseline, 1),
      ratio: round(ours / baseline),
      note: `median of ${runs} fresh processes importing the bundle; target ratio <= 2.5`,
    },
    {
      name: 'cold-start/unbundled',
      value: round(before, 1),
      unit: 'ms',
      baseline: round(baseline, 1),
      ratio: round(before / baseline),
      note: 'the same app compiled file by file with node_modules: before bundling',
    },
    {
      name: 'cold-start/entry-size',
      value: round(entry.size / 1024, 1),
      unit: 'KiB',
      baseline: null,
      ratio: null,
      note: 'dist/index.js (heavy SDKs are in lazily loaded chunks)',
    },
    {
      name: 'package-size',
      value: round(bundleBytes / 1024, 0),
      unit: 'KiB',
      baseline: round(unbundledBytes / 1024, 0),
      ratio: round(bundleBytes / unbundledBytes, 3),
      note: 'JavaScript deployed: the bundle vs compiled sources plus production node_modules',
    },
  ];
};
