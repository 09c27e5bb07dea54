import { Badge, Button } from '@fluentui/react-components';
import { useState } from 'react';
import { api, call } from '../../api/client';
import { useSession } from '../../auth/session';
import { useI18n, type Translate } from '../../i18n/i18n';
import { DataTable, ErrorBar, Loading, Page } from '../../components/page';
import { useAction, useApi } from '../../components/use-api';
import { WithCustomer } from '../../components/customer';

export default function FutureChanges() {
  return <WithCustomer>{(customerId) => <FutureChangesOf customerId={customerId} />}</WithCustomer>;
}

function describe(t: Translate, kind: string, change: Record<string, unknown>): string {
  change = { ...change, kind };
  if (change.kind === 'quantity') return t('future.quantity', { quantity: String(change.quantity) });
  if (change.kind === 'autoRenew') return t(change.enabled ? 'future.autoRenewOn' : 'future.autoRenewOff');
  if (change.kind === 'purchase') return t('future.purchase', { quantity: String(change.quantity ?? '') }).trim();
  return String(change.kind ?? '');
}

function FutureChangesOf({ customerId }: { customerId: string }) {
  const { t, formatDate } = useI18n();
  const { canModify } = useSession();
  const path = { customerId };
  const state = useApi(async () => {
    const [changes, services] = await Promise.all([
      call(api.GET('/api/customers/{customerId}/future-changes', { params: { path } })),
      call(api.GET('/api/customers/{customerId}/subscriptions', { params: { path } })),
    ]);
    const names = new Map(
      services.contracts.flatMap((c) => c.subscriptions.flatMap((s) => [s, ...s.addOns])).map((s) => [s.id, s.name]),
    );
    return changes.items.map((c) => ({ ...c, subscriptionName: names.get(c.subscriptionId) ?? c.subscriptionId }));
  }, [customerId]);
  const action = useAction();
  const [, setTick] = useState(0);

  return (
    <Page title={t('nav.futureChanges')}>
      <ErrorBar error={action.error} />
      <Loading state={state}>
        {(items) => (
          <DataTable
            label={t('nav.futureChanges')}
            rows={items}
            rowKey={(c) => c.id}
            columns={[
              { key: 'sub', header: t('future.subscription'), render: (c) => c.subscriptionName },
              { key: 'change', header: t('future.change'), render: (c) => describe(t, c.kind, c.change) },
              {
                key: 'effective',
                header: t('future.effective'),
                render: (c) => `${formatDate(c.effectiveDate)} (${t(`change.effective.${c.effective}`)})`,
              },
              {
                key: 'status',
                header: t('app.status'),
                render: (c) => (
                  <>
                    <Badge
                      appearance="tint"
                      color={c.status === 'failed' ? 'danger' : c.status === 'pending' ? 'informative' : 'subtle'}
                    >
                      {t(`status.${c.status}`)}
                    </Badge>
                    {c.failureReason && <div>{c.failureReason}</div>}
                  </>
                ),
              },
              { key: 'by', header: t('future.requestedBy'), render: (c) => c.requestedBy },
              ...(canModify
                ? [
                    {
                      key: 'cancel',
                      header: t('app.actions'),
                      render: (c: (typeof items)[number]) =>
                        c.status === 'pending' ? (
                          <Button
                            size="small"
                            disabled={action.busy}
                            onClick={() =>
                              void action
                                .run(() =>
                                  call(
                                    api.DELETE('/api/customers/{customerId}/future-changes/{changeId}', {
                                      params: { path: { customerId, changeId: c.id }, header: { 'If-Match': c.etag } },
                                    }),
                                  ),
                                )
                                .then(() => {
                                  state.reload();
                                  setTick((n) => n + 1);
                                })
                            }
                          >
                            {t('future.cancel')}
                          </Button>
                        ) : null,
                    },
                  ]
                : []),
            ]}
          />
        )}
      </Loading>
    </Page>
  );
}
