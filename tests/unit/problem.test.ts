import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../src/app/errors.ts';
import { fieldErrors, internalErrorReply, problemReply } from '../../src/http/problem.ts';

describe('problem+json mapping', () => {
  it.each([
    ['Validation', 400],
    ['Unauthenticated', 401],
    ['Forbidden', 403],
    ['NotFound', 404],
    ['MethodNotAllowed', 405],
    ['Conflict', 409],
    ['PreconditionFailed', 412],
    ['PayloadTooLarge', 413],
    ['UnsupportedMediaType', 415],
    ['PreconditionRequired', 428],
    ['Throttled', 429],
    ['Unavailable', 503],
  ] as const)('%s is %i', (kind, status) => {
    const reply = problemReply(new AppError(kind, 'X.Y', 'why'), 'inv-1');
    expect(reply).toMatchObject({
      status,
      contentType: 'application/problem+json',
      body: { status, code: 'X.Y', detail: 'why', instance: 'inv-1', type: '/api/problems/X.Y' },
    });
  });

  it('carries field errors, Retry-After and extension members', () => {
    const reply = problemReply(
      new AppError('Throttled', 'PC.THROTTLED', 'slow down', {
        retryAfterSeconds: 2.2,
        errors: [{ path: 'body.x', message: 'bad' }],
        windowEnd: '2026-01-01',
      }),
      'i',
    );
    expect(reply.headers).toEqual({ 'retry-after': '3' });
    expect(reply.body).toMatchObject({ errors: [{ path: 'body.x', message: 'bad' }], windowEnd: '2026-01-01' });
  });

  it('asks for a bearer token on 401', () => {
    expect(problemReply(new AppError('Unauthenticated', 'AUTH.MISSING', 'sign in'), 'i').headers).toEqual({
      'www-authenticate': 'Bearer',
    });
  });

  it('answers unexpected failures without internals', () => {
    const reply = internalErrorReply('inv-9');
    expect(reply.status).toBe(500);
    expect(Object.keys(reply.body as object).sort()).toEqual(['code', 'detail', 'instance', 'status', 'title', 'type']);
  });

  it('prefixes zod paths with the request part', () => {
    const result = z.strictObject({ a: z.object({ b: z.number() }) }).safeParse({ a: { b: 'x' }, c: 1 });
    expect(result.success).toBe(false);
    if (!result.success) {
      expect(fieldErrors('body', result.error)).toEqual([
        { path: 'body.a.b', message: expect.stringMatching(/number/) },
        { path: 'body', message: 'unknown field(s): c' },
      ]);
    }
  });
});
