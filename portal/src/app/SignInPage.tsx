import { Button, Dropdown, Field, Input, Option, Title2, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { devApi, type DemoIdentity } from '../api/dev-sign-in';
import { storeLocalToken, signInWithMicrosoft } from '../auth/auth';
import { useSession } from '../auth/session';
import { useI18n } from '../i18n/i18n';
import { Card, ErrorBar, Loading } from '../components/page';
import { useAction, useApi } from '../components/use-api';
import { useBranding } from './branding-context';

const useStyles = makeStyles({
  wrap: {
    maxWidth: '520px',
    margin: '48px auto',
    padding: '0 12px',
    display: 'flex',
    flexDirection: 'column',
    gap: '16px',
  },
  muted: { color: tokens.colorNeutralForeground2 },
});

/** Sign-in: Microsoft (Entra ID) in Azure; locally, a demo user and role picked from the seeded customers. */
export function SignInPage({ onSignedIn }: { onSignedIn?: () => void }) {
  const session = useSession();
  const { t } = useI18n();
  const styles = useStyles();
  const { branding } = useBranding();
  if (session.config?.authMode === 'entra')
    return (
      <main className={styles.wrap}>
        <Title2 as="h1">{branding.partnerName}</Title2>
        <Card>
          <Button appearance="primary" onClick={() => session.config && void signInWithMicrosoft(session.config)}>
            {t('signIn.microsoft')}
          </Button>
        </Card>
      </main>
    );
  return <LocalSignIn {...(onSignedIn ? { onSignedIn } : {})} />;
}

function LocalSignIn({ onSignedIn }: { onSignedIn?: () => void }) {
  const session = useSession();
  const { t } = useI18n();
  const styles = useStyles();
  const { branding } = useBranding();
  const identities = useApi(async () => {
    const { data, error } = await devApi.GET('/api/dev/sign-in');
    if (!data)
      throw new Error((error as { detail?: string } | undefined)?.detail ?? 'The demo sign-in is not available.');
    return data.identities;
  }, []);
  const [chosen, setChosen] = useState<string>();
  const [email, setEmail] = useState('');
  const action = useAction();

  const signIn = (body: { id: string } | { email: string }) =>
    action.run(async () => {
      const { data, error } = await devApi.POST('/api/dev/sign-in', { body });
      if (!data) throw new Error((error as { detail?: string } | undefined)?.detail ?? 'Sign-in failed.');
      storeLocalToken(data.token);
      await session.refresh();
      onSignedIn?.();
    });
  const label = (i: DemoIdentity) =>
    i.role === 'PartnerAdmin' ? `${t('signIn.partner')} — ${i.email}` : `${i.customerName}: ${i.role} — ${i.email}`;

  return (
    <main className={styles.wrap}>
      <Title2 as="h1">
        {branding.partnerName}: {t('signIn.title')}
      </Title2>
      <p className={styles.muted}>{t('signIn.intro')}</p>
      <Card>
        <Loading state={identities}>
          {(list) => (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                if (chosen) void signIn({ id: chosen });
              }}
              style={{ display: 'flex', flexDirection: 'column', gap: 12 }}
            >
              <Field label={t('signIn.identity')}>
                <Dropdown
                  data-testid="identity"
                  placeholder={t('signIn.identity')}
                  value={list.find((i) => i.id === chosen) ? label(list.find((i) => i.id === chosen)!) : ''}
                  selectedOptions={chosen ? [chosen] : []}
                  onOptionSelect={(_, data) => setChosen(data.optionValue)}
                >
                  {list.map((i) => (
                    <Option key={i.id} value={i.id}>
                      {label(i)}
                    </Option>
                  ))}
                </Dropdown>
              </Field>
              <Button type="submit" appearance="primary" disabled={!chosen || action.busy}>
                {t('signIn.asUser')}
              </Button>
            </form>
          )}
        </Loading>
      </Card>
      <Card>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (email) void signIn({ email });
          }}
          style={{ display: 'flex', flexDirection: 'column', gap: 12 }}
        >
          <Field label={t('signIn.other')}>
            <Input type="email" value={email} onChange={(_, d) => setEmail(d.value)} name="email" />
          </Field>
          <Button type="submit" disabled={!email || action.busy}>
            {t('signIn.asUser')}
          </Button>
        </form>
      </Card>
      <ErrorBar error={action.error} />
    </main>
  );
}
