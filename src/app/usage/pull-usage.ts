import type { UsageRecord } from '../../domain/billing.ts';
import { utcDate } from '../../domain/calendar.ts';
import type { UsageDeps } from './deps.ts';

/** Microsoft's rated usage settles late: each daily pull reads yesterday and the days before it again. */
export const USAGE_REPULL_DAYS = 3;
const SAVE_CHUNK = 2_000;

export interface UsagePullResult {
  from: string;
  to: string;
  records: number;
  customers: number;
}

/** Reads [from, to) from the configured source into the store; pulling the same days again changes nothing. */
export async function pullUsage(
  deps: Pick<UsageDeps, 'usageSource' | 'usageStore'>,
  from: string,
  to: string,
): Promise<UsagePullResult> {
  const customers = new Set<string>();
  let records = 0;
  let chunk: UsageRecord[] = [];
  for await (const record of deps.usageSource.pull(from, to)) {
    customers.add(record.customerId);
    records += 1;
    chunk.push(record);
    if (chunk.length >= SAVE_CHUNK) {
      await deps.usageStore.save(chunk);
      chunk = [];
    }
  }
  if (chunk.length) await deps.usageStore.save(chunk);
  return { from, to, records, customers: customers.size };
}

/** The daily pull: yesterday, and the USAGE_REPULL_DAYS days before it again. */
export function pullRecentUsage(
  deps: Pick<UsageDeps, 'usageSource' | 'usageStore' | 'clock'>,
): Promise<UsagePullResult> {
  const today = utcDate(deps.clock.now());
  return pullUsage(deps, today.subtract({ days: 1 + USAGE_REPULL_DAYS }).toString(), today.toString());
}
