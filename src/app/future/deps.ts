import type { SubscriptionDeps } from '../subscriptions/deps.ts';

/** What storing, triggering and applying future changes needs (the subscription use cases' dependencies). */
export type FutureDeps = SubscriptionDeps;
