import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DirectoryPort, NewDirectoryUser } from '../../src/app/ports/directory.port.ts';
import type { CommerceSimulator } from '../../src/adapters/commerce/simulator.commerce.ts';
import { simulatedSkuId, type DirectorySimulator } from '../../src/adapters/directory/simulator.directory.ts';
import { TEST_PRODUCTS } from '../support/fake-graph.ts';
import { rejection } from './commerce.contract.ts';

/**
 * The behaviour every DirectoryPort adapter must share (Microsoft Graph's licensing rules as the port exposes
 * them), run against the simulator directly and against the Graph adapter over HTTPS to a fake Graph. Microsoft's
 * side is arranged through the simulator behind the adapter: seats bought in its commerce simulator, users and
 * groups seeded as the tenant's own admins would, consent given or withdrawn.
 */
export interface DirectoryContractSubject {
  directory: DirectoryPort;
  simulator: DirectorySimulator;
  commerce: CommerceSimulator;
  close?: () => Promise<void>;
}

export const SPB = simulatedSkuId('SPB');
export const BASIC = simulatedSkuId('O365_BUSINESS_ESSENTIALS');
export const EXCHANGE = simulatedSkuId('EXCHANGESTANDARD');

export function buildNewUser(overrides: Partial<NewDirectoryUser> = {}): NewDirectoryUser {
  const alias = `user${randomUUID().slice(0, 8)}`;
  return {
    displayName: `Test ${alias}`,
    userPrincipalName: `${alias}@contoso.example`,
    mailNickname: alias,
    usageLocation: 'US',
    password: 'Str0ng!Passw0rd',
    ...overrides,
  };
}

/** Buys seats of a product of the test catalog (by its SKU part number) in the tenant. */
export async function buySeats(
  commerce: CommerceSimulator,
  tenantId: string,
  skuPartNumber: string,
  quantity: number,
): Promise<void> {
  const product = Object.values(TEST_PRODUCTS).find((p) => p.skuPartNumber === skuPartNumber);
  if (!product) throw new Error(`no test product for ${skuPartNumber}`);
  await commerce.placeOrder(
    tenantId,
    [{ catalogItemId: product.catalogItemId, quantity, termDuration: 'P1Y', billingCycle: 'monthly' }],
    randomUUID(),
  );
}

