import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AZURE_SEARCH_API_VERSION,
  azureSearchIndex,
  searchKey,
} from '../../src/adapters/assistant/azure-search.index.ts';
import { toPassages, type Passage } from '../../src/domain/assistant/passages.ts';
import { startFakeHttp, type RecordedRequest } from '../support/fake-http.ts';

/**
 * The Azure AI Search adapter against a fake speaking the documented REST shapes (2024-07-01): index
 * create-or-update (PUT /indexes/{name}), document lookup (GET /indexes/{name}/docs/{key}), batch indexing (POST
 * /docs/index with @search.action, 200 with per-key status) and search (POST /docs/search, value[] with
 * @search.score). The fake keeps the documents, so that what was sent is what later comes back.
 */
const passages: Passage[] = toPassages({
  id: 'nce-cancellation-window',
  title: 'The NCE 7-day cancellation window',
  source: 'shipped',
  format: 'markdown',
  text: '# The NCE 7-day cancellation window\n\n## What the 7-day window is\n\nSeats can be removed within 168 hours.\n\n## Refunds inside the window\n\nRefunds are prorated by the day.\n',
});

let docs: Map<string, Record<string, unknown>>;
let fail: number | undefined;
let fake: Awaited<ReturnType<typeof startFakeHttp>>;

function handle(r: RecordedRequest) {
  if (fail) return { status: fail, body: { error: { code: 'ServiceUnavailable', message: 'busy' } } };
  if (r.method === 'PUT' && r.path === '/indexes/knowledge') return { status: 201, body: r.body };
  const lookup = /^\/indexes\/knowledge\/docs\/([^/]+)$/.exec(r.path);
  if (r.method === 'GET' && lookup) {
    const doc = docs.get(decodeURIComponent(lookup[1] ?? ''));
    return doc ? { status: 200, body: doc } : { status: 404, body: { error: { code: 'NotFound' } } };
  }
  if (r.method === 'POST' && r.path === '/indexes/knowledge/docs/index') {
    const value = (r.body as { value: Record<string, unknown>[] }).value.map((action) => {
      const { '@search.action': kind, ...doc } = action;
      const key = String(doc.key);
      if (kind === 'delete') docs.delete(key);
      else docs.set(key, { ...docs.get(key), ...doc });
      return { key, status: true, errorMessage: null, statusCode: kind === 'delete' ? 200 : 201 };
    });
    return { status: 200, body: { value } };
  }
  if (r.method === 'POST' && r.path === '/indexes/knowledge/docs/search') {
    const body = r.body as { search: string; top?: number; skip?: number };
    const words = body.search.toLowerCase().split(/\s+/).filter(Boolean);
    const all = [...docs.values()].filter((d) => d.documentId !== '__meta');
    const hits =
      body.search === '*'
        ? all.map((d) => ({ '@search.score': 1, key: d.key }))
        : all
            .map((d) => ({
              ...d,
              '@search.score': words.filter((w) => String(d.text).toLowerCase().includes(w)).length,
            }))
            .filter((d) => d['@search.score'] > 0)
            .sort((a, b) => b['@search.score'] - a['@search.score']);
    return { status: 200, body: { value: hits.slice(body.skip ?? 0, (body.skip ?? 0) + (body.top ?? 50)) } };
  }
  return { status: 400, body: { error: { code: 'BadRequest', message: `${r.method} ${r.path}` } } };
}

beforeAll(async () => {
  fake = await startFakeHttp((r) => handle(r));
});
afterAll(() => fake.close());
beforeEach(() => {
  docs = new Map();
  fail = undefined;
  fake.requests.length = 0;
});

const index = () =>
  azureSearchIndex({
    endpoint: fake.url,
    index: 'knowledge',
    token: async () => 'search-token',
    maxRetries: 1,
    http: { sleep: async () => undefined },
  });

describe('Azure AI Search index adapter', () => {
  it('defines the index, uploads every passage with mergeOrUpload and a fingerprint marker, with a bearer token', async () => {
    await index().sync('fp-1', async () => passages);
    const [define, lookup, list, upload, marker] = fake.requests;
    expect(define).toMatchObject({ method: 'PUT', path: '/indexes/knowledge' });
    expect(define?.query.get('api-version')).toBe(AZURE_SEARCH_API_VERSION);
    expect(define?.headers.authorization).toBe('Bearer search-token');
    const fields = (define?.body as { fields: { name: string; key?: boolean }[] }).fields;
    expect(fields.find((f) => f.key)?.name).toBe('key');
    expect(lookup).toMatchObject({ method: 'GET', path: '/indexes/knowledge/docs/meta-fingerprint' });
    expect(list?.body).toMatchObject({ search: '*', select: 'key' });
    const actions = (upload?.body as { value: Record<string, unknown>[] }).value;
    expect(actions).toHaveLength(passages.length);
    expect(actions[0]).toMatchObject({
      '@search.action': 'mergeOrUpload',
      key: searchKey(passages[0]?.id ?? ''),
      passageId: 'nce-cancellation-window#what-the-7-day-window-is',
      section: 'What the 7-day window is',
    });
    expect(String(actions[0]?.key)).toMatch(/^[A-Za-z0-9_=-]+$/);
    expect((marker?.body as { value: Record<string, unknown>[] }).value[0]).toMatchObject({
      key: 'meta-fingerprint',
      text: 'fp-1',
    });
  });

  it('syncs nothing when the stored fingerprint matches (another instance, or a cold start)', async () => {
    await index().sync('fp-1', async () => passages);
    fake.requests.length = 0;
    let read = false;
    await index().sync('fp-1', async () => {
      read = true;
      return passages;
    });
    expect(read).toBe(false);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /indexes/knowledge',
      'GET /indexes/knowledge/docs/meta-fingerprint',
    ]);
  });

  it('deletes passages that are gone when the knowledge base changes', async () => {
    await index().sync('fp-1', async () => passages);
    await index().sync('fp-2', async () => passages.slice(0, 1));
    expect([...docs.keys()].sort()).toEqual([searchKey(passages[0]?.id ?? ''), 'meta-fingerprint'].sort());
    const deletes = fake.requests
      .flatMap((r) => (r.path.endsWith('/docs/index') ? (r.body as { value: Record<string, unknown>[] }).value : []))
      .filter((a) => a['@search.action'] === 'delete');
    expect(deletes).toEqual([{ '@search.action': 'delete', key: searchKey(passages[1]?.id ?? '') }]);
  });

  it('searches with the scoring profile, leaves query syntax out, and maps hits back to passages', async () => {
    const search = index();
    await search.sync('fp-1', async () => passages);
    fake.requests.length = 0;
    const hits = await search.search('refunds "prorated" -day*', 3);
    const request = fake.requests[0];
    expect(request).toMatchObject({ method: 'POST', path: '/indexes/knowledge/docs/search' });
    expect(request?.body).toMatchObject({
      queryType: 'simple',
      scoringProfile: 'passages',
      top: 3,
      filter: "documentId ne '__meta'",
    });
    expect((request?.body as { search: string }).search).not.toMatch(/["*-]/);
    expect(hits[0]?.passage).toEqual(passages[1]);
    expect(hits[0]?.score).toBeGreaterThan(0);
  });

  it('turns a failing service into ASSISTANT.SEARCH_UNAVAILABLE after bounded retries', async () => {
    fail = 503;
    await expect(index().search('refund', 3)).rejects.toMatchObject({
      kind: 'Unavailable',
      code: 'ASSISTANT.SEARCH_UNAVAILABLE',
    });
    expect(fake.requests).toHaveLength(2);
  });
});
