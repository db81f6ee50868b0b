import type { FlagView } from '../api/api-types.js';
import { Link } from '../routing/link.js';
import { paths } from '../routing/routes.js';
import { StatusPill } from '../ui/status-pill.js';

/** The flag's environments, each with its status; one is shown below. */
export function EnvironmentTabs({
  flag,
  environments,
  current,
}: {
  flag: FlagView;
  environments: string[];
  current: string;
}) {
  return (
    <nav className="env-tabs" aria-label="Environments">
      {environments.map((env) => {
        const config = flag.environments[env];
        return (
          <Link
            key={env}
            href={paths.flag(flag.key, env)}
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
