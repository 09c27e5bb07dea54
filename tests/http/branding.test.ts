import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { buildGif, buildJpeg, buildPng, buildSvg } from '../support/images.ts';

let app: TestApp;
let partner: string;

beforeAll(async () => {
  app = await createTestApp();
  partner = await app.tokens.partnerAdmin();
});

const upload = (bytes: Uint8Array, contentType: string, token = partner) =>
  app.call('PUT', '/api/branding/logo', { token, rawBody: bytes, headers: { 'content-type': contentType } });
const download = (headers: Record<string, string> = {}) => app.call('GET', '/api/branding/logo', { headers });

describe('PUT and GET /api/branding/logo (F-BRAND)', () => {
  it('answers 404 before any logo is uploaded', async () => {
    expect(await download()).toMatchObject({ status: 404, body: { code: 'BRANDING.NO_LOGO' } });
  });

  it('stores a PNG of at most 502 x 81 px and serves it to anyone, cacheable, with 304 on If-None-Match', async () => {
    const png = buildPng({ width: 502, height: 81 });
    const stored = await upload(png, 'image/png');
    expect(stored).toMatchObject({
      status: 200,
      body: { contentType: 'image/png', width: 502, height: 81, bytes: png.byteLength },
    });

    const served = await download();
    expect(served.status).toBe(200);
    expect(Buffer.from(served.body as Uint8Array).equals(Buffer.from(png))).toBe(true);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('cache-control')).toBe('public, max-age=3600');
    const etag = served.headers.get('etag') ?? '';
    expect(etag).toBe(stored.headers.get('etag'));

    const revalidated = await download({ 'if-none-match': etag });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body).toBeUndefined();
    expect(revalidated.headers.get('etag')).toBe(etag);
    expect((await download({ 'if-none-match': '"something-else"' })).status).toBe(200);
  });

  it('stores a JPEG', async () => {
    expect(await upload(buildJpeg({ width: 400, height: 80 }), 'image/jpeg')).toMatchObject({
      status: 200,
      body: { contentType: 'image/jpeg', width: 400, height: 80 },
    });
  });

  it.each([
    [{ width: 503, height: 81 }, '503 x 81'],
    [{ width: 502, height: 82 }, '502 x 82'],
  ])('refuses a PNG of %j (400, naming the size), keeping the stored logo', async (size, text) => {
    const before = (await download()).headers.get('etag');
    const refused = await upload(buildPng(size), 'image/png');
    expect(refused).toMatchObject({
      status: 400,
      body: { code: 'BRANDING.IMAGE_TOO_LARGE', maxWidth: 502, maxHeight: 81 },
    });
    expect(refused.body.detail).toContain(text);
    expect((await download()).headers.get('etag')).toBe(before);
  });

  it('refuses what is not a PNG, JPEG or SVG, by its content', async () => {
    expect(await upload(buildGif(), 'image/png')).toMatchObject({
      status: 415,
      body: { code: 'BRANDING.UNSUPPORTED_IMAGE_TYPE', detectedType: 'gif' },
    });
    expect(await upload(buildPng(), 'image/jpeg')).toMatchObject({
      status: 415,
      body: { code: 'BRANDING.CONTENT_TYPE_MISMATCH' },
    });
    expect(await upload(new TextEncoder().encode('just some text'), 'image/png')).toMatchObject({
      status: 400,
      body: { code: 'BRANDING.NOT_AN_IMAGE' },
    });
    expect(await upload(buildPng().slice(0, 12), 'image/png')).toMatchObject({
      status: 400,
      body: { code: 'BRANDING.NOT_AN_IMAGE' },
    });
    expect(await upload(buildGif(), 'image/gif')).toMatchObject({
      status: 415,
      body: { code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE' },
    });
    expect(await upload(new Uint8Array(), 'image/png')).toMatchObject({
      status: 400,
      body: { errors: [{ path: 'body' }] },
    });
    const tooBig = new Uint8Array(512 * 1024 + 1);
    tooBig.set(buildPng());
    expect(await upload(tooBig, 'image/png')).toMatchObject({ status: 413, body: { code: 'REQUEST.TOO_LARGE' } });
  });

  it.each([
    ['a script element', { body: '<script>alert(1)</script>' }],
    ['a namespaced script element', { body: '<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>' }],
    ['an onload attribute', { attributes: ' onload="alert(1)"' }],
    ['an event handler after a slash', { body: '<rect/onclick=alert(1) width="1" height="1"/>' }],
    ['a javascript: link', { body: '<a href="javascript:alert(1)"><text>x</text></a>' }],
    ['an encoded javascript: link', { body: '<a href="jav&#x61;script&#58;alert(1)"><text>x</text></a>' }],
    ['a javascript: link split by a tab', { body: '<a xlink:href="java&#9;script:alert(1)"><text>x</text></a>' }],
    ['embedded HTML', { body: '<foreignObject width="10" height="10"><div>x</div></foreignObject>' }],
    ['an animated handler', { body: '<set attributeName="onmouseover" to="alert(1)"/>' }],
  ])('refuses an SVG with %s (400)', async (_, parts) => {
    const refused = await upload(buildSvg(parts), 'image/svg+xml');
    expect(refused).toMatchObject({ status: 400, body: { code: 'BRANDING.UNSAFE_SVG' } });
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
  });

  it('serves a clean SVG with a policy that lets nothing in it run or load', async () => {
    const svg = buildSvg({
      width: 480,
      height: 80,
      body: '<style>rect{fill:#1f6feb}</style><rect width="480" height="80"/>',
    });
    expect(await upload(svg, 'image/svg+xml')).toMatchObject({
      status: 200,
      body: { contentType: 'image/svg+xml', width: 480, height: 80 },
    });
    const served = await download();
    expect(served.headers.get('content-type')).toBe('image/svg+xml');
    expect(served.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await upload(buildSvg({ width: 1000, height: 80 }), 'image/svg+xml')).toMatchObject({
      status: 400,
      body: { code: 'BRANDING.IMAGE_TOO_LARGE' },
    });
  });

  it('is the partner’s to change', async () => {
    const customerAdmin = await app.tokens.customerUser('0b8f3f8e-53f4-4c86-9a31-5c1a4f1e2d01', 'Admin');
    expect((await upload(buildPng(), 'image/png', customerAdmin)).status).toBe(403);
  });
});
