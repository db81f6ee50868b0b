/** Move up, move down and remove buttons of one item of an ordered list, named after the item. */
export function MoveButtons({
  name,
  index,
  count,
  onMove,
  onRemove,
}: {
  name: string;
  index: number;
  count: number;
  onMove: (to: number) => void;
  onRemove: () => void;
}) {
  return (
    <div className="ai-item-actions">
      <button
        type="button"
        className="button button-small"
        aria-label={`Move ${name} up`}
        disabled={index === 0}
        onClick={() => onMove(index - 1)}
      >
        ↑
      </button>
      <button
        type="button"
        className="button button-small"
        aria-label={`Move ${name} down`}
        disabled={index === count - 1}
        onClick={() => onMove(index + 1)}
      >
        ↓
      </button>
      <button type="button" className="button button-small button-quiet" onClick={onRemove}>
        Remove {name}
      </button>
    </div>
  );
}
