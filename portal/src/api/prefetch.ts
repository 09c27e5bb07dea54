/**
 * Requests started before React renders, so that they run beside the page's chunk instead of after it: /api/me as
 * soon as a token is known, and the landing page's data when the customer is known from earlier in this tab. The
 * API client takes a prefetched answer once, for the same GET; anything else goes to the network as usual.
 */
const pending = new Map<string, { answer: Promise<Response>; at: number }>();
/** GETs the client already sent itself: a prefetch of one of them would only be a stale copy later. */
const sent = new Set<string>();
/** A prefetched answer older than this is not used (the client asks again). */
const FRESH_MS = 10_000;

export function prefetch(path: string, token: string): void {
  if (sent.has(path)) return;
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  const language = document.documentElement.lang;
  if (language) headers['accept-language'] = language;
  const answer = fetch(path, { headers });
  answer.catch(() => pending.delete(path)); // a failed prefetch is simply not used
  pending.set(path, { answer, at: Date.now() });
}

/** The prefetched answer to a GET of this path and query, once (the caller gets a fresh copy). */
export function takePrefetched(request: Request): Promise<Response> | undefined {
  if (request.method !== 'GET') return undefined;
  const url = new URL(request.url);
  if (url.origin !== window.location.origin) return undefined;
  const key = url.pathname + url.search;
  const found = pending.get(key);
  pending.delete(key);
  if (!found || Date.now() - found.at > FRESH_MS) {
    sent.add(key);
    return undefined;
  }
  const { answer } = found;
  // Sent with the same token: a request made with another one (a new sign-in) goes to the network.
  if (request.headers.get('authorization') !== `Bearer ${sessionStorage.getItem('portal.token') ?? ''}`)
    return undefined;
  return answer.then((r) => r.clone());
}

/** Landing pages whose data the portal asks for before it renders: the first GET each page makes. */
const pageData: Record<string, (customerId: string) => string> = {
  '/services': (id) => `/api/customers/${id}/subscriptions`,
};

/** Starts /api/me and the opened page's data (local sign-in: the token is in sessionStorage at once). */
export function prefetchLanding(authMode: string | undefined): void {
  if (authMode !== 'local') return;
  const token = sessionStorage.getItem('portal.token');
  if (!token) return;
  // boot.js asked already, as the page was parsed (with the same token).
  const early = (window as { __portalMe?: { answer: Promise<Response>; at: number } }).__portalMe;
  if (early) {
    early.answer.catch(() => pending.delete('/api/me'));
    pending.set('/api/me', early);
  } else prefetch('/api/me', token);
  const data = pageData[window.location.pathname];
  if (!data) return;
  const saved = sessionStorage.getItem('portal.customer');
  const customerId = saved ? (JSON.parse(saved) as { id?: string }).id : undefined;
  if (customerId) {
    prefetch(data(encodeURIComponent(customerId)), token);
    return;
  }
  // A customer user's first load: the customer is /api/me's, asked for as soon as it answers (not after React
  // has rendered the shell). A partner admin's page waits for a customer picked.
  void pending
    .get('/api/me')
    ?.answer.then((r) => (r.ok ? (r.clone().json() as Promise<Me>) : undefined))
    .then((me) => {
      const [first] = me?.customers ?? [];
      if (me && !me.isPartnerAdmin && first) prefetch(data(encodeURIComponent(first.customerId)), token);
    })
    .catch(() => undefined);
}

interface Me {
  isPartnerAdmin: boolean;
  customers: { customerId: string }[];
}
