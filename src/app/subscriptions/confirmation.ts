import { defaultBillingConfirmation, messageFor, type ConfirmableAction } from '../../domain/billing-confirmation.ts';
import type { Customer } from '../../domain/customer.ts';
import type { Money } from '../../domain/money.ts';
import { AppError } from '../errors.ts';
import type { SubscriptionDeps } from './deps.ts';

/**
 * F-CONFIRM: when the customer's switch is on and the partner lists the action, an action that raises the bill
 * is refused (409) until the request confirms it; the answer carries the partner's message in the caller's
 * language and the cost difference.
 */
export async function requireBillingConfirmation(
  deps: Pick<SubscriptionDeps, 'settings'>,
  input: {
    customer: Customer;
    action: ConfirmableAction;
    confirmed: boolean;
    acceptLanguage: string | null;
    costDifference: Record<string, Money>;
  },
): Promise<void> {
  if (!input.customer.billingChangeConfirmation || input.confirmed) return;
  const settings = (await deps.settings.billingConfirmation())?.value ?? defaultBillingConfirmation;
  if (!settings.actions.includes(input.action)) return;
  const message = messageFor(settings.messages, input.acceptLanguage);
  throw new AppError('Conflict', 'BILLING.CONFIRMATION_REQUIRED', message, {
    action: input.action,
    costDifference: input.costDifference,
    confirmWith: { confirmBillingChange: true },
  });
}
