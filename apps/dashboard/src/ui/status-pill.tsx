/** On or off, in words and colour (never colour alone). */
export function StatusPill({ enabled, label }: { enabled: boolean; label?: string }) {
  return (
    <span className={enabled ? 'pill pill-on' : 'pill pill-off'}>
      {label === undefined ? '' : `${label}: `}
      {enabled ? 'on' : 'off'}
    </span>
  );
}
