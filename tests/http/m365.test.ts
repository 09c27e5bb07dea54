import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DirectorySimulator } from '../../src/adapters/directory/simulator.directory.ts';
import { buildCustomerFields, createTestApp, type TestApp } from '../support/test-app.ts';
import { bought, setupCustomer, type CustomerSetup } from '../support/subscription-builders.ts';

let app: TestApp;
let directory: DirectorySimulator;

beforeAll(async () => {
  app = await createTestApp();
  directory = app.services.directorySimulator!;
});

const m365 = (setup: CustomerSetup, rest: string) => `/api/customers/${setup.customerId}/m365/${rest}`;

interface Mail {
  id: string;
  to: string;
  subject: string;
  text: string;
  kind: string;
}
function mails(kind: string): Mail[] {
  const folder = path.join(app.config.DATA_DIR, 'mail');
  let files: string[] = [];
  try {
    files = readdirSync(folder);
  } catch {
    return [];
  }
  return files
    .map((f) => JSON.parse(readFileSync(path.join(folder, f), 'utf8')) as Mail)
    .filter((m) => m.kind === kind);
}

/** A customer with a tenant, `seats` Business Premium seats bought through the portal, and some users. */
async function licensedCustomer(seats: number, overrides: Record<string, unknown> = {}) {
  const setup = await setupCustomer(app, overrides);
  if (seats > 0) await bought(app, setup, { quantity: seats, confirmBillingChange: true });
  const person = (name: string, usageLocation: string | null = 'US') =>
    directory.seedUser(setup.tenantId, {
      displayName: name,
      userPrincipalName: `${name.toLowerCase().replace(/\W+/g, '.')}@${setup.tenantId.slice(0, 8)}.example`,
      ...(usageLocation ? { usageLocation } : {}),
    });
  return { setup, person };
}

const licensesOf = async (setup: CustomerSetup) =>
  (await app.call('GET', m365(setup, 'licenses'), { token: setup.viewer })).body.items;

describe('GET …/m365/licenses', () => {
  it('shows each license with its product name, and units purchased, consumed and available', async () => {
    const { setup, person } = await licensedCustomer(3);
    const adele = await person('Adele Vance');
    expect(
      (
        await app.call('POST', m365(setup, `users/${adele.id}/licenses`), {
          token: setup.modifier,
          body: { add: ['SPB'] },
        })
      ).status,
    ).toBe(200);
    const log = await app.call('GET', `/api/customers/${setup.customerId}/change-log`, { token: setup.viewer });
    expect(log.body.items).toContainEqual(
      expect.objectContaining({
        action: 'assignLicenses',
        source: 'portal',
        productName: 'Microsoft 365 Business Premium',
        detail: `${adele.userPrincipalName}: +SPB`,
        after: { licenses: ['SPB'] },
      }),
    );
    expect(await licensesOf(setup)).toEqual([
      {
        skuId: expect.any(String),
        skuPartNumber: 'SPB',
        name: 'Microsoft 365 Business Premium',
        nameSource: 'catalog',
        capabilityStatus: 'Enabled',
        purchased: 3,
        suspended: 0,
        consumed: 1,
        available: 2,
      },
    ]);
  });

  it('shows the licenses in use on My Services as soon as the portal assigns or removes them', async () => {
    const { setup, person } = await licensedCustomer(3);
    const assignedOnServices = async () =>
      (
        await app.call('GET', `/api/customers/${setup.customerId}/subscriptions`, { token: setup.viewer })
      ).body.contracts.flatMap((c: { subscriptions: { name: string; assignedQuantity: number }[] }) =>
        c.subscriptions.map((s) => [s.name, s.assignedQuantity]),
      );
    expect(await assignedOnServices()).toEqual([['Microsoft 365 Business Premium', 0]]);
    const [adele, alex] = [await person('Adele Vance'), await person('Alex Wilber')];
    for (const user of [adele, alex]) {
      const res = await app.call('POST', m365(setup, `users/${user.id}/licenses`), {
        token: setup.modifier,
        body: { add: ['SPB'] },
      });
      expect(res.status).toBe(200);
    }
    expect(await assignedOnServices()).toEqual([['Microsoft 365 Business Premium', 2]]);
    await app.call('POST', m365(setup, `users/${alex.id}/licenses`), {
      token: setup.modifier,
      body: { remove: ['SPB'] },
    });
    expect(await assignedOnServices()).toEqual([['Microsoft 365 Business Premium', 1]]);
  });

  it('answers 409 CUSTOMER.NO_TENANT for a customer without a Microsoft tenant', async () => {
    const partner = await app.tokens.partnerAdmin();
    const customer = await app.call('POST', '/api/customers', { token: partner, body: buildCustomerFields() });
    const response = await app.call('GET', `/api/customers/${customer.body.id}/m365/licenses`, { token: partner });
    expect(response).toMatchObject({ status: 409, body: { code: 'CUSTOMER.NO_TENANT' } });
  });

  it('answers 503 with Retry-After while Microsoft throttles', async () => {
    const { setup } = await licensedCustomer(0);
    directory.failNext({ status: 429, retryAfterSeconds: 4 });
    const response = await app.call('GET', m365(setup, 'licenses'), { token: setup.viewer });
    expect(response).toMatchObject({ status: 503, body: { code: 'DIRECTORY.THROTTLED' } });
    expect(response.headers.get('retry-after')).toBe('4');
  });
});

