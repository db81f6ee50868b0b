import type { FlagView } from '../api/api-types.js';
import { Link } from '../routing/link.js';
import { type FlagViewName, paths } from '../routing/routes.js';
import { StatusPill } from '../ui/status-pill.js';

/** The flag's environments, each with its status; one is shown below. */
export function EnvironmentTabs({
  flag,
  environments,
  current,
  view,
}: {
  flag: FlagView;
  environments: string[];
  current: string;
  /** Kept when another environment is chosen. */
  view: FlagViewName;
}) {
  return (
    <nav className="env-tabs" aria-label="Environments">
      {environments.map((env) => {
        const config = flag.environments[env];
        return (
          <Link
            key={env}
            href={paths.flag(flag.key, env, view === 'targeting' ? {} : { view })}
            className="env-tab"
            {...(env === current ? { 'aria-current': 'page' } : {})}
          >
            <span>{env}</span>
            {config !== undefined && <StatusPill enabled={config.enabled} />}
          </Link>
        );
      })}
    </nav>
  );
}
