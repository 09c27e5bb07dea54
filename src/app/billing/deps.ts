import type { Services } from '../../main.ts';
import { usageMarkupPercent } from '../usage/usage-view.ts';
import type { RunDeps } from './billing-run.ts';

/** The partner's mark-up is read at most once a minute per process, not once per customer. */
const MARKUP_TTL_MS = 60_000;
const markups = new WeakMap<object, { at: number; value: Promise<string> }>();

function cachedMarkup(services: Services): Promise<string> {
  const now = Date.now();
  const cached = markups.get(services.settings);
  if (cached && now - cached.at < MARKUP_TTL_MS) return cached.value;
  const value = usageMarkupPercent(services.settings);
  markups.set(services.settings, { at: now, value });
  value.catch(() => markups.delete(services.settings));
  return value;
}

/** The billing engine's dependencies from the composition root. */
export function billingDepsOf(services: Services, extra: Pick<RunDeps, 'afterCustomer' | 'afterRun'> = {}): RunDeps {
  return { ...services, usageMarkupPercent: () => cachedMarkup(services), ...extra };
}
