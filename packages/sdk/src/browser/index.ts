export { EvaluationDetails } from '../evaluation-details.js';
export { type Logger, SILENT_LOGGER } from '../logger.js';
export {
  BrowserClient,
  type BrowserClientEvents,
  type BrowserClientOptions,
  type BrowserClientState,
  type BrowserStreamState,
  createBrowserClient,
} from './browser-client.js';
export type { ClientFlagResult } from './client-flags-request.js';
export { type Listener, ListenerRegistry } from './listener-registry.js';
