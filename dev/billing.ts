import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { continueBillingRun, periodPattern, startBillingRun } from '../src/app/billing/billing-run.ts';
import { billingDepsOf } from '../src/app/billing/deps.ts';
import { generateProviderReports, readLinkFor } from '../src/app/reports/provider-reports.ts';
import { reportWriter, type WrittenFile } from '../src/app/reports/report-writer.ts';
import { loadConfig } from '../src/config.ts';
import { createServices } from '../src/main.ts';
import { AZURITE_BLOB_PORT, AZURITE_TABLE_PORT, isLocalHostStorage, portAnswers, startAzurite } from './azurite.ts';
import { localEnv } from './settings.ts';

/**
 * `npm run billing -- --period 2026-10`: the month's billing run against the local host's storage (a running
 * Azurite on 10000/10002, else one started here on the data folder), worked through in this process (a running
 * local host consumes the same queue and helps; billing is idempotent), then the service provider reports of that
 * month. Shows a progress bar on a terminal (customers done/total, rate, ETA) and plain progress lines otherwise;
 * ends with a summary and where the files are: on Azurite, copies under DATA_DIR/reports that open as files; on
 * Azure Storage, read-only links valid for REPORT_SAS_MINUTES.
 */
/** Files listed one by one; the rest are in the manifest. */
const SHOWN = 20;
const usage = 'usage: npm run billing -- --period YYYY-MM [--no-provider-reports]';
const { values } = parseArgs({
  options: { period: { type: 'string' }, 'no-provider-reports': { type: 'boolean', default: false } },
});

function fail(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

const period = values.period ?? fail('--period is required');
if (!periodPattern.test(period)) fail('--period must be a month: YYYY-MM');
const thisMonth = new Date().toISOString().slice(0, 7);
if (period > thisMonth)
  fail(`${period} has not begun: a run bills cycles that have ended, so pick ${thisMonth} or an earlier month.`);

const config = loadConfig(localEnv());
const local = isLocalHostStorage(config.STORAGE_CONNECTION_STRING);
const azurite =
  local && !(await portAnswers(AZURITE_TABLE_PORT))
    ? await startAzurite({
        dataDir: path.resolve(config.DATA_DIR, 'azurite'),
        blobPort: AZURITE_BLOB_PORT,
        tablePort: AZURITE_TABLE_PORT,
      })
    : undefined;
let exitCode = 0;
try {
  const services = await createServices(config);
  await services.storage.ensure();
  const files: WrittenFile[] = [];
  const started = performance.now();
  const progress = progressReporter(process.stdout.isTTY === true);

  const writer = reportWriter(services, { onFile: (file) => files.push(file) });
  const { run } = await startBillingRun(services, period, 'cli');
  console.log(`Billing run ${period}: ${run.customersTotal} customer(s) in the run.`);
  const result = await continueBillingRun(billingDepsOf(services, writer), run.id, { onProgress: progress.update });
  progress.end();
  const seconds = (performance.now() - started) / 1000;
  const failures = (await services.billingRuns.results(run.id)).filter((r) => r.status === 'failed');
  if (result.customersFailed) exitCode = 1;

  if (!values['no-provider-reports']) {
    for (const file of await generateProviderReports(services, period)) files.push(file);
  }

  const customerFiles = files.filter((f) => f.customerId).length;
  const manifest = files.find((f) => f.name.endsWith('/manifest.json'));
  const provider = files.filter((f) => f.name.includes('/provider/')).length;
  console.log('');
  printTable([
    ['run', `${period}: ${result.status}`],
    ['customers', `${result.customersTotal} in the run`],
    ['billed', String(result.customersDone)],
    ['failed', String(result.customersFailed)],
    ['not due yet', String(result.customersNotDue)],
    ['time', `${seconds.toFixed(1)} s`],
    [
      'files',
      `${customerFiles} customer report files, ${manifest ? 1 : 0} manifest, ${provider} provider report files`,
    ],
  ]);
  for (const failure of failures)
    console.log(`  failed: customer ${failure.customerId} cycle ${failure.cycle ?? '?'}: ${failure.reason ?? ''}`);

  const names = [...new Set(files.map((f) => f.name))].sort();
  if (local || /AccountName=devstoreaccount1/i.test(config.STORAGE_CONNECTION_STRING)) {
    // Azurite keeps blobs in its own format: copy them where a file manager or spreadsheet app opens them.
    const folder = path.resolve(config.DATA_DIR, 'reports');
    for (const name of names) {
      const bytes = await services.reports.read(name);
      if (!bytes) continue;
      await mkdir(path.dirname(path.join(folder, name)), { recursive: true });
      await writeFile(path.join(folder, name), bytes);
    }
    console.log(`\nFiles (${names.length}), copied from Azurite to ${path.join(folder, period)}:`);
    for (const name of names.slice(0, SHOWN)) console.log(`  ${path.join(folder, name)}`);
  } else {
    console.log(`\nFiles (${names.length}), read-only links valid for ${config.REPORT_SAS_MINUTES} minutes:`);
    for (const name of names.slice(0, SHOWN))
      console.log(`  ${name}\n    ${(await readLinkFor(services, name, path.basename(name))).url}`);
  }
  if (names.length > SHOWN) console.log(`  … and ${names.length - SHOWN} more (every one is listed in the manifest)`);
  if (manifest)
    console.log(
      `Manifest: ${manifest.name} (${manifest.status === 'unchanged' ? 'already listed these files' : 'lists every file with its size and SHA-256'}).`,
    );
} finally {
  await azurite?.close();
}
process.exit(exitCode);

function printTable(rows: [string, string][]): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [key, value] of rows) console.log(`  ${key.padEnd(width)}  ${value}`);
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m ? `${m}m ${String(s).padStart(2, '0')}s` : `${s}s`;
}

/** A bar redrawn in place on a terminal; a line every 5 s (and at the end) when the output is a file or a pipe. */
function progressReporter(tty: boolean) {
  const started = performance.now();
  let lastLine = 0;
  let last = { done: 0, total: 0 };
  let first: number | undefined;
  const text = () => {
    const elapsed = (performance.now() - started) / 1000;
    const billedHere = last.done - (first ?? last.done);
    const rate = elapsed > 0 ? billedHere / elapsed : 0;
    const eta = rate > 0 ? (last.total - last.done) / rate : Number.POSITIVE_INFINITY;
    return `${last.done}/${last.total} customers  ${rate.toFixed(1)}/s  ETA ${last.done >= last.total ? '0s' : duration(eta)}`;
  };
  return {
    update(done: number, total: number) {
      first ??= done;
      last = { done, total };
      if (tty) {
        const width = 30;
        const filled = total ? Math.round((done / total) * width) : width;
        process.stdout.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text()}\u001b[K`);
      } else if (performance.now() - lastLine > 5000 || done === total) {
        lastLine = performance.now();
        console.log(`progress: ${text()}`);
      }
    },
    end() {
      if (tty) process.stdout.write('\n');
    },
  };
}
