import type MiniSearchType from 'minisearch';
import type { Options, SearchOptions } from 'minisearch';
import type { KnowledgeIndex, SearchHit } from '../../app/ports/knowledge.port.ts';
import type { Passage } from '../../domain/assistant/passages.ts';
import type { Storage } from '../storage/storage.ts';

/**
 * The embedded full-text engine (MiniSearch: BM25+, prefix and fuzzy matching, field boosts). The built index
 * is kept in memory and persisted as `index/minisearch.json` in the `knowledge` container with the fingerprint
 * of what it was built from: a cold instance loads it instead of rebuilding, and rebuilds only when the
 * knowledge base has changed since.
 */
const INDEX_BLOB = 'index/minisearch.json';

const stopWords = new Set(
  'a an and are as at be by can do does for from has have how i if in is it its me my of on or our so that the their this to us was we what when where which who why will with you your'.split(
    ' ',
  ),
);

/** Lower case, stop words out, a light English stemmer so that "renews", "renewal" and "renewing" meet. */
export function normalizeTerm(term: string): string | null {
  const t = term.toLowerCase();
  if (stopWords.has(t)) return null;
  if (t.length <= 4) return t;
  return t.replace(/(ations?|ings?|ments?|als?|ers?|ed|ies|es|s)$/, (suffix) => (suffix === 'ies' ? 'y' : '')) || t;
}

type Stored = Pick<Passage, 'documentId' | 'documentTitle' | 'section' | 'anchor' | 'source' | 'text'>;

export const miniSearchOptions: Options<Passage> = {
  idField: 'id',
  fields: ['documentTitle', 'section', 'text'],
  storeFields: ['documentId', 'documentTitle', 'section', 'anchor', 'source', 'text'],
  processTerm: normalizeTerm,
};

export const miniSearchQuery: SearchOptions = {
  boost: { section: 2.5, documentTitle: 1.5 },
  prefix: (term) => term.length >= 4,
  // One typo in a longer word: wider fuzzy matching costs more time than it finds.
  fuzzy: (term) => (term.length >= 6 ? 0.2 : false),
  maxFuzzy: 1,
  combineWith: 'OR',
};

type Engine = typeof MiniSearchType;
let engine: Promise<Engine> | undefined;
const loadEngine = () => (engine ??= import('minisearch').then((m) => m.default));

/** An in-memory MiniSearch over passages (the benchmark and the Blob-backed index share it). */
export async function buildMiniSearch(passages: Passage[]): Promise<MiniSearchType<Passage>> {
  const MiniSearch = await loadEngine();
  const index = new MiniSearch<Passage>(miniSearchOptions);
  index.addAll(passages);
  return index;
}

export function searchMiniSearch(index: MiniSearchType<Passage>, query: string, top: number): SearchHit[] {
  return index
    .search(query, miniSearchQuery)
    .slice(0, top)
    .map((result) => {
      const stored = result as unknown as Stored & { id: string; score: number };
      return {
        score: stored.score,
        passage: {
          id: stored.id,
          documentId: stored.documentId,
          documentTitle: stored.documentTitle,
          section: stored.section,
          anchor: stored.anchor,
          source: stored.source,
          text: stored.text,
        },
      };
    });
}

export function miniSearchIndex(storage: Pick<Storage, 'container'>): KnowledgeIndex {
  let current: { fingerprint: string; index: MiniSearchType<Passage> } | undefined;
  const blob = async () => (await storage.container('knowledge')).getBlockBlobClient(INDEX_BLOB);

  const loadPersisted = async (fingerprint: string) => {
    let text: string;
    try {
      text = (await (await blob()).downloadToBuffer()).toString('utf8');
    } catch (error) {
      if (typeof error === 'object' && error !== null && 'statusCode' in error && error.statusCode === 404)
        return undefined;
      throw error;
    }
    const persisted = JSON.parse(text) as { fingerprint?: string; index?: unknown };
    if (persisted.fingerprint !== fingerprint || persisted.index === undefined) return undefined;
    const MiniSearch = await loadEngine();
    return MiniSearch.loadJSON<Passage>(JSON.stringify(persisted.index), miniSearchOptions);
  };

  return {
    async sync(fingerprint, passages) {
      if (current?.fingerprint === fingerprint) return;
      const loaded = await loadPersisted(fingerprint);
      if (loaded) {
        current = { fingerprint, index: loaded };
        return;
      }
      const index = await buildMiniSearch(await passages());
      await (
        await blob()
      ).uploadData(Buffer.from(JSON.stringify({ fingerprint, index: index.toJSON() }), 'utf8'), {
        blobHTTPHeaders: { blobContentType: 'application/json' },
      });
      current = { fingerprint, index };
    },
    async search(query, top) {
      if (!current) return [];
      return searchMiniSearch(current.index, query, top);
    },
  };
}
