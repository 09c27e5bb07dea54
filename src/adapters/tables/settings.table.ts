import type { TableClient } from '@azure/data-tables';
import { conflict } from '../../app/errors.ts';
import type { SettingsStore } from '../../app/ports/settings.port.ts';
import { billingConfirmationSettingsSchema } from '../../domain/billing-confirmation.ts';
import { usageSettingsSchema, type UsageSettings } from '../../domain/usage.ts';
import { corruptRow, guarded, storageStatus } from './table-errors.ts';

/** Partner settings: partition `partner`, one row per setting, the value as parsed JSON. */
const PARTITION = 'partner';
const BILLING_CONFIRMATION = 'billingConfirmation';
const USAGE = 'usage';

export function settingsTable(client: TableClient): SettingsStore {
  return {
    async billingConfirmation() {
      try {
        const entity = await client.getEntity<{ data: string }>(PARTITION, BILLING_CONFIRMATION);
        const parsed = billingConfirmationSettingsSchema.safeParse(JSON.parse(entity.data));
        if (!parsed.success) throw corruptRow('settings', BILLING_CONFIRMATION, parsed.error);
        return { value: parsed.data, etag: entity.etag };
      } catch (error) {
        if (storageStatus(error) === 404) return undefined;
        throw error;
      }
    },
    async saveBillingConfirmation(value, etag) {
      const entity = { partitionKey: PARTITION, rowKey: BILLING_CONFIRMATION, data: JSON.stringify(value) };
      if (etag) {
        const result = await guarded(() => client.updateEntity(entity, 'Replace', { etag }));
        return { value, etag: result.etag ?? '' };
      }
      try {
        const result = await client.createEntity(entity);
        return { value, etag: result.etag ?? '' };
      } catch (error) {
        if (storageStatus(error) === 409) throw conflict('SETTINGS.EXISTS', 'The settings exist already; send If-Match with their ETag to replace them.');
        throw error;
      }
    },
    async usage() {
      try {
        const entity = await client.getEntity<{ data: string }>(PARTITION, USAGE);
        const parsed = usageSettingsSchema.safeParse(JSON.parse(entity.data));
        if (!parsed.success) throw corruptRow('settings', USAGE, parsed.error);
        return { value: parsed.data, etag: entity.etag };
      } catch (error) {
        if (storageStatus(error) === 404) return undefined;
        throw error;
      }
    },
    async saveUsage(value: UsageSettings, etag?: string) {
      const entity = { partitionKey: PARTITION, rowKey: USAGE, data: JSON.stringify(value) };
      if (etag) {
        const result = await guarded(() => client.updateEntity(entity, 'Replace', { etag }));
        return { value, etag: result.etag ?? '' };
      }
      try {
        const result = await client.createEntity(entity);
        return { value, etag: result.etag ?? '' };
      } catch (error) {
        if (storageStatus(error) === 409) throw conflict('SETTINGS.EXISTS', 'The usage settings exist already; send If-Match with their ETag to replace them.');
        throw error;
      }
    },
  };
}
