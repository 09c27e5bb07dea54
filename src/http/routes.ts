import {
  createCustomerRoute,
  getCustomerRoute,
  listCustomersRoute,
  updateCustomerRoute,
} from './handlers/customers.ts';
import {
  createProductRoute,
  deleteProductRoute,
  getProductRoute,
  listProductsRoute,
  putProductRoute,
} from './handlers/catalog.ts';
import { getCustomerCatalogRoute } from './handlers/customer-catalog.ts';
import { getHealth } from './handlers/health.ts';
import { importPricesRoute, listPricesRoute, putPricesRoute } from './handlers/price-lists.ts';
import {
  getCustomerSaleProfileRoute,
  getSaleProfileRoute,
  listSaleProfilesRoute,
  putCustomerSaleProfileRoute,
  putSaleProfileRoute,
} from './handlers/sale-profiles.ts';
import { getMe } from './handlers/me.ts';
import {
  addOneOffChargeRoute,
  downloadInvoiceRoute,
  getBillingRunRoute,
  getInvoiceRoute,
  listInvoicesRoute,
  markInvoicePaidRoute,
  startBillingRunRoute,
} from './handlers/billing.ts';
import { exportChangeLogRoute, listChangeLogRoute } from './handlers/change-log.ts';
import {
  getBillingConfirmationRoute,
  getPartnerProfileRoute,
  putBillingConfirmationRoute,
  putPartnerProfileRoute,
} from './handlers/settings.ts';
import {
  buySubscriptionRoute,
  cancelFutureChangeRoute,
  changeSubscriptionRoute,
  getSubscriptionRoute,
  listFutureChangesRoute,
  listSubscriptionsRoute,
  previewChangeRoute,
  syncSubscriptionsRoute,
} from './handlers/subscriptions.ts';
import { openApiRoute } from './handlers/openapi.ts';
import { getProblemRoute, listProblemsRoute } from './handlers/problems.ts';
import {
  acceptInvitationRoute,
  getPortalUserRoute,
  invitePortalUserRoute,
  listPortalUsersRoute,
  sendInvitationRoute,
  updatePortalUserRoute,
} from './handlers/portal-users.ts';
import {
  getCompanyProfileRoute,
  getMyProfileRoute,
  updateCompanyProfileRoute,
  updateMyProfileRoute,
} from './handlers/profiles.ts';
import { acceptAgreementRoute, listAgreementsRoute } from './handlers/agreements.ts';
import { createTenantRoute, domainAvailabilityRoute } from './handlers/tenants.ts';
import { getBrandingRoute, getLogoRoute, putLogoRoute } from './handlers/branding.ts';
import { m365Routes } from './handlers/m365.ts';
import { usageRoutes } from './handlers/usage.ts';
import { resellerRoutes } from './handlers/resellers.ts';
import { reportRoutes } from './handlers/reports.ts';
import { assistantRoutes } from './handlers/assistant.ts';
import { getUpcomingInvoiceRoute } from './handlers/upcoming-invoice.ts';
import { advanceSimulatorClockRoute, getSimulatorClockRoute } from './handlers/simulator-clock.ts';
import type { Route } from './route.ts';
import { reconciliationRoutes } from './handlers/reconciliation.ts';
import { psaRoutes } from './handlers/psa.ts';

/**
 * The route table: the single source of the Azure Functions registrations (functions/http.ts), the local
 * host (dev/), the OpenAPI document and the authorization tests. A route added here exists everywhere.
 */
export const routes: readonly Route[] = [
  getHealth,
  openApiRoute(() => routes),
  listProblemsRoute,
  getProblemRoute,
  getMe,
  listCustomersRoute,
  createCustomerRoute,
  getCustomerRoute,
  updateCustomerRoute,
  listProductsRoute,
  createProductRoute,
  getProductRoute,
  putProductRoute,
  deleteProductRoute,
  listPricesRoute,
  putPricesRoute,
  importPricesRoute,
  listSaleProfilesRoute,
  getSaleProfileRoute,
  putSaleProfileRoute,
  getCustomerSaleProfileRoute,
  putCustomerSaleProfileRoute,
  getCustomerCatalogRoute,
  listSubscriptionsRoute,
  getSubscriptionRoute,
  buySubscriptionRoute,
  changeSubscriptionRoute,
  previewChangeRoute,
  syncSubscriptionsRoute,
  listFutureChangesRoute,
  cancelFutureChangeRoute,
  listChangeLogRoute,
  exportChangeLogRoute,
  getBillingConfirmationRoute,
  putBillingConfirmationRoute,
  getPartnerProfileRoute,
  putPartnerProfileRoute,
  listInvoicesRoute,
  getInvoiceRoute,
  downloadInvoiceRoute,
  markInvoicePaidRoute,
  addOneOffChargeRoute,
  startBillingRunRoute,
  getBillingRunRoute,
  listPortalUsersRoute,
  invitePortalUserRoute,
  getPortalUserRoute,
  updatePortalUserRoute,
  sendInvitationRoute,
  acceptInvitationRoute,
  getCompanyProfileRoute,
  updateCompanyProfileRoute,
  getMyProfileRoute,
  updateMyProfileRoute,
  listAgreementsRoute,
  acceptAgreementRoute,
  domainAvailabilityRoute,
  createTenantRoute,
  putLogoRoute,
  getLogoRoute,
  getBrandingRoute,
  ...m365Routes,
  ...usageRoutes,
  ...resellerRoutes,
  ...reportRoutes,
  ...reconciliationRoutes,
  ...psaRoutes,
  ...assistantRoutes,
  getUpcomingInvoiceRoute,
  getSimulatorClockRoute,
  advanceSimulatorClockRoute,
];
