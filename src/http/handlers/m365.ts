import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { consentStatus, requestConsent } from '../../app/m365/consent.ts';
import {
  assignGroupLicenses,
  assignLicensesInBatch,
  assignUserLicenses,
  listGroups,
  listLicenses,
  listUsers,
} from '../../app/m365/licenses.ts';
import {
  createUser,
  EXPORT_COLUMNS,
  exportUsers,
  IMPORT_COLUMNS,
  importUsers,
  newUserSchema,
  updateUserProfile,
  userUpdateSchema,
} from '../../app/m365/users.ts';
import { requiredGraphPermissions } from '../../app/ports/directory.port.ts';
import { consentRequestSchema } from '../../domain/consent-request.ts';
import { inertCell } from '../../domain/csv-safety.ts';
import { defineRoute } from '../route.ts';
import { customerIdParams } from '../schemas.ts';
import { actorOf } from './subscriptions.ts';

/**
 * F-LICENSES: the customer's Microsoft 365 users, licenses, groups and admin consent, through the directory port
 * (Microsoft Graph, or its simulator). View reads; Modify also assigns and unassigns licenses (users and groups);
 * Admin also creates and imports users and asks for consent.
 */
const TAGS = ['microsoft 365'];

const guidSchema = z.guid();
const userParams = z.strictObject({ customerId: z.uuid(), userId: guidSchema.describe('The user’s object id') });
const groupParams = z.strictObject({ customerId: z.uuid(), groupId: guidSchema.describe('The group’s object id') });

/** A SKU part number (`SPB`) or a SKU id (GUID). */
const skuReference = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a SKU part number such as SPB, or a SKU id');
const licenseChangeFields = {
  add: z.array(skuReference).max(20).default([]).describe('SKU part numbers (e.g. SPB) or SKU ids to assign'),
  remove: z.array(skuReference).max(20).default([]).describe('SKU part numbers or ids to unassign'),
};
const nonEmpty = (c: { add: string[]; remove: string[] }) => c.add.length + c.remove.length > 0;
const licenseChangeSchema = z
  .strictObject(licenseChangeFields)
  .refine(nonEmpty, { message: 'name at least one license to add or remove', path: ['add'] })
  .meta({ id: 'M365LicenseChange', examples: [{ add: ['SPB'], remove: ['O365_BUSINESS_ESSENTIALS'] }] });

const skuSchema = z
  .object({
    skuId: z.string(),
    skuPartNumber: z.string(),
    name: z.string().describe('Friendly product name'),
    nameSource: z.enum(['override', 'catalog', 'shipped', 'partNumber']),
    capabilityStatus: z.enum(['Enabled', 'Warning', 'Suspended', 'Deleted', 'LockedOut']),
    purchased: z.number().int().describe('Units bought and in force'),
    suspended: z.number().int(),
    consumed: z.number().int().describe('Users holding the license'),
    available: z.number().int().describe('Units left to assign'),
  })
  .meta({ id: 'M365License' });

const userLicenseSchema = z.object({
  skuId: z.string(),
  skuPartNumber: z.string(),
  name: z.string(),
  direct: z.boolean().describe('Assigned to the user directly (removable from the user)'),
  groups: z
    .array(z.object({ id: z.string(), displayName: z.string().optional() }))
    .describe('Groups it comes from: remove it there'),
  state: z.enum(['Active', 'Error']),
  error: z.string().optional().describe('Why it is not in force, e.g. CountViolation'),
});

const userSchema = z
  .object({
    id: z.string(),
    displayName: z.string(),
    userPrincipalName: z.string(),
    mail: z.string().optional(),
    usageLocation: z.string().optional(),
    accountEnabled: z.boolean(),
    licenses: z.array(userLicenseSchema),
    givenName: z.string().optional(),
    surname: z.string().optional(),
    jobTitle: z.string().optional(),
    department: z.string().optional(),
    officeLocation: z.string().optional(),
    mobilePhone: z.string().optional(),
    businessPhones: z.array(z.string()).optional(),
    streetAddress: z.string().optional(),
    city: z.string().optional(),
    state: z.string().optional(),
    postalCode: z.string().optional(),
    country: z.string().optional(),
    preferredLanguage: z.string().optional(),
  })
  .meta({ id: 'M365User' });

