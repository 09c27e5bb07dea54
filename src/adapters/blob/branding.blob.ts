import type { LogoStore } from '../../app/ports/logo-store.port.ts';
import type { Storage } from '../storage/storage.ts';

/** The logo is the blob `logo` of the `branding` container, with its content type; sizes in its metadata. */
const BLOB = 'logo';

export function brandingBlob(storage: Pick<Storage, 'container'>): LogoStore {
  const blob = async () => (await storage.container('branding')).getBlockBlobClient(BLOB);
  return {
    async put({ bytes, contentType, width, height }) {
      const result = await (
        await blob()
      ).uploadData(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
        blobHTTPHeaders: { blobContentType: contentType },
        metadata: { width: String(width), height: String(height) },
      });
      return { etag: result.etag ?? '' };
    },
    async get() {
      let response;
      try {
        response = await (await blob()).download();
      } catch (error) {
        if (typeof error === 'object' && error !== null && 'statusCode' in error && error.statusCode === 404)
          return undefined;
        throw error;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of response.readableStreamBody ?? [])
        chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
      return {
        bytes: new Uint8Array(Buffer.concat(chunks)),
        contentType: response.contentType ?? 'application/octet-stream',
        etag: response.etag ?? '',
      };
    },
  };
}
