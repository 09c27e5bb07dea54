import { randomUUID } from 'node:crypto';
import type { DirectorySimulator } from '../../../src/adapters/directory/simulator.directory.ts';
import type { TestClock } from '../../support/clock.ts';
import type { TestApp } from '../../support/test-app.ts';
import type { CustomerSetup } from '../../support/subscription-builders.ts';

/** What the walk reads of an answer: its status and the problem's type and code. */
export type Answer = { status: number; body: { type?: string; code?: string } };
/** A real request (or the few needed to set it up) that answers with one code. */
export type Reach = (ctx: Context) => Promise<Answer>;

/** The one app (on the run's Azurite) the walk shares, with a customer that has a tenant and a user per role. */
export interface Context {
  app: TestApp;
  setup: CustomerSetup;
  partner: string;
  directory: DirectorySimulator;
  /** A second app on a clock the walk moves (and so without the simulator's clock control), for time-bound codes. */
  clocked: { app: TestApp; clock: TestClock };
}

export const random = () => randomUUID();
export const users = (c: Context, rest = '') => `/api/customers/${c.setup.customerId}/m365/users${rest}`;
export const seedUser = (c: Context, usageLocation?: string) =>
  c.directory.seedUser(c.setup.tenantId, {
    displayName: `Walk ${random().slice(0, 6)}`,
    userPrincipalName: `walk${random().slice(0, 8)}@${c.setup.tenantId.slice(0, 8)}.example`,
    ...(usageLocation ? { usageLocation } : {}),
  });

/**
 * Two requests sent at once, for the codes that only a race produces (an ETag-guarded write losing to another):
 * the answers of the first attempt in which one of them carries the code, else the last attempt's answers.
 */
export async function race(code: string, twice: () => Promise<Answer[]>, attempts = 5): Promise<Answer> {
  let answers: Answer[] = [];
  for (let i = 0; i < attempts; i++) {
    answers = await twice();
    const hit = answers.find((a) => a.body?.code === code);
    if (hit) return hit;
  }
  return answers.find((a) => a.status >= 400) ?? answers[0]!;
}