const groupSchema = z
  .object({
    id: z.string(),
    displayName: z.string(),
    licenses: z.array(z.object({ skuId: z.string(), skuPartNumber: z.string(), name: z.string() })),
  })
  .meta({ id: 'M365Group' });

const usersQuery = z.strictObject({
  search: z
    .string()
    .trim()
    .min(1)
    .max(100)
    // eslint-disable-next-line no-control-regex -- the C0/C1 controls (\p{Cc}), spelled so OpenAPI tools without the u flag read the same
    .regex(/^[^\u0000-\u001f\u007f-\u009f]*$/, 'no control characters')
    .optional()
    .describe('Words matched at the start of names, user principal names and mail addresses'),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
  continuationToken: z.string().min(1).max(4096).optional(),
});

export const listM365UsersRoute = defineRoute({
  name: 'listM365Users',
  method: 'GET',
  path: '/customers/{customerId}/m365/users',
  access: { customer: 'View' },
  summary:
    'Microsoft 365 users of the customer’s tenant with their licenses (direct or from groups), searchable, a page at a time',
  tags: TAGS,
  params: customerIdParams,
  query: usersQuery,
  responses: {
    200: {
      description: 'A page of users',
      schema: z
        .object({ items: z.array(userSchema), continuationToken: z.string().optional() })
        .meta({ id: 'M365UserPage' }),
    },
    409: { description: 'The customer has no tenant, or the portal has no admin consent in it (problem+json)' },
  },
  async handler({ params, query, services }) {
    return { status: 200, body: await listUsers(services, params.customerId, query) };
  },
});

export const createM365UserRoute = defineRoute({
  name: 'createM365User',
  method: 'POST',
  path: '/customers/{customerId}/m365/users',
  access: { customer: 'Admin' },
  summary:
    'Create a Microsoft 365 user with a generated password mailed to `sendPasswordTo` (never returned), optionally licensed',
  tags: TAGS,
  params: customerIdParams,
  body: newUserSchema,
  requestHeaders: { 'Accept-Language': { description: 'Language of a billing-change confirmation message' } },
  responses: {
    201: {
      description: 'Created',
      schema: z
        .object({
          user: userSchema,
          passwordSentTo: z.string(),
          passwordDelivered: z
            .boolean()
            .describe('False when the mail failed: reset the password in the Microsoft 365 admin center'),
          licenseError: z
            .object({ code: z.string(), message: z.string() })
            .optional()
            .describe('The user was created, but its licenses could not be assigned'),
        })
        .meta({ id: 'CreatedM365User' }),
    },
    409: {
      description: 'The user exists, no license is left, or (with licenses) a billing-change confirmation is needed',
    },
  },
  async handler({ params, body, headers, principal, services }) {
    const created = await createUser(services, {
      customerId: params.customerId,
      request: body,
      actor: actorOf(principal),
      acceptLanguage: headers.get('accept-language'),
    });
    return { status: 201, body: created };
  },
});

export const listM365LicensesRoute = defineRoute({
  name: 'listM365Licenses',
  method: 'GET',
  path: '/customers/{customerId}/m365/licenses',
  access: { customer: 'View' },
  summary: 'Per license (SKU): friendly product name, part number, units purchased, consumed and available',
  tags: TAGS,
  params: customerIdParams,
  responses: {
    200: {
      description: 'The tenant’s licenses',
      schema: z.object({ items: z.array(skuSchema) }).meta({ id: 'M365LicenseList' }),
    },
  },
  async handler({ params, services }) {
    return { status: 200, body: { items: await listLicenses(services, params.customerId) } };
  },
});

