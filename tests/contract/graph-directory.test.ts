import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { graphDirectory } from '../../src/adapters/directory/graph.directory.ts';
import type { DirectoryPort, NewDirectoryUser } from '../../src/app/ports/directory.port.ts';
import { testClock } from '../support/clock.ts';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.ts';
import { rejection } from './commerce.contract.ts';
import { BASIC, buildNewUser, buySeats, directoryContract, EXCHANGE, SPB } from './directory.contract.ts';

const graphConfig = (url: string) => ({
  GRAPH_BASE_URL: url,
  GRAPH_CLIENT_ID: 'not-used',
  GRAPH_CLIENT_SECRET: 'not-used',
  GRAPH_TIMEOUT_MS: 5000,
  GRAPH_MAX_RETRIES: 2,
});

directoryContract('Microsoft Graph adapter over HTTPS', async () => {
  const fake = await startFakeGraph({
    connectionString: inject('storageConnectionString'),
    clock: testClock('2026-03-10T09:00:00.000Z'),
  });
  const directory = graphDirectory(graphConfig(fake.url), {
    getToken: (tenantId) => fake.tokenFor(tenantId),
    fetch: fake.fetch,
    sleep: async () => undefined,
  });
  return { directory, simulator: fake.simulator, commerce: fake.commerce, close: () => fake.close() };
});

