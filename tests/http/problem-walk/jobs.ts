import { randomUUID } from 'node:crypto';
import { graphUsageSource } from '../../../src/adapters/usage/graph.usage.ts';
import { AppError } from '../../../src/app/errors.ts';
import { problemReply } from '../../../src/http/problem.ts';
import { problemTypeUri } from '../../../src/http/problem-registry.ts';
import { continueBillingRun } from '../../../src/app/billing/billing-run.ts';
import { billingDepsOf } from '../../../src/app/billing/deps.ts';
import { reportWriter } from '../../../src/app/reports/report-writer.ts';
import { bought, setupCustomer } from '../../support/subscription-builders.ts';
import { billingReportBlobName } from '../../../src/domain/billing-report.ts';
import { pullUsageJob } from '../../../src/jobs/pull-usage.ts';
import { testClock } from '../../support/clock.ts';
import { startFakeGraphBilling, type FakeGraphBilling } from '../../support/fake-graph-billing.ts';
import { createTestApp, PARTNER_TENANT, type TestApp } from '../../support/test-app.ts';
import type { Answer } from './context.ts';

/** A job's recorded problem: its status when the job ended with one (a run's failure record has none). */
type JobAnswer = Omit<Answer, 'status'> & { status?: number };

/**
 * Codes met only by timers and queue consumers: the job runs through its real handler and the problem it ends with
 * is read as the host records it (the same problem+json an operation would answer). The daily usage pull runs
 * against Microsoft Graph's partner billing export faked at the wire (the Graph usage adapter's contract fake).
 */
interface JobWorld {
  app: TestApp;
  billing: FakeGraphBilling;
  close(): Promise<void>;
}

let started: Promise<JobWorld> | undefined;

function jobWorld(): Promise<JobWorld> {
  started ??= (async () => {
    const billing = await startFakeGraphBilling();
    const app = await createTestApp({}, { clock: testClock('2026-03-10T00:30:00Z') });
    return { app, billing, close: () => billing.close() };
  })();
  return started;
}

export async function closeJobs(): Promise<void> {
  if (started) await (await started).close();
}

/** The nightly usage pull, its source being Graph's export as the composition root builds it (no real waits). */
async function pullUsage(setUp: (billing: FakeGraphBilling) => void, maxPollMs?: number): Promise<Answer> {
  const { app, billing } = await jobWorld();
  billing.reset();
  billing.unbilled = { current: [], last: [] };
  billing.runningPolls = 0;
  billing.pollRetryAfter = undefined;
  billing.failOperations = undefined;
  setUp(billing);
  app.services.usageSource = graphUsageSource(
    {
      GRAPH_BASE_URL: billing.url,
      GRAPH_CLIENT_ID: 'not-used-with-an-injected-token',
      GRAPH_CLIENT_SECRET: 'not-used-with-an-injected-token',
      GRAPH_TIMEOUT_MS: 5000,
      GRAPH_MAX_RETRIES: 2,
      PARTNER_TENANT_ID: PARTNER_TENANT,
      USAGE_EXPORT_CURRENCY: 'USD',
    },
    {
      customersByTenant: async () => new Map(),
      clock: app.services.clock,
      getToken: async () => billing.token,
      sleep: async () => undefined,
      random: () => 1,
      ...(maxPollMs ? { maxPollMs } : {}),
    },
  );
  return recorded(() =>
    pullUsageJob.handler({
      services: app.services,
      invocationId: randomUUID(),
      log: () => undefined,
      deliveryCount: 1,
    }),
  );
}

/** What the host records of a job that failed: its problem. A job that succeeds records none (and fails the walk). */
async function recorded(run: () => Promise<void>): Promise<Answer> {
  try {
    await run();
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const reply = problemReply(error, randomUUID());
    return { status: reply.status, body: reply.body as Answer['body'] };
  }
  return { status: 200, body: {} };
}

/**
 * A month's billing run through its job (the queue consumer's work, `continueBillingRun`): a customer whose failure
 * the run records as `CODE: message`, read back with GET /api/billing/runs/{period} as the partner sees it.
 */
async function billingRunFailure(
  prepare: (app: TestApp, customerId: string, token: string) => Promise<void>,
): Promise<JobAnswer> {
  const clock = testClock('2026-03-01T09:00:00Z');
  const app = await createTestApp({}, { clock });
  const setup = await setupCustomer(app, { billingDay: 1, currency: 'USD' });
  await bought(app, setup, { quantity: 2 });
  clock.set('2026-03-20T09:00:00Z');
  await prepare(app, setup.customerId, setup.partner);
  clock.set('2026-04-01T02:00:00Z');
  await app.call('POST', '/api/billing/runs', { token: setup.partner, body: { period: '2026-04' } });
  // The billing consumers' dependencies, as src/jobs/billing.ts builds them (with the report writer).
  await continueBillingRun(billingDepsOf(app.services, reportWriter(app.services)), '2026-04');
  const run = await app.call('GET', '/api/billing/runs/2026-04', { token: setup.partner });
  const reason: string =
    (run.body.failures as { customerId: string; reason?: string }[] | undefined)?.find(
      (f) => f.customerId === setup.customerId,
    )?.reason ?? '';
  const code = /^([A-Z_]+\.[A-Z_]+):/.exec(reason)?.[1];
  // The run records the code and message, not a status.
  return { body: code ? { type: problemTypeUri(code), code } : {} };
}

export const jobCodes: Record<string, () => Promise<JobAnswer>> = {
  'REPORT.CONTENT_DIFFERS': () =>
    billingRunFailure(async (app, customerId) => {
      // The cycle's CSV report was written before with other bytes (say, by an earlier release's renderer).
      await app.services.reports.writeOnce(
        billingReportBlobName(customerId, '2026-04-01', 'csv'),
        new TextEncoder().encode('written before\n'),
        {
          contentType: 'text/csv',
        },
      );
    }),
  'USAGE.CURRENCY_MISMATCH': () =>
    billingRunFailure(async (app, customerId, token) => {
      // Azure usage imported in euros for a customer billed in dollars.
      const imported = await app.call('POST', '/api/usage/imports', {
        token,
        rawBody: [
          'customerId,subscriptionId,meterId,meterName,meterCategory,unitOfMeasure,usageDate,quantity,cost,currency',
          `${customerId},azure-1,vm-1,D2s v5,Compute,1 Hour,2026-03-05,24,12.50,EUR`,
        ].join('\n'),
        headers: { 'content-type': 'text/csv' },
      });
      if (imported.status !== 200) throw new Error(JSON.stringify(imported.body));
    }),
  'USAGE.EXPORT_FAILED': () => pullUsage((billing) => (billing.failOperations = 'No data available')),
  'USAGE.EXPORT_TIMEOUT': () =>
    pullUsage((billing) => {
      billing.runningPolls = 100;
      billing.pollRetryAfter = '60';
    }, 150_000),
  'USAGE.SOURCE_THROTTLED': () =>
    pullUsage((billing) => billing.failNext({ times: 3, answer: 429, retryAfter: '2', path: /\/export$/ })),
  'USAGE.SOURCE_UNAVAILABLE': () =>
    pullUsage((billing) => billing.failNext({ times: 3, answer: 503, path: /\/export$/ })),
};
