import { createRequire } from 'node:module';

/**
 * Azurite's table store (LokiJS) answers every entity query by evaluating the OData filter, as a tree, on every
 * entity of the table: a query for one customer's partition costs as much as the whole table, so a billing run over
 * N customers costs N × (the table), where Azure Table Storage seeks to the partition. This keeps, per table, an
 * index of entity ids by partition key, and narrows a query whose filter is a conjunction with conditions on
 * `PartitionKey` (eq, ge, gt, le, lt against a string) to the entities of the partitions those conditions admit,
 * before Azurite's own evaluation: the same filter, paging, order and limit run on a subset that contains every
 * match, so the answer is the same. Any other filter (an `or`, a `not`, no partition condition) goes the original
 * way.
 *
 * The index follows the collection without hooks: LokiJS gives each inserted document the next `$loki` id and
 * appends it (Azurite replaces an entity by remove + insert, so an update is a new id), so documents with ids above
 * the highest indexed one are added before each query, and ids removed since are skipped when looked up. The
 * partition keys are also kept in order, so a range of partitions is found by binary search rather than by testing
 * every partition of the table (a billing run reads one customer's usage partitions by range: testing all of them
 * made each customer cost as much as the number of customers).
 *
 * A filter that also names its row keys (`RowKey eq 'x'`, or an `or` of such conditions: reading a run's result row
 * and its progress shard) in a large partition is answered by LokiJS's own binary index on `RowKey`, keeping the
 * documents of the admitted partitions whose row key is exactly the one asked for, instead of every row.
 */

interface LokiDoc {
  $loki: number;
  PartitionKey: string;
  RowKey: string;
}

interface LokiCollection {
  data: LokiDoc[];
  maxId: number;
  get(id: number): LokiDoc | null;
  find(query: Record<string, unknown>): LokiDoc[];
}

export interface QueryNode {
  name: string;
  left?: QueryNode;
  right?: QueryNode;
  identifier?: string;
  value?: unknown;
}

interface PartitionIndex {
  maxId: number;
  byPartition: Map<string, number[]>;
  /** The keys of `byPartition`, in string order. */
  sorted: string[];
}

interface Bounds {
  eq?: string;
  lower?: { key: string; inclusive: boolean };
  upper?: { key: string; inclusive: boolean };
  /** The only row keys a match can have (from `RowKey eq` conditions), when the filter says. */
  rows?: string[];
}

type QueryResult = [LokiDoc[], string | undefined, string | undefined];

interface StoreInternals {
  getEntityCollection(account: string, table: string, context: unknown): LokiCollection;
  getMaxResultsOption(queryOptions: unknown): number;
  decodeContinuationHeader(value: string | undefined): string | undefined;
  adjustQueryResultforTop(
    result: LokiDoc[],
    maxResults: number,
  ): { nextPartitionKeyResponse: string | undefined; nextRowKeyResponse: string | undefined };
}

type QueryEntities = (
  this: StoreInternals,
  context: unknown,
  account: string,
  table: string,
  queryOptions: { filter?: string },
  nextPartitionKey?: string,
  nextRowKey?: string,
) => Promise<QueryResult>;

const PATCHED = Symbol.for('csp-portal.azurite-partition-index');
const indexes = new WeakMap<LokiCollection, PartitionIndex>();

/** The entity ids per partition key of `collection`, brought up to date with what was inserted since. */
function indexOf(collection: LokiCollection): PartitionIndex {
  let index = indexes.get(collection);
  if (!index || collection.maxId < index.maxId) {
    index = { maxId: 0, byPartition: new Map(), sorted: [] };
    indexes.set(collection, index);
  }
  if (collection.maxId === index.maxId) return index;
  const fresh: LokiDoc[] = [];
  for (let i = collection.data.length - 1; i >= 0; i--) {
    const doc = collection.data[i] as LokiDoc;
    if (doc.$loki <= index.maxId) break;
    fresh.push(doc);
  }
  for (let i = fresh.length - 1; i >= 0; i--) {
    const doc = fresh[i] as LokiDoc;
    let ids = index.byPartition.get(doc.PartitionKey);
    if (!ids) {
      index.byPartition.set(doc.PartitionKey, (ids = []));
      index.sorted.splice(firstAtOrAbove(index.sorted, doc.PartitionKey, true), 0, doc.PartitionKey);
    }
    ids.push(doc.$loki);
  }
  index.maxId = collection.maxId;
  return index;
}

