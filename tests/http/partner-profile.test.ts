import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { buildPng } from '../support/images.ts';

/** F-BRAND: the partner profile (partner admins) and its public part, the portal's branding (anyone). */
let app: TestApp;
let partner: string;

beforeAll(async () => {
  app = await createTestApp({ PARTNER_NAME: 'Fabrikam Cloud Services' });
  partner = await app.tokens.partnerAdmin();
});

const profile = {
  legalName: 'Fabrikam Cloud Services GmbH',
  address: { line1: 'Bahnhofstrasse 1', city: 'Zürich', postalCode: '8001', country: 'CH' },
  taxId: 'CHE-123.456.789 MWST',
  supportEmail: 'support@fabrikam.example',
  supportPhone: '+41 44 123 45 67',
  accentColor: '#0a7d5a',
};

describe('GET and PUT /api/settings/partner-profile', () => {
  it('answers PARTNER_NAME and the default colour until a profile is saved, and the branding says so', async () => {
    const read = await app.call('GET', '/api/settings/partner-profile', { token: partner });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ legalName: 'Fabrikam Cloud Services', accentColor: '#1F4E79' });
    expect(read.headers.get('etag')).toBeNull();
    expect(await app.call('GET', '/api/branding')).toMatchObject({
      status: 200,
      body: { partnerName: 'Fabrikam Cloud Services', accentColor: '#1F4E79', logoUrl: null },
    });
  });

  it('saves a profile, then replaces it only with the current ETag', async () => {
    const created = await app.call('PUT', '/api/settings/partner-profile', { token: partner, body: profile });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ ...profile, accentColor: '#0A7D5A' });
    const etag = created.headers.get('etag') ?? '';
    expect(etag).not.toBe('');

    const read = await app.call('GET', '/api/settings/partner-profile', { token: partner });
    expect(read.body).toEqual(created.body);
    expect(read.headers.get('etag')).toBe(etag);

    // Without If-Match it exists already; with a stale one it has changed since.
    expect((await app.call('PUT', '/api/settings/partner-profile', { token: partner, body: profile })).status).toBe(
      409,
    );
    const changed = { ...profile, supportPhone: '+41 44 000 00 00' };
    const replaced = await app.call('PUT', '/api/settings/partner-profile', {
      token: partner,
      body: changed,
      headers: { 'if-match': etag },
    });
    expect(replaced.status).toBe(200);
    const stale = await app.call('PUT', '/api/settings/partner-profile', {
      token: partner,
      body: profile,
      headers: { 'if-match': etag },
    });
    expect(stale.status).toBe(412);
    expect((await app.call('GET', '/api/settings/partner-profile', { token: partner })).body).toMatchObject({
      supportPhone: '+41 44 000 00 00',
    });
  });

  it.each([
    [{ ...profile, accentColor: 'green' }, 'body.accentColor'],
    [{ ...profile, legalName: ' ' }, 'body.legalName'],
    [{ ...profile, supportEmail: 'not-mail' }, 'body.supportEmail'],
    [{ ...profile, address: { ...profile.address, country: 'DE' } }, 'body.address.postalCode'],
  ])('refuses bad input naming the field (%#)', async (body, path) => {
    const refused = await app.call('PUT', '/api/settings/partner-profile', { token: partner, body });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect((refused.body as { errors: { path: string }[] }).errors.map((e) => e.path)).toContain(path);
  });

  it('is for partner admins only; the branding is public and points at the logo once there is one', async () => {
    const stranger = await app.tokens.stranger();
    expect((await app.call('GET', '/api/settings/partner-profile', { token: stranger })).status).toBe(403);
    expect((await app.call('GET', '/api/settings/partner-profile')).status).toBe(401);
    const logo = await app.call('PUT', '/api/branding/logo', {
      token: partner,
      rawBody: buildPng({ width: 200, height: 40 }),
      headers: { 'content-type': 'image/png' },
    });
    expect(logo.status).toBe(200);
    const branding = await app.call('GET', '/api/branding');
    expect(branding.body).toEqual({
      partnerName: 'Fabrikam Cloud Services GmbH',
      accentColor: '#0A7D5A',
      logoUrl: '/api/branding/logo',
    });
    expect(branding.headers.get('cache-control')).toBe('public, max-age=300');
  });
});