describe('GET …/m365/users', () => {
  it('lists and searches users with their licenses, a page at a time', async () => {
    const { setup, person } = await licensedCustomer(2);
    for (const name of ['Alex Wilber', 'Nestor Wilke', 'Megan Bowen']) await person(name);
    const first = await app.call('GET', m365(setup, 'users?pageSize=2'), { token: setup.viewer });
    expect(first.status).toBe(200);
    expect(first.body.items.map((u: { displayName: string }) => u.displayName)).toEqual(['Alex Wilber', 'Megan Bowen']);
    const second = await app.call(
      'GET',
      m365(setup, `users?pageSize=2&continuationToken=${first.body.continuationToken}`),
      { token: setup.viewer },
    );
    expect(second.body).toEqual({ items: [expect.objectContaining({ displayName: 'Nestor Wilke', licenses: [] })] });
    const searched = await app.call('GET', m365(setup, 'users?search=wil'), { token: setup.viewer });
    expect(searched.body.items.map((u: { displayName: string }) => u.displayName)).toEqual([
      'Alex Wilber',
      'Nestor Wilke',
    ]);
  });

  it('answers 409 DIRECTORY.CONSENT_REQUIRED when the tenant has not consented', async () => {
    const { setup } = await licensedCustomer(0);
    await directory.setConsent(setup.tenantId, 'none');
    expect(await app.call('GET', m365(setup, 'users'), { token: setup.viewer })).toMatchObject({
      status: 409,
      body: { code: 'DIRECTORY.CONSENT_REQUIRED' },
    });
  });
});

