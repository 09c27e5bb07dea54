import { Dropdown, Field, Option, Text } from '@fluentui/react-components';
import { useState } from 'react';
import { api, call } from '../../api/client';
import { useI18n } from '../../i18n/i18n';
import { DataTable, ErrorBar, Loading, Page, Success, Toolbar } from '../../components/page';
import { useAction, useApi } from '../../components/use-api';

export default function PriceLists() {
  const { t, formatMoney, formatDate } = useI18n();
  const customers = useApi(() => call(api.GET('/api/customers', { params: { query: { pageSize: 100 } } })), []);
  const products = useApi(() => call(api.GET('/api/catalog/products', { params: { query: { pageSize: 200 } } })), []);
  const [priceListId, setPriceListId] = useState('global');
  const prices = useApi(
    () =>
      call(
        api.GET('/api/price-lists/{priceListId}/prices', {
          params: { path: { priceListId }, query: { pageSize: 200 } },
        }),
      ),
    [priceListId],
  );
  const names = new Map(products.data?.items.map((p) => [p.id, p.name]) ?? []);
  const [message, setMessage] = useState<string>();
  const action = useAction();
  const importCsv = (file: File) =>
    action.run(async () => {
      const result = await call(
        api.POST('/api/price-lists/{priceListId}/imports', {
          params: { path: { priceListId } },
          body: await file.text(),
          bodySerializer: (b: string) => b,
          headers: { 'content-type': 'text/csv' },
        }),
      );
      setMessage(
        t('prices.imported', { created: result.created, updated: result.updated, unchanged: result.unchanged }),
      );
      prices.reload();
    });
  const listName =
    priceListId === 'global'
      ? t('prices.global')
      : (customers.data?.items.find((c) => c.id === priceListId)?.name ?? priceListId);
  return (
    <Page title={t('nav.priceLists')}>
      <Success message={message} />
      <ErrorBar error={action.error} />
      <Toolbar>
        <Field label={t('prices.priceList')}>
          <Dropdown
            value={listName}
            selectedOptions={[priceListId]}
            onOptionSelect={(_, d) => setPriceListId(d.optionValue ?? 'global')}
          >
            <Option value="global">{t('prices.global')}</Option>
            {(customers.data?.items ?? []).map((c) => (
              <Option key={c.id} value={c.id}>
                {c.name}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <label>
          <Text>{t('prices.import')}: </Text>
          <input
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => e.target.files?.[0] && void importCsv(e.target.files[0])}
          />
        </label>
      </Toolbar>
      <Loading state={prices}>
        {(page) => (
          <DataTable
            label={listName}
            rows={page.items}
            rowKey={(p) => `${p.productId}:${p.term}:${p.frequency}:${p.effectiveFrom}`}
            columns={[
              { key: 'product', header: t('services.product'), render: (p) => names.get(p.productId) ?? p.productId },
              { key: 'term', header: t('prices.frequency'), render: (p) => `${p.term} · ${p.frequency}` },
              { key: 'sale', header: t('prices.salePrice'), render: (p) => formatMoney(p.salePrice, p.currency) },
              { key: 'cost', header: t('prices.cost'), render: (p) => formatMoney(p.cost, p.currency) },
              { key: 'from', header: t('prices.effectiveFrom'), render: (p) => formatDate(p.effectiveFrom) },
            ]}
          />
        )}
      </Loading>
      <h2 style={{ fontSize: 16, margin: 0 }}>{t('prices.products')}</h2>
      <Loading state={products}>
        {(page) => (
          <DataTable
            label={t('prices.products')}
            rows={page.items}
            rowKey={(p) => p.id}
            columns={[
              { key: 'name', header: t('app.name'), render: (p) => p.name },
              { key: 'id', header: t('services.offerId'), render: (p) => p.id },
              { key: 'cat', header: t('catalog.category'), render: (p) => `${p.category} · ${p.productGroup}` },
              { key: 'nce', header: t('services.nce'), render: (p) => (p.isNce ? t('app.yes') : t('app.no')) },
            ]}
          />
        )}
      </Loading>
    </Page>
  );
}
