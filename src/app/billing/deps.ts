import type { Services } from '../../main.ts';
import { usageMarkupPercent } from '../usage/usage-view.ts';
import type { RunDeps } from './billing-run.ts';

/** The billing engine's dependencies from the composition root. */
export function billingDepsOf(services: Services, extra: Pick<RunDeps, 'afterCustomer' | 'afterRun'> = {}): RunDeps {
  return { ...services, usageMarkupPercent: () => usageMarkupPercent(services.settings), ...extra };
}
