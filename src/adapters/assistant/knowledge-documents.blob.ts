import { z } from 'zod';
import type { DocumentSummary, KnowledgeDocuments, StoredDocument } from '../../app/ports/knowledge.port.ts';
import { documentFormats } from '../../domain/assistant/passages.ts';
import type { Storage } from '../storage/storage.ts';

/**
 * Container `knowledge`: each uploaded document as `documents/{id}.json` (its passages and what it was uploaded
 * as), its summary in the blob's metadata so that listing needs no download.
 */
const PREFIX = 'documents/';

const passageSchema = z.object({
  id: z.string(),
  documentId: z.string(),
  documentTitle: z.string(),
  section: z.string(),
  anchor: z.string(),
  source: z.enum(['shipped', 'uploaded']),
  text: z.string(),
});
const storedSchema = z.object({
  id: z.string(),
  title: z.string(),
  format: z.enum(documentFormats),
  contentType: z.string(),
  bytes: z.number().int(),
  uploadedAt: z.string(),
  uploadedBy: z.string(),
  passages: z.array(passageSchema),
});

const statusOf = (error: unknown) =>
  typeof error === 'object' && error !== null && 'statusCode' in error ? error.statusCode : undefined;

/** Blob metadata is ASCII: the title travels URI-encoded. */
const meta = (doc: StoredDocument) => ({
  title: encodeURIComponent(doc.title),
  format: doc.format,
  contenttype: doc.contentType,
  bytes: String(doc.bytes),
  uploadedat: doc.uploadedAt,
  uploadedby: encodeURIComponent(doc.uploadedBy),
  passagecount: String(doc.passages.length),
});

export function knowledgeDocumentsBlob(storage: Pick<Storage, 'container'>): KnowledgeDocuments {
  const container = () => storage.container('knowledge');
  const blob = async (id: string) => (await container()).getBlockBlobClient(`${PREFIX}${id}.json`);
  return {
    async list() {
      const out: DocumentSummary[] = [];
      for await (const item of (await container()).listBlobsFlat({ prefix: PREFIX, includeMetadata: true })) {
        const m = item.metadata ?? {};
        const format = z.enum(documentFormats).safeParse(m.format);
        out.push({
          id: item.name.slice(PREFIX.length).replace(/\.json$/, ''),
          title: decodeURIComponent(m.title ?? ''),
          format: format.success ? format.data : 'text',
          contentType: m.contenttype ?? '',
          bytes: Number(m.bytes ?? 0),
          uploadedAt: m.uploadedat ?? '',
          uploadedBy: decodeURIComponent(m.uploadedby ?? ''),
          passageCount: Number(m.passagecount ?? 0),
          etag: item.properties.etag ?? '',
        });
      }
      return out.sort((a, b) => a.id.localeCompare(b.id));
    },
    async get(id) {
      try {
        const buffer = await (await blob(id)).downloadToBuffer();
        return storedSchema.parse(JSON.parse(buffer.toString('utf8')));
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    async put(doc) {
      const body = Buffer.from(JSON.stringify(doc), 'utf8');
      const result = await (
        await blob(doc.id)
      ).uploadData(body, { blobHTTPHeaders: { blobContentType: 'application/json' }, metadata: meta(doc) });
      return { etag: result.etag ?? '' };
    },
    async delete(id) {
      const result = await (await blob(id)).deleteIfExists();
      return result.succeeded;
    },
  };
}
