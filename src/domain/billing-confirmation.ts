import { z } from 'zod';

/**
 * F-CONFIRM: the partner chooses which actions that raise a customer's bill must be confirmed, with a
 * message per language; each customer has a switch (off by default).
 */
export const confirmableActions = ['buy', 'raiseQuantity', 'addOn', 'createUser'] as const;
export type ConfirmableAction = (typeof confirmableActions)[number];

export const billingConfirmationSettingsSchema = z
  .strictObject({
    actions: z.array(z.enum(confirmableActions)).max(confirmableActions.length),
    /** Message per language tag (`en`, `de`, `fr-CA`…); `en` is the fallback. */
    messages: z
      .record(
        z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a language tag such as en or fr-CA'),
        z.string().trim().min(1).max(2000),
      )
      .refine((m) => 'en' in m, 'an English (en) message is required as the fallback'),
  })
  .meta({
    id: 'BillingConfirmationSettings',
    examples: [
      {
        actions: ['buy', 'raiseQuantity'],
        messages: {
          en: 'This change increases your bill. Repeat the request with confirmBillingChange set to true to go ahead.',
          de: 'Diese Änderung erhöht Ihre Rechnung. Senden Sie die Anfrage mit confirmBillingChange=true erneut.',
        },
      },
    ],
  });
export type BillingConfirmationSettings = z.infer<typeof billingConfirmationSettingsSchema>;

export const defaultBillingConfirmation: BillingConfirmationSettings = {
  actions: ['buy', 'raiseQuantity', 'addOn', 'createUser'],
  messages: {
    en: 'This change increases your bill. Repeat the request with confirmBillingChange set to true to go ahead.',
  },
};

/** The message in the best language of an Accept-Language header, else English. */
export function messageFor(messages: Record<string, string>, acceptLanguage: string | null): string {
  const wanted = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = Number(
        params
          .find((p) => p.trim().startsWith('q='))
          ?.trim()
          .slice(2) ?? '1',
      );
      return { tag: tag.toLowerCase(), q: Number.isFinite(q) ? q : 0 };
    })
    .filter((l) => l.tag && l.q > 0)
    .sort((a, b) => b.q - a.q);
  const byTag = new Map(Object.entries(messages).map(([tag, text]) => [tag.toLowerCase(), text]));
  for (const { tag } of wanted) {
    const exact = byTag.get(tag) ?? byTag.get(tag.split('-')[0] ?? '');
    if (exact) return exact;
  }
  return messages.en ?? Object.values(messages)[0] ?? '';
}
