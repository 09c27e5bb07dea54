import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, call, type Schemas } from '../api/client';
import { initAuth, loadRuntimeConfig, signOut as authSignOut, type RuntimeConfig } from './auth';

export type Role = 'View' | 'Modify' | 'Admin';

export interface Session {
  config: RuntimeConfig | undefined;
  me: Schemas['Me'] | undefined;
  state: 'loading' | 'signedOut' | 'signedIn' | 'error';
  error?: string;
  /** The customer whose pages are shown (the user's, or the one a partner admin picked). */
  customerId: string | undefined;
  customerName: string | undefined;
  setCustomer(id: string, name: string): void;
  role: Role | 'Partner' | undefined;
  canModify: boolean;
  canAdmin: boolean;
  isPartner: boolean;
  refresh(): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [config, setConfig] = useState<RuntimeConfig>();
  const [me, setMe] = useState<Schemas['Me']>();
  const [state, setState] = useState<Session['state']>('loading');
  const [error, setError] = useState<string>();
  const [customer, setCustomerState] = useState<{ id: string; name: string } | undefined>(() => {
    const saved = sessionStorage.getItem('portal.customer');
    return saved ? (JSON.parse(saved) as { id: string; name: string }) : undefined;
  });

  const refresh = useCallback(async () => {
    try {
      const runtime = config ?? (await loadRuntimeConfig());
      setConfig(runtime);
      if (!runtime) {
        setState('error');
        return;
      }
      const signedIn = await initAuth(runtime, () => {
        setMe(undefined);
        setState('signedOut');
      });
      if (!signedIn) {
        setState('signedOut');
        return;
      }
      const current = await call(api.GET('/api/me'));
      // The customer, known from now on in this tab: the next load asks for the page's data beside /api/me.
      const [first] = current.customers;
      if (!current.isPartnerAdmin && first && !sessionStorage.getItem('portal.customer'))
        sessionStorage.setItem('portal.customer', JSON.stringify({ id: first.customerId, name: first.customerName }));
      setMe(current);
      setState('signedIn');
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setState((s) => (s === 'signedOut' ? s : 'error'));
    }
  }, [config]);

  useEffect(() => {
    void refresh();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once at start; refresh() is called again on sign-in
  }, []);

  const setCustomer = useCallback((id: string, name: string) => {
    sessionStorage.setItem('portal.customer', JSON.stringify({ id, name }));
    setCustomerState({ id, name });
  }, []);

  const value = useMemo<Session>(() => {
    const isPartner = Boolean(me?.isPartnerAdmin);
    const own = me?.customers.find((c) => c.customerId === customer?.id) ?? (isPartner ? undefined : me?.customers[0]);
    const customerId = own?.customerId ?? (isPartner ? customer?.id : undefined);
    const customerName = own?.customerName ?? (isPartner ? customer?.name : undefined);
    const role: Session['role'] = own?.role ?? (isPartner ? 'Partner' : undefined);
    return {
      config,
      me,
      state,
      ...(error ? { error } : {}),
      customerId,
      customerName,
      setCustomer,
      role,
      canModify: role === 'Modify' || role === 'Admin' || role === 'Partner',
      canAdmin: role === 'Admin' || role === 'Partner',
      isPartner,
      refresh,
      async signOut() {
        sessionStorage.removeItem('portal.customer');
        setMe(undefined);
        setState('signedOut');
        await authSignOut(config);
      },
    };
  }, [config, me, state, error, customer, setCustomer, refresh]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}
