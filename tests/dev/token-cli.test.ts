import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCustomerFields, createTestApp, testEnv, type TestApp } from '../support/test-app.ts';

const run = promisify(execFile);
let app: TestApp;

/** Runs `npm run token` against the test app's settings (its data folder and tables). */
async function token(args: string[]): Promise<{ lastLine: string; stdout: string }> {
  const env = { ...process.env, ...testEnv(), ...pick(app.config) };
  const { stdout } = await run('npx', ['tsx', 'dev/token.ts', ...args], { env, timeout: 30_000 });
  const lines = stdout.trim().split('\n');
  return { lastLine: lines.at(-1) ?? '', stdout };
}

function pick(config: TestApp['config']): Record<string, string> {
  return {
    DATA_DIR: config.DATA_DIR,
    STORAGE_NAME_PREFIX: config.STORAGE_NAME_PREFIX,
    AUTH_ISSUER: config.AUTH_ISSUER,
    AUTH_AUDIENCE: config.AUTH_AUDIENCE,
    PARTNER_TENANT_ID: config.PARTNER_TENANT_ID,
  };
}

beforeAll(async () => {
  app = await createTestApp();
});

describe('npm run token', () => {
  it('prints a partner admin token that /api/me accepts', async () => {
    const { lastLine } = await token(['--email', 'Pat@Partner.example', '--role', 'PartnerAdmin']);
    const me = await app.call('GET', '/api/me', { token: lastLine });
    expect(me).toMatchObject({ status: 200, body: { email: 'pat@partner.example', isPartnerAdmin: true } });
  });

  it('registers a customer user with the asked role', async () => {
    const admin = await app.tokens.partnerAdmin();
    const customer = (
      await app.call('POST', '/api/customers', { token: admin, body: buildCustomerFields({ name: 'Woodgrove' }) })
    ).body;
    const { lastLine } = await token([
      '--email',
      'alice@woodgrove.example',
      '--customer',
      customer.id,
      '--role',
      'Modify',
    ]);
    const me = await app.call('GET', '/api/me', { token: lastLine });
    expect(me.body.customers).toEqual([{ customerId: customer.id, customerName: 'Woodgrove', role: 'Modify' }]);
    expect((await app.call('GET', `/api/customers/${customer.id}`, { token: lastLine })).status).toBe(200);
    const users = await app.call('GET', `/api/customers/${customer.id}/portal-users?status=active`, { token: admin });
    expect(users.body.items).toEqual([
      expect.objectContaining({ email: 'alice@woodgrove.example', role: 'Modify', status: 'active' }),
    ]);

    // Again with another role: the same portal user changes, no second one appears.
    const again = await token(['--email', 'alice@woodgrove.example', '--customer', customer.id, '--role', 'Admin']);
    expect((await app.call('GET', '/api/me', { token: again.lastLine })).body.customers).toEqual([
      { customerId: customer.id, customerName: 'Woodgrove', role: 'Admin' },
    ]);
    const after = await app.call('GET', `/api/customers/${customer.id}/portal-users`, { token: admin });
    expect(after.body.items).toEqual([
      expect.objectContaining({ id: users.body.items[0].id, role: 'Admin', status: 'active' }),
    ]);
  });

  it('prints its usage with --help', async () => {
    const { stdout } = await token(['--help']);
    expect(stdout).toContain('usage: npm run token');
    expect(stdout).toContain('--customer <customerId>');
  });

  it('signs for an invited portal user as is, who can then accept the invitation', async () => {
    const admin = await app.tokens.partnerAdmin();
    const customer = (
      await app.call('POST', '/api/customers', { token: admin, body: buildCustomerFields({ name: 'Litware' }) })
    ).body;
    const invited = await app.call('POST', `/api/customers/${customer.id}/portal-users?sendInvitation=false`, {
      token: admin,
      body: { firstName: 'Ivy', lastName: 'Invitee', email: 'ivy@litware.example', role: 'View' },
    });
    expect(invited.status).toBe(201);
    const sent = await app.call('POST', `/api/customers/${customer.id}/portal-users/${invited.body.id}/invitation`, {
      token: admin,
    });
    expect(sent.status).toBe(200);
    const mails = await readdir(path.join(app.config.DATA_DIR, 'mail'));
    const texts = await Promise.all(mails.map((f) => readFile(path.join(app.config.DATA_DIR, 'mail', f), 'utf8')));
    const link = texts.map((t) => /\/invitations\/([A-Za-z0-9_-]{43})/.exec(t)?.[1]).find(Boolean);

    const { lastLine, stdout } = await token(['--email', 'ivy@litware.example', '--customer', customer.id]);
    expect(stdout).toContain('inactive portal user of Litware');
    const accepted = await app.call('POST', `/api/invitations/${link}/accept`, { token: lastLine });
    expect(accepted).toMatchObject({ status: 200, body: { customerId: customer.id, role: 'View' } });

    const unknown = await token(['--email', 'nobody@litware.example', '--customer', customer.id]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(unknown).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('has no portal user nobody@litware.example'),
    });
  }, 120_000);

  it('explains what is wrong with bad arguments', async () => {
    const failed = await token(['--email', 'x@y.example', '--role', 'Owner']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 2, stderr: expect.stringContaining('--role must be') });
  });
});
