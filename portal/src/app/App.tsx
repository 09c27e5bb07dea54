import { FluentProvider, Spinner } from '@fluentui/react-components';
import { lazy, Suspense, useEffect, useMemo, useState, type JSX } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { useSession } from '../auth/session';
import { useI18n } from '../i18n/i18n';
import { ErrorBar } from '../components/page';
import { defaultBranding, loadBranding, themeFor, type Branding } from './branding';
import { BrandingContext } from './branding-context';
import { Shell } from './Shell';
import { customerNav, partnerNav } from './nav';
import { SignInPage } from './SignInPage';

// Route-level code splitting: each page is its own chunk, loaded when first visited.
const Home = lazy(() => import('../pages/customer/Home'));
const Services = lazy(() => import('../pages/customer/Services'));
const Catalog = lazy(() => import('../pages/customer/Catalog'));
const FutureChanges = lazy(() => import('../pages/customer/FutureChanges'));
const ChangeLog = lazy(() => import('../pages/customer/ChangeLog'));
const Licenses = lazy(() => import('../pages/customer/Licenses'));
const PortalUsers = lazy(() => import('../pages/customer/PortalUsers'));
const Company = lazy(() => import('../pages/customer/Company'));
const Profile = lazy(() => import('../pages/customer/Profile'));
const Agreements = lazy(() => import('../pages/customer/Agreements'));
const Invoices = lazy(() => import('../pages/customer/Invoices'));
const Usage = lazy(() => import('../pages/customer/Usage'));
const BillingReports = lazy(() => import('../pages/customer/BillingReports'));
const Customers = lazy(() => import('../pages/partner/Customers'));
const PriceLists = lazy(() => import('../pages/partner/PriceLists'));
const SaleProfiles = lazy(() => import('../pages/partner/SaleProfiles'));
const BillingSettings = lazy(() => import('../pages/partner/BillingSettings'));
const BillingRuns = lazy(() => import('../pages/partner/BillingRuns'));
const ProviderReports = lazy(() => import('../pages/partner/ProviderReports'));
const Resellers = lazy(() => import('../pages/partner/Resellers'));
const BrandingPage = lazy(() => import('../pages/partner/Branding'));
const Invitation = lazy(() => import('./InvitationPage'));

const elements: Record<string, JSX.Element> = {
  '/': <Home />,
  '/services': <Services />,
  '/catalog': <Catalog />,
  '/future-changes': <FutureChanges />,
  '/change-log': <ChangeLog />,
  '/licenses': <Licenses />,
  '/portal-users': <PortalUsers />,
  '/company': <Company />,
  '/profile': <Profile />,
  '/agreements': <Agreements />,
  '/invoices': <Invoices />,
  '/usage': <Usage />,
  '/billing-reports': <BillingReports />,
  '/partner/customers': <Customers />,
  '/partner/prices': <PriceLists />,
  '/partner/sale-profiles': <SaleProfiles />,
  '/partner/billing-settings': <BillingSettings />,
  '/partner/billing-runs': <BillingRuns />,
  '/partner/provider-reports': <ProviderReports />,
  '/partner/resellers': <Resellers />,
  '/partner/branding': <BrandingPage />,
};

export function App() {
  const session = useSession();
  const { t } = useI18n();
  const location = useLocation();
  const [branding, setBranding] = useState<Branding>(defaultBranding);
  useEffect(() => {
    void loadBranding().then(setBranding);
  }, []);
  const theme = useMemo(() => themeFor(branding.accentColor), [branding.accentColor]);
  const fallback = <Spinner label={t('app.loading')} />;

  let content;
  if (session.state === 'loading') content = fallback;
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
    <BrandingContext.Provider value={{ branding, setBranding }}>
      <FluentProvider theme={theme} style={{ minHeight: '100vh', background: '#f5f5f5' }}>
        {content}
      </FluentProvider>
    </BrandingContext.Provider>
  );
}
