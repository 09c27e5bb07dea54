import type { BlobSASSignatureValues, ContainerClient, UserDelegationKey } from '@azure/storage-blob';

/**
 * Read-only links to one blob (service SAS), signed the way storage is configured:
 * - with an account key (Azurite, connection strings): signed with the key;
 * - with an Entra identity (the managed identity in Azure, where shared keys are off): a user-delegation SAS,
 *   signed with a user delegation key that the identity asks the Blob service for (it needs the
 *   "Storage Blob Delegator" role, which infra/modules/storage.bicep grants). Keys are reused while they cover
 *   the link's lifetime.
 * Either way the link names one blob, allows only reading, and expires.
 */
export interface BlobLinkWindow {
  startsOn: Date;
  expiresOn: Date;
  /** Sent back as Content-Disposition, so the browser saves the file under this name. */
  fileName?: string;
}

export type DelegationKeySource = (startsOn: Date, expiresOn: Date) => Promise<UserDelegationKey>;

export interface BlobLinkSigner {
  readonly mode: 'accountKey' | 'userDelegation';
  readLink(container: ContainerClient, blobName: string, window: BlobLinkWindow): Promise<string>;
}

/** Keys of one hour, reused while a link's window ends at least five minutes before the key does. */
export function cachedDelegationKeys(
  fetchKey: DelegationKeySource,
  now: () => Date = () => new Date(),
): DelegationKeySource {
  let current: { key: Promise<UserDelegationKey>; expiresOn: Date; startsOn: Date } | undefined;
  return (startsOn, expiresOn) => {
    if (!current || current.startsOn > startsOn || current.expiresOn.getTime() - 5 * 60_000 < expiresOn.getTime()) {
      const from = new Date(Math.min(startsOn.getTime(), now().getTime()));
      const to = new Date(Math.max(expiresOn.getTime() + 5 * 60_000, now().getTime() + 60 * 60_000));
      const key = fetchKey(from, to);
      current = { key, startsOn: from, expiresOn: to };
      key.catch(() => (current = undefined));
    }
    return current.key;
  };
}

export async function blobLinkSigner(
  container: ContainerClient,
  options: { delegationKeys?: DelegationKeySource; blobServiceUrl?: string } = {},
): Promise<BlobLinkSigner> {
  const {
    AnonymousCredential,
    BlobSASPermissions,
    BlobServiceClient,
    SASProtocol,
    StorageSharedKeyCredential,
    generateBlobSASQueryParameters,
  } = await import('@azure/storage-blob');
  const values = (blobName: string, window: BlobLinkWindow, url: string): BlobSASSignatureValues => ({
    containerName: container.containerName,
    blobName,
    permissions: BlobSASPermissions.parse('r'),
    startsOn: window.startsOn,
    expiresOn: window.expiresOn,
    // Plain http only for a local emulator; Azure links are https only.
    protocol: url.startsWith('https:') ? SASProtocol.Https : SASProtocol.HttpsAndHttp,
    ...(window.fileName
      ? { contentDisposition: `attachment; filename="${window.fileName.replace(/["\\\r\n]/g, '_')}"` }
      : {}),
  });
  const credential = container.credential;
  if (credential instanceof StorageSharedKeyCredential) {
    return {
      mode: 'accountKey',
      async readLink(client, blobName, window) {
        const blob = client.getBlobClient(blobName);
        return `${blob.url}?${generateBlobSASQueryParameters(values(blobName, window, blob.url), credential).toString()}`;
      },
    };
  }
  if (!(credential instanceof AnonymousCredential)) {
    const source =
      options.delegationKeys ??
      cachedDelegationKeys(async (startsOn, expiresOn) => {
        const service = new BlobServiceClient(options.blobServiceUrl ?? new URL(container.url).origin, credential);
        return service.getUserDelegationKey(startsOn, expiresOn);
      });
    return {
      mode: 'userDelegation',
      async readLink(client, blobName, window) {
        const blob = client.getBlobClient(blobName);
        const key = await source(window.startsOn, window.expiresOn);
        return `${blob.url}?${generateBlobSASQueryParameters(values(blobName, window, blob.url), key, client.accountName).toString()}`;
      },
    };
  }
  throw new Error(
    'Storage is reached with neither an account key nor an Entra identity: download links cannot be signed.',
  );
}
