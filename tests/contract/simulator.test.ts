import { inject } from 'vitest';
import { createTableSimulator } from '../support/fake-partner-center.ts';
import { testClock } from '../support/clock.ts';
import { commerceContract, T0 } from './commerce.contract.ts';

commerceContract('simulator', async () => {
  const clock = testClock(T0);
  return { commerce: await createTableSimulator(inject('storageConnectionString'), clock), clock };
});
