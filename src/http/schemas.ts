import { z } from 'zod';
import { AppError } from '../app/errors.ts';

/** Shapes shared by many routes. */
export const customerIdParams = z.strictObject({ customerId: z.uuid() });

export const pageQuery = z.strictObject({
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
  continuationToken: z.string().min(1).max(2048).optional(),
});

export const pageOf = <T extends z.ZodType>(item: T, id: string) =>
  z
    .object({
      items: z.array(item),
      continuationToken: z
        .string()
        .optional()
        .describe('Pass as `continuationToken` to read the next page; absent on the last page.'),
    })
    .meta({ id });

export const ifMatchHeader = {
  'If-Match': {
    description: 'The ETag from the last read; the change is refused with 412 if the resource has changed since.',
    required: true,
  },
};

/** Reads If-Match, refusing a request without one (428), so that no write can overwrite a change unseen. */
export function requireIfMatch(headers: { get(name: string): string | null }): string {
  const etag = headers.get('if-match');
  if (!etag || etag === '*') {
    throw new AppError(
      'PreconditionRequired',
      'REQUEST.IF_MATCH_REQUIRED',
      'Send If-Match with the ETag from your last read of this resource.',
    );
  }
  return etag;
}
