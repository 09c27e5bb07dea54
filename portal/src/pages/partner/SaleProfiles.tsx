import { Button, Checkbox, Field, Input, Text } from '@fluentui/react-components';
import { useState } from 'react';
import { api, call } from '../../api/client';
import { useI18n } from '../../i18n/i18n';
import { Card, DataTable, ErrorBar, Loading, Page } from '../../components/page';
import { useAction, useApi } from '../../components/use-api';

export default function SaleProfiles() {
  const { t } = useI18n();
  const state = useApi(() => call(api.GET('/api/sale-profiles')), []);
  const products = useApi(() => call(api.GET('/api/catalog/products', { params: { query: { pageSize: 200 } } })), []);
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const action = useAction();
  return (
    <Page title={t('nav.saleProfiles')}>
      <ErrorBar error={action.error} />
      <Card label={t('saleProfiles.new')}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void action.run(async () => {
              const profileId =
                name
                  .toLowerCase()
                  .replace(/[^a-z0-9]+/g, '-')
                  .replace(/^-|-$/g, '') || 'profile';
              await call(
                api.PUT('/api/sale-profiles/{profileId}', {
                  params: { path: { profileId } },
                  body: { name, productIds: chosen },
                }),
              );
              setName('');
              setChosen([]);
              state.reload();
            });
          }}
          style={{ display: 'flex', flexDirection: 'column', gap: 8 }}
        >
          <Field label={t('app.name')} required>
            <Input value={name} onChange={(_, d) => setName(d.value)} />
          </Field>
          <fieldset style={{ border: 'none', padding: 0, display: 'flex', flexWrap: 'wrap', gap: 4 }}>
            <legend>
              <Text>{t('prices.products')}</Text>
            </legend>
            {(products.data?.items ?? []).map((p) => (
              <Checkbox
                key={p.id}
                label={p.name}
                checked={chosen.includes(p.id)}
                onChange={(_, d) => setChosen(d.checked ? [...chosen, p.id] : chosen.filter((x) => x !== p.id))}
              />
            ))}
          </fieldset>
          <div>
            <Button type="submit" appearance="primary" disabled={!name || action.busy}>
              {t('app.save')}
            </Button>
          </div>
        </form>
      </Card>
      <Loading state={state}>
        {(list) => (
          <DataTable
            label={t('nav.saleProfiles')}
            rows={list.items}
            rowKey={(p) => p.id}
            columns={[
              { key: 'name', header: t('app.name'), render: (p) => p.name },
              {
                key: 'count',
                header: t('prices.products'),
                render: (p) => t('saleProfiles.products', { count: p.productIds.length }),
              },
            ]}
          />
        )}
      </Loading>
    </Page>
  );
}
