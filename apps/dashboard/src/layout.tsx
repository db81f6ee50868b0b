import type { ReactNode } from 'react';
import { Link } from './routing/link.js';
import { useRouter } from './routing/router.js';
import { paths } from './routing/routes.js';
import { useProject } from './session/project-context.js';
import { useSession } from './session/session-context.js';

/**
 * Results are a view of each flag (its Results tab, per environment). Rollouts have their own list
 * (every plan of the project) besides each flag's Rollout tab.
 */
const NAVIGATION = [
  { href: paths.flags, label: 'Flags' },
  { href: paths.segments, label: 'Segments' },
  { href: paths.rollouts(), label: 'Rollouts' },
  { href: paths.audit(), label: 'Audit log' },
  { href: paths.webhooks, label: 'Webhooks' },
  { href: paths.alerts, label: 'Alerts' },
  { href: paths.keys, label: 'API keys' },
];

/** The header, navigation and the page. */
export function Layout({ children }: { children: ReactNode }) {
  const { location } = useRouter();
  const { signOut, setProject } = useSession();
  const { project, projects } = useProject();
  const section = `/${location.pathname.split('/')[1] ?? ''}`;
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="header">
        <Link href={paths.flags} className="brand">
          Switchboard
        </Link>
        <nav aria-label="Main" className="nav">
          {NAVIGATION.map((item) => {
            const current = item.href === section || (section === '/' && item.href === paths.flags);
            return (
              <Link
                key={item.href}
                href={item.href}
                className="nav-link"
                {...(current ? { 'aria-current': 'page' } : {})}
              >
                {item.label}
              </Link>
            );
          })}
        </nav>
        <div className="header-end">
          {projects.length > 1 && (
            <label className="project-select">
              <span className="visually-hidden">Project</span>
              <select value={project} onChange={(e) => setProject(e.target.value)}>
                {projects.map((p) => (
                  <option key={p.key} value={p.key}>
                    {p.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          <button type="button" className="button button-quiet" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="page" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
