import type { HttpHandler, HttpResponseInit } from '@azure/functions';
import type { Services } from '../app/services.ts';
import { executeRoute, type Logger, type PipelineOptions } from './pipeline.ts';
import { internalErrorReply } from './problem.ts';
import type { Reply, Route } from './route.ts';

/**
 * The Azure Functions v4 handler of one route. Azure Functions registers it (functions/http.ts) and the local
 * host calls the very same function, so both run one code path.
 */
export function functionsHandler(
  route: Route,
  services: () => Promise<Services>,
  options: PipelineOptions = {},
): HttpHandler {
  return async (request, context) => {
    const log: Logger = (level, message, data) => context[level](JSON.stringify({ message, ...data }));
    let ready: Services;
    try {
      ready = await services();
    } catch (error) {
      log('error', 'The app could not start', { invocationId: context.invocationId, error: String(error) });
      return toResponseInit(internalErrorReply(context.invocationId));
    }
    const reply = await executeRoute(
      route,
      {
        method: request.method,
        params: request.params,
        query: request.query,
        headers: request.headers,
        readBody: async () => new Uint8Array(await request.arrayBuffer()),
        invocationId: context.invocationId,
        log,
      },
      ready,
      options,
    );
    return toResponseInit(reply);
  };
}

export function toResponseInit(reply: Reply): HttpResponseInit {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(reply.headers ?? {})) if (value !== undefined) headers[name] = value;
  if (reply.body === undefined) return { status: reply.status, headers };
  if (reply.contentType) {
    headers['content-type'] = reply.contentType;
    const body =
      typeof reply.body === 'string' || reply.body instanceof Uint8Array ? reply.body : JSON.stringify(reply.body);
    return { status: reply.status, headers, body };
  }
  headers['content-type'] = 'application/json; charset=utf-8';
  return { status: reply.status, headers, jsonBody: reply.body };
}
