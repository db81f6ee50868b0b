import type { FlagView } from '../api/api-types.js';
import { Link } from '../routing/link.js';
import { paths } from '../routing/routes.js';
import { StatusPill } from '../ui/status-pill.js';
import { FLAG_KINDS } from './flag-kinds.js';

/** Flags with their kind, tags and status in every environment. */
export function FlagTable({ flags, environments }: { flags: FlagView[]; environments: string[] }) {
  return (
    <table className="table stack-on-phone">
      <thead>
        <tr>
          <th scope="col">Flag</th>
          <th scope="col">Kind</th>
          <th scope="col">Tags</th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        {flags.map((flag) => (
          <tr key={flag.key} data-flag={flag.key}>
            <td data-label="Flag">
              <Link href={paths.flag(flag.key)} className="strong">
                {flag.name}
              </Link>
              <div className="mono muted">{flag.key}</div>
              {flag.archived && <span className="pill pill-muted">archived</span>}
            </td>
            <td data-label="Kind">{FLAG_KINDS[flag.kind] ?? flag.kind}</td>
            <td data-label="Tags">
              {flag.tags.length === 0 ? (
                <span className="muted">—</span>
              ) : (
                <ul className="tags">
                  {flag.tags.map((tag) => (
                    <li key={tag} className="tag">
                      {tag}
                    </li>
                  ))}
                </ul>
              )}
            </td>
            <td data-label="Status">
              <ul className="statuses">
                {environments.map((env) => {
                  const config = flag.environments[env];
                  return (
                    config !== undefined && (
                      <li key={env}>
                        <Link href={paths.flag(flag.key, env)} className="status-link">
                          <StatusPill enabled={config.enabled} label={env} />
                        </Link>
                      </li>
                    )
                  );
                })}
              </ul>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
