import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './openapi';
import { takePrefetched } from './prefetch';

export type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];

let tokenSource: () => Promise<string | undefined> = async () => undefined;
let onUnauthenticated: () => void = () => {};

/** Wires the signed-in user's token into every API call (set by the auth layer). */
export function setTokenSource(source: () => Promise<string | undefined>, unauthenticated: () => void): void {
  tokenSource = source;
  onUnauthenticated = unauthenticated;
}

const auth: Middleware = {
  async onRequest({ request }) {
    const token = await tokenSource();
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    const language = document.documentElement.lang;
    if (language) request.headers.set('accept-language', language);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) onUnauthenticated();
    return response;
  },
};

/** The only way the portal calls the API: types generated from /api/openapi.json (`npm run client`). */
export const api = createClient<paths>({
  baseUrl: window.location.origin,
  fetch: (request) => takePrefetched(request) ?? fetch(request),
});
api.use(auth);

/** An API error as the user sees it: the problem's detail (or title), with the field errors. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Partial<Problem> | undefined,
  ) {
    super(problem?.detail ?? problem?.title ?? `The server answered ${status}.`);
  }
}

/** Unwraps an openapi-fetch result: the data, or an ApiError carrying the problem+json body. */
export async function call<T>(promise: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await promise;
  if (!response.ok) throw new ApiError(response.status, (error ?? undefined) as Partial<Problem> | undefined);
  return data as T;
}

/** Saves a text or binary API answer as a file in the browser. */
export function saveFile(content: BlobPart, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

/** Like `call`, with the response's ETag (send it back as If-Match to change the resource). */
export async function callWithEtag<T>(
  promise: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<{ data: T; etag: string }> {
  const { data, error, response } = await promise;
  if (!response.ok) throw new ApiError(response.status, (error ?? undefined) as Partial<Problem> | undefined);
  return { data: data as T, etag: response.headers.get('etag') ?? '*' };
}
