import { createContext, ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { setBearer } from '../api/client';

export type Role = 'agent' | 'manager' | 'senior_manager' | 'auditor' | 'service' | 'admin';

export interface Session {
  readonly token: string;
  /** The token's subject: the actor the API records, and who "assign to me" names. */
  readonly subject: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly expiresAt: number;
  readonly via: 'dev' | 'oidc';
}

// sessionStorage: the token lives as long as the tab, and is not shared with other tabs or kept on disk after it.
const KEY = 'refund-desk.session';

/** The claims the desk shows and decides on; the API checks the signature, the desk only reads them. */
export function sessionFromToken(token: string, via: Session['via'], fallback: { roles?: readonly string[]; name?: string } = {}): Session {
  const claims = decodeClaims(token);
  const roles = (Array.isArray(claims.roles) ? claims.roles : (fallback.roles ?? [])).filter(isRole);
  const subject = typeof claims.sub === 'string' ? claims.sub : 'unknown';
  const name = typeof claims.name === 'string' ? claims.name : (fallback.name ?? subject);
  const expiresAt = typeof claims.exp === 'number' ? claims.exp * 1000 : Date.now() + 3_600_000;
  return { token, subject, name, roles, expiresAt, via };
}

function decodeClaims(token: string): Record<string, unknown> {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(payload), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    // An opaque access token: the roles come from the identity provider's profile instead.
    return {};
  }
}

const ROLES: readonly Role[] = ['agent', 'manager', 'senior_manager', 'auditor', 'service', 'admin'];
const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

function load(): Session | null {
  try {
    const session = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    return session && session.expiresAt > Date.now() ? session : null;
  } catch {
    return null;
  }
}

interface SessionContext {
  readonly session: Session | null;
  signIn(session: Session): void;
  signOut(): void;
}

const Context = createContext<SessionContext | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(load);
  const signOut = useCallback(() => {
    sessionStorage.removeItem(KEY);
    setSession(null);
  }, []);
  const signIn = useCallback((next: Session) => {
    sessionStorage.setItem(KEY, JSON.stringify(next));
    setSession(next);
  }, []);
  // Set during render, before any child's query runs with it.
  setBearer(session?.token ?? null, signOut);
  const value = useMemo(() => ({ session, signIn, signOut }), [session, signIn, signOut]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useSession(): SessionContext {
  const context = useContext(Context);
  if (!context) throw new Error('useSession outside SessionProvider');
  return context;
}

/** The signed-in session; views behind RequireSession may rely on it. */
export function useSignedIn(): Session {
  const { session } = useSession();
  if (!session) throw new Error('not signed in');
  return session;
}

export const hasAnyRole = (session: Session, roles: readonly Role[]): boolean => session.roles.some((role) => roles.includes(role));
