import { Badge, Button, Dropdown, Field, Input, Option } from '@fluentui/react-components';
import { useState } from 'react';
import { api, call, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { useI18n } from '../../i18n/i18n';
import { Card, DataTable, ErrorBar, Loading, Page, Success } from '../../components/page';
import { useAction, useApi } from '../../components/use-api';
import { WithCustomer } from '../../components/customer';

type Role = Schemas['PortalUser']['role'];
const roles: Role[] = ['View', 'Modify', 'Admin'];

export default function PortalUsers() {
  return <WithCustomer>{(customerId) => <PortalUsersOf customerId={customerId} />}</WithCustomer>;
}

function PortalUsersOf({ customerId }: { customerId: string }) {
  const { t } = useI18n();
  const { canAdmin } = useSession();
  const path = { customerId };
  const state = useApi(
    () => call(api.GET('/api/customers/{customerId}/portal-users', { params: { path, query: { pageSize: 100 } } })),
    [customerId],
  );
  const [form, setForm] = useState({ firstName: '', lastName: '', email: '', role: 'View' as Role });
  const [message, setMessage] = useState<string>();
  const action = useAction();

  const update = (user: Schemas['PortalUser'], patch: Schemas['PortalUserPatch']) =>
    action.run(async () => {
      await call(
        api.PATCH('/api/customers/{customerId}/portal-users/{userId}', {
          params: { path: { customerId, userId: user.id }, header: { 'If-Match': user.etag } },
          body: patch,
        }),
      );
      state.reload();
    });
  const sendInvitation = (user: Schemas['PortalUser']) =>
    action.run(async () => {
      const sent = await call(
        api.POST('/api/customers/{customerId}/portal-users/{userId}/invitation', {
          params: { path: { customerId, userId: user.id } },
        }),
      );
      setMessage(t('users.sent', { email: sent.sentTo }));
      state.reload();
    });

  return (
    <Page title={t('nav.portalUsers')}>
      <Success message={message} />
      <ErrorBar error={action.error} />
      {canAdmin && (
        <Card label={t('users.invite')}>
          <form
            style={{
              display: 'grid',
              gridTemplateColumns: 'repeat(auto-fit, minmax(160px, 1fr))',
              gap: 12,
              alignItems: 'end',
            }}
            onSubmit={(e) => {
              e.preventDefault();
              void action.run(async () => {
                const created = await call(
                  api.POST('/api/customers/{customerId}/portal-users', { params: { path }, body: form }),
                );
                const sent = await call(
                  api.POST('/api/customers/{customerId}/portal-users/{userId}/invitation', {
                    params: { path: { customerId, userId: created.id } },
                  }),
                );
                setMessage(t('users.sent', { email: sent.sentTo }));
                setForm({ firstName: '', lastName: '', email: '', role: 'View' });
                state.reload();
              });
            }}
          >
            <Field label={t('users.firstName')} required>
              <Input value={form.firstName} onChange={(_, d) => setForm({ ...form, firstName: d.value })} />
            </Field>
            <Field label={t('users.lastName')} required>
              <Input value={form.lastName} onChange={(_, d) => setForm({ ...form, lastName: d.value })} />
            </Field>
            <Field label={t('app.email')} required>
              <Input type="email" value={form.email} onChange={(_, d) => setForm({ ...form, email: d.value })} />
            </Field>
            <Field label={t('app.role')}>
              <Dropdown
                // Fluent's 250 px minimum overflowed the grid column onto the button beside it.
                style={{ minWidth: 0 }}
                value={form.role}
                selectedOptions={[form.role]}
                onOptionSelect={(_, d) => setForm({ ...form, role: d.optionValue as Role })}
              >
                {roles.map((r) => (
                  <Option key={r}>{r}</Option>
                ))}
              </Dropdown>
            </Field>
            <Button type="submit" appearance="primary" disabled={action.busy}>
              {t('users.send')}
            </Button>
          </form>
        </Card>
      )}
      <Loading state={state}>
        {(page) => (
          <DataTable
            label={t('nav.portalUsers')}
            rows={page.items}
            rowKey={(u) => u.id}
            columns={[
              { key: 'name', header: t('app.name'), render: (u) => `${u.firstName} ${u.lastName}` },
              { key: 'email', header: t('app.email'), render: (u) => u.email },
              {
                key: 'role',
                header: t('app.role'),
                render: (u) =>
                  canAdmin ? (
                    <Dropdown
                      aria-label={`${t('app.role')} ${u.email}`}
                      value={u.role}
                      selectedOptions={[u.role]}
                      style={{ minWidth: 110 }}
                      onOptionSelect={(_, d) =>
                        d.optionValue !== u.role && void update(u, { role: d.optionValue as Role })
                      }
                    >
                      {roles.map((r) => (
                        <Option key={r}>{r}</Option>
                      ))}
                    </Dropdown>
                  ) : (
                    u.role
                  ),
              },
              {
                key: 'status',
                header: t('app.status'),
                render: (u) => (
                  <Badge
                    appearance="tint"
                    color={u.status === 'active' ? 'success' : u.status === 'disabled' ? 'danger' : 'informative'}
                  >
                    {t(`status.${u.status}`)}
                  </Badge>
                ),
              },
              ...(canAdmin
                ? [
                    {
                      key: 'actions',
                      header: t('app.actions'),
                      render: (u: Schemas['PortalUser']) => (
                        <div style={{ display: 'flex', gap: 4, flexWrap: 'wrap' }}>
                          {u.portalAccess === 'enabled' ? (
                            <Button size="small" onClick={() => void update(u, { portalAccess: 'disabled' })}>
                              {t('users.disable')}
                            </Button>
                          ) : (
                            <Button size="small" onClick={() => void update(u, { portalAccess: 'enabled' })}>
                              {t('users.enable')}
                            </Button>
                          )}
                          {u.status !== 'active' && u.portalAccess === 'enabled' && (
                            <Button size="small" onClick={() => void sendInvitation(u)}>
                              {t('users.resend')}
                            </Button>
                          )}
                        </div>
                      ),
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
