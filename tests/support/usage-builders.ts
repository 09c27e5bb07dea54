import { randomUUID } from 'node:crypto';
import type { UsageRecord } from '../../src/domain/billing.ts';

/** A day of usage of one meter, with overrides. */
export function buildUsageRecord(overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    customerId: randomUUID(),
    subscriptionId: randomUUID(),
    meterId: 'fd9b8a2c-1e51-4a1b-9e6a-3f0d6c1a0b01',
    meterName: 'D2s v5',
    meterCategory: 'Virtual Machines',
    unitOfMeasure: '1 Hour',
    date: '2026-03-01',
    quantity: '24',
    cost: '2.304',
    currency: 'USD',
    source: 'graph',
    ...overrides,
  };
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Days [from, to) as ISO dates. */
export function days(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = new Date(`${from}T00:00:00Z`); d.toISOString().slice(0, 10) < to; d = new Date(d.getTime() + 86_400_000))
    out.push(d.toISOString().slice(0, 10));
  return out;
}
