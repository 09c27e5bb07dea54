import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { activeUser, setupPortalCustomer, type PortalSetup } from '../support/portal-user-builders.ts';

const MCA = 'microsoft-customer-agreement';
let app: TestApp;

beforeAll(async () => {
  app = await createTestApp();
});

function buildSigner(overrides: Record<string, unknown> = {}) {
  return { firstName: 'Lee', lastName: 'Chen', email: 'Lee.Chen@Contoso.example', ...overrides };
}

const list = (setup: PortalSetup, token = setup.admin) =>
  app.call('GET', `/api/customers/${setup.customerId}/agreements`, { token });
const accept = (setup: PortalSetup, body: unknown = buildSigner(), token = setup.admin, id = MCA) =>
  app.call('POST', `/api/customers/${setup.customerId}/agreements/${id}/accept`, { token, body });

describe('Microsoft Customer Agreement (F-AGREEMENTS)', () => {
  it('is pending until an admin accepts it, then accepted with who and when', async () => {
    const setup = await setupPortalCustomer(app);
    const viewer = (await activeUser(app, setup.customerId, 'View')).token;
    const before = await list(setup, viewer);
    expect(before).toMatchObject({
      status: 200,
      body: { accepted: [], pending: [{ id: MCA, type: 'MicrosoftCustomerAgreement', status: 'pending' }] },
    });

    const accepted = await accept(setup, buildSigner({ phone: '+1 425 555 0100' }));
    expect(accepted).toMatchObject({
      status: 201,
      body: {
        id: MCA,
        status: 'accepted',
        signer: { firstName: 'Lee', lastName: 'Chen', email: 'lee.chen@contoso.example', phone: '+1 425 555 0100' },
      },
    });
    expect(Date.parse(accepted.body.acceptedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(accepted.body.acceptedBy).toMatch(/^admin\./);

    const after = await list(setup, viewer);
    expect(after.body).toEqual({ accepted: [accepted.body], pending: [] });
  });

  it('is accepted once: a second acceptance is 409 and changes nothing', async () => {
    const setup = await setupPortalCustomer(app);
    const first = await accept(setup);
    expect(first.status).toBe(201);
    const second = await accept(setup, buildSigner({ firstName: 'Someone', lastName: 'Else' }), setup.partner);
    expect(second).toMatchObject({ status: 409, body: { code: 'AGREEMENT.ALREADY_ACCEPTED' } });
    expect(second.headers.get('content-type')).toBe('application/problem+json');
    expect((await list(setup)).body.accepted).toEqual([first.body]);
  });

  it('records one acceptance when two arrive at once', async () => {
    const setup = await setupPortalCustomer(app);
    const results = await Promise.all([accept(setup), accept(setup)]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect((await list(setup)).body.accepted).toHaveLength(1);
  });

  it('needs an admin, a signer and a known agreement', async () => {
    const setup = await setupPortalCustomer(app);
    const modifier = (await activeUser(app, setup.customerId, 'Modify')).token;
    expect((await accept(setup, buildSigner(), modifier)).status).toBe(403);
    const bad = await accept(setup, { firstName: '', email: 'nope' });
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'body.email',
      'body.firstName',
      'body.lastName',
    ]);
    expect((await accept(setup, buildSigner(), setup.admin, 'service-agreement-2019')).body.code).toBe(
      'AGREEMENT.NOT_FOUND',
    );
    expect((await list(setup)).body.pending).toHaveLength(1);
  });
});
