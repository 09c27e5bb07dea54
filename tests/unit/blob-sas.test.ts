import {
  AnonymousCredential,
  ContainerClient,
  StorageSharedKeyCredential,
  type UserDelegationKey,
} from '@azure/storage-blob';
import { describe, expect, it } from 'vitest';
import { blobLinkSigner, cachedDelegationKeys } from '../../src/adapters/blob/blob-sas.ts';

/**
 * Download links are signed as storage is configured: with the account key (Azurite, connection strings) or, with
 * an Entra identity (Azure, shared keys off), as a user-delegation SAS. Both give read-only links to one blob.
 */
const window = {
  startsOn: new Date('2026-11-01T10:00:00Z'),
  expiresOn: new Date('2026-11-01T10:10:00Z'),
  fileName: 'report.csv',
};
const key: UserDelegationKey = {
  signedObjectId: '11111111-1111-4111-8111-111111111111',
  signedTenantId: '22222222-2222-4222-8222-222222222222',
  signedStartsOn: new Date('2026-11-01T09:00:00Z'),
  signedExpiresOn: new Date('2026-11-01T11:00:00Z'),
  signedService: 'b',
  signedVersion: '2025-01-05',
  value: Buffer.from('delegation-key-value-0123456789').toString('base64'),
};
const tokenCredential = { getToken: async () => ({ token: 'token', expiresOnTimestamp: Date.now() + 3_600_000 }) };

describe('blob download links', () => {
  it('with an account key: a read-only service SAS for one blob', async () => {
    const container = new ContainerClient(
      'https://acct.blob.core.windows.net/reports',
      new StorageSharedKeyCredential('acct', Buffer.from('key').toString('base64')),
    );
    const signer = await blobLinkSigner(container);
    expect(signer.mode).toBe('accountKey');
    const url = new URL(await signer.readLink(container, '2026-10/c/2026-10-01.csv', window));
    expect(url.pathname).toBe('/reports/2026-10/c/2026-10-01.csv');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      sp: 'r',
      sr: 'b',
      spr: 'https',
      se: '2026-11-01T10:10:00Z',
      st: '2026-11-01T10:00:00Z',
      rscd: 'attachment; filename="report.csv"',
    });
    expect(url.searchParams.get('skoid')).toBeNull();
  });

  it('with an Entra identity: a user-delegation SAS signed with a delegation key', async () => {
    const container = new ContainerClient('https://acct.blob.core.windows.net/reports', tokenCredential);
    const asked: [Date, Date][] = [];
    const signer = await blobLinkSigner(container, {
      delegationKeys: async (start, end) => (asked.push([start, end]), key),
    });
    expect(signer.mode).toBe('userDelegation');
    const url = new URL(await signer.readLink(container, '2026-10/c/2026-10-01.xlsx', window));
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      sp: 'r',
      sr: 'b',
      spr: 'https',
      skoid: key.signedObjectId,
      sktid: key.signedTenantId,
      se: '2026-11-01T10:10:00Z',
    });
    expect(url.searchParams.get('sig')).toBeTruthy();
    expect(asked).toEqual([[window.startsOn, window.expiresOn]]);
  });

  it('without either it refuses to sign', async () => {
    const container = new ContainerClient(
      'https://acct.blob.core.windows.net/reports?sv=x&sig=y',
      new AnonymousCredential(),
    );
    await expect(blobLinkSigner(container)).rejects.toThrow(/cannot be signed/);
  });

  it('reuses a delegation key while it covers the link, and asks again when it does not', async () => {
    let calls = 0;
    const now = new Date('2026-11-01T10:00:00Z');
    const keys = cachedDelegationKeys(
      async (start, end) => ({ ...key, signedStartsOn: start, signedExpiresOn: end, value: String(++calls) }),
      () => now,
    );
    const first = await keys(now, new Date('2026-11-01T10:10:00Z'));
    expect(first.signedExpiresOn.getTime()).toBeGreaterThanOrEqual(new Date('2026-11-01T11:00:00Z').getTime());
    expect((await keys(now, new Date('2026-11-01T10:20:00Z'))).value).toBe('1');
    expect((await keys(now, new Date('2026-11-01T12:00:00Z'))).value).toBe('2');
  });
});
