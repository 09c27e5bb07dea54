import { skuName, type SkuNameSource } from '../../domain/sku-names.ts';
import { AppError, validation, type FieldError } from '../errors.ts';
import type { Page } from '../ports/customer.repository.port.ts';
import {
  userProfileLimits,
  type DirectoryGroup,
  type DirectoryUser,
  type DirectoryUserProfile,
  type LicenseChange,
  type SubscribedSku,
} from '../ports/directory.port.ts';
import type { Actor } from '../subscriptions/deps.ts';
import { requireTenant, type M365Deps } from './deps.ts';
import { logM365 } from './log.ts';
import { refreshAssignedLicenses } from '../subscriptions/assigned-licenses.ts';

/** A SKU of the customer's tenant as the license pages show it. */
export interface SkuView {
  skuId: string;
  skuPartNumber: string;
  name: string;
  nameSource: SkuNameSource;
  capabilityStatus: SubscribedSku['capabilityStatus'];
  /** Units bought and in force (`prepaidUnits.enabled`). */
  purchased: number;
  suspended: number;
  consumed: number;
  /** Units left to assign: purchased − consumed, never below 0. */
  available: number;
}

export interface UserLicenseView {
  skuId: string;
  skuPartNumber: string;
  name: string;
  /** Assigned to the user directly (and so removable from the user). */
  direct: boolean;
  /** Groups the license comes from: it can be removed only there. */
  groups: { id: string; displayName?: string }[];
  /** `Active` when in force through at least one source, else `Error`. */
  state: 'Active' | 'Error';
  /** Why no source is in force (e.g. `CountViolation`), when `state` is `Error`. */
  error?: string;
}

/** The profile properties a user view carries when set (all but the display name, which is always there). */
const PROFILE_KEYS = [
  ...Object.keys(userProfileLimits).filter((key) => key !== 'displayName'),
  'businessPhones',
] as (keyof DirectoryUserProfile)[];

export interface UserView extends Omit<DirectoryUserProfile, 'displayName'> {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail?: string;
  usageLocation?: string;
  accountEnabled: boolean;
  licenses: UserLicenseView[];
}

export interface GroupView {
  id: string;
  displayName: string;
  licenses: { skuId: string; skuPartNumber: string; name: string }[];
}

/** The change of one user in a batch, as requested (SKU part numbers or ids). */
export interface LicenseRequest {
  add: string[];
  remove: string[];
}

export type BatchResult =
  | { userId: string; status: 'succeeded'; user: UserView }
  | { userId: string; status: 'failed'; code: string; message: string; httpStatus: number };

const BATCH_CONCURRENCY = 4;

