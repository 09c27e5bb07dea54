import { z } from 'zod';
import { type AppError, type AppErrorKind, type FieldError } from '../app/errors.ts';
import { problemEntry, problemTypeUri } from './problem-registry.ts';
import type { Reply } from './route.ts';

/** RFC 9457 problem details, as every 4xx and 5xx of this API is answered. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string(),
    code: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem' });

export type Problem = z.infer<typeof problemSchema>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const statusOf: Record<AppErrorKind, { status: number; title: string }> = {
  Validation: { status: 400, title: 'The request is not valid' },
  Unprocessable: { status: 422, title: 'The request cannot be processed' },
  Unauthenticated: { status: 401, title: 'Sign-in required' },
  Forbidden: { status: 403, title: 'Not allowed' },
  NotFound: { status: 404, title: 'Not found' },
  MethodNotAllowed: { status: 405, title: 'Method not allowed' },
  Conflict: { status: 409, title: 'Conflict' },
  PreconditionFailed: { status: 412, title: 'The resource has changed' },
  PreconditionRequired: { status: 428, title: 'If-Match required' },
  PayloadTooLarge: { status: 413, title: 'The request body is too large' },
  UnsupportedMediaType: { status: 415, title: 'Unsupported content type' },
  NotAcceptable: { status: 406, title: 'Not acceptable' },
  Throttled: { status: 429, title: 'Too many requests' },
  Unavailable: { status: 503, title: 'Temporarily unavailable' },
};

export function problemReply(error: AppError, invocationId: string): Reply {
  const { status, title: generic } = statusOf[error.kind];
  // The registry's title says what happened ("Seats cannot be removed: …"); the kind's is the fallback.
  const title = problemEntry(error.code)?.title ?? generic;
  const { errors, retryAfterSeconds, ...extensions } = error.extra;
  const headers: Record<string, string> = {};
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfterSeconds)));
  if (status === 401) headers['www-authenticate'] = 'Bearer';
  const body: Problem = {
    ...extensions,
    type: problemTypeUri(error.code),
    title,
    status,
    detail: error.message,
    instance: invocationId,
    code: error.code,
    ...(errors?.length ? { errors } : {}),
  };
  return { status, body, contentType: PROBLEM_CONTENT_TYPE, headers };
}

/** The answer to an unexpected failure: no detail that could leak internals; the log has the rest. */
export function internalErrorReply(invocationId: string): Reply {
  const body: Problem = {
    type: problemTypeUri('INTERNAL'),
    title: problemEntry('INTERNAL')?.title ?? 'Internal error',
    status: 500,
    detail: `Something went wrong on our side. Quote ${invocationId} when you report it.`,
    instance: invocationId,
    code: 'INTERNAL',
  };
  return { status: 500, body, contentType: PROBLEM_CONTENT_TYPE };
}

/** zod issues as field errors, with paths prefixed by where the value came from (`body`, `query`, …). */
export function fieldErrors(source: string, error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: [source, ...issue.path.map(String)].join('.'),
    message: issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
  }));
}
