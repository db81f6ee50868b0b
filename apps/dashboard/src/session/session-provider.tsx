import { type ReactNode, useCallback, useMemo, useState } from 'react';
import { ApiClient } from '../api/api-client.js';
import { SessionContext } from './session-context.js';

const KEY_ITEM = 'switchboard.adminKey';
const PROJECT_ITEM = 'switchboard.project';

/**
 * The admin key, kept in sessionStorage: it lasts while the tab is open and is gone when it closes,
 * and is never written anywhere else. Any 401 from the server ends the session.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [key, setKey] = useState(() => sessionStorage.getItem(KEY_ITEM));
  const [notice, setNotice] = useState<string>();
  const [project, setProjectState] = useState(() => sessionStorage.getItem(PROJECT_ITEM) ?? 'default');

  const signOut = useCallback((message?: string) => {
    sessionStorage.removeItem(KEY_ITEM);
    setKey(null);
    setNotice(message);
  }, []);
  const signIn = useCallback((next: string) => {
    sessionStorage.setItem(KEY_ITEM, next);
    setNotice(undefined);
    setKey(next);
  }, []);
  const setProject = useCallback((next: string) => {
    sessionStorage.setItem(PROJECT_ITEM, next);
    setProjectState(next);
  }, []);
  const api = useMemo(
    () =>
      key === null
        ? undefined
        : new ApiClient({
            key,
            onUnauthorized: () => signOut('The server refused your key (unknown or revoked): sign in again.'),
          }),
    [key, signOut],
  );
  const session = useMemo(
    () => ({ api, notice, signIn, signOut, project, setProject }),
    [api, notice, signIn, signOut, project, setProject],
  );
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
