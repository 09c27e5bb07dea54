import type { ReactNode } from 'react';
import { useSession } from '../auth/session';
import { useI18n } from '../i18n/i18n';
import { Card } from './page';

/** Renders a customer page for the selected customer, or explains that there is none. */
export function WithCustomer({ children }: { children: (customerId: string) => ReactNode }) {
  const { customerId, isPartner } = useSession();
  const { t } = useI18n();
  if (!customerId) return <Card>{isPartner ? t('home.partnerIntro') : t('app.noAccess')}</Card>;
  return <>{children(customerId)}</>;
}

export function ViewOnlyNote() {
  const { canModify } = useSession();
  const { t } = useI18n();
  if (canModify) return null;
  return <Card>{t('app.viewOnly')}</Card>;
}
