import { Button, Field, Input } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { api, callWithEtag, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { useI18n } from '../../i18n/i18n';
import { Card, ErrorBar, Loading, Page, Success } from '../../components/page';
import { useAction, useApi } from '../../components/use-api';
import { WithCustomer } from '../../components/customer';

type Address = NonNullable<Schemas['CompanyProfile']['address']>;
const emptyAddress: Address = { line1: '', city: '', region: '', postalCode: '', country: '' };

export default function Company() {
  return <WithCustomer>{(customerId) => <CompanyOf customerId={customerId} />}</WithCustomer>;
}

function CompanyOf({ customerId }: { customerId: string }) {
  const { t } = useI18n();
  const { canAdmin } = useSession();
  const state = useApi(
    () => callWithEtag(api.GET('/api/customers/{customerId}/company', { params: { path: { customerId } } })),
    [customerId],
  );
  const [form, setForm] = useState({ phone: '', website: '', email: '', address: emptyAddress });
  useEffect(() => {
    const p = state.data?.data;
    if (p)
      setForm({
        phone: p.phone ?? '',
        website: p.website ?? '',
        email: p.email ?? '',
        address: { ...emptyAddress, ...p.address },
      });
  }, [state.data]);
  const [saved, setSaved] = useState<string>();
  const action = useAction();
  const text = (key: 'phone' | 'website' | 'email', label: string, type: 'text' | 'tel' | 'url' | 'email' = 'text') => (
    <Field label={label}>
      <Input
        type={type}
        readOnly={!canAdmin}
        value={form[key]}
        onChange={(_, d) => setForm({ ...form, [key]: d.value })}
      />
    </Field>
  );
  const address = (key: keyof Address, label: string) => (
    <Field label={label}>
      <Input
        readOnly={!canAdmin}
        value={form.address[key] ?? ''}
        onChange={(_, d) => setForm({ ...form, address: { ...form.address, [key]: d.value } })}
      />
    </Field>
  );
  const hasAddress = Boolean(form.address.line1 || form.address.city || form.address.postalCode);

  return (
    <Page title={t('nav.company')}>
      <Success message={saved} />
      <ErrorBar error={action.error} />
      <Loading state={state}>
        {({ etag }) => (
          <Card>
            <form
              style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(220px, 1fr))', gap: 12 }}
              onSubmit={(e) => {
                e.preventDefault();
                void action.run(async () => {
                  const { region, ...rest } = form.address;
                  await callWithEtag(
                    api.PATCH('/api/customers/{customerId}/company', {
                      params: { path: { customerId }, header: { 'If-Match': etag } },
                      body: {
                        phone: form.phone || null,
                        website: form.website || null,
                        email: form.email || null,
                        address: hasAddress ? { ...rest, ...(region ? { region } : {}) } : null,
                      },
                    }),
                  );
                  setSaved(t('app.saved'));
                  state.reload();
                });
              }}
            >
              {text('phone', t('company.phone'), 'tel')}
              {text('website', t('company.website'), 'url')}
              {text('email', t('app.email'), 'email')}
              {address('line1', t('company.line1'))}
              {address('city', t('company.city'))}
              {address('region', t('company.region'))}
              {address('postalCode', t('company.postalCode'))}
              {address('country', t('company.country'))}
              {canAdmin && (
                <div style={{ alignSelf: 'end' }}>
                  <Button type="submit" appearance="primary" disabled={action.busy}>
                    {t('app.save')}
                  </Button>
                </div>
              )}
            </form>
          </Card>
        )}
      </Loading>
    </Page>
  );
}
