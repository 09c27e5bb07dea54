import type { TableClient } from '@azure/data-tables';
import { preconditionFailed } from '../../app/errors.ts';
import type { Versioned } from '../../app/ports/customer.repository.port.ts';
import type { ProfileStore } from '../../app/ports/profiles.port.ts';
import { userProfileSchema, type UserProfile } from '../../domain/user-profile.ts';
import { corruptRow, guarded, storageStatus } from './table-errors.ts';

/** Table `profiles`: partition `{tenantId}_{objectId}` (as the `access` table), row `profile`, the value as JSON. */
const ROW = 'profile';
const partitionOf = (tenantId: string, objectId: string) => `${tenantId.toLowerCase()}_${objectId.toLowerCase()}`;

export function profilesTable(client: TableClient): ProfileStore {
  const get = async (tenantId: string, objectId: string): Promise<Versioned<UserProfile> | undefined> => {
    let entity: { data?: unknown; etag: string };
    try {
      entity = await client.getEntity<{ data?: unknown }>(partitionOf(tenantId, objectId), ROW);
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw error;
    }
    try {
      return { value: userProfileSchema.parse(JSON.parse(String(entity.data))), etag: entity.etag };
    } catch (error) {
      throw corruptRow('profiles', partitionOf(tenantId, objectId), error);
    }
  };

  return {
    get,
    async createIfAbsent(tenantId, objectId, profile) {
      try {
        const { etag } = await client.createEntity({
          partitionKey: partitionOf(tenantId, objectId),
          rowKey: ROW,
          data: JSON.stringify(profile),
        });
        return { value: profile, etag: etag ?? '' };
      } catch (error) {
        if (storageStatus(error) !== 409) throw error;
        const stored = await get(tenantId, objectId);
        if (!stored) throw error;
        return stored;
      }
    },
    async replace(tenantId, objectId, profile, etag) {
      const entity = { partitionKey: partitionOf(tenantId, objectId), rowKey: ROW, data: JSON.stringify(profile) };
      try {
        const result = await guarded(() => client.updateEntity(entity, 'Replace', { etag }));
        return { value: profile, etag: result.etag ?? '' };
      } catch (error) {
        if (storageStatus(error) === 404)
          throw preconditionFailed('You have no profile yet: read it first, then change it with its ETag.');
        throw error;
      }
    },
  };
}
