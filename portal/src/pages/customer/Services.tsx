import { Badge, Button, Dropdown, Option, Text } from '@fluentui/react-components';
import { useState } from 'react';
import { api, call, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { useI18n } from '../../i18n/i18n';
import { DataTable, Loading, Page, Success, Toolbar, type Column } from '../../components/page';
import { useApi } from '../../components/use-api';
import { ViewOnlyNote, WithCustomer } from '../../components/customer';
import { ChangeDialog } from './ChangeDialog';

type Subscription = Schemas['Subscription'];
type Row = Subscription & { parentName?: string };

export default function Services() {
  return <WithCustomer>{(customerId) => <ServicesOf customerId={customerId} />}</WithCustomer>;
}

function ServicesOf({ customerId }: { customerId: string }) {
  const { t, formatDate, formatMoney, formatTerm, formatContract } = useI18n();
  // The API's billing contract is `{term}/{frequency}`; its label is English, so the portal words it itself.
  const contractLabel = (c: { billingContract: string; label: string }) => {
    const [term, frequency] = c.billingContract.split('/');
    return term && frequency ? formatContract(term, frequency) : c.label;
  };
  const { canModify } = useSession();
  const state = useApi(
    () => call(api.GET('/api/customers/{customerId}/subscriptions', { params: { path: { customerId } } })),
    [customerId],
  );
  const [contract, setContract] = useState<string>('all');
  const [changing, setChanging] = useState<Subscription>();
  const [message, setMessage] = useState<string>();

  const columns: Column<Row>[] = [
    {
      key: 'name',
      header: t('services.product'),
      render: (s) => (
        <div style={{ paddingLeft: s.parentName ? 20 : 0 }}>
          <Text weight="semibold">{s.name}</Text> {s.isNce && <Badge appearance="outline">{t('services.nce')}</Badge>}
          <br />
          <Text size={200}>
            {s.parentName ? `${t('services.addOn', { name: s.parentName })} · ` : ''}
            {s.offerId}
          </Text>
        </div>
      ),
    },
    {
      key: 'status',
      header: t('app.status'),
      render: (s) => (
        <Badge appearance="tint" color={s.status === 'active' ? 'success' : 'warning'}>
          {t(`status.${s.status}`)}
        </Badge>
      ),
    },
    {
      key: 'price',
      header: t('services.unitPrice'),
      render: (s) => formatMoney(s.unitPrice.amount, s.unitPrice.currency),
    },
    { key: 'purchased', header: t('services.purchased'), render: (s) => s.quantity },
    { key: 'assigned', header: t('services.assigned'), render: (s) => s.assignedQuantity },
    { key: 'term', header: t('services.term'), render: (s) => formatTerm(s.term, s.billingFrequency) },
    {
      key: 'renewal',
      header: t('services.renewal'),
      render: (s) => (
        <>
          {formatDate(s.renewalDate)}
          {s.refundableUntil && s.refundableQuantity > 0 && (
            <>
              <br />
              <Text size={200}>{t('services.windowUntil', { date: formatDate(s.refundableUntil) })}</Text>
            </>
          )}
        </>
      ),
    },
    { key: 'autoRenew', header: t('services.autoRenew'), render: (s) => (s.autoRenew ? t('app.yes') : t('app.no')) },
    {
      key: 'pending',
      header: t('nav.futureChanges'),
      render: (s) => {
        const pending = s.pendingChanges.filter((c) => c.status === 'pending').length;
        return pending ? t('services.pending', { count: pending }) : '';
      },
    },
    ...(canModify
      ? [
          {
            key: 'actions',
            header: t('app.actions'),
            render: (s: Row) =>
              s.status === 'active' || s.status === 'suspended' ? (
                <Button size="small" onClick={() => setChanging(s)} aria-label={`${t('services.change')} ${s.name}`}>
                  {t('services.change')}
                </Button>
              ) : null,
          },
        ]
      : []),
  ];

  return (
    <Page title={t('nav.services')}>
      <ViewOnlyNote />
      <Success message={message} />
      <Loading state={state}>
        {(services) => (
          <>
            <Toolbar>
              <Dropdown
                aria-label={t('services.contract')}
                value={
                  contract === 'all'
                    ? t('app.all')
                    : (() => {
                        const found = services.contracts.find((c) => c.billingContract === contract);
                        return found ? contractLabel(found) : '';
                      })()
                }
                selectedOptions={[contract]}
                onOptionSelect={(_, d) => setContract(d.optionValue ?? 'all')}
              >
                <Option value="all">{t('app.all')}</Option>
                {services.contracts.map((c) => (
                  <Option key={c.billingContract} value={c.billingContract}>
                    {contractLabel(c)}
                  </Option>
                ))}
              </Dropdown>
            </Toolbar>
            {services.contracts
              .filter((c) => contract === 'all' || c.billingContract === contract)
              .map((c) => (
                <section key={c.billingContract} aria-label={`${t('services.contract')}: ${contractLabel(c)}`}>
                  <h2 style={{ fontSize: 16, margin: '8px 0' }}>
                    {t('services.contract')}: {contractLabel(c)}
                  </h2>
                  <DataTable
                    label={contractLabel(c)}
                    columns={columns}
                    rowKey={(s) => s.id}
                    rows={c.subscriptions.flatMap((s): Row[] => [
                      s,
                      ...s.addOns.map((a) => ({ ...a, parentName: s.name })),
                    ])}
                  />
                </section>
              ))}
            {services.contracts.length === 0 && <Text>{t('app.empty')}</Text>}
          </>
        )}
      </Loading>
      {changing && (
        <ChangeDialog
          customerId={customerId}
          subscription={changing}
          onClose={(done) => {
            setChanging(undefined);
            if (done) {
              setMessage(done);
              state.reload();
            }
          }}
        />
      )}
    </Page>
  );
}
