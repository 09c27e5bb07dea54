import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';
import { conflict } from '../../app/errors.ts';
import type { CustomerRepository, Page, Versioned } from '../../app/ports/customer.repository.port.ts';
import { companyProfileSchema, customerSchema, type Customer } from '../../domain/customer.ts';
import { checkContinuationToken, corruptRow, guarded, storageStatus } from './table-errors.ts';

/** One partition per customer; the customer's own record is the row `customer`. */
const ROW = 'customer';

const rowSchema = z.object({
  partitionKey: z.string(),
  rowKey: z.literal(ROW),
  etag: z.string(),
  name: z.string(),
  billingDay: z.string(),
  currency: z.string(),
  country: z.string(),
  company: z.string(),
  tenantId: z.string().optional(),
  billingChangeConfirmation: z.boolean().optional(),
  resellerId: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

function toEntity(c: Customer) {
  return {
    partitionKey: c.id,
    rowKey: ROW,
    name: c.name,
    billingDay: String(c.billingDay),
    currency: c.currency,
    country: c.country,
    company: JSON.stringify(c.company),
    ...(c.tenantId ? { tenantId: c.tenantId } : {}),
    billingChangeConfirmation: c.billingChangeConfirmation,
    ...(c.resellerId ? { resellerId: c.resellerId } : {}),
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

function fromEntity(entity: unknown): Versioned<Customer> {
  try {
    const row = rowSchema.parse(entity);
    const value = customerSchema.parse({
      id: row.partitionKey,
      name: row.name,
      billingDay: row.billingDay === 'last' ? 'last' : Number(row.billingDay),
      currency: row.currency,
      country: row.country,
      company: companyProfileSchema.parse(JSON.parse(row.company)),
      ...(row.tenantId ? { tenantId: row.tenantId } : {}),
      billingChangeConfirmation: row.billingChangeConfirmation ?? false,
      ...(row.resellerId ? { resellerId: row.resellerId } : {}),
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    });
    return { value, etag: row.etag };
  } catch (error) {
    const key = (entity as { partitionKey?: string }).partitionKey ?? '?';
    throw corruptRow('customers', key, error);
  }
}

export function customerTable(client: TableClient): CustomerRepository {
  return {
    async create(customer) {
      try {
        const { etag } = await client.createEntity(toEntity(customer));
        return { value: customer, etag: etag ?? '' };
      } catch (error) {
        if (storageStatus(error) === 409)
          throw conflict('REQUEST.ALREADY_EXISTS', `Customer ${customer.id} exists already.`);
        throw error;
      }
    },
    async get(customerId) {
      try {
        return fromEntity(await client.getEntity(customerId, ROW));
      } catch (error) {
        if (storageStatus(error) === 404) return undefined;
        throw error;
      }
    },
    async replace(customer, etag) {
      const result = await guarded(() => client.updateEntity(toEntity(customer), 'Replace', { etag }));
      return { value: customer, etag: result.etag ?? '' };
    },
    async list(pageSize, continuationToken): Promise<Page<Customer>> {
      const pages = client
        .listEntities({ queryOptions: { filter: `RowKey eq '${ROW}'` } })
        .byPage({ maxPageSize: pageSize, continuationToken: checkContinuationToken(continuationToken) });
      const { value } = await pages.next();
      const page = (value ?? []) as unknown[] & { continuationToken?: string };
      return {
        items: page.map((entity) => fromEntity(entity).value),
        ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
      };
    },
  };
}