/** The tenant's SKUs with their names (partner override, else catalog product, else shipped list) and unit counts. */
export async function tenantSkus(deps: M365Deps, tenantId: string): Promise<SkuView[]> {
  const [skus, products] = await Promise.all([
    deps.directory.subscribedSkus(tenantId),
    deps.catalogAdmin.products.all(),
  ]);
  const catalog = new Map<string, string>();
  for (const { value } of products)
    if (value.skuPartNumber && !catalog.has(value.skuPartNumber)) catalog.set(value.skuPartNumber, value.name);
  return skus
    .map((sku) => {
      const { name, source } = skuName(sku.skuPartNumber, { overrides: deps.config.SKU_NAME_OVERRIDES, catalog });
      return {
        skuId: sku.skuId,
        skuPartNumber: sku.skuPartNumber,
        name,
        nameSource: source,
        capabilityStatus: sku.capabilityStatus,
        purchased: sku.prepaidUnits.enabled,
        suspended: sku.prepaidUnits.suspended,
        consumed: sku.consumedUnits,
        available: Math.max(0, sku.prepaidUnits.enabled - sku.consumedUnits),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name, 'en'));
}

export async function listLicenses(deps: M365Deps, customerId: string): Promise<SkuView[]> {
  const { tenantId } = await requireTenant(deps, customerId);
  return tenantSkus(deps, tenantId);
}

/**
 * SKU references as callers write them (a part number such as `SPB`, or a SKU id), as the tenant's SKU ids.
 * Unknown ones are field errors at `path.{index}`.
 */
export function resolveSkus(skus: SkuView[], references: string[], path: string, errors: FieldError[]): string[] {
  const ids: string[] = [];
  references.forEach((reference, index) => {
    const wanted = reference.trim().toLowerCase();
    const sku = skus.find((s) => s.skuId.toLowerCase() === wanted || s.skuPartNumber.toLowerCase() === wanted);
    if (sku) ids.push(sku.skuId);
    else
      errors.push({
        path: `${path}.${index}`,
        message: `the tenant has no license ${reference} (known: ${skus.map((s) => s.skuPartNumber).join(', ') || 'none'})`,
      });
  });
  return [...new Set(ids)];
}

function resolveChange(skus: SkuView[], request: LicenseRequest, path: string): LicenseChange {
  const errors: FieldError[] = [];
  const change = {
    add: resolveSkus(skus, request.add, `${path}.add`, errors),
    remove: resolveSkus(skus, request.remove, `${path}.remove`, errors),
  };
  const both = change.add.filter((id) => change.remove.includes(id));
  if (both.length)
    errors.push({ path: `${path}.remove`, message: `also in add: ${both.map((id) => skuLabel(skus, id)).join(', ')}` });
  if (errors.length) throw validation('Some licenses are not the tenant’s, or are both added and removed.', errors);
  return change;
}

const skuLabel = (skus: SkuView[], skuId: string) => skus.find((s) => s.skuId === skuId)?.skuPartNumber ?? skuId;

/** The directory's refusals, reworded with the product's name and counts where they name a SKU. */
export function explain(error: unknown, skus: SkuView[]): unknown {
  if (!(error instanceof AppError) || typeof error.extra.skuId !== 'string') return error;
  const sku = skus.find((s) => s.skuId === error.extra.skuId);
  if (!sku) return error;
  const extra = { ...error.extra, skuPartNumber: sku.skuPartNumber, productName: sku.name };
  switch (error.code) {
    case 'DIRECTORY.COUNT_VIOLATION':
      return new AppError(
        error.kind,
        error.code,
        `No ${sku.name} license is left: all ${sku.purchased} purchased are assigned. Buy more seats, or unassign one first.`,
        {
          ...extra,
          purchased: sku.purchased,
          consumed: sku.consumed,
        },
      );
    case 'DIRECTORY.LICENSE_INHERITED':
      return new AppError(
        error.kind,
        error.code,
        `${sku.name} comes from a group this user belongs to; remove it from the group (or the user from the group), not from the user.`,
        extra,
      );
    default:
      return new AppError(error.kind, error.code, error.message, extra);
  }
}

/** A user with each license once: whether it is direct, which groups it comes from, whether it is in force. */
export function userView(user: DirectoryUser, skus: SkuView[], groups?: ReadonlyMap<string, string>): UserView {
  const licenses = new Map<string, UserLicenseView>();
  const entry = (skuId: string): UserLicenseView => {
    let license = licenses.get(skuId);
    if (!license) {
      const sku = skus.find((s) => s.skuId === skuId);
      license = {
        skuId,
        skuPartNumber: sku?.skuPartNumber ?? skuId,
        name: sku?.name ?? skuId,
        direct: false,
        groups: [],
        state: 'Error',
      };
      licenses.set(skuId, license);
    }
    return license;
  };
  for (const state of user.licenseAssignmentStates) {
    const license = entry(state.skuId);
    if (state.assignedByGroup) {
      const displayName = groups?.get(state.assignedByGroup);
      license.groups.push({ id: state.assignedByGroup, ...(displayName ? { displayName } : {}) });
    } else {
      license.direct = true;
    }
    if (state.state !== 'Error' && state.state !== 'ActivationFailed') license.state = 'Active';
    else if (license.state === 'Error' && state.error !== 'None') license.error = state.error;
  }
  // A user as Graph returns it on creation carries licenses without their states: direct ones.
  for (const assigned of user.assignedLicenses) {
    if (licenses.has(assigned.skuId)) continue;
    const license = entry(assigned.skuId);
    license.direct = true;
    license.state = 'Active';
  }
  for (const license of licenses.values()) if (license.state === 'Active') delete license.error;
  const profile: Record<string, unknown> = {};
  for (const key of PROFILE_KEYS) {
    const value = user[key];
    if (value !== undefined && value.length) profile[key] = value;
  }
  return {
    ...profile,
    id: user.id,
    displayName: user.displayName,
    userPrincipalName: user.userPrincipalName,
    ...(user.mail ? { mail: user.mail } : {}),
    ...(user.usageLocation ? { usageLocation: user.usageLocation } : {}),
    accountEnabled: user.accountEnabled,
    licenses: [...licenses.values()].sort((a, b) => a.name.localeCompare(b.name, 'en')),
  };
}

/** Group names, read only when some user has a license from a group. */
async function groupNames(
  deps: M365Deps,
  tenantId: string,
  users: DirectoryUser[],
): Promise<Map<string, string> | undefined> {
  if (!users.some((u) => u.licenseAssignmentStates.some((s) => s.assignedByGroup))) return undefined;
  return new Map((await deps.directory.listGroups(tenantId)).map((g) => [g.id, g.displayName]));
}

export async function listUsers(
  deps: M365Deps,
  customerId: string,
  query: { search?: string; pageSize: number; continuationToken?: string },
): Promise<Page<UserView>> {
  const { tenantId } = await requireTenant(deps, customerId);
  const [page, skus] = await Promise.all([deps.directory.listUsers(tenantId, query), tenantSkus(deps, tenantId)]);
  const groups = await groupNames(deps, tenantId, page.items);
  return {
    items: page.items.map((u) => userView(u, skus, groups)),
    ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
  };
}

export async function getUserView(
  deps: M365Deps,
  tenantId: string,
  userId: string,
  skus: SkuView[],
): Promise<UserView> {
  const user = await deps.directory.getUser(tenantId, userId);
  return userView(user, skus, await groupNames(deps, tenantId, [user]));
}

/** F-LICENSES: assign and unassign one user's licenses (all or nothing, as Graph does). */
export async function assignUserLicenses(
  deps: M365Deps,
  customerId: string,
  userId: string,
  request: LicenseRequest,
  actor: Actor,
): Promise<UserView> {
  const { tenantId } = await requireTenant(deps, customerId);
  const skus = await tenantSkus(deps, tenantId);
  const change = resolveChange(skus, request, 'body');
  try {
    await deps.directory.assignLicenses(tenantId, userId, change);
  } catch (error) {
    throw explain(error, skus);
  }
  const user = await getUserView(deps, tenantId, userId, await tenantSkus(deps, tenantId));
  await logM365(deps, customerId, actor, [
    licenseLogEntry('assignLicenses', user.userPrincipalName, change, skus, user),
  ]);
  await refreshAssignedLicenses(deps, customerId, tenantId);
  return user;
}

/** A license change as the change log shows it: `+SPB −EXCHANGESTANDARD`, and the licenses held after. */
function licenseLogEntry(action: string, subject: string, change: LicenseChange, skus: SkuView[], user?: UserView) {
  const names = [...change.add, ...change.remove].map((id) => skus.find((s) => s.skuId === id)?.name ?? id);
  const signs = [
    ...change.add.map((id) => `+${skuLabel(skus, id)}`),
    ...change.remove.map((id) => `−${skuLabel(skus, id)}`),
  ];
  return {
    action,
    detail: `${subject}: ${signs.join(' ')}`,
    productName: names.join(', '),
    ...(user
      ? { after: { licenses: user.licenses.filter((l) => l.state === 'Active').map((l) => l.skuPartNumber) } }
      : {}),
  };
}

/**
 * Many users at once: every SKU named must be the tenant's (else nothing is done), then each user's change is
 * made on its own; one user's refusal (no unit left, inherited license, unknown user…) is reported for that user
 * and does not stop the others.
 */
export async function assignLicensesInBatch(
  deps: M365Deps,
  customerId: string,
  assignments: (LicenseRequest & { userId: string })[],
  actor: Actor,
): Promise<BatchResult[]> {
  const { tenantId } = await requireTenant(deps, customerId);
  const skus = await tenantSkus(deps, tenantId);
  const errors: FieldError[] = [];
  const changes = assignments.map((a, index) => {
    try {
      return resolveChange(skus, a, `body.assignments.${index}`);
    } catch (error) {
      if (error instanceof AppError) errors.push(...(error.extra.errors ?? []));
      return { add: [], remove: [] };
    }
  });
  if (errors.length) throw validation('Some licenses are not the tenant’s; nothing was changed.', errors);

  const results: BatchResult[] = new Array<BatchResult>(assignments.length);
  let next = 0;
  const worker = async () => {
    while (next < assignments.length) {
      const index = next++;
      const { userId } = assignments[index]!;
      try {
        await deps.directory.assignLicenses(tenantId, userId, changes[index]!);
        results[index] = {
          userId,
          status: 'succeeded',
          user: userView(await deps.directory.getUser(tenantId, userId), skus),
        };
      } catch (error) {
        const explained = explain(error, skus);
        if (!(explained instanceof AppError)) throw explained;
        results[index] = {
          userId,
          status: 'failed',
          code: explained.code,
          message: explained.message,
          httpStatus: httpStatusOf(explained),
        };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, assignments.length) }, worker));
  await logM365(
    deps,
    customerId,
    actor,
    results.flatMap((r, index) =>
      r.status === 'succeeded'
        ? [licenseLogEntry('assignLicenses', r.user.userPrincipalName, changes[index]!, skus, r.user)]
        : [],
    ),
  );
  if (results.some((r) => r.status === 'succeeded')) await refreshAssignedLicenses(deps, customerId, tenantId);
  // Counts changed as the batch went: show the units as they are now.
  const now = await tenantSkus(deps, tenantId);
  return results.map((r) => (r.status === 'succeeded' ? { ...r, user: relabel(r.user, now) } : r));
}

