import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';
import type { PsaStore } from '../../app/ports/psa.port.ts';
import { psaMappingSchema } from '../../domain/psa.ts';
import { setting } from './settings.table.ts';
import { keyPart } from './usage.table.ts';
import { corruptRow, storageStatus } from './table-errors.ts';

/**
 * F-PSA in table `psa`: the mapping is one settings row (ETag-guarded); each addition sent to the PSA is a row of
 * partition `sent` keyed by the addition's id (its billing line's), so a push sends each addition once.
 */
const SENT = 'sent';
const sentSchema = z.object({ psaId: z.string(), sentAt: z.iso.datetime() });

export function psaTable(client: TableClient): PsaStore {
  const mapping = setting(
    client,
    'mapping',
    psaMappingSchema,
    'The PSA mapping exists already; send If-Match with its ETag to replace it.',
  );
  return {
    mapping: mapping.read,
    saveMapping: mapping.save,
    async sent(additionId) {
      try {
        const entity = await client.getEntity(SENT, keyPart(additionId));
        const parsed = sentSchema.safeParse(entity);
        if (!parsed.success) throw corruptRow('psa', additionId, parsed.error);
        return parsed.data;
      } catch (error) {
        if (storageStatus(error) === 404) return undefined;
        throw error;
      }
    },
    async markSent(additionId, psaId, sentAt) {
      await client.upsertEntity({ partitionKey: SENT, rowKey: keyPart(additionId), psaId, sentAt }, 'Replace');
    },
  };
}
