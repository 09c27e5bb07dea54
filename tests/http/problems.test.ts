import { beforeAll, describe, expect, it } from 'vitest';
import { problemRegistry } from '../../src/http/problem-registry.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;

beforeAll(async () => {
  app = await createTestApp();
});

describe('problem types resolve to the registry', () => {
  it('a problem’s type answers its entry, whose title and status the problem carries', async () => {
    const admin = await app.tokens.partnerAdmin();
    const problem = await app.call('GET', '/api/customers/00000000-0000-4000-8000-000000000123', { token: admin });
    expect(problem).toMatchObject({ status: 404, body: { code: 'CUSTOMER.NOT_FOUND', title: 'No such customer' } });
    expect(problem.body.type).toBe('/api/problems/CUSTOMER.NOT_FOUND');

    const entry = await app.call('GET', problem.body.type);
    expect(entry.status).toBe(200);
    expect(entry.body).toMatchObject({ code: 'CUSTOMER.NOT_FOUND', status: 404, title: problem.body.title });
    expect(entry.body.action).toContain('GET /api/customers');
  });

  it('lists every code, and answers 404 problem+json for an unknown one', async () => {
    const list = await app.call('GET', '/api/problems');
    expect(list.body.items.map((item: { code: string }) => item.code)).toEqual(problemRegistry.map((e) => e.code));
    const unknown = await app.call('GET', '/api/problems/NO.SUCH_CODE');
    expect(unknown).toMatchObject({ status: 404, body: { code: 'PROBLEM.NOT_FOUND' } });
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');
  });
});
