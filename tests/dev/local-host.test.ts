import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startLocalHost, type LocalHost } from '../../dev/host.ts';
import { defineQueueJob, type Job } from '../../src/jobs/job.ts';
import { testEnv } from '../support/test-app.ts';

let host: LocalHost;
const ticks: string[] = [];
const received: { id: string; deliveryCount: number }[] = [];

const testJobs: Job[] = [
  {
    kind: 'timer',
    name: 'everySecond',
    schedule: '* * * * * *',
    handler: async (ctx) => void ticks.push(ctx.invocationId),
  },
  defineQueueJob({
    kind: 'queue',
    name: 'consumeTest',
    queue: 'test-queue',
    schema: z.object({ id: z.string() }),
    handler: async (message, ctx) => {
      received.push({ id: message.id, deliveryCount: ctx.deliveryCount });
      if (ctx.deliveryCount === 1) throw new Error('fail the first delivery');
    },
  }),
];

beforeAll(async () => {
  host = await startLocalHost({
    env: testEnv({ CORS_ORIGINS: 'http://localhost:5173' }),
    port: 0,
    azurite: 'memory',
    seed: { months: 0 },
    jobs: testJobs,
    log: () => undefined,
  });
});

afterAll(async () => {
  await host.close();
});

describe('local host', () => {
  it('answers /api/health and serves the OpenAPI document over real HTTP', async () => {
    const health = await fetch(`${host.url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', checks: { tables: 'ok', blobs: 'ok' } });
    const openapi = await fetch(`${host.url}/api/openapi.json`);
    expect(((await openapi.json()) as { openapi: string }).openapi).toBe('3.1.0');
  });

  it('seeds demo customers on first run only', async () => {
    const { items } = await host.services.customers.list(10);
    expect(items.map((c) => c.name).sort()).toEqual([
      'Adatum Corporation',
      'Contoso Ltd',
      'Fabrikam GmbH',
      'Northwind Traders',
    ]);
  });

  it('serves the API docs without a CDN', async () => {
    const page = await fetch(`${host.url}/api/docs/`);
    expect(await page.text()).toContain('swagger-ui-bundle.js');
    const script = await fetch(`${host.url}/api/docs/swagger-ui-bundle.js`);
    expect(script.status).toBe(200);
    expect((await fetch(`${host.url}/api/docs/..%2Fpackage.json`)).status).toBe(404);
  });

  it('answers unknown paths with 404 and wrong methods with 405, as problem+json', async () => {
    const missing = await fetch(`${host.url}/api/nowhere`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    const wrong = await fetch(`${host.url}/api/health`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
  });

  it('answers CORS preflights for the configured portal origin only', async () => {
    const preflight = (origin: string) =>
      fetch(`${host.url}/api/customers`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
    const allowed = await preflight('http://localhost:5173');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(allowed.headers.get('access-control-allow-methods')).toBe('GET, POST');
    expect((await preflight('https://evil.example')).status).toBe(403);
  });

  it('refuses an oversized body before reading it all', async () => {
    const response = await fetch(`${host.url}/api/customers`, {
      method: 'POST',
      body: 'x'.repeat(300 * 1024),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(413);
  });

  it('fires timers on their NCRONTAB schedule', async () => {
    await expect.poll(() => ticks.length, { timeout: 3000 }).toBeGreaterThanOrEqual(1);
  });

  it('delivers queue messages in-process, redelivering after a failure', async () => {
    const queue = host.queues.get('test-queue');
    expect(queue).toBeDefined();
    queue?.send({ id: 'm-1' }, { messageId: 'm-1' });
    await expect
      .poll(() => received, { timeout: 5000 })
      .toEqual([
        { id: 'm-1', deliveryCount: 1 },
        { id: 'm-1', deliveryCount: 2 },
      ]);
  });
});
