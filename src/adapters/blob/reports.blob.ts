import { createHash } from 'node:crypto';
import type { BlockBlobClient, ContainerClient } from '@azure/storage-blob';
import { AppError, preconditionFailed } from '../../app/errors.ts';
import type { ReportContent, ReportStore, StoredReport, WriteResult } from '../../app/ports/report-store.port.ts';
import type { Storage } from '../storage/storage.ts';
import { blobLinkSigner, type BlobLinkSigner, type DelegationKeySource } from './blob-sas.ts';
import { storageStatus } from '../tables/table-errors.ts';

/**
 * The `reports` container. A file up to 4 MiB is sent in one Put Blob; a larger one is staged in 4 MiB blocks
 * as it is produced (so a streamed spreadsheet is never held whole) and committed in one Put Block List. Either
 * way the write carries the SHA-256 in the metadata and a condition: If-None-Match: * to create, If-Match: etag
 * to replace.
 */
const BLOCK = 4 * 1024 * 1024;

interface Prepared {
  sha256: string;
  size: number;
  /** The whole content when it fits one request; otherwise it was staged under these block ids. */
  bytes?: Buffer;
  blockIds?: string[];
}

export interface ReportsBlobOptions {
  blobServiceUrl?: string;
  delegationKeys?: DelegationKeySource;
}

export function reportsBlob(storage: Pick<Storage, 'container'>, options: ReportsBlobOptions = {}): ReportStore {
  let signer: Promise<BlobLinkSigner> | undefined;
  const container = () => storage.container('reports');

  /** Hashes the content; stages it as blocks when it is larger than one request. */
  async function prepare(blob: BlockBlobClient, content: ReportContent): Promise<Prepared> {
    const hash = createHash('sha256');
    if (content instanceof Uint8Array) {
      hash.update(content);
      return {
        sha256: hash.digest('hex'),
        size: content.byteLength,
        bytes: Buffer.from(content.buffer, content.byteOffset, content.byteLength),
      };
    }
    const pending: Buffer[] = [];
    let pendingBytes = 0;
    let size = 0;
    const blockIds: string[] = [];
    const stage = async (final: boolean) => {
      while (pendingBytes >= BLOCK || (final && pendingBytes > 0)) {
        const all = Buffer.concat(pending);
        const block = all.subarray(0, Math.min(BLOCK, all.length));
        const rest = all.subarray(block.length);
        pending.length = 0;
        if (rest.length) pending.push(rest);
        pendingBytes = rest.length;
        const id = Buffer.from(`block-${String(blockIds.length).padStart(6, '0')}`).toString('base64');
        await blob.stageBlock(id, block, block.length);
        blockIds.push(id);
      }
    };
    for await (const chunk of content) {
      hash.update(chunk);
      size += chunk.byteLength;
      pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      pendingBytes += chunk.byteLength;
      if (pendingBytes >= BLOCK) await stage(false);
    }
    if (blockIds.length === 0) return { sha256: hash.digest('hex'), size, bytes: Buffer.concat(pending) };
    await stage(true);
    return { sha256: hash.digest('hex'), size, blockIds };
  }

  async function send(
    blob: BlockBlobClient,
    prepared: Prepared,
    contentType: string,
    metadata: Record<string, string>,
    conditions: { ifNoneMatch?: string; ifMatch?: string },
  ) {
    const common = {
      blobHTTPHeaders: { blobContentType: contentType },
      metadata: { ...metadata, sha256: prepared.sha256 },
      conditions,
    };
    if (prepared.blockIds) return blob.commitBlockList(prepared.blockIds, common);
    return blob.upload(prepared.bytes ?? Buffer.alloc(0), prepared.size, common);
  }

  const toStored = (
    name: string,
    properties: { contentLength?: number; contentType?: string; metadata?: Record<string, string>; etag?: string },
  ): StoredReport => {
    const metadata = lowerKeys(properties.metadata ?? {});
    return {
      name,
      size: properties.contentLength ?? 0,
      sha256: metadata.sha256 ?? '',
      contentType: properties.contentType ?? '',
      metadata,
      etag: properties.etag ?? '',
    };
  };

  async function stat(client: ContainerClient, name: string): Promise<StoredReport | undefined> {
    try {
      return toStored(name, await client.getBlockBlobClient(name).getProperties());
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw error;
    }
  }

  const store: ReportStore = {
    async writeOnce(name, content, { contentType, metadata = {} }): Promise<WriteResult> {
      const client = await container();
      const blob = client.getBlockBlobClient(name);
      const prepared = await prepare(blob, content);
      try {
        await send(blob, prepared, contentType, metadata, { ifNoneMatch: '*' });
        return { name, size: prepared.size, sha256: prepared.sha256, status: 'created' };
      } catch (error) {
        const status = storageStatus(error);
        if (status !== 409 && status !== 412) throw error;
      }
      const existing = await stat(client, name);
      if (existing?.sha256 === prepared.sha256)
        return { name, size: existing.size, sha256: existing.sha256, status: 'unchanged' };
      throw new AppError(
        'Conflict',
        'REPORT.CONTENT_DIFFERS',
        `The report ${name} exists with other content (sha256 ${existing?.sha256 || 'unknown'}, new ${prepared.sha256}); it is not replaced.`,
        {
          name,
          storedSha256: existing?.sha256,
          newSha256: prepared.sha256,
        },
      );
    },

    async replace(name, content, { contentType, metadata = {} }): Promise<WriteResult> {
      const client = await container();
      const blob = client.getBlockBlobClient(name);
      const existing = await stat(client, name);
      const prepared = await prepare(blob, content);
      if (existing?.sha256 === prepared.sha256)
        return { name, size: existing.size, sha256: existing.sha256, status: 'unchanged' };
      try {
        await send(blob, prepared, contentType, metadata, existing ? { ifMatch: existing.etag } : { ifNoneMatch: '*' });
      } catch (error) {
        const status = storageStatus(error);
        if (status === 409 || status === 412)
          throw preconditionFailed(`The report ${name} was written by someone else meanwhile; generate it again.`);
        throw error;
      }
      return { name, size: prepared.size, sha256: prepared.sha256, status: existing ? 'replaced' : 'created' };
    },

    async stat(name) {
      return stat(await container(), name);
    },

    async *list(prefix) {
      const client = await container();
      for await (const item of client.listBlobsFlat({ prefix, includeMetadata: true })) {
        yield toStored(item.name, {
          contentLength: item.properties.contentLength,
          contentType: item.properties.contentType,
          metadata: item.metadata,
          etag: item.properties.etag,
        });
      }
    },

    async read(name) {
      const client = await container();
      try {
        return new Uint8Array(await client.getBlockBlobClient(name).downloadToBuffer());
      } catch (error) {
        if (storageStatus(error) === 404) return undefined;
        throw error;
      }
    },

    async readLink(name, window) {
      const client = await container();
      signer ??= blobLinkSigner(client, options).catch((error: unknown) => {
        signer = undefined;
        throw error;
      });
      const url = await (await signer).readLink(client, name, window);
      return { url, expiresOn: window.expiresOn.toISOString() };
    },
  };
  return store;
}

function lowerKeys(metadata: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata).map(([key, value]) => [key.toLowerCase(), value]));
}
