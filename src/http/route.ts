import type { z } from 'zod';
import type { CustomerRole } from '../domain/roles.ts';
import type { Principal } from '../app/principal.ts';
import type { Services } from '../app/services.ts';

/**
 * Who may call a route. `signedIn`: any verified identity; `partnerAdmin`: the partner's staff;
 * `{ customer: role }`: a portal user of the route's `{customerId}` holding at least that role
 * (partner admins pass too).
 */
export type Access = 'anonymous' | 'signedIn' | 'partnerAdmin' | { customer: CustomerRole };

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

type Schema = z.ZodType | undefined;
type Out<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

export interface ResponseSpec {
  description: string;
  /** JSON body schema; omit for empty bodies or non-JSON content. */
  schema?: z.ZodType;
  /** For non-JSON bodies (defaults to application/json when a schema is given). */
  contentType?: string;
  headers?: Record<string, string>;
}

export interface RequestHeaders {
  get(name: string): string | null;
}

export interface HandlerContext<P extends Schema, Q extends Schema, B extends Schema, A extends Access> {
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
  principal: A extends 'anonymous' ? Principal | undefined : Principal;
  headers: RequestHeaders;
  invocationId: string;
  services: Services;
}

export interface Reply {
  status: number;
  /** A JSON value, or raw text/bytes when `contentType` is set. */
  body?: unknown;
  contentType?: string;
  /** Headers to send; undefined values are left out. */
  headers?: Record<string, string | undefined>;
}

export interface RouteDef<P extends Schema, Q extends Schema, B extends Schema, A extends Access> {
  /** operationId in OpenAPI and the function name in Azure Functions. */
  name: string;
  method: HttpMethod;
  /** Path under /api, with `{param}` segments, e.g. `/customers/{customerId}`. */
  path: string;
  access: A;
  summary: string;
  /** What the operation does, for a partner's developer: rules, side effects, what to call next. */
  description?: string;
  tags: string[];
  params?: P;
  query?: Q;
  body?: B;
  /**
   * A non-JSON body (e.g. `text/csv` for imports): the handler receives it as a UTF-8 string in `body`, and
   * `body` must then be a string schema. Limited by `maxBytes` (default MAX_BODY_BYTES).
   */
  textBody?: { contentTypes: string[]; maxBytes?: number };
  /**
   * A binary body (e.g. an image): the handler receives its bytes as a Uint8Array in `body`, and `body` must then
   * accept one (`z.instanceof(Uint8Array)`). Limited by `maxBytes` (default MAX_BODY_BYTES). The handler reads the
   * Content-Type, one of `contentTypes`, from the headers.
   */
  binaryBody?: { contentTypes: string[]; maxBytes?: number };
  /** Request headers the route reads (documented in OpenAPI). */
  requestHeaders?: Record<string, { description: string; required?: boolean }>;
  /** Exists only when COMMERCE_MODE is `simulator` (404 and absent from OpenAPI otherwise). */
  simulatorOnly?: boolean;
  responses: Record<number, ResponseSpec>;
  handler: (ctx: HandlerContext<P, Q, B, A>) => Promise<Reply>;
}

/** A route with its types erased, as stored in the route table. */
export interface Route {
  name: string;
  method: HttpMethod;
  path: string;
  access: Access;
  summary: string;
  description?: string;
  tags: string[];
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  textBody?: { contentTypes: string[]; maxBytes?: number };
  binaryBody?: { contentTypes: string[]; maxBytes?: number };
  requestHeaders?: Record<string, { description: string; required?: boolean }>;
  simulatorOnly?: boolean;
  responses: Record<number, ResponseSpec>;
  handler: (ctx: HandlerContext<Schema, Schema, Schema, Access>) => Promise<Reply>;
}

export function defineRoute<
  P extends Schema = undefined,
  Q extends Schema = undefined,
  B extends Schema = undefined,
  const A extends Access = Access,
>(def: RouteDef<P, Q, B, A>): Route {
  return def as unknown as Route;
}

/** The routes that exist under a configuration (simulator-only routes need COMMERCE_MODE=simulator). */
export function routesFor<R extends Pick<Route, 'simulatorOnly'>>(
  routes: readonly R[],
  config: { COMMERCE_MODE: string },
): R[] {
  return routes.filter((r) => !r.simulatorOnly || config.COMMERCE_MODE === 'simulator');
}