export function directoryContract(name: string, setup: () => Promise<DirectoryContractSubject>): void {
  describe(`DirectoryPort contract: ${name}`, () => {
    let subject: DirectoryContractSubject;
    let directory: DirectoryPort;
    let tenant: string;

    beforeAll(async () => {
      subject = await setup();
      directory = subject.directory;
    });
    afterAll(() => subject?.close?.());
    beforeEach(() => {
      tenant = randomUUID();
    });

    const seats = (skuPartNumber: string, quantity: number) =>
      buySeats(subject.commerce, tenant, skuPartNumber, quantity);
    const consumed = async (skuId: string) =>
      (await directory.subscribedSkus(tenant)).find((s) => s.skuId === skuId)?.consumedUnits;
    const newUser = async (overrides: Partial<NewDirectoryUser> = {}) =>
      directory.createUser(tenant, buildNewUser(overrides));

    it('derives the tenant’s SKUs from its Microsoft subscriptions', async () => {
      expect(await directory.subscribedSkus(tenant)).toEqual([]);
      await seats('SPB', 3);
      await seats('SPB', 2);
      await seats('EXCHANGESTANDARD', 1);
      expect(await directory.subscribedSkus(tenant)).toEqual([
        {
          skuId: EXCHANGE,
          skuPartNumber: 'EXCHANGESTANDARD',
          capabilityStatus: 'Enabled',
          prepaidUnits: { enabled: 1, suspended: 0, warning: 0, lockedOut: 0 },
          consumedUnits: 0,
        },
        {
          skuId: SPB,
          skuPartNumber: 'SPB',
          capabilityStatus: 'Enabled',
          prepaidUnits: { enabled: 5, suspended: 0, warning: 0, lockedOut: 0 },
          consumedUnits: 0,
        },
      ]);
      expect(await directory.consumedUnits(tenant, 'SPB')).toBe(0);
      expect(await directory.consumedUnits(tenant, 'NOT_BOUGHT')).toBe(0);
    });

    it('creates a user and reads it back, by id, in the list and by user principal name', async () => {
      const input = buildNewUser({ displayName: 'Adele Vance' });
      const created = await directory.createUser(tenant, input);
      expect(created).toMatchObject({
        displayName: 'Adele Vance',
        userPrincipalName: input.userPrincipalName,
        usageLocation: 'US',
        accountEnabled: true,
        assignedLicenses: [],
      });
      const read = await directory.getUser(tenant, created.id);
      expect(read).toEqual({ ...created, mail: read.mail, licenseAssignmentStates: [] });
      expect((await directory.listUsers(tenant, { pageSize: 10 })).items.map((u) => u.id)).toEqual([created.id]);
      expect(
        await directory.existingUserPrincipalNames(tenant, [
          input.userPrincipalName.toUpperCase(),
          'nobody@contoso.example',
        ]),
      ).toEqual([input.userPrincipalName]);
    });

    it('refuses a second user with the same user principal name, and a weak password', async () => {
      const input = buildNewUser();
      await directory.createUser(tenant, input);
      expect(
        (
          await rejection(
            directory.createUser(tenant, { ...input, userPrincipalName: input.userPrincipalName.toUpperCase() }),
          )
        ).code,
      ).toBe('DIRECTORY.USER_EXISTS');
      const weak = await rejection(directory.createUser(tenant, buildNewUser({ password: 'password' })));
      expect(weak).toMatchObject({ code: 'DIRECTORY.REFUSED', extra: { graphCode: 'Request_BadRequest' } });
      expect(weak.message).toMatch(/password/);
      expect((await directory.listUsers(tenant, { pageSize: 10 })).items).toHaveLength(1);
    });

    it('pages users and searches the start of their names', async () => {
      for (const name of ['Adele Vance', 'Alex Wilber', 'Diego Siciliani', 'Megan Bowen', 'Nestor Wilke'])
        await newUser({ displayName: name });
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await directory.listUsers(tenant, { pageSize: 2, ...(token ? { continuationToken: token } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((u) => u.displayName));
        token = page.continuationToken;
        pages += 1;
      } while (token);
      expect(pages).toBe(3);
      expect(seen.sort()).toEqual(['Adele Vance', 'Alex Wilber', 'Diego Siciliani', 'Megan Bowen', 'Nestor Wilke']);
      expect(
        (await directory.listUsers(tenant, { search: 'wil', pageSize: 10 })).items.map((u) => u.displayName).sort(),
      ).toEqual(['Alex Wilber', 'Nestor Wilke']);
      expect((await directory.listUsers(tenant, { search: 'nobody', pageSize: 10 })).items).toEqual([]);
    });

    it('assigns and removes a license, consuming one unit per user', async () => {
      await seats('SPB', 2);
      const user = await newUser();
      await directory.assignLicenses(tenant, user.id, { add: [SPB], remove: [] });
      await directory.assignLicenses(tenant, user.id, { add: [SPB], remove: [] });
      expect(await consumed(SPB)).toBe(1);
      expect(await directory.consumedUnits(tenant, 'SPB')).toBe(1);
      expect((await directory.getUser(tenant, user.id)).assignedLicenses).toEqual([{ skuId: SPB, disabledPlans: [] }]);
      expect(await directory.licenseStates(tenant, user.id)).toEqual([{ skuId: SPB, state: 'Active', error: 'None' }]);

      await directory.assignLicenses(tenant, user.id, { add: [], remove: [SPB] });
      expect(await consumed(SPB)).toBe(0);
      expect((await directory.getUser(tenant, user.id)).assignedLicenses).toEqual([]);
    });

    it('refuses a license with no unit left (CountViolation), changing nothing', async () => {
      await seats('SPB', 1);
      const [first, second] = [await newUser(), await newUser()];
      await directory.assignLicenses(tenant, first.id, { add: [SPB], remove: [] });
      const refused = await rejection(directory.assignLicenses(tenant, second!.id, { add: [SPB], remove: [] }));
      expect(refused).toMatchObject({ kind: 'Conflict', code: 'DIRECTORY.COUNT_VIOLATION', extra: { skuId: SPB } });
      expect(await consumed(SPB)).toBe(1);
      expect((await directory.getUser(tenant, second!.id)).assignedLicenses).toEqual([]);
    });

    it('gives the last unit to one of two users assigning it at once', async () => {
      await seats('SPB', 1);
      const users = [await newUser(), await newUser()];
      const outcomes = await Promise.allSettled(
        users.map((u) => directory.assignLicenses(tenant, u.id, { add: [SPB], remove: [] })),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const lost = outcomes.find((o) => o.status === 'rejected');
      expect(lost?.status === 'rejected' && lost.reason).toMatchObject({ code: 'DIRECTORY.COUNT_VIOLATION' });
      expect(await consumed(SPB)).toBe(1);
      const licensed = await Promise.all(
        users.map(async (u) => (await directory.getUser(tenant, u.id)).assignedLicenses.length),
      );
      expect(licensed.sort()).toEqual([0, 1]);
    });

    it('needs a usage location before licensing', async () => {
      await seats('SPB', 1);
      const user = await subject.simulator.seedUser(tenant, {
        displayName: 'No Location',
        userPrincipalName: `noloc${randomUUID().slice(0, 6)}@contoso.example`,
      });
      expect((await rejection(directory.assignLicenses(tenant, user.id, { add: [SPB], remove: [] }))).code).toBe(
        'DIRECTORY.USAGE_LOCATION_REQUIRED',
      );
      expect(await consumed(SPB)).toBe(0);
    });

    it('sets a usage location (then licensing works) and other profile properties; null clears one', async () => {
      await seats('SPB', 1);
      const user = await subject.simulator.seedUser(tenant, {
        displayName: 'No Location',
        userPrincipalName: `setloc${randomUUID().slice(0, 6)}@contoso.example`,
      });
      await directory.updateUser(tenant, user.id, {
        usageLocation: 'GB',
        jobTitle: 'Finance lead',
        department: 'Finance',
        businessPhones: ['+44 20 7946 0000'],
        preferredLanguage: 'en-GB',
      });
      expect(await directory.getUser(tenant, user.id)).toMatchObject({
        usageLocation: 'GB',
        jobTitle: 'Finance lead',
        department: 'Finance',
        businessPhones: ['+44 20 7946 0000'],
        preferredLanguage: 'en-GB',
        displayName: 'No Location',
      });
      await directory.assignLicenses(tenant, user.id, { add: [SPB], remove: [] });
      expect(await consumed(SPB)).toBe(1);

      await directory.updateUser(tenant, user.id, { jobTitle: null, businessPhones: [], displayName: 'Jo Located' });
      const after = await directory.getUser(tenant, user.id);
      expect(after).toMatchObject({ displayName: 'Jo Located', department: 'Finance', usageLocation: 'GB' });
      expect(after.jobTitle).toBeUndefined();
      expect(after.businessPhones).toBeUndefined();
      expect(after.assignedLicenses.map((l) => l.skuId)).toEqual([SPB]);
    });

    it('refuses what Graph refuses in a user update, changing nothing', async () => {
      const user = await newUser({ usageLocation: 'US' });
      for (const update of [
        { usageLocation: 'XX' },
        { usageLocation: 'gb' },
        { preferredLanguage: 'English' },
        { businessPhones: ['+1 425 555 0100', '+1 425 555 0101'] },
        { jobTitle: 'x'.repeat(129) },
        { displayName: ' ' },
      ]) {
        expect(await rejection(directory.updateUser(tenant, user.id, update)), JSON.stringify(update)).toMatchObject({
          code: 'DIRECTORY.REFUSED',
        });
      }
      expect(await directory.getUser(tenant, user.id)).toMatchObject({ usageLocation: 'US' });
      expect(await rejection(directory.updateUser(tenant, randomUUID(), { usageLocation: 'GB' }))).toMatchObject({
        kind: 'NotFound',
        code: 'DIRECTORY.USER_NOT_FOUND',
      });
    });

    it('refuses a SKU the tenant has not bought, and removing a license the user does not have', async () => {
      await seats('SPB', 1);
      const user = await newUser();
      expect((await rejection(directory.assignLicenses(tenant, user.id, { add: [EXCHANGE], remove: [] }))).code).toBe(
        'DIRECTORY.SKU_NOT_FOUND',
      );
      expect((await rejection(directory.assignLicenses(tenant, user.id, { add: [], remove: [SPB] }))).code).toBe(
        'DIRECTORY.LICENSE_NOT_ASSIGNED',
      );
    });

    it('answers NotFound for an unknown user or group', async () => {
      await seats('SPB', 1);
      expect(await rejection(directory.getUser(tenant, randomUUID()))).toMatchObject({
        kind: 'NotFound',
        code: 'DIRECTORY.USER_NOT_FOUND',
      });
      expect(await rejection(directory.assignLicenses(tenant, randomUUID(), { add: [SPB], remove: [] }))).toMatchObject(
        { kind: 'NotFound', code: 'DIRECTORY.USER_NOT_FOUND' },
      );
      expect(
        await rejection(directory.assignGroupLicenses(tenant, randomUUID(), { add: [SPB], remove: [] })),
      ).toMatchObject({ kind: 'NotFound', code: 'DIRECTORY.GROUP_NOT_FOUND' });
    });

    it('licenses a group’s members, once per user, and refuses removing the inherited license directly', async () => {
      await seats('SPB', 5);
      const [member, both] = [await newUser(), await newUser()];
      await directory.assignLicenses(tenant, both.id, { add: [SPB], remove: [] });
      const group = await subject.simulator.seedGroup(tenant, 'Sales', [member.id, both.id]);
      expect(await directory.listGroups(tenant)).toEqual([
        { id: group.id, displayName: 'Sales', assignedLicenses: [] },
      ]);

      const licensed = await directory.assignGroupLicenses(tenant, group.id, { add: [SPB], remove: [] });
      expect(licensed).toEqual({
        id: group.id,
        displayName: 'Sales',
        assignedLicenses: [{ skuId: SPB, disabledPlans: [] }],
      });
      expect(await directory.listGroups(tenant)).toEqual([licensed]);
      expect(await consumed(SPB)).toBe(2);
      expect(await directory.licenseStates(tenant, member.id)).toEqual([
        { skuId: SPB, assignedByGroup: group.id, state: 'Active', error: 'None' },
      ]);
      expect(await directory.licenseStates(tenant, both.id)).toEqual([
        { skuId: SPB, state: 'Active', error: 'None' },
        { skuId: SPB, assignedByGroup: group.id, state: 'Active', error: 'None' },
      ]);

      expect(await rejection(directory.assignLicenses(tenant, member.id, { add: [], remove: [SPB] }))).toMatchObject({
        kind: 'Conflict',
        code: 'DIRECTORY.LICENSE_INHERITED',
      });
      // A direct assignment beside the group's can go; the group's keeps the license (and its unit).
      await directory.assignLicenses(tenant, both.id, { add: [], remove: [SPB] });
      expect(await consumed(SPB)).toBe(2);

      await directory.assignGroupLicenses(tenant, group.id, { add: [], remove: [SPB] });
      expect(await consumed(SPB)).toBe(0);
      expect(await directory.licenseStates(tenant, member.id)).toEqual([]);
    });

    it('puts a group member with no unit left in a CountViolation error state, consuming nothing for it', async () => {
      await seats('SPB', 1);
      const [first, second] = [await newUser(), await newUser()];
      const group = await subject.simulator.seedGroup(tenant, 'Everyone', [first.id, second.id]);
      await directory.assignGroupLicenses(tenant, group.id, { add: [SPB], remove: [] });
      expect(await consumed(SPB)).toBe(1);
      // Which member Entra processes first is not defined: one gets the unit, the other the error.
      const states = [
        ...(await directory.licenseStates(tenant, first.id)),
        ...(await directory.licenseStates(tenant, second.id)),
      ];
      expect(states.sort((a, b) => a.state.localeCompare(b.state))).toEqual([
        { skuId: SPB, assignedByGroup: group.id, state: 'Active', error: 'None' },
        { skuId: SPB, assignedByGroup: group.id, state: 'Error', error: 'CountViolation' },
      ]);
      const licensed = await Promise.all(
        [first, second].map(async (u) => (await directory.getUser(tenant, u.id)).assignedLicenses.length),
      );
      expect(licensed.sort()).toEqual([0, 1]);
    });

    it('tells whether the app has admin consent, and refuses what is not consented', async () => {
      await seats('SPB', 1);
      const user = await newUser();
      expect(await directory.consentStatus(tenant)).toEqual({
        granted: true,
        grantedPermissions: [
          'User.ReadWrite.All',
          'Group.Read.All',
          'LicenseAssignment.ReadWrite.All',
          'RoleManagement.Read.Directory',
        ],
        missingPermissions: [],
      });

      await subject.simulator.setConsent(tenant, ['User.ReadWrite.All']);
      expect(await directory.consentStatus(tenant)).toMatchObject({
        granted: false,
        missingPermissions: ['Group.Read.All', 'LicenseAssignment.ReadWrite.All', 'RoleManagement.Read.Directory'],
      });
      expect((await directory.getUser(tenant, user.id)).id).toBe(user.id);
      expect(await rejection(directory.assignLicenses(tenant, user.id, { add: [SPB], remove: [] }))).toMatchObject({
        kind: 'Conflict',
        code: 'DIRECTORY.CONSENT_REQUIRED',
      });

      await subject.simulator.setConsent(tenant, 'none');
      expect(await directory.consentStatus(tenant)).toEqual({
        granted: false,
        grantedPermissions: [],
        missingPermissions: [
          'User.ReadWrite.All',
          'Group.Read.All',
          'LicenseAssignment.ReadWrite.All',
          'RoleManagement.Read.Directory',
        ],
      });
      expect((await rejection(directory.listUsers(tenant, { pageSize: 5 }))).code).toBe('DIRECTORY.CONSENT_REQUIRED');
    });

    it('lists the Global Administrators', async () => {
      const admin = await subject.simulator.seedUser(tenant, {
        displayName: 'Megan Admin',
        userPrincipalName: 'megan@contoso.example',
        globalAdmin: true,
        usageLocation: 'US',
      });
      await newUser();
      expect(await directory.globalAdmins(tenant)).toEqual([
        {
          id: admin.id,
          displayName: 'Megan Admin',
          userPrincipalName: 'megan@contoso.example',
          mail: 'megan@contoso.example',
        },
      ]);
    });
  });
}
