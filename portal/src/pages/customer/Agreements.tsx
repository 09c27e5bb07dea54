import { Badge, Button, Link, Text } from '@fluentui/react-components';
import { api, call, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { useI18n } from '../../i18n/i18n';
import { DataTable, ErrorBar, Loading, Page } from '../../components/page';
import { useAction, useApi } from '../../components/use-api';
import { WithCustomer } from '../../components/customer';

export default function Agreements() {
  return <WithCustomer>{(customerId) => <AgreementsOf customerId={customerId} />}</WithCustomer>;
}

function AgreementsOf({ customerId }: { customerId: string }) {
  const { t, formatDate } = useI18n();
  const { canAdmin, me } = useSession();
  const state = useApi(
    () => call(api.GET('/api/customers/{customerId}/agreements', { params: { path: { customerId } } })),
    [customerId],
  );
  const action = useAction();
  const [first = 'Portal', ...rest] = (me?.name ?? me?.email ?? 'Portal user').split(' ');
  const accept = (a: Schemas['Agreement']) =>
    action.run(async () => {
      await call(
        api.POST('/api/customers/{customerId}/agreements/{agreementId}/accept', {
          params: { path: { customerId, agreementId: a.id } },
          body: { firstName: first, lastName: rest.join(' ') || first, email: me?.email ?? '' },
        }),
      );
      state.reload();
    });
  return (
    <Page title={t('nav.agreements')}>
      <ErrorBar error={action.error} />
      <Loading state={state}>
        {(list) => (
          <DataTable
            label={t('nav.agreements')}
            rows={[...list.pending, ...list.accepted]}
            rowKey={(a) => a.id}
            columns={[
              {
                key: 'name',
                header: t('app.name'),
                render: (a) => (
                  <>
                    <Text weight="semibold">{a.name}</Text>
                    <br />
                    <Link href={a.url} target="_blank" rel="noreferrer">
                      {t('agreements.read')}
                    </Link>
                  </>
                ),
              },
              {
                key: 'status',
                header: t('app.status'),
                render: (a) => (
                  <>
                    <Badge appearance="tint" color={a.status === 'accepted' ? 'success' : 'warning'}>
                      {t(`agreements.${a.status}`)}
                    </Badge>
                    {a.acceptedAt && (
                      <div>
                        {t('agreements.acceptedAt', {
                          date: formatDate(a.acceptedAt),
                          by: a.acceptedBy ?? a.signer?.email ?? '',
                        })}
                      </div>
                    )}
                  </>
                ),
              },
              {
                key: 'actions',
                header: t('app.actions'),
                render: (a) =>
                  a.status === 'pending' && canAdmin ? (
                    <Button size="small" appearance="primary" disabled={action.busy} onClick={() => void accept(a)}>
                      {t('agreements.accept')}
                    </Button>
                  ) : null,
              },
            ]}
          />
        )}
      </Loading>
    </Page>
  );
}