describe('POST …/m365/users/{userId}/licenses', () => {
  it('gives the last unit to one of two users assigning it at once; the other gets a clear 409', async () => {
    const { setup, person } = await licensedCustomer(1);
    const users = [await person('First Person'), await person('Second Person')];
    const responses = await Promise.all(
      users.map((u) =>
        app.call('POST', m365(setup, `users/${u.id}/licenses`), { token: setup.modifier, body: { add: ['SPB'] } }),
      ),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([200, 409]);
    const refused = responses.find((r) => r.status === 409)!;
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.body).toMatchObject({
      code: 'DIRECTORY.COUNT_VIOLATION',
      skuPartNumber: 'SPB',
      productName: 'Microsoft 365 Business Premium',
      purchased: 1,
    });
    expect(refused.body.detail).toMatch(/No Microsoft 365 Business Premium license is left/);
    expect(await licensesOf(setup)).toMatchObject([{ purchased: 1, consumed: 1, available: 0 }]);
  });

  it('needs the user’s usage location first', async () => {
    const { setup, person } = await licensedCustomer(1);
    const nowhere = await person('Lynne Robbins', null);
    const response = await app.call('POST', m365(setup, `users/${nowhere.id}/licenses`), {
      token: setup.modifier,
      body: { add: ['SPB'] },
    });
    expect(response).toMatchObject({ status: 409, body: { code: 'DIRECTORY.USAGE_LOCATION_REQUIRED' } });
    expect(await licensesOf(setup)).toMatchObject([{ consumed: 0 }]);
  });

  it('refuses an unknown license as a bad request, and a View user', async () => {
    const { setup, person } = await licensedCustomer(1);
    const u = await person('Diego Siciliani');
    expect(
      await app.call('POST', m365(setup, `users/${u.id}/licenses`), {
        token: setup.modifier,
        body: { add: ['ENTERPRISEPACK'] },
      }),
    ).toMatchObject({
      status: 400,
      body: { errors: [{ path: 'body.add.0' }] },
    });
    expect(
      await app.call('POST', m365(setup, `users/${u.id}/licenses`), { token: setup.viewer, body: { add: ['SPB'] } }),
    ).toMatchObject({ status: 403, body: { code: 'AUTH.ROLE_TOO_LOW' } });
  });
});

describe('group-based licensing', () => {
  it('licenses a group’s members, shows where the license came from and refuses removing it from the user', async () => {
    const { setup, person } = await licensedCustomer(3);
    const member = await person('Grady Archie');
    const group = await directory.seedGroup(setup.tenantId, 'Sales', [member.id]);
    const licensed = await app.call('POST', m365(setup, `groups/${group.id}/licenses`), {
      token: setup.modifier,
      body: { add: ['SPB'] },
    });
    expect(licensed).toMatchObject({
      status: 200,
      body: {
        id: group.id,
        displayName: 'Sales',
        licenses: [{ skuPartNumber: 'SPB', name: 'Microsoft 365 Business Premium' }],
      },
    });
    expect((await app.call('GET', m365(setup, 'groups'), { token: setup.viewer })).body.items).toEqual([licensed.body]);

    const users = await app.call('GET', m365(setup, 'users'), { token: setup.viewer });
    expect(users.body.items[0].licenses).toEqual([
      {
        skuId: expect.any(String),
        skuPartNumber: 'SPB',
        name: 'Microsoft 365 Business Premium',
        direct: false,
        groups: [{ id: group.id, displayName: 'Sales' }],
        state: 'Active',
      },
    ]);
    const removal = await app.call('POST', m365(setup, `users/${member.id}/licenses`), {
      token: setup.modifier,
      body: { remove: ['SPB'] },
    });
    expect(removal).toMatchObject({ status: 409, body: { code: 'DIRECTORY.LICENSE_INHERITED' } });
    expect(removal.body.detail).toMatch(/Microsoft 365 Business Premium comes from a group/);
    expect(await licensesOf(setup)).toMatchObject([{ consumed: 1 }]);
  });
});

describe('POST …/m365/licenses/assignments', () => {
  it('assigns many users at once, reporting each user’s outcome (200)', async () => {
    const { setup, person } = await licensedCustomer(2);
    const users = [await person('One Person'), await person('Two Person'), await person('Three Person')];
    const response = await app.call('POST', m365(setup, 'licenses/assignments'), {
      token: setup.modifier,
      body: { assignments: users.map((u) => ({ userId: u.id, add: ['SPB'] })) },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ succeeded: 2, failed: 1 });
    expect(response.body.results.map((r: { userId: string }) => r.userId)).toEqual(users.map((u) => u.id));
    expect(response.body.results.filter((r: { status: string }) => r.status === 'failed')).toEqual([
      {
        userId: expect.any(String),
        status: 'failed',
        code: 'DIRECTORY.COUNT_VIOLATION',
        message: expect.stringMatching(/Business Premium/),
        httpStatus: 409,
      },
    ]);
    expect(await licensesOf(setup)).toMatchObject([{ consumed: 2, available: 0 }]);
  });

  it('changes nothing when a license named is not the tenant’s', async () => {
    const { setup, person } = await licensedCustomer(2);
    const u = await person('Only Person');
    const response = await app.call('POST', m365(setup, 'licenses/assignments'), {
      token: setup.modifier,
      body: {
        assignments: [
          { userId: u.id, add: ['SPB'] },
          { userId: randomUUID(), add: ['SPE_E5'] },
        ],
      },
    });
    expect(response).toMatchObject({ status: 400, body: { errors: [{ path: 'body.assignments.1.add.0' }] } });
    expect(await licensesOf(setup)).toMatchObject([{ consumed: 0 }]);
  });
});

