import { z } from 'zod';
import { AppError } from '../../app/errors.ts';
import type { KnowledgeIndex, SearchHit } from '../../app/ports/knowledge.port.ts';
import type { Passage } from '../../domain/assistant/passages.ts';
import { httpDependencies, retryingFetch, type HttpDependencies } from '../http/retrying-fetch.ts';

/**
 * Azure AI Search over its REST API (2024-07-01): the index `{index}` is created or updated with the passage
 * fields and a scoring profile boosting section titles; passages are uploaded with `mergeOrUpload` and removed
 * with `delete` in batches of 1,000; the fingerprint of what was indexed is a marker document, so that every
 * instance (and every cold start) syncs only when the knowledge base has changed. Authenticated with a
 * Microsoft Entra token (the managed identity, scope https://search.azure.com/.default).
 */
export const AZURE_SEARCH_API_VERSION = '2024-07-01';
const MARKER_KEY = 'meta-fingerprint';
const MARKER_DOCUMENT = '__meta';
const BATCH = 1000;

export interface AzureSearchOptions {
  endpoint: string;
  index: string;
  token: () => Promise<string>;
  timeoutMs?: number;
  maxRetries?: number;
  http?: Partial<HttpDependencies>;
}

/** Search keys allow letters, digits, `_`, `-` and `=`: the passage id travels base64url-encoded. */
export const searchKey = (passageId: string) => Buffer.from(passageId, 'utf8').toString('base64url');

export const indexDefinition = (name: string) => ({
  name,
  fields: [
    { name: 'key', type: 'Edm.String', key: true, filterable: true },
    { name: 'passageId', type: 'Edm.String', searchable: false, filterable: false },
    { name: 'documentId', type: 'Edm.String', searchable: false, filterable: true },
    { name: 'documentTitle', type: 'Edm.String', searchable: true, analyzer: 'en.microsoft' },
    { name: 'section', type: 'Edm.String', searchable: true, analyzer: 'en.microsoft' },
    { name: 'anchor', type: 'Edm.String', searchable: false },
    { name: 'source', type: 'Edm.String', searchable: false, filterable: true },
    { name: 'text', type: 'Edm.String', searchable: true, analyzer: 'en.microsoft' },
  ],
  scoringProfiles: [{ name: 'passages', text: { weights: { section: 2.5, documentTitle: 1.5, text: 1 } } }],
  defaultScoringProfile: 'passages',
});

const hitSchema = z.object({
  '@search.score': z.number(),
  passageId: z.string(),
  documentId: z.string(),
  documentTitle: z.string(),
  section: z.string(),
  anchor: z.string(),
  source: z.enum(['shipped', 'uploaded']),
  text: z.string(),
});
const searchResponseSchema = z.object({ value: z.array(z.looseObject({})) });
const indexResponseSchema = z.object({
  value: z.array(z.object({ key: z.string(), status: z.boolean(), errorMessage: z.string().nullish() })),
});

function unavailable(detail: string): AppError {
  return new AppError('Unavailable', 'ASSISTANT.SEARCH_UNAVAILABLE', `Azure AI Search did not answer: ${detail}.`);
}

