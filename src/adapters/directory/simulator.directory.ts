import { randomIds, type IdGenerator } from '../../app/ports/ids.port.ts';
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { z } from 'zod';
import { validation } from '../../app/errors.ts';
import {
  consentRequired,
  countViolation,
  directoryRefused,
  directoryThrottled,
  directoryUnavailable,
  groupNotFound,
  licenseInherited,
  licenseNotAssigned,
  skuNotInTenant,
  usageLocationRequired,
  userExists,
  userNotFound,
} from '../../app/directory-errors.ts';
import { offsetPage } from '../../app/offset-page.ts';
import type { Clock } from '../../app/ports/clock.port.ts';
import type { CommercePort } from '../../app/ports/commerce.port.ts';
import type { Page } from '../../app/ports/customer.repository.port.ts';
import {
  licenseAssignmentErrors,
  requiredGraphPermissions,
  type AssignedLicense,
  type ConsentStatus,
  type DirectoryAdmin,
  type DirectoryGroup,
  type DirectoryPort,
  type DirectoryUser,
  type DirectoryUserProfile,
  type DirectoryUserUpdate,
  type GraphPermission,
  type LicenseAssignmentState,
  type LicenseChange,
  type NewDirectoryUser,
  type SubscribedSku,
  type UserQuery,
  userProfileLimits,
} from '../../app/ports/directory.port.ts';
import { guidFrom } from '../../domain/ids.ts';
import { isCountryCode } from '../../domain/locale.ts';
import { corruptRow, storageStatus } from '../tables/table-errors.ts';

/**
 * A customer's Entra ID directory, simulated on Table Storage with Microsoft Graph's licensing rules:
 *
 * - the tenant's SKUs come from its Microsoft subscriptions (the commerce port's, with the catalog's SKU part
 *   number of each product), so buying seats in the portal makes licenses available; units available =
 *   prepaid enabled − consumed;
 * - assigning a license with none left is a CountViolation; a user needs a usage location before licensing;
 * - a group's licenses apply to its members (`assignedByGroup`), consuming one unit per user however many
 *   sources the user has; a member for whom no unit is left gets an `Error` / `CountViolation` state instead;
 *   removing an inherited license from the user directly is refused;
 * - consumed units are counters guarded by ETags, changed in the same entity-group transaction as the user, so
 *   two assignments of the last unit cannot both win.
 *
 * One partition per tenant: `user|{id}`, `upn|{lower-case UPN}` (uniqueness), `group|{id}`, `units|{skuId}`,
 * and `consent` (absent: the app has full consent, as in a tenant already onboarded).
 */
export interface DirectorySimulatorOptions {
  clock: Clock;
  /** Microsoft's subscriptions of the tenant: the SKUs and their units derive from them. */
  commerce: Pick<CommercePort, 'listSubscriptions'>;
  /** The catalog's SKU part number of each product (`{productId}:{skuId}`). */
  catalog: { getProduct(productId: string): Promise<{ skuPartNumber?: string | undefined } | undefined> };
  random?: () => number;
  /** Ids of users and groups (random unless given). */
  ids?: IdGenerator;
}

export interface DirectoryFault {
  status: 429 | 500 | 'timeout';
  retryAfterSeconds?: number;
}

export interface SeedUser {
  displayName: string;
  userPrincipalName: string;
  usageLocation?: string;
  globalAdmin?: boolean;
  accountEnabled?: boolean;
}

const USER = 'user|';
const UPN = 'upn|';
const GROUP = 'group|';
const UNITS = 'units|';
const CONSENT = 'consent';
/** Attempts of one guarded change before giving up (each lost race re-reads and re-checks). */
const MAX_ATTEMPTS = 12;

const json = <T extends z.ZodType>(schema: T) =>
  z.string().transform((s) => schema.parse(JSON.parse(s)) as z.output<T>);
const licenseSchema = z.object({ skuId: z.string(), disabledPlans: z.array(z.string()) });
const inheritedSchema = z.object({
  skuId: z.string(),
  groupId: z.string(),
  state: z.enum(['Active', 'Error']),
  error: z.enum(licenseAssignmentErrors),
});

