import { inject } from 'vitest';
import { createDirectorySimulator } from '../support/fake-graph.ts';
import { testClock } from '../support/clock.ts';
import { directoryContract } from './directory.contract.ts';

directoryContract('simulator', async () => {
  const { simulator, commerce } = await createDirectorySimulator(
    inject('storageConnectionString'),
    testClock('2026-03-10T09:00:00.000Z'),
  );
  return { directory: simulator, simulator, commerce };
});
