import { Button, Dropdown, Field, Option } from '@fluentui/react-components';
import { useState } from 'react';
import { api, call, saveFile } from '../../api/client';
import { useI18n } from '../../i18n/i18n';
import { Card, DataTable, ErrorBar, Loading, Page, Toolbar } from '../../components/page';
import { useAction, useApi } from '../../components/use-api';
import { WithCustomer } from '../../components/customer';

type Months = '3' | '6' | '9' | '12';

export default function Usage() {
  return <WithCustomer>{(customerId) => <UsageOf customerId={customerId} />}</WithCustomer>;
}

function UsageOf({ customerId }: { customerId: string }) {
  const { t, formatMoney } = useI18n();
  const [months, setMonths] = useState<Months>('3');
  const [subscriptionId, setSubscriptionId] = useState('');
  const subs = useApi(
    () => call(api.GET('/api/customers/{customerId}/subscriptions', { params: { path: { customerId } } })),
    [customerId],
  );
  const azure = (subs.data?.contracts ?? []).flatMap((c) => c.subscriptions).filter((s) => /azure/i.test(s.name));
  const query = { months, ...(subscriptionId ? { subscriptionId } : {}) };
  const state = useApi(
    () => call(api.GET('/api/customers/{customerId}/usage', { params: { path: { customerId }, query } })),
    [customerId, months, subscriptionId],
  );
  const action = useAction();
  return (
    <Page
      title={t('nav.usage')}
      actions={
        <Button
          onClick={() =>
            void action.run(async () => {
              const csv = await call(
                api.GET('/api/customers/{customerId}/usage/download', {
                  params: { path: { customerId }, query },
                  parseAs: 'text',
                }),
              );
              saveFile(String(csv), `usage-${months}m.csv`, 'text/csv');
            })
          }
        >
          {t('app.download')}
        </Button>
      }
    >
      <Toolbar>
        <Field label={t('usage.months')}>
          <Dropdown
            value={t('usage.lastMonths', { count: months })}
            selectedOptions={[months]}
            onOptionSelect={(_, d) => setMonths(d.optionValue as Months)}
          >
            {(['3', '6', '9', '12'] as const).map((m) => (
              <Option key={m} value={m}>
                {t('usage.lastMonths', { count: m })}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label={t('usage.subscription')}>
          <Dropdown
            value={azure.find((s) => s.id === subscriptionId)?.name ?? t('app.all')}
            selectedOptions={[subscriptionId]}
            onOptionSelect={(_, d) => setSubscriptionId(d.optionValue ?? '')}
          >
            <Option value="">{t('app.all')}</Option>
            {azure.map((s) => (
              <Option key={s.id} value={s.id}>
                {s.name}
              </Option>
            ))}
          </Dropdown>
        </Field>
      </Toolbar>
      <ErrorBar error={action.error} />
      <Loading state={state}>
        {(usage) => (
          <>
            {usage.totals.length > 0 && (
              <Card label={t('usage.chart')}>
                <BarChart
                  title={t('usage.chart')}
                  bars={usage.totals.map((m) => ({
                    label: m.month,
                    value: m.amount,
                    text: formatMoney(m.amount, m.currency),
                  }))}
                />
              </Card>
            )}
            <DataTable
              label={t('usage.meter')}
              rows={usage.meters}
              rowKey={(m) => `${m.subscriptionId}:${m.meterId}`}
              columns={[
                {
                  key: 'meter',
                  header: t('usage.meter'),
                  render: (m) => `${m.meterCategory ?? ''} ${m.meterName}`.trim(),
                },
                ...usage.totals.map((month) => ({
                  key: month.month,
                  header: month.month,
                  render: (m: (typeof usage.meters)[number]) => {
                    const row = m.monthly.find((x) => x.month === month.month);
                    return row ? formatMoney(row.amount, m.currency) : '';
                  },
                })),
              ]}
            />
          </>
        )}
      </Loading>
    </Page>
  );
}

/** A plain SVG bar chart (no chart library in the bundle); the values stay decimal strings for the labels. */
function BarChart({ title, bars }: { title: string; bars: { label: string; value: string; text: string }[] }) {
  // Only the bar heights use floating point; every amount shown is the API's string.
  const max = Math.max(1, ...bars.map((b) => Number(b.value)));
  const width = Math.max(320, bars.length * 70);
  return (
    <svg
      role="img"
      aria-label={title}
      viewBox={`0 0 ${width} 220`}
      style={{ width: '100%', maxWidth: 840, maxHeight: 280 }}
    >
      <title>{title}</title>
      {bars.map((b, i) => {
        const h = Math.round((Number(b.value) / max) * 150);
        const x = i * 70 + 15;
        return (
          <g key={b.label}>
            <rect x={x} y={180 - h} width={40} height={h} fill="var(--colorBrandBackground)" rx={3} />
            <text x={x + 20} y={198} textAnchor="middle" fontSize="11" fill="#242424">
              {b.label}
            </text>
            <text x={x + 20} y={172 - h} textAnchor="middle" fontSize="10" fill="#242424">
              {b.text}
            </text>
          </g>
        );
      })}
      <line x1="0" x2={width} y1="180" y2="180" stroke="#616161" />
    </svg>
  );
}
