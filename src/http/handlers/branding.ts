import { z } from 'zod';
import { matchesIfNoneMatch, uploadLogo } from '../../app/branding.ts';
import { notFound } from '../../app/errors.ts';
import { publicBranding } from '../../app/partner-profile/partner-profile.ts';
import { LOGO_LIMITS, logoContentTypes } from '../../domain/logo.ts';
import { defineRoute } from '../route.ts';

const CACHE_CONTROL = 'public, max-age=3600';
/** An SVG is a document: nothing in it may run or load, only its own inline styles apply. */
const SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'";

export const putLogoRoute = defineRoute({
  name: 'putBrandingLogo',
  method: 'PUT',
  path: '/branding/logo',
  access: 'partnerAdmin',
  summary: `Upload the partner’s logo for the portal and the reports: PNG, JPEG or SVG, at most ${LOGO_LIMITS.width} x ${LOGO_LIMITS.height} px and ${LOGO_LIMITS.bytes / 1024} KiB`,
  tags: ['branding'],
  body: z.instanceof(Uint8Array),
  binaryBody: { contentTypes: Object.values(logoContentTypes), maxBytes: LOGO_LIMITS.bytes },
  responses: {
    200: {
      description: 'Stored',
      schema: z
        .object({
          contentType: z.string(),
          width: z.number().int(),
          height: z.number().int(),
          bytes: z.number().int(),
          etag: z.string(),
        })
        .meta({ id: 'Logo' }),
      headers: { ETag: 'Version of the logo' },
    },
  },
  async handler({ body, headers, services }) {
    const logo = await uploadLogo(services, body, headers.get('content-type') ?? '');
    return { status: 200, body: logo, headers: { etag: logo.etag } };
  },
});

export const getLogoRoute = defineRoute({
  name: 'getBrandingLogo',
  method: 'GET',
  path: '/branding/logo',
  access: 'anonymous',
  summary: 'The partner’s logo, cacheable for an hour; answers 304 to a matching If-None-Match',
  tags: ['branding'],
  requestHeaders: { 'If-None-Match': { description: 'The ETag of the copy the client has' } },
  responses: {
    200: {
      description: 'The logo',
      contentType: 'image/*',
      headers: { ETag: 'Version of the logo', 'Cache-Control': CACHE_CONTROL },
    },
    304: { description: 'Not modified since the ETag given' },
  },
  async handler({ headers, services }) {
    const logo = await services.logos.get();
    if (!logo) throw notFound('BRANDING.NO_LOGO', 'No logo has been uploaded.');
    const cacheHeaders = { etag: logo.etag, 'cache-control': CACHE_CONTROL };
    if (matchesIfNoneMatch(headers.get('if-none-match'), logo.etag)) return { status: 304, headers: cacheHeaders };
    const svg =
      logo.contentType === 'image/svg+xml'
        ? { 'content-security-policy': SVG_POLICY, 'x-content-type-options': 'nosniff' }
        : {};
    return { status: 200, body: logo.bytes, contentType: logo.contentType, headers: { ...cacheHeaders, ...svg } };
  },
});

const BRANDING_CACHE_CONTROL = 'public, max-age=300';

export const getBrandingRoute = defineRoute({
  name: 'getBranding',
  method: 'GET',
  path: '/branding',
  access: 'anonymous',
  summary: 'The partner’s public branding for the portal’s theme: name, accent colour and the logo’s URL (or null)',
  tags: ['branding'],
  responses: {
    200: {
      description: 'The public part of the partner profile',
      schema: z
        .object({ partnerName: z.string(), accentColor: z.string(), logoUrl: z.string().nullable() })
        .meta({ id: 'Branding' }),
      headers: { 'Cache-Control': BRANDING_CACHE_CONTROL },
    },
  },
  async handler({ services }) {
    return { status: 200, body: await publicBranding(services), headers: { 'cache-control': BRANDING_CACHE_CONTROL } };
  },
});
