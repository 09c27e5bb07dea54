import { billingConfirmationSettingsSchema, defaultBillingConfirmation } from '../../domain/billing-confirmation.ts';
import { defineRoute } from '../route.ts';

export const getBillingConfirmationRoute = defineRoute({
  name: 'getBillingConfirmationSettings',
  method: 'GET',
  path: '/settings/billing-confirmation',
  access: 'partnerAdmin',
  summary: 'Which actions need a billing-change confirmation, and the message per language',
  tags: ['settings'],
  responses: {
    200: {
      description: 'The settings (the defaults until saved)',
      schema: billingConfirmationSettingsSchema,
      headers: { ETag: 'Send as If-Match to replace them' },
    },
  },
  async handler({ services }) {
    const saved = await services.settings.billingConfirmation();
    return {
      status: 200,
      body: saved?.value ?? defaultBillingConfirmation,
      headers: saved ? { etag: saved.etag } : {},
    };
  },
});

export const putBillingConfirmationRoute = defineRoute({
  name: 'putBillingConfirmationSettings',
  method: 'PUT',
  path: '/settings/billing-confirmation',
  access: 'partnerAdmin',
  summary: 'Replace the billing-change confirmation settings (If-Match once they exist)',
  tags: ['settings'],
  body: billingConfirmationSettingsSchema,
  requestHeaders: { 'If-Match': { description: 'The ETag from the last read; required once the settings exist' } },
  responses: { 200: { description: 'Saved', schema: billingConfirmationSettingsSchema } },
  async handler({ body, headers, services }) {
    const saved = await services.settings.saveBillingConfirmation(body, headers.get('if-match') ?? undefined);
    return { status: 200, body: saved.value, headers: { etag: saved.etag } };
  },
});