describe('Microsoft Graph adapter at the wire', () => {
  let fake: FakeGraph;
  let sleeps: number[];
  let directory: DirectoryPort;
  let tenant: string;

  const adapter = (overrides: Partial<ReturnType<typeof graphConfig>> = {}) =>
    graphDirectory(
      { ...graphConfig(fake.url), ...overrides },
      {
        getToken: (tenantId) => fake.tokenFor(tenantId),
        fetch: fake.fetch,
        sleep: async (ms) => void sleeps.push(ms),
        random: () => 1,
      },
    );
  const sent = (method: string, path?: RegExp) =>
    fake.requests.filter((r) => r.method === method && (!path || path.test(r.path)));
  const user = async (overrides: Partial<NewDirectoryUser> = {}) => {
    const created = await fake.simulator.createUser(tenant, buildNewUser(overrides));
    return created;
  };

  beforeAll(async () => {
    fake = await startFakeGraph({
      connectionString: inject('storageConnectionString'),
      clock: testClock('2026-03-10T09:00:00.000Z'),
    });
  });
  afterAll(() => fake?.close());
  beforeEach(() => {
    fake.reset();
    sleeps = [];
    tenant = randomUUID();
    directory = adapter();
  });

  it('sends assignLicense with both lists, each added SKU with its disabled plans, and the tenant’s token', async () => {
    await buySeats(fake.commerce, tenant, 'SPB', 2);
    await buySeats(fake.commerce, tenant, 'EXCHANGESTANDARD', 2);
    const u = await user();
    await directory.assignLicenses(tenant, u.id, { add: [SPB], remove: [] });
    await directory.assignLicenses(tenant, u.id, { add: [EXCHANGE], remove: [SPB] });
    const [first, second] = sent('POST');
    expect(first).toMatchObject({
      path: `/v1.0/users/${u.id}/assignLicense`,
      body: { addLicenses: [{ skuId: SPB, disabledPlans: [] }], removeLicenses: [] },
    });
    expect(second?.body).toEqual({ addLicenses: [{ skuId: EXCHANGE, disabledPlans: [] }], removeLicenses: [SPB] });
    expect(first?.headers['content-type']).toMatch(/^application\/json/);
    expect(first?.headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    const payload = JSON.parse(
      Buffer.from(first?.headers.authorization?.split('.')[1] ?? '', 'base64url').toString(),
    ) as { tid: string };
    expect(payload.tid).toBe(tenant);
  });

  it('sends a user update as PATCH /users/{id} with only the properties given, null clearing one', async () => {
    const u = await user({ usageLocation: 'US' });
    await directory.updateUser(tenant, u.id, { usageLocation: 'GB', jobTitle: null, department: 'Finance' });
    expect(sent('PATCH')).toEqual([
      expect.objectContaining({
        path: `/v1.0/users/${u.id}`,
        body: { usageLocation: 'GB', jobTitle: null, department: 'Finance' },
      }),
    ]);
    expect(sent('PATCH')[0]?.headers['content-type']).toMatch(/^application\/json/);
    const read = await directory.getUser(tenant, u.id);
    expect(read).toMatchObject({ usageLocation: 'GB', department: 'Finance' });
    expect(sent('GET').at(-1)?.path).toMatch(/\$select=[^&]*department/);
  });

  it('sends a group’s assignLicense to the group', async () => {
    await buySeats(fake.commerce, tenant, 'SPB', 2);
    const group = await fake.simulator.seedGroup(tenant, 'Sales', [(await user()).id]);
    await directory.assignGroupLicenses(tenant, group.id, { add: [SPB], remove: [] });
    expect(sent('POST')).toEqual([
      expect.objectContaining({
        path: `/v1.0/groups/${group.id}/assignLicense`,
        body: { addLicenses: [{ skuId: SPB, disabledPlans: [] }], removeLicenses: [] },
      }),
    ]);
  });

  it('reads the group again after Graph’s short 202 answer (group-assignlicense, v1.0, Example 1, Response)', async () => {
    await buySeats(fake.commerce, tenant, 'SPB', 2);
    await buySeats(fake.commerce, tenant, 'O365_BUSINESS_ESSENTIALS', 2);
    const group = await fake.simulator.seedGroup(tenant, 'Sales', [(await user()).id]);
    fake.requests.length = 0;
    const licensed = await directory.assignGroupLicenses(tenant, group.id, { add: [SPB, BASIC], remove: [] });

    expect(licensed.id).toBe(group.id);
    expect(licensed.displayName).toBe('Sales');
    expect(licensed.assignedLicenses.map((l) => l.skuId).sort()).toEqual([SPB, BASIC].sort());
    expect(fake.requests.map((r) => [r.method, new URL(r.path, fake.url).pathname])).toEqual([
      ['POST', `/v1.0/groups/${group.id}/assignLicense`],
      ['GET', `/v1.0/groups/${group.id}`],
    ]);
  });

  it('creates a user with a password profile that must be changed, and no retry of a failed creation', async () => {
    const input = buildNewUser({ usageLocation: 'DE' });
    const created = await directory.createUser(tenant, input);
    expect(created.usageLocation).toBe('DE');
    expect(sent('POST')[0]).toMatchObject({
      path: '/v1.0/users',
      body: {
        accountEnabled: true,
        displayName: input.displayName,
        mailNickname: input.mailNickname,
        userPrincipalName: input.userPrincipalName,
        usageLocation: 'DE',
        passwordProfile: { forceChangePasswordNextSignIn: true, password: input.password },
      },
    });
    fake.reset();
    fake.failNext({ times: 1, answer: 500, method: 'POST' });
    expect(await rejection(directory.createUser(tenant, buildNewUser()))).toMatchObject({
      kind: 'Unavailable',
      code: 'DIRECTORY.UNAVAILABLE',
    });
    expect(sent('POST')).toHaveLength(1);
  });

  it('searches with $search, $select and $top and ConsistencyLevel: eventual, and follows @odata.nextLink', async () => {
    for (const name of ['Alex Wilber', 'Nestor Wilke', 'Isaiah Willis', 'Megan Bowen'])
      await user({ displayName: name });
    const first = await directory.listUsers(tenant, { search: 'wil', pageSize: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.continuationToken).toBeDefined();
    const second = await directory.listUsers(tenant, { pageSize: 2, continuationToken: first.continuationToken! });
    expect(second.continuationToken).toBeUndefined();
    expect([...first.items, ...second.items].map((u) => u.displayName).sort()).toEqual([
      'Alex Wilber',
      'Isaiah Willis',
      'Nestor Wilke',
    ]);

    const [a, b] = sent('GET', /^\/v1\.0\/users\?/);
    const query = new URL(a!.path, fake.url).searchParams;
    expect(query.get('$search')).toBe('"displayName:wil" OR "userPrincipalName:wil" OR "mail:wil"');
    expect(query.get('$top')).toBe('2');
    expect(query.get('$select')).toContain('licenseAssignmentStates');
    expect(a!.headers.consistencylevel).toBe('eventual');
    expect(b!.headers.consistencylevel).toBe('eventual');
    // The second request is the next link Graph sent, as is.
    const link = new URL(b!.path, fake.url);
    expect(link.searchParams.get('$skiptoken')).toBeTruthy();
    expect(link.searchParams.get('$search')).toBe(query.get('$search'));
  });

  it('escapes quotes in a search, and sends no ConsistencyLevel without one', async () => {
    await user({ displayName: 'Dan "The Man" Jump' });
    await directory.listUsers(tenant, { search: 'dan "the', pageSize: 5 });
    await directory.listUsers(tenant, { pageSize: 5 });
    const [searched, plain] = sent('GET', /^\/v1\.0\/users\?/);
    expect(new URL(searched!.path, fake.url).searchParams.get('$search')).toBe(
      '"displayName:dan \\"the" OR "userPrincipalName:dan \\"the" OR "mail:dan \\"the"',
    );
    expect(plain!.headers).not.toHaveProperty('consistencylevel');
  });

  it('follows @odata.nextLink to the end of a collection Graph pages on its own', async () => {
    for (let i = 0; i < 5; i += 1) await fake.simulator.seedGroup(tenant, `Group ${i}`);
    fake.maxPageSize = 2;
    expect(await directory.listGroups(tenant)).toHaveLength(5);
    expect(
      sent('GET', /^\/v1\.0\/groups/).map((r) => new URL(r.path, fake.url).searchParams.get('$skiptoken')),
    ).toEqual([null, '2', '4']);
  });

  it('asks for existing users with $filter … in (…), 15 at a time', async () => {
    const known = await user();
    const upns = [known.userPrincipalName, ...Array.from({ length: 20 }, (_, i) => `nobody${i}@contoso.example`)];
    expect(await directory.existingUserPrincipalNames(tenant, upns)).toEqual([known.userPrincipalName]);
    const filters = sent('GET', /^\/v1\.0\/users\?/).map((r) => new URL(r.path, fake.url).searchParams.get('$filter'));
    expect(filters).toHaveLength(2);
    expect(filters[0]).toMatch(/^userPrincipalName in \('[^']+'(,'[^']+'){14}\)$/);
  });

  it('waits out a 429’s Retry-After and retries', async () => {
    await buySeats(fake.commerce, tenant, 'SPB', 1);
    fake.failNext({ times: 2, answer: 429, retryAfter: '3', path: /subscribedSkus/ });
    expect(await directory.consumedUnits(tenant, 'SPB')).toBe(0);
    expect(sleeps).toEqual([3000, 3000]);
    expect(sent('GET', /subscribedSkus/)).toHaveLength(3);
  });

  it('ends a call still throttled after the retries in DIRECTORY.THROTTLED (503) with the Retry-After', async () => {
    fake.failNext({ times: 3, answer: 429, retryAfter: '7' });
    const error = await rejection(directory.subscribedSkus(tenant));
    expect(error).toMatchObject({ kind: 'Unavailable', code: 'DIRECTORY.THROTTLED', extra: { retryAfterSeconds: 7 } });
    expect(sleeps).toEqual([7000, 7000]);
  });

  it('makes a quick call once, without waiting out a 429 or retrying a 5xx (a page falls back instead)', async () => {
    await buySeats(fake.commerce, tenant, 'SPB', 2);
    fake.failNext({ times: 1, answer: 429, retryAfter: '7', path: /subscribedSkus/ });
    const throttled = await rejection(directory.subscribedSkus(tenant, { quick: true }));
    expect(throttled).toMatchObject({ code: 'DIRECTORY.THROTTLED', extra: { retryAfterSeconds: 7 } });
    fake.failNext({ times: 1, answer: 503, path: /subscribedSkus/ });
    expect(await rejection(directory.subscribedSkus(tenant, { quick: true }))).toMatchObject({
      code: 'DIRECTORY.UNAVAILABLE',
    });
    expect(sleeps).toEqual([]);
    expect(sent('GET', /subscribedSkus/)).toHaveLength(2);
    // Answered, a quick call reads the same as any other.
    expect(await directory.subscribedSkus(tenant, { quick: true })).toMatchObject([
      { skuPartNumber: 'SPB', consumedUnits: 0 },
    ]);
  });

  it('answers JSON of no documented shape with DIRECTORY.BAD_ANSWER (503), never a 500', async () => {
    fake.failNext({ times: 1, answer: 'unexpectedShape' });
    const error = await rejection(directory.subscribedSkus(tenant));
    expect(error).toMatchObject({
      kind: 'Unavailable',
      code: 'DIRECTORY.BAD_ANSWER',
      extra: { retryAfterSeconds: 60 },
    });
  });

  it('retries a 5xx with backoff, then answers DIRECTORY.UNAVAILABLE (503)', async () => {
    fake.failNext({ times: 3, answer: 503 });
    expect(await rejection(directory.listGroups(tenant))).toMatchObject({
      kind: 'Unavailable',
      code: 'DIRECTORY.UNAVAILABLE',
    });
    expect(sleeps).toEqual([500, 1000]);
    fake.reset();
    fake.failNext({ times: 1, answer: 500 });
    expect(await directory.listGroups(tenant)).toEqual([]);
  });

  it('gives up on a Graph that does not answer within GRAPH_TIMEOUT_MS', async () => {
    const impatient = adapter({ GRAPH_TIMEOUT_MS: 1000, GRAPH_MAX_RETRIES: 0 });
    fake.failNext({ times: 1, answer: 'hang' });
    const error = await rejection(impatient.listGroups(tenant));
    expect(error).toMatchObject({ code: 'DIRECTORY.UNAVAILABLE' });
    expect(error.message).toMatch(/no answer within 1000 ms/);
  });

  it.each([
    [{ code: 'CountViolation', message: 'License assignment failed: CountViolation.' }, 'DIRECTORY.COUNT_VIOLATION'],
    [
      {
        code: 'Request_BadRequest',
        message: 'License assignment cannot be done for user with invalid usage location.',
      },
      'DIRECTORY.USAGE_LOCATION_REQUIRED',
    ],
    [
      {
        code: 'Request_BadRequest',
        message: 'User license is inherited from a group membership and it cannot be removed directly from the user.',
      },
      'DIRECTORY.LICENSE_INHERITED',
    ],
    [{ code: 'Request_BadRequest', message: 'Some other rule.' }, 'DIRECTORY.REFUSED'],
  ])('reads Graph’s error %o as %s', async (graphError, code) => {
    const u = await user();
    fake.failNext({ times: 1, answer: 400, method: 'POST', error: graphError });
    const error = await rejection(directory.assignLicenses(tenant, u.id, { add: [SPB], remove: [] }));
    expect(error.code).toBe(code);
    expect(error.kind).toBe('Conflict');
  });

  it('reads a missing service principal as no consent, and an unknown token as a configuration problem', async () => {
    await fake.simulator.setConsent(tenant, 'none');
    expect((await directory.consentStatus(tenant)).granted).toBe(false);
    expect((await rejection(directory.subscribedSkus(tenant))).code).toBe('DIRECTORY.CONSENT_REQUIRED');
    expect(fake.requests).toEqual([]);

    const stranger = graphDirectory(graphConfig(fake.url), {
      getToken: async () => 'not.a.token',
      fetch: fake.fetch,
      sleep: async () => undefined,
    });
    const error = await rejection(stranger.subscribedSkus(randomUUID()));
    expect(error).toMatchObject({ kind: 'Unavailable', code: 'DIRECTORY.UNAVAILABLE' });
    expect(error.message).toMatch(/GRAPH_CLIENT_ID/);
  });

  it('refuses a continuation token it did not make', async () => {
    const forged = Buffer.from('/groups?$top=5').toString('base64url');
    expect(await rejection(directory.listUsers(tenant, { pageSize: 5, continuationToken: forged }))).toMatchObject({
      kind: 'Validation',
    });
    expect(fake.requests).toEqual([]);
  });
});
