import { type FormEvent, useState } from 'react';
import type { ApiKeyView, KeyKind } from '../api/api-types.js';
import type { FieldProblem } from '../model/field-errors.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { FieldProblemsContext, problemsOf } from '../ui/field-problems.js';
import { ApiKeyFields } from './api-key-fields.js';

/** Creates a key; the caller shows it (once). */
export function ApiKeyCreateForm({ onCreated }: { onCreated: (key: ApiKeyView & { key: string }) => void }) {
  const api = useApi();
  const { project, environments } = useProject();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<KeyKind>('server');
  const [environment, setEnvironment] = useState(
    environments.find((e) => e.key === 'production')?.key ?? environments[0]?.key ?? '',
  );
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setProblems([]);
    setBusy(true);
    try {
      const created = await api.post<ApiKeyView & { key: string }>('/api/v1/keys', {
        name: name.trim(),
        kind,
        ...(kind === 'admin' ? {} : { project, environment }),
      });
      setName('');
      onCreated(created);
    } catch (e) {
      setProblems(problemsOf(e));
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <FieldProblemsContext.Provider value={problems}>
      <form className="card" onSubmit={submit} noValidate aria-labelledby="new-key-title">
        <h2 id="new-key-title">New key</h2>
        <ErrorBanner error={error} />
        <ApiKeyFields
          name={name}
          setName={setName}
          kind={kind}
          setKind={setKind}
          environment={environment}
          setEnvironment={setEnvironment}
        />
        <button type="submit" className="button button-primary" disabled={busy}>
          Create key
        </button>
      </form>
    </FieldProblemsContext.Provider>
  );
}
