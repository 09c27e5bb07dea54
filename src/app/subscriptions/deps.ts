import type { Services } from '../../main.ts';

/** What the subscription use cases need from the composition root. */
export type SubscriptionDeps = Pick<
  Services,
  | 'config'
  | 'clock'
  | 'customers'
  | 'customerCache'
  | 'customerData'
  | 'commerce'
  | 'catalog'
  | 'settings'
  | 'dueIndex'
  | 'changeQueue'
  | 'notifier'
  | 'directory'
>;

/** Who did it, as written to the change log. */
export interface Actor {
  id: string;
  label: string;
}
