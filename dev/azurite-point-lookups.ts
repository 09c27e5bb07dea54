import { createRequire } from 'node:module';

/**
 * Azurite finds one entity or blob with a LokiJS `findOne` whose query starts with the least selective key: a table
 * entity by `{PartitionKey, RowKey}` (every row of the partition is compared), a blob by `{accountName,
 * containerName, name, snapshot}` (every blob of the account is compared). Both collections keep a binary index on
 * `RowKey` and `name`, but LokiJS uses an index only for a query's first condition, so each write of a billing run
 * cost a scan of everything written before it: quadratic in the run (in a 1,000-customer run with two workers,
 * ~15 s of Azurite's 55 s CPU went to blob look-ups alone). Azure Storage seeks to one entity or blob.
 *
 * This puts the selective key first. The conditions form a conjunction, so their order does not change which
 * documents match; and because an index lookup may compare numeric-looking strings loosely, a result whose key is
 * not strictly the one asked for is discarded and the query asked again in Azurite's own order.
 */

const PATCHED = Symbol.for('csp-portal.azurite-point-lookups');
/** Keys that single out one document among many and carry a binary index in Azurite's collections. */
const SELECTIVE = ['RowKey', 'name'];

type FindOne = (this: unknown, query: unknown) => Record<string, unknown> | null;

/** `query` with its first selective key (a string equality) moved to the front; `key` names it. */
export function selectiveFirst(query: unknown): { query: unknown; key?: string } {
  if (!query || typeof query !== 'object' || Array.isArray(query)) return { query };
  const entries = Object.entries(query);
  const at = entries.findIndex(([key, value]) => SELECTIVE.includes(key) && typeof value === 'string');
  if (at <= 0 || entries.length < 2) return { query };
  const [chosen] = entries.splice(at, 1) as [[string, unknown]];
  return { query: Object.fromEntries([chosen, ...entries]), key: chosen[0] };
}

/** Installs the reordering on the LokiJS that Azurite uses (once per process). */
export function narrowAzuritePointLookups(): void {
  const fromAzurite = createRequire(createRequire(import.meta.url).resolve('azurite/package.json'));
  const Loki = fromAzurite('lokijs') as { Collection: { prototype: Record<PropertyKey, unknown> } };
  const proto = Loki.Collection.prototype;
  if (proto[PATCHED]) return;
  const original = proto.findOne as FindOne;
  const patched: FindOne = function (query) {
    const reordered = selectiveFirst(query);
    if (!reordered.key) return original.call(this, query);
    const found = original.call(this, reordered.query);
    const asked = (query as Record<string, unknown>)[reordered.key];
    if (found === null || found[reordered.key] === asked) return found;
    return original.call(this, query);
  };
  proto.findOne = patched;
  proto[PATCHED] = true;
}
