import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, testEnv, type TestApp } from '../support/test-app.ts';
import { setupCustomer, type CustomerSetup } from '../support/subscription-builders.ts';

const run = promisify(execFile);
let app: TestApp;
let setup: CustomerSetup;

/** Runs `npm run billing` against the test app's storage (its Azurite, tables and containers). */
async function billing(args: string[]): Promise<{ stdout: string }> {
  const env = {
    ...process.env,
    ...testEnv(),
    DATA_DIR: app.config.DATA_DIR,
    STORAGE_NAME_PREFIX: app.config.STORAGE_NAME_PREFIX,
  };
  return run('npx', ['tsx', 'dev/billing.ts', ...args], { env, timeout: 60_000 });
}

beforeAll(async () => {
  app = await createTestApp();
  setup = await setupCustomer(app, { billingDay: 1, name: 'Cli Customer' });
  const charge = await app.call('POST', `/api/customers/${setup.customerId}/one-off-charges`, {
    token: setup.partner,
    body: { date: '2026-09-15', description: 'Setup work', unitPrice: '80.00' },
  });
  expect(charge.status).toBe(201);
});

describe('npm run billing', () => {
  it('bills the period and prints where each file went', async () => {
    const { stdout } = await billing(['--period', '2026-10']);
    expect(stdout).toContain('Run completed: 1 billed, 0 failed, 0 not due yet.');
    const lines = stdout.split('\n').filter((l) => l.includes('sha256'));
    const urls = lines.map((l) => l.trim().split(/\s+/)[0] ?? '');
    const container = `/${app.config.STORAGE_NAME_PREFIX}reports/`;
    const expected = [
      `2026-10/${setup.customerId}/2026-10-01.xlsx`,
      `2026-10/${setup.customerId}/2026-10-01.csv`,
      `2026-10/${setup.customerId}/2026-10-01.xml`,
      `2026-10/${setup.customerId}/2026-10-01.pdf`,
      '2026-10/manifest.json',
      '2026-10/provider/subscription-usage.xlsx',
      '2026-10/provider/license-report.xml',
      '2026-10/provider/allocation-report.xml',
      '2026-10/manifest.json',
    ];
    expect(urls.map((u) => decodeURIComponent(new URL(u).pathname).split(container)[1])).toEqual(expected);
    for (const name of expected) expect(await app.services.reports.stat(name), name).toBeDefined();
    // The manifest, written again after the provider reports, lists every file but itself.
    const manifest = JSON.parse(new TextDecoder().decode(await app.services.reports.read('2026-10/manifest.json'))) as {
      files: { name: string }[];
    };
    expect(manifest.files.map((f) => f.name).sort()).toEqual(
      expected.filter((n) => n !== '2026-10/manifest.json').sort(),
    );
    const invoice = await app.services.billing.invoice(setup.customerId, '2026-10-01');
    expect(invoice?.value.total).toBe('80.00');
  });

  it('explains what is wrong with bad arguments', async () => {
    const failed = await billing(['--period', '2026-13']).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 2, stderr: expect.stringContaining('--period must be a month') });
  });
});
