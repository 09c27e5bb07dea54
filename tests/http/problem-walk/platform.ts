import { buildPng } from '../../support/images.ts';
import { setupCustomer } from '../../support/subscription-builders.ts';
import { createTestApp } from '../../support/test-app.ts';
import { connectionStringFor } from '../../../dev/azurite.ts';
import { azureOpenAiGenerator } from '../../../src/adapters/assistant/azure-openai.generator.ts';
import { azureSearchIndex } from '../../../src/adapters/assistant/azure-search.index.ts';
import { startFakeHttp } from '../../support/fake-http.ts';
import type { Reach } from './context.ts';

/** A service of Microsoft's (Entra ID's key set, Azure OpenAI, Azure AI Search) that answers 503 while `use` runs. */
async function withServiceDown<T>(use: (url: string) => Promise<T>): Promise<T> {
  const down = await startFakeHttp(() => ({
    status: 503,
    body: { error: { code: 'ServiceUnavailable', message: 'The service is temporarily unavailable.' } },
  }));
  try {
    return await use(down.url);
  } finally {
    await down.close();
  }
}

const putDocument = (c: Parameters<Reach>[0], id: string, contentType: string, body: string | Uint8Array) =>
  c.app.call('PUT', `/api/assistant/documents/${id}`, {
    token: c.partner,
    rawBody: body,
    headers: { 'content-type': contentType },
  });

/**
 * The platform around the business: health, limits, branding, the assistant's knowledge and the simulator's clock.
 * A few need an app configured otherwise (a write limit, storage that is down); those start one of their own.
 */
export const platformCodes: Record<string, Reach> = {
  'HEALTH.STORAGE_UNREACHABLE': async () => {
    const down = await createTestApp(
      { STORAGE_CONNECTION_STRING: connectionStringFor('127.0.0.1', 9, 9) },
      { ensureStorage: false },
    );
    return down.call('GET', '/api/health');
  },
  'REQUEST.RATE_LIMITED': async () => {
    const limited = await createTestApp({ RATE_LIMIT_WRITES_PER_MINUTE: '1' });
    const setup = await setupCustomer(limited);
    const token = await limited.tokens.partnerAdmin();
    const charge = (i: number) =>
      limited.call('POST', `/api/customers/${setup.customerId}/one-off-charges`, {
        token,
        body: { date: '2026-01-01', description: `Charge ${i}`, unitPrice: '1.00' },
      });
    await charge(1);
    return charge(2);
  },
  'ASSISTANT.RATE_LIMITED': async () => {
    const limited = await createTestApp({ ASSISTANT_MESSAGES_PER_MINUTE: '1' });
    const token = await limited.tokens.partnerAdmin();
    const body = { question: 'What is the NCE window?' };
    await limited.call('POST', '/api/assistant/messages', { token, body });
    return limited.call('POST', '/api/assistant/messages', { token, body });
  },
  'BRANDING.IMAGE_TOO_LARGE': (c) =>
    c.app.call('PUT', '/api/branding/logo', {
      token: c.partner,
      rawBody: buildPng({ width: 503, height: 81 }),
      headers: { 'content-type': 'image/png' },
    }),
  'BRANDING.NO_DIMENSIONS': (c) =>
    c.app.call('PUT', '/api/branding/logo', {
      token: c.partner,
      rawBody: buildPng({ width: 0, height: 60 }),
      headers: { 'content-type': 'image/png' },
    }),
  'ASSISTANT.SHIPPED_ARTICLE': (c) =>
    putDocument(c, 'nce-cancellation-window', 'text/markdown', '# Mine\n\nA text of my own.'),
  'ASSISTANT.UNREADABLE_PDF': (c) => putDocument(c, 'broken', 'application/pdf', 'not a pdf at all'),
  'ASSISTANT.EMPTY_DOCUMENT': (c) => putDocument(c, 'blank', 'text/html', '<html><body><p> </p></body></html>'),
  'AUTH.KEYS_UNAVAILABLE': () =>
    withServiceDown(async (url) => {
      const entra = await createTestApp({ AUTH_MODE: 'entra', AUTH_JWKS_URI: `${url}/common/discovery/v2.0/keys` });
      return entra.call('GET', '/api/me', { token: await entra.tokens.partnerAdmin() });
    }),
  'ASSISTANT.GENERATOR_UNAVAILABLE': () =>
    withServiceDown(async (url) => {
      const app = await createTestApp({ ASSISTANT_MESSAGES_PER_MINUTE: '0' });
      app.services.assistant.generator = azureOpenAiGenerator({
        endpoint: url,
        deployment: 'chat',
        apiVersion: '2024-10-21',
        token: async () => 'aoai-token',
        maxRetries: 0,
      });
      return app.call('POST', '/api/assistant/messages', {
        token: await app.tokens.partnerAdmin(),
        body: { question: 'What is the NCE cancellation window?' },
      });
    }),
  'ASSISTANT.SEARCH_UNAVAILABLE': () =>
    withServiceDown(async (url) => {
      const app = await createTestApp({ ASSISTANT_MESSAGES_PER_MINUTE: '0' });
      app.services.assistant.index = azureSearchIndex({
        endpoint: url,
        index: 'knowledge',
        token: async () => 'search-token',
        maxRetries: 1,
        http: { sleep: async () => undefined },
      });
      return app.call('POST', '/api/assistant/messages', {
        token: await app.tokens.partnerAdmin(),
        body: { question: 'What is the NCE cancellation window?' },
      });
    }),
  'CLOCK.NOT_AVAILABLE': ({ clocked: { app } }) =>
    app.tokens
      .partnerAdmin()
      .then((token) =>
        app.call('POST', '/api/simulator/clock/advance', { token, body: { to: '2099-01-01T00:00:00Z' } }),
      ),
};
