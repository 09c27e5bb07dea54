import { dec, type Dec } from '../../domain/money.ts';
import { currencyDecimals } from '../../domain/locale.ts';
import { accountTopics, mentionedNames, type AccountTopic } from '../../domain/assistant/answer.ts';
import type { AssistantDeps } from './deps.ts';

/** One fact of the caller's own account, with the API resource it was read from. */
export interface AccountFact {
  title: string;
  link: string;
  text: string;
}

const frequencyWords = { monthly: 'monthly', annual: 'annually', triennial: 'every three years' } as const;

/**
 * Facts of one customer's account that a question asks about, read through the same stores as My Services and
 * Invoices, for the customer of the route only (the pipeline has already checked the caller may view it).
 * Nothing here searches across customers: a question naming another customer gets this customer's facts.
 */
export async function accountFacts(
  deps: Pick<AssistantDeps, 'customerData' | 'billing'>,
  customerId: string,
  question: string,
): Promise<{ topics: AccountTopic[]; facts: AccountFact[] }> {
  const topics = accountTopics(question);
  const facts: AccountFact[] = [];
  if (topics.includes('subscriptions')) {
    const { subscriptions } = await deps.customerData.services(customerId);
    const live = subscriptions.map((s) => s.value).filter((s) => s.status === 'active' || s.status === 'suspended');
    const named = mentionedNames(
      question,
      live.map((s) => s.productName),
    );
    const shown = named.length > 0 ? live.filter((s) => named.includes(s.productName)) : live;
    if (shown.length === 0) {
      facts.push({
        title: 'My Services',
        link: `/api/customers/${customerId}/subscriptions`,
        text: 'Your account has no active subscriptions in the portal.',
      });
    }
    for (const s of shown.slice(0, 10)) {
      facts.push({
        title: `My Services: ${s.productName}`,
        link: `/api/customers/${customerId}/subscriptions/${encodeURIComponent(s.id)}`,
        text:
          `${s.productName}: ${s.quantity} ${s.quantity === 1 ? 'seat' : 'seats'} (${s.assignedQuantity} assigned to users), ` +
          `term ${s.term} billed ${frequencyWords[s.billingFrequency]}, status ${s.status}. ` +
          `The current term ends and renews on ${s.termEndDate}` +
          (s.autoRenew ? ' (auto-renew is on)' : ' (auto-renew is off: it expires then)') +
          (s.scheduledQuantity !== undefined ? `, with ${s.scheduledQuantity} seats scheduled for renewal` : '') +
          '.',
      });
    }
  }
  if (topics.includes('invoices')) {
    const invoices = (await deps.billing.invoices(customerId)).map((i) => i.value);
    const open = invoices.filter((i) => i.status === 'open');
    const latest = [...invoices].sort((a, b) => b.issuedOn.localeCompare(a.issuedOn)).slice(0, 3);
    facts.push({
      title: 'My Invoices',
      link: `/api/customers/${customerId}/invoices`,
      text:
        invoices.length === 0
          ? 'Your account has no invoices yet.'
          : `Your account has ${open.length} open ${open.length === 1 ? 'invoice' : 'invoices'}` +
            (open.length > 0
              ? ` totalling ${sumByCurrency(open.map((i) => ({ amount: i.total, currency: i.currency })))}`
              : '') +
            '.',
    });
    for (const i of latest) {
      facts.push({
        title: `Invoice ${i.id}`,
        link: `/api/customers/${customerId}/invoices/${encodeURIComponent(i.id)}`,
        text: `Invoice ${i.id}, issued ${i.issuedOn} for ${i.cycleStart} to ${i.cycle}: ${i.total} ${i.currency}, ${i.status}.`,
      });
    }
  }
  if (topics.includes('usage')) {
    facts.push({
      title: 'Azure usage',
      link: `/api/customers/${customerId}/usage?months=3`,
      text: 'Your Azure usage per subscription and meter, for the last 3, 6, 9 or 12 months, is on the Usage Data page.',
    });
  }
  return { topics, facts };
}

/** "12.50 USD and 3.00 EUR": sums of the invoices' decimal totals per currency (totals are rounded already). */
function sumByCurrency(items: { amount: string; currency: string }[]): string {
  const totals = new Map<string, Dec>();
  for (const { amount, currency } of items) totals.set(currency, (totals.get(currency) ?? dec(0)).plus(dec(amount)));
  return [...totals]
    .map(([currency, total]) => `${total.toFixed(currencyDecimals(currency))} ${currency}`)
    .join(' and ');
}