/** The position of the first key in `sorted` that is ≥ `key` (`inclusive`) or > `key`. */
function firstAtOrAbove(sorted: string[], key: string, inclusive: boolean): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const at = sorted[middle] as string;
    if (at < key || (!inclusive && at === key)) low = middle + 1;
    else high = middle;
  }
  return low;
}

const OPERATORS = new Set(['eq', 'ge', 'gt', 'le', 'lt']);

/** The row keys an `or` tree of `RowKey eq 'constant'` conditions admits, or undefined for any other shape. */
function rowKeysOf(node: QueryNode): string[] | undefined {
  if (node.name === 'or' && node.left && node.right) {
    const left = rowKeysOf(node.left);
    const right = left && rowKeysOf(node.right);
    return left && right ? [...left, ...right] : undefined;
  }
  const { left, right } = node;
  if (node.name !== 'eq' || left?.name !== 'id' || left.identifier !== 'RowKey') return undefined;
  return right?.name === 'constant' && typeof right.value === 'string' ? [right.value] : undefined;
}

/**
 * The partition-key bounds every match of `tree` satisfies, or undefined when the filter is not that shape. Only
 * `PartitionKey op 'constant'` narrows (Azurite answers a constant on the left with nothing; such a condition is
 * left to its evaluation), and leaving a condition out only widens the subset.
 */
export function partitionBounds(tree: QueryNode): Bounds | undefined {
  const conjuncts: QueryNode[] = [];
  const walk = (node: QueryNode) => {
    if (node.name === 'and' && node.left && node.right) {
      walk(node.left);
      walk(node.right);
    } else conjuncts.push(node);
  };
  walk(tree);
  const bounds: Bounds = {};
  let found = false;
  for (const node of conjuncts) {
    const rows = rowKeysOf(node);
    if (rows) bounds.rows = bounds.rows ? bounds.rows.filter((key) => rows.includes(key)) : [...new Set(rows)];
    if (!OPERATORS.has(node.name) || !node.left || !node.right) continue;
    const op = node.name;
    const identifier = node.left;
    const constant = node.right;
    if (identifier.name !== 'id' || identifier.identifier !== 'PartitionKey') continue;
    if (constant.name !== 'constant' || typeof constant.value !== 'string') continue;
    const key = constant.value;
    found = true;
    if (op === 'eq') {
      if (bounds.eq !== undefined && bounds.eq !== key)
        return { lower: { key, inclusive: false }, upper: { key, inclusive: false } };
      bounds.eq = key;
    } else if (op === 'ge' || op === 'gt') {
      const inclusive = op === 'ge';
      const current = bounds.lower;
      if (!current || key > current.key || (key === current.key && !inclusive)) bounds.lower = { key, inclusive };
    } else {
      const inclusive = op === 'le';
      const current = bounds.upper;
      if (!current || key < current.key || (key === current.key && !inclusive)) bounds.upper = { key, inclusive };
    }
  }
  return found ? bounds : undefined;
}

function admits(bounds: Bounds, key: string): boolean {
  if (bounds.eq !== undefined && key !== bounds.eq) return false;
  if (bounds.lower && (bounds.lower.inclusive ? key < bounds.lower.key : key <= bounds.lower.key)) return false;
  if (bounds.upper && (bounds.upper.inclusive ? key > bounds.upper.key : key >= bounds.upper.key)) return false;
  return true;
}

