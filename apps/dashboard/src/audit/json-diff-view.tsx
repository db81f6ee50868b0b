import { diffJson } from '../model/json-diff.js';

const show = (value: unknown) => (value === undefined ? '' : JSON.stringify(value));

/** What an audited change did: each changed field, before and after. */
export function JsonDiffView({ before, after }: { before: unknown; after: unknown }) {
  const changes = diffJson(before, after);
  if (changes.length === 0) return <p className="muted">No change recorded.</p>;
  return (
    <table className="diff">
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((c) => (
          <tr key={c.path} className={`diff-${c.kind}`} data-path={c.path}>
            <td className="mono">{c.path}</td>
            <td className="mono diff-before">{c.kind === 'added' ? '—' : show(c.before)}</td>
            <td className="mono diff-after">{c.kind === 'removed' ? '—' : show(c.after)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
