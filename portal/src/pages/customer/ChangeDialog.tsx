import {
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Option,
  Radio,
  RadioGroup,
  SpinButton,
  Spinner,
  Switch,
} from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { api, ApiError, call, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { useI18n } from '../../i18n/i18n';
import { ErrorBar } from '../../components/page';
import { useAction } from '../../components/use-api';
import { isPositive } from '../../components/money';

type Kind = 'quantity' | 'suspend' | 'reactivate' | 'cancel' | 'autoRenew';
type Effective = 'immediately' | 'onRenewal' | 'custom';

/** F-CHANGE: quantity (or suspend, reactivate, cancel, auto-renew) with a live preview of what it costs. */
export function ChangeDialog({
  customerId,
  subscription,
  onClose,
}: {
  customerId: string;
  subscription: Schemas['Subscription'];
  onClose(done?: string): void;
}) {
  const { t, formatMoney, formatDate } = useI18n();
  const { canAdmin } = useSession();
  const [kind, setKind] = useState<Kind>('quantity');
  const [quantity, setQuantity] = useState(subscription.quantity);
  const [effective, setEffective] = useState<Effective>('immediately');
  const [date, setDate] = useState('');
  const [autoRenew, setAutoRenew] = useState(!subscription.autoRenew);
  const [confirmed, setConfirmed] = useState(false);
  const [preview, setPreview] = useState<Schemas['ChangePreviewResult']>();
  const [previewError, setPreviewError] = useState<Error>();
  const [previewing, setPreviewing] = useState(false);
  const action = useAction();

  const request = (): Exclude<Schemas['ChangeRequest'], { kind: 'addOn' }> => {
    const when = { effective, ...(effective === 'custom' && date ? { effectiveDate: date } : {}) };
    if (kind === 'quantity') return { kind, quantity, ...when };
    if (kind === 'autoRenew') return { kind, enabled: autoRenew, ...when };
    return { kind, ...when };
  };
  const ready = !(effective === 'custom' && !date) && !(kind === 'quantity' && quantity === subscription.quantity);

  useEffect(() => {
    if (!ready) {
      setPreview(undefined);
      return;
    }
    let cancelled = false;
    setPreviewing(true);
    const timer = setTimeout(() => {
      call(
        api.POST('/api/customers/{customerId}/subscriptions/{subscriptionId}/changes/preview', {
          params: { path: { customerId, subscriptionId: subscription.id } },
          body: request(),
        }),
      )
        .then((result) => {
          if (!cancelled) {
            setPreview(result);
            setPreviewError(undefined);
          }
        })
        .catch((e: unknown) => {
          if (!cancelled) setPreviewError(e instanceof Error ? e : new Error(String(e)));
        })
        .finally(() => !cancelled && setPreviewing(false));
    }, 300);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- request() is derived from these
  }, [kind, quantity, effective, date, autoRenew, ready]);

  const rises = preview ? isPositive(preview.preview.monthlyDifference.amount) : false;
  const confirmation =
    action.error instanceof ApiError && action.error.problem?.code === 'BILLING.CONFIRMATION_REQUIRED';
  const refusal = preview && !preview.allowed ? preview.refusal : undefined;
  const renewalDate = typeof refusal?.renewalDate === 'string' ? refusal.renewalDate : subscription.renewalDate;

  const submit = () =>
    action.run(async () => {
      const { data, error, response } = await api.POST(
        '/api/customers/{customerId}/subscriptions/{subscriptionId}/changes',
        {
          params: { path: { customerId, subscriptionId: subscription.id }, header: { 'If-Match': subscription.etag } },
          body: { ...request(), ...(confirmed ? { confirmBillingChange: true } : {}) },
        },
      );
      if (!response.ok || !data) throw new ApiError(response.status, error as Schemas['Problem']);
      onClose(
        'futureChange' in data
          ? t('change.scheduled', { date: formatDate(data.futureChange.effectiveDate) })
          : t('change.done'),
      );
    });

  const kinds: Kind[] = canAdmin ? ['quantity', 'suspend', 'reactivate', 'cancel', 'autoRenew'] : ['quantity'];
  const money = (m: Schemas['Money']) => formatMoney(m.amount, m.currency);

  return (
    <Dialog open onOpenChange={(_, d) => !d.open && onClose()}>
      {/* Anchored near the top: the preview grows the dialog as it arrives, and a centred dialog would move its
          controls under the pointer while someone is choosing. */}
      <DialogSurface aria-describedby={undefined} style={{ marginTop: 'min(8vh, 64px)' }}>
        <DialogBody>
          <DialogTitle>{t('change.title', { name: subscription.name })}</DialogTitle>
          <DialogContent style={{ display: 'flex', flexDirection: 'column', gap: 12 }}>
            {kinds.length > 1 && (
              <Field label={t('change.kind')}>
                <Dropdown
                  value={t(`change.kind.${kind}`)}
                  selectedOptions={[kind]}
                  onOptionSelect={(_, d) => setKind(d.optionValue as Kind)}
                >
                  {kinds.map((k) => (
                    <Option key={k} value={k}>
                      {t(`change.kind.${k}`)}
                    </Option>
                  ))}
                </Dropdown>
              </Field>
            )}
            {kind === 'quantity' && (
              <Field label={t('change.newQuantity')}>
                <SpinButton
                  value={quantity}
                  min={0}
                  onChange={(_, d) => {
                    const next = d.value ?? Number(d.displayValue);
                    if (Number.isInteger(next)) setQuantity(next);
                  }}
                />
              </Field>
            )}
            {kind === 'autoRenew' && (
              <Switch
                label={t('change.autoRenewOn')}
                checked={autoRenew}
                onChange={(_, d) => setAutoRenew(d.checked)}
              />
            )}
            <Field label={t('change.effective')}>
              <RadioGroup layout="horizontal" value={effective} onChange={(_, d) => setEffective(d.value as Effective)}>
                <Radio value="immediately" label={t('change.effective.immediately')} />
                <Radio value="onRenewal" label={t('change.effective.onRenewal')} />
                <Radio value="custom" label={t('change.effective.custom')} />
              </RadioGroup>
            </Field>
            {effective === 'custom' && (
              <Field label={t('change.date')} required>
                <Input type="date" value={date} onChange={(_, d) => setDate(d.value)} />
              </Field>
            )}
            {previewing && <Spinner size="tiny" label={t('change.previewing')} />}
            {preview && !refusal && (
              <dl
                aria-label="preview"
                style={{ display: 'grid', gridTemplateColumns: 'auto auto', gap: '4px 16px', margin: 0 }}
              >
                <dt>{t('change.currentCost')}</dt>
                <dd style={{ margin: 0 }}>{money(preview.preview.currentMonthlyCost)}</dd>
                <dt>{t('change.newCost')}</dt>
                <dd style={{ margin: 0 }} data-testid="new-monthly-cost">
                  {money(preview.preview.newMonthlyCost)}
                </dd>
                <dt>{t('change.difference')}</dt>
                <dd style={{ margin: 0 }}>{money(preview.preview.monthlyDifference)}</dd>
                <dt>{t('change.prorated')}</dt>
                <dd style={{ margin: 0 }}>{money(preview.preview.proratedAmount)}</dd>
                <dt>{t('change.date')}</dt>
                <dd style={{ margin: 0 }}>{formatDate(preview.preview.effectiveDate)}</dd>
                <dt>{t('change.upcomingInvoice', { date: formatDate(preview.upcomingInvoice.cycle) })}</dt>
                <dd style={{ margin: 0 }} data-testid="upcoming-invoice-move">
                  {t('change.upcomingInvoiceMove', {
                    before: money(preview.upcomingInvoice.before),
                    after: money(preview.upcomingInvoice.after),
                    difference: money(preview.upcomingInvoice.difference),
                  })}
                </dd>
              </dl>
            )}
            {refusal && (
              <MessageBar intent="warning" layout="multiline" role="alert" data-testid="refusal">
                <MessageBarBody>
                  <MessageBarTitle>{t('change.refused')}</MessageBarTitle>
                  {refusal.message} {t('change.suggestRenewal', { date: formatDate(renewalDate) })}
                </MessageBarBody>
              </MessageBar>
            )}
            {refusal && effective !== 'onRenewal' && kind === 'quantity' && (
              <Button onClick={() => setEffective('onRenewal')}>{t('change.useRenewal')}</Button>
            )}
            {(rises || confirmation) && preview && !refusal && (
              <Checkbox
                checked={confirmed}
                onChange={(_, d) => setConfirmed(Boolean(d.checked))}
                label={t('change.confirmRise', { amount: money(preview.preview.monthlyDifference) })}
              />
            )}
            <ErrorBar error={previewError ?? action.error} />
          </DialogContent>
          <DialogActions>
            <Button onClick={() => onClose()}>{t('app.cancel')}</Button>
            <Button
              appearance="primary"
              disabled={!ready || Boolean(refusal) || action.busy || (confirmation && !confirmed)}
              onClick={() => void submit()}
            >
              {t('change.submit')}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
