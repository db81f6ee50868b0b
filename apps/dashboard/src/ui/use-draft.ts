import { useCallback, useState } from 'react';

export interface Draft<D, S> {
  draft: D;
  setDraft: (draft: D) => void;
  /** The version the draft was started from: what a save sends, so a stale one is refused. */
  baseVersion: number;
  dirty: boolean;
  /** Drops the user's edits; the draft follows the stored version again. */
  discard: () => void;
  /** After a save: the draft starts again from what was written. */
  commit: (saved: S, version: number) => void;
}

/**
 * An edit of stored data that does not lose the user's work: while nothing is edited, the draft
 * follows the stored data as it changes (pushed by the server); once edited, it stays on the version
 * it was started from until saved, discarded or reloaded.
 */
export function useDraft<S, D>(
  source: S,
  version: number,
  toDraft: (source: S) => D,
  same: (a: D, b: D) => boolean,
): Draft<D, S> {
  const [state, setState] = useState(() => {
    const initial = toDraft(source);
    return { version, initial, draft: initial };
  });
  const dirty = !same(state.draft, state.initial);
  if (state.version !== version && !dirty) {
    // Adjusting state while rendering (not in an effect): the stale draft is never shown.
    const initial = toDraft(source);
    setState({ version, initial, draft: initial });
  }
  const setDraft = useCallback((draft: D) => setState((s) => ({ ...s, draft })), []);
  const discard = useCallback(() => setState((s) => ({ ...s, draft: s.initial })), []);
  const commit = useCallback(
    (saved: S, savedVersion: number) => {
      const initial = toDraft(saved);
      setState({ version: savedVersion, initial, draft: initial });
    },
    [toDraft],
  );
  return { draft: state.draft, setDraft, baseVersion: state.version, dirty, discard, commit };
}