const relabel = (user: UserView, skus: SkuView[]): UserView => ({
  ...user,
  licenses: user.licenses.map((l) => {
    const sku = skus.find((s) => s.skuId === l.skuId);
    return sku ? { ...l, skuPartNumber: sku.skuPartNumber, name: sku.name } : l;
  }),
});

function httpStatusOf(error: AppError): number {
  switch (error.kind) {
    case 'NotFound':
      return 404;
    case 'Validation':
      return 400;
    case 'Unavailable':
      return 503;
    default:
      return 409;
  }
}

function groupView(group: DirectoryGroup, skus: SkuView[]): GroupView {
  return {
    id: group.id,
    displayName: group.displayName,
    licenses: group.assignedLicenses.map(({ skuId }) => {
      const sku = skus.find((s) => s.skuId === skuId);
      return { skuId, skuPartNumber: sku?.skuPartNumber ?? skuId, name: sku?.name ?? skuId };
    }),
  };
}

export async function listGroups(deps: M365Deps, customerId: string): Promise<GroupView[]> {
  const { tenantId } = await requireTenant(deps, customerId);
  const [groups, skus] = await Promise.all([deps.directory.listGroups(tenantId), tenantSkus(deps, tenantId)]);
  return groups.map((g) => groupView(g, skus));
}

/** Group-based licensing: the members inherit the group's licenses (a member with no unit left gets an error state). */
export async function assignGroupLicenses(
  deps: M365Deps,
  customerId: string,
  groupId: string,
  request: LicenseRequest,
  actor: Actor,
): Promise<GroupView> {
  const { tenantId } = await requireTenant(deps, customerId);
  const skus = await tenantSkus(deps, tenantId);
  const change = resolveChange(skus, request, 'body');
  let group: DirectoryGroup;
  try {
    group = await deps.directory.assignGroupLicenses(tenantId, groupId, change);
  } catch (error) {
    throw explain(error, skus);
  }
  const view = groupView(group, skus);
  await logM365(deps, customerId, actor, [
    {
      ...licenseLogEntry('assignGroupLicenses', `group ${group.displayName}`, change, skus),
      after: { licenses: view.licenses.map((l) => l.skuPartNumber) },
    },
  ]);
  await refreshAssignedLicenses(deps, customerId, tenantId);
  return view;
}
