import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import fx from '@azure/functions';
import type { HttpHandler, HttpResponseInit } from '@azure/functions';
import { Cron } from 'croner';
import { loadConfig } from '../src/config.ts';
import { createServices, type Services } from '../src/main.ts';
import { functionsHandler, toResponseInit } from '../src/http/functions-handler.ts';
import { corsHeaders } from '../src/http/pipeline.ts';
import { internalErrorReply, problemReply } from '../src/http/problem.ts';
import { AppError } from '../src/app/errors.ts';
import type { HttpMethod, Reply, Route } from '../src/http/route.ts';
import { routes as appRoutes } from '../src/http/routes.ts';
import type { Job, JobContext, TimerJob } from '../src/jobs/job.ts';
import type { Clock } from '../src/app/ports/clock.port.ts';
import { jobs as appJobs } from '../src/jobs/jobs.ts';
import type { InProcessQueue } from '../src/adapters/queue/in-process-queue.ts';
import { InProcessQueues } from '../src/adapters/queue/in-process.change-queue.ts';
import { consumeWorkQueue } from '../src/adapters/queue/table-work-queue.ts';
import type { Logger } from '../src/http/pipeline.ts';
import {
  AZURITE_BLOB_PORT,
  AZURITE_TABLE_PORT,
  isLocalHostStorage,
  portAnswers,
  startAzurite,
  type RunningAzurite,
} from './azurite.ts';
import { createRouter } from './router.ts';
import { startSimulatedTimers } from './simulated-timers.ts';
import { seedDemoData } from './seed.ts';
import { devSignIn, servePortal } from './portal.ts';

/**
 * The local host: what Azure Functions Core Tools would do, without them. It serves every route of the route
 * table through the same v4 handlers that functions/ registers, fires the job table's timers on their NCRONTAB
 * schedules and delivers queue messages in-process, on Azurite started in this process.
 */
export interface LocalHostOptions {
  /** Settings, as read by dev/settings.ts. */
  env: Record<string, string | undefined>;
  /** HTTP port; 0 picks a free one. */
  port: number;
  /** `persistent`: Azurite on the usual ports with data under DATA_DIR (reused if already running); `memory`: random ports, nothing kept. */
  azurite: 'persistent' | 'memory' | 'none';
  routes?: readonly Route[];
  jobs?: readonly Job[];
  /** More v4 handlers to serve beside the route table (benchmarks use this for their baseline). */
  extraHandlers?: { method: HttpMethod; path: string; handler: HttpHandler }[];
  /** Seed the demo on an empty store: `true` for the demo year, or fewer months of history (quicker, for tests). */
  seed?: boolean | { months: number; seed?: string };
  validateResponses?: boolean;
  log?: (line: string) => void;
  /** The app's clock (default: the system clock); end-to-end tests seed history in the past with it. */
  clock?: Clock;
  /** Serve the portal's build (portal/dist) at `/` (default true); the API docs stay at /api/docs/. */
  portal?: boolean;
}

export interface LocalHost {
  url: string;
  services: Services;
  queues: ReadonlyMap<string, InProcessQueue>;
  close(): Promise<void>;
}

