import type { MessageKey } from '../i18n/en';

export interface NavItem {
  path: string;
  key: MessageKey;
}

export const customerNav: NavItem[] = [
  { path: '/', key: 'nav.home' },
  { path: '/services', key: 'nav.services' },
  { path: '/catalog', key: 'nav.catalog' },
  { path: '/future-changes', key: 'nav.futureChanges' },
  { path: '/change-log', key: 'nav.changeLog' },
  { path: '/licenses', key: 'nav.licenses' },
  { path: '/portal-users', key: 'nav.portalUsers' },
  { path: '/company', key: 'nav.company' },
  { path: '/profile', key: 'nav.profile' },
  { path: '/agreements', key: 'nav.agreements' },
  { path: '/invoices', key: 'nav.invoices' },
  { path: '/usage', key: 'nav.usage' },
  { path: '/billing-reports', key: 'nav.billingReports' },
];

export const partnerNav: NavItem[] = [
  { path: '/partner/customers', key: 'nav.customers' },
  { path: '/partner/prices', key: 'nav.priceLists' },
  { path: '/partner/sale-profiles', key: 'nav.saleProfiles' },
  { path: '/partner/billing-settings', key: 'nav.billingSettings' },
  { path: '/partner/billing-runs', key: 'nav.billingRuns' },
  { path: '/partner/provider-reports', key: 'nav.providerReports' },
  { path: '/partner/resellers', key: 'nav.resellers' },
  { path: '/partner/branding', key: 'nav.branding' },
];
