import { z } from 'zod';
import { validation } from './errors.ts';
import type { Page } from './ports/customer.repository.port.ts';

/**
 * Pages of a list filtered in memory. The continuation token is the offset of the next page, encoded so that
 * clients treat it as opaque, and checked when it comes back.
 */
const tokenSchema = z.strictObject({ offset: z.number().int().min(1).max(1_000_000) });

export function offsetPage<T>(items: readonly T[], pageSize: number, continuationToken?: string): Page<T> {
  const start = continuationToken === undefined ? 0 : decode(continuationToken);
  const end = start + pageSize;
  return {
    items: items.slice(start, end),
    ...(end < items.length
      ? { continuationToken: Buffer.from(JSON.stringify({ offset: end })).toString('base64url') }
      : {}),
  };
}

function decode(token: string): number {
  try {
    return tokenSchema.parse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))).offset;
  } catch {
    throw validation('The continuation token is not valid.', [
      { path: 'query.continuationToken', message: 'not a token returned by this API' },
    ]);
  }
}
