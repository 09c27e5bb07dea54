import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import type { Benchmark, BenchRow } from './bench.ts';
import { coldStart } from './cold-start.ts';
import { storageCalls } from './storage-calls.ts';
import { dueChanges } from './due-changes.ts';
import { billingRun } from './billing-run.ts';
import { load } from './load.ts';
import { reconciliation } from './reconciliation.ts';
import { assistantRetrieval } from './assistant-retrieval.ts';
import { portal } from './portal.ts';
import { demoSeed } from './demo-seed.ts';

/**
 * `npm run bench` (or `npm run bench -- --quick`): runs every benchmark, prints one table and writes
 * bench/results/latest.json. Benchmarks compare against a baseline measured in the same run; nothing here
 * fails on a slow machine.
 */
const benchmarks: Record<string, Benchmark> = {
  coldStart,
  storageCalls,
  load,
  dueChanges,
  billingRun,
  reconciliation,
  assistantRetrieval,
  portal,
  demoSeed,
};

const quick = process.argv.includes('--quick');
// `npm run bench -- --only billingRun` runs the named benchmarks only (comma-separated).
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt > 0 ? (process.argv[onlyAt + 1] ?? '').split(',') : undefined;
if (process.argv.includes('--help')) {
  console.log(`usage: npm run bench -- [--quick] [--only ${Object.keys(benchmarks).join(',')}]`);
  process.exit(0);
}
const rows: BenchRow[] = [];
for (const [name, bench] of Object.entries(benchmarks)) {
  if (only && !only.includes(name)) continue;
  process.stderr.write(`running ${name}…\n`);
  rows.push(...(await bench({ quick })));
}

const table = rows.map((r) => ({
  name: r.name,
  value: `${r.value} ${r.unit}`,
  baseline: r.baseline === null ? '' : `${r.baseline} ${r.unit}`,
  ratio: r.ratio ?? '',
  note: r.note ?? '',
}));
console.table(table);
console.log(
  `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
);

await mkdir('bench/results', { recursive: true });
const measured = rows.map(({ note: _note, ...row }) => row);
// With --only, the rows of the benchmarks not run are kept from the last full run.
const kept = only
  ? (JSON.parse(await readFile('bench/results/latest.json', 'utf8').catch(() => '[]')) as typeof measured).filter(
      (row) => !measured.some((m) => m.name === row.name),
    )
  : [];
await writeFile('bench/results/latest.json', `${JSON.stringify([...kept, ...measured], null, 2)}\n`);
console.log('wrote bench/results/latest.json');
