import { Button, Field, Input } from '@fluentui/react-components';
import { useState } from 'react';
import { api, call, type Schemas } from '../../api/client';
import { useI18n } from '../../i18n/i18n';
import { DataTable, ErrorBar, Loading, Page, Toolbar } from '../../components/page';
import { useAction, useApi } from '../../components/use-api';
import { WithCustomer } from '../../components/customer';

export default function BillingReports() {
  return <WithCustomer>{(customerId) => <BillingReportsOf customerId={customerId} />}</WithCustomer>;
}

function BillingReportsOf({ customerId }: { customerId: string }) {
  const { t, formatDate, formatMoney } = useI18n();
  // The last three months by default, so the latest reports are on screen at once.
  const [from, setFrom] = useState(() => new Date(Date.now() - 92 * 86_400_000).toISOString().slice(0, 10));
  const [to, setTo] = useState(() => new Date().toISOString().slice(0, 10));
  const [range, setRange] = useState<{ from?: string; to?: string }>({ from, to });
  const state = useApi(
    () =>
      call(
        api.GET('/api/customers/{customerId}/billing-reports', {
          params: {
            path: { customerId },
            query: { ...(range.from ? { from: range.from } : {}), ...(range.to ? { to: range.to } : {}) },
          },
        }),
      ),
    [customerId, range],
  );
  const action = useAction();
  const download = (report: Schemas['BillingReport'], format: Schemas['BillingReport']['formats'][number]['format']) =>
    action.run(async () => {
      const link = await call(
        api.GET('/api/customers/{customerId}/billing-reports/{reportId}/download', {
          params: { path: { customerId, reportId: report.id }, query: { format } },
        }),
      );
      // A short-lived read-only link straight to Blob Storage.
      const a = document.createElement('a');
      a.href = link.url;
      a.download = link.name;
      a.rel = 'noreferrer';
      document.body.append(a);
      a.click();
      a.remove();
    });
  return (
    <Page title={t('nav.billingReports')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setRange({ ...(from ? { from } : {}), ...(to ? { to } : {}) });
        }}
      >
        <Toolbar>
          <Field label={t('app.from')}>
            <Input type="date" value={from} onChange={(_, d) => setFrom(d.value)} />
          </Field>
          <Field label={t('app.to')}>
            <Input type="date" value={to} onChange={(_, d) => setTo(d.value)} />
          </Field>
          <Button type="submit">{t('reports.show')}</Button>
        </Toolbar>
      </form>
      <ErrorBar error={action.error} />
      <Loading state={state}>
        {(list) => (
          <DataTable
            label={t('nav.billingReports')}
            rows={list.items}
            rowKey={(r) => r.id}
            columns={[
              {
                key: 'cycle',
                header: t('invoices.cycle'),
                render: (r) => `${formatDate(r.cycleStart)} – ${formatDate(r.cycle)}`,
              },
              { key: 'total', header: t('app.total'), render: (r) => formatMoney(r.total, r.currency) },
              {
                key: 'download',
                header: t('reports.formats'),
                render: (r) => (
                  <div style={{ display: 'flex', gap: 4, flexWrap: 'wrap' }}>
                    {r.formats.map((f) => (
                      <Button
                        key={f.format}
                        size="small"
                        onClick={() => void download(r, f.format)}
                        aria-label={`${t('app.download')} ${r.cycle} ${f.format}`}
                      >
                        {f.format.toUpperCase()}
                      </Button>
                    ))}
                  </div>
                ),
              },
            ]}
          />
        )}
      </Loading>
    </Page>
  );
}
