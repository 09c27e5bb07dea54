import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { clientFile, generateClientTypes } from '../../scripts/generate-client.ts';

describe('the portal’s generated API client', () => {
  it('matches the OpenAPI document of the route table (run `npm run client` after changing a route)', async () => {
    const committed = await readFile(clientFile, 'utf8');
    const fresh = await generateClientTypes();
    expect(committed === fresh, 'portal/src/api/openapi.d.ts is out of date: run `npm run client`').toBe(true);
    // The client covers the routes the portal calls.
    expect(fresh).toContain('"/api/customers/{customerId}/subscriptions/{subscriptionId}/changes/preview"');
  });
});
