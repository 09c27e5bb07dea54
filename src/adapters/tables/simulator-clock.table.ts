import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';
import { conflict } from '../../app/errors.ts';
import type { SimulatorClockState, SimulatorClockStore } from '../../app/ports/simulator-clock.port.ts';
import { corruptRow, guarded, storageStatus } from './table-errors.ts';

/** F-CLOCK: one row in the settings table (partition `simulator`, row `clock`), read by every process. */
const PARTITION = 'simulator';
const ROW = 'clock';

const stateSchema = z.object({
  offsetMs: z.number().int(),
  advancing: z.object({ to: z.iso.datetime(), since: z.iso.datetime() }).optional(),
});

export function simulatorClockTable(client: TableClient): SimulatorClockStore {
  return {
    async read() {
      try {
        const entity = await client.getEntity<{ data: string }>(PARTITION, ROW);
        const parsed = stateSchema.safeParse(JSON.parse(entity.data));
        if (!parsed.success) throw corruptRow('settings', ROW, parsed.error);
        return { value: parsed.data as SimulatorClockState, etag: entity.etag };
      } catch (error) {
        if (storageStatus(error) === 404) return undefined;
        throw error;
      }
    },
    async save(state, etag) {
      const entity = { partitionKey: PARTITION, rowKey: ROW, data: JSON.stringify(state) };
      if (etag) {
        const result = await guarded(() => client.updateEntity(entity, 'Replace', { etag }));
        return { value: state, etag: result.etag ?? '' };
      }
      try {
        const result = await client.createEntity(entity);
        return { value: state, etag: result.etag ?? '' };
      } catch (error) {
        if (storageStatus(error) === 409)
          throw conflict('CLOCK.ADVANCING', 'Another process started the simulator clock at the same moment.');
        throw error;
      }
    },
  };
}
