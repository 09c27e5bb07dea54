import createClient from 'openapi-fetch';

/**
 * The local host's demo sign-in (AUTH_MODE=local only, not part of the API's OpenAPI document, like a dev tool):
 * its two operations typed here in the same form as the generated paths.
 */
export interface DemoIdentity {
  id: string;
  email: string;
  name: string;
  role: 'PartnerAdmin' | 'Admin' | 'Modify' | 'View';
  customerId?: string;
  customerName?: string;
}

interface DevPaths {
  '/api/dev/sign-in': {
    get: { responses: { 200: { content: { 'application/json': { identities: DemoIdentity[] } } } } };
    post: {
      requestBody: { content: { 'application/json': { id: string } | { email: string; customerId?: string } } };
      responses: { 200: { content: { 'application/json': { token: string } } } };
    };
  };
}

export const devApi = createClient<DevPaths>({ baseUrl: window.location.origin });
