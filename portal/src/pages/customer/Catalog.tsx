import {
  Badge,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Dropdown,
  Field,
  Input,
  Option,
  SearchBox,
  SpinButton,
  Text,
} from '@fluentui/react-components';
import { useMemo, useState } from 'react';
import { api, ApiError, call, newIdempotencyKey, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { useI18n } from '../../i18n/i18n';
import { DataTable, ErrorBar, Loading, Page, Success, Toolbar } from '../../components/page';
import { useAction, useApi } from '../../components/use-api';
import { WithCustomer } from '../../components/customer';

type Item = Schemas['CustomerCatalogItem'];

export default function Catalog() {
  return <WithCustomer>{(customerId) => <CatalogOf customerId={customerId} />}</WithCustomer>;
}

function CatalogOf({ customerId }: { customerId: string }) {
  const { t, formatMoney, formatTerm } = useI18n();
  const { canAdmin } = useSession();
  const [search, setSearch] = useState('');
  const [category, setCategory] = useState('');
  const [group, setGroup] = useState('');
  const [buying, setBuying] = useState<Item>();
  const [message, setMessage] = useState<string>();
  const all = useApi(
    () =>
      call(
        api.GET('/api/customers/{customerId}/catalog', { params: { path: { customerId }, query: { pageSize: 200 } } }),
      ),
    [customerId],
  );
  const state = useApi(
    () =>
      call(
        api.GET('/api/customers/{customerId}/catalog', {
          params: {
            path: { customerId },
            query: {
              pageSize: 200,
              ...(search ? { search } : {}),
              ...(category ? { category } : {}),
              ...(group ? { group } : {}),
            },
          },
        }),
      ),
    [customerId, search, category, group],
  );
  const categories = useMemo(() => [...new Set(all.data?.items.map((i) => i.category) ?? [])].sort(), [all.data]);
  const groups = useMemo(() => [...new Set(all.data?.items.map((i) => i.productGroup) ?? [])].sort(), [all.data]);

  return (
    <Page title={t('nav.catalog')}>
      <Success message={message} />
      <Toolbar>
        <Field label={t('app.search')}>
          <SearchBox value={search} onChange={(_, d) => setSearch(d.value)} />
        </Field>
        <Field label={t('catalog.category')}>
          <Dropdown
            value={category || t('app.all')}
            selectedOptions={[category]}
            onOptionSelect={(_, d) => setCategory(d.optionValue ?? '')}
          >
            <Option value="">{t('app.all')}</Option>
            {categories.map((c) => (
              <Option key={c} value={c}>
                {c}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label={t('catalog.group')}>
          <Dropdown
            value={group || t('app.all')}
            selectedOptions={[group]}
            onOptionSelect={(_, d) => setGroup(d.optionValue ?? '')}
          >
            <Option value="">{t('app.all')}</Option>
            {groups.map((g) => (
              <Option key={g} value={g}>
                {g}
              </Option>
            ))}
          </Dropdown>
        </Field>
      </Toolbar>
      <Loading state={state}>
        {(page) => (
          <DataTable
            label={t('nav.catalog')}
            rows={page.items}
            rowKey={(i) => i.id}
            columns={[
              {
                key: 'name',
                header: t('services.product'),
                render: (i) => (
                  <>
                    <Text weight="semibold">{i.name}</Text>{' '}
                    {i.isNce && <Badge appearance="outline">{t('services.nce')}</Badge>}
                    <br />
                    <Text size={200}>{i.description}</Text>
                  </>
                ),
              },
              { key: 'category', header: t('catalog.category'), render: (i) => `${i.category} · ${i.productGroup}` },
              {
                key: 'price',
                header: t('catalog.price'),
                render: (i) => {
                  const offer = i.offers[0];
                  return offer
                    ? `${formatMoney(offer.unitPrice, offer.currency)} (${formatTerm(offer.term, offer.frequency)})`
                    : '';
                },
              },
              ...(canAdmin
                ? [
                    {
                      key: 'buy',
                      header: t('app.actions'),
                      render: (i: Item) =>
                        i.offers.length > 0 && i.addOnOf.length === 0 ? (
                          <Button
                            size="small"
                            appearance="primary"
                            onClick={() => setBuying(i)}
                            aria-label={`${t('catalog.buy')} ${i.name}`}
                          >
                            {t('catalog.buy')}
                          </Button>
                        ) : null,
                    },
                  ]
                : []),
            ]}
          />
        )}
      </Loading>
      {buying && (
        <BuyDialog
          customerId={customerId}
          item={buying}
          onClose={(done) => {
            setBuying(undefined);
            if (done) setMessage(done);
          }}
        />
      )}
    </Page>
  );
}

function BuyDialog({ customerId, item, onClose }: { customerId: string; item: Item; onClose(done?: string): void }) {
  const { t, formatMoney, formatDate, formatTerm, formatFrequency } = useI18n();
  const [offerIndex, setOfferIndex] = useState(0);
  const [quantity, setQuantity] = useState(Math.max(1, item.minQuantity));
  const [startDate, setStartDate] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  // One key per dialog: a retried click is the same order, never a second one.
  const [key] = useState(newIdempotencyKey);
  const action = useAction();
  const offer = item.offers[offerIndex];
  const needsConfirmation =
    action.error instanceof ApiError && action.error.problem?.code === 'BILLING.CONFIRMATION_REQUIRED';
  const offerLabel = (o: Schemas['CustomerOffer']) =>
    `${formatTerm(o.term, o.frequency)} · ${t('catalog.perPeriod', { price: formatMoney(o.unitPrice, o.currency), frequency: formatFrequency(o.frequency) })}`;

  const buy = () =>
    action.run(async () => {
      if (!offer) return;
      const { data, error, response } = await api.POST('/api/customers/{customerId}/subscriptions', {
        params: { path: { customerId }, header: { 'Idempotency-Key': key } },
        body: {
          productId: item.id,
          term: offer.term,
          billingFrequency: offer.frequency,
          quantity,
          ...(startDate ? { startDate } : {}),
          ...(confirmed ? { confirmBillingChange: true } : {}),
        },
      });
      if (!response.ok || !data) throw new ApiError(response.status, error as Schemas['Problem']);
      onClose(
        'futureChange' in data
          ? t('catalog.scheduled', { date: formatDate(data.futureChange.effectiveDate) })
          : t('catalog.bought', { name: item.name }),
      );
    });

  return (
    <Dialog open onOpenChange={(_, d) => !d.open && onClose()}>
      <DialogSurface aria-describedby={undefined} style={{ marginTop: 'min(8vh, 64px)' }}>
        <DialogBody>
          <DialogTitle>{t('catalog.buyTitle', { name: item.name })}</DialogTitle>
          <DialogContent style={{ display: 'flex', flexDirection: 'column', gap: 12 }}>
            <Field label={t('catalog.offer')}>
              <Dropdown
                value={offer ? offerLabel(offer) : ''}
                selectedOptions={[String(offerIndex)]}
                onOptionSelect={(_, d) => setOfferIndex(Number(d.optionValue))}
              >
                {item.offers.map((o, i) => (
                  <Option key={i} value={String(i)}>
                    {offerLabel(o)}
                  </Option>
                ))}
              </Dropdown>
            </Field>
            <Field label={t('app.quantity')}>
              <SpinButton
                value={quantity}
                min={item.minQuantity}
                max={item.maxQuantity}
                onChange={(_, d) => {
                  const next = d.value ?? Number(d.displayValue);
                  if (Number.isInteger(next)) setQuantity(next);
                }}
              />
            </Field>
            <Field label={t('catalog.start')} hint={t('catalog.startHint')}>
              <Input type="date" value={startDate} onChange={(_, d) => setStartDate(d.value)} />
            </Field>
            {needsConfirmation && (
              <Checkbox
                checked={confirmed}
                onChange={(_, d) => setConfirmed(Boolean(d.checked))}
                label={t('catalog.confirm')}
              />
            )}
            <ErrorBar error={action.error} />
          </DialogContent>
          <DialogActions>
            <Button onClick={() => onClose()}>{t('app.cancel')}</Button>
            <Button
              appearance="primary"
              disabled={action.busy || !offer || (needsConfirmation && !confirmed)}
              onClick={() => void buy()}
            >
              {t('catalog.buy')}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
