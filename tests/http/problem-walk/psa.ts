import { connectWiseAdditions } from '../../../src/adapters/psa/connectwise.psa.ts';
import { continueBillingRun } from '../../../src/app/billing/billing-run.ts';
import { billingDepsOf } from '../../../src/app/billing/deps.ts';
import { testClock } from '../../support/clock.ts';
import { startFakeHttp, type FakeHandler } from '../../support/fake-http.ts';
import { BUSINESS_PREMIUM, bought, setupCustomer, type CustomerSetup } from '../../support/subscription-builders.ts';
import { createTestApp, type TestApp } from '../../support/test-app.ts';
import type { Answer } from './context.ts';

/**
 * The PSA export, against ConnectWise Manage faked at the wire (its REST reference's answers: 201 with the addition,
 * 400 with `{ code, message, errors[] }`, 401, 429 with Retry-After, 5xx). One customer billed for April 2026 and
 * mapped to an agreement; a second app over the same storage has no ConnectWise settings (a deployment without them).
 */
interface PsaWorld {
  app: TestApp;
  unconfigured: TestApp;
  setup: CustomerSetup;
  /** ConnectWise's next answers, in order (then 201 Created). */
  answers: ReturnType<FakeHandler>[];
  close(): Promise<void>;
}

const CYCLE = '2026-04-01';
let started: Promise<PsaWorld> | undefined;

function psaWorld(): Promise<PsaWorld> {
  started ??= (async () => {
    const answers: ReturnType<FakeHandler>[] = [];
    let nextId = 1;
    const connectWise = await startFakeHttp(
      (request) =>
        answers.shift() ?? {
          status: 201,
          body: {
            id: nextId++,
            product: { id: 7, identifier: 'M365-BP-NCE' },
            quantity: (request.body as { quantity?: number }).quantity,
          },
        },
    );
    const clock = testClock('2026-03-01T09:00:00Z');
    const app = await createTestApp(
      {
        CONNECTWISE_BASE_URL: connectWise.url,
        CONNECTWISE_COMPANY_ID: 'contosomsp',
        CONNECTWISE_PUBLIC_KEY: 'pub123',
        CONNECTWISE_PRIVATE_KEY: 'priv456',
        CONNECTWISE_CLIENT_ID: '0a1b2c3d-0000-4000-8000-000000000001',
      },
      { clock },
    );
    // The adapter as the composition root builds it, without waiting between retries.
    app.services.connectWise = async () =>
      connectWiseAdditions(app.config, { sleep: async () => undefined, random: () => 1 });
    const setup = await setupCustomer(app, { billingDay: 1, currency: 'USD' });
    await bought(app, setup, { productId: BUSINESS_PREMIUM, quantity: 10 });
    clock.set('2026-04-01T02:00:00Z');
    await app.call('POST', '/api/billing/runs', { token: setup.partner, body: { period: '2026-04' } });
    await continueBillingRun(billingDepsOf(app.services), '2026-04');
    const mapped = await app.call('PUT', '/api/psa/mapping', {
      token: setup.partner,
      body: {
        customers: [{ customerId: setup.customerId, companyId: 'Contoso', agreementId: '4711' }],
        products: [{ productId: BUSINESS_PREMIUM, psaProductId: 'M365-BP-NCE' }],
      },
    });
    if (mapped.status !== 200) throw new Error(JSON.stringify(mapped.body));
    const unconfigured = await createTestApp(
      { STORAGE_NAME_PREFIX: app.config.STORAGE_NAME_PREFIX },
      { clock, ensureStorage: false },
    );
    return { app, unconfigured, setup, answers, close: () => connectWise.close() };
  })();
  return started;
}

export async function closePsa(): Promise<void> {
  if (started) await (await started).close();
}

/** Pushes the cycle's additions with ConnectWise answering the first of them with `answer` (times `times`). */
async function pushMeeting(answer: ReturnType<FakeHandler>, times = 1): Promise<Answer> {
  const world = await psaWorld();
  world.answers.push(...Array.from({ length: times }, () => answer));
  try {
    return await world.app.call('POST', `/api/psa/connectwise/additions/${CYCLE}`, { token: world.setup.partner });
  } finally {
    world.answers.length = 0;
  }
}

export const psaCodes: Record<string, () => Promise<Answer>> = {
  'PSA.CYCLE_NOT_BILLED': async () => {
    const world = await psaWorld();
    return world.app.call('POST', '/api/psa/connectwise/additions/2026-05-01', { token: world.setup.partner });
  },
  'PSA.NOT_CONFIGURED': async () => {
    const world = await psaWorld();
    return world.unconfigured.call('POST', `/api/psa/connectwise/additions/${CYCLE}`, {
      token: await world.unconfigured.tokens.partnerAdmin(),
    });
  },
  'PSA.ADDITION_REFUSED': () =>
    pushMeeting({
      status: 400,
      body: {
        code: 'InvalidObject',
        message: 'agreementAddition object is invalid',
        errors: [
          { code: 'InvalidField', message: 'Product not found.', resource: 'agreementAddition', field: 'product' },
        ],
      },
    }),
  'PSA.REFUSED': () =>
    pushMeeting({ status: 401, body: { code: 'Unauthorized', message: 'Invalid API member credentials.' } }),
  'PSA.THROTTLED': () =>
    pushMeeting(
      { status: 429, headers: { 'retry-after': '1' }, body: { code: 'TooManyRequests', message: 'Slow down.' } },
      4,
    ),
  'PSA.UNAVAILABLE': () =>
    pushMeeting({ status: 503, body: { code: 'ServiceUnavailable', message: 'Down for maintenance.' } }),
};
