/** A variant as the results name it: its colour in the charts, its key, and whether it is the control. */
export function VariantName({
  variant,
  tone,
  control,
}: {
  variant: string;
  tone: number;
  control?: boolean;
}) {
  return (
    <span className="variant-name">
      <span className={`swatch tone-${tone % 6}`} aria-hidden="true" />
      <span className="mono">{variant}</span>
      {control === true && <span className="pill pill-control">control</span>}
    </span>
  );
}