export const assignM365UserLicensesRoute = defineRoute({
  name: 'assignM365UserLicenses',
  method: 'POST',
  path: '/customers/{customerId}/m365/users/{userId}/licenses',
  access: { customer: 'Modify' },
  summary:
    'Assign and unassign a user’s licenses, all or nothing (a license from a group can only be removed from the group)',
  tags: TAGS,
  params: userParams,
  body: licenseChangeSchema,
  responses: {
    200: { description: 'The user with its licenses now', schema: userSchema },
    409: {
      description: 'No unit left (DIRECTORY.COUNT_VIOLATION), no usage location, or the license comes from a group',
    },
  },
  async handler({ params, body, principal, services }) {
    return {
      status: 200,
      body: await assignUserLicenses(services, params.customerId, params.userId, body, actorOf(principal)),
    };
  },
});

export const updateM365UserRoute = defineRoute({
  name: 'updateM365User',
  method: 'PATCH',
  path: '/customers/{customerId}/m365/users/{userId}',
  access: { customer: 'Modify' },
  summary: 'Set a user’s usage location (needed before licensing) and other profile properties Microsoft allows',
  description:
    'Changes the properties given on the user in the customer’s tenant (Microsoft Graph `PATCH /users/{id}`): ' +
    '`usageLocation` (ISO 3166-1 alpha-2, required by Microsoft before a license can be assigned), `displayName`, ' +
    '`givenName`, `surname`, `jobTitle`, `department`, `officeLocation`, `mobilePhone`, `businessPhones` (one ' +
    'number at most), `streetAddress`, `city`, `state`, `postalCode`, `country` and `preferredLanguage` ' +
    '(`en-US`). `null` clears a property (not the display name or usage location); absent ones are kept. ' +
    'Idempotent: properties that already have the value are not sent to Microsoft, and a request that changes ' +
    'nothing answers the user as it is. Each change is written to the customer’s change log ' +
    '(`updateM365User`, e.g. `usageLocation — → GB`). After a `DIRECTORY.USAGE_LOCATION_REQUIRED` answer, set ' +
    'the usage location here, then assign the license again.',
  tags: TAGS,
  params: userParams,
  body: userUpdateSchema,
  responses: {
    200: { description: 'The user with its properties and licenses now', schema: userSchema },
  },
  async handler({ params, body, principal, services }) {
    return {
      status: 200,
      body: await updateUserProfile(services, {
        customerId: params.customerId,
        userId: params.userId,
        request: body,
        actor: actorOf(principal),
      }),
    };
  },
});

const batchResultSchema = z
  .object({
    results: z.array(
      z.discriminatedUnion('status', [
        z.object({ userId: z.string(), status: z.literal('succeeded'), user: userSchema }),
        z.object({
          userId: z.string(),
          status: z.literal('failed'),
          code: z.string(),
          message: z.string(),
          httpStatus: z.number().int(),
        }),
      ]),
    ),
    succeeded: z.number().int(),
    failed: z.number().int(),
  })
  .meta({ id: 'M365LicenseBatchResult' });

export const assignM365LicensesBatchRoute = defineRoute({
  name: 'assignM365LicensesBatch',
  method: 'POST',
  path: '/customers/{customerId}/m365/licenses/assignments',
  access: { customer: 'Modify' },
  summary:
    'Assign and unassign licenses of many users at once; each user succeeds or fails on its own (200 with a status per user)',
  tags: TAGS,
  params: customerIdParams,
  body: z
    .strictObject({
      assignments: z
        .array(
          z
            .strictObject({ userId: guidSchema, ...licenseChangeFields })
            .refine(nonEmpty, { message: 'name at least one license to add or remove', path: ['add'] })
            .meta({ examples: [{ userId: '3f2a7c1e-8b4d-4e6f-9a0b-1c2d3e4f5a6b', add: ['SPB'], remove: [] }] }),
        )
        .min(1)
        .max(100)
        .refine((a) => new Set(a.map((x) => x.userId.toLowerCase())).size === a.length, 'a user may appear once'),
    })
    .meta({ id: 'M365LicenseBatch' }),
  responses: {
    200: { description: 'A result per user, in the request’s order (207-like)', schema: batchResultSchema },
  },
  async handler({ params, body, principal, services }) {
    const results = await assignLicensesInBatch(services, params.customerId, body.assignments, actorOf(principal));
    const succeeded = results.filter((r) => r.status === 'succeeded').length;
    return { status: 200, body: { results, succeeded, failed: results.length - succeeded } };
  },
});

