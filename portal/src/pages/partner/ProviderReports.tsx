import { Button, Field, Input, Link } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { api, call, type Schemas } from '../../api/client';
import { useI18n } from '../../i18n/i18n';
import { DataTable, ErrorBar, Page, Toolbar } from '../../components/page';
import { useAction } from '../../components/use-api';

export default function ProviderReports() {
  const { t } = useI18n();
  const [period, setPeriod] = useState(() => new Date().toISOString().slice(0, 7));
  const [list, setList] = useState<Schemas['ProviderReportList']>();
  const [bundles, setBundles] = useState<Schemas['BundleUsage']>();
  const action = useAction();
  const load = () =>
    action.run(async () => {
      const [reports, usage] = await Promise.all([
        call(api.GET('/api/reports/provider/{period}', { params: { path: { period } } })).catch(() => ({
          period,
          items: [],
        })),
        call(api.GET('/api/reports/bundles', { params: { query: { period } } })),
      ]);
      setList(reports);
      setBundles(usage);
    });
  // The page opens on this month's reports rather than on an empty form.
  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, for the period the page opened with
  }, []);
  return (
    <Page title={t('nav.providerReports')}>
      <Toolbar>
        <Field label={t('runs.period')}>
          <Input value={period} onChange={(_, d) => setPeriod(d.value)} />
        </Field>
        <Button onClick={() => void load()} disabled={action.busy}>
          {t('reports.show')}
        </Button>
        <Button
          appearance="primary"
          disabled={action.busy}
          onClick={() =>
            void action.run(async () => {
              await call(api.POST('/api/reports/provider/{period}', { params: { path: { period } } }));
              await load();
            })
          }
        >
          {t('providerReports.generate')}
        </Button>
      </Toolbar>
      <ErrorBar error={action.error} />
      {list && (
        <DataTable
          label={t('nav.providerReports')}
          rows={list.items}
          rowKey={(r) => r.name}
          columns={[
            { key: 'kind', header: t('providerReports.kind'), render: (r) => r.kind },
            { key: 'name', header: t('app.name'), render: (r) => <Link href={r.download.url}>{r.name}</Link> },
            { key: 'size', header: t('providerReports.size'), render: (r) => `${Math.ceil(r.size / 1024)} KB` },
          ]}
        />
      )}
      {bundles && (
        <DataTable
          label="bundles"
          rows={bundles.items}
          rowKey={(b) => b.customerId}
          columns={[
            { key: 'customer', header: t('app.customer'), render: (b) => b.customerName },
            { key: 'allocated', header: t('services.purchased'), render: (b) => b.allocated },
            { key: 'used', header: t('services.assigned'), render: (b) => b.used },
          ]}
        />
      )}
    </Page>
  );
}
