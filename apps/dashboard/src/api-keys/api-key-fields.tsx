import { useId } from 'react';
import type { KeyKind } from '../api/api-types.js';
import { useProject } from '../session/project-context.js';
import { FieldError } from '../ui/field-error.js';
import { useInvalidProps } from '../ui/field-problems.js';

const KIND_HINTS: Record<KeyKind, string> = {
  server: 'For server-side SDKs: the snapshot, stream and events of one environment.',
  client: 'For browsers and mobile apps: evaluation only, in one environment. Safe to ship.',
  admin: 'Everything, in every project: the API, the CLI and this dashboard. Keep it secret.',
};

/** A new key's name, kind and (for server and client keys) environment. */
export function ApiKeyFields({
  name,
  setName,
  kind,
  setKind,
  environment,
  setEnvironment,
}: {
  name: string;
  setName: (v: string) => void;
  kind: KeyKind;
  setKind: (k: KeyKind) => void;
  environment: string;
  setEnvironment: (e: string) => void;
}) {
  const id = useId();
  const { environments } = useProject();
  const nameInvalid = useInvalidProps('body.name');
  const envInvalid = useInvalidProps('body.environment');
  return (
    <div className="form-grid">
      <div className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input
          id={`${id}-name`}
          placeholder="checkout-service production"
          value={name}
          onChange={(e) => setName(e.target.value)}
          {...nameInvalid}
        />
        <FieldError path="body.name" />
      </div>
      <div className="field">
        <label htmlFor={`${id}-kind`}>Kind</label>
        <select
          id={`${id}-kind`}
          value={kind}
          onChange={(e) => setKind(e.target.value as KeyKind)}
          aria-describedby={`${id}-kind-hint`}
        >
          <option value="server">server</option>
          <option value="client">client</option>
          <option value="admin">admin</option>
        </select>
        <p className="hint" id={`${id}-kind-hint`}>
          {KIND_HINTS[kind]}
        </p>
      </div>
      {kind !== 'admin' && (
        <div className="field">
          <label htmlFor={`${id}-env`}>Environment</label>
          <select
            id={`${id}-env`}
            value={environment}
            onChange={(e) => setEnvironment(e.target.value)}
            {...envInvalid}
          >
            {environments.map((e) => (
              <option key={e.key} value={e.key}>
                {e.name}
              </option>
            ))}
          </select>
          <FieldError path="body.environment" />
        </div>
      )}
    </div>
  );
}
