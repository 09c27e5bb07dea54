import { Button, Dropdown, Field, Input, Option, Switch } from '@fluentui/react-components';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api, call, callWithEtag, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { useI18n } from '../../i18n/i18n';
import { Card, DataTable, ErrorBar, Loading, Page, Success } from '../../components/page';
import { useAction, useApi } from '../../components/use-api';

export default function Customers() {
  const { t } = useI18n();
  const session = useSession();
  const navigate = useNavigate();
  const state = useApi(() => call(api.GET('/api/customers', { params: { query: { pageSize: 100 } } })), []);
  const resellers = useApi(() => call(api.GET('/api/resellers')), []);
  const [form, setForm] = useState({ name: '', email: '', currency: 'USD', country: 'US', billingDay: '1' });
  const [message, setMessage] = useState<string>();
  const action = useAction();
  const patch = (c: Schemas['Customer'], body: Schemas['CustomerPatch']) =>
    action.run(async () => {
      const { etag } = await callWithEtag(
        api.GET('/api/customers/{customerId}', { params: { path: { customerId: c.id } } }),
      );
      await call(
        api.PATCH('/api/customers/{customerId}', {
          params: { path: { customerId: c.id }, header: { 'If-Match': etag } },
          body,
        }),
      );
      state.reload();
    });
  return (
    <Page title={t('nav.customers')}>
      <Success message={message} />
      <ErrorBar error={action.error} />
      <Card label={t('customers.new')}>
        <form
          style={{
            display: 'grid',
            gridTemplateColumns: 'repeat(auto-fit, minmax(150px, 1fr))',
            gap: 12,
            alignItems: 'end',
          }}
          onSubmit={(e) => {
            e.preventDefault();
            void action.run(async () => {
              const created = await call(
                api.POST('/api/customers', {
                  body: {
                    name: form.name,
                    currency: form.currency,
                    country: form.country,
                    billingDay: form.billingDay === 'last' ? 'last' : Number(form.billingDay),
                    billingChangeConfirmation: false,
                    company: { email: form.email },
                  },
                }),
              );
              setMessage(`${created.name} ✓`);
              state.reload();
            });
          }}
        >
          <Field label={t('app.name')} required>
            <Input value={form.name} onChange={(_, d) => setForm({ ...form, name: d.value })} />
          </Field>
          <Field label={t('app.email')} required>
            <Input type="email" value={form.email} onChange={(_, d) => setForm({ ...form, email: d.value })} />
          </Field>
          <Field label={t('customers.currency')}>
            <Input
              value={form.currency}
              maxLength={3}
              onChange={(_, d) => setForm({ ...form, currency: d.value.toUpperCase() })}
            />
          </Field>
          <Field label={t('customers.country')}>
            <Input
              value={form.country}
              maxLength={2}
              onChange={(_, d) => setForm({ ...form, country: d.value.toUpperCase() })}
            />
          </Field>
          <Field label={t('customers.billingDay')}>
            <Input value={form.billingDay} onChange={(_, d) => setForm({ ...form, billingDay: d.value })} />
          </Field>
          <Button type="submit" appearance="primary" disabled={action.busy}>
            {t('customers.new')}
          </Button>
        </form>
      </Card>
      <Loading state={state}>
        {(page) => (
          <DataTable
            label={t('nav.customers')}
            rows={page.items}
            rowKey={(c) => c.id}
            columns={[
              { key: 'name', header: t('app.name'), render: (c) => c.name },
              { key: 'currency', header: t('customers.currency'), render: (c) => `${c.currency} · ${c.country}` },
              { key: 'day', header: t('customers.billingDay'), render: (c) => String(c.billingDay) },
              {
                key: 'reseller',
                header: t('nav.resellers'),
                render: (c) => (
                  <Dropdown
                    aria-label={`${t('nav.resellers')} ${c.name}`}
                    style={{ minWidth: 140 }}
                    value={resellers.data?.items.find((r) => r.id === c.resellerId)?.name ?? '—'}
                    selectedOptions={[typeof c.resellerId === 'string' ? c.resellerId : '']}
                    onOptionSelect={(_, d) => void patch(c, { resellerId: d.optionValue || null })}
                  >
                    <Option value="">—</Option>
                    {(resellers.data?.items ?? []).map((r) => (
                      <Option key={r.id} value={r.id}>
                        {r.name}
                      </Option>
                    ))}
                  </Dropdown>
                ),
              },
              {
                key: 'confirm',
                header: t('customers.confirmation'),
                render: (c) => (
                  <Switch
                    aria-label={`${t('customers.confirmation')} ${c.name}`}
                    checked={c.billingChangeConfirmation}
                    onChange={(_, d) => void patch(c, { billingChangeConfirmation: d.checked })}
                  />
                ),
              },
              {
                key: 'open',
                header: t('app.actions'),
                render: (c) => (
                  <Button
                    size="small"
                    onClick={() => {
                      session.setCustomer(c.id, c.name);
                      navigate('/services');
                    }}
                  >
                    {t('customers.open')}
                  </Button>
                ),
              },
            ]}
          />
        )}
      </Loading>
    </Page>
  );
}