export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  const log = options.log ?? ((line: string) => console.log(line));
  const env = { ...options.env };
  let azurite: RunningAzurite | undefined;
  if (options.azurite === 'memory') {
    azurite = await startAzurite();
    env.STORAGE_CONNECTION_STRING = azurite.connectionString;
  } else if (options.azurite === 'persistent' && isLocalHostStorage(env.STORAGE_CONNECTION_STRING)) {
    const running = (await portAnswers(AZURITE_BLOB_PORT)) && (await portAnswers(AZURITE_TABLE_PORT));
    if (running) {
      log(`Using the Azurite already listening on ports ${AZURITE_BLOB_PORT} and ${AZURITE_TABLE_PORT}.`);
    } else {
      const dataDir = path.resolve(env.DATA_DIR ?? '.data', 'azurite');
      azurite = await startAzurite({ dataDir, blobPort: AZURITE_BLOB_PORT, tablePort: AZURITE_TABLE_PORT });
      log(`Azurite started in-process (data in ${dataDir}).`);
    }
  }

  const config = loadConfig(env);
  const services = await createServices(config, options.clock ? { clock: options.clock } : {});
  await services.storage.ensure();
  if (options.seed) {
    const seeded = await seedDemoData(services, {
      log,
      ...(typeof options.seed === 'object' ? { months: options.seed.months } : {}),
      ...(typeof options.seed === 'object' && options.seed.seed ? { seed: options.seed.seed } : {}),
    });
    if (seeded.length) log(`Seeded demo customers: ${seeded.map((c) => `${c.name} (${c.id})`).join(', ')}`);
  }

  const ready = () => Promise.resolve(services);
  const routeTable = options.routes ?? appRoutes;
  // Each route's own body limit (imports and images may exceed MAX_BODY_BYTES), refused before reading it all.
  const route = createRouter<{ handler: HttpHandler; maxBodyBytes: number }>([
    ...routeTable.map((r) => ({
      method: r.method,
      path: r.path,
      target: {
        handler: functionsHandler(r, ready, { validateResponses: options.validateResponses ?? false }),
        maxBodyBytes: Math.max(config.MAX_BODY_BYTES, r.binaryBody?.maxBytes ?? r.textBody?.maxBytes ?? 0),
      },
    })),
    ...(options.extraHandlers ?? []).map((h) => ({
      method: h.method,
      path: h.path,
      target: { handler: h.handler, maxBodyBytes: config.MAX_BODY_BYTES },
    })),
  ]);

  const docsDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`Unhandled error in the local host: ${String(error)}`);
      if (!res.headersSent) writeResponse(res, hostReply(internalErrorReply(randomUUID())));
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/api/docs') return redirect(res, '/api/docs/');
    if (url.pathname.startsWith('/api/docs/')) return serveDocs(res, docsDir, url.pathname.slice('/api/docs/'.length));
    if (!url.pathname.startsWith('/api/')) {
      req.resume();
      if (options.portal !== false && servePortal(res, url.pathname, config)) return;
      if (url.pathname === '/') return redirect(res, '/api/docs/');
    }
    if (url.pathname === '/api/dev/sign-in') {
      const body = await readBody(req, 4096);
      const reply = await devSignIn(
        req.method ?? 'GET',
        url.pathname,
        body === 'too-large' ? new Uint8Array() : body,
        services,
        config,
      );
      if (reply) {
        res.statusCode = reply.status;
        res.setHeader(
          'content-type',
          reply.status < 300 ? 'application/json; charset=utf-8' : 'application/problem+json',
        );
        res.setHeader('cache-control', 'no-store');
        res.end(JSON.stringify(reply.body));
        return;
      }
    }
    const invocationId = randomUUID();
    const method = (req.method ?? 'GET').toUpperCase();
    const lookup = url.pathname.startsWith('/api/')
      ? route(method, url.pathname.slice(4))
      : { found: undefined, methodsAllowed: [] };
    if (method === 'OPTIONS' && !lookup.found && lookup.methodsAllowed.length) {
      // A browser's CORS preflight: answered for the configured portal origins only.
      req.resume();
      const cors = corsHeaders(req.headers.origin ?? null, config.CORS_ORIGINS);
      res.statusCode = cors['access-control-allow-origin'] ? 204 : 403;
      for (const [name, value] of Object.entries(cors)) res.setHeader(name, value);
      if (res.statusCode === 204) {
        res.setHeader('access-control-allow-methods', lookup.methodsAllowed.join(', '));
        res.setHeader(
          'access-control-allow-headers',
          'authorization, content-type, if-match, if-none-match, idempotency-key, accept-language',
        );
        res.setHeader('access-control-max-age', '600');
      }
      res.end();
      return;
    }
    if (!lookup.found) {
      req.resume();
      const allowed = lookup.methodsAllowed.join(', ');
      const error = allowed
        ? new AppError('MethodNotAllowed', 'REQUEST.METHOD_NOT_ALLOWED', `Use ${allowed} here.`)
        : new AppError('NotFound', 'ROUTE.NOT_FOUND', `No operation at ${method} ${url.pathname}.`);
      const reply = problemReply(error, invocationId);
      if (allowed) reply.headers = { ...reply.headers, allow: allowed };
      return writeResponse(res, hostReply(reply));
    }
    const { handler, maxBodyBytes } = lookup.found.target;
    const body = await readBody(req, maxBodyBytes);
    if (body === 'too-large') {
      const reply = problemReply(
        new AppError('PayloadTooLarge', 'REQUEST.TOO_LARGE', `The body may be at most ${maxBodyBytes} bytes.`),
        invocationId,
      );
      res.setHeader('connection', 'close');
      return writeResponse(res, hostReply(reply));
    }
    const request = new fx.HttpRequest({
      method,
      url: `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`,
      headers: flattenHeaders(req),
      params: lookup.found.params,
      ...(body.byteLength ? { body: { bytes: body } } : {}),
    });
    const context = new fx.InvocationContext({
      invocationId,
      functionName: 'local',
      logHandler: (level, ...args) => log(`[${level}] ${args.map(String).join(' ')}`),
    });
    writeResponse(res, await handler(request, context));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const url = `http://localhost:${typeof address === 'object' && address ? address.port : options.port}`;

  const { crons, simulated, queues, consumers } = startJobs(options.jobs ?? appJobs, services, log);

  let closed = false;
  return {
    url,
    services,
    queues,
    async close() {
      if (closed) return;
      closed = true;
      for (const cron of crons) cron.stop();
      simulated?.stop();
      consumers.abort.abort();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await Promise.allSettled([...queues.values()].map((q) => q.close()));
      await Promise.allSettled(consumers.running);
      await azurite?.close();
    },
  };
}

