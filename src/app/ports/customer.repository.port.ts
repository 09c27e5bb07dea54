import type { Customer } from '../../domain/customer.ts';

export interface Versioned<T> {
  value: T;
  etag: string;
}

export interface Page<T> {
  items: T[];
  continuationToken?: string;
}

export interface CustomerRepository {
  /** Fails with a conflict when the id exists. */
  create(customer: Customer): Promise<Versioned<Customer>>;
  get(customerId: string): Promise<Versioned<Customer> | undefined>;
  /** Fails with PreconditionFailed when `etag` is no longer current. */
  replace(customer: Customer, etag: string): Promise<Versioned<Customer>>;
  list(pageSize: number, continuationToken?: string): Promise<Page<Customer>>;
}
