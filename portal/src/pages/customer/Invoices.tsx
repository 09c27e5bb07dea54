import { Badge, Button, Radio, RadioGroup, Text } from '@fluentui/react-components';
import { useState } from 'react';
import { api, call, callWithEtag, saveFile, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { useI18n } from '../../i18n/i18n';
import { Card, DataTable, ErrorBar, Loading, Page } from '../../components/page';
import { useAction, useApi } from '../../components/use-api';
import { WithCustomer } from '../../components/customer';

export default function Invoices() {
  return <WithCustomer>{(customerId) => <InvoicesOf customerId={customerId} />}</WithCustomer>;
}

function InvoicesOf({ customerId }: { customerId: string }) {
  const { t, formatDate, formatMoney } = useI18n();
  const { isPartner } = useSession();
  const [status, setStatus] = useState<'open' | 'paid'>('open');
  const [opened, setOpened] = useState<string>();
  const state = useApi(
    () =>
      call(api.GET('/api/customers/{customerId}/invoices', { params: { path: { customerId }, query: { status } } })),
    [customerId, status],
  );
  const action = useAction();
  const download = (invoice: Schemas['Invoice']) =>
    action.run(async () => {
      const csv = await call(
        api.GET('/api/customers/{customerId}/invoices/{invoiceId}/download', {
          params: { path: { customerId, invoiceId: invoice.id } },
          parseAs: 'text',
        }),
      );
      saveFile(String(csv), `invoice-${invoice.cycle}.csv`, 'text/csv');
    });
  const markPaid = (invoice: Schemas['Invoice']) =>
    action.run(async () => {
      const { etag } = await callWithEtag(
        api.GET('/api/customers/{customerId}/invoices/{invoiceId}', {
          params: { path: { customerId, invoiceId: invoice.id } },
        }),
      );
      await call(
        api.POST('/api/customers/{customerId}/invoices/{invoiceId}/paid', {
          params: { path: { customerId, invoiceId: invoice.id }, header: { 'If-Match': etag } },
        }),
      );
      state.reload();
    });

  return (
    <Page title={t('nav.invoices')}>
      <RadioGroup
        layout="horizontal"
        aria-label={t('app.status')}
        value={status}
        onChange={(_, d) => setStatus(d.value as 'open' | 'paid')}
      >
        <Radio value="open" label={t('status.open')} />
        <Radio value="paid" label={t('status.paid')} />
      </RadioGroup>
      <ErrorBar error={action.error} />
      <Loading state={state}>
        {(list) => (
          <DataTable
            label={t('nav.invoices')}
            rows={list.items}
            rowKey={(i) => i.id}
            columns={[
              { key: 'issued', header: t('invoices.issued'), render: (i) => formatDate(i.issuedOn) },
              {
                key: 'cycle',
                header: t('invoices.cycle'),
                render: (i) => `${formatDate(i.cycleStart)} – ${formatDate(i.cycle)}`,
              },
              { key: 'total', header: t('app.total'), render: (i) => formatMoney(i.total, i.currency) },
              { key: 'lines', header: t('invoices.lines'), render: (i) => i.lineCount },
              {
                key: 'status',
                header: t('app.status'),
                render: (i) => (
                  <Badge appearance="tint" color={i.status === 'paid' ? 'success' : 'warning'}>
                    {t(`status.${i.status}`)}
                  </Badge>
                ),
              },
              {
                key: 'actions',
                header: t('app.actions'),
                render: (i) => (
                  <div style={{ display: 'flex', gap: 4, flexWrap: 'wrap' }}>
                    <Button
                      size="small"
                      onClick={() => setOpened(opened === i.id ? undefined : i.id)}
                      aria-expanded={opened === i.id}
                    >
                      {t('invoices.breakdown')}
                    </Button>
                    <Button
                      size="small"
                      onClick={() => void download(i)}
                      aria-label={`${t('app.download')} ${i.cycle}`}
                    >
                      {t('app.download')}
                    </Button>
                    {isPartner && i.status === 'open' && (
                      <Button size="small" onClick={() => void markPaid(i)}>
                        {t('invoices.markPaid')}
                      </Button>
                    )}
                  </div>
                ),
              },
            ]}
          />
        )}
      </Loading>
      {opened && <Breakdown customerId={customerId} invoiceId={opened} />}
    </Page>
  );
}

function Breakdown({ customerId, invoiceId }: { customerId: string; invoiceId: string }) {
  const { t, formatDate, formatMoney } = useI18n();
  const state = useApi(
    () =>
      call(
        api.GET('/api/customers/{customerId}/invoices/{invoiceId}', { params: { path: { customerId, invoiceId } } }),
      ),
    [customerId, invoiceId],
  );
  return (
    <Loading state={state}>
      {(b) => (
        <Card label={t('invoices.breakdown')}>
          <Text weight="semibold">
            {t('invoices.breakdown')}: {formatDate(b.invoice.cycle)} ·{' '}
            {formatMoney(b.invoice.total, b.invoice.currency)}
          </Text>
          {b.subscriptions.map((s) => (
            <div key={s.subscriptionId ?? s.description}>
              <Text weight="semibold">
                {s.description}: {formatMoney(s.subtotal, b.invoice.currency)}
              </Text>
              <DataTable
                label={s.description}
                rows={s.lines}
                rowKey={(l) => l.id}
                columns={[
                  { key: 'date', header: t('app.date'), render: (l) => formatDate(l.chargeDate) },
                  { key: 'desc', header: t('log.what'), render: (l) => `${l.kind} · ${l.description}` },
                  { key: 'qty', header: t('app.quantity'), render: (l) => l.quantity },
                  { key: 'amount', header: t('app.total'), render: (l) => formatMoney(l.amount, l.currency) },
                ]}
              />
            </div>
          ))}
        </Card>
      )}
    </Loading>
  );
}
