import { AlertEditPage } from './alerts/alert-edit-page.js';
import { AlertsPage } from './alerts/alerts-page.js';
import { ApiKeysPage } from './api-keys/api-keys-page.js';
import { AuditPage } from './audit/audit-page.js';
import { FlagCreatePage } from './flags/flag-create-page.js';
import { FlagDetailPage } from './flags/flag-detail-page.js';
import { FlagsPage } from './flags/flags-page.js';
import { Layout } from './layout.js';
import { NotFoundPage } from './not-found-page.js';
import { RolloutPage } from './rollouts/rollout-page.js';
import { RolloutsPage } from './rollouts/rollouts-page.js';
import { RouterProvider, useRouter } from './routing/router.js';
import { parseRoute } from './routing/routes.js';
import { SegmentEditPage } from './segments/segment-edit-page.js';
import { SegmentsPage } from './segments/segments-page.js';
import { ProjectProvider } from './session/project-provider.js';
import { useSession } from './session/session-context.js';
import { SessionProvider } from './session/session-provider.js';
import { SignInPage } from './session/sign-in-page.js';
import { WebhookEditPage } from './webhooks/webhook-edit-page.js';
import { WebhooksPage } from './webhooks/webhooks-page.js';

function CurrentPage() {
  const { location } = useRouter();
  const route = parseRoute(location.pathname);
  switch (route.page) {
    case 'flags':
      return <FlagsPage />;
    case 'flag-new':
      return <FlagCreatePage />;
    case 'flag':
      return <FlagDetailPage key={route.key} flagKey={route.key} />;
    case 'segments':
      return <SegmentsPage />;
    case 'segment-new':
      return <SegmentEditPage segmentKey={undefined} />;
    case 'segment':
      return <SegmentEditPage key={route.key} segmentKey={route.key} />;
    case 'audit':
      return <AuditPage />;
    case 'keys':
      return <ApiKeysPage />;
    case 'webhooks':
      return <WebhooksPage />;
    case 'webhook-new':
      return <WebhookEditPage webhookId={undefined} />;
    case 'webhook':
      return <WebhookEditPage key={route.id} webhookId={route.id} />;
    case 'alerts':
      return <AlertsPage />;
    case 'alert-new':
      return <AlertEditPage ruleId={undefined} />;
    case 'alert':
      return <AlertEditPage key={route.id} ruleId={route.id} />;
    case 'rollouts':
      return <RolloutsPage />;
    case 'rollout':
      return <RolloutPage key={route.id} id={route.id} />;
    case 'not-found':
      return <NotFoundPage />;
  }
}

function Shell() {
  const { api, project } = useSession();
  // Signed out (or refused): the sign-in page at whatever path, which shows once signed in again.
  if (api === undefined) return <SignInPage />;
  return (
    <ProjectProvider>
      <Layout>
        <CurrentPage key={project} />
      </Layout>
    </ProjectProvider>
  );
}

/** The dashboard: sign-in, then the pages, all over the HTTP API. */
export function App() {
  return (
    <RouterProvider>
      <SessionProvider>
        <Shell />
      </SessionProvider>
    </RouterProvider>
  );
}
