/**
 * The failures a use case may report, each with a stable code. `src/http/problem.ts` is the one place that
 * turns them into HTTP statuses and problem+json.
 */
export type FieldError = { path: string; message: string };

export type AppErrorKind =
  | 'Validation'
  | 'Unprocessable'
  | 'Unauthenticated'
  | 'Forbidden'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'Conflict'
  | 'PreconditionFailed'
  | 'PreconditionRequired'
  | 'PayloadTooLarge'
  | 'UnsupportedMediaType'
  | 'NotAcceptable'
  | 'Throttled'
  | 'Unavailable';

export class AppError extends Error {
  constructor(
    readonly kind: AppErrorKind,
    /** Stable, dotted code, e.g. `CUSTOMER.NOT_FOUND`. */
    readonly code: string,
    message: string,
    readonly extra: { errors?: FieldError[]; retryAfterSeconds?: number; [key: string]: unknown } = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (code: string, message: string) => new AppError('NotFound', code, message);
export const validation = (message: string, errors: FieldError[]) =>
  new AppError('Validation', 'REQUEST.INVALID', message, { errors });
export const conflict = (code: string, message: string) => new AppError('Conflict', code, message);
export const preconditionFailed = (message = 'The resource has changed since it was read; read it again and retry.') =>
  new AppError('PreconditionFailed', 'REQUEST.STALE_ETAG', message);
