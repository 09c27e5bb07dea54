import { createHash } from 'node:crypto';
import { odata, type TableClient } from '@azure/data-tables';
import { z } from 'zod';
import { conflict } from '../../app/errors.ts';
import type { Versioned } from '../../app/ports/customer.repository.port.ts';
import type { InvitationLookup, PortalUserStore } from '../../app/ports/portal-users.port.ts';
import { portalUserSchema, statusOf, type PortalUser } from '../../domain/portal-user.ts';
import { checkContinuationToken, corruptRow, guarded, storageStatus } from './table-errors.ts';

/**
 * Table `portalusers`.
 *   Partition `{customerId}`: row `{userId}` per user (the record as JSON in `data`, with `status`, `role` and
 *   `email` columns to filter on), and row `~email:{sha256(email)}` per user claiming its address in the customer,
 *   created with the user in one entity-group transaction. `~` sorts after every user id, so `RowKey lt '~'`
 *   reads users only.
 *   Partition `{sha256(token)}`: row `invitation`, the lookup of an outstanding invitation (a point read).
 */
const INDEX = '~';
const INVITATION = 'invitation';

const emailKey = (email: string) => `${INDEX}email:${createHash('sha256').update(email).digest('hex')}`;

const lookupSchema = z.object({
  partitionKey: z.string(),
  customerId: z.uuid(),
  userId: z.uuid(),
  expiresAt: z.iso.datetime(),
});
const indexSchema = z.object({ userId: z.uuid() });

function toEntity(user: PortalUser) {
  return {
    partitionKey: user.customerId,
    rowKey: user.id,
    data: JSON.stringify(user),
    status: statusOf(user),
    role: user.role,
    email: user.email,
  };
}

function fromEntity(entity: Record<string, unknown>): Versioned<PortalUser> {
  try {
    return { value: portalUserSchema.parse(JSON.parse(String(entity.data))), etag: String(entity.etag) };
  } catch (error) {
    throw corruptRow('portalusers', `${String(entity.partitionKey)}/${String(entity.rowKey)}`, error);
  }
}

export function portalUsersTable(client: TableClient): PortalUserStore {
  const get = async (customerId: string, userId: string) => {
    try {
      return fromEntity(await client.getEntity<Record<string, unknown>>(customerId, userId));
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw error;
    }
  };

  return {
    async create(user) {
      const index = { partitionKey: user.customerId, rowKey: emailKey(user.email), userId: user.id };
      try {
        const { subResponses } = await client.submitTransaction([
          ['create', toEntity(user)],
          ['create', index],
        ]);
        return { value: user, etag: subResponses[0]?.etag ?? '' };
      } catch (error) {
        if (storageStatus(error) === 409)
          throw conflict('PORTAL_USER.EMAIL_TAKEN', `${user.email} is a portal user of this customer already.`);
        throw error;
      }
    },

    get,

    async findByEmail(customerId, email) {
      let entity: Record<string, unknown>;
      try {
        entity = await client.getEntity<Record<string, unknown>>(customerId, emailKey(email));
      } catch (error) {
        if (storageStatus(error) === 404) return undefined;
        throw error;
      }
      const parsed = indexSchema.safeParse(entity);
      if (!parsed.success) throw corruptRow('portalusers', `${customerId}/${emailKey(email)}`, parsed.error);
      return get(customerId, parsed.data.userId);
    },

    async list(customerId, status, pageSize, continuationToken) {
      const conditions = [odata`PartitionKey eq ${customerId} and RowKey lt ${INDEX}`];
      if (status) conditions.push(odata`status eq ${status}`);
      const pages = client
        .listEntities<Record<string, unknown>>({ queryOptions: { filter: conditions.join(' and ') } })
        .byPage({ maxPageSize: pageSize, continuationToken: checkContinuationToken(continuationToken) });
      const { value } = await pages.next();
      const page = (value ?? []) as Record<string, unknown>[] & { continuationToken?: string };
      return {
        items: page.map(fromEntity),
        ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
      };
    },

    async countActiveAdmins(customerId) {
      let count = 0;
      const rows = client.listEntities({
        queryOptions: {
          filter: odata`PartitionKey eq ${customerId} and RowKey lt ${INDEX} and status eq ${'active'} and role eq ${'Admin'}`,
          select: ['RowKey'],
        },
      });
      for await (const _ of rows) count += 1;
      return count;
    },

    async replace(user, etag) {
      const result = await guarded(() => client.updateEntity(toEntity(user), 'Replace', { etag }));
      return { value: user, etag: result.etag ?? '' };
    },

    async putInvitation(lookup) {
      await client.createEntity({
        partitionKey: lookup.hash,
        rowKey: INVITATION,
        customerId: lookup.customerId,
        userId: lookup.userId,
        expiresAt: lookup.expiresAt,
      });
    },

    async invitation(hash): Promise<InvitationLookup | undefined> {
      let entity: Record<string, unknown>;
      try {
        entity = await client.getEntity<Record<string, unknown>>(hash, INVITATION);
      } catch (error) {
        if (storageStatus(error) === 404) return undefined;
        throw error;
      }
      const parsed = lookupSchema.safeParse(entity);
      if (!parsed.success) throw corruptRow('portalusers', `${hash}/${INVITATION}`, parsed.error);
      const { partitionKey, ...rest } = parsed.data;
      return { hash: partitionKey, ...rest };
    },

    async deleteInvitation(hash) {
      try {
        await client.deleteEntity(hash, INVITATION);
      } catch (error) {
        if (storageStatus(error) !== 404) throw error;
      }
    },
  };
}
