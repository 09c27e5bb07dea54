import { Button, Dropdown, Field, Input, Option } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { api, callWithEtag, type Schemas } from '../../api/client';
import { useI18n } from '../../i18n/i18n';
import { Card, ErrorBar, Loading, Page, Success } from '../../components/page';
import { useAction, useApi } from '../../components/use-api';

type Contact = Schemas['UserProfile']['preferredContactMethod'];
const fields = ['firstName', 'lastName', 'email', 'businessPhone', 'organization', 'title'] as const;

export default function Profile() {
  const { t } = useI18n();
  const state = useApi(() => callWithEtag(api.GET('/api/me/profile')), []);
  const [form, setForm] = useState<Record<(typeof fields)[number], string>>({
    firstName: '',
    lastName: '',
    email: '',
    businessPhone: '',
    organization: '',
    title: '',
  });
  const [contact, setContact] = useState<Contact>('email');
  useEffect(() => {
    const p = state.data?.data;
    if (!p) return;
    setForm(Object.fromEntries(fields.map((f) => [f, p[f] ?? ''])) as typeof form);
    setContact(p.preferredContactMethod);
  }, [state.data]);
  const [saved, setSaved] = useState<string>();
  const action = useAction();
  const labels: Record<(typeof fields)[number], string> = {
    firstName: t('users.firstName'),
    lastName: t('users.lastName'),
    email: t('app.email'),
    businessPhone: t('profile.businessPhone'),
    organization: t('profile.organization'),
    title: t('profile.jobTitle'),
  };
  return (
    <Page title={t('nav.profile')}>
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
                  await callWithEtag(
                    api.PATCH('/api/me/profile', {
                      params: { header: { 'If-Match': etag } },
                      body: {
                        ...Object.fromEntries(fields.map((f) => [f, form[f] || null])),
                        preferredContactMethod: contact,
                      },
                    }),
                  );
                  setSaved(t('app.saved'));
                  state.reload();
                });
              }}
            >
              {fields.map((f) => (
                <Field key={f} label={labels[f]}>
                  <Input value={form[f]} onChange={(_, d) => setForm({ ...form, [f]: d.value })} />
                </Field>
              ))}
              <Field label={t('profile.contact')}>
                <Dropdown
                  // Fluent's 250 px minimum overflowed the grid column onto the Save button beside it.
                  style={{ minWidth: 0 }}
                  value={t(`profile.contact.${contact}`)}
                  selectedOptions={[contact]}
                  onOptionSelect={(_, d) => setContact(d.optionValue as Contact)}
                >
                  {(['email', 'phone', 'teams'] as const).map((c) => (
                    <Option key={c} value={c}>
                      {t(`profile.contact.${c}`)}
                    </Option>
                  ))}
                </Dropdown>
              </Field>
              <div style={{ alignSelf: 'end' }}>
                <Button type="submit" appearance="primary" disabled={action.busy}>
                  {t('app.save')}
                </Button>
              </div>
            </form>
          </Card>
        )}
      </Loading>
    </Page>
  );
}
