import { createContext, useContext } from 'react';
import type { ApiClient } from '../api/api-client.js';

export interface Session {
  /** Undefined until signed in. */
  api: ApiClient | undefined;
  /** Why the last session ended, for the sign-in page. */
  notice: string | undefined;
  signIn: (key: string) => void;
  signOut: (notice?: string) => void;
  project: string;
  setProject: (project: string) => void;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The API client of a signed-in page. */
export function useApi(): ApiClient {
  const { api } = useSession();
  if (api === undefined) throw new Error('useApi while signed out');
  return api;
}
