import { Button, Checkbox, Field, Textarea } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { api, call, type Schemas } from '../../api/client';
import { useI18n } from '../../i18n/i18n';
import { Card, ErrorBar, Loading, Page, Success } from '../../components/page';
import { useAction, useApi } from '../../components/use-api';

type Action = Schemas['BillingConfirmationSettings']['actions'][number];
const actions: Action[] = ['buy', 'raiseQuantity', 'addOn', 'createUser'];

export default function BillingSettings() {
  const { t } = useI18n();
  const state = useApi(() => call(api.GET('/api/settings/billing-confirmation')), []);
  const [value, setValue] = useState<Schemas['BillingConfirmationSettings']>({ actions: [], messages: {} });
  useEffect(() => {
    if (state.data) setValue(state.data);
  }, [state.data]);
  const [saved, setSaved] = useState<string>();
  const action = useAction();
  const languages = [...new Set(['en', 'de', ...Object.keys(value.messages)])];
  return (
    <Page title={t('nav.billingSettings')}>
      <Success message={saved} />
      <ErrorBar error={action.error} />
      <Loading state={state}>
        {() => (
          <Card>
            <form
              style={{ display: 'flex', flexDirection: 'column', gap: 12 }}
              onSubmit={(e) => {
                e.preventDefault();
                void action.run(async () => {
                  const messages = Object.fromEntries(Object.entries(value.messages).filter(([, m]) => m.trim()));
                  setValue(await call(api.PUT('/api/settings/billing-confirmation', { body: { ...value, messages } })));
                  setSaved(t('app.saved'));
                });
              }}
            >
              <fieldset style={{ border: 'none', padding: 0 }}>
                <legend>{t('settings.actions')}</legend>
                {actions.map((a) => (
                  <Checkbox
                    key={a}
                    label={t(`settings.action.${a}`)}
                    checked={value.actions.includes(a)}
                    onChange={(_, d) =>
                      setValue({
                        ...value,
                        actions: d.checked ? [...value.actions, a] : value.actions.filter((x) => x !== a),
                      })
                    }
                  />
                ))}
              </fieldset>
              {languages.map((language) => (
                <Field key={language} label={t('settings.message', { language })}>
                  <Textarea
                    value={value.messages[language] ?? ''}
                    onChange={(_, d) => setValue({ ...value, messages: { ...value.messages, [language]: d.value } })}
                  />
                </Field>
              ))}
              <div>
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
