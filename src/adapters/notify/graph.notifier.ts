import type { Notifier } from '../../app/ports/notifier.port.ts';
import { AppError } from '../../app/errors.ts';
import type { Config } from '../../config.ts';
import {
  bearer,
  clientSecretTokens,
  httpDependencies,
  jsonOrUndefined,
  retryingFetch,
  type HttpDependencies,
  type RetryPolicy,
} from '../http/retrying-fetch.ts';

/**
 * Mail through Microsoft Graph `sendMail` from the partner's mailbox (MAIL_SENDER), with an app-only token of the
 * partner's Graph app (application permission Mail.Send, best limited to that mailbox by an application access
 * policy). 429 and 5xx are retried a few times, honouring Retry-After, else after 1 s, 2 s, 4 s…; then the send
 * fails with MAIL.UNAVAILABLE. GRAPH_BASE_URL chooses the cloud (https://graph.microsoft.us, https://dod-graph.microsoft.us,
 * https://microsoftgraph.chinacloudapi.cn), for the call and for the token's scope alike.
 */
export type GraphMailConfig = Pick<
  Config,
  'PARTNER_TENANT_ID' | 'GRAPH_CLIENT_ID' | 'GRAPH_CLIENT_SECRET' | 'MAIL_SENDER'
> &
  Partial<Pick<Config, 'GRAPH_BASE_URL'>>;

export interface GraphMailOptions extends Partial<Omit<HttpDependencies, 'random'>> {
  /** Bearer token for Graph; by default an app-only token of GRAPH_CLIENT_ID in the partner tenant. */
  getToken?: () => Promise<string>;
  /** GRAPH_BASE_URL (by default `https://graph.microsoft.com`) unless a test points it at a fake. */
  baseUrl?: string;
  maxRetries?: number;
  timeoutMs?: number;
}

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
const MAX_TOTAL_WAIT_MS = 30_000;

export function graphNotifier(config: GraphMailConfig, options: GraphMailOptions = {}): Notifier {
  const base = options.baseUrl ?? config.GRAPH_BASE_URL ?? 'https://graph.microsoft.com';
  const scope = config.GRAPH_BASE_URL ? `${new URL(config.GRAPH_BASE_URL).origin}/.default` : GRAPH_SCOPE;
  const getToken =
    options.getToken ??
    clientSecretTokens(config.PARTNER_TENANT_ID, config.GRAPH_CLIENT_ID, config.GRAPH_CLIENT_SECRET, scope);
  const deps = httpDependencies(options);
  const policy: RetryPolicy = {
    timeoutMs: options.timeoutMs ?? 30_000,
    maxRetries: options.maxRetries ?? 3,
    maxTotalWaitMs: MAX_TOTAL_WAIT_MS,
    // Its own schedule, as before: 1 s, 2 s, 4 s…, without jitter.
    backoff: (retry) => 1000 * 2 ** retry,
    readText: true,
  };
  const url = new URL(`/v1.0/users/${encodeURIComponent(config.MAIL_SENDER)}/sendMail`, base);

  return {
    async send(mail) {
      const body = JSON.stringify({
        message: {
          subject: mail.subject,
          body: mail.html ? { contentType: 'HTML', content: mail.html } : { contentType: 'Text', content: mail.text },
          toRecipients: [{ emailAddress: { address: mail.to } }],
        },
        saveToSentItems: false,
      });
      const init = async (): Promise<RequestInit> => ({
        method: 'POST',
        headers: { Authorization: await bearer(getToken, noToken), 'Content-Type': 'application/json' },
        body,
      });
      const result = await retryingFetch(url, init, policy, deps);
      if (!result.ok) throw unavailable(result.status ? `HTTP ${result.status}` : 'no answer');
      const { status } = result.response;
      if (status >= 200 && status < 300) return;
      if (status === 401 || status === 403) {
        throw unavailable(
          `Microsoft Graph refused the app (HTTP ${status}); check GRAPH_CLIENT_ID, GRAPH_CLIENT_SECRET, Mail.Send and MAIL_SENDER`,
        );
      }
      if (status >= 400)
        throw new AppError(
          'Unprocessable',
          'MAIL.REFUSED',
          `Microsoft Graph refused the message to ${mail.to} (HTTP ${status}${graphErrorCode(result.text)}).`,
        );
      throw unavailable(`HTTP ${status}`);
    },
  };
}

const unavailable = (detail: string) =>
  new AppError('Unavailable', 'MAIL.UNAVAILABLE', `The e-mail could not be sent (${detail}); try again later.`, {
    retryAfterSeconds: 60,
  });

const noToken = () =>
  unavailable("no Microsoft Graph token for the partner's app; check GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET");

function graphErrorCode(text: string): string {
  const code = (jsonOrUndefined(text) as { error?: { code?: unknown } } | null | undefined)?.error?.code;
  return typeof code === 'string' ? `: ${code.slice(0, 100)}` : '';
}
