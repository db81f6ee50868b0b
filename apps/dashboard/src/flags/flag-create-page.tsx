import type { FlagKind } from '@switchboard/core';
import { type FormEvent, useId, useState } from 'react';
import { ApiError } from '../api/api-error.js';
import type { FlagView } from '../api/api-types.js';
import { errorIdOf, type FieldProblem, problemAt } from '../model/field-errors.js';
import { Link } from '../routing/link.js';
import { useRouter } from '../routing/router.js';
import { paths } from '../routing/routes.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { FieldError } from '../ui/field-error.js';
import { FieldProblemsContext, problemsOf } from '../ui/field-problems.js';
import { wordsOf } from '../ui/format.js';
import { FlagFields } from './flag-fields.js';
import { CHANGE_TYPES, FLAG_KINDS } from './flag-kinds.js';
import { defaultVariantDrafts, type VariantDraft, variantsOf } from './variant-drafts.js';
import { VariantsEditor } from './variants-editor.js';

/** Creating a flag: key, kind and variants (it starts disabled in every environment). */
export function FlagCreatePage() {
  const api = useApi();
  const { project } = useProject();
  const { navigate } = useRouter();
  const id = useId();
  const [key, setKey] = useState('');
  const [kind, setKind] = useState<FlagKind>('boolean');
  const [fields, setFields] = useState({ name: '', description: '', tags: '', changeType: 'other' });
  const [variants, setVariants] = useState<VariantDraft[]>(() => defaultVariantDrafts('boolean'));
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const keyProblem = problemAt(problems, 'body.key') !== undefined;

  const changeKind = (next: FlagKind) => {
    setKind(next);
    // Values of one kind mean nothing in another: start again from the kind's defaults.
    setVariants(defaultVariantDrafts(next));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = variantsOf(kind, variants);
    setProblems(parsed.problems);
    setError(undefined);
    if (parsed.problems.length > 0) return;
    setBusy(true);
    try {
      const flag = await api.post<FlagView>(
        '/api/v1/flags',
        {
          key: key.trim(),
          kind,
          variants: parsed.variants,
          ...(fields.name.trim() === '' ? {} : { name: fields.name.trim() }),
          ...(fields.description.trim() === '' ? {} : { description: fields.description.trim() }),
          tags: wordsOf(fields.tags),
          changeType: fields.changeType,
        },
        { query: { project } },
      );
      navigate(paths.flag(flag.key));
    } catch (e) {
      setBusy(false);
      if (e instanceof ApiError && e.code === 'ALREADY_EXISTS') {
        setProblems([{ field: 'body.key', message: 'a flag with this key already exists' }]);
        return;
      }
      setProblems(problemsOf(e));
      setError(e);
    }
  };

  return (
    <FieldProblemsContext.Provider value={problems}>
      <p className="breadcrumb">
        <Link href={paths.flags}>Flags</Link> / New flag
      </p>
      <h1>New flag</h1>
      <form className="form" onSubmit={submit} noValidate>
        <ErrorBanner error={error} />
        <div className="form-grid">
          <div className="field">
            <label htmlFor={`${id}-key`}>Key</label>
            <input
              id={`${id}-key`}
              className="mono"
              required
              placeholder="checkout-copy"
              value={key}
              onChange={(e) => setKey(e.target.value)}
              {...(keyProblem
                ? { 'aria-invalid': true, 'aria-describedby': `${id}-key-hint ${errorIdOf('body.key')}` }
                : { 'aria-describedby': `${id}-key-hint` })}
            />
            <p className="hint" id={`${id}-key-hint`}>
              How code asks for it. Lowercase letters and digits, separated by - _ or . — it cannot change
              later.
            </p>
            <FieldError path="body.key" />
          </div>
          <div className="field">
            <label htmlFor={`${id}-kind`}>Kind</label>
            <select id={`${id}-kind`} value={kind} onChange={(e) => changeKind(e.target.value as FlagKind)}>
              {Object.entries(FLAG_KINDS).map(([k, label]) => (
                <option key={k} value={k}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <FlagFields values={fields} onChange={setFields} changeTypes={CHANGE_TYPES} />
        </div>
        <h2>Variants</h2>
        <VariantsEditor kind={kind} variants={variants} onChange={setVariants} />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create flag'}
          </button>
          <Link href={paths.flags} className="button button-quiet">
            Cancel
          </Link>
        </div>
      </form>
    </FieldProblemsContext.Provider>
  );
}
