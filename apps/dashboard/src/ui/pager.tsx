interface Props {
  /** 1 for the first page. */
  page: number;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  label: string;
}

/** Previous and next page buttons for cursor-paginated lists. */
export function Pager({ page, hasNext, onPrevious, onNext, label }: Props) {
  if (page === 1 && !hasNext) return null;
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <button type="button" className="button" onClick={onPrevious} disabled={page === 1}>
        Previous
      </button>
      <span className="muted">Page {page}</span>
      <button type="button" className="button" onClick={onNext} disabled={!hasNext}>
        Next
      </button>
    </nav>
  );
}
