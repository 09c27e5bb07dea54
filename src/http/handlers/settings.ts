import { partnerProfile, savePartnerProfile } from '../../app/partner-profile/partner-profile.ts';
import { billingConfirmationSettingsSchema, defaultBillingConfirmation } from '../../domain/billing-confirmation.ts';
import { partnerProfileInputSchema, partnerProfileSchema } from '../../domain/partner-profile.ts';
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

export const getPartnerProfileRoute = defineRoute({
  name: 'getPartnerProfile',
  method: 'GET',
  path: '/settings/partner-profile',
  access: 'partnerAdmin',
  summary:
    'The partner profile on every report, invoice and mail: legal name, address, tax id, support contact, accent colour',
  tags: ['settings'],
  responses: {
    200: {
      description: 'The profile (PARTNER_NAME and the default colour until one is saved; then with its ETag)',
      schema: partnerProfileSchema,
      headers: { ETag: 'Send as If-Match to replace it (absent until saved)' },
    },
  },
  async handler({ services }) {
    const { value, etag } = await partnerProfile(services);
    return { status: 200, body: value, headers: { etag } };
  },
});

export const putPartnerProfileRoute = defineRoute({
  name: 'putPartnerProfile',
  method: 'PUT',
  path: '/settings/partner-profile',
  access: 'partnerAdmin',
  summary: 'Replace the partner profile (If-Match with its ETag once it exists)',
  tags: ['settings'],
  body: partnerProfileInputSchema,
  requestHeaders: { 'If-Match': { description: 'The ETag from the last read; required once the profile exists' } },
  responses: {
    200: { description: 'Saved', schema: partnerProfileSchema, headers: { ETag: 'The new version' } },
  },
  async handler({ body, headers, services }) {
    const saved = await savePartnerProfile(services, body, headers.get('if-match') ?? undefined);
    return { status: 200, body: saved.value, headers: { etag: saved.etag } };
  },
});