function startJobs(jobs: readonly Job[], services: Services, log: (line: string) => void) {
  const crons: Cron[] = [];
  const registry = services.inProcessQueues ?? new InProcessQueues();
  const queues = new Map<string, InProcessQueue>();
  const consumers = { abort: new AbortController(), running: [] as Promise<void>[] };
  const context = (deliveryCount: number): JobContext => {
    const invocationId = randomUUID();
    const logger: Logger = (level, message, data) =>
      log(`[${level}] ${JSON.stringify({ message, invocationId, ...data })}`);
    return { services, invocationId, log: logger, deliveryCount };
  };
  const runTimer = async (job: TimerJob) => {
    try {
      await job.handler(context(1));
    } catch (error) {
      log(`[error] timer ${job.name} failed: ${String(error)}`);
    }
  };
  // COMMERCE_MODE=simulator: timers fire on the simulator clock's time, never on the wall clock's.
  const simulatedClock = services.simulatorClock?.clock;
  const simulated = simulatedClock
    ? startSimulatedTimers(
        jobs.filter((job): job is TimerJob => job.kind === 'timer'),
        simulatedClock,
        runTimer,
      )
    : undefined;
  for (const job of jobs) {
    if (job.kind === 'timer') {
      if (simulated) continue;
      crons.push(new Cron(job.schedule, { timezone: 'UTC', protect: true, name: job.name }, () => runTimer(job)));
    } else if (services.workQueue?.name === job.queue) {
      // A queue kept in Table Storage: other local processes (the billing CLI, workers) consume it too.
      const workQueue = services.workQueue;
      consumers.running.push(
        consumeWorkQueue(
          workQueue,
          async (body, message) => {
            const parsed = job.schema.safeParse(body);
            if (!parsed.success)
              throw new Error(`Message ${message.messageId} on ${job.queue} is not valid: ${parsed.error.message}`);
            await job.handler(parsed.data, context(message.deliveryCount));
          },
          {
            signal: consumers.abort.signal,
            onError: (message, error, outcome) =>
              log(
                `[warn] ${job.name} ${message.messageId} failed (${String(error)}): ${outcome.deadLettered ? 'dead-lettered' : `again in ${outcome.retryInMs} ms`}`,
              ),
          },
        ).catch((error: unknown) => log(`[error] ${job.name} consumer stopped: ${String(error)}`)),
      );
    } else {
      const queue = registry.get(job.queue);
      queues.set(job.queue, queue);
      queue.subscribe(async (message) => {
        const parsed = job.schema.safeParse(message.body);
        if (!parsed.success)
          throw new Error(`Message ${message.messageId} on ${job.queue} is not valid: ${parsed.error.message}`);
        await job.handler(parsed.data, context(message.deliveryCount));
      });
    }
  }
  return { crons, simulated, queues, consumers };
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<Uint8Array | 'too-large'> {
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) {
    req.resume();
    return Promise.resolve('too-large');
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A reply of the host itself (no route matched, body too large), with the API's basic headers. */
function hostReply(reply: Reply): HttpResponseInit {
  return toResponseInit({
    ...reply,
    headers: { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store', ...reply.headers },
  });
}

/** Writes a v4 HttpResponseInit straight to the socket (cheaper than building an HttpResponse). */
function writeResponse(res: ServerResponse, init: HttpResponseInit): void {
  const headers = new Headers(init.headers as ConstructorParameters<typeof Headers>[0]);
  let body: string | Uint8Array | undefined;
  if (init.jsonBody !== undefined) {
    body = JSON.stringify(init.jsonBody);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json; charset=utf-8');
  } else if (typeof init.body === 'string' || init.body instanceof Uint8Array) {
    body = init.body;
  } else if (init.body !== undefined && init.body !== null) {
    throw new Error('The local host writes string, byte and JSON bodies only');
  }
  res.statusCode = init.status ?? 200;
  headers.forEach((value, name) => res.setHeader(name, value));
  res.end(body);
}

function redirect(res: ServerResponse, location: string): void {
  res.statusCode = 302;
  res.setHeader('location', location);
  res.end();
}

const docsTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.png': 'image/png',
};

function serveDocs(res: ServerResponse, docsDir: string, file: string): void {
  if (file === '' || file === 'index.html' || file === 'docs-init.js') {
    res.setHeader('content-type', file === 'docs-init.js' ? 'text/javascript' : 'text/html; charset=utf-8');
    res.end(file === 'docs-init.js' ? docsInit : docsPage);
    return;
  }
  if (!/^[a-z0-9._-]+$/i.test(file)) {
    res.statusCode = 404;
    res.end();
    return;
  }
  const stream = createReadStream(path.join(docsDir, file));
  stream.on('error', () => {
    res.statusCode = 404;
    res.end();
  });
  res.setHeader('content-type', docsTypes[path.extname(file)] ?? 'application/octet-stream');
  stream.pipe(res);
}

const docsPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CSP portal API</title>
<link rel="stylesheet" href="swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="swagger-ui-bundle.js"></script>
<script src="docs-init.js"></script>
</body></html>`;

const docsInit = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#ui', persistAuthorization: true });`;
