import type { Services } from '../../main.ts';
import type { UsageStore } from '../ports/usage.port.ts';
import type { RunDeps } from './billing-run.ts';

const noUsage: Pick<UsageStore, 'list'> = {
  // eslint-disable-next-line require-yield -- an empty store until usage is configured
  async *list() {
    return;
  },
};

/** The billing engine's dependencies from the composition root. */
export function billingDepsOf(services: Services, extra: Pick<RunDeps, 'afterCustomer'> = {}): RunDeps {
  const withUsage = services as Services & { usageStore?: Pick<UsageStore, 'list'>; usageMarkupPercent?: () => Promise<string> };
  return {
    ...services,
    usageStore: withUsage.usageStore ?? noUsage,
    usageMarkupPercent: withUsage.usageMarkupPercent ?? (async () => '0'),
    ...extra,
  };
}
