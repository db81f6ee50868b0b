/** A cell holding one figure: its raw value in `data-value` (what the API said), its text for people. */
export function FigureCell({
  metric,
  label,
  value,
  text,
  detail,
}: {
  metric: string;
  label: string;
  value: number | null;
  text: string;
  detail?: string | undefined;
}) {
  return (
    <td data-metric={metric} data-label={label} data-value={value === null ? '' : String(value)}>
      <span className="figure">{text}</span>
      {detail !== undefined && detail !== '' && <span className="figure-detail">{detail}</span>}
    </td>
  );
}
