import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import {
  billRunCustomer,
  COMPLETING_LEASE_MS,
  resumeBillingRun,
  startBillingRun,
} from '../../src/app/billing/billing-run.ts';
import { billingDepsOf } from '../../src/app/billing/deps.ts';
import { reportWriter } from '../../src/app/reports/report-writer.ts';
import type { BillingRun } from '../../src/domain/billing.ts';
import { seedDemoCatalog } from '../../dev/demo-catalog.ts';
import { benchCustomerId, seed } from '../../bench/billing-seed.ts';
import { testClock } from '../support/clock.ts';
import { createTestApp } from '../support/test-app.ts';

/**
 * The finisher of a run dies between recording the last customer (the run goes `completing`) and writing the
 * manifest: the run is not left completed without its manifest. Within the finisher's lease nobody else touches
 * it; after the lease the daily timer's pass (here twice at once, as two instances) finishes it exactly once:
 * one manifest, one partner mail.
 */
const PERIOD = '2026-10';
const CUSTOMERS = 3;

it('finishes a run whose finisher crashed before the manifest, once, after the lease', async () => {
  const clock = testClock('2026-10-01T02:00:00.000Z');
  const app = await createTestApp({}, { clock });
  const { services } = app;
  await seedDemoCatalog(services);
  await seed(services, { customers: CUSTOMERS, subscriptions: CUSTOMERS * 3, usageRows: CUSTOMERS * 8 });
  await startBillingRun(services, PERIOD, 'test');

  const writer = reportWriter(services);
  const finished: BillingRun[] = [];
  let crash = true;
  const deps = billingDepsOf(services, {
    afterCustomer: (customer, bill) => writer.afterCustomer(customer, bill),
    async afterRun(run) {
      if (crash) throw new Error('process died before the manifest');
      finished.push(run);
      await writer.afterRun(run);
    },
  });

  for (let c = 0; c < CUSTOMERS - 1; c++)
    await billRunCustomer(deps, { runId: PERIOD, period: PERIOD, customerId: benchCustomerId(c) });
  await expect(
    billRunCustomer(deps, { runId: PERIOD, period: PERIOD, customerId: benchCustomerId(CUSTOMERS - 1) }),
  ).rejects.toThrow('process died before the manifest');

  const stuck = (await services.billingRuns.get(PERIOD))?.value;
  expect(stuck).toMatchObject({ status: 'completing', customersDone: CUSTOMERS, customersTotal: CUSTOMERS });
  const manifests = async () => {
    const names: string[] = [];
    for await (const file of services.reports.list(`${PERIOD}/`))
      if (file.name.endsWith('manifest.json')) names.push(file.name);
    return names;
  };
  expect(await manifests()).toEqual([]);

  // Within the lease the finisher may still be at work: the timer leaves the run alone.
  crash = false;
  clock.set(new Date(Date.parse('2026-10-01T02:00:00.000Z') + COMPLETING_LEASE_MS - 1000).toISOString());
  expect((await resumeBillingRun(deps, PERIOD)).status).toBe('completing');
  expect(finished).toEqual([]);

  // After it, two passes at once (two instances): one of them finishes the run.
  clock.set(new Date(Date.parse('2026-10-01T02:00:00.000Z') + COMPLETING_LEASE_MS + 1000).toISOString());
  await Promise.all([resumeBillingRun(deps, PERIOD), resumeBillingRun(deps, PERIOD)]);
  expect(finished).toHaveLength(1);
  const run = (await services.billingRuns.get(PERIOD))?.value;
  expect(run).toMatchObject({ status: 'completed', customersDone: CUSTOMERS });
  expect(run?.completingAt).toBeUndefined();
  expect(await manifests()).toEqual([`${PERIOD}/manifest.json`]);

  // Later passes change nothing.
  clock.advanceHours(24);
  expect((await resumeBillingRun(deps, PERIOD)).status).toBe('completed');
  expect(finished).toHaveLength(1);

  const mailDir = path.join(app.config.DATA_DIR, 'mail');
  const mails = readdirSync(mailDir)
    .map((f) => JSON.parse(readFileSync(path.join(mailDir, f), 'utf8')) as { kind: string; subject: string })
    .filter((m) => m.kind === 'billing-run-finished');
  expect(mails).toHaveLength(1);
  // In the partner's name, like its documents (the profile's legal name; PARTNER_NAME until one is saved).
  expect(mails[0]?.subject).toBe(`${app.config.PARTNER_NAME}: billing run ${PERIOD} completed`);
}, 120_000);
