import type { z } from 'zod';
import { AppError, validation } from '../app/errors.ts';
import { canActFor, type Principal } from '../app/principal.ts';
import type { Logger } from '../app/ports/logger.port.ts';
import type { Services } from '../app/services.ts';
import { fieldErrors, internalErrorReply, problemReply } from './problem.ts';
import type { Reply, RequestHeaders, Route } from './route.ts';

/** A request as the pipeline sees it, whoever received it (Azure Functions or the local host). */
export interface IncomingCall {
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: RequestHeaders;
  /** Reads the whole body; the caller has already refused bodies over the limit where it could. */
  readBody: () => Promise<Uint8Array>;
  invocationId: string;
  log: Logger;
}

export type { Logger };

export interface PipelineOptions {
  /** Check every JSON reply against the route's declared response schema (tests turn this on). */
  validateResponses?: boolean;
}

const securityHeaders: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
};

/**
 * Runs one route: authenticate, authorize against the route's declared access, parse and validate the request,
 * call the handler, and turn every failure into problem+json. Nothing here trusts the body or the query for
 * identity; the customer in the route is checked against the verified principal.
 */
export async function executeRoute(
  route: Route,
  call: IncomingCall,
  services: Services,
  options: PipelineOptions = {},
): Promise<Reply> {
  let reply: Reply;
  try {
    reply = await run(route, call, services);
    if (options.validateResponses) checkResponse(route, reply);
  } catch (error) {
    if (error instanceof AppError) {
      reply = problemReply(error, call.invocationId);
    } else {
      call.log('error', 'Unhandled error', {
        invocationId: call.invocationId,
        route: route.name,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
      reply = internalErrorReply(call.invocationId);
    }
  }
  return {
    ...reply,
    headers: {
      ...securityHeaders,
      ...corsHeaders(call.headers.get('origin'), services.config.CORS_ORIGINS),
      ...reply.headers,
    },
  };
}

/** CORS for the configured portal origins (in Azure the platform answers CORS and the list is empty). */
export function corsHeaders(origin: string | null, allowed: string[]): Record<string, string> {
  if (!origin || !allowed.includes(origin)) return {};
  return {
    'access-control-allow-origin': origin,
    vary: 'Origin',
    'access-control-expose-headers': 'ETag, Location, Retry-After',
  };
}

async function run(route: Route, call: IncomingCall, services: Services): Promise<Reply> {
  if (route.simulatorOnly && services.config.COMMERCE_MODE !== 'simulator')
    throw new AppError('NotFound', 'ROUTE.NOT_FOUND', `No operation at ${route.method} /api${route.path}.`);
  const principal = route.access === 'anonymous' ? undefined : await services.authenticate(call.headers);
  if (principal) authorize(route, principal, call.params);
  if (principal && route.method !== 'GET') {
    const allowed = services.writeLimiter.take(`${principal.identity.tenantId}_${principal.identity.objectId}`);
    if (!allowed.ok) {
      throw new AppError(
        'Throttled',
        'REQUEST.RATE_LIMITED',
        'Too many changes in a short time; try again after the Retry-After delay.',
        { retryAfterSeconds: allowed.retryAfterSeconds },
      );
    }
  }

  const params = parse('params', route.params, call.params);
  const query = parse('query', route.query, queryObject(call.query));
  const body = !route.body
    ? await refuseBody(call)
    : route.binaryBody
      ? parseBody(
          route.body,
          await readBinary(
            call,
            route.binaryBody.contentTypes,
            route.binaryBody.maxBytes ?? services.config.MAX_BODY_BYTES,
          ),
        )
      : route.textBody
        ? parseBody(
            route.body,
            await readText(
              call,
              route.textBody.contentTypes,
              route.textBody.maxBytes ?? services.config.MAX_BODY_BYTES,
            ),
          )
        : parseBody(route.body, await readJson(call, services.config.MAX_BODY_BYTES));

  return route.handler({
    params,
    query,
    body,
    principal: principal as Principal,
    headers: call.headers,
    invocationId: call.invocationId,
    services,
  });
}

function authorize(route: Route, principal: Principal, params: Record<string, string>): void {
  const access = route.access;
  if (access === 'anonymous' || access === 'signedIn') return;
  if (access === 'partnerAdmin') {
    if (!principal.isPartnerAdmin)
      throw new AppError('Forbidden', 'AUTH.PARTNER_ADMIN_REQUIRED', 'Only the partner’s administrators may do this.');
    return;
  }
  const customerId = params.customerId ?? '';
  if (canActFor(principal, customerId, access.customer)) return;
  const membership = principal.memberships.find((m) => m.customerId === customerId);
  if (membership) {
    throw new AppError(
      'Forbidden',
      'AUTH.ROLE_TOO_LOW',
      `Your role ${membership.role} may not do this; it needs ${access.customer}.`,
      {
        requiredRole: access.customer,
      },
    );
  }
  throw new AppError('Forbidden', 'AUTH.NO_ACCESS', 'You have no access to this customer.');
}

function parse<S extends z.ZodType | undefined>(source: string, schema: S, value: Record<string, unknown>): unknown {
  if (!schema) {
    const unknown = Object.keys(value);
    if (unknown.length)
      throw validation(`This operation takes no ${source} parameters.`, [
        { path: source, message: `unknown field(s): ${unknown.join(', ')}` },
      ]);
    return undefined;
  }
  const result = schema.safeParse(value);
  if (!result.success) throw validation(`The request ${source} is not valid.`, fieldErrors(source, result.error));
  return result.data;
}

function parseBody(schema: z.ZodType, value: unknown): unknown {
  const result = schema.safeParse(value);
  if (!result.success) throw validation('The request body is not valid.', fieldErrors('body', result.error));
  return result.data;
}

function queryObject(query: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(query.keys())) {
    const values = query.getAll(key);
    out[key] = values.length === 1 ? (values[0] ?? '') : values;
  }
  return out;
}

const jsonType = /^application\/([a-z0-9.+-]*\+)?json\s*(;\s*charset=("?)utf-8\3\s*)?$/i;

async function readJson(call: IncomingCall, maxBytes: number): Promise<unknown> {
  const contentType = call.headers.get('content-type');
  if (!contentType || !jsonType.test(contentType)) {
    throw new AppError(
      'UnsupportedMediaType',
      'REQUEST.UNSUPPORTED_MEDIA_TYPE',
      'Send the body as application/json (UTF-8).',
    );
  }
  const text = await readUtf8(call, maxBytes);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw validation('The body is not valid JSON.', [
      { path: 'body', message: error instanceof Error ? error.message : 'malformed JSON' },
    ]);
  }
}

async function readText(call: IncomingCall, contentTypes: string[], maxBytes: number): Promise<string> {
  checkMediaType(call, contentTypes, ' (UTF-8)');
  return readUtf8(call, maxBytes);
}

async function readBinary(call: IncomingCall, contentTypes: string[], maxBytes: number): Promise<Uint8Array> {
  checkMediaType(call, contentTypes, '');
  return readBytes(call, maxBytes);
}

function checkMediaType(call: IncomingCall, contentTypes: string[], note: string): void {
  const mediaType = (call.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!contentTypes.includes(mediaType)) {
    throw new AppError(
      'UnsupportedMediaType',
      'REQUEST.UNSUPPORTED_MEDIA_TYPE',
      `Send the body as ${contentTypes.join(' or ')}${note}.`,
    );
  }
}

async function readBytes(call: IncomingCall, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(call.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const bytes = await call.readBody();
  if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
  if (bytes.byteLength === 0) throw validation('A request body is required.', [{ path: 'body', message: 'required' }]);
  return bytes;
}

async function readUtf8(call: IncomingCall, maxBytes: number): Promise<string> {
  const bytes = await readBytes(call, maxBytes);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw validation('The body is not valid UTF-8.', [{ path: 'body', message: 'not UTF-8' }]);
  }
}

async function refuseBody(call: IncomingCall): Promise<undefined> {
  const declared = Number(call.headers.get('content-length') ?? '0');
  if (declared > 0 || (await call.readBody()).byteLength > 0) {
    throw validation('This operation takes no request body.', [{ path: 'body', message: 'must be empty' }]);
  }
  return undefined;
}

const tooLarge = (maxBytes: number) =>
  new AppError('PayloadTooLarge', 'REQUEST.TOO_LARGE', `The body may be at most ${maxBytes} bytes.`, { maxBytes });

function checkResponse(route: Route, reply: Reply): void {
  const spec = route.responses[reply.status];
  if (!spec && reply.status < 400) throw new Error(`${route.name} answered ${reply.status}, which it does not declare`);
  if (spec?.schema && reply.contentType === undefined) {
    const result = spec.schema.safeParse(reply.body);
    if (!result.success)
      throw new Error(`${route.name} ${reply.status} reply does not match its schema: ${result.error.message}`);
  }
}