export const listM365GroupsRoute = defineRoute({
  name: 'listM365Groups',
  method: 'GET',
  path: '/customers/{customerId}/m365/groups',
  access: { customer: 'View' },
  summary: 'Groups of the tenant with the licenses assigned to them (group-based licensing)',
  tags: TAGS,
  params: customerIdParams,
  responses: {
    200: { description: 'The groups', schema: z.object({ items: z.array(groupSchema) }).meta({ id: 'M365GroupList' }) },
  },
  async handler({ params, services }) {
    return { status: 200, body: { items: await listGroups(services, params.customerId) } };
  },
});

export const assignM365GroupLicensesRoute = defineRoute({
  name: 'assignM365GroupLicenses',
  method: 'POST',
  path: '/customers/{customerId}/m365/groups/{groupId}/licenses',
  access: { customer: 'Modify' },
  summary:
    'License a group: its members inherit the licenses (a member with no unit left shows a CountViolation error)',
  tags: TAGS,
  params: groupParams,
  body: licenseChangeSchema,
  responses: { 200: { description: 'The group with its licenses now', schema: groupSchema } },
  async handler({ params, body, principal, services }) {
    return {
      status: 200,
      body: await assignGroupLicenses(services, params.customerId, params.groupId, body, actorOf(principal)),
    };
  },
});

const consentRequestView = consentRequestSchema.meta({ id: 'M365ConsentRequest' });

export const getM365ConsentRoute = defineRoute({
  name: 'getM365Consent',
  method: 'GET',
  path: '/customers/{customerId}/m365/consent',
  access: { customer: 'View' },
  summary:
    'Whether the portal has admin consent in the customer’s tenant, the admin-consent link, and the latest requests',
  tags: TAGS,
  params: customerIdParams,
  responses: {
    200: {
      description: 'Consent status',
      schema: z
        .object({
          tenantId: z.string(),
          granted: z.boolean(),
          grantedPermissions: z.array(z.string()),
          missingPermissions: z.array(z.enum(requiredGraphPermissions)),
          consentUrl: z.string().describe('For a Global Administrator of the tenant'),
          requests: z.array(consentRequestView),
        })
        .meta({ id: 'M365Consent' }),
    },
  },
  async handler({ params, services }) {
    return { status: 200, body: await consentStatus(services, params.customerId) };
  },
});

export const requestM365ConsentRoute = defineRoute({
  name: 'requestM365Consent',
  method: 'POST',
  path: '/customers/{customerId}/m365/consent-requests',
  access: { customer: 'Admin' },
  summary:
    'Ask the tenant’s Global Administrator(s) for admin consent, with a justification (mailed with the consent link)',
  tags: TAGS,
  params: customerIdParams,
  body: z
    .strictObject({
      justification: z
        .string()
        .trim()
        .min(10)
        .max(1000)
        // eslint-disable-next-line no-control-regex -- the C0/C1 controls (\p{Cc}), spelled so OpenAPI tools without the u flag read the same
        .regex(/^(?:[^\u0000-\u001f\u007f-\u009f]|\r?\n|\t)*$/, 'text without control characters'),
    })
    .meta({ id: 'M365ConsentRequestBody' }),
  responses: {
    201: { description: 'Stored and sent', schema: consentRequestView },
    409: { description: 'Consent is already granted, or there is no one to send the request to' },
  },
  async handler({ params, body, principal, services }) {
    return {
      status: 201,
      body: await requestConsent(services, {
        customerId: params.customerId,
        justification: body.justification,
        actor: actorOf(principal),
      }),
    };
  },
});

