// .tsx though it renders nothing: it imports the router (JSX), which the root type-check of .ts files cannot read.
import { type FormEvent, useState } from 'react';
import type { FieldProblem } from '../model/field-errors.js';
import { useRouter } from '../routing/router.js';
import { useApi } from '../session/session-context.js';
import { problemsOf } from './field-problems.js';
import type { Draft } from './use-draft.js';

/** What {@link useRecordForm} needs to know of one kind of versioned record (a webhook, an alert rule, a segment). */
export interface RecordFormOptions<S extends { version: number }, D, B> {
  edit: Draft<D, S>;
  /** The stored record's path (PATCH and DELETE), undefined while creating. */
  path: string | undefined;
  /** The request body of a draft, or the problems that keep it from being sent (shown at their fields). */
  bodyOf: (draft: D) => { body: B; problems: FieldProblem[] };
  /** Creates the record from a valid body (posts it, then goes where a new record goes). */
  create: (body: B) => Promise<void>;
  onSaved: (saved: S) => void;
  onReload: () => void;
  /** Where to go once the record is deleted. */
  afterDelete: string;
  /** Query parameters of the PATCH and DELETE (the project, for records addressed by key). */
  query?: Record<string, string>;
  /** Whether a DELETE sends the version read, refused with 409 when the record changed meanwhile. */
  versionedDelete?: boolean;
}

/**
 * The save, delete and reload flow of a form editing one versioned record: problems found before
 * sending or named by the server (at their fields), the error banner (a 409 offers reload), a busy flag,
 * and the delete confirmation's state.
 */
export function useRecordForm<S extends { version: number }, D, B extends object>(
  options: RecordFormOptions<S, D, B>,
) {
  const api = useApi();
  const { navigate } = useRouter();
  const { edit, path } = options;
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [deleting, setDeleting] = useState(false);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const { body, problems: found } = options.bodyOf(edit.draft);
    setProblems(found);
    setError(undefined);
    if (found.length > 0) return;
    setBusy(true);
    try {
      if (path === undefined) {
        await options.create(body);
        return;
      }
      const saved = await api.patch<S>(
        path,
        { ...body, version: edit.baseVersion },
        options.query === undefined ? {} : { query: options.query },
      );
      edit.commit(saved, saved.version);
      options.onSaved(saved);
    } catch (e) {
      setProblems(problemsOf(e));
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (path === undefined) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.delete(
        path,
        options.versionedDelete === true ? { version: edit.baseVersion } : undefined,
        options.query === undefined ? {} : { query: options.query },
      );
      navigate(options.afterDelete);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  const reload = () => {
    setError(undefined);
    setProblems([]);
    // The record read again may not be the one the delete dialog asked about.
    setDeleting(false);
    edit.discard();
    options.onReload();
  };

  const closeDelete = () => {
    setDeleting(false);
    setError(undefined);
  };

  return {
    problems,
    error,
    busy,
    deleting,
    askDelete: () => setDeleting(true),
    closeDelete,
    save,
    remove,
    reload,
  };
}
