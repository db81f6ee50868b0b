/** A list with one item moved from one place to another (for reordering). */
export function moved<T>(items: readonly T[], from: number, to: number): T[] {
  if (to < 0 || to >= items.length || from === to) return [...items];
  const next = items.filter((_, i) => i !== from);
  next.splice(to, 0, items[from] as T);
  return next;
}
