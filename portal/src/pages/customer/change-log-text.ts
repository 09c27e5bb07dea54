import { en, type MessageKey } from '../../i18n/en.ts';

/** The i18n layer's translate (as `useI18n().t`); declared here so the texts stay plain TypeScript, testable. */
type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** A change-log entry as the change-log route answers it (the fields read here). */
export interface LogEntry {
  action: string;
  detail?: string;
  productName?: string;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

/** The actions the API logs (src/app: subscriptions, future, m365), each with its human label. */
const actions: Record<string, MessageKey> = {
  purchase: 'log.action.purchase',
  buy: 'log.action.buy',
  quantity: 'log.action.quantity',
  suspend: 'log.action.suspend',
  reactivate: 'log.action.reactivate',
  cancel: 'log.action.cancel',
  autoRenew: 'log.action.autoRenew',
  sync: 'log.action.sync',
  'sync:discovered': 'log.action.discovered',
  renewal: 'log.action.renewal',
  assignLicenses: 'log.action.assignLicenses',
  assignGroupLicenses: 'log.action.assignGroupLicenses',
  createM365User: 'log.action.createM365User',
  updateM365User: 'log.action.updateM365User',
  requestConsent: 'log.action.requestConsent',
};

/** Prefixed actions: a change scheduled, a scheduled change withdrawn, a due change that failed. */
const prefixes: Record<string, MessageKey> = {
  schedule: 'log.scheduled',
  'cancel-scheduled': 'log.cancelScheduled',
  failed: 'log.failed',
};

/** `purchase` → "Purchase", `schedule:quantity` → "Scheduled: Seats changed"; an unknown action as logged. */
export function actionLabel(t: Translate, action: string): string {
  const own = actions[action];
  if (own) return t(own);
  const colon = action.indexOf(':');
  const prefix = colon > 0 ? prefixes[action.slice(0, colon)] : undefined;
  if (prefix) return t(prefix, { action: actionLabel(t, action.slice(colon + 1)) });
  return action;
}

const licenseActions = ['assignLicenses', 'assignGroupLicenses', 'createM365User'];
const m365Actions = [...licenseActions, 'updateM365User', 'requestConsent'];

/** Whether the entry is a Microsoft 365 (users, licenses, consent) one rather than a subscription's. */
export const isM365 = (entry: LogEntry) => m365Actions.includes(entry.action);

/** Who or what an M365 entry was about (the detail's subject: a user principal name or group), else nothing. */
export function subjectOf(entry: LogEntry): string | undefined {
  if (!m365Actions.includes(entry.action) || !entry.detail) return undefined;
  const colon = entry.detail.indexOf(':');
  const subject = colon > 0 ? entry.detail.slice(0, colon) : entry.detail.split(' ')[0];
  return entry.action === 'requestConsent' ? undefined : subject;
}

/**
 * The license part numbers of a license entry with their product names: the detail lists `+SPB −EXCHANGESTANDARD`
 * in the order the product names list them.
 */
function licenseChange(entry: LogEntry): { signs: { sign: string; name: string }[]; names: Map<string, string> } {
  const names = new Map<string, string>();
  const tokens = (entry.detail?.slice(entry.detail.indexOf(':') + 1) ?? '').match(/[+−-][^\s]+/g) ?? [];
  const productNames = entry.productName?.split(', ') ?? [];
  const signs = tokens.map((token, i) => {
    const sku = token.slice(1);
    const name = productNames.length === tokens.length ? (productNames[i] ?? sku) : sku;
    names.set(sku, name);
    return { sign: token[0] === '+' ? '+' : '−', name };
  });
  return { signs, names };
}

const shown = (t: Translate, key: string, value: unknown): string => {
  if (key === 'autoRenew' && typeof value === 'boolean') return t(value ? 'log.on' : 'log.off');
  if (key === 'status' && typeof value === 'string') {
    const label = `status.${value}`;
    return label in en ? t(label as MessageKey) : value;
  }
  return Array.isArray(value) ? value.join(', ') : String(value);
};

/** A field's label (`log.field.<name>`: subscription state and user profile fields), else its name. */
const fieldLabel = (t: Translate, key: string) => {
  const label = `log.field.${key}`;
  return label in en ? t(label as MessageKey) : key;
};
const subscriptionFields = ['quantity', 'status', 'autoRenew', 'termEndDate', 'effectiveDate'];
/** Shown only when they changed (a renewal, a sync that moved the term), not as a new subscription's state. */
const changedOnly = ['termEndDate'];

/**
 * What changed, readably: a license entry as `Licenses: + Microsoft 365 Business Premium (now …)`, a user change
 * field by field, a subscription change as its changed seats, status and auto-renew (before → after, or the state
 * it was created with). Never an empty arrow: an entry with nothing to show shows its detail.
 */
export function changeText(t: Translate, entry: LogEntry): string {
  if (licenseActions.includes(entry.action)) {
    const { signs, names } = licenseChange(entry);
    const held = Array.isArray(entry.after?.licenses) ? (entry.after.licenses as string[]) : undefined;
    const now = held
      ? t('log.licensesNow', { list: held.map((sku) => names.get(sku) ?? sku).join(', ') || t('log.none') })
      : '';
    if (entry.action === 'createM365User')
      return held?.length
        ? t('log.licenses', { change: held.map((sku) => `+ ${names.get(sku) ?? sku}`).join(' ') })
        : '';
    const change = signs.map((s) => `${s.sign} ${s.name}`).join(' ');
    return [change ? t('log.licenses', { change }) : '', now ? `(${now})` : ''].filter(Boolean).join(' ');
  }
  const before = entry.before ?? {};
  // A scheduled change carries what it will do beside the state it leaves unchanged for now.
  const scheduled = (entry.after?.scheduled ?? undefined) as Record<string, unknown> | undefined;
  const after: Record<string, unknown> = {
    ...(entry.after ?? {}),
    ...(scheduled && 'quantity' in scheduled ? { quantity: scheduled.quantity } : {}),
    ...(scheduled && 'enabled' in scheduled ? { autoRenew: scheduled.enabled } : {}),
    ...(scheduled?.effectiveDate ? { effectiveDate: scheduled.effectiveDate } : {}),
  };
  const keys =
    entry.action === 'updateM365User'
      ? [...new Set([...Object.keys(before), ...Object.keys(after)])]
      : subscriptionFields.filter((k) => k in before || k in after);
  const parts = keys.flatMap((key) => {
    const had = key in before ? shown(t, key, before[key]) : undefined;
    const has = key in after ? shown(t, key, after[key]) : undefined;
    if (had !== undefined && has !== undefined) return had === has ? [] : [`${fieldLabel(t, key)} ${had} → ${has}`];
    if (changedOnly.includes(key)) return [];
    if (has !== undefined) return [`${fieldLabel(t, key)} ${has}`];
    return had !== undefined ? [`${fieldLabel(t, key)} ${had}`] : [];
  });
  if (parts.length) return parts.join(', ');
  return entry.action === 'requestConsent' ? (entry.detail ?? '') : '';
}
