import {
  byName,
  matchesFilter,
  productSchema,
  type Product,
  type ProductFields,
  type ProductFilter,
} from '../domain/product.ts';
import { createOrReplace } from './create-or-replace.ts';
import { conflict, notFound, validation, type FieldError } from './errors.ts';
import { offsetPage } from './offset-page.ts';
import type { CatalogAdmin } from './ports/catalog-admin.port.ts';
import type { Page, Versioned } from './ports/customer.repository.port.ts';

export interface ProductDeps {
  catalogAdmin: CatalogAdmin;
}

export async function listProducts(
  deps: ProductDeps,
  filter: ProductFilter,
  pageSize: number,
  continuationToken?: string,
): Promise<Page<Product>> {
  const products = (await deps.catalogAdmin.products.all()).map((row) => row.value);
  return offsetPage(products.filter((p) => matchesFilter(p, filter)).sort(byName), pageSize, continuationToken);
}

export async function getProduct(deps: ProductDeps, productId: string): Promise<Versioned<Product>> {
  const found = await deps.catalogAdmin.products.get(productId);
  if (!found) throw notFound('PRODUCT.NOT_FOUND', `No product ${productId}.`);
  return found;
}

export async function createProduct(deps: ProductDeps, product: Product): Promise<Versioned<Product>> {
  await checkBaseProducts(deps, product);
  return deps.catalogAdmin.products.create(product);
}

/** Creates the product, or replaces it when `etag` is given (see createOrReplace). */
export async function putProduct(
  deps: ProductDeps,
  productId: string,
  fields: ProductFields,
  etag: string | undefined,
) {
  const checked = productSchema.safeParse({ ...fields, id: productId });
  if (!checked.success) {
    throw validation(
      'The product is not valid.',
      checked.error.issues.map((i) => ({ path: ['body', ...i.path].join('.'), message: i.message })),
    );
  }
  await checkBaseProducts(deps, checked.data);
  return createOrReplace(deps.catalogAdmin.products, productId, checked.data, etag);
}

export async function deleteProduct(deps: ProductDeps, productId: string): Promise<void> {
  const addOns = (await deps.catalogAdmin.products.all()).filter((row) => row.value.addOnOf.includes(productId));
  if (addOns.length) {
    throw conflict(
      'PRODUCT.HAS_ADD_ONS',
      `${productId} is the base of ${addOns.map((row) => row.value.id).join(', ')}; change those add-ons first.`,
    );
  }
  if (!(await deps.catalogAdmin.products.delete(productId)))
    throw notFound('PRODUCT.NOT_FOUND', `No product ${productId}.`);
}

async function checkBaseProducts(deps: ProductDeps, product: Product): Promise<void> {
  const known = new Set((await deps.catalogAdmin.products.all()).map((row) => row.value.id));
  const errors: FieldError[] = product.addOnOf.flatMap((base, i) =>
    known.has(base) ? [] : [{ path: `body.addOnOf.${i}`, message: `no product ${base} in the catalog` }],
  );
  if (errors.length) throw validation('An add-on must name base products of the catalog.', errors);
}
