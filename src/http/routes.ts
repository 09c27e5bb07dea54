import { createCustomerRoute, getCustomerRoute, listCustomersRoute, updateCustomerRoute } from './handlers/customers.ts';
import { getHealth } from './handlers/health.ts';
import { getMe } from './handlers/me.ts';
import { getOpenApi } from './handlers/openapi.ts';
import type { Route } from './route.ts';

/**
 * The route table: the single source of the Azure Functions registrations (functions/http.ts), the local
 * host (dev/), the OpenAPI document and the authorization tests. A route added here exists everywhere.
 */
export const routes: readonly Route[] = [
  getHealth,
  getOpenApi,
  getMe,
  listCustomersRoute,
  createCustomerRoute,
  getCustomerRoute,
  updateCustomerRoute,
];