const profileSchema = z.object({
  ...Object.fromEntries(Object.keys(userProfileLimits).map((key) => [key, z.string().optional()])),
  businessPhones: z.array(z.string()).optional(),
}) as z.ZodType<Omit<DirectoryUserProfile, 'displayName'>>;

const userRowSchema = z.object({
  rowKey: z.string(),
  etag: z.string(),
  displayName: z.string(),
  userPrincipalName: z.string(),
  mailNickname: z.string(),
  mail: z.string().optional(),
  usageLocation: z.string().optional(),
  accountEnabled: z.boolean(),
  globalAdmin: z.boolean(),
  createdAt: z.string(),
  groups: json(z.array(z.string())),
  direct: json(z.array(licenseSchema)),
  inherited: json(z.array(inheritedSchema)),
  /** Profile properties set through `updateUser` (absent on rows written before they existed). */
  profile: json(profileSchema).optional(),
});
type UserState = Omit<z.output<typeof userRowSchema>, 'rowKey' | 'etag'> & { id: string };
type Inherited = z.output<typeof inheritedSchema>;

const groupRowSchema = z.object({
  rowKey: z.string(),
  etag: z.string(),
  displayName: z.string(),
  assignedLicenses: json(z.array(licenseSchema)),
});
const unitsRowSchema = z.object({
  rowKey: z.string(),
  etag: z.string(),
  skuPartNumber: z.string(),
  consumed: z.number().int().min(0),
});
const consentRowSchema = z.object({ servicePrincipal: z.boolean(), permissions: json(z.array(z.string())) });

interface SkuUnits {
  skuId: string;
  skuPartNumber: string;
  enabled: number;
  suspended: number;
}
type Counters = Map<string, { consumed: number; etag: string; skuPartNumber: string }>;

/** The simulator's SKU id of a part number: stable, so that a SKU keeps its id across calls and restarts. */
export const simulatedSkuId = (skuPartNumber: string) => guidFrom(`sku:${skuPartNumber}`);

export class DirectorySimulator implements DirectoryPort {
  private readonly faults: DirectoryFault[] = [];
  private readonly random: () => number;

  constructor(
    private readonly table: TableClient,
    private readonly options: DirectorySimulatorOptions,
  ) {
    this.random = options.random ?? Math.random;
  }

  /** Test hook: the next calls fail as planned, one fault per call, before touching any state. */
  failNext(...faults: DirectoryFault[]): void {
    this.faults.push(...faults);
  }

  // ---- users ----

