import { Button, Dropdown, Option, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { useEffect, useState, type ReactNode } from 'react';
import { NavLink, useLocation } from 'react-router-dom';
import { api, call } from '../api/client';
import { useSession } from '../auth/session';
import { languages, useI18n, type Language } from '../i18n/i18n';
import { textOn } from './branding';
import { useBranding } from './branding-context';
import { customerNav, partnerNav } from './nav';

const useStyles = makeStyles({
  header: {
    display: 'flex',
    alignItems: 'center',
    gap: '12px',
    padding: '8px 16px',
    minHeight: '48px',
    flexWrap: 'wrap',
  },
  brand: { display: 'flex', alignItems: 'center', gap: '10px', fontWeight: 600, fontSize: '16px', marginRight: 'auto' },
  logo: { maxHeight: '32px', maxWidth: '160px', backgroundColor: '#fff', borderRadius: '2px', padding: '2px' },
  controls: { display: 'flex', alignItems: 'center', gap: '8px', flexWrap: 'wrap' },
  picker: { minWidth: '150px', maxWidth: '220px' },
  body: { display: 'flex', alignItems: 'stretch', minHeight: 'calc(100vh - 64px)' },
  nav: {
    width: '220px',
    flexShrink: 0,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRight: `1px solid ${tokens.colorNeutralStroke2}`,
    padding: '8px 0',
    '@media (max-width: 767px)': {
      position: 'absolute',
      zIndex: 10,
      width: '100%',
      display: 'none',
      boxShadow: tokens.shadow16,
    },
  },
  navOpen: { '@media (max-width: 767px)': { display: 'block' } },
  menuButton: { '@media (min-width: 768px)': { display: 'none' } },
  section: {
    margin: '12px 16px 4px',
    fontSize: '12px',
    fontWeight: 600,
    color: tokens.colorNeutralForeground2,
    textTransform: 'uppercase',
  },
  link: {
    display: 'block',
    padding: '8px 16px',
    color: tokens.colorNeutralForeground1,
    textDecoration: 'none',
    borderLeft: '3px solid transparent',
    ':hover': { backgroundColor: tokens.colorNeutralBackground1Hover },
    ':focus-visible': { outline: `2px solid ${tokens.colorStrokeFocus2}`, outlineOffset: '-2px' },
  },
  active: {
    borderLeft: `3px solid ${tokens.colorBrandStroke1}`,
    backgroundColor: tokens.colorNeutralBackground1Selected,
    fontWeight: 600,
  },
  main: { flexGrow: 1, minWidth: 0, padding: '20px', '@media (max-width: 767px)': { padding: '12px' } },
  skip: {
    position: 'absolute',
    left: '-9999px',
    ':focus': { left: '8px', top: '8px', zIndex: 20, backgroundColor: '#fff', padding: '8px', color: '#000' },
  },
});

export function Shell({ children }: { children: ReactNode }) {
  const styles = useStyles();
  const session = useSession();
  const { t, language, setLanguage } = useI18n();
  const { branding } = useBranding();
  const location = useLocation();
  const [open, setOpen] = useState(false);
  const [customers, setCustomers] = useState<{ id: string; name: string }[]>([]);

  useEffect(() => setOpen(false), [location.pathname]);
  useEffect(() => {
    if (session.isPartner) {
      void call(api.GET('/api/customers', { params: { query: { pageSize: 100 } } }))
        .then((page) => setCustomers(page.items.map((c) => ({ id: c.id, name: c.name }))))
        .catch(() => setCustomers([]));
    } else {
      setCustomers((session.me?.customers ?? []).map((c) => ({ id: c.customerId, name: c.customerName })));
    }
  }, [session.isPartner, session.me]);

  const foreground = textOn(branding.accentColor);
  const navLink = (path: string, label: string) => (
    <NavLink
      key={path}
      to={path}
      end
      className={({ isActive }) => mergeClasses(styles.link, isActive && styles.active)}
    >
      {label}
    </NavLink>
  );

  return (
    <>
      <a href="#main" className={styles.skip}>
        {t('app.skip')}
      </a>
      <header className={styles.header} style={{ backgroundColor: branding.accentColor, color: foreground }}>
        <Button
          className={styles.menuButton}
          appearance="subtle"
          style={{ color: foreground }}
          aria-expanded={open}
          aria-controls="portal-nav"
          onClick={() => setOpen(!open)}
        >
          ☰ {t('app.menu')}
        </Button>
        <div className={styles.brand}>
          {branding.logoUrl && <img className={styles.logo} src={branding.logoUrl} alt="" />}
          <span data-testid="partner-name">{branding.partnerName}</span>
        </div>
        <div className={styles.controls}>
          {customers.length > 0 && (
            <Dropdown
              className={styles.picker}
              aria-label={t('app.customer')}
              placeholder={t('app.customer')}
              value={session.customerName ?? ''}
              selectedOptions={session.customerId ? [session.customerId] : []}
              onOptionSelect={(_, data) => {
                const chosen = customers.find((c) => c.id === data.optionValue);
                if (chosen) session.setCustomer(chosen.id, chosen.name);
              }}
            >
              {customers.map((c) => (
                <Option key={c.id} value={c.id}>
                  {c.name}
                </Option>
              ))}
            </Dropdown>
          )}
          <Dropdown
            className={styles.picker}
            aria-label={t('app.language')}
            value={languages[language]}
            selectedOptions={[language]}
            onOptionSelect={(_, data) => setLanguage(data.optionValue as Language)}
          >
            {Object.entries(languages).map(([code, name]) => (
              <Option key={code} value={code}>
                {name}
              </Option>
            ))}
          </Dropdown>
          <Button appearance="secondary" onClick={() => void session.signOut()}>
            {t('app.signOut')}
          </Button>
        </div>
      </header>
      <div className={styles.body}>
        <nav id="portal-nav" aria-label={t('app.menu')} className={mergeClasses(styles.nav, open && styles.navOpen)}>
          {session.customerId && (
            <>
              <div className={styles.section} aria-hidden="true">
                {session.customerName ?? t('nav.customerSection')}
              </div>
              {customerNav.map((item) => navLink(item.path, t(item.key)))}
            </>
          )}
          {!session.customerId && navLink('/', t('nav.home'))}
          {session.isPartner && (
            <>
              <div className={styles.section} aria-hidden="true">
                {t('nav.partnerSection')}
              </div>
              {partnerNav.map((item) => navLink(item.path, t(item.key)))}
            </>
          )}
        </nav>
        <main id="main" className={styles.main}>
          {children}
        </main>
      </div>
    </>
  );
}