export function azureSearchIndex(options: AzureSearchOptions): KnowledgeIndex {
  const deps = httpDependencies(options.http ?? {});
  const base = `${options.endpoint.replace(/\/+$/, '')}/indexes`;
  const url = (path: string) =>
    `${base}${path}${path.includes('?') ? '&' : '?'}api-version=${AZURE_SEARCH_API_VERSION}`;
  let synced: string | undefined;
  let definitionPut = false;

  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
    const result = await retryingFetch(
      url(path),
      async () => ({
        method,
        headers: {
          authorization: `Bearer ${await options.token()}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
      {
        timeoutMs: options.timeoutMs ?? 10_000,
        maxRetries: options.maxRetries ?? 3,
        maxTotalWaitMs: 20_000,
        readText: true,
      },
      deps,
    );
    if (!result.ok) throw unavailable(result.detail);
    const { response, text } = result;
    if (response.status === 404) return { status: 404, json: undefined };
    if (response.status >= 400) throw unavailable(`HTTP ${response.status}`);
    return { status: response.status, json: text ? (JSON.parse(text) as unknown) : undefined };
  };

  const indexActions = async (actions: Record<string, unknown>[]) => {
    for (let i = 0; i < actions.length; i += BATCH) {
      const { json } = await call('POST', `/${options.index}/docs/index`, { value: actions.slice(i, i + BATCH) });
      const failed = indexResponseSchema.parse(json).value.filter((r) => !r.status);
      if (failed.length > 0)
        throw unavailable(`${failed.length} documents not indexed (${failed[0]?.errorMessage ?? ''})`);
    }
  };

  const existingKeys = async (): Promise<string[]> => {
    const keys: string[] = [];
    for (let skip = 0; ; skip += BATCH) {
      const { json } = await call('POST', `/${options.index}/docs/search`, {
        search: '*',
        select: 'key',
        filter: `documentId ne '${MARKER_DOCUMENT}'`,
        top: BATCH,
        skip,
      });
      const page = searchResponseSchema.parse(json).value.map((v) => String(v.key));
      keys.push(...page);
      if (page.length < BATCH) return keys;
    }
  };

  return {
    async sync(fingerprint, passages) {
      if (synced === fingerprint) return;
      if (!definitionPut) {
        await call('PUT', `/${options.index}`, indexDefinition(options.index));
        definitionPut = true;
      }
      const marker = await call('GET', `/${options.index}/docs/${MARKER_KEY}?$select=text`);
      if (marker.status !== 404 && (marker.json as { text?: unknown } | undefined)?.text === fingerprint) {
        synced = fingerprint;
        return;
      }
      const all: Passage[] = await passages();
      const keep = new Set(all.map((p) => searchKey(p.id)));
      const stale = (await existingKeys()).filter((k) => !keep.has(k));
      await indexActions([
        ...all.map((p) => ({
          '@search.action': 'mergeOrUpload',
          key: searchKey(p.id),
          passageId: p.id,
          documentId: p.documentId,
          documentTitle: p.documentTitle,
          section: p.section,
          anchor: p.anchor,
          source: p.source,
          text: p.text,
        })),
        ...stale.map((key) => ({ '@search.action': 'delete', key })),
      ]);
      await indexActions([
        {
          '@search.action': 'mergeOrUpload',
          key: MARKER_KEY,
          passageId: MARKER_KEY,
          documentId: MARKER_DOCUMENT,
          documentTitle: '',
          section: '',
          anchor: '',
          source: 'shipped',
          text: fingerprint,
        },
      ]);
      synced = fingerprint;
    },
    async search(query, top): Promise<SearchHit[]> {
      const { json } = await call('POST', `/${options.index}/docs/search`, {
        // The question is words, never query syntax.
        search: query.replace(/[+\-&|!(){}[\]^"~*?:\\/]/g, ' '),
        queryType: 'simple',
        searchMode: 'any',
        searchFields: 'section,documentTitle,text',
        select: 'passageId,documentId,documentTitle,section,anchor,source,text',
        filter: `documentId ne '${MARKER_DOCUMENT}'`,
        scoringProfile: 'passages',
        top,
      });
      return searchResponseSchema.parse(json).value.flatMap((raw) => {
        const hit = hitSchema.safeParse(raw);
        if (!hit.success) return [];
        const h = hit.data;
        return [
          {
            score: h['@search.score'],
            passage: {
              id: h.passageId,
              documentId: h.documentId,
              documentTitle: h.documentTitle,
              section: h.section,
              anchor: h.anchor,
              source: h.source,
              text: h.text,
            },
          },
        ];
      });
    },
  };
}
