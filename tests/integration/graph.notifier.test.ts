import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { graphNotifier, type GraphMailOptions } from '../../src/adapters/notify/graph.notifier.ts';
import type { OutgoingMail } from '../../src/app/ports/notifier.port.ts';
import { AppError } from '../../src/app/errors.ts';

/** Microsoft Graph's sendMail at the wire: records each request and answers from a script (202 by default). */
interface Recorded {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: unknown;
}

let server: Server;
let baseUrl: string;
let requests: Recorded[];
let answers: { status: number; headers?: Record<string, string>; body?: unknown }[];

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void readJson(req).then((body) => {
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body,
      });
      const answer = answers.shift() ?? { status: 202 };
      res.writeHead(answer.status, {
        ...(answer.body ? { 'content-type': 'application/json' } : {}),
        ...answer.headers,
      });
      res.end(answer.body ? JSON.stringify(answer.body) : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  requests = [];
  answers = [];
});

const config = {
  PARTNER_TENANT_ID: '00000000-0000-4000-8000-00000000cafe',
  GRAPH_CLIENT_ID: 'app',
  GRAPH_CLIENT_SECRET: 'secret',
  MAIL_SENDER: 'portal@partner.example',
};

function buildMail(overrides: Partial<OutgoingMail> = {}): OutgoingMail {
  return {
    id: 'invitation-1',
    to: 'dana@fabrikam.example',
    subject: 'Your invitation',
    text: 'Hello Dana,\nopen https://portal.example/invitations/abc',
    kind: 'invitation',
    ...overrides,
  };
}

function notifier(sleeps: number[] = [], options: GraphMailOptions = {}) {
  return graphNotifier(config, {
    baseUrl,
    getToken: async () => 'graph-token',
    sleep: async (ms) => void sleeps.push(ms),
    ...options,
  });
}

describe('Graph sendMail notifier', () => {
  it('posts the message to /v1.0/users/{MAIL_SENDER}/sendMail with the app token, not saving a copy', async () => {
    await notifier().send(buildMail());
    expect(requests).toEqual([
      {
        method: 'POST',
        path: '/v1.0/users/portal%40partner.example/sendMail',
        authorization: 'Bearer graph-token',
        contentType: 'application/json',
        body: {
          message: {
            subject: 'Your invitation',
            body: { contentType: 'Text', content: 'Hello Dana,\nopen https://portal.example/invitations/abc' },
            toRecipients: [{ emailAddress: { address: 'dana@fabrikam.example' } }],
          },
          saveToSentItems: false,
        },
      },
    ]);
  });

  it('sends the HTML body (Graph takes one body per message) when the mail has one', async () => {
    await notifier().send(buildMail({ html: '<p>Hello <b>Dana</b></p>' }));
    expect(requests).toEqual([
      expect.objectContaining({
        body: {
          message: {
            subject: 'Your invitation',
            body: { contentType: 'HTML', content: '<p>Hello <b>Dana</b></p>' },
            toRecipients: [{ emailAddress: { address: 'dana@fabrikam.example' } }],
          },
          saveToSentItems: false,
        },
      }),
    ]);
  });

  it('sends to the cloud GRAPH_BASE_URL names (national clouds: user-sendmail, "HTTP request")', async () => {
    const national = graphNotifier({ ...config, GRAPH_BASE_URL: baseUrl }, { getToken: async () => 'us-gov-token' });
    await national.send(buildMail());
    expect(requests).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/v1.0/users/portal%40partner.example/sendMail',
        authorization: 'Bearer us-gov-token',
      }),
    ]);
  });

  it('retries 429 after Retry-After and 503 with backoff, then sends once', async () => {
    answers = [{ status: 429, headers: { 'retry-after': '7' } }, { status: 503 }, { status: 202 }];
    const sleeps: number[] = [];
    await notifier(sleeps).send(buildMail());
    expect(requests).toHaveLength(3);
    expect(sleeps).toEqual([7000, 2000]);
  });

  it('gives up after its retries with MAIL.UNAVAILABLE (503)', async () => {
    answers = [{ status: 500 }, { status: 500 }, { status: 500 }];
    const failure = await notifier([], { maxRetries: 2 })
      .send(buildMail())
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({ kind: 'Unavailable', code: 'MAIL.UNAVAILABLE' });
    expect(requests).toHaveLength(3);
  });

  it('reports a refused message with Graph’s error code, without retrying', async () => {
    answers = [{ status: 400, body: { error: { code: 'ErrorInvalidRecipients', message: 'bad address' } } }];
    const failure = await notifier()
      .send(buildMail({ to: 'broken' }))
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({
      kind: 'Unprocessable',
      code: 'MAIL.REFUSED',
      message: expect.stringContaining('ErrorInvalidRecipients'),
    });
    expect(requests).toHaveLength(1);
  });

  it('names the settings to check when Graph refuses the app or no token comes', async () => {
    answers = [{ status: 403, body: { error: { code: 'ErrorAccessDenied' } } }];
    expect(
      await notifier()
        .send(buildMail())
        .catch((error: unknown) => error),
    ).toMatchObject({ code: 'MAIL.UNAVAILABLE', message: expect.stringContaining('Mail.Send') });
    const noToken = graphNotifier(config, {
      baseUrl,
      getToken: async () => Promise.reject(new Error('AADSTS7000215: invalid secret')),
    });
    const failure = await noToken.send(buildMail()).catch((error: unknown) => error);
    expect(failure).toMatchObject({
      code: 'MAIL.UNAVAILABLE',
      message: expect.stringContaining('GRAPH_CLIENT_SECRET'),
    });
    expect(String((failure as Error).message)).not.toContain('AADSTS');
  });
});