describe('POST …/m365/users', () => {
  const newUser = (setup: CustomerSetup, overrides: Record<string, unknown> = {}) => ({
    displayName: 'Patti Fernandez',
    userPrincipalName: `patti.${randomUUID().slice(0, 6)}@${setup.tenantId.slice(0, 8)}.example`,
    sendPasswordTo: 'it-desk@contoso.example',
    ...overrides,
  });

  it('creates a user whose generated password goes by mail only', async () => {
    const { setup } = await licensedCustomer(0);
    const body = newUser(setup);
    const response = await app.call('POST', m365(setup, 'users'), { token: setup.admin, body });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      user: {
        id: expect.any(String),
        displayName: 'Patti Fernandez',
        userPrincipalName: body.userPrincipalName,
        mail: body.userPrincipalName,
        usageLocation: 'US',
        accountEnabled: true,
        licenses: [],
      },
      passwordSentTo: 'it-desk@contoso.example',
      passwordDelivered: true,
    });
    const mail = mails('new-user-password').find((m) => m.text.includes(body.userPrincipalName));
    expect(mail?.to).toBe('it-desk@contoso.example');
    const password = /Temporary password: (\S+)/.exec(mail?.text ?? '')?.[1] ?? '';
    expect(password).toMatch(/^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)(?=.*[^A-Za-z0-9]).{16}$/);
    expect(JSON.stringify(response.body)).not.toContain(password);
  });

  it('is for Admins only', async () => {
    const { setup } = await licensedCustomer(0);
    expect(await app.call('POST', m365(setup, 'users'), { token: setup.modifier, body: newUser(setup) })).toMatchObject(
      { status: 403, body: { code: 'AUTH.ROLE_TOO_LOW' } },
    );
  });

  it('asks for the billing confirmation only when the new user also takes a license', async () => {
    const { setup } = await licensedCustomer(2, { billingChangeConfirmation: true });
    expect((await app.call('POST', m365(setup, 'users'), { token: setup.admin, body: newUser(setup) })).status).toBe(
      201,
    );

    const licensed = newUser(setup, { licenses: ['SPB'] });
    const refused = await app.call('POST', m365(setup, 'users'), { token: setup.admin, body: licensed });
    expect(refused).toMatchObject({
      status: 409,
      body: {
        code: 'BILLING.CONFIRMATION_REQUIRED',
        action: 'createUser',
        costDifference: { USD: { amount: '22.00', currency: 'USD' } },
      },
    });
    expect(await directory.existingUserPrincipalNames(setup.tenantId, [licensed.userPrincipalName])).toEqual([]);

    const confirmed = await app.call('POST', m365(setup, 'users'), {
      token: setup.admin,
      body: { ...licensed, confirmBillingChange: true },
    });
    expect(confirmed.status).toBe(201);
    expect(confirmed.body.user.licenses).toMatchObject([{ skuPartNumber: 'SPB', direct: true, state: 'Active' }]);
    expect(await licensesOf(setup)).toMatchObject([{ consumed: 1 }]);
  });

  it('refuses an existing user principal name (409) and a license with no unit left before creating anyone', async () => {
    const { setup, person } = await licensedCustomer(0);
    const taken = await person('Taken Name');
    expect(
      await app.call('POST', m365(setup, 'users'), {
        token: setup.admin,
        body: newUser(setup, { userPrincipalName: taken.userPrincipalName }),
      }),
    ).toMatchObject({
      status: 409,
      body: { code: 'DIRECTORY.USER_EXISTS' },
    });
    const full = await licensedCustomer(1);
    const holder = await full.person('Seat Holder');
    await app.call('POST', m365(full.setup, `users/${holder.id}/licenses`), {
      token: full.setup.modifier,
      body: { add: ['SPB'] },
    });
    const body = newUser(full.setup, { licenses: ['SPB'] });
    expect(await app.call('POST', m365(full.setup, 'users'), { token: full.setup.admin, body })).toMatchObject({
      status: 409,
      body: { code: 'DIRECTORY.COUNT_VIOLATION' },
    });
    expect(await directory.existingUserPrincipalNames(full.setup.tenantId, [body.userPrincipalName])).toEqual([]);
  });
});

