import { z } from 'zod';
import { AppError } from '../../app/errors.ts';
import { defineRoute } from '../route.ts';

const healthSchema = z.object({
  status: z.literal('ok'),
  checks: z.object({ tables: z.literal('ok'), blobs: z.literal('ok') }),
});

export const getHealth = defineRoute({
  name: 'getHealth',
  method: 'GET',
  path: '/health',
  access: 'anonymous',
  summary: 'Liveness and storage reachability',
  tags: ['meta'],
  responses: { 200: { description: 'Storage is reachable', schema: healthSchema } },
  async handler({ services }) {
    const { tables, blobs } = await services.storage.ping();
    if (!tables || !blobs) {
      throw new AppError(
        'Unavailable',
        'HEALTH.STORAGE_UNREACHABLE',
        `Storage is not reachable (tables: ${tables ? 'ok' : 'down'}, blobs: ${blobs ? 'ok' : 'down'}).`,
        {
          retryAfterSeconds: 10,
        },
      );
    }
    return { status: 200, body: { status: 'ok', checks: { tables: 'ok', blobs: 'ok' } } };
  },
});