/** The documents of the partitions `bounds` admits (ids removed since indexing skipped). */
function candidates(collection: LokiCollection, bounds: Bounds): LokiDoc[] {
  const index = indexOf(collection);
  // A small partition is read whole; in a large one, the few rows asked for are sought. (LokiJS's index may compare
  // numeric-looking keys loosely and give a neighbour too: the filter's own evaluation below drops it.)
  if (bounds.rows && (bounds.eq === undefined || (index.byPartition.get(bounds.eq)?.length ?? 0) > 64)) {
    const docs: LokiDoc[] = [];
    for (const row of bounds.rows)
      for (const doc of collection.find({ RowKey: row })) if (admits(bounds, doc.PartitionKey)) docs.push(doc);
    return docs;
  }
  const keys: string[] = [];
  if (bounds.eq !== undefined) keys.push(bounds.eq);
  else {
    const from = bounds.lower ? firstAtOrAbove(index.sorted, bounds.lower.key, bounds.lower.inclusive) : 0;
    for (let i = from; i < index.sorted.length; i++) {
      const key = index.sorted[i] as string;
      if (!admits(bounds, key)) break;
      keys.push(key);
    }
  }
  const docs: LokiDoc[] = [];
  for (const key of keys) {
    const ids = index.byPartition.get(key);
    if (!ids || !admits(bounds, key)) continue;
    let kept = 0;
    for (const id of ids) {
      const doc = collection.get(id);
      if (!doc) continue;
      docs.push(doc);
      ids[kept++] = id;
    }
    ids.length = kept;
    if (kept === 0) {
      index.byPartition.delete(key);
      index.sorted.splice(firstAtOrAbove(index.sorted, key, true), 1);
    }
  }
  return docs;
}

const byKeys = (a: LokiDoc, b: LokiDoc) =>
  a.PartitionKey > b.PartitionKey
    ? 1
    : a.PartitionKey < b.PartitionKey
      ? -1
      : a.RowKey > b.RowKey
        ? 1
        : a.RowKey < b.RowKey
          ? -1
          : 0;

/** Installs the narrowing on Azurite's Loki table store (once per process). */
export function indexAzuritePartitions(): void {
  const require = createRequire(import.meta.url);
  const base = 'azurite/dist/src/table/persistence/';
  const Store = (require(`${base}LokiTableMetadataStore`) as { default: { prototype: Record<PropertyKey, unknown> } })
    .default;
  if (Store.prototype[PATCHED]) return;
  const parse = (require(`${base}QueryInterpreter/QueryParser`) as { default: (q: string) => QueryNode }).default;
  const Generator = (
    require(`${base}LokiTableStoreQueryGenerator`) as {
      default: { generateQueryForPersistenceLayer(options: unknown, context: unknown): (doc: LokiDoc) => boolean };
    }
  ).default;
  const original = Store.prototype.queryTableEntities as QueryEntities;
  const patched: QueryEntities = async function (context, account, table, queryOptions, nextPK, nextRK) {
    const filter = queryOptions.filter;
    let bounds: Bounds | undefined;
    try {
      bounds = filter && !/^(true|false)$/.test(filter) ? partitionBounds(parse(filter)) : undefined;
    } catch {
      bounds = undefined; // Azurite's own path reports the invalid filter
    }
    if (!bounds) return original.call(this, context, account, table, queryOptions, nextPK, nextRK);
    const collection = this.getEntityCollection(account, table, context);
    const where = Generator.generateQueryForPersistenceLayer(queryOptions, context);
    const maxResults = this.getMaxResultsOption(queryOptions);
    const nextPartitionKey = this.decodeContinuationHeader(nextPK);
    const nextRowKey = this.decodeContinuationHeader(nextRK);
    // Azurite's own continuation predicate, unchanged.
    const afterContinuation = (doc: LokiDoc) => {
      if (nextPartitionKey !== undefined && doc.PartitionKey > nextPartitionKey) return true;
      if (nextRowKey !== undefined)
        return doc.RowKey >= nextRowKey && (doc.PartitionKey === nextPartitionKey || doc.PartitionKey === undefined);
      if (nextPartitionKey !== undefined && doc.PartitionKey < nextPartitionKey) return false;
      return true;
    };
    const result = candidates(collection, bounds)
      .filter((doc) => where(doc) && afterContinuation(doc))
      .sort(byKeys)
      .slice(0, maxResults + 1);
    const response = this.adjustQueryResultforTop(result, maxResults);
    return [result, response.nextPartitionKeyResponse, response.nextRowKeyResponse];
  };
  Store.prototype.queryTableEntities = patched;
  Store.prototype[PATCHED] = true;
}
