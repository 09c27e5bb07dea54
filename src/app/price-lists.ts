import {
  entryIdentity,
  GLOBAL_PRICE_LIST,
  normalizeEntry,
  priceEntrySchema,
  type PriceEntry,
} from '../domain/price-list.ts';
import type { Product } from '../domain/product.ts';
import { AppError, notFound, validation, type FieldError } from './errors.ts';
import type { CatalogAdmin } from './ports/catalog-admin.port.ts';
import type { CustomerRepository, Page } from './ports/customer.repository.port.ts';
import type { CsvTable } from './ports/csv-table.ts';

export interface PriceListDeps {
  catalogAdmin: CatalogAdmin;
  customers: CustomerRepository;
}

export interface SaveResult {
  priceListId: string;
  received: number;
  created: number;
  updated: number;
  unchanged: number;
}

export const IMPORT_COLUMNS = [
  'productId',
  'term',
  'frequency',
  'currency',
  'salePrice',
  'cost',
  'effectiveFrom',
] as const;
const MAX_ERRORS = 100;

export async function listPrices(
  deps: PriceListDeps,
  priceListId: string,
  productId: string | undefined,
  pageSize: number,
  continuationToken?: string,
): Promise<Page<PriceEntry>> {
  await requireList(deps, priceListId);
  return deps.catalogAdmin.prices.page(priceListId, productId, pageSize, continuationToken);
}

/** Creates or replaces a batch of entries, all or none; errors name `body.prices.{index}.{field}`. */
export async function savePrices(deps: PriceListDeps, priceListId: string, entries: PriceEntry[]): Promise<SaveResult> {
  await requireList(deps, priceListId);
  const check = entryChecker(await catalogById(deps));
  const errors = entries.flatMap((entry, i) => check(`body.prices.${i}`, entry));
  if (errors.length) throw invalid(`${errors.length} price entries are not valid; nothing was saved.`, errors);
  return write(deps, priceListId, entries);
}

/**
 * Imports the partner's CSV price list, all or none: every row is checked first, and errors name
 * `line {n}.{column}`. Rows already stored with the same values are left alone, so a re-import changes nothing.
 */
export async function importPrices(deps: PriceListDeps, priceListId: string, csv: CsvTable): Promise<SaveResult> {
  await requireList(deps, priceListId);
  if (csv.header.join(',') !== IMPORT_COLUMNS.join(',')) {
    throw validation('The file’s header is not the price list header.', [
      { path: 'line 1', message: `the first line must be ${IMPORT_COLUMNS.join(',')}` },
    ]);
  }
  if (!csv.rows.length)
    throw validation('The file has no price rows.', [{ path: 'line 2', message: 'no rows after the header' }]);
  const check = entryChecker(await catalogById(deps));
  const entries: PriceEntry[] = [];
  const errors: FieldError[] = [];
  for (const { line, fields } of csv.rows) {
    const at = `line ${line}`;
    if (fields.length !== IMPORT_COLUMNS.length) {
      errors.push({ path: at, message: `has ${fields.length} fields; the header has ${IMPORT_COLUMNS.length}` });
      continue;
    }
    const parsed = priceEntrySchema.safeParse(
      Object.fromEntries(IMPORT_COLUMNS.map((column, i) => [column, fields[i]])),
    );
    if (!parsed.success) {
      errors.push(
        ...parsed.error.issues.map((issue) => ({ path: [at, ...issue.path].join('.'), message: issue.message })),
      );
      continue;
    }
    errors.push(...check(at, parsed.data));
    entries.push(parsed.data);
  }
  if (errors.length) throw invalid(`${errors.length} errors in the file; nothing was imported.`, errors);
  return write(deps, priceListId, entries);
}

async function requireList(deps: PriceListDeps, priceListId: string): Promise<void> {
  if (priceListId !== GLOBAL_PRICE_LIST && !(await deps.customers.get(priceListId))) {
    throw notFound('CUSTOMER.NOT_FOUND', `No customer ${priceListId}, hence no price list of it.`);
  }
}

async function catalogById(deps: PriceListDeps): Promise<Map<string, Product>> {
  return new Map((await deps.catalogAdmin.products.all()).map(({ value }) => [value.id, value]));
}

/** Checks entries against the catalog, and against each other: an offer and date may appear once per batch. */
function entryChecker(products: Map<string, Product>) {
  const seen = new Map<string, string>();
  return (at: string, entry: PriceEntry): FieldError[] => {
    const errors: FieldError[] = [];
    const product = products.get(entry.productId);
    const term = product?.terms.find((t) => t.term === entry.term);
    if (!product) errors.push({ path: `${at}.productId`, message: `no product ${entry.productId} in the catalog` });
    else if (!term) errors.push({ path: `${at}.term`, message: `${product.id} is not offered for ${entry.term}` });
    else if (!term.frequencies.includes(entry.frequency))
      errors.push({
        path: `${at}.frequency`,
        message: `${product.id} on ${entry.term} is not billed ${entry.frequency}`,
      });
    const identity = entryIdentity(entry);
    const first = seen.get(identity);
    if (first)
      errors.push({
        path: at,
        message: `repeats the product, term, frequency, currency and effectiveFrom of ${first}`,
      });
    else seen.set(identity, at);
    return errors;
  };
}

const invalid = (message: string, errors: FieldError[]) =>
  new AppError('Validation', 'REQUEST.INVALID', message, {
    errors: errors.slice(0, MAX_ERRORS),
    errorCount: errors.length,
  });

async function write(deps: PriceListDeps, priceListId: string, entries: PriceEntry[]): Promise<SaveResult> {
  const stored = new Map((await deps.catalogAdmin.prices.all(priceListId)).map((e) => [entryIdentity(e), e]));
  const result: SaveResult = { priceListId, received: entries.length, created: 0, updated: 0, unchanged: 0 };
  const changed: PriceEntry[] = [];
  for (const entry of entries.map(normalizeEntry)) {
    const before = stored.get(entryIdentity(entry));
    if (!before) result.created += 1;
    else if (before.salePrice !== entry.salePrice || before.cost !== entry.cost) result.updated += 1;
    else {
      result.unchanged += 1;
      continue;
    }
    changed.push(entry);
  }
  await deps.catalogAdmin.prices.upsert(priceListId, changed);
  return result;
}
