import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import fx from '@azure/functions';
import type { Page } from 'playwright-core';
import { startLocalHost } from '../dev/host.ts';
import { localEnv } from '../dev/settings.ts';
import { ensurePortalBuild } from '../dev/portal-build.ts';
import { launchBrowser } from '../tests/e2e/support/browser.ts';
import { median, round, type Benchmark } from './bench.ts';

/**
 * `portal/js-gzip-kb`: gzipped JavaScript the signed-in landing page loads (target at most 300 KB).
 * `portal/lcp`: Largest Contentful Paint of My Services in headless Chromium, against a static page of similar
 * content served by the same local host (ratio = ours / static).
 */
export const portal: Benchmark = async ({ quick }) => {
  if (!ensurePortalBuild(() => undefined)) throw new Error('portal build failed');
  const staticPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>static</title></head>
<body><h1>My Services</h1><table><tr><th>Product</th><th>Quantity</th></tr>
<tr><td>Microsoft 365 Business Premium</td><td>10</td></tr></table></body></html>`;
  const host = await startLocalHost({
    env: { ...localEnv(), AUTH_MODE: 'local', DATA_DIR: await mkdtemp(path.join(tmpdir(), 'csp-bench-portal-')) },
    port: 0,
    azurite: 'memory',
    seed: true,
    jobs: [],
    log: () => undefined,
    extraHandlers: [
      {
        method: 'GET',
        path: '/bench/static',
        handler: async () => new fx.HttpResponse({ body: staticPage, headers: { 'content-type': 'text/html' } }),
      },
    ],
  });
  const browser = await launchBrowser();
  try {
    const identities = (await (await fetch(`${host.url}/api/dev/sign-in`)).json()) as {
      identities: { id: string; role: string; customerName?: string }[];
    };
    const admin = identities.identities.find((i) => i.role === 'Admin' && i.customerName === 'Contoso Ltd');
    if (!admin) throw new Error('no demo admin');
    const signIn = async () =>
      (
        (await (
          await fetch(`${host.url}/api/dev/sign-in`, { method: 'POST', body: JSON.stringify({ id: admin.id }) })
        ).json()) as { token: string }
      ).token;
    const token = await signIn();

    const fresh = async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await context.addInitScript(`sessionStorage.setItem('portal.token', ${JSON.stringify(token)})`);
      return { context, page: await context.newPage() };
    };

    // JavaScript of the signed-in landing page, each file gzipped as a static host would serve it.
    const { context, page } = await fresh();
    const scripts = new Map<string, number>();
    const reading: Promise<void>[] = [];
    page.on('response', (response) => {
      if (/javascript/.test(response.headers()['content-type'] ?? ''))
        reading.push(
          response.body().then((body) => {
            scripts.set(response.url(), gzipSync(body, { level: 9 }).byteLength);
          }),
        );
    });
    await page.goto(`${host.url}/`, { waitUntil: 'networkidle' });
    await page.getByRole('navigation').waitFor();
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.waitForLoadState('networkidle');
    // Every script's body is read before the context (and its responses) goes away.
    await Promise.all(reading);
    await context.close();
    const jsKb = round([...scripts.values()].reduce((a, b) => a + b, 0) / 1024, 1);

    const runs = quick ? 3 : 7;
    const ours: number[] = [];
    const base: number[] = [];
    for (let i = 0; i < runs; i++) {
      const a = await fresh();
      await a.page.goto(`${host.url}/services`);
      await a.page.getByRole('table').first().waitFor();
      ours.push(await lcp(a.page));
      await a.context.close();
      const b = await fresh();
      await b.page.goto(`${host.url}/api/bench/static`);
      base.push(await lcp(b.page));
      await b.context.close();
    }
    const value = round(median(ours), 0);
    const baseline = round(median(base), 0);
    return [
      {
        name: 'portal/js-gzip-kb',
        value: jsKb,
        unit: 'KB',
        baseline: null,
        ratio: null,
        note: `${scripts.size} scripts on the signed-in landing page (target at most 300 KB)`,
      },
      {
        name: 'portal/lcp',
        value,
        unit: 'ms',
        baseline,
        ratio: round(value / Math.max(baseline, 1)),
        note: `My Services LCP vs a static page on the same host, median of ${runs}`,
      },
    ];
  } finally {
    await browser.close();
    await host.close();
  }
};

/** The page's Largest Contentful Paint (ms after navigation start), read with a buffered observer. */
function lcp(page: Page): Promise<number> {
  return page.evaluate(
    `new Promise((resolve) => {
      new PerformanceObserver((list) => {
        const entries = list.getEntries();
        resolve(entries[entries.length - 1].startTime);
      }).observe({ type: 'largest-contentful-paint', buffered: true });
      setTimeout(() => resolve(-1), 5000);
    })`,
  ) as Promise<number>;
}
