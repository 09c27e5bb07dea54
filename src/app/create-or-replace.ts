import { AppError } from './errors.ts';
import type { Versioned } from './ports/customer.repository.port.ts';

interface Store<T> {
  get(id: string): Promise<Versioned<T> | undefined>;
  create(value: T): Promise<Versioned<T>>;
  replace(value: T, etag: string): Promise<Versioned<T>>;
}

/**
 * PUT semantics for partner-managed resources: without If-Match the resource is created, and an existing one is
 * never overwritten unseen (428); with If-Match it is replaced only if unchanged since that read (412).
 */
export async function createOrReplace<T>(
  store: Store<T>,
  id: string,
  value: T,
  etag: string | undefined,
): Promise<Versioned<T> & { created: boolean }> {
  if (etag !== undefined) return { ...(await store.replace(value, etag)), created: false };
  if (await store.get(id)) {
    throw new AppError(
      'PreconditionRequired',
      'REQUEST.IF_MATCH_REQUIRED',
      `${id} exists already; send If-Match with the ETag from your last read to replace it.`,
    );
  }
  return { ...(await store.create(value)), created: true };
}
