import { z } from 'zod';
import { AppError, preconditionFailed, validation } from '../../app/errors.ts';

/** The status of a storage SDK error (RestError), if it is one. */
export function storageStatus(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'statusCode' in error && typeof error.statusCode === 'number') {
    return error.statusCode;
  }
  return undefined;
}

/** Runs a conditional write, turning a 412 from storage into the app's PreconditionFailed. */
export async function guarded<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (storageStatus(error) === 412) throw preconditionFailed();
    throw error;
  }
}

const tokenSchema = z.strictObject({
  nextPartitionKey: z.string().max(1024),
  nextRowKey: z.string().max(1024).optional(),
});

/**
 * Continuation tokens come back from clients: check them before they reach the SDK, so a forged one is a 400
 * rather than a storage error.
 */
export function checkContinuationToken(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  try {
    tokenSchema.parse(JSON.parse(Buffer.from(token, 'base64').toString('utf8')));
    return token;
  } catch {
    throw validation('The continuation token is not valid.', [
      { path: 'query.continuationToken', message: 'not a token returned by this API' },
    ]);
  }
}

/** A stored row that does not parse is a defect, not the client's fault. */
export function corruptRow(table: string, key: string, error: unknown): Error {
  return new Error(`Row ${key} in table ${table} does not match its schema: ${String(error)}`);
}

export { AppError };
