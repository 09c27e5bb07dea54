import { z } from 'zod';
import { acceptInvitation, sendInvitation } from '../../app/portal-users/invitations.ts';
import { getUser, inviteUser, listUsers, portalUserView, updateUser } from '../../app/portal-users/portal-users.ts';
import {
  invitationTokenSchema,
  inviteRequestSchema,
  portalAccessValues,
  portalUserPatchSchema,
  portalUserStatuses,
} from '../../domain/portal-user.ts';
import { customerRoles } from '../../domain/roles.ts';
import { defineRoute } from '../route.ts';
import { customerIdParams, ifMatchHeader, pageOf, pageQuery, requireIfMatch } from '../schemas.ts';

const portalUserSchema = z
  .object({
    id: z.uuid(),
    customerId: z.uuid(),
    firstName: z.string(),
    lastName: z.string(),
    email: z.string(),
    role: z.enum(customerRoles),
    portalAccess: z.enum(portalAccessValues),
    status: z
      .enum(portalUserStatuses)
      .describe('inactive: invited, not signed in yet; active: accepted an invitation; disabled: portal access off'),
    invitation: z
      .object({ sentAt: z.iso.datetime(), expiresAt: z.iso.datetime() })
      .optional()
      .describe('The outstanding invitation, if any'),
    acceptedAt: z.iso.datetime().optional(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    etag: z.string().describe('Send as If-Match to change this user'),
  })
  .meta({ id: 'PortalUser' });

const userParams = z.strictObject({ customerId: z.uuid(), userId: z.uuid() });
const etagHeader = { ETag: 'Version of the user; send it back as If-Match to change it.' };

export const listPortalUsersRoute = defineRoute({
  name: 'listPortalUsers',
  method: 'GET',
  path: '/customers/{customerId}/portal-users',
  access: { customer: 'Admin' },
  summary: 'Portal users of the customer, a page at a time, optionally by status (active, inactive, disabled)',
  tags: ['portal users'],
  params: customerIdParams,
  query: pageQuery.extend({ status: z.enum(portalUserStatuses).optional() }),
  responses: { 200: { description: 'A page of users', schema: pageOf(portalUserSchema, 'PortalUserPage') } },
  async handler({ params, query, services }) {
    const page = await listUsers(services, params.customerId, query.status, query.pageSize, query.continuationToken);
    return {
      status: 200,
      body: {
        items: page.items.map(portalUserView),
        ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
      },
    };
  },
});

export const invitePortalUserRoute = defineRoute({
  name: 'invitePortalUser',
  method: 'POST',
  path: '/customers/{customerId}/portal-users',
  access: { customer: 'Admin' },
  summary: 'Invite a user by name and Microsoft 365 e-mail, and send the invitation mail in the same call',
  description:
    'Creates the portal user (inactive until the invitation is accepted) and mails a single-use, expiring link ' +
    '`{PORTAL_BASE_URL}/invitations/{token}`. With `sendInvitation=false` the user is only created; send the ' +
    'invitation later with `POST …/portal-users/{userId}/invitation`. If the mail cannot be sent (503), the user ' +
    'exists: send the invitation again later.',
  tags: ['portal users'],
  params: customerIdParams,
  query: z.strictObject({
    sendInvitation: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true')
      .describe('false to create the user without mailing the invitation now'),
  }),
  body: inviteRequestSchema.meta({ id: 'NewPortalUser' }),
  responses: {
    201: {
      description: 'Created (inactive), invitation sent unless `sendInvitation=false`',
      schema: portalUserSchema,
      headers: { ...etagHeader, Location: 'URL of the new user' },
    },
    409: { description: 'The e-mail is a portal user of this customer already' },
  },
  async handler({ params, query, body, services }) {
    const created = await inviteUser(services, params.customerId, body);
    const user = query.sendInvitation
      ? (await sendInvitation(services, params.customerId, created.value.id)).user
      : created;
    return {
      status: 201,
      body: portalUserView(user),
      headers: { etag: user.etag, location: `/api/customers/${params.customerId}/portal-users/${created.value.id}` },
    };
  },
});

export const getPortalUserRoute = defineRoute({
  name: 'getPortalUser',
  method: 'GET',
  path: '/customers/{customerId}/portal-users/{userId}',
  access: { customer: 'Admin' },
  summary: 'One portal user',
  tags: ['portal users'],
  params: userParams,
  responses: { 200: { description: 'The user', schema: portalUserSchema, headers: etagHeader } },
  async handler({ params, services }) {
    const found = await getUser(services, params.customerId, params.userId);
    return { status: 200, body: portalUserView(found), headers: { etag: found.etag } };
  },
});

export const updatePortalUserRoute = defineRoute({
  name: 'updatePortalUser',
  method: 'PATCH',
  path: '/customers/{customerId}/portal-users/{userId}',
  access: { customer: 'Admin' },
  summary: 'Change a user’s name, role or portal access; effective on the user’s next request',
  tags: ['portal users'],
  params: userParams,
  body: portalUserPatchSchema
    .refine((patch) => Object.keys(patch).length > 0, 'name at least one field to change')
    .meta({ id: 'PortalUserPatch' }),
  requestHeaders: ifMatchHeader,
  responses: {
    200: { description: 'The changed user', schema: portalUserSchema, headers: etagHeader },
    409: { description: 'The last active admin may not demote or disable themselves' },
  },
  async handler({ params, body, headers, principal, services }) {
    const updated = await updateUser(services, {
      customerId: params.customerId,
      userId: params.userId,
      patch: body,
      ifMatch: requireIfMatch(headers),
      caller: principal.identity,
    });
    return { status: 200, body: portalUserView(updated), headers: { etag: updated.etag } };
  },
});

export const sendInvitationRoute = defineRoute({
  name: 'sendPortalUserInvitation',
  method: 'POST',
  path: '/customers/{customerId}/portal-users/{userId}/invitation',
  access: { customer: 'Admin' },
  summary:
    'Send the user a single-use, expiring invitation link by e-mail; sending again makes the previous link invalid',
  tags: ['portal users'],
  params: userParams,
  responses: {
    200: {
      description: 'Sent',
      headers: etagHeader,
      schema: z
        .object({ sentTo: z.string(), expiresAt: z.iso.datetime(), user: portalUserSchema })
        .meta({ id: 'SentInvitation' }),
    },
    409: { description: 'The user is active already, or disabled' },
  },
  async handler({ params, services }) {
    const sent = await sendInvitation(services, params.customerId, params.userId);
    return {
      status: 200,
      body: { sentTo: sent.sentTo, expiresAt: sent.expiresAt, user: portalUserView(sent.user) },
      headers: { etag: sent.user.etag },
    };
  },
});

export const acceptInvitationRoute = defineRoute({
  name: 'acceptInvitation',
  method: 'POST',
  path: '/invitations/{token}/accept',
  access: 'signedIn',
  summary:
    'Accept an invitation as the signed-in Microsoft account it was sent to; the account becomes the portal user',
  tags: ['portal users'],
  params: z.strictObject({ token: invitationTokenSchema }),
  responses: {
    200: {
      description: 'Accepted: the customer now appears in GET /api/me',
      schema: z
        .object({ customerId: z.uuid(), userId: z.uuid(), role: z.enum(customerRoles) })
        .meta({ id: 'AcceptedInvitation' }),
    },
    403: { description: 'Signed in with another account than the invited one, or the user is disabled' },
    404: { description: 'Unknown token, or replaced by a newer invitation' },
    409: { description: 'Expired, accepted already, or this account is another user of the customer already' },
  },
  async handler({ params, principal, services }) {
    const { value } = await acceptInvitation(services, params.token, principal.identity);
    return { status: 200, body: { customerId: value.customerId, userId: value.id, role: value.role } };
  },
});
