import { Button, Field, Input } from '@fluentui/react-components';
import { useState } from 'react';
import { api, call, saveFile } from '../../api/client';
import { useI18n } from '../../i18n/i18n';
import { DataTable, ErrorBar, Loading, Page, Toolbar } from '../../components/page';
import { useAction, useApi } from '../../components/use-api';
import { WithCustomer } from '../../components/customer';
import { actionLabel, changeText, isM365, subjectOf } from './change-log-text';

export default function ChangeLog() {
  return <WithCustomer>{(customerId) => <ChangeLogOf customerId={customerId} />}</WithCustomer>;
}

function ChangeLogOf({ customerId }: { customerId: string }) {
  const { t, formatDateTime } = useI18n();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const query = { ...(from ? { from } : {}), ...(to ? { to } : {}) };
  const state = useApi(
    () =>
      call(
        api.GET('/api/customers/{customerId}/change-log', {
          params: { path: { customerId }, query: { ...query, pageSize: 100 } },
        }),
      ),
    [customerId, from, to],
  );
  const exporting = useAction();
  return (
    <Page
      title={t('nav.changeLog')}
      actions={
        <Button
          disabled={exporting.busy}
          onClick={() =>
            void exporting.run(async () => {
              const csv = await call(
                api.GET('/api/customers/{customerId}/change-log/export', {
                  params: { path: { customerId }, query },
                  parseAs: 'text',
                }),
              );
              saveFile(String(csv), `change-log-${customerId}.csv`, 'text/csv');
            })
          }
        >
          {t('log.export')}
        </Button>
      }
    >
      <Toolbar>
        <Field label={t('app.from')}>
          <Input type="date" value={from} onChange={(_, d) => setFrom(d.value)} />
        </Field>
        <Field label={t('app.to')}>
          <Input type="date" value={to} onChange={(_, d) => setTo(d.value)} />
        </Field>
      </Toolbar>
      <ErrorBar error={exporting.error} />
      <Loading state={state}>
        {(page) => (
          <DataTable
            label={t('nav.changeLog')}
            rows={page.items}
            rowKey={(e) => e.id}
            columns={[
              { key: 'at', header: t('log.when'), render: (e) => formatDateTime(e.at) },
              { key: 'who', header: t('log.who'), render: (e) => e.actor },
              {
                key: 'what',
                header: t('log.what'),
                render: (e) =>
                  [actionLabel(t, e.action), subjectOf(e) ?? (isM365(e) ? undefined : e.productName)]
                    .filter(Boolean)
                    .join(' · '),
              },
              { key: 'ba', header: t('log.beforeAfter'), render: (e) => changeText(t, e) },
              { key: 'source', header: t('log.source'), render: (e) => t(`log.source.${e.source}`) },
            ]}
          />
        )}
      </Loading>
    </Page>
  );
}