  async listUsers(tenantId: string, query: UserQuery): Promise<Page<DirectoryUser>> {
    this.maybeFail();
    await this.requireConsent(tenantId, 'User.ReadWrite.All');
    const words = (query.search ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    const users = (await this.allUsers(tenantId))
      .filter((u) => words.every((word) => tokens(u).some((token) => token.startsWith(word))))
      .sort((a, b) => a.displayName.localeCompare(b.displayName, 'en') || a.id.localeCompare(b.id));
    const page = offsetPage(users, query.pageSize, query.continuationToken);
    return { ...page, items: page.items.map(toDirectoryUser) };
  }

  async getUser(tenantId: string, userId: string): Promise<DirectoryUser> {
    this.maybeFail();
    await this.requireConsent(tenantId, 'User.ReadWrite.All');
    return toDirectoryUser(await this.requireUser(tenantId, userId));
  }

  async existingUserPrincipalNames(tenantId: string, userPrincipalNames: string[]): Promise<string[]> {
    this.maybeFail();
    await this.requireConsent(tenantId, 'User.ReadWrite.All');
    const found: string[] = [];
    for (const upn of new Set(userPrincipalNames.map((u) => u.toLowerCase()))) {
      const row = await this.point(tenantId, `${UPN}${upn}`);
      if (row) {
        const user = await this.readUser(tenantId, String(row.userId));
        if (user) found.push(user.state.userPrincipalName);
      }
    }
    return found;
  }

  async createUser(tenantId: string, input: NewDirectoryUser): Promise<DirectoryUser> {
    this.maybeFail();
    await this.requireConsent(tenantId, 'User.ReadWrite.All');
    checkNewUser(input);
    return toDirectoryUser(await this.insertUser(tenantId, input, false));
  }

  async updateUser(tenantId: string, userId: string, update: DirectoryUserUpdate): Promise<void> {
    this.maybeFail();
    await this.requireConsent(tenantId, 'User.ReadWrite.All');
    checkUpdate(update);
    // The user's licenses do not change: no counter is touched, but the user row is guarded by its ETag.
    await this.mutateUser(tenantId, userId, new Map(), (user) => applyUpdate(user, update));
  }

  // ---- licenses ----

  async subscribedSkus(tenantId: string): Promise<SubscribedSku[]> {
    this.maybeFail();
    await this.requireConsent(tenantId, 'LicenseAssignment.ReadWrite.All');
    const counters = await this.readCounters(tenantId);
    const units = await this.skuUnits(tenantId, counters);
    const out: SubscribedSku[] = [];
    for (const sku of units.values()) {
      const consumed = counters.get(sku.skuId)?.consumed ?? 0;
      if (sku.enabled === 0 && sku.suspended === 0 && consumed === 0) continue;
      out.push({
        skuId: sku.skuId,
        skuPartNumber: sku.skuPartNumber,
        capabilityStatus: sku.enabled > 0 ? 'Enabled' : sku.suspended > 0 ? 'Suspended' : 'Deleted',
        prepaidUnits: { enabled: sku.enabled, suspended: sku.suspended, warning: 0, lockedOut: 0 },
        consumedUnits: consumed,
      });
    }
    return out.sort((a, b) => a.skuPartNumber.localeCompare(b.skuPartNumber));
  }

  async consumedUnits(tenantId: string, skuPartNumber: string): Promise<number> {
    const sku = (await this.subscribedSkus(tenantId)).find(
      (s) => s.skuPartNumber.toLowerCase() === skuPartNumber.toLowerCase(),
    );
    return sku?.consumedUnits ?? 0;
  }

  async assignLicenses(tenantId: string, userId: string, change: LicenseChange): Promise<void> {
    this.maybeFail();
    await this.requireConsent(tenantId, 'LicenseAssignment.ReadWrite.All');
    checkChange(change);
    const units = await this.skuUnits(tenantId);
    await this.mutateUser(tenantId, userId, units, (user) => {
      if (change.add.length > 0 && !user.usageLocation) throw usageLocationRequired(userId);
      for (const skuId of change.add) if (!units.has(skuId)) throw skuNotInTenant(skuId);
      for (const skuId of change.remove) {
        if (user.direct.some((l) => l.skuId === skuId)) continue;
        const groups = user.inherited.filter((i) => i.skuId === skuId).map((i) => i.groupId);
        throw groups.length ? licenseInherited(skuId, groups) : licenseNotAssigned(skuId);
      }
      const kept = user.direct.filter((l) => !change.remove.includes(l.skuId));
      const added = change.add
        .filter((skuId) => !kept.some((l) => l.skuId === skuId))
        .map((skuId) => ({ skuId, disabledPlans: [] }));
      return { ...user, direct: [...kept, ...added] };
    });
  }

  async licenseStates(tenantId: string, userId: string): Promise<LicenseAssignmentState[]> {
    return (await this.getUser(tenantId, userId)).licenseAssignmentStates;
  }

  // ---- groups ----

  async listGroups(tenantId: string): Promise<DirectoryGroup[]> {
    this.maybeFail();
    await this.requireConsent(tenantId, 'Group.Read.All');
    const groups: DirectoryGroup[] = [];
    for await (const entity of this.rows(tenantId, GROUP)) groups.push(toGroup(this.parseGroup(entity).group));
    return groups.sort((a, b) => a.displayName.localeCompare(b.displayName, 'en'));
  }

  async assignGroupLicenses(tenantId: string, groupId: string, change: LicenseChange): Promise<DirectoryGroup> {
    this.maybeFail();
    await this.requireConsent(tenantId, 'LicenseAssignment.ReadWrite.All');
    checkChange(change);
    const units = await this.skuUnits(tenantId);
    let group: GroupState | undefined;
    for (let attempt = 0; !group; attempt += 1) {
      const found = await this.readGroup(tenantId, groupId);
      if (!found) throw groupNotFound(groupId);
      for (const skuId of change.add) if (!units.has(skuId)) throw skuNotInTenant(skuId);
      for (const skuId of change.remove)
        if (!found.group.assignedLicenses.some((l) => l.skuId === skuId)) throw licenseNotAssigned(skuId);
      const kept = found.group.assignedLicenses.filter((l) => !change.remove.includes(l.skuId));
      const added = change.add
        .filter((skuId) => !kept.some((l) => l.skuId === skuId))
        .map((skuId) => ({ skuId, disabledPlans: [] }));
      const next = { ...found.group, assignedLicenses: [...kept, ...added] };
      try {
        await this.table.updateEntity(groupEntity(tenantId, next), 'Replace', { etag: found.etag });
        group = next;
      } catch (error) {
        if (storageStatus(error) !== 412 || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
    await this.applyGroup(tenantId, group, units);
    return toGroup(group);
  }

  // ---- consent and admins ----

  async consentStatus(tenantId: string): Promise<ConsentStatus> {
    this.maybeFail();
    return statusOf(await this.consent(tenantId));
  }

  async globalAdmins(tenantId: string): Promise<DirectoryAdmin[]> {
    this.maybeFail();
    await this.requireConsent(tenantId, 'RoleManagement.Read.Directory');
    return (await this.allUsers(tenantId))
      .filter((u) => u.globalAdmin)
      .map((u) => ({
        id: u.id,
        displayName: u.displayName,
        userPrincipalName: u.userPrincipalName,
        ...(u.mail ? { mail: u.mail } : {}),
      }));
  }

  // ---- the simulator's own controls (seeding, tests, the fake Graph service) ----

  /** The consent the tenant's Global Admin gave: `none` (no service principal at all) or these permissions. */
  async setConsent(tenantId: string, permissions: readonly string[] | 'none'): Promise<void> {
    await this.table.upsertEntity(
      {
        partitionKey: tenantId,
        rowKey: CONSENT,
        servicePrincipal: permissions !== 'none',
        permissions: JSON.stringify(permissions === 'none' ? [] : permissions),
      },
      'Replace',
    );
  }

  /** Whether the app has a service principal in the tenant (without one, Entra issues it no token). */
  async hasServicePrincipal(tenantId: string): Promise<boolean> {
    return (await this.consent(tenantId)).servicePrincipal;
  }

  /** Creates a user as the tenant's own admins would (no consent needed), optionally a Global Administrator. */
  async seedUser(tenantId: string, user: SeedUser): Promise<DirectoryUser> {
    const mailNickname = user.userPrincipalName.split('@')[0] ?? user.userPrincipalName;
    const state = await this.insertUser(
      tenantId,
      {
        displayName: user.displayName,
        userPrincipalName: user.userPrincipalName,
        mailNickname,
        password: 'not-used',
        ...(user.usageLocation ? { usageLocation: user.usageLocation } : {}),
      },
      user.globalAdmin ?? false,
      user.accountEnabled ?? true,
    );
    return toDirectoryUser(state);
  }

  /** Creates a group with these members (no licenses yet). */
  async seedGroup(tenantId: string, displayName: string, memberIds: string[] = []): Promise<DirectoryGroup> {
    const group: GroupState = { id: (this.options.ids ?? randomIds).next(), displayName, assignedLicenses: [] };
    await this.table.createEntity(groupEntity(tenantId, group));
    for (const userId of memberIds) await this.addGroupMember(tenantId, group.id, userId);
    return toGroup(group);
  }

  /** Adds a member to a group; the group's licenses reach the member as group-based licensing does. */
  async addGroupMember(tenantId: string, groupId: string, userId: string): Promise<void> {
    const found = await this.readGroup(tenantId, groupId);
    if (!found) throw groupNotFound(groupId);
    const units = await this.skuUnits(tenantId);
    await this.mutateUser(tenantId, userId, units, (user, counters) =>
      inherit(
        { ...user, groups: user.groups.includes(groupId) ? user.groups : [...user.groups, groupId] },
        found.group,
        units,
        counters,
      ),
    );
  }

  // ---- internals ----

  private maybeFail(): void {
    const fault = this.faults.shift();
    if (!fault) return;
    if (fault.status === 429) throw directoryThrottled(fault.retryAfterSeconds ?? 1);
    throw directoryUnavailable(fault.status === 'timeout' ? 'timeout' : `HTTP ${fault.status}`);
  }

  private async consent(tenantId: string): Promise<z.output<typeof consentRowSchema>> {
    const row = await this.point(tenantId, CONSENT);
    if (!row) return { servicePrincipal: true, permissions: [...requiredGraphPermissions] };
    return consentRowSchema.parse(row);
  }

  private async requireConsent(tenantId: string, permission: GraphPermission): Promise<void> {
    const status = statusOf(await this.consent(tenantId));
    if (!status.grantedPermissions.includes(permission)) throw consentRequired(status.missingPermissions);
  }

  private async insertUser(
    tenantId: string,
    input: NewDirectoryUser,
    globalAdmin: boolean,
    accountEnabled = true,
  ): Promise<UserState> {
    const user: UserState = {
      id: (this.options.ids ?? randomIds).next(),
      displayName: input.displayName,
      userPrincipalName: input.userPrincipalName,
      mailNickname: input.mailNickname,
      mail: input.userPrincipalName,
      ...(input.usageLocation ? { usageLocation: input.usageLocation } : {}),
      accountEnabled,
      globalAdmin,
      createdAt: this.options.clock.now().toISOString(),
      groups: [],
      direct: [],
      inherited: [],
    };
    try {
      await this.table.submitTransaction([
        [
          'create',
          { partitionKey: tenantId, rowKey: `${UPN}${input.userPrincipalName.toLowerCase()}`, userId: user.id },
        ],
        ['create', userEntity(tenantId, user)],
      ]);
    } catch (error) {
      if (storageStatus(error) === 409) throw userExists(input.userPrincipalName);
      throw error;
    }
    return user;
  }

  /** Applies a group's licenses to each member (one guarded change per member, as Entra processes them). */
  private async applyGroup(tenantId: string, group: GroupState, units: Map<string, SkuUnits>): Promise<void> {
    for (const member of (await this.allUsers(tenantId)).filter((u) => u.groups.includes(group.id))) {
      await this.mutateUser(tenantId, member.id, units, (user, counters) => inherit(user, group, units, counters));
    }
  }

  /**
   * Changes one user and the consumed-unit counters of the SKUs the user gains or loses, in one entity-group
   * transaction guarded by the ETags read: a lost race (412, or 409 on a counter created concurrently) re-reads
   * and re-checks, so the last unit goes to one user only.
   */
  private async mutateUser(
    tenantId: string,
    userId: string,
    units: Map<string, SkuUnits>,
    plan: (user: UserState, counters: Counters) => UserState,
  ): Promise<UserState> {
    for (let attempt = 0; ; attempt += 1) {
      const found = await this.readUser(tenantId, userId);
      if (!found) throw userNotFound(userId);
      const counters = await this.readCounters(tenantId);
      const next = plan(found.state, counters);
      const before = heldSkus(found.state);
      const after = heldSkus(next);
      const actions: TransactionAction[] = [['update', userEntity(tenantId, next), 'Replace', { etag: found.etag }]];
      for (const skuId of after) {
        if (before.has(skuId)) continue;
        const counter = counters.get(skuId);
        const consumed = counter?.consumed ?? 0;
        if (consumed >= (units.get(skuId)?.enabled ?? 0)) throw countViolation(skuId);
        const entity = unitsEntity(
          tenantId,
          skuId,
          units.get(skuId)?.skuPartNumber ?? counter?.skuPartNumber ?? '',
          consumed + 1,
        );
        actions.push(counter ? ['update', entity, 'Replace', { etag: counter.etag }] : ['create', entity]);
      }
      for (const skuId of before) {
        const counter = counters.get(skuId);
        if (after.has(skuId) || !counter) continue;
        actions.push([
          'update',
          unitsEntity(tenantId, skuId, counter.skuPartNumber, Math.max(0, counter.consumed - 1)),
          'Replace',
          { etag: counter.etag },
        ]);
      }
      try {
        await this.table.submitTransaction(actions);
        return next;
      } catch (error) {
        const status = storageStatus(error);
        if ((status !== 412 && status !== 409) || attempt + 1 >= MAX_ATTEMPTS) {
          if (status === 412 || status === 409) throw directoryUnavailable('too many concurrent license changes', 1);
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.floor(this.random() * 20 * (attempt + 1))));
      }
    }
  }

  /** The tenant's SKUs and their prepaid units, from its Microsoft subscriptions and the catalog's part numbers. */
  private async skuUnits(tenantId: string, counters?: Counters): Promise<Map<string, SkuUnits>> {
    const partNumbers = new Map<string, string | undefined>();
    const units = new Map<string, SkuUnits>();
    for (const subscription of await this.options.commerce.listSubscriptions(tenantId)) {
      if (subscription.status !== 'active' && subscription.status !== 'suspended') continue;
      if (!partNumbers.has(subscription.productSkuId)) {
        partNumbers.set(
          subscription.productSkuId,
          (await this.options.catalog.getProduct(subscription.productSkuId))?.skuPartNumber,
        );
      }
      const skuPartNumber = partNumbers.get(subscription.productSkuId);
      if (!skuPartNumber) continue;
      const skuId = simulatedSkuId(skuPartNumber);
      const sku = units.get(skuId) ?? { skuId, skuPartNumber, enabled: 0, suspended: 0 };
      if (subscription.status === 'active') sku.enabled += subscription.quantity;
      else sku.suspended += subscription.quantity;
      units.set(skuId, sku);
    }
    // SKUs whose subscriptions are gone still show while users hold them (no unit left to assign).
    for (const [skuId, counter] of counters ?? (await this.readCounters(tenantId))) {
      if (!units.has(skuId) && counter.consumed > 0)
        units.set(skuId, { skuId, skuPartNumber: counter.skuPartNumber, enabled: 0, suspended: 0 });
    }
    return units;
  }

  private async readCounters(tenantId: string): Promise<Counters> {
    const counters: Counters = new Map();
    for await (const entity of this.rows(tenantId, UNITS)) {
      const row = unitsRowSchema.safeParse(entity);
      if (!row.success)
        throw corruptRow('directory simulator', String((entity as { rowKey?: unknown }).rowKey), row.error);
      counters.set(row.data.rowKey.slice(UNITS.length), {
        consumed: row.data.consumed,
        etag: row.data.etag,
        skuPartNumber: row.data.skuPartNumber,
      });
    }
    return counters;
  }

  private async allUsers(tenantId: string): Promise<UserState[]> {
    const users: UserState[] = [];
    for await (const entity of this.rows(tenantId, USER)) users.push(this.parseUser(entity).state);
    return users;
  }

  private async requireUser(tenantId: string, userId: string): Promise<UserState> {
    const found = await this.readUser(tenantId, userId);
    if (!found) throw userNotFound(userId);
    return found.state;
  }

  private async readUser(tenantId: string, userId: string): Promise<{ state: UserState; etag: string } | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(userId)) return undefined;
    const entity = await this.point(tenantId, `${USER}${userId.toLowerCase()}`);
    return entity ? this.parseUser(entity) : undefined;
  }

  private async readGroup(tenantId: string, groupId: string): Promise<{ group: GroupState; etag: string } | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(groupId)) return undefined;
    const entity = await this.point(tenantId, `${GROUP}${groupId.toLowerCase()}`);
    return entity ? this.parseGroup(entity) : undefined;
  }

  private async point(tenantId: string, rowKey: string): Promise<Record<string, unknown> | undefined> {
    try {
      return await this.table.getEntity<Record<string, unknown>>(tenantId, rowKey);
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw error;
    }
  }

  private rows(tenantId: string, prefix: string) {
    const end = `${prefix.slice(0, -1)}${String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)}`;
    return this.table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${tenantId} and RowKey ge ${prefix} and RowKey lt ${end}` },
    });
  }

  private parseUser(entity: unknown): { state: UserState; etag: string } {
    const parsed = userRowSchema.safeParse(entity);
    if (!parsed.success)
      throw corruptRow('directory simulator', String((entity as { rowKey?: unknown }).rowKey), parsed.error);
    const { rowKey, etag, ...rest } = parsed.data;
    return { state: { ...rest, id: rowKey.slice(USER.length) }, etag };
  }

  private parseGroup(entity: unknown): { group: GroupState; etag: string } {
    const parsed = groupRowSchema.safeParse(entity);
    if (!parsed.success)
      throw corruptRow('directory simulator', String((entity as { rowKey?: unknown }).rowKey), parsed.error);
    const { rowKey, etag, ...rest } = parsed.data;
    return { group: { ...rest, id: rowKey.slice(GROUP.length) }, etag };
  }
}

interface GroupState {
  id: string;
  displayName: string;
  assignedLicenses: AssignedLicense[];
}

// ---- Graph's rules as pure functions ----

/** The SKUs a user holds: direct assignments and group assignments in force, each once. */
function heldSkus(user: UserState): Set<string> {
  return new Set([
    ...user.direct.map((l) => l.skuId),
    ...user.inherited.filter((i) => i.state === 'Active').map((i) => i.skuId),
  ]);
}

/**
 * The user's assignments from one group, re-evaluated: kept when already in force, in force when the user holds
 * the SKU otherwise or a unit is left, else in error (CountViolation). Assignments from other groups are kept.
 */
function inherit(user: UserState, group: GroupState, units: Map<string, SkuUnits>, counters: Counters): UserState {
  if (!user.groups.includes(group.id)) return user;
  const others = user.inherited.filter((i) => i.groupId !== group.id);
  const elsewhere = heldSkus({ ...user, inherited: others });
  const mine: Inherited[] = group.assignedLicenses.map(({ skuId }) => {
    const previous = user.inherited.find((i) => i.groupId === group.id && i.skuId === skuId);
    if (previous?.state === 'Active' || elsewhere.has(skuId))
      return { skuId, groupId: group.id, state: 'Active', error: 'None' };
    const available = (units.get(skuId)?.enabled ?? 0) - (counters.get(skuId)?.consumed ?? 0);
    return available > 0
      ? { skuId, groupId: group.id, state: 'Active', error: 'None' }
      : { skuId, groupId: group.id, state: 'Error', error: 'CountViolation' };
  });
  return { ...user, inherited: [...others, ...mine] };
}

/** A user with the update's properties set (`null` and an empty phone list clear one), as Graph applies a PATCH. */
function applyUpdate(user: UserState, update: DirectoryUserUpdate): UserState {
  const profile: Record<string, unknown> = { ...user.profile };
  let { displayName, usageLocation } = user;
  for (const [key, value] of Object.entries(update)) {
    if (value === undefined) continue;
    if (key === 'displayName') displayName = value as string;
    else if (key === 'usageLocation') usageLocation = value as string;
    else if (value === null || (Array.isArray(value) && value.length === 0)) delete profile[key];
    else profile[key] = value;
  }
  return {
    ...user,
    displayName,
    ...(usageLocation ? { usageLocation } : {}),
    profile: profile as Omit<DirectoryUserProfile, 'displayName'>,
  };
}

function toDirectoryUser(user: UserState): DirectoryUser {
  const assigned: AssignedLicense[] = [...user.direct];
  for (const i of user.inherited) {
    if (i.state === 'Active' && !assigned.some((l) => l.skuId === i.skuId))
      assigned.push({ skuId: i.skuId, disabledPlans: [] });
  }
  return {
    ...user.profile,
    id: user.id,
    displayName: user.displayName,
    userPrincipalName: user.userPrincipalName,
    ...(user.mail ? { mail: user.mail } : {}),
    ...(user.usageLocation ? { usageLocation: user.usageLocation } : {}),
    accountEnabled: user.accountEnabled,
    assignedLicenses: assigned,
    licenseAssignmentStates: [
      ...user.direct.map((l): LicenseAssignmentState => ({ skuId: l.skuId, state: 'Active', error: 'None' })),
      ...user.inherited.map((i): LicenseAssignmentState => ({
        skuId: i.skuId,
        assignedByGroup: i.groupId,
        state: i.state,
        error: i.error,
      })),
    ],
  };
}

const toGroup = (group: GroupState): DirectoryGroup => ({
  id: group.id,
  displayName: group.displayName,
  assignedLicenses: group.assignedLicenses,
});

function statusOf(consent: z.output<typeof consentRowSchema>): ConsentStatus {
  const granted = consent.servicePrincipal ? consent.permissions : [];
  const missing = requiredGraphPermissions.filter((p) => !granted.includes(p));
  return { granted: missing.length === 0, grantedPermissions: granted, missingPermissions: missing };
}

/** Words Graph's `$search` matches the start of: the display name's, and the UPN's and mail's parts. */
function tokens(user: UserState): string[] {
  return [user.displayName, user.userPrincipalName, user.mail ?? '']
    .flatMap((text) => text.toLowerCase().split(/[\s@._-]+/))
    .concat(user.userPrincipalName.toLowerCase());
}

function checkChange(change: LicenseChange): void {
  const both = change.add.filter((skuId) => change.remove.includes(skuId));
  if (both.length)
    throw validation('A license cannot be added and removed at once.', [
      { path: 'removeLicenses', message: `also in addLicenses: ${both.join(', ')}` },
    ]);
}

const UPN_PATTERN = /^[A-Za-z0-9'._!#^~-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

/** Graph's checks of a new user: a well-formed UPN, a usage location that is a country, a complex password. */
function checkNewUser(input: NewDirectoryUser): void {
  if (!UPN_PATTERN.test(input.userPrincipalName) || input.userPrincipalName.startsWith('.')) {
    throw directoryRefused('Request_BadRequest', 'Property userPrincipalName is invalid.');
  }
  if (!input.displayName.trim() || !input.mailNickname.trim())
    throw directoryRefused('Request_BadRequest', 'displayName and mailNickname are required.');
  if (input.usageLocation !== undefined && !isCountryCode(input.usageLocation)) {
    throw directoryRefused(
      'Request_BadRequest',
      "Invalid value specified for property 'usageLocation' of resource 'User'.",
    );
  }
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(input.password)).length;
  if (input.password.length < 8 || input.password.length > 256 || classes < 3) {
    throw directoryRefused(
      'Request_BadRequest',
      'The specified password does not comply with password complexity requirements. Please provide a different password.',
    );
  }
}

const LANGUAGE_TAG = /^[a-z]{2}(-[A-Z]{2})?$/;

/**
 * Graph's checks of a user update (`PATCH /users/{id}`): a display name is never empty, a usage location is an
 * ISO 3166-1 alpha-2 country, a preferred language an ISO 639-1 code (with an optional region), one business phone
 * at most, and each property within the `user` resource's length.
 */
function checkUpdate(update: DirectoryUserUpdate): void {
  const invalid = (property: string) =>
    directoryRefused('Request_BadRequest', `Invalid value specified for property '${property}' of resource 'User'.`, {
      property,
    });
  if (update.usageLocation !== undefined && !isCountryCode(update.usageLocation)) throw invalid('usageLocation');
  if (update.displayName !== undefined && !update.displayName.trim()) throw invalid('displayName');
  for (const [key, max] of Object.entries(userProfileLimits)) {
    const value = update[key as keyof typeof userProfileLimits];
    if (typeof value === 'string' && value.length > max) throw invalid(key);
  }
  if (typeof update.preferredLanguage === 'string' && !LANGUAGE_TAG.test(update.preferredLanguage))
    throw invalid('preferredLanguage');
  if (update.businessPhones && (update.businessPhones.length > 1 || update.businessPhones.some((p) => p.length > 64)))
    throw invalid('businessPhones');
}

function userEntity(tenantId: string, user: UserState) {
  return {
    partitionKey: tenantId,
    rowKey: `${USER}${user.id}`,
    displayName: user.displayName,
    userPrincipalName: user.userPrincipalName,
    mailNickname: user.mailNickname,
    ...(user.mail ? { mail: user.mail } : {}),
    ...(user.usageLocation ? { usageLocation: user.usageLocation } : {}),
    accountEnabled: user.accountEnabled,
    globalAdmin: user.globalAdmin,
    createdAt: user.createdAt,
    groups: JSON.stringify(user.groups),
    direct: JSON.stringify(user.direct),
    inherited: JSON.stringify(user.inherited),
    ...(user.profile ? { profile: JSON.stringify(user.profile) } : {}),
  };
}

const groupEntity = (tenantId: string, group: GroupState) => ({
  partitionKey: tenantId,
  rowKey: `${GROUP}${group.id}`,
  displayName: group.displayName,
  assignedLicenses: JSON.stringify(group.assignedLicenses),
});

const unitsEntity = (tenantId: string, skuId: string, skuPartNumber: string, consumed: number) => ({
  partitionKey: tenantId,
  rowKey: `${UNITS}${skuId}`,
  skuPartNumber,
  consumed,
});