describe('CSV import and export', () => {
  const csvOf = (...lines: string[]) => ['displayName,userPrincipalName,usageLocation,licenses', ...lines].join('\r\n');
  const importCsv = (setup: CustomerSetup, csv: string, query = 'sendPasswordsTo=it-desk%40contoso.example') =>
    app.call('POST', m365(setup, `users/import?${query}`), {
      token: setup.admin,
      rawBody: csv,
      headers: { 'content-type': 'text/csv' },
    });
  const userCount = async (setup: CustomerSetup) =>
    (await directory.listUsers(setup.tenantId, { pageSize: 100 })).items.length;

  it('refuses a file with bad rows by line number and creates no one', async () => {
    const { setup, person } = await licensedCustomer(1);
    const existing = await person('Already There');
    const domain = `${setup.tenantId.slice(0, 8)}.example`;
    const response = await importCsv(
      setup,
      csvOf(
        `Good Person,good@${domain},US,SPB`,
        `Bad Country,country@${domain},XX,`,
        `Twice,good@${domain},US,`,
        `Unknown Licence,unknown@${domain},US,SPE_E5`,
        `Existing,${existing.userPrincipalName},US,`,
        `Over Quota,over@${domain},US,SPB`,
      ),
    );
    expect(response.status).toBe(400);
    expect(response.body.detail).toMatch(/no user was created/);
    expect(response.body.errors.map((e: { path: string }) => e.path)).toEqual([
      'line 3.usageLocation',
      'line 4.userPrincipalName',
      'line 5.licenses.0',
      'line 6.userPrincipalName',
      'line 7.licenses',
    ]);
    expect(await userCount(setup)).toBe(1);
  });

  it('refuses a file whose header is not the users header', async () => {
    const { setup } = await licensedCustomer(0);
    const response = await importCsv(setup, 'name,email\nA,a@b.example');
    expect(response).toMatchObject({ status: 400, body: { errors: [{ path: 'line 1' }] } });
  });

  it('creates every user of a good file, licensing them and mailing each password', async () => {
    const { setup } = await licensedCustomer(2);
    const domain = `${setup.tenantId.slice(0, 8)}.example`;
    const before = mails('new-user-password').length;
    const response = await importCsv(
      setup,
      csvOf(
        `Irvin Sayers,irvin@${domain},,SPB`,
        `Johanna Lorenz,johanna@${domain},DE,SPB;`,
        `Joni Sherman,joni@${domain},US,`,
      ),
    );
    expect(response.status).toBe(200);
    expect(response.body.failed).toEqual([]);
    expect(response.body.created.map((c: { line: number; licenses: string[] }) => [c.line, c.licenses])).toEqual([
      [2, ['SPB']],
      [3, ['SPB']],
      [4, []],
    ]);
    expect(mails('new-user-password').length - before).toBe(3);
    expect(await licensesOf(setup)).toMatchObject([{ consumed: 2, available: 0 }]);
    const irvin = (await directory.listUsers(setup.tenantId, { search: 'irvin', pageSize: 5 })).items[0];
    expect(irvin?.usageLocation).toBe('US');
  });

  it('exports users as CSV with formula-like text neutralised', async () => {
    const { setup, person } = await licensedCustomer(1);
    const evil = await person('=HYPERLINK("http://evil.example","x")');
    await person('+SUM(A1:A9)');
    await app.call('POST', m365(setup, `users/${evil.id}/licenses`), { token: setup.modifier, body: { add: ['SPB'] } });
    const response = await app.call('GET', m365(setup, 'users/export'), { token: setup.viewer });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = String(response.body)
      .replace(/^\uFEFF/, '')
      .split('\r\n');
    expect(lines[0]).toBe('displayName,userPrincipalName,usageLocation,licenses,groupLicenses,mail,accountEnabled,id');
    expect(lines[1]).toMatch(/^'\+SUM\(A1:A9\),/);
    expect(lines[2]).toMatch(/^"'=HYPERLINK\(""http:\/\/evil\.example"",""x""\)",[^,]+,US,SPB,,/);
    expect(lines.some((line) => /^"?[=+@-]/.test(line))).toBe(false);
  });
});

describe('admin consent', () => {
  it('shows the consent status and the admin-consent link', async () => {
    const { setup } = await licensedCustomer(0);
    const response = await app.call('GET', m365(setup, 'consent'), { token: setup.viewer });
    expect(response.body).toMatchObject({
      tenantId: setup.tenantId,
      granted: true,
      missingPermissions: [],
      consentUrl: `https://login.microsoftonline.com/${setup.tenantId}/adminconsent?client_id=${app.config.GRAPH_CLIENT_ID}`,
      requests: [],
    });
    expect(
      await app.call('POST', m365(setup, 'consent-requests'), {
        token: setup.admin,
        body: { justification: 'We want to manage licenses.' },
      }),
    ).toMatchObject({
      status: 409,
      body: { code: 'CONSENT.ALREADY_GRANTED' },
    });
  });

  it('routes a request with its justification to the company e-mail while the directory cannot be read', async () => {
    const { setup } = await licensedCustomer(0);
    await directory.setConsent(setup.tenantId, 'none');
    const response = await app.call('POST', m365(setup, 'consent-requests'), {
      token: setup.admin,
      body: { justification: 'Our office manager assigns licenses from the portal.' },
    });
    expect(response).toMatchObject({
      status: 201,
      body: {
        routedVia: 'companyEmail',
        sentTo: ['it@contoso.example'],
        justification: 'Our office manager assigns licenses from the portal.',
      },
    });
    const mail = mails('consent-request').find((m) => m.id.includes(response.body.id));
    expect(mail?.text).toContain(`https://login.microsoftonline.com/${setup.tenantId}/adminconsent?client_id=`);
    expect(mail?.text).toContain('Our office manager assigns licenses from the portal.');
    const status = await app.call('GET', m365(setup, 'consent'), { token: setup.viewer });
    expect(status.body).toMatchObject({
      granted: false,
      requests: [{ id: response.body.id, requestedBy: { label: expect.stringContaining('admin@') } }],
    });
  });

  it('routes a request to the tenant’s Global Administrators when the directory can be read', async () => {
    const { setup } = await licensedCustomer(0);
    await directory.seedUser(setup.tenantId, {
      displayName: 'Megan Bowen',
      userPrincipalName: `megan@${setup.tenantId.slice(0, 8)}.example`,
      globalAdmin: true,
    });
    await directory.setConsent(setup.tenantId, ['User.ReadWrite.All', 'RoleManagement.Read.Directory']);
    const response = await app.call('POST', m365(setup, 'consent-requests'), {
      token: setup.admin,
      body: { justification: 'Licenses need assigning from the portal.' },
    });
    expect(response).toMatchObject({
      status: 201,
      body: {
        routedVia: 'directory',
        sentTo: [`megan@${setup.tenantId.slice(0, 8)}.example`],
        missingPermissions: ['Group.Read.All', 'LicenseAssignment.ReadWrite.All'],
      },
    });
    expect(
      await app.call('POST', m365(setup, 'consent-requests'), {
        token: setup.modifier,
        body: { justification: 'Licenses need assigning from the portal.' },
      }),
    ).toMatchObject({ status: 403 });
  });
});
