import type { Notifier } from '../../app/ports/notifier.port.ts';
import { AppError } from '../../app/errors.ts';
import type { Config } from '../../config.ts';

/**
 * Mail through Microsoft Graph `sendMail` from the partner's mailbox (MAIL_SENDER), with an app-only token of the
 * partner's Graph app (application permission Mail.Send, best limited to that mailbox by an application access
 * policy). 429 and 5xx are retried a few times, honouring Retry-After; then the send fails with MAIL.UNAVAILABLE.
 */
export type GraphMailConfig = Pick<Config, 'PARTNER_TENANT_ID' | 'GRAPH_CLIENT_ID' | 'GRAPH_CLIENT_SECRET' | 'MAIL_SENDER'>;

export interface GraphMailOptions {
  /** Bearer token for Graph; by default an app-only token of GRAPH_CLIENT_ID in the partner tenant. */
  getToken?: () => Promise<string>;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** `https://graph.microsoft.com` unless a test points it at a fake. */
  baseUrl?: string;
  maxRetries?: number;
  timeoutMs?: number;
}

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
const MAX_TOTAL_WAIT_MS = 30_000;

export function graphNotifier(config: GraphMailConfig, options: GraphMailOptions = {}): Notifier {
  const getToken = options.getToken ?? graphTokens(config);
  const fetchFn = options.fetch ?? ((input: Parameters<typeof fetch>[0], init?: RequestInit) => fetch(input, init));
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxRetries = options.maxRetries ?? 3;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const url = new URL(`/v1.0/users/${encodeURIComponent(config.MAIL_SENDER)}/sendMail`, options.baseUrl ?? 'https://graph.microsoft.com');

  return {
    async send(mail) {
      const body = JSON.stringify({
        message: { subject: mail.subject, body: { contentType: 'Text', content: mail.text }, toRecipients: [{ emailAddress: { address: mail.to } }] },
        saveToSentItems: false,
      });
      let waitedMs = 0;
      for (let retry = 0; ; retry += 1) {
        let token: string;
        try {
          token = await getToken();
        } catch {
          throw unavailable('no Microsoft Graph token for the partner\'s app; check GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET');
        }
        let status: number;
        let retryAfter: string | null = null;
        let text = '';
        try {
          const response = await fetchFn(url, {
            method: 'POST',
            headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
            body,
            signal: AbortSignal.timeout(timeoutMs),
          });
          status = response.status;
          retryAfter = response.headers.get('retry-after');
          text = await response.text();
        } catch {
          status = 0;
        }
        if (status >= 200 && status < 300) return;
        if (status === 401 || status === 403) {
          throw unavailable(`Microsoft Graph refused the app (HTTP ${status}); check GRAPH_CLIENT_ID, GRAPH_CLIENT_SECRET, Mail.Send and MAIL_SENDER`);
        }
        if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
          throw new AppError('Unprocessable', 'MAIL.REFUSED', `Microsoft Graph refused the message to ${mail.to} (HTTP ${status}${graphErrorCode(text)}).`);
        }
        const delayMs = /^\d+$/.test(retryAfter?.trim() ?? '') ? Number(retryAfter) * 1000 : 1000 * 2 ** retry;
        if (retry >= maxRetries || waitedMs + delayMs > MAX_TOTAL_WAIT_MS) throw unavailable(status ? `HTTP ${status}` : 'no answer');
        waitedMs += delayMs;
        await sleep(delayMs);
      }
    },
  };
}

const unavailable = (detail: string) =>
  new AppError('Unavailable', 'MAIL.UNAVAILABLE', `The e-mail could not be sent (${detail}); try again later.`, { retryAfterSeconds: 60 });

function graphErrorCode(text: string): string {
  try {
    const code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? `: ${code.slice(0, 100)}` : '';
  } catch {
    return '';
  }
}

/** App-only tokens of the partner's Graph app; @azure/identity is loaded on the first mail, not at cold start. */
function graphTokens(config: GraphMailConfig): () => Promise<string> {
  let credential: Promise<{ getToken(scope: string): Promise<{ token: string } | null> }> | undefined;
  return async () => {
    credential ??= import('@azure/identity').then(({ ClientSecretCredential }) => new ClientSecretCredential(config.PARTNER_TENANT_ID, config.GRAPH_CLIENT_ID, config.GRAPH_CLIENT_SECRET));
    const token = await (await credential).getToken(GRAPH_SCOPE);
    if (!token) throw new Error('Entra ID returned no token');
    return token.token;
  };
}
