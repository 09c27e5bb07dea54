import { upcomingInvoice } from '../../app/billing/upcoming-invoice.ts';
import { billingDepsOf } from '../../app/billing/deps.ts';
import { defineRoute } from '../route.ts';
import { customerIdParams } from '../schemas.ts';
import { breakdown, breakdownSchema } from './billing.ts';

export const getUpcomingInvoiceRoute = defineRoute({
  name: 'getUpcomingInvoice',
  method: 'GET',
  path: '/customers/{customerId}/upcoming-invoice',
  access: { customer: 'View' },
  summary:
    'The upcoming invoice: what the open cycle would bill if the run ran now (same computation as the run, nothing written)',
  tags: ['invoices'],
  params: customerIdParams,
  responses: { 200: { description: 'The upcoming invoice with its breakdown', schema: breakdownSchema } },
  async handler({ params, services }) {
    const { invoice, lines } = await upcomingInvoice(billingDepsOf(services), params.customerId);
    return {
      status: 200,
      body: { invoice, subscriptions: breakdown(lines, invoice.currency) },
      headers: { 'cache-control': 'no-store' },
    };
  },
});
