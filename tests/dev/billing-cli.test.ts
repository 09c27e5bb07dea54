import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
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
  return run('npx', ['tsx', 'dev/billing.ts', ...args], { env, timeout: 150_000 });
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
  it('bills the period, prints a summary and local copies of every file that open', async () => {
    const { stdout } = await billing(['--period', '2026-10']);
    expect(stdout).toMatch(/run\s+2026-10: completed/);
    expect(stdout).toMatch(/billed\s+1\n/);
    expect(stdout).toMatch(/failed\s+0\n/);
    // Not a terminal: plain progress lines, no carriage returns.
    expect(stdout).toContain('progress: 1/1 customers');
    expect(stdout).not.toContain('\r');
    const folder = path.join(app.config.DATA_DIR, 'reports');
    const expected = [
      `2026-10/${setup.customerId}/2026-10-01.csv`,
      `2026-10/${setup.customerId}/2026-10-01.xlsx`,
      `2026-10/${setup.customerId}/2026-10-01.xml`,
      `2026-10/${setup.customerId}/2026-10-01.pdf`,
      '2026-10/manifest.json',
      '2026-10/provider/allocation-report.xml',
      '2026-10/provider/license-report.xml',
      '2026-10/provider/subscription-usage.xlsx',
    ].sort();
    const printed = stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith(folder));
    expect(printed).toEqual(expected.map((n) => path.join(folder, n)));
    for (const name of expected) {
      const stored = await app.services.reports.read(name);
      expect(new Uint8Array(readFileSync(path.join(folder, name))), name).toEqual(stored);
    }
    // The manifest, written again after the provider reports, lists every file but itself.
    const manifest = JSON.parse(new TextDecoder().decode(await app.services.reports.read('2026-10/manifest.json'))) as {
      files: { name: string }[];
    };
    expect(manifest.files.map((f) => f.name).sort()).toEqual(expected.filter((n) => n !== '2026-10/manifest.json'));
    const invoice = await app.services.billing.invoice(setup.customerId, '2026-10-01');
    expect(invoice?.value.total).toBe('80.00');
  }, 180_000);

  it('refuses a month that has not begun, in one line', async () => {
    const failed = await billing(['--period', '2099-01']).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 2, stderr: expect.stringMatching(/^2099-01 has not begun: .*\n/) });
  });

  it('explains what is wrong with bad arguments', async () => {
    const failed = await billing(['--period', '2026-13']).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 2, stderr: expect.stringContaining('--period must be a month') });
  });
});