export const exportM365UsersRoute = defineRoute({
  name: 'exportM365Users',
  method: 'GET',
  path: '/customers/{customerId}/m365/users/export',
  access: { customer: 'View' },
  summary: `The tenant’s users as CSV (${EXPORT_COLUMNS.join(',')}); licenses as SKU part numbers separated by ;`,
  tags: TAGS,
  params: customerIdParams,
  responses: {
    200: { description: 'CSV, UTF-8 with a header row; the first four columns import back', contentType: 'text/csv' },
  },
  async handler({ params, services }) {
    const rows = await exportUsers(services, params.customerId);
    const csv = stringify(
      rows.map((row) => EXPORT_COLUMNS.map((column) => inertCell(row[column]))),
      { header: true, columns: [...EXPORT_COLUMNS], bom: true, record_delimiter: 'windows' },
    );
    return {
      status: 200,
      body: csv,
      contentType: 'text/csv; charset=utf-8',
      headers: { 'content-disposition': `attachment; filename="m365-users-${params.customerId}.csv"` },
    };
  },
});

const importResultSchema = z
  .object({
    created: z.array(
      z.object({
        line: z.number().int(),
        userId: z.string(),
        userPrincipalName: z.string(),
        licenses: z.array(z.string()),
        passwordDelivered: z.boolean(),
      }),
    ),
    failed: z.array(
      z.object({ line: z.number().int(), userPrincipalName: z.string(), code: z.string(), message: z.string() }),
    ),
  })
  .meta({ id: 'M365UserImportResult' });

export const importM365UsersRoute = defineRoute({
  name: 'importM365Users',
  method: 'POST',
  path: '/customers/{customerId}/m365/users/import',
  access: { customer: 'Admin' },
  summary: `Create users from CSV (${IMPORT_COLUMNS.join(',')}): every line is checked first and any problem refuses the file by line number, creating nothing`,
  tags: TAGS,
  params: customerIdParams,
  query: z.strictObject({
    sendPasswordsTo: z.email().max(254).describe('Where each new user’s temporary password is mailed'),
    confirmBillingChange: z
      .stringbool()
      .optional()
      .describe('Repeat with true after a BILLING.CONFIRMATION_REQUIRED answer'),
  }),
  body: z.string().describe(`CSV with the header ${IMPORT_COLUMNS.join(',')} (the export's extra columns are ignored)`),
  textBody: { contentTypes: ['text/csv'], maxBytes: 1024 * 1024 },
  requestHeaders: { 'Accept-Language': { description: 'Language of a billing-change confirmation message' } },
  responses: {
    200: {
      description: 'Users created (and any that failed after the checks, with the reason)',
      schema: importResultSchema,
    },
    400: { description: 'The file has problems, each named by line; nothing was created' },
  },
  async handler({ params, query, body, headers, principal, services }) {
    const result = await importUsers(services, {
      customerId: params.customerId,
      csv: await services.csv.table(body),
      sendPasswordsTo: query.sendPasswordsTo,
      confirmBillingChange: query.confirmBillingChange ?? false,
      actor: actorOf(principal),
      acceptLanguage: headers.get('accept-language'),
    });
    return { status: 200, body: result };
  },
});

export const m365Routes = [
  listM365UsersRoute,
  createM365UserRoute,
  exportM365UsersRoute,
  importM365UsersRoute,
  assignM365UserLicensesRoute,
  updateM365UserRoute,
  listM365LicensesRoute,
  assignM365LicensesBatchRoute,
  listM365GroupsRoute,
  assignM365GroupLicensesRoute,
  getM365ConsentRoute,
  requestM365ConsentRoute,
] as const;
