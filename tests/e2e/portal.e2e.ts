import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import {
  launchBrowser,
  navigateInApp,
  screenshot,
  seriousViolations,
  settled,
  trackRequests,
  viewports,
  type AxeViolation,
} from './support/browser.ts';
import { signIn, startPortalHost, type PortalHost } from './support/portal-host.ts';
import type { DemoIdentity } from '../../dev/portal.ts';
import { en } from '../../portal/src/i18n/en.ts';
import { de } from '../../portal/src/i18n/de.ts';

/**
 * The reference portal in Debian's Chromium against the local host (`npm start`'s host, in-memory Azurite, the
 * last months of the demo's history replayed on the simulator clock the host then runs on). Every page is screenshotted at desktop and phone width and checked with axe-core at both.
 */
let portal: PortalHost;
let browser: Browser;
let contoso: string;

const customerPages = [
  ['home', '/'],
  ['services', '/services'],
  ['catalog', '/catalog'],
  ['future-changes', '/future-changes'],
  ['change-log', '/change-log'],
  ['licenses', '/licenses'],
  ['portal-users', '/portal-users'],
  ['company', '/company'],
  ['profile', '/profile'],
  ['agreements', '/agreements'],
  ['invoices', '/invoices'],
  ['usage', '/usage'],
  ['billing-reports', '/billing-reports'],
] as const;
const partnerPages = [
  ['partner-customers', '/partner/customers'],
  ['partner-prices', '/partner/prices'],
  ['partner-sale-profiles', '/partner/sale-profiles'],
  ['partner-billing-settings', '/partner/billing-settings'],
  ['partner-billing-runs', '/partner/billing-runs'],
  ['partner-provider-reports', '/partner/provider-reports'],
  ['partner-resellers', '/partner/resellers'],
  ['partner-branding', '/partner/branding'],
] as const;

beforeAll(async () => {
  portal = await startPortalHost();
  browser = await launchBrowser();
  const admin = await portal.identity('Contoso Ltd', 'Admin');
  contoso = admin.customerId!;
  // No billing run of its own: the seed replayed months of history on the simulator clock, monthly runs included.
}, 480_000);

afterAll(async () => {
  await browser?.close();
  await portal?.host.close();
});

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: viewports.desktop, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  trackRequests(page);
  return { context, page };
}

/**
 * Signs the page's browser in as a demo identity with a token from the demo sign-in (the one the sign-in page gets;
 * the first test goes through that page), so that a test starts on the page it is about.
 */
async function signInWithToken(page: Page, identity: DemoIdentity): Promise<void> {
  const token = await portal.token({ id: identity.id });
  await page
    .context()
    .addInitScript(`try { sessionStorage.setItem('portal.token', ${JSON.stringify(token)}); } catch {}`);
}

async function visitAll(
  page: Page,
  pages: readonly (readonly [string, string])[],
): Promise<Record<string, AxeViolation[]>> {
  const found: Record<string, AxeViolation[]> = {};
  for (const [name, path] of pages) {
    await page.setViewportSize(viewports.desktop);
    // The first page is loaded, the others reached as a click in the navigation would (no reload of the app).
    if (!page.url().startsWith(portal.url)) await page.goto(`${portal.url}${path}`);
    else if (new URL(page.url()).pathname !== path) await navigateInApp(page, path);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await settled(page);
    // The problem detail is shown when a page fails; no page of the demo should.
    expect(await page.getByRole('alert').count(), `${name} shows an error`).toBe(0);
    found[`${name} desktop`] = await seriousViolations(page);
    await screenshot(page, `${name}-desktop`);
    await page.setViewportSize(viewports.phone);
    await settled(page);
    // On a phone tables are stacked cards: another markup, checked as well.
    found[`${name} phone`] = await seriousViolations(page);
    await screenshot(page, `${name}-phone`);
  }
  return found;
}

