import { Link } from 'react-router-dom';
import { Text, Title3 } from '@fluentui/react-components';
import { api, call } from '../../api/client';
import { useSession } from '../../auth/session';
import { useI18n } from '../../i18n/i18n';
import { Card, Loading, Page } from '../../components/page';
import { useApi } from '../../components/use-api';
import { sumDecimals } from '../../components/money';

export default function Home() {
  const session = useSession();
  const { t, formatMoney } = useI18n();
  const name = session.me?.name ?? session.me?.email ?? '';
  const customerId = session.customerId;
  const summary = useApi(async () => {
    if (!customerId) return null;
    const path = { customerId };
    const [services, invoices, future] = await Promise.all([
      call(api.GET('/api/customers/{customerId}/subscriptions', { params: { path } })),
      call(api.GET('/api/customers/{customerId}/invoices', { params: { path, query: { status: 'open' } } })).catch(
        () => ({ items: [] }),
      ),
      call(api.GET('/api/customers/{customerId}/future-changes', { params: { path } })),
    ]);
    const subs = services.contracts.flatMap((c) => c.subscriptions.flatMap((s) => [s, ...s.addOns]));
    const active = subs.filter((s) => s.status === 'active' || s.status === 'suspended');
    return {
      count: active.length,
      currency: active[0]?.monthlyCost.currency,
      monthly: sumDecimals(active.map((s) => s.monthlyCost.amount)),
      openInvoices: invoices.items.length,
      pending: future.items.filter((c) => c.status === 'pending').length,
    };
  }, [customerId]);

  return (
    <Page title={t('home.welcome', { name })}>
      {customerId ? (
        <>
          <Text>{t('home.intro', { customer: session.customerName ?? '' })}</Text>
          <Loading state={summary}>
            {(s) =>
              s && (
                <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(180px, 1fr))', gap: 16 }}>
                  <Tile to="/services" label={t('home.subscriptions')} value={String(s.count)} />
                  <Tile to="/services" label={t('home.monthly')} value={formatMoney(s.monthly, s.currency)} />
                  <Tile to="/invoices" label={t('home.openInvoices')} value={String(s.openInvoices)} />
                  <Tile to="/future-changes" label={t('home.pending')} value={String(s.pending)} />
                </div>
              )
            }
          </Loading>
        </>
      ) : (
        <Card>{session.isPartner ? t('home.partnerIntro') : t('app.noAccess')}</Card>
      )}
    </Page>
  );
}

function Tile({ to, label, value }: { to: string; label: string; value: string }) {
  return (
    <Card>
      <Link to={to}>{label}</Link>
      <Title3 as="p">{value}</Title3>
    </Card>
  );
}
