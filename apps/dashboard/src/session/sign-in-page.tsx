import { type FormEvent, useEffect, useId, useState } from 'react';
import { ApiClient } from '../api/api-client.js';
import { ApiError } from '../api/api-error.js';
import { useSession } from './session-context.js';

/** Why a key cannot sign in, in words. */
function refusal(error: unknown): string {
  if (error instanceof ApiError && error.status === 401) return 'This key is unknown or revoked.';
  if (error instanceof ApiError && error.status === 403)
    return 'This is a server or client key. The dashboard needs an admin key.';
  return error instanceof Error ? error.message : String(error);
}

/**
 * Sign-in with an admin key. When the server was just installed on this machine, it offers its local
 * admin key (GET /api/v1/local-admin-key answers only to loopback while data/admin-key exists).
 */
export function SignInPage() {
  const { signIn, notice } = useSession();
  const [key, setKey] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [localKey, setLocalKey] = useState<string>();
  const inputId = useId();
  const errorId = useId();

  useEffect(() => {
    const abort = new AbortController();
    fetch('/api/v1/local-admin-key', { signal: abort.signal, headers: { accept: 'application/json' } })
      .then(async (response) => {
        if (response.ok) setLocalKey(((await response.json()) as { key: string }).key);
      })
      .catch(() => {
        // No offer: sign in with a key as usual.
      });
    return () => abort.abort();
  }, []);

  const tryKey = async (candidate: string) => {
    setBusy(true);
    setError(undefined);
    try {
      // Any admin endpoint tells an admin key from the rest.
      await new ApiClient({ key: candidate, onUnauthorized: () => {} }).get('/api/v1/projects');
      signIn(candidate);
    } catch (e) {
      setError(refusal(e));
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (key.trim() === '') {
      setError('Paste an admin key.');
      return;
    }
    void tryKey(key.trim());
  };

  return (
    <main className="sign-in">
      <h1 className="brand-large">Switchboard</h1>
      {notice !== undefined && (
        <p className="banner banner-warning" role="status">
          {notice}
        </p>
      )}
      {localKey !== undefined && (
        <section className="card local-key" aria-labelledby="local-key-title">
          <h2 id="local-key-title">This server was just installed on this machine</h2>
          <p>
            It created an admin key and saved it in <code>data/admin-key</code>. Use it to sign in, then make
            keys of your own and delete that file.
          </p>
          <button
            type="button"
            className="button button-primary"
            disabled={busy}
            onClick={() => void tryKey(localKey)}
          >
            Sign in with the local admin key
          </button>
        </section>
      )}
      <form className="card" onSubmit={submit} noValidate>
        <h2>Sign in with an admin key</h2>
        <label htmlFor={inputId}>Admin key</label>
        <input
          id={inputId}
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="sb_admin_…"
          value={key}
          onChange={(e) => setKey(e.target.value)}
          {...(error === undefined ? {} : { 'aria-invalid': true, 'aria-describedby': errorId })}
        />
        {error !== undefined && (
          <p className="field-error" id={errorId} role="alert">
            {error}
          </p>
        )}
        <p className="muted">The key stays in this tab only, and is forgotten when it closes.</p>
        <button type="submit" className="button button-primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
