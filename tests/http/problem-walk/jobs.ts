import { randomUUID } from 'node:crypto';
import { graphUsageSource } from '../../../src/adapters/usage/graph.usage.ts';
import { AppError } from '../../../src/app/errors.ts';
import { problemReply } from '../../../src/http/problem.ts';
import { pullUsageJob } from '../../../src/jobs/pull-usage.ts';
import { testClock } from '../../support/clock.ts';
import { startFakeGraphBilling, type FakeGraphBilling } from '../../support/fake-graph-billing.ts';
import { createTestApp, PARTNER_TENANT, type TestApp } from '../../support/test-app.ts';
import type { Answer } from './context.ts';

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

export const jobCodes: Record<string, () => Promise<Answer>> = {
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
