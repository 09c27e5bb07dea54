import { Button, Title2 } from '@fluentui/react-components';
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api, call } from '../api/client';
import { useSession } from '../auth/session';
import { useI18n } from '../i18n/i18n';
import { Card, ErrorBar, Success } from '../components/page';
import { useAction } from '../components/use-api';
import { SignInPage } from './SignInPage';

/** The page an invitation mail links to: sign in as the invited account, then accept. */
export default function InvitationPage() {
  const { token = '' } = useParams();
  const session = useSession();
  const { t } = useI18n();
  const action = useAction();
  const [accepted, setAccepted] = useState<string>();
  if (session.state !== 'signedIn') return <SignInPage />;
  return (
    <main style={{ maxWidth: 560, margin: '48px auto', padding: '0 12px' }}>
      <Title2 as="h1">{t('invitation.title')}</Title2>
      <Card>
        <p>{t('invitation.intro')}</p>
        <p>{session.me?.email}</p>
        {accepted ? (
          <>
            <Success message={t('invitation.accepted', { role: accepted })} />
            <Link to="/">{t('invitation.continue')}</Link>
          </>
        ) : (
          <Button
            appearance="primary"
            disabled={action.busy}
            onClick={() =>
              void action.run(async () => {
                const result = await call(api.POST('/api/invitations/{token}/accept', { params: { path: { token } } }));
                await session.refresh();
                session.setCustomer(
                  result.customerId,
                  session.me?.customers.find((c) => c.customerId === result.customerId)?.customerName ?? '',
                );
                setAccepted(result.role);
              })
            }
          >
            {t('invitation.accept')}
          </Button>
        )}
        <ErrorBar error={action.error} />
      </Card>
    </main>
  );
}
