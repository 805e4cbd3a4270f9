// The signed-in shopper: the token from logIn/signUp and who it is, kept in localStorage so a
// reload keeps the shopper signed in. The SDK client is made per token (client.ts).
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

export interface Session {
  token: string;
  user: { id: string; name: string };
}

const KEY = 'storefront.session';

function stored(): Session | null {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Session | null;
    return value && typeof value.token === 'string' && typeof value.user?.name === 'string' ? value : null;
  } catch {
    return null;
  }
}

interface SessionValue {
  session: Session | null;
  signIn(session: Session): void;
  signOut(): void;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(stored);
  const signIn = useCallback((next: Session) => {
    localStorage.setItem(KEY, JSON.stringify(next));
    setSession(next);
  }, []);
  const signOut = useCallback(() => {
    localStorage.removeItem(KEY);
    setSession(null);
  }, []);
  const value = useMemo(() => ({ session, signIn, signOut }), [session, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}
