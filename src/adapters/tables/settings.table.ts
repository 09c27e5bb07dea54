import type { TableClient } from '@azure/data-tables';
import type { z } from 'zod';
import { conflict } from '../../app/errors.ts';
import type { Versioned } from '../../app/ports/customer.repository.port.ts';
import type { SettingsStore } from '../../app/ports/settings.port.ts';
import { billingConfirmationSettingsSchema } from '../../domain/billing-confirmation.ts';
import { partnerProfileSchema } from '../../domain/partner-profile.ts';
import { usageSettingsSchema } from '../../domain/usage.ts';
import { corruptRow, guarded, storageStatus } from './table-errors.ts';

/** Partner settings: partition `partner`, one row per setting, the value as parsed JSON. */
const PARTITION = 'partner';

export function settingsTable(client: TableClient): SettingsStore {
  const billingConfirmation = setting(
    client,
    'billingConfirmation',
    billingConfirmationSettingsSchema,
    'The settings exist already; send If-Match with their ETag to replace them.',
  );
  const usage = setting(
    client,
    'usage',
    usageSettingsSchema,
    'The usage settings exist already; send If-Match with their ETag to replace them.',
  );
  const partnerProfile = setting(
    client,
    'partnerProfile',
    partnerProfileSchema,
    'The partner profile exists already; send If-Match with its ETag to replace it.',
  );
  return {
    billingConfirmation: billingConfirmation.read,
    saveBillingConfirmation: billingConfirmation.save,
    usage: usage.read,
    saveUsage: usage.save,
    partnerProfile: partnerProfile.read,
    savePartnerProfile: partnerProfile.save,
  };
}

/** One setting's row: read (undefined until saved) and save (create without an etag, 409 when it exists; replace with one). */
export function setting<T>(client: TableClient, rowKey: string, schema: z.ZodType<T>, existsMessage: string) {
  return {
    async read(): Promise<Versioned<T> | undefined> {
      try {
        const entity = await client.getEntity<{ data: string }>(PARTITION, rowKey);
        const parsed = schema.safeParse(JSON.parse(entity.data));
        if (!parsed.success) throw corruptRow('settings', rowKey, parsed.error);
        return { value: parsed.data, etag: entity.etag };
      } catch (error) {
        if (storageStatus(error) === 404) return undefined;
        throw error;
      }
    },
    async save(value: T, etag?: string): Promise<Versioned<T>> {
      const entity = { partitionKey: PARTITION, rowKey, data: JSON.stringify(value) };
      if (etag) {
        const result = await guarded(() => client.updateEntity(entity, 'Replace', { etag }));
        return { value, etag: result.etag ?? '' };
      }
      try {
        const result = await client.createEntity(entity);
        return { value, etag: result.etag ?? '' };
      } catch (error) {
        if (storageStatus(error) === 409) throw conflict('SETTINGS.EXISTS', existsMessage);
        throw error;
      }
    },
  };
}
