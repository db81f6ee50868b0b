import { Link } from '../routing/link.js';
import { type FlagViewName, paths } from '../routing/routes.js';

const VIEWS: readonly { name: FlagViewName; label: string }[] = [
  { name: 'targeting', label: 'Targeting' },
  { name: 'results', label: 'Results' },
  { name: 'rollout', label: 'Rollout' },
];

/** What is shown of the flag in one environment: its targeting, its results, or its rollout. */
export function FlagViewTabs({
  flagKey,
  environment,
  current,
}: {
  flagKey: string;
  environment: string;
  current: FlagViewName;
}) {
  return (
    <nav className="view-tabs" aria-label={`${environment}: views`}>
      {VIEWS.map((view) => (
        <Link
          key={view.name}
          href={paths.flag(flagKey, environment, view.name === 'targeting' ? {} : { view: view.name })}
          className="view-tab"
          {...(view.name === current ? { 'aria-current': 'page' } : {})}
        >
          {view.label}
        </Link>
      ))}
    </nav>
  );
}