const summary = (found: Record<string, AxeViolation[]>) =>
  Object.entries(found).flatMap(([page, list]) =>
    list.map(
      (v) =>
        `${page}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes
          .map((n) => n.html)
          .slice(0, 2)
          .join(' | ')}`,
    ),
  );

describe('the portal in a browser', () => {
  it('shows every customer page to a demo Admin, at desktop and phone width, with no serious axe violation', async () => {
    const { context, page } = await newPage();
    await page.goto(`${portal.url}/`);
    await settled(page);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'sign-in-desktop');
    await signIn(page, portal.url, await portal.identity('Contoso Ltd', 'Admin'));
    await expect(page.getByTestId('partner-name').textContent()).resolves.toBeTruthy();
    expect(summary(await visitAll(page, customerPages))).toEqual([]);
    await context.close();
  }, 420_000);

  it('shows every partner page to the partner admin, with no serious axe violation', async () => {
    const { context, page } = await newPage();
    await signInWithToken(page, await portal.identity('', 'PartnerAdmin'));
    expect(summary(await visitAll(page, partnerPages))).toEqual([]);
    await context.close();
  }, 420_000);

  it("charts the demo history's Azure usage for a subscription, and lists more than one invoice", async () => {
    const { context, page } = await newPage();
    await signInWithToken(page, await portal.identity('Contoso Ltd', 'Admin'));
    await page.goto(`${portal.url}/usage`);
    await page.getByRole('combobox', { name: 'Subscription' }).click();
    await page.getByRole('option', { name: 'Azure plan' }).click();
    const chart = page.getByRole('img', { name: 'Azure usage per month' });
    await chart.waitFor();
    // Bars of some height: months with usage in them, pulled daily by the host's timers while the seed replayed.
    const heights = await chart
      .locator('rect')
      .evaluateAll((bars) => bars.map((b) => Number(b.getAttribute('height'))));
    expect(heights.filter((h) => h > 0).length, 'months with usage').toBeGreaterThan(0);
    const meters = page.getByRole('table', { name: 'Meter' }).getByRole('row');
    await expect.poll(() => meters.count()).toBeGreaterThan(1); // a header and at least one meter
    await expect(meters.nth(1).textContent()).resolves.toMatch(/USD\s\d/);
    await screenshot(page, 'usage-subscription-desktop');

    await navigateInApp(page, '/invoices');
    await settled(page);
    const invoices = async () => (await page.getByRole('row').count()) - 1; // less the header
    const open = await invoices();
    await page.getByRole('radio', { name: 'Paid' }).click();
    await settled(page);
    const paid = await invoices();
    expect(open + paid, `invoices (open ${open}, paid ${paid})`).toBeGreaterThan(1);
    await context.close();
  }, 90_000);

  it('shows every customer page in German when the user picks Deutsch, with no English label left', async () => {
    const { context, page } = await newPage();
    await signInWithToken(page, await portal.identity('Contoso Ltd', 'Admin'));
    await page.goto(`${portal.url}/`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    // As a user does: the header's language picker.
    await page.getByRole('combobox', { name: 'Language' }).click();
    await page.getByRole('option', { name: 'Deutsch' }).click();
    await page.getByRole('combobox', { name: 'Sprache' }).waitFor();
    await expect(page.evaluate('document.documentElement.lang')).resolves.toBe('de');
    const leaks: string[] = [];
    for (const [name, path] of customerPages) {
      if (new URL(page.url()).pathname !== path) await navigateInApp(page, path);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await settled(page);
      expect(await page.getByRole('alert').count(), `${name} shows an error`).toBe(0);
      const text = (await page.locator('body').innerText()).replace(/\s+/g, ' ');
      leaks.push(...englishLabels.filter((label) => text.includes(label)).map((label) => `${name}: "${label}"`));
      // One-word labels ("Catalog", "Purchased", "monthly") only as a whole text of their own, not inside data.
      const texts = new Set(
        (await page.evaluate(
          `[...document.querySelectorAll('body *')].flatMap((e) => [...e.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent.trim()))`,
        )) as string[],
      );
      leaks.push(...englishWords.filter((word) => texts.has(word)).map((word) => `${name}: "${word}"`));
      await screenshot(page, `de-${name}-desktop`);
    }
    expect(leaks).toEqual([]);
    // A few labels checked by name too, so that the generic check above cannot pass by matching nothing.
    await expect(page.getByRole('link', { name: 'Meine Dienste' }).count()).resolves.toBe(1);
    await expect(page.getByRole('link', { name: 'My Services' }).count()).resolves.toBe(0);
    await context.close();
  }, 240_000);

  it('raises a quantity on a custom date with a live preview, and lists it in Future Changes', async () => {
    const { context, page } = await newPage();
    await signInWithToken(page, await portal.identity('Contoso Ltd', 'Admin'));
    await page.goto(`${portal.url}/services`);
    await page.getByRole('button', { name: 'Change Microsoft 365 Business Premium' }).click();
    const dialog = page.getByRole('dialog');
    // The demo's Contoso holds 25 Business Premium seats: 30 is an increase, allowed at any time.
    const quantity = dialog.getByRole('spinbutton', { name: 'New quantity' });
    await quantity.fill('30');
    // The spin button commits on blur; let the immediate preview arrive before choosing the date, as a person
    // reading it would, so that the click lands on a dialog that has finished changing.
    await quantity.blur();
    await dialog.getByTestId('new-monthly-cost').waitFor();
    await dialog.getByRole('radio', { name: 'Custom date' }).check();
    const date = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    await dialog.getByLabel('Effective date').fill(date);
    await expect(dialog.getByTestId('new-monthly-cost').textContent()).resolves.toMatch(/USD\s\d/);
    // How the change moves the upcoming invoice: before → after (difference), in the customer's currency.
    await expect(dialog.getByTestId('upcoming-invoice-move').textContent()).resolves.toMatch(/USD\s.+→.+USD\s.+\(.+\)/);
    await screenshot(page, 'change-dialog-desktop');
    await dialog.getByRole('button', { name: 'Submit change' }).click();
    await page.getByRole('status').filter({ hasText: 'Change scheduled' }).waitFor();
    await page.getByRole('link', { name: 'Future Changes' }).click();
    const row = page
      .getByRole('row')
      .filter({ hasText: 'Microsoft 365 Business Premium' })
      .filter({ hasText: 'quantity → 30' });
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('Pending');
    await context.close();
  }, 90_000);

  it('explains why a decrease outside the NCE window is refused, with the date it would work', async () => {
    const { context, page } = await newPage();
    await signInWithToken(page, await portal.identity('Contoso Ltd', 'Admin'));
    await page.goto(`${portal.url}/services`);
    await page.getByRole('button', { name: 'Change Microsoft 365 Business Premium' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('spinbutton', { name: 'New quantity' }).fill('5');
    await dialog.getByRole('spinbutton', { name: 'New quantity' }).blur();
    const refusal = dialog.getByTestId('refusal');
    await refusal.waitFor();
    const text = (await refusal.textContent()) ?? '';
    expect(text).toContain('This change is not possible');
    expect(text).toMatch(/within 168 hours/);
    expect(text).toMatch(/can be scheduled for the renewal on \d+\/\d+\/\d{4}/);
    await expect(dialog.getByRole('button', { name: 'Submit change' }).isDisabled()).resolves.toBe(true);
    await screenshot(page, 'change-refused-desktop');
    // The suggestion works: on renewal the same decrease is accepted.
    await dialog.getByRole('button', { name: 'Schedule on renewal instead' }).click();
    await dialog.getByTestId('new-monthly-cost').waitFor();
    await expect(dialog.getByRole('button', { name: 'Submit change' }).isDisabled()).resolves.toBe(false);
    await context.close();
  }, 90_000);

  it('buys from the catalog', async () => {
    const { context, page } = await newPage();
    await signInWithToken(page, await portal.identity('Northwind Traders', 'Admin'));
    await page.goto(`${portal.url}/catalog`);
    await page.getByRole('searchbox').fill('Business Basic');
    const buy = page.getByRole('button', { name: /^Buy Microsoft 365 Business Basic/ }).first();
    await buy.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('spinbutton', { name: 'Quantity' }).fill('3');
    await dialog.getByRole('button', { name: 'Buy' }).click();
    await page.getByRole('status').filter({ hasText: 'Ordered' }).waitFor();
    await page.getByRole('link', { name: 'My Services' }).click();
    await page.getByRole('row').filter({ hasText: 'Microsoft 365 Business Basic' }).first().waitFor();
    await context.close();
  }, 90_000);

  it('assigns a license to a user', async () => {
    const { context, page } = await newPage();
    const admin = await portal.identity('Contoso Ltd', 'Admin');
    await signInWithToken(page, admin);
    await page.goto(`${portal.url}/licenses`);
    // The demo's users hold every Business Premium seat, so one license is given back first, then assigned again.
    const boxes = page.getByRole('checkbox', { name: /^Assign Microsoft 365 Business Premium to / });
    await boxes.first().waitFor();
    let userName = '';
    for (const candidate of await boxes.all()) {
      if (!(await candidate.isChecked())) continue;
      userName = ((await candidate.getAttribute('aria-label')) ?? '').replace(
        /^Assign Microsoft 365 Business Premium to /,
        '',
      );
      break;
    }
    expect(userName, 'a demo user with Business Premium').not.toBe('');
    const box = page.getByRole('checkbox', { name: `Assign Microsoft 365 Business Premium to ${userName}` });
    // Applied, the table is read again: the box is usable once it shows what Microsoft's side now holds.
    const apply = async (checked: boolean) => {
      await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/m365/licenses/assignments') && r.request().method() === 'POST'),
        page.getByRole('button', { name: /Apply changes/ }).click(),
      ]);
      await expect
        .poll(async () => (await box.isEnabled()) && (await box.isChecked()) === checked, { timeout: 20_000 })
        .toBe(true);
    };
    await box.uncheck();
    await apply(false);
    const licensesOf = async () => {
      const answer = await portal.api(
        'GET',
        `/api/customers/${contoso}/m365/users?search=${encodeURIComponent(userName.split(' ')[0] ?? '')}`,
        await portal.token({ id: admin.id }),
      );
      const body = (await answer.json()) as { items: { displayName: string; licenses: { name: string }[] }[] };
      return body.items.find((u) => u.displayName === userName)?.licenses.map((l) => l.name) ?? [];
    };
    // Microsoft's side no longer holds it before it is assigned again.
    await expect.poll(licensesOf, { timeout: 20_000 }).not.toContain('Microsoft 365 Business Premium');
    await box.check();
    await apply(true);
    // Microsoft's side (the directory simulator) holds the assignment.
    const token = await portal.token({ id: admin.id });
    const users = (await (
      await portal.api(
        'GET',
        `/api/customers/${contoso}/m365/users?search=${encodeURIComponent(userName.split(' ')[0] ?? '')}`,
        token,
      )
    ).json()) as {
      items: { displayName: string; licenses: { name: string }[] }[];
    };
    expect(users.items.find((u) => u.displayName === userName)?.licenses.map((l) => l.name)).toContain(
      'Microsoft 365 Business Premium',
    );
    await context.close();
  }, 90_000);

  it('sets the usage location of a user who has none, at phone width, then assigns them a license', async () => {
    const admin = await portal.identity('Contoso Ltd', 'Admin');
    const token = await portal.token({ id: admin.id });
    const { tenantId } = (await (await portal.api('GET', `/api/customers/${contoso}`, token)).json()) as {
      tenantId: string;
    };
    // A user made in Microsoft's admin center without a country (the directory simulator stands for the tenant).
    const suffix = Date.now().toString(36);
    const name = `Noor Haddad ${suffix}`;
    const user = await portal.host.services.directorySimulator!.seedUser(tenantId, {
      displayName: name,
      userPrincipalName: `noor.${suffix}@contoso.example`,
    });
    // One Business Premium seat is given back first, so that a free one is there for Noor whatever the demo holds.
    const listed = (await (
      await portal.api('GET', `/api/customers/${contoso}/m365/users?pageSize=200`, token)
    ).json()) as {
      items: { id: string; licenses: { name: string }[] }[];
    };
    const holder = listed.items.find((u) => u.licenses.some((l) => l.name === 'Microsoft 365 Business Premium'));
    const freed = await portal.api('POST', `/api/customers/${contoso}/m365/users/${holder?.id}/licenses`, token, {
      remove: ['SPB'],
    });
    expect(freed.status).toBe(200);

    const context = await browser.newContext({ viewport: viewports.phone });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    trackRequests(page);
    await signInWithToken(page, admin);
    await page.goto(`${portal.url}/licenses`);
    const country = page.getByLabel(`Usage location of ${name}`, { exact: true });
    await country.waitFor();
    const box = page.getByRole('checkbox', { name: `Assign Microsoft 365 Business Premium to ${name}` });
    // Without a usage location the toggle is off limits, and the page says why.
    expect(await box.isDisabled()).toBe(true);
    await expect.poll(async () => (await box.getAttribute('aria-describedby')) ?? '').toMatch(/^no-usage-location-/);
    await settled(page);
    expect(summary({ 'licenses phone, usage location missing': await seriousViolations(page) })).toEqual([]);
    await screenshot(page, 'licenses-usage-location-missing-phone');

    await country.selectOption('GB');
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/m365/users/${user.id}`) && r.request().method() === 'PATCH'),
      page.getByRole('button', { name: `Set the usage location of ${name}` }).click(),
    ]);
    await page.getByText(`Usage location of ${name} set to United Kingdom.`).waitFor();
    await expect.poll(() => box.isEnabled(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByLabel(`Usage location of ${name}`, { exact: true }).count()).toBe(0);
    await box.check();
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/m365/licenses/assignments') && r.request().method() === 'POST'),
      page.getByRole('button', { name: /Apply changes/ }).click(),
    ]);
    await expect.poll(async () => (await box.isEnabled()) && (await box.isChecked()), { timeout: 20_000 }).toBe(true);
    await settled(page);
    expect(summary({ 'licenses phone, usage location set': await seriousViolations(page) })).toEqual([]);
    await screenshot(page, 'licenses-usage-location-set-phone');

    // Microsoft's side (the directory simulator) has the usage location and the license.
    const after = (await (
      await portal.api('GET', `/api/customers/${contoso}/m365/users?search=Noor`, token)
    ).json()) as { items: { id: string; usageLocation?: string; licenses: { name: string }[] }[] };
    expect(after.items.find((u) => u.id === user.id)).toMatchObject({
      usageLocation: 'GB',
      licenses: [expect.objectContaining({ name: 'Microsoft 365 Business Premium' })],
    });
    await context.close();
  }, 120_000);

  it('invites a user, who accepts the invitation from the mailed link', async () => {
    const email = `new.user.${Date.now()}@contoso.example`;
    const { context, page } = await newPage();
    await signInWithToken(page, await portal.identity('Contoso Ltd', 'Admin'));
    await page.goto(`${portal.url}/portal-users`);
    await page.getByRole('textbox', { name: 'First name' }).fill('Nina');
    await page.getByRole('textbox', { name: 'Last name' }).fill('Newcomer');
    await page.getByRole('textbox', { name: 'Email' }).fill(email);
    await page.getByRole('button', { name: 'Send invitation' }).first().click();
    await page
      .getByRole('status')
      .filter({ hasText: `Invitation sent to ${email}` })
      .waitFor();
    await expect(page.getByRole('row').filter({ hasText: email }).textContent()).resolves.toContain('Invited');

    const link = await portal.invitationLink(email);
    const invitee = await browser.newContext({ viewport: viewports.phone });
    const phone = await invitee.newPage();
    await phone.goto(link);
    await phone.getByRole('textbox', { name: /any email/ }).fill(email);
    await phone.getByRole('button', { name: 'Sign in' }).last().click();
    await phone.getByRole('button', { name: 'Accept invitation' }).click();
    await phone.getByRole('status').filter({ hasText: 'You now have View access' }).waitFor();
    await screenshot(phone, 'invitation-accepted-phone');
    await phone.getByRole('link', { name: 'Go to the portal' }).click();
    await phone.getByRole('heading', { name: /Welcome/ }).waitFor();
    await invitee.close();

    await page.reload();
    await expect(page.getByRole('row').filter({ hasText: email }).textContent()).resolves.toContain('Active');
    await context.close();
  }, 90_000);

  it('downloads an invoice and a billing report', async () => {
    const { context, page } = await newPage();
    await signInWithToken(page, await portal.identity('Contoso Ltd', 'Admin'));
    await page.goto(`${portal.url}/invoices`);
    const [invoice] = await Promise.all([
      page.waitForEvent('download'),
      page
        .getByRole('button', { name: /^Download / })
        .first()
        .click(),
    ]);
    expect(invoice.suggestedFilename()).toMatch(/^invoice-.*\.csv$/);
    const csv = await readDownload(invoice);
    expect(csv.split('\n').length).toBeGreaterThan(1);

    await page.getByRole('link', { name: 'Billing Reports' }).click();
    const [report] = await Promise.all([
      page.waitForEvent('download'),
      page
        .getByRole('button', { name: /^Download .* xlsx$/ })
        .first()
        .click(),
    ]);

    expect(report.suggestedFilename()).toMatch(/\.xlsx$/);
    const bytes = Buffer.from(await readDownload(report, 'binary'), 'binary');
    expect(bytes.subarray(0, 2).toString()).toBe('PK'); // a zip: an xlsx workbook
    await context.close();
  }, 90_000);

  it('shows a View user no change controls, and the API refuses those calls anyway', async () => {
    const { context, page } = await newPage();
    const viewer = await portal.identity('Contoso Ltd', 'View');
    await signInWithToken(page, viewer);
    await page.goto(`${portal.url}/services`);
    await page.getByRole('row').filter({ hasText: 'Microsoft 365 Business Premium' }).first().waitFor();
    await expect(page.getByRole('button', { name: /^Change / }).count()).resolves.toBe(0);
    await page.getByText('You have read-only access').waitFor();
    await page.goto(`${portal.url}/catalog`);
    await page.getByRole('row').nth(1).waitFor();
    await expect(page.getByRole('button', { name: /^Buy / }).count()).resolves.toBe(0);
    await page.goto(`${portal.url}/licenses`);
    await page.getByRole('checkbox').first().waitFor();
    await expect(page.getByRole('checkbox').first().isDisabled()).resolves.toBe(true);
    await screenshot(page, 'view-user-licenses-desktop');

    const token = await portal.token({ id: viewer.id });
    const services = (await (await portal.api('GET', `/api/customers/${contoso}/subscriptions`, token)).json()) as {
      contracts: { subscriptions: { id: string; etag: string; name: string }[] }[];
    };
    const premium = services.contracts
      .flatMap((c) => c.subscriptions)
      .find((s) => s.name === 'Microsoft 365 Business Premium')!;
    const change = await portal.api(
      'POST',
      `/api/customers/${contoso}/subscriptions/${premium.id}/changes`,
      token,
      { kind: 'quantity', quantity: 11, effective: 'immediately' },
      { 'if-match': premium.etag },
    );
    expect(change.status).toBe(403);
    expect(change.headers.get('content-type')).toContain('application/problem+json');
    const buy = await portal.api(
      'POST',
      `/api/customers/${contoso}/subscriptions`,
      token,
      { productId: 'CFQ7TTC0LH18:0001', term: 'P1M', billingFrequency: 'monthly', quantity: 1 },
      { 'idempotency-key': crypto.randomUUID() },
    );
    expect(buy.status).toBe(403);
    await context.close();
  }, 90_000);

  it('saves the partner name and accent colour on the server, seen by a customer in another browser', async () => {
    const partner = await newPage();
    await signInWithToken(partner.page, await portal.identity('', 'PartnerAdmin'));
    await partner.page.goto(`${portal.url}/partner/branding`);
    const name = partner.page.getByRole('textbox', { name: /^Partner name/ });
    const hex = partner.page.getByRole('textbox', { name: 'Accent colour (hex)' });
    const save = partner.page.getByRole('button', { name: 'Save' });
    await name.waitFor();
    await name.fill('Fabrikam Cloud Partners');
    await hex.fill('#8A2BE2');
    await save.click();
    await partner.page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await expect(partner.page.getByTestId('partner-name').textContent()).resolves.toBe('Fabrikam Cloud Partners');

    // Another browser (its own context: no storage shared) reads the branding from the server.
    const customer = await newPage();
    await signInWithToken(customer.page, await portal.identity('Contoso Ltd', 'View'));
    await customer.page.goto(`${portal.url}/`);
    await customer.page.getByRole('navigation').waitFor();
    await expect(customer.page.getByTestId('partner-name').textContent()).resolves.toBe('Fabrikam Cloud Partners');
    const header = customer.page.locator('header').first();
    await expect(header.evaluate('getComputedStyle(document.querySelector("header")).backgroundColor')).resolves.toBe(
      'rgb(138, 43, 226)',
    );
    await screenshot(customer.page, 'branded-home-desktop');
    await customer.context.close();

    // Someone else saves meanwhile: this page's next save is refused (412), explained, and overwrites nothing.
    const token = await portal.token({ id: 'partner-admin' });
    const read = await portal.api('GET', '/api/settings/partner-profile', token);
    const theirs = await portal.api(
      'PUT',
      '/api/settings/partner-profile',
      token,
      { ...((await read.json()) as object), accentColor: '#0F6CBD' },
      { 'if-match': read.headers.get('etag')! },
    );
    expect(theirs.status).toBe(200);
    await name.fill('Fabrikam Partners');
    await save.click();
    await partner.page.getByRole('alert').filter({ hasText: 'Someone else changed the branding' }).waitFor();
    const stored = (await (await portal.api('GET', '/api/settings/partner-profile', token)).json()) as {
      legalName: string;
      accentColor: string;
    };
    expect(stored).toMatchObject({ legalName: 'Fabrikam Cloud Partners', accentColor: '#0F6CBD' });
    await partner.page.getByRole('button', { name: 'Reload' }).click();
    await expect.poll(() => hex.inputValue()).toBe('#0F6CBD');
    await partner.context.close();
  }, 90_000);
});

/**
 * The portal's English labels that German translates differently: on a German page none of them may show. Only
 * labels of two words or more without placeholders, so that a product name or a customer's data cannot match one.
 */
const germanValues = new Set(Object.values(de));
const englishLabels = Object.entries(en)
  .filter(([key, label]) => de[key as keyof typeof en] !== label && !germanValues.has(label))
  .map(([, label]) => label.replace(/\s+/g, ' '))
  .filter((label) => !label.includes('{') && /\S\s\S/.test(label));
const englishWords = Object.entries(en)
  .filter(([key, label]) => de[key as keyof typeof en] !== label && !germanValues.has(label))
  .map(([, label]) => label)
  .filter((label) => !label.includes('{') && !/\s/.test(label));

async function readDownload(download: Download, encoding: BufferEncoding = 'utf8') {
  const stream = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString(encoding);
}
