import path from 'node:path';
import { parseArgs } from 'node:util';
import { continueBillingRun, periodPattern, startBillingRun } from '../src/app/billing/billing-run.ts';
import { billingDepsOf } from '../src/app/billing/deps.ts';
import { generateProviderReports } from '../src/app/reports/provider-reports.ts';
import { reportWriter, type WrittenFile } from '../src/app/reports/report-writer.ts';
import { allCustomers } from '../src/app/customers.ts';
import { loadConfig } from '../src/config.ts';
import { createServices } from '../src/main.ts';
import { AZURITE_BLOB_PORT, AZURITE_TABLE_PORT, isLocalHostStorage, portAnswers, startAzurite } from './azurite.ts';
import { localEnv } from './settings.ts';

/**
 * `npm run billing -- --period 2026-10`: the month's billing run against the local host's storage (a running
 * Azurite on 10000/10002, else one started here on the data folder), then the service provider reports of that
 * month. Shows progress on one line and prints where every file went. The npm script caps the old generation at
 * 256 MB: the run's live heap stays near 50 MB, and without a cap V8 lets garbage pile up (bench/billing-run.ts).
 */
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
  const container = await services.storage.container('reports');
  const where = (name: string) => container.getBlockBlobClient(name).url;
  const files: WrittenFile[] = [];

  const total = (await allCustomers(services)).length;
  let billed = 0;
  const tty = process.stdout.isTTY;
  const bar = () => {
    if (!tty) return;
    const width = 30;
    const filled = total ? Math.round((billed / total) * width) : width;
    process.stdout.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${billed}/${total} customers billed`);
  };

  const writer = reportWriter(services, { onFile: (file) => files.push(file) });
  const { run } = await startBillingRun(services, period, 'cli');
  console.log(`Billing run ${period}: ${total} customer(s).`);
  bar();
  const result = await continueBillingRun(
    billingDepsOf(services, {
      afterCustomer: async (customer, bill) => {
        await writer.afterCustomer(customer, bill);
        billed += 1;
        bar();
      },
      afterRun: (finished) => writer.afterRun(finished),
    }),
    run.id,
  );
  if (tty) process.stdout.write('\n');
  console.log(
    `Run ${result.status}: ${result.customersDone} billed, ${result.customersFailed} failed, ${result.customersNotDue} not due yet.`,
  );
  for (const failure of (await services.billingRuns.results(run.id)).filter((r) => r.status === 'failed')) {
    console.log(`  failed: customer ${failure.customerId} cycle ${failure.cycle ?? '?'}: ${failure.reason ?? ''}`);
  }
  if (result.customersFailed) exitCode = 1;

  if (!values['no-provider-reports']) {
    for (const file of await generateProviderReports(services, period)) files.push(file);
  }
  console.log(`Files (${files.length}):`);
  for (const file of files)
    console.log(`  ${where(file.name)}  ${file.size} bytes  ${file.status}  sha256 ${file.sha256}`);
} finally {
  await azurite?.close();
}
process.exit(exitCode);
