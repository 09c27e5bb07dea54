import { setTokenSource } from '../api/client';

/** How the portal signs in, read at runtime from /config.json (written beside the SPA at deployment). */
export interface RuntimeConfig {
  authMode: 'local' | 'entra' | 'easyauth';
  clientId?: string;
  authority?: string;
  /** Authority hosts MSAL may trust without Microsoft's instance discovery (a custom domain, a test provider). */
  knownAuthorities?: string[];
  scopes?: string[];
}

const storageKey = 'portal.token';

/**
 * The settings the host wrote into index.html (the local host does), so that none of the start waits for them;
 * undefined when the page was served as built (Static Web Apps: /config.json, preloaded by index.html).
 */
export function inlineRuntimeConfig(): RuntimeConfig | undefined {
  const text = document.getElementById('portal-config')?.textContent;
  if (!text) return undefined;
  try {
    return JSON.parse(text) as RuntimeConfig;
  } catch {
    return undefined;
  }
}

export async function loadRuntimeConfig(): Promise<RuntimeConfig | undefined> {
  const inline = inlineRuntimeConfig();
  if (inline) return inline;
  // The same request as index.html's preload (served with cache-control: no-store), so that it is reused.
  const response = await fetch('/config.json').catch(() => undefined);
  if (!response?.ok) return undefined;
  return (await response.json()) as RuntimeConfig;
}

type Msal = import('@azure/msal-browser').PublicClientApplication;
let msal: Msal | undefined;

/** Entra ID through MSAL.js, loaded only when that mode is configured (it is not part of the landing bundle). */
async function entraClient(config: RuntimeConfig): Promise<Msal> {
  if (msal) return msal;
  const { PublicClientApplication } = await import('@azure/msal-browser');
  const client = new PublicClientApplication({
    auth: {
      clientId: config.clientId ?? '',
      authority: config.authority ?? 'https://login.microsoftonline.com/organizations',
      redirectUri: window.location.origin,
      ...(config.knownAuthorities?.length ? { knownAuthorities: config.knownAuthorities } : {}),
    },
    cache: { cacheLocation: 'sessionStorage' },
  });
  await client.initialize();
  const result = await client.handleRedirectPromise();
  if (result?.account) client.setActiveAccount(result.account);
  else if (!client.getActiveAccount()) {
    const [first] = client.getAllAccounts();
    if (first) client.setActiveAccount(first);
  }
  msal = client;
  return client;
}

/** Connects the API client to the current sign-in; returns whether someone is signed in. */
export async function initAuth(config: RuntimeConfig, onSignedOut: () => void): Promise<boolean> {
  if (config.authMode === 'entra') {
    const client = await entraClient(config);
    setTokenSource(async () => {
      const account = client.getActiveAccount();
      if (!account) return undefined;
      const result = await client.acquireTokenSilent({ account, scopes: config.scopes ?? [] });
      return result.accessToken;
    }, onSignedOut);
    return Boolean(client.getActiveAccount());
  }
  setTokenSource(
    async () => sessionStorage.getItem(storageKey) ?? undefined,
    () => {
      sessionStorage.removeItem(storageKey);
      onSignedOut();
    },
  );
  return Boolean(sessionStorage.getItem(storageKey));
}

export function storeLocalToken(token: string): void {
  sessionStorage.setItem(storageKey, token);
}

export async function signInWithMicrosoft(config: RuntimeConfig): Promise<void> {
  const client = await entraClient(config);
  await client.loginRedirect({ scopes: config.scopes ?? [], redirectStartPage: window.location.href });
}

export async function signOut(config: RuntimeConfig | undefined): Promise<void> {
  sessionStorage.removeItem(storageKey);
  if (config?.authMode === 'entra') await (await entraClient(config)).logoutRedirect();
}
