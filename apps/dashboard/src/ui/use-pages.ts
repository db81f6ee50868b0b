import { useCallback, useState } from 'react';

/**
 * Cursor pagination: the cursors of the pages seen, so Previous goes back without the server's help.
 * A new `listKey` (other filters) starts again from the first page.
 */
export function usePages<C>(listKey: string) {
  const [state, setState] = useState<{ listKey: string; cursors: (C | undefined)[] }>({
    listKey,
    cursors: [undefined],
  });
  const cursors = state.listKey === listKey ? state.cursors : [undefined];
  const next = useCallback(
    (cursor: C) =>
      setState((s) => ({ listKey, cursors: [...(s.listKey === listKey ? s.cursors : [undefined]), cursor] })),
    [listKey],
  );
  const previous = useCallback(
    () =>
      setState((s) => ({
        listKey,
        cursors: s.listKey === listKey && s.cursors.length > 1 ? s.cursors.slice(0, -1) : [undefined],
      })),
    [listKey],
  );
  return { page: cursors.length, cursor: cursors[cursors.length - 1], next, previous };
}
