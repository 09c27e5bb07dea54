import { describe, expect, it } from 'vitest';
import { en, type MessageKey } from '../../portal/src/i18n/en.ts';
import { de } from '../../portal/src/i18n/de.ts';
import { actionLabel, changeText } from '../../portal/src/pages/customer/change-log-text.ts';

const translate =
  (dictionary: Record<MessageKey, string>) => (key: MessageKey, vars?: Record<string, string | number>) =>
    dictionary[key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars?.[name] ?? `{${name}}`));

/** Every action the API writes to the change log (src/app/subscriptions, src/app/future, src/app/m365). */
const kinds = ['purchase', 'quantity', 'suspend', 'reactivate', 'cancel', 'autoRenew'];
const logged = [
  ...kinds,
  ...kinds.map((k) => `schedule:${k}`),
  ...kinds.map((k) => `cancel-scheduled:${k}`),
  ...kinds.map((k) => `failed:${k}`),
  'sync',
  'sync:discovered',
  'renewal',
  'assignLicenses',
  'assignGroupLicenses',
  'createM365User',
  'updateM365User',
  'requestConsent',
];

describe('the change log page’s texts', () => {
  it('labels every logged action in English and German, never the raw operation name', () => {
    for (const dictionary of [en, de]) {
      const t = translate(dictionary);
      for (const action of logged) {
        const label = actionLabel(t, action);
        expect(label, action).not.toMatch(/^[a-z]+[A-Z:-]|^(purchase|quantity|sync|renewal|cancel)$|\{/);
      }
    }
    expect(actionLabel(translate(en), 'schedule:quantity')).toBe('Scheduled: Seats changed');
    expect(actionLabel(translate(de), 'assignLicenses')).toBe('Lizenzen geändert');
  });

  it('reads a license change as its product names, with the licenses held after', () => {
    const entry = {
      action: 'assignLicenses',
      detail: 'adele@contoso.example: +SPB −O365_BUSINESS_ESSENTIALS',
      productName: 'Microsoft 365 Business Premium, Microsoft 365 Business Basic',
      after: { licenses: ['SPB'] },
    };
    expect(changeText(translate(en), entry)).toBe(
      'Licenses: + Microsoft 365 Business Premium − Microsoft 365 Business Basic (now Microsoft 365 Business Premium)',
    );
    expect(
      changeText(translate(de), {
        ...entry,
        detail: 'adele@contoso.example: −SPB',
        productName: 'X',
        after: { licenses: [] },
      }),
    ).toBe('Lizenzen: − X (jetzt keine)');
  });

  it('shows what a subscription change changed, and a purchase’s new state, never an empty arrow', () => {
    const t = translate(en);
    const state = { quantity: 10, status: 'active', autoRenew: true };
    expect(changeText(t, { action: 'quantity', before: state, after: { ...state, quantity: 12 } })).toBe(
      'Seats 10 → 12',
    );
    expect(changeText(t, { action: 'purchase', after: state })).toBe('Seats 10, Status Active, Auto-renew on');
    expect(
      changeText(t, {
        action: 'schedule:quantity',
        before: state,
        after: { ...state, scheduled: { kind: 'quantity', quantity: 8, effectiveDate: '2027-01-03' } },
      }),
    ).toBe('Seats 10 → 8, Effective 2027-01-03');
    expect(changeText(t, { action: 'updateM365User', before: { jobTitle: 'Sales' }, after: { jobTitle: 'CEO' } })).toBe(
      'Job title Sales → CEO',
    );
    expect(changeText(t, { action: 'sync', before: state, after: state })).toBe('');
    expect(
      changeText(t, {
        action: 'renewal',
        before: { ...state, termEndDate: '2026-10-14' },
        after: { ...state, termEndDate: '2027-10-14' },
      }),
    ).toBe('Term ends 2026-10-14 → 2027-10-14');
    expect(changeText(t, { action: 'purchase', after: { ...state, termEndDate: '2027-10-14' } })).not.toContain('Term');
  });
});
