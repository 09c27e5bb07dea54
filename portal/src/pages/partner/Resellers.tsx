import { Button, Field, Input } from '@fluentui/react-components';
import { useState } from 'react';
import { api, call } from '../../api/client';
import { useI18n } from '../../i18n/i18n';
import { Card, DataTable, ErrorBar, Loading, Page } from '../../components/page';
import { useAction, useApi } from '../../components/use-api';

export default function Resellers() {
  const { t } = useI18n();
  const state = useApi(() => call(api.GET('/api/resellers')), []);
  const [form, setForm] = useState({ name: '', contactEmail: '' });
  const action = useAction();
  return (
    <Page title={t('nav.resellers')}>
      <ErrorBar error={action.error} />
      <Card label={t('resellers.new')}>
        <form
          style={{
            display: 'grid',
            gridTemplateColumns: 'repeat(auto-fit, minmax(180px, 1fr))',
            gap: 12,
            alignItems: 'end',
          }}
          onSubmit={(e) => {
            e.preventDefault();
            void action.run(async () => {
              await call(api.POST('/api/resellers', { body: form }));
              setForm({ name: '', contactEmail: '' });
              state.reload();
            });
          }}
        >
          <Field label={t('app.name')} required>
            <Input value={form.name} onChange={(_, d) => setForm({ ...form, name: d.value })} />
          </Field>
          <Field label={t('resellers.contact')} required>
            <Input
              type="email"
              value={form.contactEmail}
              onChange={(_, d) => setForm({ ...form, contactEmail: d.value })}
            />
          </Field>
          <Button type="submit" appearance="primary" disabled={action.busy}>
            {t('resellers.new')}
          </Button>
        </form>
      </Card>
      <Loading state={state}>
        {(list) => (
          <DataTable
            label={t('nav.resellers')}
            rows={list.items}
            rowKey={(r) => r.id}
            columns={[
              { key: 'name', header: t('app.name'), render: (r) => r.name },
              { key: 'email', header: t('resellers.contact'), render: (r) => r.contactEmail },
            ]}
          />
        )}
      </Loading>
    </Page>
  );
}
