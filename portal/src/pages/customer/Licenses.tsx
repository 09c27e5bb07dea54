import { Badge, Button, Checkbox, Field, Select, Text, Textarea, Tooltip } from '@fluentui/react-components';
import { useEffect, useMemo, useState } from 'react';
import { api, call, saveFile } from '../../api/client';
import { useSession } from '../../auth/session';
import { useI18n } from '../../i18n/i18n';
import { countryOptions } from '../../i18n/countries';
import { Card, DataTable, ErrorBar, Loading, Page, Success, Toolbar } from '../../components/page';
import { useAction, useApi } from '../../components/use-api';
import { WithCustomer } from '../../components/customer';

export default function Licenses() {
  return <WithCustomer>{(customerId) => <LicensesOf customerId={customerId} />}</WithCustomer>;
}

function LicensesOf({ customerId }: { customerId: string }) {
  const { t, language } = useI18n();
  const { canModify, canAdmin, me } = useSession();
  const path = { customerId };
  const state = useApi(async () => {
    const [licenses, users] = await Promise.all([
      call(api.GET('/api/customers/{customerId}/m365/licenses', { params: { path } })),
      call(api.GET('/api/customers/{customerId}/m365/users', { params: { path, query: { pageSize: 100 } } })),
    ]);
    return { licenses: licenses.items, users: users.items };
  }, [customerId]);
  const consent = useApi(
    () => call(api.GET('/api/customers/{customerId}/m365/consent', { params: { path } })),
    [customerId],
  );
  // userId → skuId → wanted state, for the toggles not yet applied.
  const [pending, setPending] = useState<Record<string, Record<string, boolean>>>({});
  const [message, setMessage] = useState<string>();
  const [justification, setJustification] = useState('');
  const action = useAction();
  // After an apply, the toggles stay as the user set them until the reloaded table arrives (the table read before
  // the apply would flip them back for a moment, and a click then would undo the change instead of making one).
  const [settlingFrom, setSettlingFrom] = useState<object>();
  useEffect(() => {
    if (settlingFrom && state.data !== settlingFrom) {
      setPending({});
      setSettlingFrom(undefined);
    }
  }, [state.data, settlingFrom]);

  const countries = useMemo(() => countryOptions(language), [language]);
  const countryName = (code: string) => countries.find((c) => c.code === code)?.name ?? code;
  // userId → the country chosen in the usage-location control, not yet saved.
  const [chosen, setChosen] = useState<Record<string, string>>({});
  const setUsageLocation = (user: { id: string; displayName: string }, usageLocation: string) =>
    action.run(async () => {
      await call(
        api.PATCH('/api/customers/{customerId}/m365/users/{userId}', {
          params: { path: { customerId, userId: user.id } },
          body: { usageLocation },
        }),
      );
      setMessage(t('licenses.usageLocationSet', { user: user.displayName, country: countryName(usageLocation) }));
      setChosen(({ [user.id]: _, ...rest }) => rest);
      state.reload();
    });

  const toggle = (userId: string, skuId: string, on: boolean) =>
    setPending((p) => ({ ...p, [userId]: { ...p[userId], [skuId]: on } }));

  const apply = () =>
    action.run(async () => {
      const assignments = Object.entries(pending).map(([userId, skus]) => ({
        userId,
        add: Object.entries(skus)
          .filter(([, on]) => on)
          .map(([sku]) => sku),
        remove: Object.entries(skus)
          .filter(([, on]) => !on)
          .map(([sku]) => sku),
      }));
      const result = await call(
        api.POST('/api/customers/{customerId}/m365/licenses/assignments', { params: { path }, body: { assignments } }),
      );
      setMessage(t('licenses.applied', { count: result.succeeded }));
      setSettlingFrom(state.data);
      state.reload();
      if (result.failed)
        throw new Error(result.results.flatMap((r) => (r.status === 'failed' ? [r.message] : [])).join(' '));
    });

  const importCsv = (file: File) =>
    action.run(async () => {
      const text = await file.text();
      const result = await call(
        api.POST('/api/customers/{customerId}/m365/users/import', {
          params: { path, query: { sendPasswordsTo: me?.email ?? '' } },
          body: text,
          bodySerializer: (b: string) => b,
          headers: { 'content-type': 'text/csv' },
        }),
      );
      setMessage(t('licenses.imported', { created: result.created.length, failed: result.failed.length }));
      state.reload();
    });

  const changes = Object.values(pending).reduce((n, skus) => n + Object.keys(skus).length, 0);

  return (
    <Page
      title={t('nav.licenses')}
      actions={
        <Toolbar>
          <Button
            onClick={() =>
              void action.run(async () => {
                const csv = await call(
                  api.GET('/api/customers/{customerId}/m365/users/export', { params: { path }, parseAs: 'text' }),
                );
                saveFile(String(csv), 'users.csv', 'text/csv');
              })
            }
          >
            {t('licenses.export')}
          </Button>
          {canAdmin && (
            <label>
              <Text>{t('licenses.import')}: </Text>
              <input
                type="file"
                accept=".csv,text/csv"
                onChange={(e) => e.target.files?.[0] && void importCsv(e.target.files[0])}
              />
            </label>
          )}
        </Toolbar>
      }
    >
      <Success message={message} />
      <ErrorBar error={action.error} />
      <Loading state={consent}>
        {(c) => (
          <Card label={t('licenses.consent')}>
            <Text weight="semibold">{t('licenses.consent')}</Text>
            <Text>
              {c.granted
                ? t('licenses.consentGranted')
                : t('licenses.consentMissing', { permissions: c.missingPermissions.join(', ') })}
            </Text>
            {!c.granted && canAdmin && (
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  void action.run(async () => {
                    const sent = await call(
                      api.POST('/api/customers/{customerId}/m365/consent-requests', {
                        params: { path },
                        body: { justification },
                      }),
                    );
                    setMessage(t('licenses.requestSent', { to: sent.sentTo.join(', ') }));
                    consent.reload();
                  });
                }}
              >
                <Field label={t('licenses.justification')}>
                  <Textarea value={justification} onChange={(_, d) => setJustification(d.value)} />
                </Field>
                <Button type="submit" disabled={!justification}>
                  {t('licenses.consentRequest')}
                </Button>
              </form>
            )}
          </Card>
        )}
      </Loading>
      <Loading state={state}>
        {({ licenses, users }) => (
          <>
            <DataTable
              label={t('licenses.sku')}
              rows={licenses}
              rowKey={(l) => l.skuId}
              columns={[
                { key: 'name', header: t('licenses.sku'), render: (l) => l.name },
                { key: 'purchased', header: t('licenses.purchased'), render: (l) => l.purchased },
                { key: 'consumed', header: t('licenses.consumed'), render: (l) => l.consumed },
                { key: 'available', header: t('licenses.available'), render: (l) => l.available },
              ]}
            />
            <h2 style={{ fontSize: 16, margin: '8px 0 0' }}>{t('licenses.users')}</h2>
            <DataTable
              label={t('licenses.users')}
              rows={users}
              rowKey={(u) => u.id}
              columns={[
                {
                  key: 'user',
                  header: t('licenses.user'),
                  render: (u) => (
                    <>
                      <Text weight="semibold">{u.displayName}</Text>
                      <br />
                      <Text size={200}>{u.userPrincipalName}</Text>
                    </>
                  ),
                },
                {
                  key: 'usageLocation',
                  header: t('licenses.usageLocation'),
                  render: (u) =>
                    u.usageLocation ? (
                      <Text>
                        {countryName(u.usageLocation)} ({u.usageLocation})
                      </Text>
                    ) : (
                      <div
                        style={{
                          display: 'flex',
                          flexDirection: 'column',
                          alignItems: 'flex-start',
                          gap: 4,
                          minWidth: 0,
                          maxWidth: 280,
                        }}
                      >
                        <Badge
                          appearance="tint"
                          color="warning"
                          id={`no-usage-location-${u.id}`}
                          style={{ whiteSpace: 'normal', height: 'auto', paddingBlock: 2, textAlign: 'start' }}
                        >
                          {t('licenses.noUsageLocation')}
                        </Badge>
                        {canModify && (
                          <>
                            <Select
                              style={{ width: '100%', minWidth: 0 }}
                              aria-label={t('licenses.usageLocationFor', { user: u.displayName })}
                              value={chosen[u.id] ?? ''}
                              onChange={(_, d) => setChosen((c) => ({ ...c, [u.id]: d.value }))}
                            >
                              <option value="">{t('licenses.chooseCountry')}</option>
                              {countries.map((c) => (
                                <option key={c.code} value={c.code}>
                                  {c.name} ({c.code})
                                </option>
                              ))}
                            </Select>
                            <Button
                              aria-label={t('licenses.setUsageLocationFor', { user: u.displayName })}
                              disabled={!chosen[u.id] || action.busy}
                              onClick={() => void setUsageLocation(u, chosen[u.id] ?? '')}
                            >
                              {t('licenses.setUsageLocation')}
                            </Button>
                          </>
                        )}
                      </div>
                    ),
                },
                ...licenses.map((l) => ({
                  key: l.skuId,
                  header: l.name,
                  render: (u: (typeof users)[number]) => {
                    const held = u.licenses.find((x) => x.skuId === l.skuId);
                    const fromGroup = held && !held.direct && held.groups.length > 0;
                    const checked = pending[u.id]?.[l.skuId] ?? Boolean(held);
                    // Microsoft refuses a license to a user without usage location: set that first.
                    const needsLocation = !u.usageLocation && !held;
                    const box = (
                      <Checkbox
                        checked={checked}
                        disabled={!canModify || Boolean(fromGroup) || Boolean(settlingFrom) || needsLocation}
                        aria-label={t('licenses.assign', { sku: l.name, user: u.displayName })}
                        {...(needsLocation ? { 'aria-describedby': `no-usage-location-${u.id}` } : {})}
                        onChange={(_, d) => toggle(u.id, l.skuId, Boolean(d.checked))}
                      />
                    );
                    return fromGroup ? (
                      <Tooltip
                        relationship="description"
                        content={t('licenses.fromGroup', {
                          group: held.groups.map((g) => g.displayName ?? g.id).join(', '),
                        })}
                      >
                        <span>
                          {box}{' '}
                          <Text size={200}>
                            {t('licenses.fromGroup', {
                              group: held.groups.map((g) => g.displayName ?? g.id).join(', '),
                            })}
                          </Text>
                        </span>
                      </Tooltip>
                    ) : (
                      box
                    );
                  },
                })),
              ]}
            />
            {canModify && (
              <div>
                <Button
                  appearance="primary"
                  disabled={changes === 0 || action.busy || Boolean(settlingFrom)}
                  onClick={() => void apply()}
                >
                  {t('licenses.apply')} {changes ? `(${changes})` : ''}
                </Button>
              </div>
            )}
          </>
        )}
      </Loading>
    </Page>
  );
}
