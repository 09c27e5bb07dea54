import { createHash } from 'node:crypto';
import {
  htmlToMarkdown,
  markdownTitle,
  toPassages,
  type DocumentFormat,
  type Passage,
} from '../../domain/assistant/passages.ts';
import { AppError, conflict, notFound } from '../errors.ts';
import type { DocumentSummary, SearchHit, StoredDocument } from '../ports/knowledge.port.ts';
import type { AssistantDeps } from './deps.ts';

/** Content types a partner may upload, and the format each is read as. */
export const documentContentTypes: Record<string, DocumentFormat> = {
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'text/html': 'html',
  'text/plain': 'text',
  'application/pdf': 'pdf',
};

/** Every passage: the shipped articles' and the uploaded documents'. */
async function allPassages(deps: AssistantDeps, documents: DocumentSummary[]): Promise<Passage[]> {
  const shipped = (await deps.articles.list()).flatMap(toPassages);
  const uploaded = await Promise.all(documents.map((d) => deps.documents.get(d.id)));
  return [...shipped, ...uploaded.flatMap((d) => d?.passages ?? [])];
}

async function fingerprintOf(deps: AssistantDeps, documents: DocumentSummary[]): Promise<string> {
  const hash = createHash('sha256');
  for (const article of await deps.articles.list()) hash.update(`${article.id}\0${article.text}\0`);
  for (const d of [...documents].sort((a, b) => a.id.localeCompare(b.id))) hash.update(`${d.id}\0${d.etag}\0`);
  return hash.digest('hex').slice(0, 32);
}

/**
 * Keeps the index in line with the knowledge base: at most every `indexCheckSeconds` (or when forced, after
 * an upload or a delete) lists the documents, and rebuilds the index when their fingerprint has changed.
 * Every instance converges on the stored documents, whichever instance took the upload.
 */
export async function ensureIndex(deps: AssistantDeps, { force = false } = {}): Promise<void> {
  const now = deps.clock.now().getTime();
  if (!force && deps.freshness.fingerprint && now - deps.freshness.checkedAt < deps.settings.indexCheckSeconds * 1000)
    return;
  const documents = await deps.documents.list();
  const fingerprint = await fingerprintOf(deps, documents);
  await deps.index.sync(fingerprint, () => allPassages(deps, documents));
  deps.freshness.fingerprint = fingerprint;
  deps.freshness.checkedAt = now;
}

export async function searchKnowledge(deps: AssistantDeps, query: string, top: number): Promise<SearchHit[]> {
  await ensureIndex(deps);
  return deps.index.search(query, top);
}

export interface UploadInput {
  id: string;
  title?: string;
  contentType: string;
  bytes: Uint8Array;
  uploadedBy: string;
}

/**
 * Stores a partner's document as passages and rebuilds the index. The text is data: it is split and indexed,
 * and never read as an instruction by anything.
 */
export async function uploadDocument(deps: AssistantDeps, input: UploadInput): Promise<DocumentSummary> {
  if ((await deps.articles.list()).some((a) => a.id === input.id))
    throw conflict('ASSISTANT.SHIPPED_ARTICLE', `${input.id} is a shipped article; choose another id.`);
  const contentType = input.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  const format = documentContentTypes[contentType];
  if (!format) {
    throw new AppError(
      'UnsupportedMediaType',
      // The route takes only these content types (the pipeline answers any other), so this guards callers in code.
      'REQUEST.UNSUPPORTED_MEDIA_TYPE',
      'Upload Markdown, HTML, PDF or plain text.',
      {
        errors: [{ path: 'content-type', message: `one of ${Object.keys(documentContentTypes).join(', ')}` }],
      },
    );
  }
  let text: string;
  let title = input.title;
  if (format === 'pdf') {
    try {
      text = await deps.pdf.extract(input.bytes);
    } catch {
      throw new AppError('Unprocessable', 'ASSISTANT.UNREADABLE_PDF', 'The PDF could not be read.', {
        errors: [{ path: 'body', message: 'not a readable PDF' }],
      });
    }
  } else {
    text = new TextDecoder('utf-8', { fatal: false }).decode(input.bytes);
    if (format === 'html') title ??= htmlToMarkdown(text).title;
    if (format === 'markdown') title ??= markdownTitle(text);
  }
  title = (title ?? input.id).trim().slice(0, 200) || input.id;
  const passages = toPassages({
    id: input.id,
    title,
    source: 'uploaded',
    format: format === 'pdf' ? 'text' : format,
    text,
  });
  if (passages.length === 0) {
    throw new AppError('Unprocessable', 'ASSISTANT.EMPTY_DOCUMENT', 'The document has no text to answer from.', {
      errors: [{ path: 'body', message: 'no text found' }],
    });
  }
  const doc: StoredDocument = {
    id: input.id,
    title,
    format,
    contentType,
    bytes: input.bytes.byteLength,
    uploadedAt: deps.clock.now().toISOString(),
    uploadedBy: input.uploadedBy,
    passages,
  };
  const { etag } = await deps.documents.put(doc);
  await ensureIndex(deps, { force: true });
  const { passages: _p, ...summary } = doc;
  return { ...summary, passageCount: passages.length, etag };
}

export async function deleteDocument(deps: AssistantDeps, id: string): Promise<void> {
  const existed = await deps.documents.delete(id);
  if (!existed) throw notFound('ASSISTANT.DOCUMENT_NOT_FOUND', `No knowledge document ${id}.`);
  await ensureIndex(deps, { force: true });
}

/** A document's passages, shipped or uploaded: what a reference's link shows. */
export async function readDocument(
  deps: AssistantDeps,
  id: string,
): Promise<{ id: string; title: string; source: 'shipped' | 'uploaded'; passages: Passage[] }> {
  const article = (await deps.articles.list()).find((a) => a.id === id);
  if (article) return { id, title: article.title, source: 'shipped', passages: toPassages(article) };
  const doc = await deps.documents.get(id);
  if (!doc) throw notFound('ASSISTANT.DOCUMENT_NOT_FOUND', `No knowledge document ${id}.`);
  return { id, title: doc.title, source: 'uploaded', passages: doc.passages };
}
