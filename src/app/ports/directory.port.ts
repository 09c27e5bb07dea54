import type { Page } from './customer.repository.port.ts';

/**
 * A customer's Microsoft 365 directory (its Entra ID tenant) as the license pages need it, in Microsoft Graph's
 * terms: users, the tenant's subscribed SKUs with their unit counts, license assignments (direct and through
 * groups), and whether the partner's app may act in the tenant (admin consent). Every call names the customer's
 * tenant. Two adapters: the simulator (local default, Graph's rules on Table Storage) and Microsoft Graph.
 */

/** A license as Graph assigns it: the SKU and the service plans switched off. */
export interface AssignedLicense {
  skuId: string;
  disabledPlans: string[];
}

/** Graph's `licenseAssignmentState.error`: why an assignment (usually one from a group) is not in force. */
export const licenseAssignmentErrors = [
  'None',
  'CountViolation',
  'MutuallyExclusiveViolation',
  'DependencyViolation',
  'ProhibitedInUsageLocationViolation',
  'UniquenessViolation',
  'Other',
] as const;
export type LicenseAssignmentError = (typeof licenseAssignmentErrors)[number];

/** One source of one license of a user: assigned directly, or inherited from a group. */
export interface LicenseAssignmentState {
  skuId: string;
  /** The group the license comes from; absent for a direct assignment. */
  assignedByGroup?: string;
  /** `Active` when in force; `Error` when it could not be applied (see `error`). */
  state: 'Active' | 'ActiveWithSolvedFunctionality' | 'ActivationFailed' | 'Error';
  error: LicenseAssignmentError;
}

/**
 * The profile properties of a user that Graph lets an app with User.ReadWrite.All change (`PATCH /users/{id}`),
 * with Graph's limits: the lengths of the `user` resource, one business phone at most, `preferredLanguage` an
 * ISO 639-1 code with an optional region (`en-US`), `usageLocation` an ISO 3166-1 alpha-2 code.
 */
export const userProfileLimits = {
  displayName: 256,
  givenName: 64,
  surname: 64,
  jobTitle: 128,
  department: 64,
  officeLocation: 128,
  mobilePhone: 64,
  city: 128,
  state: 128,
  country: 128,
  postalCode: 40,
  streetAddress: 1024,
  preferredLanguage: 10,
} as const;
export type UserProfileText = keyof typeof userProfileLimits;
/** Text properties that may be cleared (`null`); a display name cannot be. */
export type ClearableUserText = Exclude<UserProfileText, 'displayName'>;

/** The profile properties as read. */
export type DirectoryUserProfile = { [K in UserProfileText]?: string } & {
  /** Graph stores a list but accepts one number only. */
  businessPhones?: string[];
};

/** A change of a user's profile: the properties given are set, `null` clears one; the others are kept. */
export type DirectoryUserUpdate = { displayName?: string; usageLocation?: string; businessPhones?: string[] } & {
  [K in ClearableUserText]?: string | null;
};

export interface DirectoryUser extends DirectoryUserProfile {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail?: string;
  /** ISO 3166-1 alpha-2; Microsoft requires one before a license can be assigned. */
  usageLocation?: string;
  accountEnabled: boolean;
  /** The licenses in force, whatever their source. */
  assignedLicenses: AssignedLicense[];
  /** Every source of every license, including group assignments in error. */
  licenseAssignmentStates: LicenseAssignmentState[];
}

export interface NewDirectoryUser {
  displayName: string;
  userPrincipalName: string;
  mailNickname: string;
  usageLocation?: string;
  /** The initial password; the user must change it at first sign-in. Never stored by this product. */
  password: string;
}

/** A license plan the tenant has bought (Graph's `subscribedSku`): its units across all its subscriptions. */
export interface SubscribedSku {
  skuId: string;
  /** Microsoft's string id, e.g. `SPB` for Microsoft 365 Business Premium. */
  skuPartNumber: string;
  capabilityStatus: 'Enabled' | 'Warning' | 'Suspended' | 'Deleted' | 'LockedOut';
  prepaidUnits: { enabled: number; suspended: number; warning: number; lockedOut: number };
  /** Users holding the license (once per user, whether assigned directly or through groups). */
  consumedUnits: number;
}

export interface DirectoryGroup {
  id: string;
  displayName: string;
  /** Licenses assigned to the group: every member holds them. */
  assignedLicenses: AssignedLicense[];
}

/** Licenses to add and remove, by SKU id. */
export interface LicenseChange {
  add: string[];
  remove: string[];
}

/**
 * The application permissions (app roles of Microsoft Graph) the portal needs in a customer's tenant, which its
 * Global Admin grants through admin consent.
 */
export const requiredGraphPermissions = [
  'User.ReadWrite.All',
  'Group.Read.All',
  'LicenseAssignment.ReadWrite.All',
  'RoleManagement.Read.Directory',
] as const;
export type GraphPermission = (typeof requiredGraphPermissions)[number];

export interface ConsentStatus {
  /** True when every required permission is granted. */
  granted: boolean;
  grantedPermissions: string[];
  missingPermissions: GraphPermission[];
}

/** A holder of the Global Administrator role, who can grant admin consent. */
export interface DirectoryAdmin {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail?: string;
}

export interface UserQuery {
  /** Words matched at the start of the display name, user principal name or mail. */
  search?: string;
  pageSize: number;
  continuationToken?: string;
}

export interface DirectoryPort {
  listUsers(tenantId: string, query: UserQuery): Promise<Page<DirectoryUser>>;
  getUser(tenantId: string, userId: string): Promise<DirectoryUser>;
  /** Which of these user principal names already exist in the tenant (case-insensitive, answered as stored). */
  existingUserPrincipalNames(tenantId: string, userPrincipalNames: string[]): Promise<string[]>;
  createUser(tenantId: string, user: NewDirectoryUser): Promise<DirectoryUser>;
  /** Changes profile properties of a user (Graph's `PATCH /users/{id}`); setting a value it has changes nothing. */
  updateUser(tenantId: string, userId: string, update: DirectoryUserUpdate): Promise<void>;
  /**
   * The tenant's license plans and their units. `quick`: for a page's path, one attempt with a short timeout and
   * no waiting out a Retry-After; the failure (DIRECTORY.THROTTLED with its retryAfterSeconds) is the caller's.
   */
  subscribedSkus(tenantId: string, options?: { quick?: boolean }): Promise<SubscribedSku[]>;
  /** Assigns and removes a user's direct licenses; all or nothing. */
  assignLicenses(tenantId: string, userId: string, change: LicenseChange): Promise<void>;
  listGroups(tenantId: string): Promise<DirectoryGroup[]>;
  /** Licenses a group: its members inherit the licenses (or an error state when no unit is left). */
  assignGroupLicenses(tenantId: string, groupId: string, change: LicenseChange): Promise<DirectoryGroup>;
  /** Every source of every license of the user, with the group it came from. */
  licenseStates(tenantId: string, userId: string): Promise<LicenseAssignmentState[]>;
  /** Users holding a license of the SKU (0 when the tenant has no such SKU): seats may not go below it. */
  consumedUnits(tenantId: string, skuPartNumber: string): Promise<number>;
  /** Whether the portal's app has admin consent in the tenant, and for which permissions. */
  consentStatus(tenantId: string): Promise<ConsentStatus>;
  /** The tenant's Global Administrators; needs consent (RoleManagement.Read.Directory). */
  globalAdmins(tenantId: string): Promise<DirectoryAdmin[]>;
}
