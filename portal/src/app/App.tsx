import { FluentProvider, Spinner } from '@fluentui/react-components';
import { lazy, Suspense, useEffect, useMemo, useState, type ComponentType, type JSX } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { useSession } from '../auth/session';
import { useI18n } from '../i18n/i18n';
import { ErrorBar } from '../components/page';
import { defaultBranding, loadBranding, themeFor, type Branding } from './branding';
import { BrandingContext } from './branding-context';
import { Shell } from './Shell';
import { customerNav, partnerNav } from './nav';
import { SignInPage } from './SignInPage';

// Route-level code splitting: each page is its own chunk, loaded when first visited. The chunk of the page the
// browser opened starts loading at once, beside the sign-in settings and /api/me, rather than after them.
const pageLoaders: Record<string, () => Promise<{ default: ComponentType }>> = {
  '/': () => import('../pages/customer/Home'),
  '/services': () => import('../pages/customer/Services'),
  '/catalog': () => import('../pages/customer/Catalog'),
  '/future-changes': () => import('../pages/customer/FutureChanges'),
  '/change-log': () => import('../pages/customer/ChangeLog'),
  '/licenses': () => import('../pages/customer/Licenses'),
  '/portal-users': () => import('../pages/customer/PortalUsers'),
  '/company': () => import('../pages/customer/Company'),
  '/profile': () => import('../pages/customer/Profile'),
  '/agreements': () => import('../pages/customer/Agreements'),
  '/invoices': () => import('../pages/customer/Invoices'),
  '/usage': () => import('../pages/customer/Usage'),
  '/billing-reports': () => import('../pages/customer/BillingReports'),
  '/partner/customers': () => import('../pages/partner/Customers'),
  '/partner/prices': () => import('../pages/partner/PriceLists'),
  '/partner/sale-profiles': () => import('../pages/partner/SaleProfiles'),
  '/partner/billing-settings': () => import('../pages/partner/BillingSettings'),
  '/partner/billing-runs': () => import('../pages/partner/BillingRuns'),
  '/partner/provider-reports': () => import('../pages/partner/ProviderReports'),
  '/partner/resellers': () => import('../pages/partner/Resellers'),
  '/partner/branding': () => import('../pages/partner/Branding'),
};
const elements: Record<string, JSX.Element> = Object.fromEntries(
  Object.entries(pageLoaders).map(([path, load]) => {
    const Page = lazy(load);
    return [path, <Page />];
  }),
);
void pageLoaders[window.location.pathname]?.().catch(() => undefined);
// The partner's branding is asked for at once too, and nothing is shown until it is known: a customer never sees the
// default name and colour first and then the partner's.
const brandingRequest = loadBranding();
const Invitation = lazy(() => import('./InvitationPage'));

export function App() {
  const session = useSession();
  const { t } = useI18n();
  const location = useLocation();
  const [loaded, setLoaded] = useState<Branding | undefined>();
  useEffect(() => {
    void brandingRequest.then((value) => setLoaded((current) => current ?? value));
  }, []);
  const branding = loaded ?? defaultBranding;
  const theme = useMemo(() => themeFor(branding.accentColor), [branding.accentColor]);
  const fallback = <Spinner label={t('app.loading')} />;

  let content;
  if (session.state === 'loading' || !loaded) content = fallback;
  else if (location.pathname.startsWith('/invitations/'))
    content = (
      <Suspense fallback={fallback}>
        <Routes>
          <Route path="/invitations/:token" element={<Invitation />} />
        </Routes>
      </Suspense>
    );
  else if (session.state === 'error' && !session.config)
    content = <ErrorBar error={new Error(t('signIn.configMissing'))} onRetry={() => void session.refresh()} />;
  else if (session.state !== 'signedIn') content = <SignInPage />;
  else
    content = (
      <Shell>
        <Suspense fallback={fallback}>
          <Routes>
            {[...customerNav, ...(session.isPartner ? partnerNav : [])].map((p) => (
              <Route key={p.path} path={p.path} element={elements[p.path]} />
            ))}
            <Route path="/sign-in" element={<Navigate to="/" replace />} />
            <Route path="*" element={<ErrorBar error={new Error(t('notFound.title'))} />} />
          </Routes>
        </Suspense>
      </Shell>
    );

  return (
    <BrandingContext.Provider value={{ branding, setBranding: setLoaded }}>
      <FluentProvider theme={theme} style={{ minHeight: '100vh', background: '#f5f5f5' }}>
        {content}
      </FluentProvider>
    </BrandingContext.Provider>
  );
}
