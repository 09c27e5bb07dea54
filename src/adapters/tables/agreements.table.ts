import { odata, type TableClient } from '@azure/data-tables';
import { conflict } from '../../app/errors.ts';
import type { AgreementStore } from '../../app/ports/agreements.port.ts';
import { acceptanceSchema, type Acceptance } from '../../domain/agreement.ts';
import { corruptRow, storageStatus } from './table-errors.ts';

/** Table `agreements`: partition `{customerId}`, row `{agreementId}` per acceptance, the record as JSON. */
export function agreementsTable(client: TableClient): AgreementStore {
  return {
    async acceptances(customerId) {
      const out: Acceptance[] = [];
      for await (const entity of client.listEntities<{ data?: unknown }>({
        queryOptions: { filter: odata`PartitionKey eq ${customerId}` },
      })) {
        try {
          out.push(acceptanceSchema.parse(JSON.parse(String(entity.data))));
        } catch (error) {
          throw corruptRow('agreements', `${customerId}/${String(entity.rowKey)}`, error);
        }
      }
      return out;
    },
    async recordAcceptance(acceptance) {
      try {
        await client.createEntity({
          partitionKey: acceptance.customerId,
          rowKey: acceptance.agreementId,
          data: JSON.stringify(acceptance),
        });
      } catch (error) {
        if (storageStatus(error) === 409)
          throw conflict('AGREEMENT.ALREADY_ACCEPTED', 'This agreement has been accepted already.');
        throw error;
      }
    },
  };
}
