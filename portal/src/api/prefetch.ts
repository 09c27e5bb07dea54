/**
 * Requests started before React renders, so that they run beside the page's chunk instead of after it: /api/me as
 * soon as a token is known, and the landing page's data when the customer is known from earlier in this tab. The
 * API client takes a prefetched answer once, for the same GET; anything else goes to the network as usual.
 */
const pending = new Map<string, Promise<Response>>();

export function prefetch(path: string, token: string): void {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  const language = document.documentElement.lang;
  if (language) headers['accept-language'] = language;
  const answer = fetch(path, { headers });
  answer.catch(() => pending.delete(path)); // a failed prefetch is simply not used
  pending.set(path, answer);
}

/** The prefetched answer to a GET of this path and query, once (the caller gets a fresh copy). */
export function takePrefetched(request: Request): Promise<Response> | undefined {
  if (request.method !== 'GET') return undefined;
  const url = new URL(request.url);
  if (url.origin !== window.location.origin) return undefined;
  const key = url.pathname + url.search;
  const answer = pending.get(key);
  if (!answer) return undefined;
  pending.delete(key);
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
  prefetch('/api/me', token);
  const saved = sessionStorage.getItem('portal.customer');
  const customerId = saved ? (JSON.parse(saved) as { id?: string }).id : undefined;
  const data = pageData[window.location.pathname];
  if (customerId && data) prefetch(data(encodeURIComponent(customerId)), token);
}
